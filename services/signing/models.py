"""The signing service's records: the certificates registered per person and per
organisation (with where their private key lives, never the key itself), the signatures it
applied, the verification report of every PDF it checked, and its outbox and inbox."""
from __future__ import annotations

from sqlalchemy import JSON, Boolean, Float, LargeBinary, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from services.common.db import UtcDateTime, new_metadata
from services.common.inbox import processed_events_table
from services.common.outbox import outbox_table

metadata = new_metadata()

PERSON = "person"
ORGANISATION = "organisation"
HOLDER_KINDS = (PERSON, ORGANISATION)

PKCS11 = "pkcs11"
PKCS12 = "pkcs12"
KEY_STORES = (PKCS11, PKCS12)


class Base(DeclarativeBase):
    metadata = metadata


class Certificate(Base):
    """A signing certificate of a person (chữ ký số cá nhân) or of an organisation (chữ ký
    số cơ quan, kept by its văn thư), with the image its visible signature shows: the
    person's handwritten signature (blue) or the organisation's seal (red, actual size)."""
    __tablename__ = "certificates"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    holder_kind: Mapped[str] = mapped_column(String(20))
    #: The person (holder_kind person); null for an organisation.
    user_id: Mapped[str | None] = mapped_column(String(36), index=True)
    #: The organisation's unit (holder_kind organisation), or the person's unit when known.
    unit_id: Mapped[str | None] = mapped_column(String(36), index=True)
    common_name: Mapped[str] = mapped_column(String(200))
    organisation: Mapped[str | None] = mapped_column(String(200))
    issuer: Mapped[str] = mapped_column(String(200))
    serial: Mapped[str] = mapped_column(String(64))
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)   # SHA-256, hex
    not_before: Mapped[object] = mapped_column(UtcDateTime())
    not_after: Mapped[object] = mapped_column(UtcDateTime())
    certificate: Mapped[bytes] = mapped_column(LargeBinary())           # DER
    #: The issuers' certificates (DER, base64), leaf's issuer first, for the CMS.
    chain: Mapped[list] = mapped_column(JSON, default=list)
    key_store: Mapped[str] = mapped_column(String(10))
    #: Where the key is: the key's label in the token (pkcs11) or the .p12 file (pkcs12).
    key_ref: Mapped[str] = mapped_column(String(500))
    image_png: Mapped[bytes | None] = mapped_column(LargeBinary())
    #: The seal's actual diameter (organisations), so it is drawn at its real size.
    image_width_mm: Mapped[float | None] = mapped_column(Float())
    active: Mapped[bool] = mapped_column(Boolean(), default=True)
    registered_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[object] = mapped_column(UtcDateTime())


class AppliedSignature(Base):
    """A signature this service applied: which file it signed into which, for whom, with
    which certificate (the audit of ký số; the document's history is documents')."""
    __tablename__ = "applied_signatures"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    purpose: Mapped[str] = mapped_column(String(20))   # signer, organisation, attachment...
    document_id: Mapped[str | None] = mapped_column(String(36), index=True)
    source_file_id: Mapped[str] = mapped_column(String(36))
    signed_file_id: Mapped[str] = mapped_column(String(36), index=True)
    certificate_id: Mapped[str | None] = mapped_column(String(36))
    user_id: Mapped[str] = mapped_column(String(64))
    timestamped: Mapped[bool] = mapped_column(Boolean(), default=False)
    created_at: Mapped[object] = mapped_column(UtcDateTime())


class Verification(Base):
    """The verification report of a stored PDF (verification.verify_pdf's shape), kept
    with the file: shown on the registration screen, the document page and its history."""
    __tablename__ = "verifications"

    file_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    sha256: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(20))
    report: Mapped[dict] = mapped_column(JSON)
    checked_at: Mapped[object] = mapped_column(UtcDateTime())


outbox = outbox_table(metadata)
processed = processed_events_table(metadata)
