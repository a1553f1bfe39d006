"""What a caller may do now (API "allowed_actions", CONTRACTS C2): on a document's
processing, on each part of work in it and on a task. The same rules the entrypoints
enforce, as pure functions, so the answer carries them and the web UI never copies the
state machine. No nameko here.

A delegation (ủy quyền) is documents' record as list_delegations returns it: {id,
from_user_id, to_user_id, unit_id, actions, document_types}; only those in force for the
caller are passed in (``held_by``). A delegate sees the delegator's assign (the
document, or a unit's part: forward) and approve (an approval step, or its return)."""
from __future__ import annotations

from dataclasses import dataclass

from services.common.identity import CLERK, Caller
from services.workflow import domain, secrecy

#: The work a delegate may do in the delegator's place, by the delegation's action.
DELEGABLE_KINDS = {domain.TO_ASSIGN: "assign", domain.APPROVE: "approve"}

#: Every action name, as the routes spell them.
PROCESSING_ACTIONS = ("assign", "submit")
ITEM_ACTIONS = ("approve", "complete", "forward", "progress", "return")
TASK_ACTIONS = ("add_subtask", "cancel", "complete", "progress")


@dataclass(frozen=True)
class ProcessingFacts:
    """What the rules need of a processing (a Processing row has these attributes)."""
    unit_id: str
    state: str
    document_type: str | None = None
    confidentiality: str | None = "none"

    @classmethod
    def of(cls, processing) -> "ProcessingFacts":
        return cls(processing.unit_id, processing.state, processing.document_type,
                   processing.confidentiality)


def held_by(delegations, user_id: str) -> list[dict]:
    """Of documents' list, the delegations the person holds to assign or approve."""
    return [d for d in delegations or () if d.get("to_user_id") == user_id
            and set(d.get("actions") or ()) & set(DELEGABLE_KINDS.values())]


def covering(delegations, action: str, unit_id: str, document_type: str | None,
             from_user_id: str | None = None) -> dict | None:
    """The delegation (of those held) that lets its holder take ``action`` in the unit
    on a document of this type (for ``from_user_id`` only, if given), or None — as
    documents.find_delegation answers."""
    for d in delegations or ():
        if d["unit_id"] == unit_id and action in (d.get("actions") or ()) and \
                (not d.get("document_types") or (document_type or "") in d["document_types"]) \
                and (from_user_id is None or d["from_user_id"] == from_user_id):
            return d
    return None


def processing_actions(caller: Caller, proc: ProcessingFacts, items,
                       delegations=()) -> list[str]:
    """submit (trình: a clerk of the unit gives it to one leader) and assign (phân công:
    a leader of the unit, whoever holds it to assign, or a delegate to assign), both
    while the document waits to be assigned, for someone cleared for its level."""
    if proc.state != domain.AWAITING_ASSIGNMENT or not secrecy.may_read(
            caller, proc.confidentiality):
        return []
    out = []
    if caller.has_role(proc.unit_id, CLERK):
        out.append("submit")
    holds_one = any(i.kind == domain.TO_ASSIGN and i.state == domain.OPEN and
                    domain.holds(caller, i.user_id, i.unit_id) for i in items)
    if domain.leads_unit(caller, proc.unit_id) or holds_one or covering(
            delegations, "assign", proc.unit_id, proc.document_type):
        out.append("assign")
    return sorted(out)


def item_actions(caller: Caller, item, proc: ProcessingFacts, delegations=()) -> list[str]:
    """The segments of POST /api/v1/assignments/<id>/<action> the caller may use on an
    open part: its holder records progress on, returns or completes a lead or
    co-handling part (completes — reads — a for-information one); a unit's leader
    (or a delegate to assign in that unit) forwards the unit's part to one of its
    people; an approver (or a delegate to approve for them) approves or returns an
    approval step. Nothing for someone not cleared for the document's level."""
    if item.state != domain.OPEN or not secrecy.may_read(caller, proc.confidentiality):
        return []
    mine = domain.holds(caller, item.user_id, item.unit_id)
    if item.kind == domain.APPROVE:
        if mine or covering(delegations, "approve", proc.unit_id, proc.document_type,
                            from_user_id=item.user_id):
            return ["approve", "return"]
        return []
    out = []
    if mine and item.kind in domain.HANDLING:
        out += ["progress", "return", "complete"]
    elif mine and item.kind == domain.FOR_INFO:
        out.append("complete")
    if item.kind in domain.HANDLING and item.user_id is None and item.unit_id is not None \
            and (domain.leads_unit(caller, item.unit_id) or covering(
                delegations, "assign", item.unit_id, proc.document_type)):
        out.append("forward")
    return sorted(out)


def may_need_delegations(caller: Caller, proc: ProcessingFacts, items) -> bool:
    """Whether a delegation could add anything to what the caller may do here (so the
    service asks documents for them only then)."""
    if not secrecy.may_read(caller, proc.confidentiality):
        return False
    if proc.state == domain.AWAITING_ASSIGNMENT and \
            "assign" not in processing_actions(caller, proc, items):
        return True
    return any(i.state == domain.OPEN and not domain.holds(caller, i.user_id, i.unit_id) and
               (i.kind == domain.APPROVE or (i.kind in domain.HANDLING and i.user_id is None))
               for i in items)


def task_actions(caller: Caller, task: dict) -> list[str]:
    """What update_task and create_task (a sub-task) let the caller do to an open task
    (a task as the answers give it: state, assignee_id, created_by, subtasks_open): its
    holder records progress and completes it (once no sub-task is open); its giver
    cancels it; either splits it into sub-tasks."""
    if task["state"] != domain.TASK_OPEN:
        return []
    out = []
    if caller.user_id == task["assignee_id"]:
        out.append("progress")
        if not task.get("subtasks_open"):
            out.append("complete")
    if caller.user_id == task["created_by"]:
        out.append("cancel")
    if caller.user_id in (task["assignee_id"], task["created_by"]):
        out.append("add_subtask")
    return sorted(out)


@dataclass(frozen=True)
class Part:
    """A part as the rules read it, from an answer's item (a dict)."""
    kind: str
    state: str
    user_id: str | None
    unit_id: str | None

    @classmethod
    def of(cls, item: dict) -> "Part":
        return cls(item["kind"], item["state"], item.get("user_id"), item.get("unit_id"))
