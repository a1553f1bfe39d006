"""Key stores: a PKCS#12 key and a key inside SoftHSM each sign a PDF that pyHanko's validator
accepts as trusted; the key in SoftHSM cannot be read out or made extractable."""
import io
import json
import os
import subprocess
import sys

import pkcs11
import pytest
from asn1crypto import pem, x509
from pkcs11 import Attribute, KeyType, Mechanism, ObjectClass
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.timestamps.requests_client import RequestsHTTPTimeStamper
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from services.signing.trust import TIME_TOLERANCE
from services.signing import softhsm
from services.signing.demo_pki import load_demo_pki
from services.signing.errors import SigningError
from services.signing.keystores import Pkcs11KeyStore, Pkcs12KeyStore
from tests.signing_pki import REPO


def small_pdf() -> bytes:
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    page.drawString(72, 760, "UY BAN NHAN DAN TINH THU NGHIEM - van ban thu nghiem")
    page.showPage()
    page.save()
    return out.getvalue()


def der(path: str) -> bytes:
    with open(path, "rb") as f:
        return pem.unarmor(f.read())[2]


def chain_of(pki) -> list[bytes]:
    return [der(pki.intermediate_certificate_path), der(pki.root_certificate_path)]


def sign(pki, signer) -> bytes:
    writer = IncrementalPdfFileWriter(io.BytesIO(small_pdf()))
    out = signers.sign_pdf(
        writer, signers.PdfSignatureMetadata(field_name="chu_ky"), signer=signer,
        timestamper=RequestsHTTPTimeStamper(pki.tsa_url))
    return out.getvalue()


def validate(pki, pdf: bytes):
    context = ValidationContext(
        trust_roots=[x509.Certificate.load(der(pki.root_certificate_path))],
        allow_fetching=True, fetcher_backend=RequestsFetcherBackend(per_request_timeout=5),
        revocation_mode="hard-fail", time_tolerance=TIME_TOLERANCE)
    embedded = PdfFileReader(io.BytesIO(pdf)).embedded_signatures[0]
    return validate_pdf_signature(embedded, context)


@pytest.fixture(scope="module")
def hsm_store(demo_pki):
    store = Pkcs11KeyStore(demo_pki.token)
    yield store
    store.close()


@pytest.fixture
def hsm_session(demo_pki):
    with softhsm.open_session(demo_pki.token) as session:
        yield session


def private_key(session, label):
    return session.get_key(object_class=ObjectClass.PRIVATE_KEY, label=label)


def test_a_pkcs12_key_signs_a_pdf_that_pyhanko_validates_as_trusted_and_timestamped(demo_pki):
    holder = demo_pki.holders["person:signer"]
    signer = Pkcs12KeyStore(demo_pki.pkcs12_passphrase).signer(holder.pkcs12_path,
                                                               chain_of(demo_pki))
    status = validate(demo_pki, sign(demo_pki, signer))
    assert status.intact and status.valid and status.trusted and status.bottom_line
    assert status.signing_cert.subject.native["common_name"] == "Nguyễn Văn Ký"
    assert status.timestamp_validity is not None and status.timestamp_validity.trusted


def test_a_key_inside_softhsm_signs_a_pdf_that_pyhanko_validates_as_trusted(
        demo_pki, hsm_store):
    for label, name in (("person:hsm-signer", "Trần Thị Hà"),
                        ("organisation:org", "Ủy ban nhân dân tỉnh Thử Nghiệm")):
        signer = hsm_store.signer(demo_pki.holders[label].key_label, chain_of(demo_pki))
        status = validate(demo_pki, sign(demo_pki, signer))
        assert status.intact and status.valid and status.trusted and status.bottom_line
        assert status.signing_cert.subject.native["common_name"] == name


def test_the_pkcs11_store_reopens_its_session_after_it_was_closed(demo_pki, hsm_store):
    key_label = demo_pki.holders["person:hsm-signer"].key_label
    hsm_store.signer(key_label, chain_of(demo_pki))
    hsm_store.session().close()   # closed behind the store's back
    signer = hsm_store.signer(key_label, chain_of(demo_pki))
    assert validate(demo_pki, sign(demo_pki, signer)).bottom_line
    hsm_store.close()
    assert validate(demo_pki, sign(demo_pki, hsm_store.signer(key_label, chain_of(demo_pki)))
                    ).bottom_line


def test_the_key_in_softhsm_is_sensitive_and_never_extractable(demo_pki, hsm_session):
    key = private_key(hsm_session, demo_pki.holders["person:hsm-signer"].key_label)
    assert key[Attribute.EXTRACTABLE] is False
    assert key[Attribute.NEVER_EXTRACTABLE] is True
    assert key[Attribute.SENSITIVE] is True
    assert key[Attribute.ALWAYS_SENSITIVE] is True
    assert key[Attribute.PRIVATE] is True
    assert key[Attribute.TOKEN] is True
    assert key[Attribute.SIGN] is True


def test_the_private_parts_of_the_key_in_softhsm_cannot_be_read_out(demo_pki, hsm_session):
    key = private_key(hsm_session, demo_pki.holders["person:hsm-signer"].key_label)
    for secret in (Attribute.PRIVATE_EXPONENT, Attribute.PRIME_1, Attribute.PRIME_2,
                   Attribute.EXPONENT_1, Attribute.EXPONENT_2, Attribute.COEFFICIENT):
        with pytest.raises(pkcs11.AttributeSensitive):
            key[secret]
    # An RSA private key has no CKA_VALUE at all (its value is the parts above): SoftHSM
    # answers that the attribute is invalid for the key, and gives nothing either.
    with pytest.raises(pkcs11.AttributeTypeInvalid):
        key[Attribute.VALUE]


def test_the_key_in_softhsm_cannot_be_re_marked_extractable(demo_pki, hsm_session):
    key = private_key(hsm_session, demo_pki.holders["organisation:org"].key_label)
    with pytest.raises(pkcs11.PKCS11Error):
        key[Attribute.EXTRACTABLE] = True
    assert key[Attribute.EXTRACTABLE] is False


def test_the_key_in_softhsm_cannot_be_wrapped_out_of_the_token(demo_pki, hsm_session):
    key = private_key(hsm_session, demo_pki.holders["organisation:org"].key_label)
    wrapping = hsm_session.generate_key(KeyType.AES, 256, store=False,
                                        template={Attribute.WRAP: True})
    with pytest.raises(pkcs11.KeyUnextractable):
        wrapping.wrap_key(key, mechanism=Mechanism.AES_KEY_WRAP_PAD)


def test_the_certificate_in_the_token_carries_the_public_key_generated_there(
        demo_pki, hsm_session):
    label = demo_pki.holders["person:hsm-signer"].key_label
    stored = next(hsm_session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE,
                                           Attribute.LABEL: label}))
    assert stored[Attribute.VALUE] == der(demo_pki.holders["person:hsm-signer"].certificate_path)
    assert not os.path.exists(os.path.join(demo_pki.directory, "keys", "person-hsm-signer.key.pem"))


def test_a_second_key_under_a_label_already_in_the_token_is_refused(demo_pki):
    with pytest.raises(ValueError):
        softhsm.generate_key_pair(demo_pki.token, "person:hsm-signer")


def test_an_unknown_key_label_is_refused_with_a_signing_error(demo_pki, hsm_store):
    with pytest.raises(SigningError) as refused:
        hsm_store.signer("person:nobody", chain_of(demo_pki))
    assert refused.value.code == "key_not_found"


def test_a_wrong_pkcs12_passphrase_is_refused_with_a_signing_error(demo_pki):
    holder = demo_pki.holders["person:signer"]
    with pytest.raises(SigningError) as refused:
        Pkcs12KeyStore(b"not the passphrase").signer(holder.pkcs12_path, chain_of(demo_pki))
    assert refused.value.code == "key_file_unreadable"
    assert "mật khẩu" in refused.value.vi


def test_the_command_line_builds_a_pki_with_the_holders_of_a_json_file(tmp_path):
    holders = tmp_path / "holders.json"
    holders.write_text(json.dumps([{"label": "person:vanthu", "common_name": "Lê Văn Thư",
                                    "organisation": "Văn phòng", "kind": "person"}]),
                       encoding="utf-8")
    subprocess.run([sys.executable, "-m", "services.signing.demo_pki", "build",
                    str(tmp_path / "pki"), "--port", "18999", "--holders", str(holders)],
                   cwd=REPO, check=True, capture_output=True, timeout=60)
    pki = load_demo_pki(str(tmp_path / "pki"))
    assert pki.base_url == "http://127.0.0.1:18999"
    assert pki.token is None
    assert pki.holders["person:vanthu"].common_name == "Lê Văn Thư"
    assert os.path.exists(pki.holders["person:vanthu"].pkcs12_path)
