"""Workflow rules with no nameko in them: the processing of an incoming document
(ND30 Điều 23–24; DOMAIN.md §1.7): a leader assigns one lead (chủ trì), co-handlers
(phối hợp) and for-information recipients (để biết), each a person or a unit, with a
deadline and a direction comment; a unit's leader passes the unit's part to one of
its people; handlers record progress, return it with a reason, or complete it; the
document is done when its lead completes."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.common import vocabulary
from services.common.identity import HEAD, UNIT_HEAD, Caller
from services.common.validation import UUID_RE, Problems

URGENCY_RANK, URGENT = vocabulary.URGENCY_RANK, vocabulary.URGENT

# Processing states, and the incoming document's state each means (documents' names).
AWAITING_ASSIGNMENT = "awaiting_assignment"   # chờ phân công
IN_APPROVAL = "in_approval"                   # dự thảo đang được duyệt (văn bản đi)
APPROVED = "approved"                         # duyệt xong
RETURNED_DRAFT = "returned"                   # dự thảo bị trả lại
ASSIGNED = "assigned"                         # đã phân công
IN_PROGRESS = "in_progress"                   # đang xử lý
DONE = "done"                                 # hoàn thành
DOCUMENT_STATE = {AWAITING_ASSIGNMENT: "to_assign", ASSIGNED: "assigned",
                  IN_PROGRESS: "in_progress", DONE: "done",
                  IN_APPROVAL: "submitted", APPROVED: "approved", RETURNED_DRAFT: "returned"}

# Work item kinds
TO_ASSIGN = "to_assign"      # a leader must assign it
LEAD = "lead"                # chủ trì
CO_HANDLER = "co_handler"    # phối hợp
FOR_INFO = "for_info"        # để biết
APPROVE = "approve"          # duyệt dự thảo văn bản đi (one step of an approval chain)
HANDLING = (LEAD, CO_HANDLER)
KINDS = (TO_ASSIGN, LEAD, CO_HANDLER, FOR_INFO, APPROVE)

# Work item states
OPEN = "open"
FORWARDED = "forwarded"      # a unit's part, passed by its leader to one of its people
DONE_ITEM = "done"
RETURNED = "returned"
CLOSED = "closed"            # no longer needed: someone else assigned it, or it is done
ACTIVE = (OPEN, FORWARDED)

INBOX_VIEWS = ("todo", "following", "overdue", "delegated")

# Reminder kinds
DUE_SOON = "due_soon"
OVERDUE = "overdue"
MAX_ASSIGNEES = 50
TEXT_LIMIT = 2000


def document_code(code_number: str | None, code_notation: str | None) -> str:
    if code_number and code_notation:
        return f"{code_number}/{code_notation}"
    return code_number or code_notation or ""


@dataclass(frozen=True)
class Assignee:
    kind: str
    unit_id: str | None
    user_id: str | None
    due_date: date | None
    due_at: datetime | None = None   # a deadline in working hours (the unit's rules)


def _assignee(problems: Problems, value, label: str, kind: str, today: date,
              default_due: date | None,
              default_due_at: datetime | None = None) -> Assignee | None:
    if not isinstance(value, dict):
        problems.add(label, "Phải là {unit_id} hoặc {user_id}, kèm due_date.",
                     "Must be {unit_id} or {user_id}, with due_date.")
        return None
    problems.only(value, {"unit_id", "user_id", "due_date"}, prefix=label + ".")
    unit_id, user_id = value.get("unit_id"), value.get("user_id")
    if (unit_id is None) == (user_id is None):
        problems.add(label, "Chọn đúng một: đơn vị (unit_id) hoặc người (user_id).",
                     "Name exactly one: a unit (unit_id) or a person (user_id).")
        return None
    target = unit_id if unit_id is not None else user_id
    if not isinstance(target, str) or not UUID_RE.match(target):
        problems.add(label, "Mã đơn vị hoặc người không hợp lệ.", "Invalid unit or person id.")
        return None
    due = problems.date(value, "due_date", label=label + ".due_date")
    if due is not None and due < today:
        problems.add(label + ".due_date", "Hạn xử lý đã qua.", "The deadline is in the past.")
        return None
    due_at = None
    if kind == FOR_INFO:
        due = None
    elif due is None:
        due, due_at = default_due, default_due_at
    return Assignee(kind, unit_id, user_id, due, due_at)


def parse_assignment(data, today: date, default_due: date | None,
                     default_due_at: datetime | None = None) -> dict:
    """Phân công: {lead: {unit_id | user_id, due_date?}, co_handlers: [...], for_info:
    [...], instruction}. Co-handlers take the lead's deadline unless given their own;
    without one the lead gets ``default_due`` (working days, or with ``default_due_at``
    working hours, from the unit's rules). Nobody is named twice."""
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"lead", "co_handlers", "for_info", "instruction"})
    instruction = problems.text(data, "instruction", max_length=TEXT_LIMIT)
    lead = None
    if data.get("lead") is None:
        problems.add("lead", "Phải chọn đơn vị hoặc người chủ trì.",
                     "Choose the lead unit or person.")
    else:
        lead = _assignee(problems, data["lead"], "lead", LEAD, today, default_due,
                         default_due_at)
    lists = {}
    for field, kind in (("co_handlers", CO_HANDLER), ("for_info", FOR_INFO)):
        value = data.get(field) or []
        if not isinstance(value, list) or len(value) > MAX_ASSIGNEES:
            problems.add(field, f"Danh sách tối đa {MAX_ASSIGNEES} mục.",
                         f"A list of at most {MAX_ASSIGNEES}.")
            value = []
        lists[field] = [a for index, item in enumerate(value)
                        if (a := _assignee(problems, item, f"{field}[{index}]", kind, today,
                                           *((lead.due_date, lead.due_at) if lead
                                             else (default_due, default_due_at))))]
    everyone = ([lead] if lead else []) + lists["co_handlers"] + lists["for_info"]
    seen = set()
    for assignee in everyone:
        key = assignee.unit_id or assignee.user_id
        if key in seen:
            problems.add("assignees", "Một đơn vị hoặc người chỉ được giao một vai trò.",
                         "A unit or person can be given only one part.")
        seen.add(key)
    if lead is not None and lead.due_date is None:
        problems.add("lead.due_date", "Phải có hạn xử lý cho đơn vị, người chủ trì.",
                     "The lead needs a deadline.")
    problems.raise_if_any()
    return {"lead": lead, "co_handlers": lists["co_handlers"], "for_info": lists["for_info"],
            "instruction": instruction}


def parse_forward(data, today: date) -> dict:
    """A unit leader passes the unit's part to one of its people: {user_id, due_date?
    (not after the unit's), instruction?}."""
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"user_id", "due_date", "instruction"})
    user_id = problems.text(data, "user_id", max_length=36, required=True)
    if user_id and not UUID_RE.match(user_id):
        problems.add("user_id", "Mã người không hợp lệ.", "Invalid person id.")
    due = problems.date(data, "due_date")
    if due is not None and due < today:
        problems.add("due_date", "Hạn xử lý đã qua.", "The deadline is in the past.")
    instruction = problems.text(data, "instruction", max_length=TEXT_LIMIT)
    problems.raise_if_any()
    return {"user_id": user_id, "due_date": due, "instruction": instruction}


def parse_progress(data) -> dict:
    """{percent (0–100)?, note}: what has been done so far."""
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"percent", "note"})
    percent = problems.integer(data, "percent", minimum=0, maximum=100)
    note = problems.text(data, "note", max_length=TEXT_LIMIT, required=True)
    problems.raise_if_any()
    return {"percent": percent, "note": note}


def parse_return(data) -> str:
    """{reason}: returning work is never silent (the reason is mandatory)."""
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"reason"})
    reason = problems.text(data, "reason", max_length=TEXT_LIMIT, required=True)
    problems.raise_if_any()
    return reason


def parse_complete(data) -> dict:
    """{note?, reply_document_id?}: the result, and the văn bản đi that answers it."""
    problems = Problems()
    data = problems.object(data or {})
    problems.only(data, {"note", "reply_document_id"})
    note = problems.text(data, "note", max_length=TEXT_LIMIT)
    reply = problems.text(data, "reply_document_id", max_length=36)
    if reply and not UUID_RE.match(reply):
        problems.add("reply_document_id", "Mã văn bản không hợp lệ.", "Invalid document id.")
    problems.raise_if_any()
    return {"note": note, "reply_document_id": reply}


MODES = ("all", "any")
MAX_STEPS = 10


def parse_chain(data, document_types) -> dict:
    """An approval chain: {unit_id, document_type? (empty: any type), steps: [{approvers:
    [user_id, ...], mode: "all" (parallel: everyone approves) | "any"}]}; steps run one
    after another. An empty list of steps removes the chain."""
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"unit_id", "document_type", "steps"})
    unit_id = problems.text(data, "unit_id", max_length=36, required=True)
    document_type = data.get("document_type") or ""
    if document_type and document_type not in document_types:
        problems.add("document_type", "Loại văn bản không có trong danh mục.",
                     "Unknown document type.")
    steps = data.get("steps")
    parsed = []
    if not isinstance(steps, list) or len(steps) > MAX_STEPS:
        problems.add("steps", f"Danh sách tối đa {MAX_STEPS} bước.",
                     f"A list of at most {MAX_STEPS} steps.")
        steps = []
    for index, step in enumerate(steps):
        label = f"steps[{index}]"
        if not isinstance(step, dict):
            problems.add(label, "Phải là {approvers, mode}.", "Must be {approvers, mode}.")
            continue
        problems.only(step, {"approvers", "mode"}, prefix=label + ".")
        approvers = step.get("approvers")
        if not isinstance(approvers, list) or not 1 <= len(approvers) <= MAX_ASSIGNEES or \
                not all(isinstance(a, str) and UUID_RE.match(a) for a in approvers) or \
                len(set(approvers)) != len(approvers):
            problems.add(label + ".approvers", "Từ 1 người duyệt, mã hợp lệ, không trùng.",
                         "At least one approver, valid ids, no repeats.")
            continue
        mode = problems.choice(step, "mode", MODES, default="all", label=label + ".mode")
        parsed.append({"approvers": approvers, "mode": mode})
    problems.raise_if_any()
    return {"unit_id": unit_id, "document_type": document_type, "steps": parsed}


def step_complete(mode: str, states: list[str]) -> bool:
    """Whether a step's approvals are enough to move on."""
    if mode == "any":
        return DONE_ITEM in states
    return all(state == DONE_ITEM for state in states)


def holds(caller: Caller, user_id: str | None, unit_id: str | None) -> bool:
    """Whose work an item is: its person's, or, for a unit's part not yet passed on,
    that unit's leaders'."""
    if user_id is not None:
        return caller.user_id == user_id
    return unit_id is not None and caller.has_role(unit_id, HEAD, UNIT_HEAD)


def leads_unit(caller: Caller, unit_id: str) -> bool:
    return caller.has_role(unit_id, HEAD, UNIT_HEAD)


# Tasks (công việc)
TASK_OPEN = "open"
TASK_DONE = "done"
TASK_CANCELLED = "cancelled"
TASK_VIEWS = ("mine", "created", "unit")


def parse_task(data, today: date) -> dict:
    """{unit_id, title, description?, assignee_id, due_date?, document_id?, parent_id?}."""
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"unit_id", "title", "description", "assignee_id", "due_date",
                         "document_id", "parent_id"})
    out = {"unit_id": problems.text(data, "unit_id", max_length=36),
           "title": problems.text(data, "title", max_length=500, required=True),
           "description": problems.text(data, "description", max_length=TEXT_LIMIT),
           "assignee_id": problems.text(data, "assignee_id", max_length=36, required=True),
           "document_id": problems.text(data, "document_id", max_length=36),
           "parent_id": problems.text(data, "parent_id", max_length=36)}
    for name in ("unit_id", "assignee_id", "document_id", "parent_id"):
        if out[name] and not UUID_RE.match(out[name]):
            problems.add(name, "Mã không hợp lệ.", "Invalid id.")
    if not out["unit_id"] and not out["parent_id"]:
        problems.add("unit_id", "Bắt buộc (trừ công việc con).", "Required (but for sub-tasks).")
    due = problems.date(data, "due_date")
    if due is not None and due < today:
        problems.add("due_date", "Hạn đã qua.", "The deadline is in the past.")
    out["due_date"] = due
    problems.raise_if_any()
    return out
