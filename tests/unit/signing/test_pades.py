"""PAdES signing of an outgoing ND30 document as the signer and as the organisation, the number
and date filled in between, attachments and copies; checked with pyHanko's validator and with
poppler's pdfsig and pdftoppm. Keys from the demo PKI: the person's in a PKCS#12 file, the
organisation's in SoftHSM (PKCS#11); timestamps and revocation data from its local TSA, OCSP
and CRL. This process is eventlet-patched, as the service is."""
import io
import os
import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from asn1crypto import pem, x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.fetchers.requests_fetchers import RequestsFetcherBackend

from services.signing import pades, placement
from services.signing.trust import TIME_TOLERANCE
from services.signing.errors import SigningError
from services.signing.images import demo_seal_png, demo_signature_png
from services.signing.keystores import Pkcs11KeyStore, Pkcs12KeyStore
from services.signing.placement import MM
from tests.signing_checks import field_rect, pdfsig, render
from tests.fixtures.signing.make_fixtures import (
    PAGE_WIDTH,
    RIGHT_COLUMN_CENTRE,
    SIGNER_NAME,
    make_attachment,
    make_document,
)

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
NO_TIMESTAMP = pades.Timestamping(url=None)
ORGANISATION = "Ủy ban nhân dân tỉnh Thử Nghiệm"
NUMBER, DATE = "15/QĐ-UBND", "Ninh Bình, ngày 07 tháng 12 năm 2026"


def load_cert(path: str) -> x509.Certificate:
    with open(path, "rb") as f:
        return x509.Certificate.load(pem.unarmor(f.read())[2])


@pytest.fixture(scope="module")
def chain(demo_pki) -> list[bytes]:
    return [load_cert(demo_pki.intermediate_certificate_path).dump(),
            load_cert(demo_pki.root_certificate_path).dump()]


@pytest.fixture(scope="module")
def person(demo_pki, chain):
    """The signer's key in a PKCS#12 file."""
    holder = demo_pki.holders["person:signer"]
    return Pkcs12KeyStore(demo_pki.pkcs12_passphrase).signer(
        os.path.join(demo_pki.directory, holder.pkcs12_path), chain)


@pytest.fixture(scope="module")
def organisation(demo_pki, chain):
    """The organisation's key inside the SoftHSM token (not extractable)."""
    store = Pkcs11KeyStore(demo_pki.token)
    yield store.signer(demo_pki.holders["organisation:org"].key_label, chain)
    store.close()


def trust(demo_pki, fetching: bool = False) -> ValidationContext:
    return ValidationContext(
        trust_roots=[load_cert(demo_pki.root_certificate_path)], allow_fetching=fetching,
        fetcher_backend=RequestsFetcherBackend(per_request_timeout=5) if fetching else None,
        time_tolerance=TIME_TOLERANCE)


def now() -> datetime:
    return datetime.now(VIETNAM)


def statuses(pdf: bytes, demo_pki) -> dict:
    reader = PdfFileReader(io.BytesIO(pdf))
    return {s.field_name: validate_pdf_signature(s, trust(demo_pki))
            for s in reader.embedded_signatures}






def unescape(literal: bytes) -> bytes:
    """A PDF literal string's bytes (its escapes undone, in one pass)."""
    named = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}

    def one(match):
        escaped = match.group(1)
        if escaped[:1].isdigit():
            return bytes([int(escaped, 8) & 0xFF])
        return named.get(escaped, escaped)

    return re.sub(rb"\\([0-7]{1,3}|.)", one, literal, flags=re.S)


def appearance_text(pdf: bytes, name: str) -> str:
    """The /ActualText of the glyph runs in a field's appearance (and the forms it uses)."""
    reader = PdfFileReader(io.BytesIO(pdf))
    field = next(f.get_object() for f in reader.root["/AcroForm"]["/Fields"]
                 if f.get_object().get("/T") == name)
    texts = []

    def walk(stream):
        data = stream.data
        for literal in re.findall(rb"/ActualText \(((?:\\.|[^\\)])*)\)", data, re.S):
            raw = unescape(literal)
            # UTF-16 with its byte order mark, or PDFDocEncoding (ASCII here)
            texts.append(raw.decode("utf-16") if raw[:2] == b"\xfe\xff" else raw.decode("latin-1"))
        resources = stream.get("/Resources", generic.DictionaryObject())
        for xobject in resources.get("/XObject", generic.DictionaryObject()).values():
            xobject = xobject.get_object()
            if xobject.get("/Subtype") == "/Form":
                walk(xobject)
            else:
                texts.append("[image]")

    walk(field["/AP"]["/N"].get_object())
    return "\n".join(texts)




def sign_signer(pdf: bytes, person, **kwargs) -> bytes:
    kwargs.setdefault("timestamping", NO_TIMESTAMP)
    return pades.sign_as_signer(pdf, person, signer_name=SIGNER_NAME,
                                image_png=demo_signature_png(SIGNER_NAME), now=now(), **kwargs)


def sign_organisation(pdf: bytes, organisation, **kwargs) -> bytes:
    kwargs.setdefault("timestamping", NO_TIMESTAMP)
    return pades.sign_as_organisation(pdf, organisation, seal_png=demo_seal_png(ORGANISATION),
                                      seal_diameter_mm=36, now=now(), **kwargs)


@pytest.fixture(scope="module")
def issued(person, organisation):
    """The whole flow: signer, number and date, organisation."""
    signed = sign_signer(make_document(), person)
    numbered = pades.write_number_and_date(signed, number_text=NUMBER, date_text=DATE)
    return signed, numbered, sign_organisation(numbered, organisation)


def test_the_signers_visible_signature_sits_between_the_title_line_and_the_name(person):
    for pages, page in ((1, 0), (2, 1)):
        pdf = make_document(pages=pages)
        signed = sign_signer(pdf, person)
        index, (x1, y1, x2, y2) = field_rect(signed, pades.SIGNER_FIELD)
        # Positions found independently with pypdf's public text visitor.
        from pypdf import PdfReader
        lines = {}
        PdfReader(io.BytesIO(pdf)).pages[page].extract_text(
            visitor_text=lambda text, cm, tm, font, size: lines.setdefault(text.strip(), tm[5]))
        assert index == page
        assert lines[SIGNER_NAME] + 13 * 0.7 <= y1 < y2 <= lines["PHÓ CHỦ TỊCH"]
        assert abs((x1 + x2) / 2 - RIGHT_COLUMN_CENTRE) < 1.5
        assert 35 * MM - 0.1 <= x2 - x1 <= 45 * MM + 0.1
        assert "[image]" in appearance_text(signed, pades.SIGNER_FIELD)


def test_the_seal_overlaps_about_a_third_of_the_signature_on_the_left(issued, tmp_path):
    _, _, pdf = issued
    _, signature = field_rect(pdf, pades.SIGNER_FIELD)
    _, seal = field_rect(pdf, pades.ORGANISATION_FIELD)
    width = signature[2] - signature[0]
    assert seal[2] - seal[0] == pytest.approx(36 * MM, abs=0.01)  # actual size
    assert seal[3] - seal[1] == pytest.approx(36 * MM, abs=0.01)
    assert seal[0] < signature[0] < seal[2]
    assert seal[2] - signature[0] == pytest.approx(width / 3, abs=0.5)
    assert appearance_text(pdf, pades.ORGANISATION_FIELD) == "[image]"  # no text

    # Rendered: blue strokes and red seal, and both hues inside the overlap.
    dpi = 100
    image = render(pdf, tmp_path, dpi=dpi)
    page_height = 841.89

    def pixels(x1, y1, x2, y2):
        left, right = int(x1 * dpi / 72), int(x2 * dpi / 72)
        top, bottom = int((page_height - y2) * dpi / 72), int((page_height - y1) * dpi / 72)
        return [image.getpixel((x, y)) for x in range(left, right) for y in range(top, bottom)]

    def blue(p):
        return p[2] > 120 and p[0] < 100 and p[1] < 120

    def red(p):
        return p[0] > 150 and p[1] < 110 and p[2] < 110

    assert sum(map(blue, pixels(*signature))) > 200
    assert sum(map(red, pixels(*seal))) > 1000
    overlap = (signature[0], max(signature[1], seal[1]), seal[2], min(signature[3], seal[3]))
    inside = pixels(*overlap)
    assert sum(map(blue, inside)) > 20 and sum(map(red, inside)) > 20


def test_the_number_and_date_written_after_the_signers_signature_keep_it_valid(
        issued, demo_pki, tmp_path):
    signed, numbered, _ = issued
    assert appearance_text(numbered, pades.NUMBER_FIELD) == NUMBER
    assert appearance_text(numbered, pades.DATE_FIELD) == DATE
    reader = PdfFileReader(io.BytesIO(numbered))
    values = {str(f.get_object()["/T"]): f.get_object().get("/V")
              for f in reader.root["/AcroForm"]["/Fields"]}
    assert values[pades.NUMBER_FIELD] == NUMBER and values[pades.DATE_FIELD] == DATE
    # The fields were made in the signer's revision, read-only, and empty then.
    before = PdfFileReader(io.BytesIO(signed))
    for ref in before.root["/AcroForm"]["/Fields"]:
        field = ref.get_object()
        if field["/T"] in (pades.NUMBER_FIELD, pades.DATE_FIELD):
            assert field["/Ff"] & 1 and "/V" not in field
    assert len(before.embedded_signatures) == 1

    # The number now shows where the blank was: dark pixels in the number box.
    box = placement.number_box(make_document())
    dpi = 100
    area = (int(box.x1 * dpi / 72), int((841.89 - box.y2) * dpi / 72),
            int(box.x1 * dpi / 72) + 30, int((841.89 - box.y1) * dpi / 72))

    def dark(pdf, directory):
        directory.mkdir()
        crop = render(pdf, directory, dpi=dpi).crop(area)
        return sum(1 for p in crop.getdata() if sum(p) < 300)

    assert dark(signed, tmp_path / "a") == 0 < dark(numbered, tmp_path / "b")

    status = statuses(numbered, demo_pki)[pades.SIGNER_FIELD]
    assert status.intact and status.valid and status.trusted and status.docmdp_ok
    assert status.modification_level == ModificationLevel.FORM_FILLING
    assert pdfsig(numbered, tmp_path).count("Signature Validation: Signature is Valid.") == 1


def test_a_date_given_alone_follows_the_place_printed_on_the_date_line(issued):
    signed, _, _ = issued
    numbered = pades.write_number_and_date(signed, number_text=NUMBER,
                                           date_text="ngày 07 tháng 12 năm 2026")
    assert appearance_text(numbered, pades.DATE_FIELD) == DATE


def test_after_the_organisation_signs_both_signatures_are_valid(issued, demo_pki, tmp_path):
    _, _, pdf = issued
    found = statuses(pdf, demo_pki)
    assert set(found) == {pades.SIGNER_FIELD, pades.ORGANISATION_FIELD}
    for status in found.values():
        assert status.intact and status.valid and status.trusted and status.docmdp_ok
    assert found[pades.SIGNER_FIELD].modification_level == ModificationLevel.FORM_FILLING
    assert found[pades.ORGANISATION_FIELD].modification_level == ModificationLevel.NONE
    assert "Ủy ban nhân dân tỉnh Thử Nghiệm" in found[pades.ORGANISATION_FIELD].signing_cert\
        .subject.human_friendly
    report = pdfsig(pdf, tmp_path)
    assert report.count("Signature Validation: Signature is Valid.") == 2
    assert "chu_ky_nguoi_ky" in report and "chu_ky_co_quan" in report


def test_on_a_two_page_document_the_seal_follows_the_signature_onto_page_two(
        person, organisation, demo_pki):
    signed = sign_signer(make_document(pages=2), person)
    pdf = sign_organisation(signed, organisation)
    page, signature = field_rect(pdf, pades.SIGNER_FIELD)
    seal_page, seal = field_rect(pdf, pades.ORGANISATION_FIELD)
    assert page == seal_page == 1
    assert seal[2] - signature[0] == pytest.approx((signature[2] - signature[0]) / 3, abs=0.5)
    assert all(s.intact and s.valid and s.trusted for s in statuses(pdf, demo_pki).values())


def test_signatures_made_at_once_in_green_threads_with_timestamps_are_all_valid(
        person, demo_pki):
    import eventlet
    pdf = make_document()
    timestamping = pades.Timestamping(url=demo_pki.tsa_url)
    pool = eventlet.GreenPool(3)
    signed = list(pool.imap(lambda _: sign_signer(pdf, person, timestamping=timestamping),
                            range(3)))
    for one in signed:
        status = statuses(one, demo_pki)[pades.SIGNER_FIELD]
        assert status.intact and status.valid and status.timestamp_validity.valid


def test_the_organisation_cannot_sign_a_pdf_without_the_signers_signature(organisation):
    with pytest.raises(SigningError) as raised:
        sign_organisation(make_document(), organisation)
    assert raised.value.code == "no_signer_signature"
    assert "văn thư" in raised.value.vi and "competent" in raised.value.en


def test_the_organisation_cannot_sign_when_the_signers_signature_is_broken(
        issued, organisation):
    _, numbered, _ = issued
    # A byte of the header comment, inside the first signed range: still a readable PDF.
    at = numbered.index(b"ReportLab Generated")
    broken = numbered[:at] + b"X" + numbered[at + 1:]
    with pytest.raises(SigningError) as raised:
        sign_organisation(broken, organisation)
    assert raised.value.code == "no_signer_signature"


def test_the_organisation_cannot_sign_when_the_page_was_rewritten_after_the_signer(
        issued, organisation):
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    signed, _, _ = issued
    writer = IncrementalPdfFileWriter(io.BytesIO(signed))
    writer.add_stream_to_page(0, writer.add_object(generic.StreamObject(
        stream_data=b"BT /F1 12 Tf 100 100 Td (them) Tj ET")))
    out = io.BytesIO()
    writer.write(out)
    with pytest.raises(SigningError) as raised:
        sign_organisation(out.getvalue(), organisation)
    assert raised.value.code == "no_signer_signature"


def test_attachments_and_copies_get_a_text_only_top_right_signature_with_the_time(
        organisation, demo_pki, tmp_path):
    at = datetime(2026, 12, 7, 2, 5, 9, tzinfo=ZoneInfo("UTC"))
    attachment = pades.sign_attachment(
        make_attachment(), organisation, organisation_name=ORGANISATION, reference=NUMBER,
        timestamping=NO_TIMESTAMP, now=at)
    copy = pades.sign_copy(
        make_document(), organisation, copy_form="SAO Y", organisation_name=ORGANISATION,
        timestamping=NO_TIMESTAMP, now=at)
    for pdf, first, name in ((attachment, NUMBER, pades.ORGANISATION_FIELD),
                             (copy, "SAO Y", pades.COPY_FIELD)):
        text = appearance_text(pdf, name)
        assert text.split("\n") == [first, ORGANISATION, "2026-12-07T09:05:09+07:00"]
        page, (x1, y1, x2, y2) = field_rect(pdf, name)
        assert page == 0
        assert x2 == pytest.approx(PAGE_WIDTH - 15 * MM, abs=0.01) and x1 > PAGE_WIDTH / 2
        assert y2 == pytest.approx(841.89 - 3 * MM, abs=0.01) and y1 > 841.89 - 20 * MM
        status = statuses(pdf, demo_pki)[name]
        assert status.intact and status.valid and status.trusted
        assert pdfsig(pdf, tmp_path).count("Signature Validation: Signature is Valid.") == 1
    # Liberation Serif 10 pt, black, embedded.
    reader = PdfFileReader(io.BytesIO(copy))
    field = next(f.get_object() for f in reader.root["/AcroForm"]["/Fields"]
                 if f.get_object().get("/T") == pades.COPY_FIELD)
    appearance = field["/AP"]["/N"]
    assert b"/F1 10 Tf" in appearance.data and b"0 0 0 rg" in appearance.data
    assert b" Do" not in appearance.data  # no image
    font = appearance["/Resources"]["/Font"]["/F1"]
    assert "LiberationSerif" in font["/BaseFont"]
    assert "/FontFile2" in font["/DescendantFonts"][0]["/FontDescriptor"]


def test_a_timestamped_signature_carries_a_timestamp_token_that_validates(
        person, demo_pki):
    pdf = sign_signer(make_document(), person,
                      timestamping=pades.Timestamping(url=demo_pki.tsa_url))
    status = statuses(pdf, demo_pki)[pades.SIGNER_FIELD]
    assert status.intact and status.valid and status.trusted
    token = status.timestamp_validity
    assert token is not None and token.intact and token.valid and token.trusted
    assert abs((token.timestamp - datetime.now(VIETNAM)).total_seconds()) < 120


def test_with_a_validation_context_the_signatures_embed_the_chain_and_revocation_data(
        person, organisation, demo_pki, tmp_path):
    timestamping = pades.Timestamping(url=demo_pki.tsa_url)
    signed = sign_signer(make_document(), person, timestamping=timestamping,
                         validation_context=trust(demo_pki, fetching=True))
    numbered = pades.write_number_and_date(signed, number_text=NUMBER, date_text=DATE)
    pdf = sign_organisation(numbered, organisation, timestamping=timestamping,
                            validation_context=trust(demo_pki, fetching=True))
    reader = PdfFileReader(io.BytesIO(pdf))
    dss = reader.root["/DSS"]
    assert len(dss["/Certs"]) >= 3
    assert len(dss.get("/OCSPs", [])) + len(dss.get("/CRLs", [])) >= 2
    found = statuses(pdf, demo_pki)
    for status in found.values():
        assert status.intact and status.valid and status.trusted and status.docmdp_ok
        assert status.timestamp_validity is not None and status.timestamp_validity.valid
    assert found[pades.SIGNER_FIELD].modification_level == ModificationLevel.FORM_FILLING
    assert pdfsig(pdf, tmp_path).count("Signature Validation: Signature is Valid.") == 2


def test_a_document_cannot_be_signed_twice_in_the_same_field(issued, person):
    signed, _, _ = issued
    with pytest.raises(SigningError) as raised:
        sign_signer(signed, person)
    assert raised.value.code == "already_signed"


def test_a_copy_of_a_signed_copy_takes_the_next_free_field(organisation):
    once = pades.sign_copy(make_document(), organisation, copy_form="SAO Y",
                           organisation_name=ORGANISATION, timestamping=NO_TIMESTAMP, now=now())
    twice = pades.sign_copy(once, organisation, copy_form="SAO LỤC",
                            organisation_name=ORGANISATION, timestamping=NO_TIMESTAMP, now=now())
    names = [s.field_name for s in PdfFileReader(io.BytesIO(twice)).embedded_signatures]
    assert names == [pades.COPY_FIELD, f"{pades.COPY_FIELD}_2"]


def test_a_time_stamping_authority_that_does_not_answer_signs_nothing_and_says_so(person):
    with pytest.raises(SigningError) as caught:
        sign_signer(make_document(), person,
                    timestamping=pades.Timestamping(url="http://127.0.0.1:9/tsa", timeout=2))
    assert caught.value.code == "timestamp_unavailable" and caught.value.vi
