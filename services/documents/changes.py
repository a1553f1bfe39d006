"""Changes its sender asks of a document already delivered (QCVN 102 §2.8, ND30 Điều 18.4;
DOMAIN.md §2.8): an update (cập nhật) of an issued document's particulars, and the
recall or update request an internally delivered copy then carries until the văn thư of
the receiving unit answers it. No nameko, no database: the rules and their shapes.

What an update may change — our choice, the sources name no list: the particulars a
receiver registers and acts on that do not identify the document. Never its số, ký hiệu,
date, issuer or type (those make another document: replacement or đính chính), its
confidentiality (a copy would move between registers and audiences), its signer (the
signature on the PDF is the signer's) or its files (a content change is a replacement)."""
from __future__ import annotations

from datetime import date

from services.common import vocabulary
from services.common.identity import CLERK, Caller
from services.common.validation import Problems

RECALL, UPDATE = "recall", "update"
KINDS = (RECALL, UPDATE)

#: the particulars an update may change (see above), as the documents' columns name them
UPDATABLE = ("subject", "description", "page_amount", "due_date", "urgency")


def parse_changes(problems: Problems, value, today: date | None = None) -> dict:
    """``changes`` of an update: a non-empty object of UPDATABLE particulars, each valid as
    a draft's field is (subject required when given; description and due_date may be null
    to clear them; a due date not in the past when ``today`` is given)."""
    if not isinstance(value, dict) or not value:
        problems.add("changes", "Cần ít nhất một thông tin cập nhật: " + ", ".join(UPDATABLE)
                     + ".", "At least one particular to change: " + ", ".join(UPDATABLE) + ".")
        return {}
    problems.only(value, set(UPDATABLE), prefix="changes.")
    out: dict = {}
    if "subject" in value:
        out["subject"] = problems.text(value, "subject", max_length=500, required=True,
                                       label="changes.subject")
    if "description" in value:
        out["description"] = problems.text(value, "description", max_length=500,
                                           label="changes.description")
    if "page_amount" in value:
        out["page_amount"] = problems.integer(value, "page_amount", minimum=1, maximum=999,
                                              required=True, label="changes.page_amount")
    if "urgency" in value:
        out["urgency"] = problems.choice(value, "urgency", vocabulary.URGENCIES,
                                         label="changes.urgency")
        if value.get("urgency") is None:
            problems.add("changes.urgency", "Bắt buộc phải chọn.", "Required.")
    if "due_date" in value:
        due = problems.date(value, "due_date", label="changes.due_date")
        if due and today and due < today:
            problems.add("changes.due_date", "Hạn trả lời đã qua.",
                         "The reply date is in the past.")
        out["due_date"] = due.isoformat() if due else None
    return out


def parse_update_request(data, today: date | None = None) -> dict:
    """The body of the outgoing step ``update``: ``{changes, reason, comment?}``."""
    problems = Problems()
    data = problems.object(data or {})
    problems.only(data, {"changes", "reason", "comment"})
    changes = parse_changes(problems, data.get("changes"), today)
    reason = problems.text(data, "reason", max_length=1000, required=True)
    comment = problems.text(data, "comment", max_length=1000)
    problems.raise_if_any()
    return {"changes": changes, "reason": reason, "comment": comment,
            "on_behalf_of": None, "delegation_id": None}


def current(doc) -> dict:
    """The UPDATABLE particulars of a document (either direction) as changes name them."""
    out = {name: getattr(doc, name) for name in UPDATABLE}
    out["due_date"] = doc.due_date.isoformat() if doc.due_date else None
    return out


def effective(doc, changes: dict) -> dict:
    """Of ``changes``, those that differ from the document as it is."""
    now = current(doc)
    return {name: value for name, value in changes.items()
            if name in UPDATABLE and now.get(name) != value}


def apply(doc, changes: dict) -> tuple[dict, dict]:
    """Set ``changes`` (UPDATABLE only) on ``doc``: (before, after) of what changed."""
    changed = effective(doc, changes)
    before = {name: current(doc)[name] for name in changed}
    for name, value in changed.items():
        setattr(doc, name, date.fromisoformat(value) if name == "due_date" and value
                else value)
    return before, changed


def request(kind: str, *, reason: str, from_outgoing_id: str, asked_by: str, asked_at: str,
            changes: dict | None = None, number: int | None = None) -> dict:
    """What an internally delivered copy carries while its văn thư has not answered."""
    out = {"kind": kind, "reason": reason, "from_outgoing_id": from_outgoing_id,
           "asked_by": asked_by, "asked_at": asked_at}
    if kind == UPDATE:
        out |= {"changes": changes or {}, "update": number}
    return out


def pending_request(existing: dict | None, new: dict) -> dict:
    """The request a copy carries after ``new`` is asked: a recall replaces anything; a
    later update while an earlier one waits folds both (the văn thư answers the
    particulars as they now stand, once)."""
    if existing and existing.get("kind") == UPDATE and new["kind"] == UPDATE:
        return new | {"changes": existing.get("changes", {}) | new["changes"],
                      "folds": [*existing.get("folds", []), existing.get("update")]}
    return new


def may_answer(caller: Caller, unit_id: str, confidentiality: str) -> bool:
    """Only a văn thư of the copy's unit, cleared for its level, answers for the unit (a
    person: a service never agrees in the unit's name)."""
    return not caller.system and caller.has_role(unit_id, CLERK) and \
        caller.cleared_for(confidentiality)


def answer_entry(asked: dict, *, agreed: bool, reason: str | None, answered_by: str,
                 answered_at: str) -> dict:
    """The answer as the copy's change_answers keeps it."""
    return {"kind": asked["kind"], "agreed": agreed, "reason": reason,
            "answered_by": answered_by, "answered_at": answered_at,
            "asked_at": asked.get("asked_at"), "asked_reason": asked.get("reason"),
            "from_outgoing_id": asked.get("from_outgoing_id")} | (
        {"changes": asked.get("changes", {}), "update": asked.get("update")}
        if asked["kind"] == UPDATE else {})


def with_answer(recipients: list[dict], incoming_id: str, asked: dict, *, agreed: bool,
                reason: str | None, at: str) -> list[dict]:
    """The sender's recipients with the answer of the one that got ``incoming_id``."""
    out = []
    for entry in recipients or []:
        if entry.get("incoming_id") == incoming_id:
            entry = {k: v for k, v in entry.items() if k != "request"} | {"answer": {
                "kind": asked["kind"], "agreed": agreed, "reason": reason, "at": at,
                "update": asked.get("update")}}
        out.append(entry)
    return out


def with_request(recipients: list[dict], kind: str, at: str, number: int | None = None
                 ) -> list[dict]:
    """The sender's recipients, each internal one marked as asked (``request``)."""
    return [entry | {"request": {"kind": kind, "at": at, "update": number}}
            if entry.get("incoming_id") else entry for entry in recipients or []]


def updates_with_answer(updates: list[dict], numbers: list, unit_id: str, *, agreed: bool,
                        reason: str | None, at: str) -> list[dict]:
    """The sender's outgoing.updates with one internal unit's answer to the updates
    ``numbers`` (one answer may cover several folded updates)."""
    out = []
    for entry in updates or []:
        if entry.get("number") in numbers:
            entry = entry | {"answers": (entry.get("answers") or {}) | {unit_id: {
                "agreed": agreed, "reason": reason, "at": at}}}
        out.append(entry)
    return out
