"""Alerts of changes of rights (ND30 Phụ lục VI §III.3): every change of a person's
roles, clearance or account raises an alert to the heads (lãnh đạo) of the units
concerned, which stays open until a competent person confirms it. Pure rules over the
units tree; no nameko and no database here.

- The units concerned: those where the person held or holds a role.
- Who is told: the leaders (head, unit head) of each unit concerned other than the
  person changed and the one who made the change; a unit with no such leader has its
  alert go up to the nearest unit above that has one.
- Who may confirm: anyone told, a leader of a unit concerned, or an administrator
  whose scope holds a unit concerned — never the one who made the change nor the
  person changed.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from services.common.identity import LEADER_ROLES, Caller
from services.documents import administration

CHANGES = {
    "created": ("Tạo tài khoản", "Account created"),
    "change_roles": ("Thay đổi vai trò", "Roles changed"),
    "change_clearance": ("Thay đổi độ mật được tiếp cận", "Clearance changed"),
    "deactivated": ("Khóa tài khoản", "Account deactivated"),
    "reactivated": ("Mở lại tài khoản", "Account reactivated"),
    "password_reset": ("Đặt lại mật khẩu", "Password reset"),
}


def heads_to_tell(units: Iterable[str], leaders: Mapping[str, Iterable[str]],
                  parents: Mapping[str, str | None], *, exclude: Iterable[str]) -> list[str]:
    """The people to alert, in a stable order: for each unit concerned its leaders
    (``leaders``: unit id → user ids) other than ``exclude``, or those of the nearest
    unit above it that has some."""
    exclude = set(exclude)
    told: list[str] = []
    for unit_id in dict.fromkeys(units):
        for candidate in administration.lineage(unit_id, parents):
            found = [u for u in leaders.get(candidate, ()) if u not in exclude]
            if found:
                told += [u for u in sorted(found) if u not in told]
                break
    return told


def may_confirm(caller: Caller, alert, parents: Mapping[str, str | None]) -> bool:
    """Whether the caller may confirm an alert (``alert`` has user_id, changed_by,
    unit_ids, head_user_ids)."""
    if caller.system or caller.user_id in (alert.changed_by, alert.user_id):
        return False
    return may_see(caller, alert, parents)


def may_see(caller: Caller, alert, parents: Mapping[str, str | None]) -> bool:
    """Whether the alert is in the caller's sight: told of it, a leader of a unit
    concerned, or an administrator of one (the one who made the change sees it too)."""
    if caller.system_admin or caller.user_id in (alert.head_user_ids or ()) \
            or caller.user_id == alert.changed_by:
        return True
    units = alert.unit_ids or ()
    return any(caller.has_role(u, *LEADER_ROLES) for u in units) or \
        any(administration.administers(caller, u, parents) for u in units)
