"""The notify service: tells people what needs them — an in-app inbox of
notifications with an unread count and, for those who ask for it, the same by e-mail
(queued in an e-mail outbox with the notification, sent by a timer through SMTP)."""
from __future__ import annotations

import logging
import uuid

from eventlet import tpool
from nameko.events import EventDispatcher
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError

from services.common import events
from services.common.clock import Clock
from services.common.db import Database, count_rows, fetch_page
from services.common.errors import EXPECTED_ERRORS, not_found
from services.common.handlers import event_handler, handlers_of
from services.common.identity_provider import Identity
from services.common.inbox import first_delivery
from services.common.rpc import rpc
from services.common.service_base import ServiceBase
from services.common.timers import Wakeups, configured_timer
from services.common.validation import Problems, page_params
from services.notify import email_outbox, mailer, messages, preferences
from services.notify.dependencies import Mail
from services.notify.models import PENDING, SENDING, Email, Notification, Preference, processed

log = logging.getLogger(__name__)

#: How many e-mails a notify process sends at most in one round (a round every
#: TIMERS.email_send seconds; the next follows at once if that took longer).
EMAIL_BATCH = 20


# Workflow's events: whoever they name (notify_user_ids) is told, in-app and by e-mail for
# those who asked for it (NotifyService._tell).
WorkflowEventHandlers = handlers_of(
    events.SOURCE_WORKFLOW, (events.DOCUMENT_SUBMITTED, events.TASK_ASSIGNED,
                             events.TASK_RETURNED, events.TASK_COMPLETED,
                             events.DEADLINE_APPROACHING, events.DEADLINE_MISSED), "_tell")


class NotifyService(WorkflowEventHandlers, ServiceBase):
    name = "notify"

    db = Database()
    identity = Identity()
    mail = Mail()
    dispatch = EventDispatcher()
    clock = Clock()
    wakeups = Wakeups()

    @event_handler(events.SOURCE_DOCUMENTS, events.DOCUMENT_REGISTERED)
    def on_documents_document_registered(self, message):
        """Notify each leader of the receiving unit that a document waits for them:
        in-app, and by e-mail for those whose preferences say so (the e-mail is queued
        in the same transaction; ``send_pending_emails`` sends it). No e-mail is queued
        when the deployment has no SMTP server. Idempotent by event_id."""
        data = message["data"]
        title, body = messages.document_registered(data)
        self._notify(message, "on_documents_document_registered",
                     list(dict.fromkeys(data.get("leader_user_ids") or [])), title, body,
                     data["id"], lambda: messages.document_registered_email(
                         data, self.mail.public_url))

    @event_handler(events.SOURCE_DOCUMENTS, events.RIGHTS_CHANGED)
    def on_documents_rights_changed(self, message):
        """Tell the heads an alert names (head_user_ids) that someone's rights changed
        and wait for their confirmation: in-app, and by e-mail for those who asked.
        Idempotent by event_id."""
        data = message["data"]
        title, body = messages.rights_changed(data)
        self._notify(message, "on_documents_rights_changed",
                     list(dict.fromkeys(data.get("head_user_ids") or [])), title, body, None,
                     lambda: messages.rights_changed_email(data, self.mail.public_url))

    @event_handler(events.SOURCE_EXCHANGE, events.RECEIVED_WAITING)
    def on_exchange_received_waiting(self, message):
        """Tell the unit's văn thư (clerk_user_ids) that a document from another agency
        waits for them (Văn bản điện tử chờ tiếp nhận). Idempotent by event_id."""
        self._tell_about_received(message, "on_exchange_received_waiting",
                                  messages.received_waiting)

    @event_handler(events.SOURCE_EXCHANGE, events.RECEIVED_CHANGE_REQUESTED)
    def on_exchange_received_change_requested(self, message):
        """Tell the unit's văn thư that another agency asks them to agree to a recall or
        an update. Idempotent by event_id."""
        self._tell_about_received(message, "on_exchange_received_change_requested",
                                  messages.received_change_requested)

    @event_handler(events.SOURCE_EXCHANGE, events.DELIVERY_STATUS_ALERT)
    def on_exchange_delivery_status_alert(self, message):
        """Tell the issuing unit's văn thư that an agency returned a document (02) or
        refused a recall or update (16), with the reason. Idempotent by event_id."""
        self._tell_about_document(message, "on_exchange_delivery_status_alert",
                                  messages.delivery_status_alert, "outgoing_id")

    @event_handler(events.SOURCE_DOCUMENTS, events.INCOMING_CHANGE_REQUESTED)
    def on_documents_incoming_change_requested(self, message):
        """Tell the receiving unit's văn thư that the sender of a copy asks for it back
        or changes its particulars. Idempotent by event_id."""
        self._tell_about_document(message, "on_documents_incoming_change_requested",
                                  messages.incoming_change_requested, "id")

    @event_handler(events.SOURCE_DOCUMENTS, events.INCOMING_CHANGE_ANSWERED)
    def on_documents_incoming_change_answered(self, message):
        """Tell the sending unit's văn thư how a receiving unit answered their recall or
        update (a refusal with its reason). Idempotent by event_id."""
        self._tell_about_document(message, "on_documents_incoming_change_answered",
                                  messages.incoming_change_answered, "from_outgoing_id")

    def _tell_about_received(self, message, handler, words):
        data = message["data"]
        title, body = words(data)
        self._notify(message, handler, list(dict.fromkeys(data.get("clerk_user_ids") or [])),
                     title, body, None, lambda: messages.about_email(
                         title, body, messages.received_link(self.mail.public_url,
                                                             data["id"])),
                     received_id=data["id"])

    def _tell_about_document(self, message, handler, words, document_key):
        data = message["data"]
        title, body = words(data)
        document_id = data.get(document_key)
        self._notify(message, handler, list(dict.fromkeys(data.get("clerk_user_ids") or [])),
                     title, body, document_id, lambda: messages.about_email(
                         title, body, messages.document_link(self.mail.public_url,
                                                             document_id)))

    def _tell(self, message, handler):
        """One notification per person the event names (not the one who acted), with
        its e-mail queued in the same transaction. Idempotent by event_id."""
        data = message["data"]
        people = [u for u in dict.fromkeys(data.get("notify_user_ids") or [])
                  if u and u != data.get("actor_id")]
        title, body = messages.workflow_event(message["type"], data)
        self._notify(message, handler, people, title, body, data.get("document_id"),
                     lambda: messages.workflow_event_email(message["type"], data,
                                                           self.mail.public_url))

    def _notify(self, message, handler, people, title, body, document_id, email,
                received_id=None):
        """One notification per person, and its e-mail (``email()`` gives the subject and
        text) for those who asked for it, in one transaction; then the gateways are told.
        Idempotent by event_id."""
        if not people:
            return   # no one to tell (e.g. the actor alone was named): nothing to write
        urgency = message["data"].get("urgency", "normal")
        now = self.clock.now()
        created = []
        with self.db.transaction() as session:
            if not first_delivery(session, processed, message["event_id"], handler):
                return
            addresses = self._email_addresses(session, people)
            if addresses:
                subject, text = email()
            for user_id in people:
                note = Notification(
                    id=str(uuid.uuid4()), user_id=user_id, event_id=message["event_id"],
                    kind=message["type"], title=title, body=body, document_id=document_id,
                    task_id=message["data"].get("task_id"), received_id=received_id,
                    urgency=urgency, created_at=now)
                session.add(note)
                created.append(note)
                if user_id in addresses:
                    email_outbox.queue(session, notification_id=note.id, user_id=user_id,
                                       to_address=addresses[user_id], subject=subject,
                                       body=text, urgency=urgency, now=now)
        self._announce(created)
        if addresses and self.mail.smtp.enabled:
            self.wakeups.wake("email_send")   # sent now; the timer is for retries

    @configured_timer("email_send", default=2)
    def send_pending_emails(self):
        """Send the e-mails that are due, most urgent first, at most EMAIL_BATCH a round
        (every TIMERS.email_send seconds, config, and at once when this process queued
        one).

        Each is claimed first (so of several notify processes exactly one sends it),
        sent through SMTP in an OS thread, then marked sent; a failure is recorded and
        retried later with a growing delay (email_outbox). When the server cannot be
        reached the round ends. Nothing to do when no SMTP server is set."""
        smtp = self.mail.smtp
        if not smtp.enabled or not self._emails_due():
            return
        with self.db.transaction() as session:
            email_outbox.release_expired_claims(session, self.clock.now())
        for _ in range(EMAIL_BATCH):
            with self.db.transaction() as session:
                claimed = email_outbox.claim_next(session, self.clock.now(),
                                                  skip_locked=not self.db.is_sqlite)
            if claimed is None:
                return
            message = mailer.build_message(smtp.sender, claimed.id, claimed.to_address,
                                           claimed.subject, claimed.body)
            failure = tpool.execute(mailer.send, smtp, message)
            if failure is None:
                with self.db.transaction() as session:
                    email_outbox.mark_sent(session, claimed, self.clock.now())
                log.info("e-mail sent: %s to %s", claimed.id, claimed.to_address)
                continue
            with self.db.transaction() as session:
                status = email_outbox.mark_failed(session, claimed, failure.error,
                                                  self.clock.now(),
                                                  permanent=failure.permanent)
            log.warning("e-mail %s to %s: attempt %d failed (%s), now %s", claimed.id,
                        claimed.to_address, claimed.attempts, failure.error, status)
            if failure.server_down:
                return

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_preferences(self, token):
        """The caller's notification channels.

        Args: ``token``. Result: ``{user_id, in_app: true, email_enabled, email,
        email_available, updated_at}`` — in-app is always on; ``email_available`` is
        false when this deployment sends no e-mail; a caller who never chose has e-mail
        off, no address and ``updated_at`` null. Errors: Unauthenticated. Events: none.
        """
        caller = self.identity.caller(token)
        with self.db.read() as session:
            row = session.get(Preference, caller.user_id)
            return preferences.preferences_out(caller.user_id, row, self.mail.smtp.enabled)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def set_preferences(self, token, payload):
        """Change the caller's own notification channels.

        Args: ``token``; ``payload`` = ``{email_enabled?: bool, email?: str | null,
        in_app?: true}``; fields left out keep their value, ``email`` null or "" removes
        the address. Result: as ``get_preferences``. E-mails still waiting for the caller
        are cancelled when e-mail is turned off, and go to the new address when it
        changes. Errors: InvalidInput (not an object, an unknown field, a value of the
        wrong type, a bad address, e-mail on without an address, in_app false) — nothing
        is changed; Unauthenticated. Events: none.
        """
        caller = self.identity.caller(token)
        for attempt in (1, 2):   # two first saves at once: the loser retries as an update
            try:
                return self._save_preferences(caller.user_id, payload)
            except IntegrityError:
                if attempt == 2:
                    raise

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
                      "document_id": n.document_id, "task_id": n.task_id,
                      "received_id": n.received_id, "urgency": n.urgency,
                      "created_at": n.created_at.isoformat(),
                      "read_at": n.read_at.isoformat() if n.read_at else None} for n in rows]
        return {"items": items, "total": total, "unread": unread, "page": page,
                "page_size": page_size}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def mark_read(self, token, notification_id):
        """Mark one of the caller's notifications read. Returns {id, read_at}.
        Errors: NotFound (also for another user's notification)."""
        caller = self.identity.caller(token)
        now = self.clock.now()
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
                .values(read_at=self.clock.now()))
            return {"updated": result.rowcount}

    # ------------------------------------------------------------------ helpers

    def _announce(self, notes) -> None:
        """Tell the gateways about new notifications so open browsers show them at once.
        Best effort after the commit: the inbox already holds them."""
        if not notes:
            return
        try:
            self.dispatch(events.NOTIFICATION_CREATED, events.envelope(
                events.NOTIFICATION_CREATED, {"notifications": [
                    {"id": n.id, "user_id": n.user_id, "kind": n.kind, "title": n.title,
                     "body": n.body, "document_id": n.document_id, "task_id": n.task_id,
                     "received_id": n.received_id, "urgency": n.urgency,
                     "created_at": n.created_at.isoformat()} for n in notes]}))
        except Exception:   # noqa: BLE001 - a lost push costs a poll, never a notification
            log.warning("could not announce %d notifications", len(notes), exc_info=True)

    def _email_addresses(self, session, user_ids) -> dict[str, str]:
        """{user_id: address} of those of ``user_ids`` who receive e-mail."""
        if not user_ids or not self.mail.smtp.enabled:
            return {}
        rows = session.execute(select(Preference.user_id, Preference.email).where(
            Preference.user_id.in_(user_ids), Preference.email_enabled.is_(True),
            Preference.email.is_not(None))).all()
        return {row.user_id: row.email for row in rows}

    def _emails_due(self) -> bool:
        """Whether a round has anything to do (a read, so idle rounds write nothing)."""
        now = self.clock.now()
        with self.db.read() as session:
            return session.execute(select(Email.id).where(or_(
                (Email.status == PENDING) & (Email.next_attempt_at <= now),
                (Email.status == SENDING) & (Email.claimed_at < now - email_outbox.LEASE)))
                .limit(1)).first() is not None

    def _save_preferences(self, user_id: str, payload) -> dict:
        now = self.clock.now()
        with self.db.transaction() as session:
            row = session.get(Preference, user_id)
            current = {"email_enabled": bool(row.email_enabled), "email": row.email} \
                if row else dict(preferences.DEFAULTS)
            wanted = preferences.validate_changes(payload, current)
            if row is None:
                row = Preference(user_id=user_id)
                session.add(row)
            if wanted != current or row.updated_at is None:
                row.email_enabled, row.email = wanted["email_enabled"], wanted["email"]
                row.updated_at = now
            if not wanted["email_enabled"]:
                email_outbox.cancel_pending(session, user_id)
            elif wanted["email"] != current["email"]:
                email_outbox.readdress_pending(session, user_id, wanted["email"])
            session.flush()
            return preferences.preferences_out(user_id, row, self.mail.smtp.enabled)
