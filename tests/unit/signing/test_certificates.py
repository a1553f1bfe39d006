"""Which certificate may sign what (certificates.require_usable): the signer's own, the
issuing unit's for the organisation, within its validity; and what a registered
certificate says is read from the certificate itself."""
from datetime import datetime, timedelta, timezone
from types import SimpleNamespace

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from services.signing import certificates
from services.signing.errors import SigningError

NOW = datetime(2026, 12, 7, 16, 30, tzinfo=timezone.utc)   # 23:30 in Vietnam


def row(**changes):
    base = dict(id="c1", holder_kind="person", user_id="u1", unit_id="unit-a", active=True,
                not_before=NOW - timedelta(days=365), not_after=NOW + timedelta(days=365),
                common_name="Trần Văn Minh", organisation="UBND", issuer="CA", serial="1f",
                fingerprint="ab", key_store="pkcs12", image_png=b"png")
    return SimpleNamespace(**(base | changes))


def refusal(cert, **kwargs) -> str:
    with pytest.raises(SigningError) as caught:
        certificates.require_usable(cert, **({"purpose": "signer", "user_id": "u1",
                                               "unit_id": "unit-a", "now": NOW} | kwargs))
    assert caught.value.vi and caught.value.en
    return caught.value.code


def test_the_signer_signs_with_their_own_valid_certificate():
    certificates.require_usable(row(), purpose="signer", user_id="u1", unit_id="unit-a",
                                now=NOW)


def test_a_certificate_of_another_person_is_refused():
    assert refusal(row(user_id="u2")) == "certificate_not_yours"


def test_an_organisation_certificate_cannot_sign_as_a_person():
    assert refusal(row(holder_kind="organisation", user_id=None)) == "certificate_not_yours"


def test_the_organisation_signs_only_with_the_issuing_units_certificate():
    org = row(holder_kind="organisation", user_id=None)
    certificates.require_usable(org, purpose="organisation", user_id="clerk",
                                unit_id="unit-a", now=NOW)
    assert refusal(org, purpose="organisation", unit_id="unit-b") == \
        "certificate_not_the_units"
    assert refusal(row(), purpose="organisation") == "certificate_not_the_units"


def test_an_expired_or_not_yet_valid_certificate_is_refused_by_vietnams_date():
    assert refusal(row(not_after=NOW - timedelta(seconds=1))) == "certificate_expired"
    assert refusal(row(not_before=NOW + timedelta(hours=1))) == "certificate_not_yet_valid"


def test_an_inactive_or_unknown_certificate_is_refused():
    assert refusal(row(active=False)) == "certificate_unknown"
    assert refusal(None) == "certificate_unknown"


def test_what_a_certificate_says_is_read_from_it_in_pem_or_der():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Nguyễn Thị Hoa"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "UBND tỉnh Tây Ninh")])
    issuer = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "CA thử nghiệm")])
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(issuer)
            .public_key(key.public_key()).serial_number(0xBEEF)
            .not_valid_before(NOW - timedelta(days=1)).not_valid_after(NOW + timedelta(days=1))
            .sign(key, hashes.SHA256()))
    pem = cert.public_bytes(serialization.Encoding.PEM)
    facts = certificates.read_certificate(pem)
    assert (facts.common_name, facts.organisation, facts.issuer, facts.serial) == \
        ("Nguyễn Thị Hoa", "UBND tỉnh Tây Ninh", "CA thử nghiệm", "beef")
    assert certificates.read_certificate(facts.der) == facts
    with pytest.raises(SigningError) as caught:
        certificates.read_certificate(b"not a certificate")
    assert caught.value.code == "bad_certificate"


def test_the_api_never_shows_where_the_key_is():
    out = certificates.certificate_out(row(key_ref="/secret/path.p12"), NOW)
    assert "key_ref" not in out and out["valid_now"] is True and out["has_image"] is True
