"""Digital signatures through the gateway (docs/signing.md): Sở Tài chính's director signs a
decision's PDF with his own certificate, the văn thư numbers it and applies the
organisation's signature with its seal, and it goes out; the PDF verifies as two valid
signatures by the demo certificates with pyHanko's validator and with poppler's pdfsig given
the demo's root, the seal overlapping the left third of the signature. Wrong steps are 4xx
and change nothing. Every PDF uploaded is checked; the report reaches the clerk and the
document's history (the truncated Gazette PDF and the other hostile ones are the unit
tests' — tests/unit/signing/test_verification*.py — as it is larger than this system's upload
limit)."""
import io
import os
import subprocess

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from services.signing import pades, trust
from tests.e2e.helpers import Api, draft, register, step, unique_number, wait_until
from tests.fixtures.signing.make_fixtures import make_attachment, make_document
from tests.signing_checks import field_rect, nss_database, pdfsig

DIRECTOR = "Võ Văn Hùng"   # lanhdao.stc, whose name the decision's signer block carries
FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures")


@pytest.fixture(scope="module")
def people(system):
    names = ("chuyenvien.stc", "lanhdao.stc", "vanthu.stc", "vanthu.snv", "lanhdao.snv",
             "admin")
    return {name: Api(system.base_url, name) for name in names}


def upload(api, name, data):
    response, file_id = api.upload(name, data)
    assert response.status_code == 201, response.text
    return file_id


def checked_draft(people, pdf=None, attachments=()):
    """A decision of Sở Tài chính with its PDF, taken to the form check."""
    author = people["chuyenvien.stc"]
    files = [upload(author, "quyet-dinh.pdf", pdf or make_document(signer_name=DIRECTOR)),
             *(upload(author, name, data) for name, data in attachments)]
    created = draft(author, [{"unit_id": people["vanthu.snv"].unit_id}], document_type="QD",
                    subject="Quyết định ban hành Quy chế công tác văn thư", file_ids=files)
    assert created.status_code == 201, created.text
    document_id = created.json()["id"]
    for username, action in (("chuyenvien.stc", "submit"), ("lanhdao.stc", "approve"),
                             ("vanthu.stc", "check_form")):
        response = step(people[username], document_id, action)
        assert response.status_code == 200, (action, response.text)
    return document_id


def certificate_of(api, kind):
    """The caller's first certificate of ``kind`` valid now."""
    items = api.get("/signing/certificates").json()["items"]
    return next(c for c in items if c["holder_kind"] == kind and c["valid_now"])


def download(api, file_id) -> bytes:
    response = api.http.get(f"{api.base}/files/{file_id}/content", timeout=30)
    assert response.status_code == 200, response.text
    return response.content


def report(api, file_id) -> dict:
    return wait_until(lambda: (lambda r: r if r["status"] != "pending" else None)(
        api.get(f"/files/{file_id}/signatures").json()), seconds=30)


def spreadsheet() -> bytes:
    from openpyxl import Workbook
    book = Workbook()
    book.active.append(["STT", "Nội dung"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pem_to_der(path):
    from cryptography import x509
    from cryptography.hazmat.primitives.serialization import Encoding
    with open(path, "rb") as handle:
        return x509.load_pem_x509_certificate(handle.read()).public_bytes(Encoding.DER)


@pytest.fixture(scope="module")
def issued(people):
    """A decision with a PDF attachment and a spreadsheet, signed, numbered, sealed and
    issued; (the document, the signed PDF, the sign step's answer)."""
    document_id = checked_draft(people, attachments=[
        ("phu-luc.pdf", make_attachment()),
        ("bang-ke.xlsx", spreadsheet())])
    person = certificate_of(people["lanhdao.stc"], "person")
    signed = step(people["lanhdao.stc"], document_id, "sign", certificate_id=person["id"])
    assert signed.status_code == 200, signed.text
    numbered = step(people["vanthu.stc"], document_id, "number")
    assert numbered.status_code == 200, numbered.text
    assert numbered.json()["allowed_actions"] == ["seal"]
    sealed = step(people["vanthu.stc"], document_id, "seal")
    assert sealed.status_code == 200, sealed.text
    assert sealed.json()["state"] == "sealed" and sealed.json()["allowed_actions"] == ["issue"]
    issued = step(people["vanthu.stc"], document_id, "issue")
    assert issued.status_code == 200, issued.text
    document = issued.json()
    return document, download(people["vanthu.stc"], document["signed_file_id"]), signed.json()


def test_the_signed_and_sealed_pdf_verifies_as_two_valid_signatures_with_pyhanko(
        system, issued):
    document, pdf, _ = issued
    assert [(s["kind"], s["common_name"]) for s in document["digital_signatures"]] == [
        ("signer", DIRECTOR), ("organisation", "Sở Tài chính tỉnh Tây Ninh")]
    root = pem_to_der(os.path.join(system.data_dir, "pki", "root.pem"))
    reader = PdfFileReader(io.BytesIO(pdf))
    statuses = {s.field_name: validate_pdf_signature(
        s, trust.validation_context([root], online=True)) for s in reader.embedded_signatures}
    assert set(statuses) == {pades.SIGNER_FIELD, pades.ORGANISATION_FIELD}
    for status in statuses.values():
        assert status.intact and status.valid and status.trusted and status.bottom_line
    assert statuses[pades.SIGNER_FIELD].signing_cert.subject.native["common_name"] == DIRECTOR
    assert statuses[pades.SIGNER_FIELD].timestamp_validity is not None


def test_poppler_finds_both_signatures_valid_and_nss_trusts_their_certificates_given_the_root(
        system, issued, tmp_path):
    _, pdf, _ = issued
    pki = os.path.join(system.data_dir, "pki")
    untrusted = pdfsig(pdf, tmp_path)
    assert untrusted.count("Signature Validation: Signature is Valid.") == 2
    assert untrusted.count("Certificate issuer isn't Trusted") == 2
    nss = nss_database(tmp_path / "nss", os.path.join(pki, "root.pem"))
    trusted = pdfsig(pdf, tmp_path, nssdir=nss)
    assert trusted.count("Signature Validation: Signature is Valid.") == 2
    assert f"Common Name: {DIRECTOR}" in trusted
    assert "Common Name: Sở Tài chính tỉnh Tây Ninh" in trusted
    # Given the root, pdfsig no longer says the issuer is untrusted or unknown. Debian 12's
    # poppler 22.12 reads NSS's last error even after a check that passed, and then prints
    # "Unknown issue"; so NSS itself is asked, as pdfsig asks it, whether both demo
    # certificates are valid for signing under that root.
    assert "isn't Trusted" not in trusted and "Unknown issuer" not in trusted
    subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", "issuing-ca", "-t", ",,",
                    "-i", os.path.join(pki, "intermediate.pem")], check=True,
                   capture_output=True)
    for name in ("person-lanhdao-stc", "organisation-stc"):
        subprocess.run(["certutil", "-A", "-d", f"sql:{nss}", "-n", name, "-t", ",,", "-i",
                        os.path.join(pki, "certs", f"{name}.pem")], check=True,
                       capture_output=True)
        checked = subprocess.run(["certutil", "-V", "-d", f"sql:{nss}", "-n", name, "-u", "S"],
                                 capture_output=True, text=True)
        assert "certificate is valid" in checked.stdout + checked.stderr, name


def test_the_seal_overlaps_the_left_third_of_the_signers_image(issued):
    _, pdf, _ = issued
    page_signer, (sx1, sy1, sx2, sy2) = field_rect(pdf, pades.SIGNER_FIELD)
    page_seal, (ox1, oy1, ox2, oy2) = field_rect(pdf, pades.ORGANISATION_FIELD)
    assert page_signer == page_seal
    assert ox1 < sx1 < ox2 < sx2   # the seal starts left of the signature and covers its left
    assert abs((ox2 - sx1) - (sx2 - sx1) / 3) < 2   # about a third of it
    assert abs((ox2 - ox1) - 36 * 72 / 25.4) < 1   # the seal at its actual size, 36 mm


def test_recipients_get_the_signed_files_and_the_history_shows_each_signature(
        people, issued):
    document, _, _ = issued
    delivered = document["recipients"][0]["incoming_id"]
    incoming = people["vanthu.snv"].get(f"/incoming/{delivered}").json()
    assert incoming["file_ids"][0] == document["signed_file_id"]
    assert incoming["file_ids"][1:] == document["signed_attachment_ids"]
    assert len(document["signed_attachment_ids"]) == 2   # the signed PDF, the spreadsheet
    attachment = download(people["vanthu.stc"], document["signed_attachment_ids"][0])
    signatures = PdfFileReader(io.BytesIO(attachment)).embedded_signatures
    assert len(signatures) == 1
    history = people["vanthu.stc"].get(f"/documents/{document['id']}/history").json()
    actions = [event["action"] for event in history["events"]]
    assert {"sign", "number", "seal", "issue"} <= set(actions)
    seal = next(e for e in history["events"] if e["action"] == "seal")
    assert seal["details"]["digital_signature"]["common_name"] == "Sở Tài chính tỉnh Tây Ninh"
    assert report(people["vanthu.snv"], document["signed_file_id"])["status"] == "valid"
    wait_until(lambda: "signatures_verified" in [
        e["action"] for e in people["vanthu.snv"].get(
            f"/documents/{delivered}/history").json()["events"]], seconds=30)


def test_signing_before_approval_or_sealing_before_the_signer_is_refused_and_changes_nothing(
        people):
    author = people["chuyenvien.stc"]
    file_id = upload(author, "quyet-dinh.pdf", make_document(signer_name=DIRECTOR))
    created = draft(author, [{"unit_id": people["vanthu.snv"].unit_id}], document_type="QD",
                    file_ids=[file_id])
    document_id = created.json()["id"]
    assert step(author, document_id, "submit").status_code == 200
    person = certificate_of(people["lanhdao.stc"], "person")
    refused = step(people["lanhdao.stc"], document_id, "sign", certificate_id=person["id"])
    assert refused.status_code == 409, refused.text
    assert step(people["vanthu.stc"], document_id, "seal").status_code == 409
    after = people["lanhdao.stc"].get(f"/outgoing/{document_id}").json()
    assert after["state"] == "submitted" and after["signed_file_id"] is None


def test_the_organisation_signs_only_over_a_signers_digital_signature(people):
    document_id = checked_draft(people)
    assert step(people["lanhdao.stc"], document_id, "sign").status_code == 200   # on paper
    assert step(people["vanthu.stc"], document_id, "number").status_code == 200
    refused = step(people["vanthu.stc"], document_id, "seal")
    assert refused.status_code == 409, refused.text
    assert refused.json()["details"]["reason"] == "no_signer_signature", refused.text
    issued = step(people["vanthu.stc"], document_id, "issue")   # a paper-signed document
    assert issued.status_code == 200 and issued.json()["signed_file_id"] is None


def test_another_persons_or_another_units_certificate_is_refused_and_changes_nothing(people):
    document_id = checked_draft(people)
    before = people["lanhdao.stc"].get(f"/outgoing/{document_id}").json()
    others = {
        "another person's": certificate_of(people["lanhdao.snv"], "person"),
        "an organisation's": certificate_of(people["vanthu.stc"], "organisation"),
    }
    for what, certificate in others.items():
        refused = step(people["lanhdao.stc"], document_id, "sign",
                       certificate_id=certificate["id"])
        assert refused.status_code == 403, (what, refused.text)
        assert refused.json()["message"] and refused.json()["details"]["reason"].startswith(
            "certificate_not")
    after = people["lanhdao.stc"].get(f"/outgoing/{document_id}").json()
    assert (after["state"], after["signed_file_id"], after["digital_signatures"]) == \
        (before["state"], None, [])
    # and văn thư seals with the unit's own certificate only
    person = certificate_of(people["lanhdao.stc"], "person")
    assert step(people["lanhdao.stc"], document_id, "sign",
                certificate_id=person["id"]).status_code == 200
    assert step(people["vanthu.stc"], document_id, "number").status_code == 200
    snv_seal = certificate_of(people["vanthu.snv"], "organisation")
    refused = step(people["vanthu.stc"], document_id, "seal", certificate_id=snv_seal["id"])
    assert refused.status_code == 403, refused.text
    assert people["vanthu.stc"].get(f"/outgoing/{document_id}").json()["state"] == "numbered"


def test_an_expired_certificate_is_refused_and_changes_nothing(system, people):
    pki = os.path.join(system.data_dir, "pki")
    with open(os.path.join(pki, "certs", "test-expired.pem")) as handle:
        certificate = handle.read()
    chain = [open(os.path.join(pki, name)).read() for name in ("intermediate.pem", "root.pem")]
    registered = people["admin"].post("/signing/certificates", json={
        "holder_kind": "person", "user_id": people["lanhdao.stc"].user["id"],
        "certificate": certificate, "chain": chain, "key_store": "pkcs12",
        "key_ref": os.path.join(pki, "pkcs12", "test-expired.p12")})
    assert registered.status_code == 201, registered.text
    expired = registered.json()
    assert expired["valid_now"] is False
    document_id = checked_draft(people)
    refused = step(people["lanhdao.stc"], document_id, "sign", certificate_id=expired["id"])
    assert refused.status_code == 409 and refused.json()["details"]["reason"] == \
        "certificate_expired", refused.text
    after = people["lanhdao.stc"].get(f"/outgoing/{document_id}").json()
    assert after["state"] == "form_checked" and after["signed_file_id"] is None


def test_only_a_system_administrator_registers_certificates(system, people):
    with open(os.path.join(system.data_dir, "pki", "root.pem")) as handle:
        root = handle.read()
    refused = people["lanhdao.stc"].post("/signing/certificates", json={
        "holder_kind": "person", "user_id": people["lanhdao.stc"].user["id"],
        "certificate": root, "chain": [], "key_store": "pkcs12", "key_ref": "x.p12"})
    assert refused.status_code == 403


def test_a_file_that_is_not_a_pdf_cannot_be_signed(people):
    author = people["chuyenvien.stc"]
    docx = open(os.path.join(FIXTURES, "docs", "anle_17_2018.docx"), "rb").read()
    file_id = upload(author, "du-thao.docx", docx)
    created = draft(author, [{"unit_id": people["vanthu.snv"].unit_id}], document_type="QD",
                    file_ids=[file_id])
    document_id = created.json()["id"]
    for username, action in (("chuyenvien.stc", "submit"), ("lanhdao.stc", "approve"),
                             ("vanthu.stc", "check_form")):
        assert step(people[username], document_id, action).status_code == 200
    person = certificate_of(people["lanhdao.stc"], "person")
    refused = step(people["lanhdao.stc"], document_id, "sign", certificate_id=person["id"])
    assert refused.status_code == 409 and refused.json()["details"]["reason"] == "not_a_pdf"


def test_every_uploaded_pdf_is_checked_and_the_clerk_sees_the_report_then_the_history_keeps_it(
        people, issued):
    clerk = people["vanthu.stc"]
    _, pdf, _ = issued
    # one letter changed in the header comment: the file reads as before, the digest not
    changed = pdf.replace(b"ReportLab Generated", b"ReportLab Generatex", 1)
    assert changed != pdf
    damaged_id = upload(clerk, "da-sua.pdf", changed)
    damaged = report(clerk, damaged_id)
    assert damaged["status"] == "invalid"
    assert [s["intact"] for s in damaged["signatures"]] == [False, False]
    assert report(clerk, upload(clerk, "ban-ky-so.pdf", pdf))["status"] == "valid"
    unsigned = upload(clerk, "an-le.pdf", make_document(signer_name=DIRECTOR))
    assert report(clerk, unsigned)["status"] == "unsigned"
    # someone else's upload, in no document they may see: as for the file itself, 404
    assert people["vanthu.snv"].get(f"/files/{damaged_id}/signatures").status_code == 404
    registered = register(clerk, [damaged_id], unique_number())
    assert registered.status_code == 201, registered.text
    history = clerk.get(f"/documents/{registered.json()['id']}/history").json()["events"]
    checked = [e for e in history if e["action"] == "signatures_verified"]
    assert len(checked) == 1 and checked[0]["details"]["status"] == "invalid"


def test_an_electronic_copy_carries_the_copying_units_signature_with_the_copy_form(
        people, issued):
    document, _, _ = issued
    clerk = people["vanthu.snv"]
    delivered = clerk.get(f"/incoming/{document['recipients'][0]['incoming_id']}").json()
    made = clerk.post("/copies", json={
        "document_id": delivered["id"], "unit_id": clerk.unit_id, "form": "SY",
        "file_ids": [delivered["file_ids"][0]], "sign_digitally": True})
    assert made.status_code == 201, made.text
    copy_file = made.json()["file_ids"][0]
    assert copy_file != delivered["file_ids"][0]
    signatures = PdfFileReader(io.BytesIO(download(clerk, copy_file))).embedded_signatures
    assert len(signatures) == 3
    checked = report(clerk, copy_file)
    assert checked["status"] == "valid", checked["summary"]
    assert checked["signatures"][-1]["signer"]["common_name"] == "Sở Nội vụ tỉnh Tây Ninh"
    text = subprocess.run(["pdftotext", "-f", "1", "-l", "1", "-", "-"], input=download(
        clerk, copy_file), capture_output=True, check=True).stdout.decode()
    assert "SAO Y" in text or "SAO Y" in signatures[-1].sig_field.get("/V", {}).__repr__()


def test_the_signed_pdf_opens_in_the_browser_through_a_short_lived_link(system, people,
                                                                       issued):
    document, pdf, _ = issued
    link = people["vanthu.snv"].get(f"/files/{document['signed_file_id']}/view-link")
    assert link.status_code == 200, link.text
    shown = people["vanthu.snv"].http.get(link.json()["url"], timeout=30)
    assert shown.content == pdf
    assert shown.headers["Content-Disposition"].startswith("inline;")
    stranger = Api(system.base_url, "chuyenvien.ubnd")   # sees neither document
    assert stranger.get(f"/files/{document['signed_file_id']}/view-link").status_code == 403
