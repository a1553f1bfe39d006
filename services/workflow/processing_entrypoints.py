"""The workflow service's entrypoints for an incoming document's processing (ND30 Điều
23–24): it opens when the document is registered and waits for its unit's leaders (or
the one the clerk submits it to); a leader assigns it; units pass their part to their
people; handlers record progress, return it with a reason or complete it; it is done
when its lead completes.

Mixed into WorkflowService. Needs: self.db, self.clock, self.identity,
self.documents_rpc (describe_assignees, find_delegation), self.calendar, self.flush_outbox
and WorkflowBase's helpers."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select

from services.common import events
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, invalid_fields)
from services.common.handlers import event_handler
from services.common.identity import CLERK
from services.common.inbox import first_delivery
from services.common.outbox import add_event
from services.common.rpc import rpc
from services.common.validation import Problems
from services.workflow import deadlines, domain
from services.workflow.models import (Processing, WorkItem, outbox, processed)



class ProcessingEntrypoints:
    @event_handler(events.SOURCE_DOCUMENTS, events.DOCUMENT_REGISTERED)
    def on_documents_document_registered(self, message):
        """Open the processing of a registered incoming document and put it in the
        inbox of each leader of the receiving unit. Idempotent by event_id."""
        data = message["data"]
        now = self.clock.now()
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
        now = self.clock.now()
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
        today, now = self.clock.today(), self.clock.now()
        # the unit's rules (a read and the calendar) only when the lead is given no date:
        # everyone else takes the lead's
        lead = payload.get("lead") if isinstance(payload, dict) else None
        dated = isinstance(lead, dict) and bool(lead.get("due_date"))
        default = deadlines.Deadline(processing.due_date) if processing.due_date or dated \
            else self._default_deadline(processing.unit_id, processing.urgency, today, now)
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
            to_assign = self._items(session, processing, kind=domain.TO_ASSIGN,
                                    states=(domain.OPEN,))
            mine = [i for i in to_assign
                    if domain.holds(caller, i.user_id, i.unit_id) or i.user_id in owners]
            if not mine and not domain.leads_unit(caller, processing.unit_id) and \
                    delegation is None:
                raise Forbidden("Bạn không được phân công văn bản này.",
                                "You may not assign this document.")
            if processing.state != domain.AWAITING_ASSIGNMENT:
                raise self._wrong_state(processing, "phân công", "assign")
            for item in to_assign:
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
        plan = domain.parse_forward(payload, self.clock.today())
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
        now = self.clock.now()
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
        now = self.clock.now()
        with self.db.transaction() as session:   # no read first: nothing to ask meanwhile
            processing = self._lock(session, self._processing_of_item(session, item_id))
            item = session.get(WorkItem, item_id)   # read under the processing's lock
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
