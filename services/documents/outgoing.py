"""Outgoing documents (văn bản đi): the draft's fields (ND30 Phụ lục VI §I), the states
of a draft from first version to issue and recall (DOMAIN.md §1.6), who may take each
step, and how the ký hiệu is composed (Phụ lục I §II.3). No nameko here.

The documents service keeps the record and enforces these rules; approval chains,
delegation and reminders belong to workflow, which takes the same steps through it.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.common import vocabulary
from services.common.identity import CLERK, HEAD, SPECIALIST, UNIT_HEAD, Caller
from services.common.validation import Problems
from services.documents import changes, domain, fields, related

OUTGOING = "outgoing"
OUTGOING_SECRET = "outgoing_secret"

DRAFT = "draft"                   # dự thảo
SUBMITTED = "submitted"           # trình duyệt
RETURNED = "returned"             # trả lại (with a comment)
APPROVED = "approved"             # đã duyệt (by the person who will sign, Điều 11)
FORM_CHECKED = "form_checked"     # văn thư đã kiểm tra thể thức (Điều 12)
SIGNED = "signed"                 # đã ký
NUMBERED = "numbered"             # đã cấp số, thời gian ban hành (Điều 15)
SEALED = "sealed"                 # đã ký số cơ quan (văn thư, over the signer's; Điều 33)
ISSUED = "issued"                 # đã phát hành (Điều 18)
RECALLED = "recalled"             # đã thu hồi (Điều 18.4)
CANCELLED = "cancelled"           # hủy dự thảo (never numbered)
# (vocabulary.OUTGOING_STATES lists them all, in this order, with their names)
EDITABLE = (DRAFT, RETURNED)
NUMBERED_STATES = (NUMBERED, SEALED, ISSUED, RECALLED)

DRAFTERS = (SPECIALIST, UNIT_HEAD, HEAD, CLERK)
LEADERS = (HEAD, UNIT_HEAD)


@dataclass(frozen=True)
class Step:
    sources: tuple[str, ...]
    target: str
    roles: tuple[str, ...]       # roles in the document's unit that may take the step
    reason_required: bool = False


# Any later change after approval needs the signer's decision again (Điều 11), so an
# approved or checked draft goes back through "return" before it is edited.
STEPS: dict[str, Step] = {
    "submit": Step((DRAFT, RETURNED), SUBMITTED, DRAFTERS),
    "return": Step((SUBMITTED, APPROVED, FORM_CHECKED, SIGNED), RETURNED,
                   LEADERS + (CLERK,), reason_required=True),
    "approve": Step((SUBMITTED,), APPROVED, LEADERS),
    "check_form": Step((APPROVED,), FORM_CHECKED, (CLERK,)),
    "sign": Step((FORM_CHECKED,), SIGNED, (HEAD,)),
    "number": Step((SIGNED,), NUMBERED, (CLERK,)),
    # a digitally signed document gets the organisation's signature before it goes out
    # (ND30 Điều 5.1: both signatures make the electronic original); permissions.py says
    # which of seal and issue a document's signatures allow
    "seal": Step((NUMBERED,), SEALED, (CLERK,)),
    "issue": Step((NUMBERED, SEALED), ISSUED, (CLERK,)),
    "recall": Step((ISSUED,), RECALLED, (HEAD, CLERK), reason_required=True),
    # cập nhật: an issued document's particulars change (changes.UPDATABLE); it stays issued
    "update": Step((ISSUED,), ISSUED, (HEAD, CLERK), reason_required=True),
    "cancel": Step((DRAFT, RETURNED), CANCELLED, DRAFTERS, reason_required=True),
}
ACTIONS = tuple(STEPS)

DRAFT_FIELDS = {"document_type", "normative", "subject", "language", "page_amount",
                "description", "signer", "recipients", "urgency", "confidentiality",
                "issued_amount", "due_date", "keeper", "file_ids", "related"}
MAX_FILES = 20
MAX_RECIPIENTS = 200
PAPER, EXCHANGE, INTERNAL = "paper", "exchange", "internal"


def register_direction(confidentiality: str) -> str:
    """Secret documents have their own number series (ND30 Điều 15.2)."""
    return OUTGOING if confidentiality == "none" else OUTGOING_SECRET


def parse_draft(data, today: date, *, creating: bool) -> dict:
    """The draft fields given in ``data``, checked against Phụ lục VI §I. When creating,
    unit_id, document_type and subject are required; when saving a new version only
    the fields given change (plus ``note``). Every problem is reported at once."""
    problems = Problems()
    data = problems.object(data)
    problems.only(data, DRAFT_FIELDS | {"note"} | ({"unit_id"} if creating else set()))
    out: dict = {}
    if creating:
        out["unit_id"] = problems.text(data, "unit_id", max_length=36, required=True)
    if creating or "document_type" in data:
        document_type = fields.document_type(problems, data)
        out["document_type"] = document_type
    if creating or "subject" in data:
        out["subject"] = problems.text(data, "subject", max_length=500, required=True)
    if "normative" in data or creating:
        out["normative"] = problems.boolean(data, "normative")
    if "language" in data or creating:
        out["language"] = problems.text(data, "language", max_length=30) or "vi"
    if "page_amount" in data:
        out["page_amount"] = problems.integer(data, "page_amount", minimum=1, maximum=999)
    if "issued_amount" in data:
        out["issued_amount"] = problems.integer(data, "issued_amount", minimum=1, maximum=999)
    for name, length in (("description", 500), ("keeper", 200)):
        if name in data:
            out[name] = problems.text(data, name, max_length=length)
    if "urgency" in data or creating:
        out["urgency"] = problems.choice(data, "urgency", vocabulary.URGENCIES, default="normal")
    if "confidentiality" in data or creating:
        out["confidentiality"] = problems.choice(data, "confidentiality",
                                                 vocabulary.CONFIDENTIALITIES, default="none")
    if "due_date" in data:
        due_date = problems.date(data, "due_date")
        if due_date and due_date < today:
            problems.add("due_date", "Hạn trả lời đã qua.", "The reply date is in the past.")
        out["due_date"] = due_date
    if "signer" in data:
        out["signer_position"], out["signer_full_name"] = fields.signer(problems, data)
    if "recipients" in data:
        out["recipients"] = parse_recipients(problems, data.get("recipients"))
    if "file_ids" in data:
        out["file_ids"] = problems.id_list(data, "file_ids", max_items=MAX_FILES)
    if "related" in data:   # replaces or corrects an issued document (related.py)
        out["related"] = related.parse_related(problems, data)
    out["note"] = problems.text(data, "note", max_length=500)
    problems.raise_if_any()
    return out


def parse_recipients(problems: Problems, value) -> list[dict]:
    """Nơi nhận: internal units by ``unit_id``; other bodies by ``organ_id`` (mã định
    danh, ≤ 35) and ``name``. Internal names are filled in from the directory."""
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add("recipients", "Phải là danh sách nơi nhận.", "Must be a list.")
        return []
    if len(value) > MAX_RECIPIENTS:
        problems.add("recipients", f"Tối đa {MAX_RECIPIENTS} nơi nhận.",
                     f"At most {MAX_RECIPIENTS} recipients.")
        return []
    out, seen = [], set()
    for index, item in enumerate(value):
        label = f"recipients[{index}]"
        if not isinstance(item, dict):
            problems.add(label, "Phải là {unit_id} hoặc {organ_id, name}.",
                         "Must be {unit_id} or {organ_id, name}.")
            continue
        known = len(problems.details)
        problems.only(item, {"unit_id", "organ_id", "name"}, prefix=label + ".")
        unit_id = problems.text(item, "unit_id", max_length=36, label=label + ".unit_id")
        organ_id = problems.text(item, "organ_id", max_length=35, label=label + ".organ_id")
        name = problems.text(item, "name", max_length=200, label=label + ".name")
        if len(problems.details) > known:
            continue
        if unit_id:
            key = ("unit", unit_id)
            entry = {"unit_id": unit_id, "organ_id": None, "name": name}
        elif name:
            key = ("organ", organ_id or name.casefold())
            entry = {"unit_id": None, "organ_id": organ_id, "name": name}
        else:
            problems.add(label, "Cần unit_id (đơn vị trong hệ thống) hoặc tên nơi nhận.",
                         "Needs unit_id (a unit of this system) or the recipient's name.")
            continue
        if key in seen:
            problems.add(label, "Nơi nhận bị trùng.", "Duplicate recipient.")
            continue
        seen.add(key)
        out.append(entry)
    return out


def with_delivery(recipients: list[dict], confidentiality: str) -> list[dict]:
    """How each recipient gets the document: internal units inside this system, other
    bodies through the exchange (trục liên thông) when their mã định danh is known,
    otherwise on paper. Secret documents never leave by the exchange (DOMAIN.md §1.9)."""
    out = []
    for entry in recipients:
        if entry.get("unit_id"):
            delivery = INTERNAL
        elif entry.get("organ_id") and confidentiality == "none":
            delivery = EXCHANGE
        else:
            delivery = PAPER
        out.append(entry | {"delivery": delivery})
    return out


def problems_before(action: str, fields: dict) -> dict[str, dict[str, str]]:
    """What a draft still lacks for a step: a draft is submitted with its subject and
    at least one recipient, and numbered with a signer."""
    problems = Problems()
    if action == "submit" and not fields.get("recipients"):
        problems.add("recipients", "Dự thảo chưa có nơi nhận.", "The draft has no recipient.")
    if action in ("number", "issue") and not (fields.get("signer_full_name")
                                              and fields.get("signer_position")):
        problems.add("signer", "Văn bản chưa có chức vụ, họ tên người ký.",
                     "The document has no signer's position and name.")
    return problems.details


def may_take(caller: Caller, action: str, unit_id: str, confidentiality: str) -> bool:
    """The permission rule for a step: a role the step allows, in the document's unit,
    and clearance for its level. Services acting for themselves may take any step."""
    if caller.system:
        return True
    step = STEPS[action]
    return caller.cleared_for(confidentiality) and caller.has_role(unit_id, *step.roles)


CHAIN_ACTIONS = ("approve", "return")


def may_take_in_chain(person: Caller, action: str, unit_id: str, confidentiality: str,
                      delegated: bool) -> bool:
    """The rule for a step of the unit's approval chain, which workflow takes here for
    the person who decided it (the step's approver, or someone acting under their
    delegation to approve): that person — never a service — is cleared for the level;
    approving (the chain's last step approves the draft) also needs a role that approves
    in the unit or a delegation to approve; returning the draft from the chain is the
    right of the step's approvers, which workflow checks."""
    if person.system or action not in CHAIN_ACTIONS or not person.cleared_for(confidentiality):
        return False
    return action == "return" or delegated or person.has_role(unit_id, *STEPS[action].roles)


def may_edit(caller: Caller, unit_id: str, confidentiality: str) -> bool:
    return caller.system or (caller.cleared_for(confidentiality)
                             and caller.has_role(unit_id, *DRAFTERS))


def compose_notation(document_type: str, unit_abbreviation: str, year: int,
                     normative: bool, field_code: str | None) -> str | None:
    """Ký hiệu (ND30 Phụ lục I §II.3): "QĐ-UBND" for a document with a type name;
    "UBND-VX" (issuer, then the drafting unit or field) for a công văn; a normative
    document carries its year first, "2025/QĐ-UBND". None when it cannot be composed
    (a công văn without a field code, or a unit without an abbreviation)."""
    if not unit_abbreviation:
        return None
    abbreviation = vocabulary.DOCUMENT_TYPES[document_type][2]
    if abbreviation:
        notation = f"{abbreviation}-{unit_abbreviation}"
    elif field_code:
        notation = f"{unit_abbreviation}-{field_code}"
    else:
        return None
    return f"{year}/{notation}" if normative else notation


def parse_number_request(data) -> dict:
    """Cấp số: the clerk may give the whole ký hiệu, or only the field code of a công
    văn; otherwise it is composed from the type and the unit's abbreviation."""
    problems = Problems()
    data = problems.object(data or {})
    problems.only(data, {"code_notation", "field_code"})
    notation = fields.code_notation(problems, data, required=False)
    field_code = problems.text(
        data, "field_code", max_length=20, pattern=domain.FIELD_CODE_RE,
        pattern_vi="Mã đơn vị soạn thảo hoặc lĩnh vực: chữ và số, không có khoảng trắng.",
        pattern_en="The drafting unit or field code: letters and digits, no spaces.")
    problems.raise_if_any()
    return {"code_notation": notation, "field_code": field_code}


def parse_step_request(action: str, data) -> dict:
    """The body of a step: a reason where one is required (return, recall, cancel), the
    signer's position and name when signing (the caller's own by default), the
    certificate to sign with digitally (``certificate_id``: signing, and the
    organisation's signature, where it defaults to the unit's own), and for a
    submission relayed by workflow the unit's approval chain (``approval_chain``: its
    {id, unit_id, document_type, steps}, or null for none; ``relayed`` says whether the
    key was given at all)."""
    problems = Problems()
    data = problems.object(data or {})
    if action == "number":
        return parse_number_request(data)
    if action == "update":
        return changes.parse_update_request(data)
    allowed = {"reason", "comment", "on_behalf_of", "delegation_id"} | (
        {"position", "full_name", "certificate_id"} if action == "sign" else set()) | (
        {"certificate_id"} if action == "seal" else set()) | (
        {"approval_chain"} if action == "submit" else set())
    problems.only(data, allowed)
    reason = problems.text(data, "reason", max_length=1000,
                           required=STEPS[action].reason_required)
    comment = problems.text(data, "comment", max_length=1000)
    # Only services send on_behalf_of (workflow, taking a step its approver decided) and
    # delegation_id (the approver acted under someone's delegation).
    on_behalf_of = problems.text(data, "on_behalf_of", max_length=36)
    delegation_id = problems.text(data, "delegation_id", max_length=36)
    out = {"reason": reason, "comment": comment, "on_behalf_of": on_behalf_of,
           "delegation_id": delegation_id}
    if action == "sign":
        out["position"] = problems.text(data, "position", max_length=100)
        out["full_name"] = problems.text(data, "full_name", max_length=50)
    if action in ("sign", "seal"):
        out["certificate_id"] = problems.text(data, "certificate_id", max_length=36)
    if action == "submit":
        out["relayed"] = "approval_chain" in data
        out["approval_chain"] = parse_chain(problems, data.get("approval_chain"))
    problems.raise_if_any()
    return out


def parse_chain(problems: Problems, chain) -> dict | None:
    """An approval chain as workflow sends it with a submission: None, or {id, unit_id,
    document_type ("" for every type), steps: [{approvers: [user ids], ...}]}."""
    if chain is None:
        return None
    steps = chain.get("steps") if isinstance(chain, dict) else None
    if not (isinstance(steps, list) and isinstance(chain.get("unit_id"), str)
            and isinstance(chain.get("document_type"), str)
            and all(isinstance(step, dict) and isinstance(step.get("approvers"), list)
                    for step in steps)):
        problems.add("approval_chain", "Quy trình duyệt không hợp lệ.",
                     "Invalid approval chain.")
        return None
    return chain


def chain_fits(chain: dict | None, unit_id: str, document_type: str) -> bool:
    """Whether the chain workflow sent is the one for this draft (its unit, its type or
    every type): the draft may have changed type since workflow looked it up."""
    return chain is None or (chain["unit_id"] == unit_id
                             and chain["document_type"] in ("", document_type))
