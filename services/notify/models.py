"""The notify service's records: each user's notifications."""
from __future__ import annotations

from sqlalchemy import String, UniqueConstraint
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
    urgency: Mapped[str] = mapped_column(String(20), default="normal")
    created_at: Mapped[object] = mapped_column(UtcDateTime(), index=True)
    read_at: Mapped[object | None] = mapped_column(UtcDateTime())


processed = processed_events_table(metadata)
