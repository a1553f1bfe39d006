"""The workflow service: how documents move between people. A registered incoming
document waits for its unit's leaders (or the one the clerk submits it to); a leader
assigns it; units pass their part to their people; handlers record progress, return it
with a reason or complete it; it is done when its lead completes (ND30 Điều 23–24)."""
from __future__ import annotations

import base64
import logging
import uuid
from datetime import date, datetime, time, timedelta, timezone

from eventlet import tpool

from nameko.dependency_providers import Config
from nameko.rpc import rpc
from nameko.timer import timer
from sqlalchemy import and_, false, or_, select, true

from services.common import events, tables
from services.common.db import Database, count_rows, fetch_page, insert_once, iso
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, ServiceTimeout,
                                    ServiceUnavailable, invalid_fields, not_found)
from services.common.handlers import event_handler
from services.common.identity import ADMIN, CLERK, CONFIDENTIALITY_LEVELS, HEAD, UNIT_HEAD
from services.common.identity_provider import Identity
from services.common.inbox import first_delivery
from services.common.outbox import add_event
from services.common.rpc import TimedRpc
from services.common.service_base import OutboxServiceBase
from services.common.validation import Problems, page_params
from services.workflow import deadlines, domain, permissions, reports, secrecy
from services.workflow.calendar import VN_TZ
from services.workflow.dependencies import Calendar
from services.workflow.models import (ApprovalChain, Processing, ProcessingEvent, Reminder,
                                      UnitRules, WorkItem, outbox, processed)
from services.workflow.task_entrypoints import TaskEntrypoints

# How often each workflow process looks for deadlines to remind of (every process does;
# the reminders table makes each reminder go out once).
REMINDER_SCAN_SECONDS = 5
# The work a delegate may do in the delegator's place, by the delegation's action.
DELEGABLE_KINDS = permissions.DELEGABLE_KINDS


log = logging.getLogger(__name__)
EXPORT_TYPES = {"pdf": "application/pdf",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}



class WorkflowService(TaskEntrypoints, OutboxServiceBase):
    name = "workflow"

    db = Database()
    identity = Identity()
    calendar = Calendar()
    documents_rpc = TimedRpc("documents")
    config = Config()
    outbox = outbox

    # ---------------------------------------------------------------- opening

    @event_handler(events.SOURCE_DOCUMENTS, events.DOCUMENT_REGISTERED)
    def on_documents_document_registered(self, message):
        """Open the processing of a registered incoming document and put it in the
        inbox of each leader of the receiving unit. Idempotent by event_id."""
        data = message["data"]
        now = datetime.now(timezone.utc)
        with self.db.transaction() as session:
            if not first_delivery(session, processed, message["event_id"],
                                  "on_documents_document_registered"):
                return
            if session.execute(select(Processing.id).where(
                    Processing.document_id == data["id"])).first():
                return
            processing = Processing(
                id=str(uuid.uuid4()), document_id=data["id"], unit_id=data["unit_id"],
                direction=data.get("direction", "incoming"), subject=data["subject"],
                code=domain.document_code(data.get("code_number"), data.get("code_notation")),
                issuer_name=data.get("issuer_name") or "",
                arrival_number=data.get("arrival_number"), urgency=data["urgency"],
                urgency_rank=domain.URGENCY_RANK.get(data["urgency"], 0),
                confidentiality=data.get("confidentiality") or "none",
                document_type=data.get("document_type"),
                due_date=date.fromisoformat(data["due_date"]) if data.get("due_date") else None,
                state=domain.AWAITING_ASSIGNMENT, created_at=now)
            session.add(processing)
            self._event(session, processing, "system:workflow", "processing_opened",
                        {"state": processing.state})
            for user_id in data.get("leader_user_ids", []):
                self._open_item(session, processing, domain.TO_ASSIGN, user_id=user_id,
                                actor_id="system:workflow", now=now)

    # ---------------------------------------------------------------- incoming steps

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def submit_incoming(self, token, document_id, payload):
        """Trình: the clerk gives an incoming document to one leader to assign (instead
        of every leader of the unit). payload {to_user_id, note?}.
        Returns the processing. Errors: InvalidInput (someone outside the unit);
        Forbidden unless a văn thư of the unit; NotFound; Conflict once assigned.
        Events: document_submitted."""
        caller = self.identity.caller(token)
        problems = Problems()
        payload = problems.object(payload)
        problems.only(payload, {"to_user_id", "note"})
        to_user = problems.text(payload, "to_user_id", max_length=36, required=True)
        note = problems.text(payload, "note", max_length=domain.TEXT_LIMIT)
        problems.raise_if_any()
        processing = self._processing(document_id)
        if not caller.has_role(processing.unit_id, CLERK):
            raise Forbidden("Chỉ văn thư của đơn vị được trình văn bản.",
                            "Only a clerk of the unit may submit its documents.")
        self._require_clearance(caller, processing)
        scope = self.documents_rpc.describe_assignees(
            self.identity.system_token(), processing.unit_id, [], [to_user])
        if not scope["users"].get(to_user, {}).get("within"):
            raise invalid_fields({"to_user_id": {
                "vi": "Người nhận không thuộc đơn vị.", "en": "Not a member of the unit."}})
        self._refuse_uncleared(processing, [domain.Assignee(domain.TO_ASSIGN, None, to_user,
                                                            None)], scope, "to_user_id")
        now = datetime.now(timezone.utc)
        with self.db.transaction() as session:
            processing = self._lock(session, processing.id)
            if processing.state != domain.AWAITING_ASSIGNMENT:
                raise self._wrong_state(processing, "trình", "submit")
            for item in self._items(session, processing, kind=domain.TO_ASSIGN,
                                    states=(domain.OPEN,)):
                if item.user_id != to_user:
                    item.state, item.done_at = domain.CLOSED, now
            if not any(i.user_id == to_user for i in self._items(
                    session, processing, kind=domain.TO_ASSIGN, states=(domain.OPEN,))):
                self._open_item(session, processing, domain.TO_ASSIGN, user_id=to_user,
                                actor_id=caller.user_id, now=now)
            self._event(session, processing, caller.user_id, "submitted",
                        {"to_user_id": to_user, "note": note})
            add_event(session, outbox, events.DOCUMENT_SUBMITTED,
                      self._event_data(processing, caller, notify_user_ids=[to_user],
                                       note=note))
            result = self._processing_out(session, processing, caller)
        self.flush_outbox()
        return self._allowed(token, caller, result)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def assign_incoming(self, token, document_id, payload):
        """Phân công: the leader holding the document names one lead (chủ trì), any
        co-handlers (phối hợp) and for-information recipients (để biết), each a unit
        or a person within the leader's unit (or below it), with a deadline each and
        a direction comment (ý kiến chỉ đạo).

        payload {lead: {unit_id | user_id, due_date?}, co_handlers: [...], for_info:
        [...], instruction}. Without a deadline the lead gets the document's, or one
        by the unit's rules (working days by urgency, or working hours for urgent
        documents where the unit says so: then the parts carry due_at).
        Someone holding a delegation to assign (ủy quyền "assign") from a leader of the
        unit may assign in that leader's place; the history records both people.
        Returns the processing. Errors: InvalidInput (a past deadline, someone named
        twice, a unit or person outside the leader's scope); Forbidden unless the
        caller holds it to assign, leads the unit or holds such a delegation; NotFound;
        Conflict (already assigned and not returned). Events: task_assigned, one per
        assignee."""
        caller = self.identity.caller(token)
        processing = self._processing(document_id)
        self._require_clearance(caller, processing)
        today, now = self._today(), self._now()
        default = deadlines.Deadline(processing.due_date) if processing.due_date else \
            self._default_deadline(processing.unit_id, processing.urgency, today, now)
        plan = domain.parse_assignment(payload, today, default.due_date, default.due_at)
        assignees = [plan["lead"], *plan["co_handlers"], *plan["for_info"]]
        scope = self._scope(processing.unit_id, assignees)
        self._refuse_uncleared(processing, assignees, scope, "assignees")
        delegation = None
        if not domain.leads_unit(caller, processing.unit_id) and not self._holds_open(
                processing, domain.TO_ASSIGN, caller):
            delegation = self._delegation(caller, "assign", processing)
        # under a delegation the caller assigns in the delegator's place
        owners = {caller.user_id} | ({delegation["from_user_id"]} if delegation else set())
        with self.db.transaction() as session:
            processing = self._lock(session, processing.id)
            mine = [i for i in self._items(session, processing, kind=domain.TO_ASSIGN,
                                           states=(domain.OPEN,))
                    if domain.holds(caller, i.user_id, i.unit_id) or i.user_id in owners]
            if not mine and not domain.leads_unit(caller, processing.unit_id) and \
                    delegation is None:
                raise Forbidden("Bạn không được phân công văn bản này.",
                                "You may not assign this document.")
            if processing.state != domain.AWAITING_ASSIGNMENT:
                raise self._wrong_state(processing, "phân công", "assign")
            for item in self._items(session, processing, kind=domain.TO_ASSIGN,
                                    states=(domain.OPEN,)):
                item.state, item.done_at = (domain.DONE_ITEM if item in mine
                                            else domain.CLOSED), now
                item.done_by = caller.user_id if item in mine else None
            processing.state, processing.instruction = domain.ASSIGNED, plan["instruction"]
            processing.due_date, processing.due_at = plan["lead"].due_date, plan["lead"].due_at
            created = [self._open_item(
                session, processing, a.kind, user_id=a.user_id, unit_id=a.unit_id,
                due_date=a.due_date, due_at=a.due_at, instruction=plan["instruction"],
                assigned_by=caller.user_id, actor_id=caller.user_id, now=now,
                notify_user_ids=self._people_of(a, scope, processing.confidentiality),
                delegation=delegation)
                for a in assignees]
            self._event(session, processing, caller.user_id, "assigned", {
                "instruction": plan["instruction"],
                "lead": self._describe(plan["lead"], scope),
                "co_handlers": [self._describe(a, scope) for a in plan["co_handlers"]],
                "for_info": [self._describe(a, scope) for a in plan["for_info"]]}
                | self._delegation_details(delegation))
            for item in created:
                add_event(session, outbox, events.TASK_ASSIGNED, self._event_data(
                    processing, caller, item=item, notify_user_ids=item.notify_user_ids))
            result = self._processing_out(session, processing, caller)
        self.flush_outbox()
        return self._allowed(token, caller, result)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def forward_assignment(self, token, item_id, payload):
        """A unit's leader passes the unit's part (lead or co-handling) to one of the
        unit's people: payload {user_id, due_date? (not after the unit's), instruction?}.
        Returns the processing. Errors: InvalidInput (a person outside the unit, a
        later deadline); Forbidden unless a leader of that unit; Conflict unless the
        part is open. Someone holding a delegation to assign from a leader of that unit
        may pass it on in the leader's place. Events: task_assigned."""
        caller = self.identity.caller(token)
        plan = domain.parse_forward(payload, self._today())
        item, processing = self._item(item_id)
        if item.unit_id is None or item.user_id is not None or \
                item.kind not in domain.HANDLING:
            raise Conflict("Chỉ chuyển tiếp được phần việc giao cho đơn vị.",
                           "Only a unit's part can be passed on.")
        self._require_clearance(caller, processing)
        delegation = None
        if not domain.leads_unit(caller, item.unit_id):
            delegation = self._delegation(caller, "assign", processing, unit_id=item.unit_id)
            if delegation is None:
                raise Forbidden("Chỉ lãnh đạo đơn vị được giao việc của đơn vị.",
                                "Only the unit's leaders may pass its work on.")
        if plan["due_date"] and item.due_date and plan["due_date"] > item.due_date:
            raise invalid_fields({"due_date": {
                "vi": f"Không được sau hạn của đơn vị ({item.due_date:%d/%m/%Y}).",
                "en": f"Cannot be after the unit's deadline ({item.due_date})."}})
        scope = self.documents_rpc.describe_assignees(
            self.identity.system_token(), item.unit_id, [], [plan["user_id"]])
        if not scope["users"].get(plan["user_id"], {}).get("within"):
            raise invalid_fields({"user_id": {"vi": "Người này không thuộc đơn vị.",
                                              "en": "This person is not in the unit."}})
        self._refuse_uncleared(processing, [domain.Assignee(item.kind, None, plan["user_id"],
                                                            None)], scope, "user_id")
        now = datetime.now(timezone.utc)
        with self.db.transaction() as session:
            processing = self._lock(session, processing.id)
            item = session.get(WorkItem, item.id)
            if item.state != domain.OPEN:
                raise self._wrong_item(item, "chuyển tiếp", "pass on")
            item.state = domain.FORWARDED
            child = self._open_item(
                session, processing, item.kind, user_id=plan["user_id"],
                due_date=plan["due_date"] or item.due_date,
                due_at=item.due_at if not plan["due_date"] or (
                    item.due_date and plan["due_date"] >= item.due_date) else None,
                instruction=plan["instruction"] or item.instruction, parent_id=item.id,
                assigned_by=caller.user_id, actor_id=caller.user_id, now=now,
                delegation=delegation)
            add_event(session, outbox, events.TASK_ASSIGNED, self._event_data(
                processing, caller, item=child, notify_user_ids=[plan["user_id"]]))
            result = self._processing_out(session, processing, caller)
        self.flush_outbox()
        return self._allowed(token, caller, result)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def record_progress(self, token, item_id, payload):
        """Cập nhật tiến độ: payload {percent?, note}. The document is then in progress.
        Errors: Forbidden unless it is the caller's work; Conflict unless open.
        Events: task_progressed."""
        caller = self.identity.caller(token)
        progress = domain.parse_progress(payload)
        return self._act_on_item(token, caller, item_id, "progress", progress)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def return_assignment(self, token, item_id, payload):
        """Trả lại, with a mandatory reason: a person's part goes back to the unit
        leader who passed it on; a unit's or person's part given by the assigning
        leader goes back to that leader, and if it was the lead the document waits
        to be assigned again. An approval returns the outgoing draft (in documents).
        Errors: InvalidInput (no reason); Forbidden; Conflict.
        Events: task_returned."""
        caller = self.identity.caller(token)
        reason = domain.parse_return(payload)
        item, processing = self._item(item_id)
        if item.kind == domain.APPROVE:
            return self._return_draft(token, caller, item, processing, reason)
        return self._act_on_item(token, caller, item_id, "return", {"reason": reason})

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def complete_assignment(self, token, item_id, payload=None):
        """Hoàn thành: payload {note?, reply_document_id?} (the văn bản đi that answers
        it). A person's part passed on by a unit completes the unit's part too; when
        the lead completes, the document is done and what is still open is closed.
        Errors: Forbidden; Conflict (not open; to_assign items are done by assigning).
        Events: task_completed, and document_completed when the lead completes."""
        caller = self.identity.caller(token)
        result = domain.parse_complete(payload)
        return self._act_on_item(token, caller, item_id, "complete", result)

    def _act_on_item(self, token, caller, item_id, action, data):
        item, processing = self._item(item_id)
        now = datetime.now(timezone.utc)
        with self.db.transaction() as session:
            processing = self._lock(session, processing.id)
            item = session.get(WorkItem, item.id)
            if not domain.holds(caller, item.user_id, item.unit_id):
                raise Forbidden("Đây không phải việc của bạn.", "This is not your work.")
            self._require_clearance(caller, processing)
            if item.state != domain.OPEN or item.kind in (domain.TO_ASSIGN, domain.APPROVE) or \
                    (action != "complete" and item.kind == domain.FOR_INFO):
                raise self._wrong_item(item, {"progress": "cập nhật tiến độ",
                                              "return": "trả lại",
                                              "complete": "hoàn thành"}[action], action)
            if action == "progress":
                item.progress = data["percent"] if data["percent"] is not None \
                    else item.progress
                if processing.state == domain.ASSIGNED:
                    processing.state = domain.IN_PROGRESS
                self._event(session, processing, caller.user_id, "progress", data, item)
                add_event(session, outbox, events.TASK_PROGRESSED,
                          self._event_data(processing, caller, item=item, **data))
            elif action == "return":
                self._return(session, processing, item, caller, data["reason"], now)
            else:
                self._complete(session, processing, item, caller, data, now)
            result = self._processing_out(session, processing, caller)
        self.flush_outbox()
        return self._allowed(token, caller, result)

    def _return(self, session, processing, item, caller, reason, now):
        item.state, item.return_reason, item.done_at = domain.RETURNED, reason, now
        item.done_by = caller.user_id
        back_to = [item.assigned_by] if item.assigned_by else []   # who gave it out
        parent = session.get(WorkItem, item.parent_id) if item.parent_id else None
        if parent is not None:
            parent.state = domain.OPEN          # back with the unit's leaders
        elif item.kind == domain.LEAD:          # the document waits to be assigned again
            processing.state = domain.AWAITING_ASSIGNMENT
            for other in self._items(session, processing, states=domain.ACTIVE):
                other.state, other.done_at = domain.CLOSED, now
            for user_id in back_to:
                self._open_item(session, processing, domain.TO_ASSIGN, user_id=user_id,
                                actor_id=caller.user_id, now=now)
        self._event(session, processing, caller.user_id, "returned", {"reason": reason},
                    item)
        add_event(session, outbox, events.TASK_RETURNED, self._event_data(
            processing, caller, item=item, reason=reason, notify_user_ids=back_to))

    def _complete(self, session, processing, item, caller, data, now):
        item.state, item.done_at, item.done_by = domain.DONE_ITEM, now, caller.user_id
        item.result_note, item.reply_document_id = data["note"], data["reply_document_id"]
        if item.kind != domain.FOR_INFO:
            item.progress = 100
        self._event(session, processing, caller.user_id,
                    "read" if item.kind == domain.FOR_INFO else "completed", data, item)
        add_event(session, outbox, events.TASK_COMPLETED, self._event_data(
            processing, caller, item=item, notify_user_ids=[item.assigned_by]
            if item.assigned_by else [], **data))
        parent = session.get(WorkItem, item.parent_id) if item.parent_id else None
        if parent is not None and parent.state == domain.FORWARDED:
            parent.state, parent.done_at, parent.done_by = domain.DONE_ITEM, now, caller.user_id
            parent.result_note, parent.reply_document_id = item.result_note, \
                item.reply_document_id
            parent.progress = 100
        top = parent or item
        if top.kind == domain.LEAD and top.parent_id is None:
            processing.state, processing.completed_at = domain.DONE, now
            processing.reply_document_id = data["reply_document_id"]
            for other in self._items(session, processing, states=domain.ACTIVE):
                other.state, other.done_at = domain.CLOSED, now
            self._event(session, processing, caller.user_id, "document_done",
                        {"reply_document_id": data["reply_document_id"]})
            add_event(session, outbox, events.DOCUMENT_COMPLETED, self._event_data(
                processing, caller, reply_document_id=data["reply_document_id"]))

    # ---------------------------------------------------------------- approval chains

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def set_approval_chain(self, token, payload):
        """Who approves the unit's outgoing drafts (of a document type, or of any type),
        step by step (domain.parse_chain). Approvers must be people of the unit or of a
        unit below it; empty steps remove the chain. Set by the unit's leaders or
        administrators. Returns the chain. Errors: InvalidInput; Forbidden."""
        caller = self.identity.caller(token)
        types = [t["key"] for t in self.documents_rpc.list_document_types(
            self.identity.system_token())["items"]]
        chain = domain.parse_chain(payload, types)
        if not caller.has_role(chain["unit_id"], HEAD, UNIT_HEAD, ADMIN):
            raise Forbidden("Chỉ lãnh đạo hoặc quản trị của đơn vị được đặt quy trình duyệt.",
                            "Only the unit's leaders or administrators set its approval chain.")
        approvers = sorted({a for step in chain["steps"] for a in step["approvers"]})
        if approvers:
            scope = self.documents_rpc.describe_assignees(
                self.identity.system_token(), chain["unit_id"], [], approvers)
            outside = [a for a in approvers if not scope["users"].get(a, {}).get("within")]
            if outside:
                raise invalid_fields({"steps": {
                    "vi": "Có người duyệt không thuộc đơn vị: " + ", ".join(outside),
                    "en": "Approvers outside the unit: " + ", ".join(outside)}})
        with self.db.transaction() as session:
            row = session.execute(select(ApprovalChain).where(
                ApprovalChain.unit_id == chain["unit_id"],
                ApprovalChain.document_type == chain["document_type"])).scalar_one_or_none()
            if not chain["steps"]:
                if row is not None:
                    session.delete(row)
                return chain | {"id": None}
            if row is None:
                row = ApprovalChain(id=str(uuid.uuid4()), unit_id=chain["unit_id"],
                                    document_type=chain["document_type"])
                session.add(row)
            row.steps, row.updated_by = chain["steps"], caller.user_id
            row.updated_at = datetime.now(timezone.utc)
            return chain | {"id": row.id}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_approval_chains(self, token, unit_id):
        """The unit's approval chains: {items: [{id, unit_id, document_type, steps}]}.
        Errors: Forbidden for a unit the caller does not belong to."""
        caller = self.identity.caller(token)
        if not caller.system and not caller.is_member(unit_id):
            raise Forbidden("Bạn không thuộc đơn vị này.", "You do not belong to this unit.")
        with self.db.read() as session:
            rows = session.execute(select(ApprovalChain).where(
                ApprovalChain.unit_id == unit_id).order_by(ApprovalChain.document_type))
            return {"items": [{"id": r.id, "unit_id": r.unit_id,
                               "document_type": r.document_type, "steps": r.steps}
                              for r in rows.scalars()]}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def approval_chain_for(self, token, unit_id, document_type):
        """The chain a draft of this type in this unit follows when submitted now (the
        type's own, else the unit's chain for any type): {id, unit_id, document_type,
        steps}, or None. Documents asks it at submission. Errors: Forbidden unless a
        service or a member of the unit."""
        caller = self.identity.caller(token)
        if not caller.system and not caller.is_member(unit_id):
            raise Forbidden("Bạn không thuộc đơn vị này.", "You do not belong to this unit.")
        with self.db.read() as session:
            chain = self._chain_for(session, unit_id, document_type)
            return {"id": chain.id, "unit_id": chain.unit_id,
                    "document_type": chain.document_type, "steps": chain.steps} \
                if chain else None

    @staticmethod
    def _chain_for(session, unit_id, document_type):
        chains = {c.document_type: c for c in session.execute(select(ApprovalChain).where(
            ApprovalChain.unit_id == unit_id,
            ApprovalChain.document_type.in_((document_type, "")))).scalars()}
        return chains.get(document_type) or chains.get("")

    # ---------------------------------------------------------------- unit rules

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_unit_rules(self, token, unit_id):
        """The deadlines a unit gives when its leader names none: {unit_id, working_days:
        {urgency: days}, hours: {urgency: hours}, defaults}. Errors: Forbidden unless a
        member of the unit (or a service)."""
        caller = self.identity.caller(token)
        if not isinstance(unit_id, str) or (not caller.system and not caller.is_member(unit_id)):
            raise Forbidden("Bạn không thuộc đơn vị này.", "You do not belong to this unit.")
        with self.db.read() as session:
            rules = session.get(UnitRules, unit_id)
            return deadlines.rules_out(unit_id, rules.working_days if rules else None,
                                       rules.hours if rules else None)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def set_unit_rules(self, token, payload):
        """Set a unit's deadline rules (deadlines.parse_rules): working days by urgency,
        and working hours for the urgent levels the unit counts in hours. Applies to
        documents assigned from now on. Set by the unit's leaders or administrators.
        Returns the rules as get_unit_rules. Errors: InvalidInput; Forbidden."""
        caller = self.identity.caller(token)
        rules = deadlines.parse_rules(payload)
        if not caller.has_role(rules["unit_id"], HEAD, UNIT_HEAD, ADMIN):
            raise Forbidden("Chỉ lãnh đạo hoặc quản trị của đơn vị được đặt thời hạn xử lý.",
                            "Only the unit's leaders or administrators set its deadlines.")
        with self.db.transaction() as session:
            row = session.get(UnitRules, rules["unit_id"])
            if row is None:
                row = UnitRules(unit_id=rules["unit_id"])
                session.add(row)
            row.working_days, row.hours = rules["working_days"], rules["hours"]
            row.updated_by, row.updated_at = caller.user_id, datetime.now(timezone.utc)
        return deadlines.rules_out(rules["unit_id"], rules["working_days"], rules["hours"])

    @event_handler(events.SOURCE_DOCUMENTS, events.OUTGOING_SUBMITTED)
    def on_documents_outgoing_submitted(self, message):
        """A draft was submitted: if its unit has an approval chain for its type (or for
        any type) — as documents found it at submission (approval_steps) — the chain
        starts again from its first step, and the first approvers find it in their
        inbox. Without a chain the unit's leaders approve it directly in documents.
        Idempotent by event_id. Events: task_assigned."""
        data = message["data"]
        now = datetime.now(timezone.utc)
        with self.db.transaction() as session:
            if not first_delivery(session, processed, message["event_id"],
                                  "on_documents_outgoing_submitted"):
                return
            if "approval_steps" in data:
                steps = data["approval_steps"]
            else:   # an event from before documents looked the chain up itself
                chain = self._chain_for(session, data["unit_id"], data["document_type"])
                steps = chain.steps if chain else []
            if not steps:
                return
            processing = session.execute(select(Processing).where(
                Processing.document_id == data["id"])).scalar_one_or_none()
            if processing is None:
                processing = Processing(
                    id=str(uuid.uuid4()), document_id=data["id"], unit_id=data["unit_id"],
                    direction="outgoing", subject=data["subject"], code="", issuer_name="",
                    urgency=data["urgency"],
                    urgency_rank=domain.URGENCY_RANK.get(data["urgency"], 0),
                    confidentiality=data.get("confidentiality") or "none",
                    document_type=data["document_type"], state=domain.IN_APPROVAL,
                    created_at=now)
                session.add(processing)
                session.flush()
                self._event(session, processing, "system:workflow", "processing_opened",
                            {"state": processing.state})
            for item in self._items(session, processing, states=domain.ACTIVE):
                item.state, item.done_at = domain.CLOSED, now
            processing.state, processing.instruction = domain.IN_APPROVAL, None
            processing.document_type = data["document_type"]
            processing.approval_steps = steps   # this round follows the chain as submitted
            self._start_step(session, processing, steps, 0, data["submitted_by"], now)

    def _start_step(self, session, processing, steps, index, actor_id, now):
        step = steps[index]
        for approver in step["approvers"]:
            item = self._open_item(session, processing, domain.APPROVE, user_id=approver,
                                   actor_id=actor_id, now=now, assigned_by=actor_id)
            item.step = index
            add_event(session, outbox, events.TASK_ASSIGNED, self._event_data(
                processing, None, item=item, notify_user_ids=[approver]))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def approve_draft(self, token, item_id, payload=None):
        """Approve one step of an outgoing draft's chain: {comment?}. When the step is
        complete the next one starts; after the last step the draft is approved in
        documents (workflow takes the step on the last approver's behalf: audited as theirs).
        Errors: Forbidden (not the caller's); Conflict (not open, or documents refuses);
        ServiceUnavailable (documents down: nothing is recorded, try again)."""
        caller = self.identity.caller(token)
        problems = Problems()
        payload = problems.object(payload or {})
        problems.only(payload, {"comment"})
        comment = problems.text(payload, "comment", max_length=domain.TEXT_LIMIT)
        problems.raise_if_any()
        item, processing = self._item(item_id)
        delegation = self._check_approval(caller, item, processing)
        chain_steps = processing.approval_steps or []
        siblings = [i for i in self._step_items(processing, item.step) if i.id != item.id]
        mode = chain_steps[item.step]["mode"]
        last_step = item.step == len(chain_steps) - 1
        finishes = last_step and domain.step_complete(
            mode, [domain.DONE_ITEM] + [i.state for i in siblings])
        if finishes:   # documents first: if it refuses, nothing is recorded here
            self.documents_rpc.act_on_outgoing(
                self.identity.system_token(), processing.document_id, "approve",
                {"on_behalf_of": caller.user_id} | ({"comment": comment} if comment else {})
                | ({"delegation_id": delegation["id"]} if delegation else {}))
        now = datetime.now(timezone.utc)
        with self.db.transaction() as session:
            processing = self._lock(session, processing.id)
            item = session.get(WorkItem, item.id)
            if item.state != domain.OPEN:
                raise self._wrong_item(item, "duyệt", "approve")
            item.state, item.done_at, item.result_note = domain.DONE_ITEM, now, comment
            item.done_by = caller.user_id
            self._event(session, processing, caller.user_id, "approved_step",
                        {"step": item.step + 1, "comment": comment}
                        | self._delegation_details(delegation), item)
            states = [i.state for i in self._step_items(processing, item.step, session)]
            if domain.step_complete(mode, states):
                for other in self._step_items(processing, item.step, session):
                    if other.state == domain.OPEN:
                        other.state, other.done_at = domain.CLOSED, now
                if item.step + 1 < len(chain_steps):
                    self._start_step(session, processing, chain_steps, item.step + 1,
                                     caller.user_id, now)
                else:
                    processing.state, processing.completed_at = domain.APPROVED, now
                    self._event(session, processing, caller.user_id, "draft_approved", {})
            add_event(session, outbox, events.TASK_COMPLETED, self._event_data(
                processing, caller, item=item, comment=comment,
                notify_user_ids=[item.assigned_by] if item.assigned_by else []))
            result = self._processing_out(session, processing, caller)
        self.flush_outbox()
        return self._allowed(token, caller, result)

    def _return_draft(self, token, caller, item, processing, reason):
        """Returning a draft from its chain returns it in documents (with the reason)
        and closes the chain; resubmitting starts it again."""
        delegation = self._check_approval(caller, item, processing)
        self.documents_rpc.act_on_outgoing(
            self.identity.system_token(), processing.document_id, "return",
            {"reason": reason, "on_behalf_of": caller.user_id}
            | ({"delegation_id": delegation["id"]} if delegation else {}))
        now = datetime.now(timezone.utc)
        with self.db.transaction() as session:
            processing = self._lock(session, processing.id)
            item = session.get(WorkItem, item.id)
            item.state, item.return_reason, item.done_at = domain.RETURNED, reason, now
            item.done_by = caller.user_id
            for other in self._items(session, processing, states=domain.ACTIVE):
                other.state, other.done_at = domain.CLOSED, now
            processing.state = domain.RETURNED_DRAFT
            self._event(session, processing, caller.user_id, "returned", {"reason": reason}
                        | self._delegation_details(delegation), item)
            add_event(session, outbox, events.TASK_RETURNED, self._event_data(
                processing, caller, item=item, reason=reason,
                notify_user_ids=[item.assigned_by] if item.assigned_by else []))
            result = self._processing_out(session, processing, caller)
        self.flush_outbox()
        return self._allowed(token, caller, result)

    def _check_approval(self, caller, item, processing):
        """Whether the caller may decide this approval: their own, or its approver's
        under a delegation to approve (returned, so the step records both people)."""
        if item.kind != domain.APPROVE:
            raise Conflict("Đây không phải phần việc duyệt dự thảo.",
                           "This is not an approval.")
        delegation = None
        if not domain.holds(caller, item.user_id, item.unit_id):
            delegation = self._delegation(caller, "approve", processing,
                                          from_user_id=item.user_id)
            if delegation is None:
                raise Forbidden("Đây không phải việc của bạn.", "This is not your work.")
        self._require_clearance(caller, processing)   # the real person, delegate or not
        if item.state != domain.OPEN:
            raise self._wrong_item(item, "duyệt", "approve")
        return delegation

    def _step_items(self, processing, step, session=None):
        def query(s):
            return s.execute(select(WorkItem).where(
                WorkItem.processing_id == processing.id, WorkItem.kind == domain.APPROVE,
                WorkItem.step == step, WorkItem.state != domain.CLOSED)).scalars().all()
        if session is not None:
            return query(session)
        with self.db.read() as own:
            return query(own)

    # ---------------------------------------------------------------- reports

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def report_processing(self, token, params=None):
        """Báo cáo tình hình giải quyết văn bản đến of a unit for a period: params
        {unit_id, from, to (dates the parts were given; default this month), by: "unit"
        (the units and people the unit's leaders gave work to) | "person" (everyone who
        held a part)}. Returns {unit_id, from, to, by, rows: [{kind, id, name, received,
        done_on_time, done_late, open, overdue, documents: {column: [{document_id, code,
        subject, urgency, role, due_date, done_on}]}}], totals}. Errors: InvalidInput;
        Forbidden unless a leader, clerk or administrator of the unit."""
        caller = self.identity.caller(token)
        query = self._report_query(caller, params)
        with self.db.read() as session:
            parts = [reports.Part(
                item_id=item.id, kind=item.kind, state=item.state, user_id=item.user_id,
                unit_id=item.unit_id, parent_id=item.parent_id, due_date=item.due_date,
                due_at=item.due_at, done_at=item.done_at, document_id=proc.document_id,
                subject=proc.subject, code=proc.code, urgency=proc.urgency,
                confidentiality=proc.confidentiality)
                for item, proc in session.execute(query["select"]).all()]
        rows = reports.redacted(reports.build(parts, query["by"], self._today(), self._now()),
                                caller)
        names = self.documents_rpc.directory_names(
            self.identity.system_token(), [r["id"] for r in rows if r["kind"] == "user"],
            [r["id"] for r in rows if r["kind"] == "unit"])
        for row in rows:
            row["name"] = names["users" if row["kind"] == "user" else "units"].get(row["id"])
        return {"unit_id": query["unit_id"], "from": query["from"].isoformat(),
                "to": query["to"].isoformat(), "by": query["by"], "rows": rows,
                "totals": reports.totals(rows)}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def export_processing_report(self, token, params=None):
        """The same report as a printable table: params as report_processing plus
        format "pdf" | "xlsx". Returns {filename, content_type, content_base64, count}."""
        params = dict(params or {})
        kind = params.pop("format", None) or "pdf"
        if kind not in EXPORT_TYPES:
            raise invalid_fields({"format": {"vi": "pdf hoặc xlsx.", "en": "pdf or xlsx."}})
        report = self.report_processing(token, params)
        columns, rows = reports.table(report["rows"], {r["id"]: r["name"] for r in
                                                      report["rows"]})
        unit = self.documents_rpc.directory_names(
            self.identity.system_token(), [], [report["unit_id"]])["units"]
        subtitle = (f"{unit.get(report['unit_id'], '')} · từ {tables.vn_date(report['from'])} đến "
                    f"{tables.vn_date(report['to'])} · theo "
                    f"{'đơn vị' if report['by'] == 'unit' else 'cán bộ'}")
        render = tables.to_pdf if kind == "pdf" else tables.to_xlsx
        content = tpool.execute(render, "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐẾN", subtitle,
                                columns, rows, reports.WIDTHS)
        return {"filename": f"bao-cao-xu-ly-{report['from']}-{report['to']}.{kind}",
                "content_type": EXPORT_TYPES[kind], "count": report["totals"]["received"],
                "content_base64": base64.b64encode(content).decode("ascii")}

    def _report_query(self, caller, params) -> dict:
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"unit_id", "from", "to", "by"})
        unit_id = problems.text(params, "unit_id", max_length=36, required=True)
        # the period's days are Vietnam's, like the bounds of the query below (the
        # server's own date is a day behind from 17:00 UTC)
        today = self._now().astimezone(VN_TZ).date()
        start = problems.date(params, "from") or today.replace(day=1)
        end = problems.date(params, "to") or today
        if start > end:
            problems.add("to", "Ngày kết thúc trước ngày bắt đầu.", "Ends before it starts.")
        by = problems.choice(params, "by", ("unit", "person"), default="unit")
        problems.raise_if_any()
        if not caller.has_role(unit_id, HEAD, UNIT_HEAD, CLERK, ADMIN):
            raise Forbidden("Chỉ lãnh đạo, văn thư hoặc quản trị của đơn vị xem báo cáo.",
                            "Only the unit's leaders, clerks or administrators see its "
                            "reports.")
        select_ = select(WorkItem, Processing).join(
            Processing, Processing.id == WorkItem.processing_id).where(
            Processing.unit_id == unit_id, Processing.direction == "incoming",
            WorkItem.kind.in_(domain.HANDLING),
            WorkItem.created_at >= datetime.combine(start, time.min, VN_TZ),
            WorkItem.created_at < datetime.combine(end + timedelta(days=1), time.min, VN_TZ))
        return {"unit_id": unit_id, "from": start, "to": end, "by": by, "select": select_}

    # ---------------------------------------------------------------- deadlines

    @timer(interval=REMINDER_SCAN_SECONDS)
    def send_deadline_reminders(self):
        """Remind whoever holds an open part REMINDER_WORKING_DAYS working days (config,
        default 1) before its deadline — REMINDER_WORKING_HOURS (default 1) office hours
        before a deadline in hours — and alert them once it has passed. Every workflow
        process runs this; a reminder is recorded in the same transaction as its event,
        keyed by (part, kind), so each is sent exactly once.
        Events: deadline_approaching, deadline_missed."""
        today, now = self._today(), self._now()
        days = int(self.config.get("REMINDER_WORKING_DAYS") or 1)
        horizon = self.calendar.add_working_days(today, days)
        hours_ahead = self.calendar.add_working_hours(
            now, float(self.config.get("REMINDER_WORKING_HOURS") or 1))
        with self.db.read() as session:
            due = session.execute(
                select(WorkItem.id, WorkItem.due_date, WorkItem.due_at).where(
                    WorkItem.state == domain.OPEN, WorkItem.kind.in_(domain.HANDLING),
                    WorkItem.due_date.is_not(None), WorkItem.due_date <= horizon)).all()
            sent = set(session.execute(select(Reminder.work_item_id, Reminder.kind).where(
                Reminder.work_item_id.in_([row.id for row in due]))).all()) if due else set()
        for item_id, due_date, due_at in due:
            kind = deadlines.reminder_kind(due_date, due_at, today, now, hours_ahead)
            if kind and (item_id, kind) not in sent:
                self._remind(item_id, kind, today)
        self._remind_tasks(today, horizon)
        self.flush_outbox()

    def _remind(self, item_id, kind, today):
        leaders = self._current_leaders(item_id)
        now = datetime.now(timezone.utc)
        with self.db.transaction() as session:
            if not insert_once(session, Reminder.__table__, work_item_id=item_id, kind=kind,
                               sent_at=now):
                return                     # another process sent it
            item = session.get(WorkItem, item_id)
            processing = session.get(Processing, item.processing_id)
            if item.state != domain.OPEN:
                return
            event = events.DEADLINE_MISSED if kind == domain.OVERDUE else \
                events.DEADLINE_APPROACHING
            self._event(session, processing, "system:workflow", event,
                        {"due_date": iso(item.due_date), "due_at": iso(item.due_at)}, item)
            add_event(session, outbox, event, self._event_data(
                processing, None, item=item, notify_user_ids=[item.user_id] if item.user_id
                else leaders if leaders is not None else item.notify_user_ids,
                working_days_left=self.calendar.working_days_between(today, item.due_date)))

    def _current_leaders(self, item_id):
        """For a unit's part not yet passed on, the unit's leaders now (they may have
        changed since it was given; of a secret document, those cleared for its level);
        None for a person's part, or if the directory cannot answer (then those told at
        assignment are reminded)."""
        with self.db.read() as session:
            item = session.get(WorkItem, item_id)
            unit_id = item.unit_id if item is not None and item.user_id is None else None
            level = session.get(Processing, item.processing_id).confidentiality \
                if unit_id else "none"
        if unit_id is None:
            return None
        try:
            scope = self.documents_rpc.describe_assignees(self.identity.system_token(),
                                                          unit_id, [unit_id], [])
        except (ServiceUnavailable, ServiceTimeout):
            log.warning("directory unavailable; reminding the leaders of %s as of "
                        "assignment", unit_id)
            return None
        unit = scope["units"].get(unit_id)
        return secrecy.cleared_leaders(unit, level) if unit is not None else None

    # ---------------------------------------------------------------- reading

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_processing(self, token, document_id):
        """A document's processing with every part of it: {document_id, state,
        instruction, due_date, items: [{id, kind, state, user_id, unit_id, parent_id,
        due_date, instruction, assigned_by, progress, result_note, return_reason,
        reply_document_id, created_at, done_at, mine, allowed_actions}],
        allowed_actions}; state null if none yet. allowed_actions (permissions.py) are what
        the caller may do now, delegations in force included: on the processing submit |
        assign, on a part forward | progress | return | complete | approve (the segments
        of POST /api/v1/assignments/<id>/<action>). Every step's answer is this too.
        Errors: Forbidden unless the caller belongs to its unit or has a part in it."""
        caller = self.identity.caller(token)
        with self.db.read() as session:
            processing = self._visible_processing(session, caller, document_id)
            if processing is None:
                return {"document_id": document_id, "state": None, "items": [],
                        "allowed_actions": []}
            result = self._processing_out(session, processing, caller)
        return self._allowed(token, caller, result)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_processing_history(self, token, document_id):
        """How a document moved between people, oldest first: {document_id, state,
        events: [{at, actor_id, action, details}]} — empty when it has no processing yet.
        Errors: Forbidden unless the caller belongs to its unit or has a part in it."""
        caller = self.identity.caller(token)
        with self.db.read() as session:
            processing = self._visible_processing(session, caller, document_id)
            if processing is None:
                return {"document_id": document_id, "state": None, "events": []}
            rows = session.execute(select(ProcessingEvent).where(
                ProcessingEvent.processing_id == processing.id)
                .order_by(ProcessingEvent.id)).scalars()
            events_out = [secrecy.redact({"at": e.at.isoformat(), "actor_id": e.actor_id,
                                          "action": e.action, "details": e.details or {}},
                                         processing.confidentiality, caller) for e in rows]
        return {"document_id": document_id, "state": processing.state,
                "confidentiality": processing.confidentiality, "events": events_out}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_inbox(self, token, params=None):
        """The caller's work: params {view: todo|following|overdue|delegated, kind,
        urgency, page, page_size}. todo: open parts that are the caller's (or, for a
        unit's part not passed on yet, the caller's as its leader); following: parts the
        caller gave out that are still open, and what the caller was told of; overdue:
        todo past its deadline; delegated: what waits for someone who delegated the
        caller to assign or approve in their place (ủy quyền in force today). Most
        urgent first, then the nearest deadline, then newest.

        Returns {items: [{id, kind, state, document_id, subject, code, issuer_name,
        arrival_number, urgency, due_date, due_at, step, unit_id, user_id,
        processing_state, created_at, delegation?, allowed_actions (as in
        get_processing)}], total, page, page_size, counts:
        {todo, following, overdue}}.
        Errors: InvalidInput for an unknown view, kind or urgency, or bad paging."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"view", "kind", "urgency", "page", "page_size"})
        view = problems.choice(params, "view", domain.INBOX_VIEWS, default="todo")
        kind = problems.choice(params, "kind", domain.KINDS)
        urgency = problems.choice(params, "urgency", tuple(domain.URGENCY_RANK))
        page, page_size = page_params(problems, params)
        problems.raise_if_any()
        led = sorted(m.unit_id for m in caller.memberships if m.role in (HEAD, UNIT_HEAD))
        # a unit's part is its leaders' work only if they are cleared for its level
        levels = [c for c in CONFIDENTIALITY_LEVELS if caller.cleared_for(c)]
        mine = or_(WorkItem.user_id == caller.user_id,
                   and_(WorkItem.user_id.is_(None), WorkItem.unit_id.in_(led),
                        Processing.confidentiality.in_(levels)))
        base = select(WorkItem, Processing).join(
            Processing, Processing.id == WorkItem.processing_id)
        if kind:
            base = base.where(WorkItem.kind == kind)
        if urgency:
            base = base.where(Processing.urgency == urgency)
        todo = base.where(mine, WorkItem.state == domain.OPEN,
                          WorkItem.kind != domain.FOR_INFO)
        overdue = todo.where(or_(
            and_(WorkItem.due_at.is_(None), WorkItem.due_date < self._today()),
            WorkItem.due_at < self._now()))
        following = base.where(or_(
            and_(WorkItem.assigned_by == caller.user_id, WorkItem.state.in_(domain.ACTIVE)),
            and_(mine, WorkItem.kind == domain.FOR_INFO, WorkItem.state == domain.OPEN)))
        query = {"todo": todo, "overdue": overdue, "following": following}.get(view)
        delegations = self._delegations_held(token, caller) if view == "delegated" else {}
        if view == "delegated":
            held = [and_(WorkItem.user_id == d["from_user_id"],
                         Processing.unit_id == d["unit_id"],
                         WorkItem.kind.in_([k for k, action in DELEGABLE_KINDS.items()
                                            if action in d["actions"]]),
                         Processing.document_type.in_(d["document_types"])
                         if d["document_types"] else true())
                    for d in delegations.values()]
            query = base.where(WorkItem.state == domain.OPEN, or_(*held) if held else false())
        with self.db.read() as session:
            counts = {name: count_rows(session, q) for name, q in
                      (("todo", todo), ("following", following), ("overdue", overdue))}
            total, rows = fetch_page(session, query.order_by(
                Processing.urgency_rank.desc(), WorkItem.due_date.is_(None),
                WorkItem.due_date, WorkItem.created_at.desc()), page, page_size)
            rows = rows.all()
            places = [(permissions.ProcessingFacts.of(proc), [permissions.Part(
                item.kind, item.state, item.user_id, item.unit_id)]) for item, proc in rows]
            items = [secrecy.redact({
                "id": item.id, "kind": item.kind, "state": item.state,
                "document_id": proc.document_id, "subject": proc.subject, "code": proc.code,
                "issuer_name": proc.issuer_name, "arrival_number": proc.arrival_number,
                "urgency": proc.urgency, "confidentiality": proc.confidentiality,
                "unit_id": item.unit_id, "user_id": item.user_id,
                "due_date": iso(item.due_date or proc.due_date), "due_at": iso(item.due_at),
                "step": item.step + 1 if item.step is not None else None,
                "processing_state": proc.state, "created_at": item.created_at.isoformat(),
            } | self._delegation_of(item, proc, delegations), proc.confidentiality, caller)
                for item, proc in rows]
        held = list(delegations.values()) if view == "delegated" else \
            self._delegations_if_needed(token, caller, places)
        for out, (facts, parts) in zip(items, places):
            out["allowed_actions"] = permissions.item_actions(caller, parts[0], facts, held)
        return {"items": items, "total": total, "page": page, "page_size": page_size,
                "counts": counts}

    # ---------------------------------------------------------------- helpers

    def _today(self) -> date:
        """Today in Vietnam, whatever the server's zone (a report's day, a deadline's day
        and documents' dates are Vietnamese days), or the day set in config
        WORKFLOW_TODAY (to run a deployment, a demo or a test as of a given day)."""
        return self._now().astimezone(VN_TZ).date()

    def _delegations_held(self, token, caller) -> dict:
        """The delegations in force today that let the caller assign or approve for
        someone, by id (documents knows them)."""
        listed = self.documents_rpc.list_delegations(token, {"active": "true"})["items"]
        return {d["id"]: d for d in permissions.held_by(listed, caller.user_id)}

    def _delegations_if_needed(self, token, caller, places) -> list[dict]:
        """The caller's delegations in force when one could add to what they may do in
        ``places`` ([(facts, parts)]), else none; none too when documents cannot answer
        (the buttons then show the caller's own rights: each step still checks)."""
        if caller.system or not any(permissions.may_need_delegations(caller, facts, parts)
                                    for facts, parts in places):
            return []
        try:
            return list(self._delegations_held(token, caller).values())
        except (ServiceUnavailable, ServiceTimeout):
            log.warning("delegations of %s unknown; allowed actions without them",
                        caller.user_id)
            return []

    def _allowed(self, token, caller, result) -> dict:
        """A processing answer (_processing_out: facts and the answer) with what the
        caller may do now on it and on each of its parts (allowed_actions)."""
        facts, out = result
        parts = [permissions.Part.of(item) for item in out["items"]]
        held = self._delegations_if_needed(token, caller, [(facts, parts)])
        out["allowed_actions"] = permissions.processing_actions(caller, facts, parts, held)
        for item, part in zip(out["items"], parts):
            item["allowed_actions"] = permissions.item_actions(caller, part, facts, held)
        return out

    @staticmethod
    def _delegation_of(item, processing, delegations) -> dict:
        """For an item in the delegated view: the delegation that covers it."""
        for d in delegations.values():
            if d["from_user_id"] == item.user_id and d["unit_id"] == processing.unit_id and \
                    DELEGABLE_KINDS.get(item.kind) in d["actions"] and \
                    (not d["document_types"] or processing.document_type in d["document_types"]):
                return {"delegation": {"id": d["id"], "kind": d["kind"],
                                       "from_user_id": d["from_user_id"],
                                       "from_name": d["from_name"]}}
        return {}

    def _now(self) -> datetime:
        """Now; or with the clock frozen by WORKFLOW_TODAY, that moment if it is a time
        ("2026-03-10T13:00:00+07:00"), else that day at the present time of day in
        Vietnam ("2026-03-10")."""
        now = datetime.now(timezone.utc)
        frozen = str(self.config.get("WORKFLOW_TODAY") or "")
        if not frozen:
            return now
        if "T" in frozen:
            moment = datetime.fromisoformat(frozen)
            return moment if moment.tzinfo else moment.replace(tzinfo=VN_TZ)
        local = now.astimezone(VN_TZ)
        return datetime.combine(date.fromisoformat(frozen), local.timetz())

    def _default_deadline(self, unit_id, urgency, today, now) -> deadlines.Deadline:
        with self.db.read() as session:
            rules = session.get(UnitRules, unit_id)
        return deadlines.default_deadline(
            self.calendar, rules.working_days if rules else None,
            rules.hours if rules else None, urgency, today, now)

    def _holds_open(self, processing, kind, caller) -> bool:
        with self.db.read() as session:
            return any(domain.holds(caller, i.user_id, i.unit_id) for i in self._items(
                session, processing, kind=kind, states=(domain.OPEN,)))

    def _delegation(self, caller, action, processing, unit_id=None, from_user_id=None,
                    document_type=""):
        """The delegation (from documents) under which the caller may take this step
        (None: any) in the processing's unit (or unit_id) in someone's place today, or
        None. Limited to the processing's document type unless document_type is None."""
        params = {"to_user_id": caller.user_id, "action": action,
                  "unit_id": unit_id or processing.unit_id,
                  "document_type": None if document_type is None
                  else processing.document_type or ""}
        if from_user_id:
            params["from_user_id"] = from_user_id
        return self.documents_rpc.find_delegation(self.identity.system_token(), params)

    @staticmethod
    def _delegation_details(delegation) -> dict:
        """What the history records of a step taken under a delegation: both people."""
        if not delegation:
            return {}
        return {"on_behalf_of": delegation["from_user_id"], "delegation_id": delegation["id"],
                "delegation_kind": delegation["kind"]}

    def _processing(self, document_id) -> Processing:
        with self.db.read() as session:
            processing = session.execute(select(Processing).where(
                Processing.document_id == document_id)).scalar_one_or_none() \
                if isinstance(document_id, str) else None
        if processing is None:
            raise not_found("quá trình xử lý văn bản", "Processing of document", document_id)
        return processing

    def _item(self, item_id):
        with self.db.read() as session:
            item = session.get(WorkItem, item_id) if isinstance(item_id, str) else None
            if item is None:
                raise not_found("phần việc", "Assignment", item_id)
            return item, session.get(Processing, item.processing_id)

    @staticmethod
    def _lock(session, processing_id) -> Processing:
        """The processing row, locked for this transaction on PostgreSQL (SQLite
        transactions here are already serial), so two steps never interleave."""
        query = select(Processing).where(Processing.id == processing_id)
        if session.bind.dialect.name == "postgresql":
            query = query.with_for_update()
        return session.execute(query).scalar_one()

    @staticmethod
    def _items(session, processing, kind=None, states=None):
        query = select(WorkItem).where(WorkItem.processing_id == processing.id)
        if kind:
            query = query.where(WorkItem.kind == kind)
        if states:
            query = query.where(WorkItem.state.in_(states))
        return session.execute(query.order_by(WorkItem.created_at)).scalars().all()

    def _open_item(self, session, processing, kind, *, actor_id, now, user_id=None,
                   unit_id=None, due_date=None, due_at=None, instruction=None,
                   parent_id=None, assigned_by=None, notify_user_ids=None,
                   delegation=None) -> WorkItem:
        item = WorkItem(id=str(uuid.uuid4()), processing_id=processing.id, user_id=user_id,
                        unit_id=unit_id, parent_id=parent_id, kind=kind, state=domain.OPEN,
                        due_date=due_date, due_at=due_at, instruction=instruction,
                        assigned_by=assigned_by,
                        notify_user_ids=notify_user_ids or ([user_id] if user_id else []),
                        created_at=now)
        session.add(item)
        session.flush()
        self._event(session, processing, actor_id, f"{kind}_assigned", {
            "assignee_id": user_id, "unit_id": unit_id, "due_date": iso(due_date),
            "due_at": iso(due_at), "instruction": instruction}
            | self._delegation_details(delegation), item)
        return item

    @staticmethod
    def _event(session, processing, actor_id, action, details, item=None):
        session.add(ProcessingEvent(
            processing_id=processing.id, work_item_id=item.id if item else None,
            actor_id=actor_id, action=action,
            details={k: v for k, v in details.items() if v is not None},
            at=datetime.now(timezone.utc)))

    def _scope(self, root_unit_id, assignees) -> dict:
        """Ask the directory whether every assignee is within the leader's unit or
        below it; refuse the assignment otherwise (before any lock is taken)."""
        scope = self.documents_rpc.describe_assignees(
            self.identity.system_token(), root_unit_id,
            sorted({a.unit_id for a in assignees if a.unit_id}),
            sorted({a.user_id for a in assignees if a.user_id}))
        problems = Problems()
        for assignee in assignees:
            found = scope["units"].get(assignee.unit_id) if assignee.unit_id else \
                scope["users"].get(assignee.user_id)
            if not found or not found["within"]:
                problems.add("assignees", "Có đơn vị hoặc người ngoài phạm vi phân công của "
                             "lãnh đạo (đơn vị mình và các đơn vị trực thuộc).",
                             "Someone named is outside the leader's scope (the unit and the "
                             "units below it).")
        problems.raise_if_any()
        return scope

    @staticmethod
    def _describe(assignee, scope) -> dict:
        found = scope["units"].get(assignee.unit_id) if assignee.unit_id else \
            scope["users"].get(assignee.user_id)
        return {"unit_id": assignee.unit_id, "user_id": assignee.user_id,
                "name": found["name"] if found else None, "due_date": iso(assignee.due_date)}

    @staticmethod
    def _people_of(item, scope, confidentiality="none") -> list[str]:
        """Who is told of a part: its person, or the unit's leaders (of a secret
        document, those cleared for its level)."""
        if item.user_id:
            return [item.user_id]
        return secrecy.cleared_leaders(scope["units"].get(item.unit_id, {}), confidentiality)

    @staticmethod
    def _require_clearance(caller, processing):
        """Every step on a secret document is taken by someone cleared for its level."""
        if not secrecy.may_read(caller, processing.confidentiality):
            name_vi, name_en = secrecy.LEVEL_NAMES[secrecy.level_of(processing.confidentiality)]
            raise Forbidden(f"Bạn chưa được phép tiếp cận văn bản độ mật \"{name_vi}\".",
                            f"You are not cleared for documents marked \"{name_en}\".")

    @staticmethod
    def _refuse_uncleared(processing, assignees, scope, field):
        """A secret document goes only to people cleared for its level, or to units one
        of whose leaders is: refuse (403, nothing changed) naming the others."""
        refused = secrecy.refused_assignees(processing.confidentiality, assignees, scope)
        if refused:
            name_vi, name_en = secrecy.LEVEL_NAMES[secrecy.level_of(processing.confidentiality)]
            names = ", ".join(refused)
            raise Forbidden(
                f"Không được giao văn bản độ mật \"{name_vi}\" cho người hoặc đơn vị chưa "
                f"có người được phép tiếp cận độ mật này: {names}.",
                f"A document marked \"{name_en}\" cannot go to a person, or a unit with no "
                f"leader, cleared for that level: {names}.",
                {field: {"vi": f"Chưa được phép tiếp cận độ mật \"{name_vi}\": {names}.",
                         "en": f"Not cleared for \"{name_en}\": {names}."}})

    @staticmethod
    def _event_data(processing, caller, item=None, notify_user_ids=(), **extra) -> dict:
        data = {"document_id": processing.document_id, "processing_id": processing.id,
                "unit_id": processing.unit_id, "subject": processing.subject,
                "code": processing.code, "urgency": processing.urgency,
                "confidentiality": processing.confidentiality,
                "arrival_number": processing.arrival_number,
                "processing_state": processing.state,
                "document_state": domain.DOCUMENT_STATE[processing.state],
                "actor_id": caller.user_id if caller else "system:workflow",
                "notify_user_ids": sorted(set(notify_user_ids))}
        if item is not None:
            data["item"] = {"id": item.id, "kind": item.kind, "user_id": item.user_id,
                            "unit_id": item.unit_id, "parent_id": item.parent_id,
                            "due_date": iso(item.due_date), "instruction": item.instruction}
        return data | {k: v for k, v in extra.items() if v is not None}

    def _visible_processing(self, session, caller, document_id):
        """The document's processing if it has one (None otherwise), when the caller may
        see it: Forbidden unless they belong to its unit or have a part in it."""
        processing = session.execute(select(Processing).where(
            Processing.document_id == document_id)).scalar_one_or_none()
        if processing is not None:
            self._require_sight(session, caller, processing)
        return processing

    def _require_sight(self, session, caller, processing):
        if caller.system or caller.is_member(processing.unit_id):
            return
        items = self._items(session, processing)
        if any(domain.holds(caller, i.user_id, i.unit_id) or i.assigned_by == caller.user_id
               for i in items):
            return
        if self._delegation(caller, None, processing, document_type=None) is not None:
            return    # acting for a leader of the unit (ủy quyền in force)
        raise Forbidden("Bạn không có quyền xem quá trình xử lý này.",
                        "You may not see how this document is handled.")

    def _processing_out(self, session, processing, caller) -> tuple:
        """The processing as ``caller`` may read it (secrecy.redact), with the facts the
        permission rules need (_allowed adds them after the transaction)."""
        items = self._items(session, processing)
        steps = processing.approval_steps or []
        return permissions.ProcessingFacts.of(processing), secrecy.redact({
                "document_id": processing.document_id, "state": processing.state,
                "confidentiality": processing.confidentiality,
                "document_state": domain.DOCUMENT_STATE[processing.state],
                "direction": processing.direction, "document_type": processing.document_type,
                "instruction": processing.instruction, "due_date": iso(processing.due_date),
                "due_at": iso(processing.due_at),
                "reply_document_id": processing.reply_document_id,
                "completed_at": iso(processing.completed_at),
                # the approval round's chain, as it was when the draft was submitted
                "approval_steps": [{"step": n + 1, "mode": st["mode"],
                                    "approvers": st["approvers"]}
                                   for n, st in enumerate(steps)],
                "items": [{
                    "id": i.id, "kind": i.kind, "state": i.state, "user_id": i.user_id,
                    "unit_id": i.unit_id, "parent_id": i.parent_id,
                    "due_date": iso(i.due_date), "due_at": iso(i.due_at),
                    "instruction": i.instruction,
                    # an approval's step (from 1) and how the step decides (all | any)
                    "step": i.step + 1 if i.step is not None else None,
                    "mode": steps[i.step]["mode"] if i.step is not None and
                    i.step < len(steps) else None,
                    "assigned_by": i.assigned_by, "progress": i.progress,
                    "result_note": i.result_note, "return_reason": i.return_reason,
                    "reply_document_id": i.reply_document_id,
                    "created_at": iso(i.created_at), "done_at": iso(i.done_at),
                    "done_by": i.done_by,
                    "mine": domain.holds(caller, i.user_id, i.unit_id),
                } for i in items]}, processing.confidentiality, caller)

    @staticmethod
    def _wrong_state(processing, action_vi, action_en):
        return Conflict(f"Không thể {action_vi} văn bản ở trạng thái hiện tại "
                        f"({processing.state}).",
                        f"Cannot {action_en} the document in its current state "
                        f"({processing.state}).", {"state": {"vi": processing.state,
                                                             "en": processing.state}})

    @staticmethod
    def _wrong_item(item, action_vi, action_en):
        return Conflict(f"Không thể {action_vi} phần việc này ({item.kind}, {item.state}).",
                        f"Cannot {action_en} this part ({item.kind}, {item.state}).",
                        {"state": {"vi": item.state, "en": item.state}})
