"""Who administers what (ND30 Phụ lục VI §I, §IV): pure rules over the units tree, no
nameko and no database here.

- The deployment-wide administrator (quản trị hệ thống, ``Caller.system_admin``),
  held by few, administers every unit.
- A unit's quản trị (role ``admin`` in a unit) administers that unit and the units
  below it (their *scope*) and nothing else:
  - units: creates units under a unit in scope (a top unit only the deployment-wide
    administrator creates), renames a unit in scope, merges units when every unit
    involved (those merged and the successor) is in scope;
  - people: creates users whose roles are all in scope, and changes the roles or
    clearance of a person only when every role the person holds, before and after, is
    in scope — so nobody outside the scope is touched, and nobody gets a role (admin
    included) above it;
  - clearance: grants, raises or lowers a clearance only between levels no higher than
    their own (an uncleared commune quản trị cannot make anyone Mật, nor demote a
    Tuyệt mật leader); the flag of deployment-wide administrator only a
    deployment-wide administrator gives;
  - the audit log: reads the entries about the units in scope, their documents,
    people, dossiers and delegations.

``parents`` maps a unit id to its parent's id (None at the top) for at least the units
asked about and their ancestors.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping

from services.common.errors import Forbidden
from services.common.identity import ADMIN, CONFIDENTIALITY_LEVELS, Caller

MAX_DEPTH = 64   # a units tree is a handful of levels deep; this only stops a cycle


def lineage(unit_id: str, parents: Mapping[str, str | None]) -> list[str]:
    """The unit and its ancestors, nearest first."""
    chain = []
    while unit_id is not None and unit_id not in chain and len(chain) < MAX_DEPTH:
        chain.append(unit_id)
        unit_id = parents.get(unit_id)
    return chain


def admin_roots(caller: Caller) -> set[str]:
    """The units whose quản trị the caller is (the tops of their scope)."""
    return {m.unit_id for m in caller.memberships if m.role == ADMIN}


def is_administrator(caller: Caller) -> bool:
    return caller.system_admin or bool(admin_roots(caller))


def administers(caller: Caller, unit_id: str, parents: Mapping[str, str | None]) -> bool:
    """Whether the unit is in the caller's scope: a deployment-wide administrator, or the
    quản trị of the unit or of a unit above it."""
    if caller.system_admin:
        return True
    roots = admin_roots(caller)
    return bool(roots) and any(u in roots for u in lineage(unit_id, parents))


def _level(level: str) -> int:
    return CONFIDENTIALITY_LEVELS.index(level or "none")


def _out_of_scope(units: Iterable[str]) -> Forbidden:
    names = ", ".join(sorted(set(units)))
    return Forbidden(f"Đơn vị ngoài phạm vi quản trị của bạn: {names}.",
                     f"Units outside the scope you administer: {names}.")


def check_units(caller: Caller, unit_ids: Iterable[str],
                parents: Mapping[str, str | None]) -> None:
    """Forbidden unless every unit is in the caller's scope."""
    outside = [u for u in unit_ids if not administers(caller, u, parents)]
    if outside:
        raise _out_of_scope(outside)


def check_new_unit(caller: Caller, parent_id: str | None,
                   parents: Mapping[str, str | None]) -> None:
    """A unit is created under a unit in scope; a top unit by the deployment-wide
    administrator only."""
    if parent_id is None:
        if not caller.system_admin:
            raise Forbidden("Chỉ quản trị hệ thống được tạo đơn vị cấp cao nhất; hãy chọn "
                            "đơn vị cấp trên trong phạm vi của bạn.",
                            "Only the deployment-wide administrator creates a top unit; "
                            "choose a parent unit within your scope.")
        return
    check_units(caller, [parent_id], parents)


def check_person_change(caller: Caller, parents: Mapping[str, str | None], *,
                        units_before: Iterable[str], units_after: Iterable[str],
                        clearance_before: str, clearance_after: str,
                        system_admin_before: bool = False,
                        system_admin_after: bool = False) -> None:
    """Forbidden unless the caller may make this change of a person (a new person has
    no units before and clearance "none"): every unit the person belongs to, before and
    after, in scope; a clearance changed only between levels no higher than the
    caller's own; the deployment-wide flag given, taken or held only by a
    deployment-wide administrator (nobody else administers such a person)."""
    if caller.system_admin:
        return
    if system_admin_before or system_admin_after:
        raise Forbidden("Chỉ quản trị hệ thống quản lý quản trị hệ thống.",
                        "Only a deployment-wide administrator manages one.")
    units_before, units_after = list(units_before), list(units_after)
    check_units(caller, units_before + units_after, parents)
    if clearance_before != clearance_after and \
            max(_level(clearance_before), _level(clearance_after)) > _level(caller.clearance):
        raise Forbidden("Không được cấp hoặc thay đổi độ mật cao hơn độ mật của chính bạn.",
                        "You may not grant or change a clearance above your own.",
                        {"clearance": {"vi": "Vượt độ mật của bạn.",
                                       "en": "Above your own clearance."}})


def may_manage_person(caller: Caller, units: Iterable[str], system_admin: bool,
                      parents: Mapping[str, str | None]) -> bool:
    """Whether the caller administers a person who belongs to ``units`` (for closing an
    account, resetting a password …): every one of them in scope. A person with no
    role anywhere, or a deployment-wide administrator, only a deployment-wide
    administrator manages."""
    if caller.system_admin:
        return True
    units = list(units)
    return bool(units) and not system_admin and \
        all(administers(caller, u, parents) for u in units)
