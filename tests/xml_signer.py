"""A throw-away key and self-signed certificate that signs as the signing service's HSM
does (PKCS#1 v1.5 over SHA-256 of the bytes it is given), for tests of edXML package
signatures: the codec's unit tests and the federation's forged package."""
from __future__ import annotations

from datetime import datetime
from types import SimpleNamespace

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID


def make_signer(not_before: datetime, not_after: datetime):
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND tỉnh Ninh Bình"),
                      x509.NameAttribute(NameOID.COMMON_NAME, "Văn phòng UBND tỉnh Ninh Bình")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(not_before).not_valid_after(not_after)
            .sign(key, hashes.SHA256()))
    signed_bytes = []

    def hsm(data: bytes) -> bytes:
        """What the signing service's HSM does: PKCS#1 v1.5 over SHA-256 of ``data``."""
        signed_bytes.append(data)
        return key.sign(data, padding.PKCS1v15(), hashes.SHA256())

    return SimpleNamespace(key=key, cert=cert, der=cert.public_bytes(serialization.Encoding.DER),
                           hsm=hsm, signed_bytes=signed_bytes)
