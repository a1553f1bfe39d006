"""Ủy quyền (ND30 Điều 13; DOMAIN.md §1.5): a leader lets someone act for them in a
unit. No nameko here.

- KT (ký thay): the head lets a deputy sign in the head's place.
- TL (thừa lệnh): the head lets the head of the office or of a unit sign for them.
- TUQ (thừa ủy quyền): in particular cases the head authorises the head of a unit to
  sign; the one authorised cannot authorise anyone else in turn.

A delegation is limited to some steps — sign (ký), approve (duyệt dự thảo, also as an
approver of the unit's approval chain) and assign (phân công văn bản đến, in workflow)
— some document types (none listed: every type) and a window of days; it can be
revoked. Whatever is done under it records both people, and a signature shows the
form, e.g. "KT. Giám đốc, Phó Giám đốc".
"""
from __future__ import annotations

from datetime import date

from services.common import vocabulary
from services.common.validation import UUID_RE, Problems

KINDS = tuple(vocabulary.DELEGATION_KIND_NAMES)       # KT, TL, TUQ
ACTIONS = tuple(vocabulary.DELEGATION_ACTION_NAMES)   # sign, approve, assign
MAX_DAYS = 366


def parse_delegation(data, today: date, document_types) -> dict:
    """{unit_id, to_user_id, kind (KT | TL | TUQ), actions? (default ["sign"]),
    document_types? (default: every type), valid_from?, valid_to, via_id? (passing on
    a delegation one holds), note?}. The window starts today or later, ends on or after
    its start, and lasts at most a year."""
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"unit_id", "to_user_id", "kind", "actions", "document_types",
                         "valid_from", "valid_to", "via_id", "note"})
    out = {"unit_id": problems.text(data, "unit_id", max_length=36, required=True),
           "to_user_id": problems.text(data, "to_user_id", max_length=36, required=True),
           "kind": problems.choice(data, "kind", KINDS),
           "via_id": problems.text(data, "via_id", max_length=36),
           "note": problems.text(data, "note", max_length=500)}
    if data.get("kind") is None:
        problems.add("kind", "Chọn hình thức: KT, TL hoặc TUQ.", "Choose KT, TL or TUQ.")
    for name in ("to_user_id", "via_id", "unit_id"):
        if out[name] and not UUID_RE.match(out[name]):
            problems.add(name, "Mã không hợp lệ.", "Invalid id.")
    actions = data.get("actions", ["sign"])
    if not isinstance(actions, list) or not actions or \
            not all(a in ACTIONS for a in actions) or len(set(actions)) != len(actions):
        problems.add("actions", "Chọn trong: " + ", ".join(ACTIONS) + ".",
                     "One or more of: " + ", ".join(ACTIONS) + ".")
        actions = []
    out["actions"] = actions
    types = data.get("document_types") or []
    if not isinstance(types, list) or not all(t in document_types for t in types):
        problems.add("document_types", "Có loại văn bản không có trong danh mục.",
                     "Unknown document type.")
        types = []
    out["document_types"] = sorted(set(types))
    valid_from = problems.date(data, "valid_from") or today
    valid_to = problems.date(data, "valid_to", required=True)
    if valid_from < today:
        problems.add("valid_from", "Không ủy quyền cho ngày đã qua.",
                     "A delegation cannot start in the past.")
    if valid_to and valid_to < valid_from:
        problems.add("valid_to", "Ngày kết thúc trước ngày bắt đầu.", "Ends before it starts.")
    elif valid_to and (valid_to - valid_from).days > MAX_DAYS:
        problems.add("valid_to", "Ủy quyền dài tối đa một năm.",
                     "A delegation lasts at most a year.")
    out["valid_from"], out["valid_to"] = valid_from, valid_to
    problems.raise_if_any()
    return out


def covers(delegation, action: str | None, document_type: str | None, day: date) -> bool:
    """Whether a delegation lets its holder take this step (None: any step) on this type
    (None: any type) today."""
    return (delegation.revoked_at is None
            and (action is None or action in delegation.actions)
            and (document_type is None or not delegation.document_types
                 or document_type in delegation.document_types)
            and delegation.valid_from <= day <= delegation.valid_to)


def actions_held(held, unit_id: str, document_type: str | None, day: date) -> frozenset[str]:
    """The steps someone may take for others on a document of this unit and type today,
    under ``held``: the delegations in force for them (delegation_in_force)."""
    return frozenset(action for delegation in held if delegation.unit_id == unit_id
                     for action in ACTIONS if covers(delegation, action, document_type, day))


MAX_CHAIN = 10   # delegations passed on in turn; only stops a cycle


def in_force(delegation, day: date, holds_role, get) -> bool:
    """Whether a delegation is in force today, for any step: it covers the day, is not
    revoked, and the one who gave it still may — the head of the unit (``holds_role(
    user_id, unit_id)``) for a delegation given as head, or, for one passed on
    (``via_id``), the delegation passed on is itself in force and held by its giver
    (``get(id)`` reads a delegation). So a delegation ends when its giver loses the
    role it was given under, and with the delegation it was passed on from."""
    for _ in range(MAX_CHAIN):
        if delegation is None or not covers(delegation, None, None, day):
            return False
        if delegation.via_id is None:
            return bool(holds_role(delegation.from_user_id, delegation.unit_id))
        via = get(delegation.via_id)
        if via is None or via.to_user_id != delegation.from_user_id \
                or via.unit_id != delegation.unit_id:
            return False
        delegation = via
    return False


def signer_position(kind: str, delegator_position: str | None,
                    own_position: str | None) -> str:
    """How the signature block reads under a delegation (Phụ lục I §II.7): the form and
    the delegator's title, then the signer's own, within SignerInfo's 100 characters."""
    head = f"{kind}. {delegator_position or 'Thủ trưởng cơ quan'}"
    return (f"{head}, {own_position}" if own_position else head)[:100]
