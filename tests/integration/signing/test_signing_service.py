"""The signing service over RabbitMQ with storage (SQLite and PostgreSQL): certificates are
registered by the service's own system token and listed for their holders; documents has a
stored ND30 PDF signed as the signer, numbered and dated, then signed by the organisation, and
the result read back through storage validates with pyHanko; whoever else asks, or with
someone else's certificate, is refused and nothing is stored; every stored PDF gets a
verification report kept per file and a ``signature_verified`` event. Keys from the session's
demo PKI: the signer's in a PKCS#12 file, the organisation's in the SoftHSM2 token."""
import io
import uuid

import eventlet
import pytest
import requests
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509
from nameko.standalone.events import event_dispatcher
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from sqlalchemy import create_engine, func, select

from services.common.config import settings_from
from services.common.errors import Forbidden
from services.common.events import FILE_STORED, SIGNATURE_VERIFIED, envelope
from services.common.identity import CLERK
from services.signing import pades, transfer
from services.storage import models as storage_models
from tests.fixtures.signing.make_fixtures import SIGNER_NAME, make_document
from tests.integration.signing.helpers import (CLERK_ID, DATE, NUMBER, OTHER, OTHER_UNIT,
                                             SIGNER, UNIT, person, register_both,
                                             registration, system)

@pytest.fixture
def registered(signing, demo_pki):
    """The person's (PKCS#12) and the organisation's (SoftHSM2) certificates."""
    return register_both(signing, demo_pki)


def upload(storage, pdf: bytes, filename: str = "quyet-dinh.pdf") -> str:
    """A PDF stored by a văn thư, as every client stores one; its file id."""
    return transfer.store_pdf(storage, person(CLERK_ID, (UNIT, CLERK)), filename,
                              pdf)["file_id"]


def download(storage, file_id: str) -> bytes:
    response = requests.get(storage.get_download_url(system("documents"), file_id)["url"],
                            timeout=10)
    response.raise_for_status()
    return response.content


def wait_for(predicate, seconds=30):
    with eventlet.Timeout(seconds):
        while not (found := predicate()):
            eventlet.sleep(0.05)
    return found


def verified(log, file_id: str) -> dict:
    """The signature_verified event of ``file_id``, once it came."""
    return wait_for(lambda: next((e for e in log.of(SIGNATURE_VERIFIED)
                                  if e["file_id"] == file_id), None))


def stored_files(config) -> int:
    engine = create_engine(settings_from(config).db_url("storage"))
    try:
        with engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(storage_models.files)).scalar()
    finally:
        engine.dispose()


def sign_request(file_id: str, certificate_id: str | None, purpose: str = "signer",
                 user_id: str = SIGNER, unit_id: str = UNIT) -> dict:
    return {"purpose": purpose, "document_id": "doc-1", "file_id": file_id,
            "user_id": user_id, "unit_id": unit_id, "certificate_id": certificate_id,
            "signer_name": SIGNER_NAME}


def test_a_persons_and_the_organisations_certificates_registered_by_the_signing_service_are_listed_for_their_holders(  # noqa: E501
        signing, demo_pki):
    for refused in (person(SIGNER), system("documents")):
        with pytest.raises(Forbidden):
            signing.register_certificate(refused, registration(
                demo_pki, "person:signer", user_id=SIGNER))

    own, organisation = register_both(signing, demo_pki)
    assert (own["holder_kind"], own["user_id"], own["common_name"], own["key_store"]) == (
        "person", SIGNER, "Nguyễn Văn Ký", "pkcs12")
    assert (organisation["holder_kind"], organisation["unit_id"], organisation["key_store"],
            organisation["valid_now"], organisation["has_image"]) == (
        "organisation", UNIT, "pkcs11", True, True)
    assert "key_ref" not in own

    def listed(token, request=None):
        return [c["id"] for c in signing.list_certificates(token, request)["items"]]

    assert listed(person(SIGNER)) == [own["id"]]
    assert listed(person(CLERK_ID, (UNIT, CLERK))) == [organisation["id"]]
    assert listed(person(OTHER, (OTHER_UNIT, CLERK))) == []
    assert listed(system("documents"), {"user_id": SIGNER}) == [own["id"]]
    # organisations first, then people (by holder kind, then name)
    assert listed(system("documents"), {"unit_id": UNIT}) == [organisation["id"], own["id"]]


def test_documents_gets_a_stored_pdf_signed_by_the_signer_numbered_dated_and_signed_by_the_organisation_and_pyhanko_finds_two_valid_signatures(  # noqa: E501
        storage, signing, registered, demo_pki):
    own, organisation = registered
    documents = system("documents")
    draft = upload(storage, make_document())

    signed = signing.sign_document_pdf(documents, sign_request(draft, own["id"]))
    assert (signed["certificate"]["id"], signed["timestamped"]) == (own["id"], True)
    numbered = signing.write_number_and_date(documents, {
        "document_id": "doc-1", "file_id": signed["file_id"], "user_id": CLERK_ID,
        "number_text": NUMBER, "date_text": DATE})
    sealed = signing.sign_document_pdf(documents, sign_request(
        numbered["file_id"], None, purpose="organisation", user_id=CLERK_ID))
    assert sealed["certificate"]["id"] == organisation["id"]

    pdf = download(storage, sealed["file_id"])
    with open(demo_pki.root_certificate_path, "rb") as f:
        root = asn1_x509.Certificate.load(pem.unarmor(f.read())[2])
    reader = PdfFileReader(io.BytesIO(pdf))
    with pades.PYHANKO_LOCK:   # the service's pyHanko runs in this process too
        found = {s.field_name: validate_pdf_signature(
            s, ValidationContext(trust_roots=[root], allow_fetching=False))
            for s in reader.embedded_signatures}
    assert set(found) == {pades.SIGNER_FIELD, pades.ORGANISATION_FIELD}
    for name, status in found.items():
        assert status.bottom_line, (name, status.pretty_print_details())
        assert status.timestamp_validity is not None and status.timestamp_validity.valid
    assert found[pades.SIGNER_FIELD].modification_level == ModificationLevel.FORM_FILLING
    assert found[pades.SIGNER_FIELD].signing_cert.subject.native["common_name"] == \
        "Nguyễn Văn Ký"
    assert found[pades.ORGANISATION_FIELD].signing_cert.subject.native["common_name"] == \
        "Ủy ban nhân dân tỉnh Thử Nghiệm"
    assert reader.root["/AcroForm"] is not None
    number_field = next(f.get_object() for f in reader.root["/AcroForm"]["/Fields"]
                        if f.get_object().get("/T") == pades.NUMBER_FIELD)
    assert number_field["/V"] == NUMBER


def test_a_caller_other_than_documents_and_a_persons_certificate_used_by_someone_else_are_refused_and_nothing_is_stored(  # noqa: E501
        storage, signing, registered, config):
    own, organisation = registered
    draft = upload(storage, make_document())
    before = stored_files(config)

    for caller in (system("gateway"), system("signing"), person(SIGNER)):
        with pytest.raises(Forbidden):
            signing.sign_document_pdf(caller, sign_request(draft, own["id"]))
    with pytest.raises(Forbidden) as refused:
        signing.sign_document_pdf(system("documents"),
                                  sign_request(draft, own["id"], user_id=OTHER))
    assert refused.value.details == {"reason": "certificate_not_yours"}
    with pytest.raises(Forbidden) as refused:
        signing.sign_document_pdf(system("documents"), sign_request(
            draft, organisation["id"], purpose="organisation", user_id=CLERK_ID,
            unit_id=OTHER_UNIT))
    assert refused.value.details == {"reason": "certificate_not_the_units"}
    with pytest.raises(Forbidden):
        signing.write_number_and_date(system("gateway"), {
            "document_id": "doc-1", "file_id": draft, "user_id": CLERK_ID,
            "number_text": NUMBER, "date_text": DATE})
    assert stored_files(config) == before


def test_every_stored_pdf_gets_a_verification_report_kept_per_file_and_a_signature_verified_event(  # noqa: E501
        services, storage, signing, registered):
    own, _ = registered
    unsigned = upload(storage, make_document())
    signed = signing.sign_document_pdf(system("documents"),
                                       sign_request(unsigned, own["id"]))["file_id"]

    assert verified(services, unsigned)["status"] == "unsigned"
    event = verified(services, signed)
    assert (event["status"], [(s["common_name"], s["valid"]) for s in event["signatures"]]) \
        == ("valid", [("Nguyễn Văn Ký", True)])
    assert {e["file_id"] for e in services.of(FILE_STORED)} >= {unsigned, signed}

    reports = signing.get_verifications(system("gateway"), [unsigned, signed, "no-such-file"])
    assert reports["no-such-file"] is None
    assert (reports[unsigned]["status"], reports[unsigned]["signatures"]) == ("unsigned", [])
    assert reports[signed]["status"] == "valid"
    [report] = reports[signed]["signatures"]
    assert report["signer"]["common_name"] == "Nguyễn Văn Ký" and report["valid"]
    with pytest.raises(Forbidden):
        signing.get_verifications(person(CLERK_ID, (UNIT, CLERK)), [signed])



def test_a_pdf_storage_found_certainly_unsigned_is_recorded_unsigned_without_being_fetched(
        services, storage, signing, registered, config):
    """Storage says in file_stored whether a PDF might be signed: signing records an
    unsigned one as unsigned without asking storage for it (here a file storage does not
    even know, which fetching would fail on), and fetches and verifies a signed one."""
    own, _ = registered
    unsigned = upload(storage, make_document())
    signed = signing.sign_document_pdf(system("documents"),
                                       sign_request(unsigned, own["id"]))["file_id"]
    assert verified(services, unsigned)["status"] == "unsigned"
    assert verified(services, signed)["status"] == "valid"
    flags = {e["file_id"]: (e.get("might_be_signed"), e.get("pdf_encrypted"))
             for e in services.of(FILE_STORED)}
    assert (flags[unsigned], flags[signed]) == ((False, False), (True, False))

    unknown = str(uuid.uuid4())
    event_dispatcher(config)("storage", FILE_STORED, envelope(FILE_STORED, {
        "file_id": unknown, "sha256": "0" * 64, "size": 1234,
        "content_type": "application/pdf", "filename": "scan.pdf",
        "might_be_signed": False, "pdf_encrypted": True}))
    event = verified(services, unknown)
    assert (event["status"], event["signatures"]) == ("unsigned", [])
    report = signing.get_verifications(system("gateway"), [unknown])[unknown]
    assert (report["status"], report["encrypted"], report["signatures"],
            report["summary"]["en"]) == ("unsigned", True, [],
                                         "The file has no digital signature.")
