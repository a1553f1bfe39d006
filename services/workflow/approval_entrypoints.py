"""The workflow service's entrypoints for outgoing drafts and units' rules: who approves a
unit's drafts, step by step (approval chains), submitting a draft with its chain
(submit_outgoing: documents never asks workflow), each approval step and its return,
and the deadlines a unit gives when its leader names none (unit rules).

Mixed into WorkflowService. Needs: self.db, self.clock, self.identity,
self.documents_rpc (get_outgoing, act_on_outgoing, describe_assignees,
list_document_types, find_delegation), self.flush_outbox and WorkflowBase's helpers."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.common import events
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, invalid_fields)
from services.common.handlers import event_handler
from services.common.identity import ADMIN, HEAD, UNIT_HEAD
from services.common.inbox import first_delivery
from services.common.outbox import add_event
from services.common.rpc import rpc
from services.common.validation import Problems
from services.workflow import deadlines, domain
from services.workflow.models import (ApprovalChain, Processing, UnitRules, WorkItem, outbox,
                                      processed)



class ApprovalEntrypoints:
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
            row.updated_at = self.clock.now()
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
        steps}, or None. submit_outgoing sends it to documents. Errors: Forbidden unless a
        service or a member of the unit."""
        caller = self.identity.caller(token)
        if not caller.system and not caller.is_member(unit_id):
            raise Forbidden("Bạn không thuộc đơn vị này.", "You do not belong to this unit.")
        with self.db.read() as session:
            return self._chain_out(self._chain_for(session, unit_id, document_type))

    @staticmethod
    def _chain_for(session, unit_id, document_type):
        chains = {c.document_type: c for c in session.execute(select(ApprovalChain).where(
            ApprovalChain.unit_id == unit_id,
            ApprovalChain.document_type.in_((document_type, "")))).scalars()}
        return chains.get(document_type) or chains.get("")

    @staticmethod
    def _chain_out(chain) -> dict | None:
        return {"id": chain.id, "unit_id": chain.unit_id,
                "document_type": chain.document_type, "steps": chain.steps} \
            if chain else None

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def submit_outgoing(self, token, document_id, payload=None):
        """Trình duyệt an outgoing draft (POST /api/v1/outgoing/<id>/submit): workflow
        owns the units' approval chains, so the submission goes through here and the
        chain travels to documents as an argument (documents never asks workflow).

        Args: token (the person submitting); document_id; payload {comment?} as
        documents' submit step takes it (on_behalf_of, delegation_id and approval_chain
        are for services only: 400).
        Result: the outgoing document as documents.act_on_outgoing returns it.
        Steps: the draft is read as the caller (documents.get_outgoing: NotFound and
        Forbidden pass through); the chain for its unit and type (approval_chain_for's
        shape, or None) is looked up; documents takes the "submit" step for the caller
        (on_behalf_of: their rights, their clearance, their name in the audit) with the
        chain (approval_chain), marking the draft as in the chain in the same
        transaction.
        Errors: InvalidInput (a bad body); NotFound; Forbidden; Conflict (the draft's
        state, or its unit or type changed meanwhile); ServiceUnavailable (documents).
        Events: none here; documents emits outgoing_submitted with the chain's steps,
        and on_documents_outgoing_submitted opens the approval round."""
        caller = self.identity.caller(token)
        problems = Problems()
        payload = problems.object(payload or {})
        for name in ("on_behalf_of", "delegation_id", "approval_chain"):
            if name in payload:
                problems.add(name, "Trường dành cho dịch vụ nội bộ.", "For services only.")
        problems.raise_if_any()
        doc = self.documents_rpc.get_outgoing(token, document_id)
        with self.db.read() as session:
            chain = self._chain_out(self._chain_for(session, doc["unit_id"],
                                                    doc["document_type"]))
        return self.documents_rpc.act_on_outgoing(
            self.identity.system_token(), document_id, "submit",
            payload | {"on_behalf_of": caller.user_id, "approval_chain": chain})

    @event_handler(events.SOURCE_DOCUMENTS, events.OUTGOING_SUBMITTED)
    def on_documents_outgoing_submitted(self, message):
        """A draft was submitted: if its unit has an approval chain for its type (or for
        any type) — as documents found it at submission (approval_steps) — the chain
        starts again from its first step, and the first approvers find it in their
        inbox. Without a chain the unit's leaders approve it directly in documents.
        Idempotent by event_id. Events: task_assigned."""
        data = message["data"]
        now = self.clock.now()
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
        now = self.clock.now()
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
        now = self.clock.now()
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
            row.updated_by, row.updated_at = caller.user_id, self.clock.now()
        return deadlines.rules_out(rules["unit_id"], rules["working_days"], rules["hours"])
