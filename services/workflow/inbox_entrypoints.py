"""The workflow service's reading entrypoints: a person's work (the inbox: to do,
following, overdue, delegated to them), a document's processing with every part of it,
and its history.

Mixed into WorkflowService. Needs: self.db, self.clock, self.identity,
self.documents_rpc (list_delegations) and WorkflowBase's helpers."""
from __future__ import annotations


from sqlalchemy import and_, false, or_, select, true

from services.common.db import count_rows, fetch_page, iso
from services.common.errors import (EXPECTED_ERRORS)
from services.common.identity import CONFIDENTIALITY_LEVELS, HEAD, UNIT_HEAD
from services.common.rpc import rpc
from services.common.validation import Problems, page_params
from services.workflow import domain, permissions, secrecy
from services.workflow.models import (Processing, ProcessingEvent, WorkItem)



class InboxEntrypoints:
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
            and_(WorkItem.due_at.is_(None), WorkItem.due_date < self.clock.today()),
            WorkItem.due_at < self.clock.now()))
        following = base.where(or_(
            and_(WorkItem.assigned_by == caller.user_id, WorkItem.state.in_(domain.ACTIVE)),
            and_(mine, WorkItem.kind == domain.FOR_INFO, WorkItem.state == domain.OPEN)))
        query = {"todo": todo, "overdue": overdue, "following": following}.get(view)
        delegations = self._delegations_held(token, caller) if view == "delegated" else {}
        if view == "delegated":
            held = [and_(WorkItem.user_id == d["from_user_id"],
                         Processing.unit_id == d["unit_id"],
                         WorkItem.kind.in_([k for k, action in permissions.DELEGABLE_KINDS.items()
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

    @staticmethod
    def _delegation_of(item, processing, delegations) -> dict:
        """For an item in the delegated view: the delegation that covers it."""
        for d in delegations.values():
            if d["from_user_id"] == item.user_id and d["unit_id"] == processing.unit_id and \
                    permissions.DELEGABLE_KINDS.get(item.kind) in d["actions"] and \
                    (not d["document_types"] or processing.document_type in d["document_types"]):
                return {"delegation": {"id": d["id"], "kind": d["kind"],
                                       "from_user_id": d["from_user_id"],
                                       "from_name": d["from_name"]}}
        return {}
