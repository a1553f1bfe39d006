"""The notify service's records: each user's notifications, each user's choice of
channels, and the e-mails waiting to be sent (the e-mail outbox)."""
from __future__ import annotations

from sqlalchemy import Boolean, Integer, SmallInteger, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import UtcDateTime, new_metadata
from services.common.inbox import processed_events_table

metadata = new_metadata()


class Base(DeclarativeBase):
    metadata = metadata


class Notification(Base):
    __tablename__ = "notifications"
    # One notification per user per event: a redelivered event adds nothing.
    __table_args__ = (UniqueConstraint("event_id", "user_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    event_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(String(1000))
    document_id: Mapped[str | None] = mapped_column(String(36))
    task_id: Mapped[str | None] = mapped_column(String(36))   # about a task (công việc)
    # about a document another agency sent, waiting in the exchange (liên thông)
    received_id: Mapped[str | None] = mapped_column(String(36))
    urgency: Mapped[str] = mapped_column(String(20), default="normal")
    created_at: Mapped[object] = mapped_column(UtcDateTime(), index=True)
    read_at: Mapped[object | None] = mapped_column(UtcDateTime())


class Preference(Base):
    """A user's channels. In-app is always on, so only e-mail is kept; a user without
    a row has e-mail off. The directory has no e-mail field: the address lives here."""
    __tablename__ = "notification_preferences"

    user_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    email_enabled: Mapped[bool] = mapped_column(Boolean(), default=False)
    email: Mapped[str | None] = mapped_column(String(254))
    updated_at: Mapped[object] = mapped_column(UtcDateTime())


# E-mail outbox statuses (email_outbox.py moves a row between them).
PENDING = "pending"        # waiting for its next attempt (next_attempt_at)
SENDING = "sending"        # claimed by one notify process, which is sending it now
SENT = "sent"
FAILED = "failed"          # refused for good, or out of attempts
CANCELLED = "cancelled"    # its user turned e-mail off before it was sent
EMAIL_STATUSES = (PENDING, SENDING, SENT, FAILED, CANCELLED)


class Email(Base):
    """One e-mail to send, queued in the transaction that made its notification."""
    __tablename__ = "email_outbox"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    # One e-mail per notification: a redelivered event queues nothing twice.
    notification_id: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    to_address: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text())
    #: 0 is sent first (hỏa tốc), 3 last (thường); see email_outbox.PRIORITY.
    priority: Mapped[int] = mapped_column(SmallInteger(), default=3)
    status: Mapped[str] = mapped_column(String(20), index=True, default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer(), default=0)
    last_error: Mapped[str | None] = mapped_column(String(1000))
    next_attempt_at: Mapped[object] = mapped_column(UtcDateTime())
    #: Who holds a row in ``sending``, and since when (a claim expires after a lease).
    claim_id: Mapped[str | None] = mapped_column(String(36))
    claimed_at: Mapped[object | None] = mapped_column(UtcDateTime())
    created_at: Mapped[object] = mapped_column(UtcDateTime())
    sent_at: Mapped[object | None] = mapped_column(UtcDateTime())


processed = processed_events_table(metadata)
