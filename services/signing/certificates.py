"""Certificates as the directory of signers knows them: what a registered certificate says
(read from the certificate itself, never typed in), and the rules for using one to sign —
the signer's own certificate, the organisation's for the document's unit, in its validity
(ND30 Điều 13, 17, 33). Plain functions: the service applies them."""
from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass
from datetime import datetime

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from services.common.clock import VIETNAM
from services.signing.errors import SigningError
from services.signing.models import ORGANISATION, PERSON


@dataclass(frozen=True)
class CertificateFacts:
    common_name: str
    organisation: str | None
    issuer: str
    serial: str
    fingerprint: str
    not_before: datetime
    not_after: datetime
    der: bytes


def _name_part(name: x509.Name, oid) -> str | None:
    values = name.get_attributes_for_oid(oid)
    return str(values[0].value) if values else None


def read_certificate(data: bytes) -> CertificateFacts:
    """The facts of a PEM or DER certificate; SigningError ``bad_certificate`` if it is
    neither."""
    try:
        cert = x509.load_pem_x509_certificate(data) if data.lstrip().startswith(b"-----") \
            else x509.load_der_x509_certificate(data)
    except (ValueError, TypeError) as exc:
        raise SigningError("bad_certificate", "Tệp không phải chứng thư số (X.509) hợp lệ.",
                           "Not a valid X.509 certificate.") from exc
    der = cert.public_bytes(serialization.Encoding.DER)
    return CertificateFacts(
        common_name=_name_part(cert.subject, NameOID.COMMON_NAME) or cert.subject.rfc4514_string(),
        organisation=_name_part(cert.subject, NameOID.ORGANIZATION_NAME),
        issuer=_name_part(cert.issuer, NameOID.COMMON_NAME) or cert.issuer.rfc4514_string(),
        serial=format(cert.serial_number, "x"),
        fingerprint=hashlib.sha256(der).hexdigest(),
        not_before=cert.not_valid_before_utc, not_after=cert.not_valid_after_utc, der=der)


def chain_der(row) -> list[bytes]:
    return [base64.b64decode(item) for item in row.chain or []]


def require_usable(row, *, purpose: str, user_id: str, unit_id: str | None,
                   now: datetime) -> None:
    """Refuse a certificate that may not sign this: another person's, not an
    organisation's for an organisation signature (or of another unit), inactive, expired
    or not yet valid."""
    if row is None or not row.active:
        raise SigningError("certificate_unknown", "Không tìm thấy chứng thư số đang dùng.",
                           "No such certificate in use.")
    if purpose == "signer":
        if row.holder_kind != PERSON or row.user_id != user_id:
            raise SigningError("certificate_not_yours",
                               "Chứng thư số này không phải của người ký.",
                               "This certificate is not the signer's own.")
    elif row.holder_kind != ORGANISATION or (unit_id and row.unit_id != unit_id):
        raise SigningError("certificate_not_the_units",
                           "Chứng thư số này không phải chứng thư số của cơ quan ban hành.",
                           "This certificate is not the issuing organisation's.")
    # the database gives aware UTC moments (UtcDateTime)
    if now > row.not_after:
        raise SigningError("certificate_expired",
                           "Chứng thư số đã hết hạn ngày "
                           f"{row.not_after.astimezone(VIETNAM):%d/%m/%Y}; không thể dùng để "
                           "ký.",
                           f"The certificate expired on {row.not_after:%Y-%m-%d}.")
    if now < row.not_before:
        raise SigningError("certificate_not_yet_valid", "Chứng thư số chưa đến ngày hiệu lực.",
                           "The certificate is not valid yet.")


def certificate_out(row, now: datetime) -> dict:
    """A certificate as the API shows it (never its key reference)."""
    return {"id": row.id, "holder_kind": row.holder_kind, "user_id": row.user_id,
            "unit_id": row.unit_id, "common_name": row.common_name,
            "organisation": row.organisation, "issuer": row.issuer, "serial": row.serial,
            "fingerprint": row.fingerprint, "not_before": row.not_before.isoformat(),
            "not_after": row.not_after.isoformat(), "key_store": row.key_store,
            "has_image": row.image_png is not None, "active": row.active,
            "valid_now": row.not_before <= now <= row.not_after}
