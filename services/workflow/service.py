"""The workflow service: how documents move between people. On registration an
incoming document waits for its unit's leaders to assign it (phân công)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from services.common.handlers import event_handler
from nameko.rpc import rpc
from sqlalchemy import select

from services.common import events
from services.common.db import Database, count_rows, fetch_page
from services.common.errors import EXPECTED_ERRORS, Forbidden
from services.common.identity_provider import Identity
from services.common.inbox import first_delivery
from services.common.service_base import ServiceBase
from services.common.validation import Problems, page_params
from services.workflow import domain
from services.workflow.models import Processing, WorkItem, processed


class WorkflowService(ServiceBase):
    name = "workflow"

    db = Database()
    identity = Identity()

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
                issuer_name=(data.get("issuer") or {}).get("name", ""),
                arrival_number=data.get("arrival_number"), urgency=data["urgency"],
                urgency_rank=domain.URGENCY_RANK.get(data["urgency"], 0),
                due_date=date.fromisoformat(data["due_date"]) if data.get("due_date") else None,
                state=domain.AWAITING_ASSIGNMENT, created_at=now)
            session.add(processing)
            for user_id in data.get("leader_user_ids", []):
                session.add(WorkItem(id=str(uuid.uuid4()), processing_id=processing.id,
                                     user_id=user_id, kind=domain.TO_ASSIGN,
                                     state=domain.OPEN, created_at=now))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_processing_history(self, token, document_id):
        """How a document moved between people, oldest first: {document_id, state,
        events: [{at, actor_id, action, details}]} — empty when it has no processing yet.
        Errors: Forbidden unless the caller belongs to its unit or holds a work item."""
        caller = self.identity.caller(token)
        with self.db.read() as session:
            processing = session.execute(select(Processing).where(
                Processing.document_id == document_id)).scalar_one_or_none()
            if processing is None:
                return {"document_id": document_id, "state": None, "events": []}
            items = session.execute(select(WorkItem).where(
                WorkItem.processing_id == processing.id)
                .order_by(WorkItem.created_at)).scalars().all()
            if not caller.system and not caller.is_member(processing.unit_id) and \
                    caller.user_id not in {i.user_id for i in items}:
                raise Forbidden("Bạn không có quyền xem quá trình xử lý này.",
                                "You may not see how this document is handled.")
            events = [{"at": processing.created_at.isoformat(), "actor_id": "system:workflow",
                       "action": "processing_opened", "details": {"state": processing.state}}]
            for item in items:
                events.append({"at": item.created_at.isoformat(), "actor_id": item.user_id,
                               "action": f"{item.kind}_assigned", "details": {}})
                if item.done_at:
                    events.append({"at": item.done_at.isoformat(), "actor_id": item.user_id,
                                   "action": f"{item.kind}_done", "details": {}})
        return {"document_id": document_id, "state": processing.state, "events": events}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_inbox(self, token, params=None):
        """The caller's work: params {view: todo|following|overdue, page, page_size}.

        Returns {items: [{id, kind, state, document_id, subject, code, issuer_name,
        arrival_number, urgency, due_date, processing_state, created_at}], total, page,
        page_size, counts: {todo, overdue}}. Most urgent first, then newest.
        Errors: InvalidInput for an unknown view or bad paging."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"view", "page", "page_size"})
        view = problems.choice(params, "view", domain.INBOX_VIEWS, default="todo")
        page, page_size = page_params(problems, params)
        problems.raise_if_any()
        base = (select(WorkItem, Processing)
                .join(Processing, Processing.id == WorkItem.processing_id)
                .where(WorkItem.user_id == caller.user_id))
        todo = base.where(WorkItem.state == domain.OPEN)
        overdue = todo.where(Processing.due_date < date.today())
        query = {"todo": todo, "overdue": overdue,
                 "following": base.where(WorkItem.state != domain.OPEN)}[view]
        with self.db.read() as session:
            counts = {"todo": count_rows(session, todo),
                      "overdue": count_rows(session, overdue)}
            total, rows = fetch_page(session, query.order_by(Processing.urgency_rank.desc(),
                                                             WorkItem.created_at.desc()),
                                     page, page_size)
            rows = rows.all()
            items = [{
                "id": item.id, "kind": item.kind, "state": item.state,
                "document_id": proc.document_id, "subject": proc.subject, "code": proc.code,
                "issuer_name": proc.issuer_name, "arrival_number": proc.arrival_number,
                "urgency": proc.urgency,
                "due_date": proc.due_date.isoformat() if proc.due_date else None,
                "processing_state": proc.state, "created_at": item.created_at.isoformat(),
            } for item, proc in rows]
        return {"items": items, "total": total, "page": page, "page_size": page_size,
                "counts": counts}
