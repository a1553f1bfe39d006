"""What the exchange asks of signing and storage, over RabbitMQ (SQLite and PostgreSQL): an
edXML package signed with the issuing unit's organisation key where it lives (the SoftHSM2
token), the key never leaving it; only the exchange may ask, and only for a unit with a
certificate; and the files the exchange stored for a received document handed over to the
văn thư who accepts it, and no one else's."""
import base64
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from services.common.errors import Forbidden, InvalidInput, NotFound
from services.common.file_transfer import store_bytes
from services.common.identity import CLERK
from services.exchange import sending
from services.exchange.edxml import model
from services.exchange.edxml.build import build_edoc
from services.exchange.edxml.signature import verify_package
from tests.integration.signing.helpers import CLERK_ID, UNIT, person, register_both, system

NOW = datetime(2026, 12, 7, 9, 0, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


def a_package() -> bytes:
    sender = model.Organ("000.00.00.H53", "Ủy ban nhân dân tỉnh Tây Ninh")
    return build_edoc(model.Edoc(
        document_id=model.document_id_of(sender.organ_id, date(2026, 12, 7), "15", "QĐ-UBND"),
        sender=sender, recipients=[model.Organ("VN.40", "Ủy ban nhân dân tỉnh Nghệ An")],
        code_number="15", code_notation="QĐ-UBND", promulgation_date=date(2026, 12, 7),
        type_name="Quyết định", subject="Quyết định thử ký gói tin",
        traces=[model.TraceHeader(sender.organ_id, NOW)],
        attachments=[model.Attachment("c1", "qd.pdf", "application/pdf", b"%PDF-1.7 x")]))


def test_the_exchange_gets_a_package_signed_with_the_units_organisation_key_in_the_hsm(
        signing, demo_pki):
    register_both(signing, demo_pki)
    signed = sending.signed(a_package(), UNIT, lambda unit, data: signing.sign_package(
        system("exchange"), {"unit_id": unit, "data": data}))

    check = verify_package(signed)
    assert check.status == "valid", check.en
    assert demo_pki.holders["organisation:org"].common_name in check.subject
    with open(demo_pki.holders["organisation:org"].certificate_path, "rb") as handle:
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding
        expected = x509.load_pem_x509_certificate(handle.read()).public_bytes(Encoding.DER)
    assert check.certificate_der == expected


def test_only_the_exchange_asks_and_only_for_a_unit_with_an_organisation_certificate(
        signing, demo_pki):
    register_both(signing, demo_pki)
    data = base64.b64encode(b"<SignedInfo/>").decode()
    with pytest.raises(Forbidden):
        signing.sign_package(system("documents"), {"unit_id": UNIT, "data": data})
    with pytest.raises(Forbidden):
        signing.sign_package(person(CLERK_ID, (UNIT, CLERK)), {"unit_id": UNIT, "data": data})
    with pytest.raises(NotFound):
        signing.sign_package(system("exchange"), {"unit_id": "unit-without-one", "data": data})
    with pytest.raises(InvalidInput):
        signing.sign_package(system("exchange"), {"unit_id": UNIT, "data": "not base64!"})
    named = signing.sign_package(system("exchange"), {"unit_id": UNIT})
    assert named["signature"] is None and named["certificate"]


def test_files_the_exchange_stored_are_handed_over_to_the_accepting_clerk_and_no_others(
        storage):
    exchange = system("exchange")
    stored = store_bytes(storage, exchange, "qd.pdf", "application/pdf", b"%PDF-1.7 received")
    clerks_own = store_bytes(storage, person("u-other", (UNIT, CLERK)), "mine.pdf",
                             "application/pdf", b"%PDF-1.7 mine")

    with pytest.raises(Forbidden):       # a person cannot take files
        storage.hand_over_files(person(CLERK_ID, (UNIT, CLERK)), {
            "file_ids": [stored["file_id"]], "user_id": CLERK_ID})
    with pytest.raises(Forbidden):       # a file the exchange did not store
        storage.hand_over_files(exchange, {"file_ids": [clerks_own["file_id"]],
                                           "user_id": CLERK_ID})
    assert storage.hand_over_files(exchange, {"file_ids": [stored["file_id"]],
                                              "user_id": CLERK_ID}) == {"handed_over": 1}
    assert storage.get_file(exchange, stored["file_id"])["uploaded_by"] == CLERK_ID
    assert storage.hand_over_files(exchange, {"file_ids": [stored["file_id"]],
                                              "user_id": CLERK_ID}) == {"handed_over": 1}
