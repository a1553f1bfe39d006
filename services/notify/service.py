"""The notify service: tells people what needs them — an in-app inbox of
notifications with an unread count."""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from services.common.handlers import event_handler
from nameko.rpc import rpc
from sqlalchemy import select, update

from services.common import events
from services.common.db import Database, count_rows, fetch_page
from services.common.errors import EXPECTED_ERRORS, not_found
from services.common.identity_provider import Identity
from services.common.inbox import first_delivery
from services.common.service_base import ServiceBase
from services.common.validation import Problems, page_params
from services.notify import messages
from services.notify.models import Notification, processed


class NotifyService(ServiceBase):
    name = "notify"

    db = Database()
    identity = Identity()

    @event_handler(events.SOURCE_DOCUMENTS, events.DOCUMENT_REGISTERED)
    def on_documents_document_registered(self, message):
        """Notify each leader of the receiving unit that a document waits for them.
        Idempotent by event_id."""
        data = message["data"]
        title, body = messages.document_registered(data)
        now = datetime.now(timezone.utc)
        with self.db.transaction() as session:
            if not first_delivery(session, processed, message["event_id"],
                                  "on_documents_document_registered"):
                return
            for user_id in data.get("leader_user_ids", []):
                session.add(Notification(
                    id=str(uuid.uuid4()), user_id=user_id, event_id=message["event_id"],
                    kind=events.DOCUMENT_REGISTERED, title=title, body=body,
                    document_id=data["id"], urgency=data.get("urgency", "normal"),
                    created_at=now))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_notifications(self, token, params=None):
        """The caller's notifications, newest first: params {unread: bool, page,
        page_size}. Returns {items, total, unread, page, page_size}."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"unread", "page", "page_size"})
        unread_only = problems.boolean(params, "unread")
        page, page_size = page_params(problems, params)
        problems.raise_if_any()
        mine = select(Notification).where(Notification.user_id == caller.user_id)
        query = mine.where(Notification.read_at.is_(None)) if unread_only else mine
        with self.db.read() as session:
            unread = count_rows(session, mine.where(Notification.read_at.is_(None)))
            total, rows = fetch_page(session, query.order_by(Notification.created_at.desc()),
                                     page, page_size)
            rows = rows.scalars()
            items = [{"id": n.id, "kind": n.kind, "title": n.title, "body": n.body,
                      "document_id": n.document_id, "urgency": n.urgency,
                      "created_at": n.created_at.isoformat(),
                      "read_at": n.read_at.isoformat() if n.read_at else None} for n in rows]
        return {"items": items, "total": total, "unread": unread, "page": page,
                "page_size": page_size}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def mark_read(self, token, notification_id):
        """Mark one of the caller's notifications read. Returns {id, read_at}.
        Errors: NotFound (also for another user's notification)."""
        caller = self.identity.caller(token)
        now = datetime.now(timezone.utc)
        with self.db.transaction() as session:
            note = session.get(Notification, notification_id) \
                if isinstance(notification_id, str) else None
            if note is None or note.user_id != caller.user_id:
                raise not_found("thông báo", "Notification", notification_id)
            if note.read_at is None:
                note.read_at = now
            return {"id": note.id, "read_at": note.read_at.isoformat()}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def mark_all_read(self, token):
        """Mark all the caller's notifications read. Returns {updated}."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            result = session.execute(update(Notification).where(
                Notification.user_id == caller.user_id, Notification.read_at.is_(None))
                .values(read_at=datetime.now(timezone.utc)))
            return {"updated": result.rowcount}
