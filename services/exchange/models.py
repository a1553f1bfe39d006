"""The exchange service's records (liên thông, QCVN 102:2016):

- ``deliveries``: each outgoing document sent to one external agency, with every status
  that agency answered (01 đã đến … 06 hoàn thành, 02 từ chối, 15/16 to a recall);
- ``axis_messages``: what goes to the axis — an edoc or a status package, built and signed
  once, sent until the axis has it (the outbox towards the axis; one row per DocumentId,
  message kind and recipient, so a send is never made twice by us);
- ``received_packages``: every package taken from the axis, kept as it came before it is
  acknowledged (the inbox from the axis: one row per axis message id);
- ``received_documents``: each edoc addressed to one of our units, waiting for its văn thư
  (Văn bản điện tử chờ tiếp nhận), then accepted into documents' register, returned, or
  recalled by its sender;
- the event outbox and the processed-events inbox, as every service."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Integer, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import UtcDateTime, new_metadata
from services.common.inbox import processed_events_table
from services.common.outbox import outbox_table

metadata = new_metadata()

# axis message kinds and states
EDOC, STATUS = "edoc", "status"
PENDING, SENT, FAILED = "pending", "sent", "failed"

# a received document's states
WAITING = "waiting"          # chờ tiếp nhận (01 sent)
ACCEPTED = "accepted"        # vào sổ (03 sent)
RETURNED = "returned"        # trả lại (02 sent)
RECALLED = "recalled"        # lấy lại with the văn thư's agreement (15 sent)
REPLACED = "replaced"        # bị thay thế by a newer package


class Base(DeclarativeBase):
    metadata = metadata


class Delivery(Base):
    """One outgoing document on its way to one external agency, and what that agency
    told us of it since."""
    __tablename__ = "deliveries"
    __table_args__ = (UniqueConstraint("outgoing_id", "organ_id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    outgoing_id: Mapped[str] = mapped_column(String(36), index=True)
    unit_id: Mapped[str] = mapped_column(String(36))
    from_organ_id: Mapped[str] = mapped_column(String(35))
    organ_id: Mapped[str] = mapped_column(String(35))
    organ_name: Mapped[str] = mapped_column(String(200))
    #: the edXML DocumentId: "{OrganId},{yyyy/MM/dd},{số}/{ký hiệu}" of the sender
    edoc_document_id: Mapped[str] = mapped_column(String(200), index=True)
    #: pending (not at the axis yet) · sent · failed (refused by the axis: retry by hand)
    state: Mapped[str] = mapped_column(String(20))
    error: Mapped[dict | None] = mapped_column(JSON)
    #: [{code, vi, en, description, at (the agency's time), received_at}] in arrival order
    statuses: Mapped[list] = mapped_column(JSON, default=list)
    latest_code: Mapped[str | None] = mapped_column(String(2))
    #: our recall of it from this agency (status 13 sent): {reason, asked_at}
    recall: Mapped[dict | None] = mapped_column(JSON)
    #: the recall was agreed (15): the record for this agency no longer changes
    frozen: Mapped[bool] = mapped_column(Boolean, default=False)
    #: updates of the document sent to this agency (edoc type 2) and their answers:
    #: [{number, changes, reason, asked_at, state (pending | sent | failed), error,
    #:   sent_at, answer: {code 15|16, description, at, received_at} | None}]
    updates: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[object] = mapped_column(UtcDateTime())
    sent_at: Mapped[object | None] = mapped_column(UtcDateTime())
    updated_at: Mapped[object] = mapped_column(UtcDateTime())


class AxisMessage(Base):
    """A package for the axis, kept until the axis has taken it."""
    __tablename__ = "axis_messages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    #: what makes a send unique: "edoc:<DocumentId>:<organ>" or
    #: "status:<DocumentId>:<organ>:<code>" — never sent twice by us
    key: Mapped[str] = mapped_column(String(300), unique=True)
    kind: Mapped[str] = mapped_column(String(10))
    from_organ_id: Mapped[str] = mapped_column(String(35))
    to_organ_id: Mapped[str] = mapped_column(String(35))
    #: the delivery an edoc carries, or the received document a status answers
    delivery_id: Mapped[str | None] = mapped_column(String(36), index=True)
    received_id: Mapped[str | None] = mapped_column(String(36))
    #: for a status: what to build it from ({code, description, staff…}); the package
    #: itself is built and signed on the first attempt and then kept, so a retry sends
    #: the very same bytes
    spec: Mapped[dict] = mapped_column(JSON)
    package: Mapped[bytes | None] = mapped_column(LargeBinary())
    state: Mapped[str] = mapped_column(String(20), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[object] = mapped_column(UtcDateTime(), index=True)
    error: Mapped[dict | None] = mapped_column(JSON)
    axis_doc_id: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[object] = mapped_column(UtcDateTime())
    sent_at: Mapped[object | None] = mapped_column(UtcDateTime())


class ReceivedPackage(Base):
    """A package as the axis gave it, kept before the axis is told "done"."""
    __tablename__ = "received_packages"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    axis_doc_id: Mapped[str] = mapped_column(String(100), unique=True)
    message_type: Mapped[str] = mapped_column(String(20))
    from_organ_id: Mapped[str | None] = mapped_column(String(35))
    to_organ_id: Mapped[str | None] = mapped_column(String(35))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    payload: Mapped[bytes | None] = mapped_column(LargeBinary())
    #: new · done (applied) · rejected (answered 02 or logged) — with the reason
    outcome: Mapped[str] = mapped_column(String(20), index=True)
    problem: Mapped[dict | None] = mapped_column(JSON)
    received_at: Mapped[object] = mapped_column(UtcDateTime())
    processed_at: Mapped[object | None] = mapped_column(UtcDateTime())


class ReceivedDocument(Base):
    """An edoc for one of our units: waiting for its văn thư, then accepted (with the
    incoming document documents made of it), returned, recalled or replaced."""
    __tablename__ = "received_documents"
    # one per DocumentId, agency and kind; updates (type 2) come again and again for one
    # DocumentId, so theirs is told apart by ``variant`` (the package's sha256: a sender's
    # retry sends the very same bytes, a new update other ones)
    __table_args__ = (UniqueConstraint("edoc_document_id", "to_organ_id", "business_type",
                                       "variant"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    package_id: Mapped[str] = mapped_column(String(36))
    #: "" for new, recall and replacement; an update's package sha256
    variant: Mapped[str] = mapped_column(String(64), default="", server_default="")
    edoc_document_id: Mapped[str] = mapped_column(String(200), index=True)
    business_type: Mapped[int] = mapped_column(Integer)      # 0 new, 2 update, 3 replace
    from_organ_id: Mapped[str] = mapped_column(String(35))
    from_name: Mapped[str] = mapped_column(String(200))
    to_organ_id: Mapped[str] = mapped_column(String(35))
    unit_id: Mapped[str] = mapped_column(String(36), index=True)
    #: the document's fields for the register (Phụ lục VI), from the package
    fields: Mapped[dict] = mapped_column(JSON)
    #: [{file_id, name, content_type, size, sha256}] stored in storage
    files: Mapped[list] = mapped_column(JSON, default=list)
    #: the package's XML signature check ({status, subject, vi, en})
    package_signature: Mapped[dict] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20), index=True)
    reason: Mapped[str | None] = mapped_column(String(1000))
    incoming_id: Mapped[str | None] = mapped_column(String(36), index=True)
    #: the document this one replaces (ReplacementInfo), when we have it
    replaces_id: Mapped[str | None] = mapped_column(String(36))
    #: the document this one corrects (đính chính: a new document whose ResponseFor names
    #: the corrected one), when we have it
    corrects_id: Mapped[str | None] = mapped_column(String(36))
    #: a recall asked by the sender and not answered yet: {reason, asked_at}
    recall_request: Mapped[dict | None] = mapped_column(JSON)
    #: status codes already answered (so each goes once): ["01", "03", …]
    answered: Mapped[list] = mapped_column(JSON, default=list)
    acted_by: Mapped[str | None] = mapped_column(String(36))
    received_at: Mapped[object] = mapped_column(UtcDateTime())
    updated_at: Mapped[object] = mapped_column(UtcDateTime())


class Agency(Base):
    """An agency of the axis's directory (danh bạ liên thông), kept here so the recipient
    picker searches it without the axis: its mã định danh (opaque, up to 35 characters,
    QĐ 20/2020 and 09/2025), its name and its parent as the axis gives them."""
    __tablename__ = "agencies"

    organ_id: Mapped[str] = mapped_column(String(35), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    #: the name without marks, lower case: what a search without diacritics matches
    folded_name: Mapped[str] = mapped_column(String(300), index=True)
    parent_id: Mapped[str | None] = mapped_column(String(35))
    email: Mapped[str | None] = mapped_column(String(200))
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    #: when the axis last changed it (the next sync asks for what changed since)
    changed_at: Mapped[object | None] = mapped_column(UtcDateTime())
    synced_at: Mapped[object] = mapped_column(UtcDateTime())


class AgencyChange(Base):
    """The directory's history: each agency created, renamed, moved or removed as a sync
    found it (codes and names change with mergers: DOMAIN.md §3)."""
    __tablename__ = "agency_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    organ_id: Mapped[str] = mapped_column(String(35), index=True)
    change: Mapped[str] = mapped_column(String(20))
    before: Mapped[dict | None] = mapped_column(JSON)
    after: Mapped[dict | None] = mapped_column(JSON)
    at: Mapped[object] = mapped_column(UtcDateTime())


outbox = outbox_table(metadata)
processed_events = processed_events_table(metadata)
