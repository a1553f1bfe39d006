"""The workflow service's records: the processing of each document and the work
items that put it in people's inboxes."""
from __future__ import annotations

from sqlalchemy import Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import UtcDateTime, new_metadata
from services.common.inbox import processed_events_table

metadata = new_metadata()


class Base(DeclarativeBase):
    metadata = metadata


class Processing(Base):
    """How one registered document moves between people (ND30 Điều 23–24)."""
    __tablename__ = "processings"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    document_id: Mapped[str] = mapped_column(String(36), unique=True)
    unit_id: Mapped[str] = mapped_column(String(36), index=True)
    direction: Mapped[str] = mapped_column(String(20))
    subject: Mapped[str] = mapped_column(String(500))
    code: Mapped[str] = mapped_column(String(50))
    issuer_name: Mapped[str] = mapped_column(String(200))
    arrival_number: Mapped[int | None] = mapped_column(Integer)
    urgency: Mapped[str] = mapped_column(String(20))
    urgency_rank: Mapped[int] = mapped_column(Integer)
    due_date: Mapped[object | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(30))
    created_at: Mapped[object] = mapped_column(UtcDateTime())


class WorkItem(Base):
    """One person's part in a processing: what shows in their inbox."""
    __tablename__ = "work_items"
    __table_args__ = (UniqueConstraint("processing_id", "user_id", "kind"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    processing_id: Mapped[str] = mapped_column(ForeignKey("processings.id"), index=True)
    user_id: Mapped[str] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[object] = mapped_column(UtcDateTime())
    done_at: Mapped[object | None] = mapped_column(UtcDateTime())


processed = processed_events_table(metadata)
