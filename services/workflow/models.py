"""The workflow service's records: the processing of each document and the work
items that put it in people's inboxes."""
from __future__ import annotations

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import UtcDateTime, new_metadata
from services.common.inbox import processed_events_table
from services.common.outbox import outbox_table

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
    confidentiality: Mapped[str] = mapped_column(String(20), default="none")
    document_type: Mapped[str | None] = mapped_column(String(10))   # for delegations' limits
    due_date: Mapped[object | None] = mapped_column(Date)
    # A deadline in working hours (unit rules for urgent documents): the moment it falls.
    due_at: Mapped[object | None] = mapped_column(UtcDateTime())
    state: Mapped[str] = mapped_column(String(30))
    instruction: Mapped[str | None] = mapped_column(String(2000))   # ý kiến chỉ đạo
    reply_document_id: Mapped[str | None] = mapped_column(String(36))
    # An outgoing draft's approval round: the chain's steps when it was submitted.
    approval_steps: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[object] = mapped_column(UtcDateTime())
    completed_at: Mapped[object | None] = mapped_column(UtcDateTime())


class WorkItem(Base):
    """One part of a processing, in someone's inbox: assign it (to_assign), lead it
    (chủ trì), help (phối hợp) or know of it (để biết). Given to a person, or to a unit
    (user_id empty) whose leaders pass it on to one of their people (parent_id)."""
    __tablename__ = "work_items"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    processing_id: Mapped[str] = mapped_column(ForeignKey("processings.id"), index=True)
    user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    unit_id: Mapped[str | None] = mapped_column(String(36), index=True)
    parent_id: Mapped[str | None] = mapped_column(String(36), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    state: Mapped[str] = mapped_column(String(20))
    step: Mapped[int | None] = mapped_column(Integer)   # the approval step it belongs to
    due_date: Mapped[object | None] = mapped_column(Date)
    due_at: Mapped[object | None] = mapped_column(UtcDateTime())    # hour deadlines only
    instruction: Mapped[str | None] = mapped_column(String(2000))
    assigned_by: Mapped[str | None] = mapped_column(String(36), index=True)
    progress: Mapped[int | None] = mapped_column(Integer)
    result_note: Mapped[str | None] = mapped_column(String(2000))
    return_reason: Mapped[str | None] = mapped_column(String(2000))
    reply_document_id: Mapped[str | None] = mapped_column(String(36))
    # Who is told about this part (reminders, overdue alerts): its person, or the unit's
    # leaders when it was given to the unit.
    notify_user_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_at: Mapped[object] = mapped_column(UtcDateTime())
    done_at: Mapped[object | None] = mapped_column(UtcDateTime())
    # who completed, returned or decided it: its holder, or a delegate acting for them
    done_by: Mapped[str | None] = mapped_column(String(36))


class ApprovalChain(Base):
    """Who approves a unit's outgoing drafts (of one document type, or of any type when
    document_type is empty), step by step: each step's approvers all approve ("all",
    in parallel) or any one of them does ("any"); steps follow one another."""
    __tablename__ = "approval_chains"
    __table_args__ = (UniqueConstraint("unit_id", "document_type"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(36), index=True)
    document_type: Mapped[str] = mapped_column(String(10), default="")   # "" = any type
    steps: Mapped[list] = mapped_column(JSON)        # [{approvers: [user_id], mode}]
    updated_by: Mapped[str] = mapped_column(String(36))
    updated_at: Mapped[object] = mapped_column(UtcDateTime())


class UnitRules(Base):
    """A unit's rules for the deadlines it gives when a leader names none (quy chế làm
    việc): working days by urgency, and for urgent documents, if the unit says so,
    working hours instead (e.g. Hỏa tốc within 4 office hours)."""
    __tablename__ = "unit_rules"

    unit_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    working_days: Mapped[dict] = mapped_column(JSON, default=dict)   # {urgency: days}
    hours: Mapped[dict] = mapped_column(JSON, default=dict)          # {urgency: hours}
    updated_by: Mapped[str] = mapped_column(String(36))
    updated_at: Mapped[object] = mapped_column(UtcDateTime())


class Task(Base):
    """Công việc: a piece of work with an assignee, a deadline and progress, on its own
    or from a document, possibly split into sub-tasks (parent_id)."""
    __tablename__ = "tasks"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_id: Mapped[str] = mapped_column(String(36), index=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("tasks.id"), index=True)
    document_id: Mapped[str | None] = mapped_column(String(36), index=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(String(2000))
    assignee_id: Mapped[str] = mapped_column(String(36), index=True)
    due_date: Mapped[object | None] = mapped_column(Date)
    state: Mapped[str] = mapped_column(String(20))
    progress: Mapped[int] = mapped_column(Integer, default=0)
    result_note: Mapped[str | None] = mapped_column(String(2000))
    created_by: Mapped[str] = mapped_column(String(36), index=True)
    created_at: Mapped[object] = mapped_column(UtcDateTime())
    done_at: Mapped[object | None] = mapped_column(UtcDateTime())


class TaskUpdate(Base):
    """What happened to a task, who did it and when: given, progress, a sub-task added,
    done, cancelled — the task's history."""
    __tablename__ = "task_updates"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), index=True)
    actor_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(20))
    percent: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(2000))
    at: Mapped[object] = mapped_column(UtcDateTime())


class TaskReminder(Base):
    """A task's reminder or overdue alert that was sent, once (as Reminder for parts)."""
    __tablename__ = "task_reminders"

    task_id: Mapped[str] = mapped_column(ForeignKey("tasks.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)   # due_soon | overdue
    sent_at: Mapped[object] = mapped_column(UtcDateTime())


class Reminder(Base):
    """A reminder or overdue alert that was sent: one row per part and kind, so
    however many workflow processes run their timers, each is sent once."""
    __tablename__ = "reminders"

    work_item_id: Mapped[str] = mapped_column(ForeignKey("work_items.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)   # due_soon | overdue
    sent_at: Mapped[object] = mapped_column(UtcDateTime())


class ProcessingEvent(Base):
    """What happened in a processing, who did it and when, with its comment: the
    history a document shows and exports (ND30 Phụ lục VI TraceHeaderList)."""
    __tablename__ = "processing_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    processing_id: Mapped[str] = mapped_column(ForeignKey("processings.id"), index=True)
    work_item_id: Mapped[str | None] = mapped_column(String(36))
    actor_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    at: Mapped[object] = mapped_column(UtcDateTime())


outbox = outbox_table(metadata)
processed = processed_events_table(metadata)
