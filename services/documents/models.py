"""The documents service's records: the directory (units, users, memberships),
registers and their counters, incoming documents, and the audit log."""
from __future__ import annotations

from sqlalchemy import (JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer,
                        String, UniqueConstraint)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import UtcDateTime, new_metadata
from services.common.inbox import processed_events_table
from services.common.outbox import outbox_table

metadata = new_metadata()


class Base(DeclarativeBase):
    metadata = metadata


class Unit(Base):
    """An organisation or one of its units. ``organ_id`` (mã định danh) is opaque:
    the parent is explicit, never parsed from the code (DOMAIN.md §3)."""
    __tablename__ = "units"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    organ_id: Mapped[str | None] = mapped_column(String(35), unique=True)
    parent_id: Mapped[str | None] = mapped_column(ForeignKey("units.id"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    abbreviation: Mapped[str] = mapped_column(String(30), default="")
    level: Mapped[str] = mapped_column(String(30))
    valid_from: Mapped[str | None] = mapped_column(Date)
    valid_to: Mapped[str | None] = mapped_column(Date)


class UnitChange(Base):
    """A unit's history: renamed, merged into another, reorganised (the 1 July 2025
    reform merged 63 provinces into 34). Units are never deleted: a merged unit gets a
    valid_to date and keeps its documents and registers."""
    __tablename__ = "unit_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    effective_date: Mapped[object] = mapped_column(Date)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    recorded_by: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[object] = mapped_column(UtcDateTime())


class User(Base):
    __tablename__ = "users"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(100))
    position: Mapped[str] = mapped_column(String(100), default="")
    password_hash: Mapped[str] = mapped_column(String(255))
    clearance: Mapped[str] = mapped_column(String(20), default="none")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    #: Lowercase; a directory account may be matched to its user by it.
    email: Mapped[str | None] = mapped_column(String(254), index=True, nullable=True)
    #: "local" (an e-Office password), "ldap" or "oidc": a directory account's user has
    #: no usable local password.
    auth_source: Mapped[str] = mapped_column(String(20), default="local",
                                             server_default="local")
    #: Set by an administrator's reset: until the person sets their own password, a
    #: sign-in gives a token that only allows changing it.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Raised when roles, clearance or the active state change: access tokens carry
    #: the version they were issued at, and older ones stop working at once.
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    # quản trị hệ thống: administers every unit (administration.py); held by few
    system_admin: Mapped[bool] = mapped_column(Boolean, default=False)


class Membership(Base):
    """One role of one user in one unit; a person may hold roles in several units."""
    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "unit_id", "role"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))


class Counter(Base):
    """A number series. Registers point at one; several registers may share it."""
    __tablename__ = "counters"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Register(Base):
    """A sổ: per unit, direction and year (ND30 Điều 15, 22)."""
    __tablename__ = "registers"
    __table_args__ = (UniqueConstraint("unit_id", "direction", "year", "name"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    direction: Mapped[str] = mapped_column(String(20))
    year: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    counter_key: Mapped[str] = mapped_column(ForeignKey("counters.key"))
    # Which document types this register takes; None takes every type. Registers of one
    # unit may share a counter (one series for a group of types) or each have their own.
    document_types: Mapped[list | None] = mapped_column(JSON, nullable=True)


class IncomingDocument(Base):
    """A registered văn bản đến with the ND30 Phụ lục VI fields (§II), lengths included."""
    __tablename__ = "incoming_documents"
    __table_args__ = (
        UniqueConstraint("register_id", "arrival_number"),
        Index("ix_incoming_identity", "unit_id", "issuer_key", "code_number_value",
              "code_notation", "issued_year"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    register_id: Mapped[str] = mapped_column(ForeignKey("registers.id"))
    year: Mapped[int] = mapped_column(Integer)
    arrival_number: Mapped[int] = mapped_column(Integer)
    arrival_date: Mapped[object] = mapped_column(UtcDateTime())
    code_number: Mapped[str] = mapped_column(String(11))
    code_number_value: Mapped[int] = mapped_column(BigInteger)
    code_notation: Mapped[str] = mapped_column(String(30))
    issued_date: Mapped[object] = mapped_column(Date)
    issued_year: Mapped[int] = mapped_column(Integer)
    issuer_organ_id: Mapped[str | None] = mapped_column(String(35))
    issuer_name: Mapped[str] = mapped_column(String(200))
    issuer_key: Mapped[str] = mapped_column(String(200))
    document_type: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(30), default="vi")
    page_amount: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(String(500))
    signer_position: Mapped[str | None] = mapped_column(String(100))
    signer_full_name: Mapped[str | None] = mapped_column(String(50))
    urgency: Mapped[str] = mapped_column(String(20))
    confidentiality: Mapped[str] = mapped_column(String(20))
    due_date: Mapped[object | None] = mapped_column(Date)
    to_places: Mapped[str | None] = mapped_column(String(1000))
    file_ids: Mapped[list] = mapped_column(JSON, default=list)
    state: Mapped[str] = mapped_column(String(30))
    registered_by: Mapped[str] = mapped_column(String(36))
    # How it stands to an earlier incoming document of the same unit: "replaces" (thay
    # thế, ND30 Điều 18.3) or "corrects" (đính chính), and which; and, on the earlier
    # one, the document that replaced it (bị thay thế).
    related_kind: Mapped[str | None] = mapped_column(String(10))
    related_id: Mapped[str | None] = mapped_column(String(36), index=True)
    replaced_by_id: Mapped[str | None] = mapped_column(String(36))
    # A change its sender asks for and the văn thư has not answered yet (recall or
    # update: {kind, reason, changes, from_outgoing_id, asked_by, asked_at}), and the
    # answers given so far ([{kind, agreed, reason, answered_by, answered_at}]).
    change_request: Mapped[dict | None] = mapped_column(JSON)
    change_answers: Mapped[list | None] = mapped_column(JSON)
    created_at: Mapped[object] = mapped_column(UtcDateTime())


class OutgoingDocument(Base):
    """A văn bản đi from its first draft to issue and recall, with the ND30 Phụ lục VI
    fields (§I). Số, ký hiệu and the issue date are given when the clerk numbers it
    (cấp số, Điều 15), after it is signed."""
    __tablename__ = "outgoing_documents"
    __table_args__ = (UniqueConstraint("register_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    organ_id: Mapped[str | None] = mapped_column(String(35))   # the issuer's mã định danh
    organ_name: Mapped[str] = mapped_column(String(200))
    document_type: Mapped[str] = mapped_column(String(10))
    # A legal normative document (QPPL) carries its year in the ký hiệu: 15/2025/QĐ-UBND.
    normative: Mapped[bool] = mapped_column(Boolean, default=False)
    subject: Mapped[str] = mapped_column(String(500))
    language: Mapped[str] = mapped_column(String(30), default="vi")
    page_amount: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(String(500))
    signer_position: Mapped[str | None] = mapped_column(String(100))
    signer_full_name: Mapped[str | None] = mapped_column(String(50))
    # Nơi nhận: [{unit_id?, organ_id?, name, delivery: internal|exchange|paper}]
    recipients: Mapped[list] = mapped_column(JSON, default=list)
    urgency: Mapped[str] = mapped_column(String(20))
    confidentiality: Mapped[str] = mapped_column(String(20))
    issued_amount: Mapped[int | None] = mapped_column(Integer)
    due_date: Mapped[object | None] = mapped_column(Date)
    keeper: Mapped[str | None] = mapped_column(String(200))   # đơn vị, người nhận bản lưu
    file_ids: Mapped[list] = mapped_column(JSON, default=list)  # the current version's
    version: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(30), index=True)
    state_reason: Mapped[str | None] = mapped_column(String(1000))
    # Going through its unit's approval chain (workflow): approved or returned there only.
    in_approval_chain: Mapped[bool] = mapped_column(Boolean, default=False)
    register_id: Mapped[str | None] = mapped_column(ForeignKey("registers.id"))
    year: Mapped[int | None] = mapped_column(Integer)
    number: Mapped[int | None] = mapped_column(Integer)
    code_number: Mapped[str | None] = mapped_column(String(11))
    code_notation: Mapped[str | None] = mapped_column(String(30))
    issued_date: Mapped[object | None] = mapped_column(Date)
    issued_at: Mapped[object | None] = mapped_column(UtcDateTime())
    signed_by: Mapped[str | None] = mapped_column(String(36))
    # Signed under a delegation: for whom (the delegator) and how (KT, TL, TUQ).
    signed_for: Mapped[str | None] = mapped_column(String(36))
    signed_as: Mapped[str | None] = mapped_column(String(3))
    # Digital signatures (signing service): the PDF as last signed — by the signer, then
    # numbered, then by the organisation — the attachments as sent (PDFs signed by the
    # organisation, other files as they are), and who signed with which certificate
    # (kind, certificate_id, common_name, serial, user_id, file_id, signed_at, timestamped).
    signed_file_id: Mapped[str | None] = mapped_column(String(36))
    signed_attachment_ids: Mapped[list] = mapped_column(JSON, default=list)
    digital_signatures: Mapped[list] = mapped_column(JSON, default=list)
    # A draft that replaces (thay thế, ND30 Điều 18.3) or corrects (đính chính) a document
    # the unit issued before: the kind and that document; on the earlier one, once the
    # new one is issued, the document that replaced it.
    related_kind: Mapped[str | None] = mapped_column(String(10))
    related_id: Mapped[str | None] = mapped_column(String(36), index=True)
    replaced_by_id: Mapped[str | None] = mapped_column(String(36))
    # Updates of an issued document's particulars sent to its recipients (cập nhật,
    # QCVN 102 BussinessDocType 2): [{changes, reason, updated_by, updated_at}].
    updates: Mapped[list | None] = mapped_column(JSON)
    drafted_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[object] = mapped_column(UtcDateTime())
    updated_at: Mapped[object] = mapped_column(UtcDateTime())


class OutgoingVersion(Base):
    """One version of a draft: its files and a snapshot of its fields, never changed
    after it is saved (ND30 Điều 10–11: comments and approval refer to a version)."""
    __tablename__ = "outgoing_versions"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    document_id: Mapped[str] = mapped_column(ForeignKey("outgoing_documents.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    file_ids: Mapped[list] = mapped_column(JSON, default=list)
    fields: Mapped[dict] = mapped_column(JSON, default=dict)
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[object] = mapped_column(UtcDateTime())


class DocumentCopy(Base):
    """A bản sao (ND30 Điều 25–27): sao y, sao lục or trích sao of a document this
    system holds, made by a unit and numbered in that unit's copy register, one series
    for every copy form, restarting on 1 January (Phụ lục I Phần II §II.1.c)."""
    __tablename__ = "document_copies"
    __table_args__ = (UniqueConstraint("register_id", "number"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    source_id: Mapped[str] = mapped_column(String(36), index=True)
    source_direction: Mapped[str] = mapped_column(String(20))
    form: Mapped[str] = mapped_column(String(2))          # SY, SL, TS
    register_id: Mapped[str] = mapped_column(ForeignKey("registers.id"))
    year: Mapped[int] = mapped_column(Integer)
    number: Mapped[int] = mapped_column(Integer)
    code_number: Mapped[str] = mapped_column(String(11))
    code_notation: Mapped[str] = mapped_column(String(30))
    copied_date: Mapped[object] = mapped_column(Date)
    excerpt: Mapped[str | None] = mapped_column(String(1000))   # the part a trích sao takes
    to_places: Mapped[str | None] = mapped_column(String(1000))
    signer_position: Mapped[str | None] = mapped_column(String(100))
    signer_full_name: Mapped[str | None] = mapped_column(String(50))
    page_amount: Mapped[int | None] = mapped_column(Integer)
    description: Mapped[str | None] = mapped_column(String(500))
    confidentiality: Mapped[str] = mapped_column(String(20))
    file_ids: Mapped[list] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[object] = mapped_column(UtcDateTime())


class Delegation(Base):
    """Ủy quyền (ND30 Điều 13): a leader lets someone act for them in a unit — ký thay
    (KT), thừa lệnh (TL) or thừa ủy quyền (TUQ) — for some steps, some document types and
    a window of days. Whatever is done under it records both people."""
    __tablename__ = "delegations"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    from_user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    to_user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    kind: Mapped[str] = mapped_column(String(3))
    actions: Mapped[list] = mapped_column(JSON)          # delegations.ACTIONS
    document_types: Mapped[list] = mapped_column(JSON)   # empty: every type
    valid_from: Mapped[object] = mapped_column(Date)
    valid_to: Mapped[object] = mapped_column(Date)
    via_id: Mapped[str | None] = mapped_column(String(36))   # the delegation it passes on
    note: Mapped[str | None] = mapped_column(String(500))
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[object] = mapped_column(UtcDateTime())
    revoked_at: Mapped[object | None] = mapped_column(UtcDateTime())


class DocumentAccess(Base):
    """Someone named on a document by its processing (an assignment, a submission, an
    approval step): a person, or a unit whose people then see it. The permission rule's
    "being named on it" (docs/permissions.md)."""
    __tablename__ = "document_access"

    document_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    principal: Mapped[str] = mapped_column(String(48), primary_key=True, index=True)
    reason: Mapped[str] = mapped_column(String(40))
    granted_at: Mapped[object] = mapped_column(UtcDateTime())


class AuditEntry(Base):
    """Append-only record of every change, view and download, chained by hashes: each
    entry's hash covers its content and the previous entry's hash (see audit.py)."""
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"),
                                    primary_key=True, autoincrement=True)
    seq: Mapped[int] = mapped_column(BigInteger, unique=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    at: Mapped[object] = mapped_column(UtcDateTime(), index=True)
    actor_id: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(40))
    object_type: Mapped[str] = mapped_column(String(40))
    object_id: Mapped[str] = mapped_column(String(64), index=True)
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(64))


class AuditHead(Base):
    """The end of the audit chain (one row): appending takes its row lock, so entries
    are chained in one order whatever the number of documents processes."""
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))


class Dossier(Base):
    """A hồ sơ of a unit's yearly danh mục (ND30 Phụ lục VI Phần II §III). Its FileCode
    is OrganId + FileCatalog (year) + FileNotation."""
    __tablename__ = "dossiers"
    __table_args__ = (UniqueConstraint("unit_id", "year", "notation"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    unit_id: Mapped[str] = mapped_column(ForeignKey("units.id"), index=True)
    organ_id: Mapped[str] = mapped_column(String(35))
    year: Mapped[int] = mapped_column(Integer)
    notation: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(500))
    maintenance: Mapped[str] = mapped_column(String(30))
    rights: Mapped[str] = mapped_column(String(30))
    language: Mapped[str] = mapped_column(String(50))
    description: Mapped[str | None] = mapped_column(String(500))
    creator_id: Mapped[str] = mapped_column(String(36))
    creator_name: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(10))
    opened_at: Mapped[object] = mapped_column(UtcDateTime())
    closed_at: Mapped[object | None] = mapped_column(UtcDateTime())


class DossierDocument(Base):
    """A document filed in a dossier: a reference, never a copy, so one document can be
    in several dossiers."""
    __tablename__ = "dossier_documents"

    dossier_id: Mapped[str] = mapped_column(ForeignKey("dossiers.id"), primary_key=True)
    # An incoming or an outgoing document (ids are UUIDs, unique across both).
    document_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)
    direction: Mapped[str] = mapped_column(String(20), default="incoming")
    ordinal: Mapped[int] = mapped_column(Integer)
    added_by: Mapped[str] = mapped_column(String(36))
    added_at: Mapped[object] = mapped_column(UtcDateTime())


class DocumentFile(Base):
    """Which stored file belongs to which document, incoming or outgoing (every version
    of a draft), for download authorisation."""
    __tablename__ = "document_files"

    document_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    file_id: Mapped[str] = mapped_column(String(36), primary_key=True, index=True)


class FileSignatureCheck(Base):
    """The outcome of the signing service's verification of a file (signature_verified),
    kept so a document registered after the check still gets it in its history."""
    __tablename__ = "file_signature_checks"

    file_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    status: Mapped[str] = mapped_column(String(20))
    summary: Mapped[dict] = mapped_column(JSON)
    signatures: Mapped[list] = mapped_column(JSON, default=list)
    checked_at: Mapped[object] = mapped_column(UtcDateTime())


class IdempotentRequest(Base):
    """A creating request already answered (idempotency.py): a retry with the same key
    from the same caller gets the same answer."""
    __tablename__ = "idempotent_requests"

    caller_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    operation: Mapped[str] = mapped_column(String(40), primary_key=True)
    key: Mapped[str] = mapped_column(String(210), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[object] = mapped_column(UtcDateTime(), index=True)
class RightsAlert(Base):
    """A change of a person's rights or clearance (roles, clearance, an account opened or
    closed), told to the heads of the units concerned and open until a competent person
    other than the one who made it confirms it (ND30 Phụ lục VI §III.3; rights_alerts.py)."""
    __tablename__ = "rights_alerts"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36), index=True)   # whose rights changed
    change: Mapped[str] = mapped_column(String(30))
    unit_ids: Mapped[list] = mapped_column(JSON, default=list)      # the units concerned
    head_user_ids: Mapped[list] = mapped_column(JSON, default=list)  # who was told
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    changed_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[object] = mapped_column(UtcDateTime(), index=True)
    confirmed_by: Mapped[str | None] = mapped_column(String(64))
    confirmed_at: Mapped[object | None] = mapped_column(UtcDateTime())


outbox = outbox_table(metadata)
processed = processed_events_table(metadata)


class AuthSession(Base):
    """One sign-in (docs/architecture.md, "Sessions and sign-in"): its id is the ``sid`` of
    every access token issued in it; revoking it (logout, reuse of a refresh token, a
    password change, deactivation) stops them all."""
    __tablename__ = "auth_sessions"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    user_id: Mapped[str] = mapped_column(ForeignKey("users.id"), index=True)
    client_address: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[object] = mapped_column(UtcDateTime())
    expires_at: Mapped[object] = mapped_column(UtcDateTime())
    revoked_at: Mapped[object | None] = mapped_column(UtcDateTime(), nullable=True)
    revoked_reason: Mapped[str] = mapped_column(String(40), default="")


class RefreshToken(Base):
    """A refresh token, kept only as its SHA-256; ``used_at`` is set when it is
    exchanged for the next one (rotation)."""
    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey("auth_sessions.id"), index=True)
    issued_at: Mapped[object] = mapped_column(UtcDateTime())
    expires_at: Mapped[object] = mapped_column(UtcDateTime())
    used_at: Mapped[object | None] = mapped_column(UtcDateTime(), nullable=True)


class Revocation(Base):
    """A revocation every gateway keeps in memory: a session (``kind`` "session",
    ``subject`` its id) or every token of a user below ``min_version`` (``kind``
    "user"). Gateways load those younger than the access tokens' lifetime at start."""
    __tablename__ = "revocations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(10))
    subject: Mapped[str] = mapped_column(String(36))
    user_id: Mapped[str] = mapped_column(String(36))
    min_version: Mapped[int] = mapped_column(Integer, default=0)
    at: Mapped[object] = mapped_column(UtcDateTime(), index=True)


class LoginFailure(Base):
    """A failed sign-in, counted by the throttle under two keys: ``account:<username>``
    and ``address:<client address>``."""
    __tablename__ = "login_failures"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    key: Mapped[str] = mapped_column(String(120), index=True)
    at: Mapped[object] = mapped_column(UtcDateTime(), index=True)


class StreamTicket(Base):
    """A one-time ticket that opens the live notification stream (browsers' EventSource
    cannot send a header, and a token must never travel in a URL)."""
    __tablename__ = "stream_tickets"

    ticket_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[str] = mapped_column(String(36))
    session_id: Mapped[str] = mapped_column(String(36))
    token_version: Mapped[int] = mapped_column(Integer, default=0)
    access_expires_at: Mapped[object] = mapped_column(UtcDateTime())
    expires_at: Mapped[object] = mapped_column(UtcDateTime(), index=True)
    used_at: Mapped[object | None] = mapped_column(UtcDateTime(), nullable=True)
