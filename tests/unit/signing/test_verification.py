"""Verification of signed PDFs (services.signing.verification): the report of each signature
— signer, times, timestamp, integrity, changes after signing, trust, expiry, revocation — on
PDFs signed here with pyHanko by the demo PKI's holders (tests.signing_pki), the truncated
Gazette PDF of the fixtures, and the same through the child process.

The PDFs are made by the helpers below (also used by test_verification_hostile.py)."""
from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from reportlab.lib.pagesizes import A4
from reportlab.pdfgen import canvas

from services.signing.demo_pki import HolderSpec, build_demo_pki
from services.signing.verification import Limits, TrustList, verify_in_child, verify_pdf
from tests.cpu_clock import CpuClock

VN = ZoneInfo("Asia/Ho_Chi_Minh")
FIXTURES = os.path.join(os.path.dirname(__file__), os.pardir, os.pardir, "fixtures", "signing",
                        "verify")
GAZETTE = os.path.join(FIXTURES, "cong_bao_31_vbhn_truncated.pdf")


def now() -> datetime:
    return datetime.now(VN)


# ---------------------------------------------------------------- making PDFs


def plain_pdf(pages: int = 1, title: str = "Công văn thử nghiệm") -> bytes:
    """A text PDF of ``pages`` A4 pages."""
    out = io.BytesIO()
    page = canvas.Canvas(out, pagesize=A4)
    for number in range(1, pages + 1):
        page.setFont("Times-Roman", 13)
        page.drawString(72, 770, f"{title} - trang {number}")
        for line in range(30):
            page.drawString(72, 740 - 20 * line, f"Dong {line + 1} cua trang {number}.")
        page.showPage()
    page.save()
    return out.getvalue()


def trust_of(pki) -> TrustList:
    with open(pki.root_certificate_path, "rb") as f:
        return TrustList([f.read()])


def signer_of(pki, label: str):
    """A pyHanko signer for the holder ``label`` of the demo PKI (its PKCS#12 file, or its
    key in the SoftHSM token: the session stays open for the test session), carrying its
    chain."""
    from pyhanko.sign import signers

    holder = pki.holders[label]
    if holder.pkcs12_path is not None:
        return signers.SimpleSigner.load_pkcs12(holder.pkcs12_path,
                                                passphrase=pki.pkcs12_passphrase)
    from asn1crypto import pem, x509
    from pyhanko.sign import pkcs11

    from services.signing import softhsm

    chain = []
    for path in (pki.intermediate_certificate_path, pki.root_certificate_path):
        with open(path, "rb") as f:
            chain.append(x509.Certificate.load(pem.unarmor(f.read())[2]))
    return pkcs11.PKCS11Signer(softhsm.open_session(pki.token), key_label=holder.key_label,
                               cert_label=holder.key_label, other_certs_to_pull=(),
                               ca_chain=chain)


def sign(pdf: bytes, signer, *, field: str, tsa_url: str | None = None) -> bytes:
    """``pdf`` signed (PAdES) into a new invisible field ``field``, with a timestamp from
    ``tsa_url`` when given."""
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers, timestamps

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    metadata = signers.PdfSignatureMetadata(field_name=field,
                                            subfilter=fields.SigSeedSubFilter.PADES)
    stamper = timestamps.HTTPTimeStamper(tsa_url, timeout=10) if tsa_url else None
    out = signers.PdfSigner(metadata, signer, timestamper=stamper).sign_pdf(writer)
    return out.getvalue()


def rewrite_first_page(pdf: bytes, text: bytes = b"BT /F1 24 Tf 72 700 Td (Da sua) Tj ET"
                       ) -> bytes:
    """An incremental update that replaces page 1's content stream."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    page_ref = writer.root["/Pages"].raw_get("/Kids")[0]
    page = page_ref.get_object()
    page["/Contents"] = writer.add_object(generic.StreamObject(stream_data=text))
    writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def encrypted_pdf(user_password: str = "") -> bytes:
    """A plain PDF encrypted (AES-256) with an owner password and ``user_password``."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.pdf_utils.writer import copy_into_new_writer

    writer = copy_into_new_writer(PdfFileReader(io.BytesIO(plain_pdf())))
    writer.encrypt("chu-so-huu", user_password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def sign_encrypted(pdf: bytes, signer, *, field: str, user_password: str = "") -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf), strict=False)
    writer.encrypt(user_password)
    metadata = signers.PdfSignatureMetadata(field_name=field,
                                            subfilter=fields.SigSeedSubFilter.PADES)
    return signers.PdfSigner(metadata, signer).sign_pdf(writer).getvalue()


def closed_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# ---------------------------------------------------------------- hostile files

def raw_pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A PDF from the bodies of objects 1..n, with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += (b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, root, xref))
    return bytes(out)


def pdf_with_signature_dictionary(signature: bytes, fields: int = 1) -> bytes:
    """A one-page PDF whose form holds ``fields`` signature fields, all with the
    signature dictionary ``signature`` (object 4)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R /AcroForm << /Fields [%s] /SigFlags 3 >> >>"
        % b" ".join(b"%d 0 R" % (5 + i) for i in range(fields)),
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        signature,
    ]
    for i in range(fields):
        objects.append(b"<< /FT /Sig /T (chu_ky_%d) /V 4 0 R /Rect [0 0 0 0] >>" % i)
    return raw_pdf(objects)


# ---------------------------------------------------------------- fixtures

@pytest.fixture(scope="module")
def trust(demo_pki) -> TrustList:
    return trust_of(demo_pki)


@pytest.fixture(scope="module")
def signed(demo_pki) -> dict:
    """The signed PDFs of these tests, made once: the signer's signature (timestamped) then
    the organisation's (not), a page rewritten after the signer's, and one signature by
    each of the expired, revoked and stranger holders."""
    base = plain_pdf(2)
    by_signer = sign(base, signer_of(demo_pki, "person:signer"), field="chu_ky_nguoi_ky",
                     tsa_url=demo_pki.tsa_url)
    return {
        "base": base,
        "by_signer": by_signer,
        "both": sign(by_signer, signer_of(demo_pki, "organisation:org"),
                     field="chu_ky_co_quan"),
        "rewritten": rewrite_first_page(by_signer),
        "expired": sign(base, signer_of(demo_pki, "test:expired"), field="chu_ky_nguoi_ky",
                        tsa_url=demo_pki.tsa_url),
        "revoked": sign(base, signer_of(demo_pki, "test:revoked"), field="chu_ky_nguoi_ky"),
        "stranger": sign(base, signer_of(demo_pki, "test:stranger"), field="chu_ky_nguoi_ky"),
    }


@pytest.fixture(scope="module")
def unreachable_pki(tmp_path_factory):
    """A second PKI whose CRL and OCSP URLs name a closed local port (it is never served)."""
    return build_demo_pki(str(tmp_path_factory.mktemp("unreachable-pki")),
                          [HolderSpec("person:far", "Lê Văn Xa", "Sở Thử Nghiệm", "person")],
                          port=closed_port())


def codes(signature: dict) -> list[str]:
    return [problem["code"] for problem in signature["problems"]]


def iso_times(report: dict) -> list[str]:
    times = [report["checked_at"]]
    for signature in report["signatures"]:
        times += [signature["signed_at"], signature["signer"]["not_before"],
                  signature["signer"]["not_after"]]
        if signature["timestamp"]:
            times.append(signature["timestamp"]["at"])
    return [value for value in times if value is not None]


# ---------------------------------------------------------------- valid documents

def test_a_document_signed_by_the_signer_then_the_organisation_is_valid(signed, trust):
    report = verify_pdf(signed["both"], trust=trust, now=now())

    assert report["status"] == "valid"
    assert report["revocation_checked"] is True and report["encrypted"] is False
    assert "2 chữ ký số, tất cả hợp lệ" in report["summary"]["vi"]
    person, organisation = report["signatures"]
    assert person["field"] == "chu_ky_nguoi_ky" and organisation["field"] == "chu_ky_co_quan"
    assert person["signer"]["common_name"] == "Nguyễn Văn Ký"
    assert person["signer"]["organisation"] == "Sở Nội vụ tỉnh Thử Nghiệm"
    assert organisation["signer"]["common_name"] == "Ủy ban nhân dân tỉnh Thử Nghiệm"
    for signature in (person, organisation):
        assert signature["valid"] and signature["problems"] == []
        assert signature["intact"] and signature["trusted"] and not signature["expired"]
        assert signature["revocation"] == "good"
        assert signature["chain"][1:] == ["E-Office Demo Issuing CA", "E-Office Demo Root CA"]
        assert signature["signer"]["issuer"] == "E-Office Demo Issuing CA"
        assert signature["signer"]["not_after"] == "2035-01-01T07:00:00+07:00"
        assert int(signature["signer"]["serial"], 16) > 0
    # the organisation's signature is the last revision; the signer's is followed by it,
    # which is form filling (a signature field signed), not a problem
    assert organisation["covers_whole_file"] and organisation["changed_after"] == "none"
    assert not person["covers_whole_file"] and person["changed_after"] == "form_filling"
    assert all(value.endswith("+07:00") for value in iso_times(report))


def test_a_timestamped_signature_names_its_authority_and_one_without_is_no_problem(
        signed, trust):
    before = now()
    person, organisation = verify_pdf(signed["both"], trust=trust, now=now())["signatures"]

    stamp = person["timestamp"]
    assert stamp["valid"] is True
    assert stamp["authority"] == "E-Office Demo Time-Stamping Authority"
    assert abs(datetime.fromisoformat(stamp["at"]) - before).total_seconds() < 120
    assert datetime.fromisoformat(person["signed_at"]) <= datetime.fromisoformat(stamp["at"])
    assert organisation["timestamp"] is None
    assert organisation["signed_at"] is not None and organisation["valid"] is True


def test_poppler_agrees_the_two_signatures_are_intact(signed, tmp_path):
    path = tmp_path / "both.pdf"
    path.write_bytes(signed["both"])
    output = subprocess.run(["pdfsig", str(path)], capture_output=True, text=True,
                            timeout=30).stdout

    assert output.count("Signature Validation: Signature is Valid.") == 2
    assert "chu_ky_nguoi_ky" in output and "chu_ky_co_quan" in output


def test_online_false_leaves_revocation_not_checked(signed, trust):
    report = verify_pdf(signed["both"], trust=trust, now=now(), online=False)

    assert report["status"] == "valid"
    assert report["revocation_checked"] is False
    assert [s["revocation"] for s in report["signatures"]] == ["not_checked", "not_checked"]


# ---------------------------------------------------------------- changed, expired, revoked

def test_page_content_rewritten_after_signing_makes_the_document_invalid(signed, trust):
    report = verify_pdf(signed["rewritten"], trust=trust, now=now())

    assert report["status"] == "invalid"
    (signature,) = report["signatures"]
    assert signature["intact"] is True          # the signed bytes are untouched ...
    assert signature["changed_after"] == "other"  # ... but what is shown was rewritten
    assert signature["covers_whole_file"] is False
    assert codes(signature) == ["changed_after_signing"] and not signature["valid"]
    assert "sửa đổi sau khi ký" in report["summary"]["vi"]


def test_a_signature_by_the_expired_certificate_is_a_warning_saying_it_expired(signed, trust):
    report = verify_pdf(signed["expired"], trust=trust, now=now())

    assert report["status"] == "warning"
    (signature,) = report["signatures"]
    assert signature["expired"] is True and signature["trusted"] is False
    assert signature["intact"] is True and signature["timestamp"]["valid"] is True
    assert codes(signature) == ["expired"]
    # judged at the timestamp's time, and the message says so
    assert "01/01/2021" in signature["problems"][0]["vi"]
    assert "dấu thời gian" in signature["problems"][0]["vi"]
    assert "timestamp" in signature["problems"][0]["en"]


def test_a_signature_by_the_revoked_certificate_is_invalid_as_the_ocsp_responder_says(
        signed, trust):
    report = verify_pdf(signed["revoked"], trust=trust, now=now())

    assert report["status"] == "invalid"
    (signature,) = report["signatures"]
    assert signature["revocation"] == "revoked" and signature["trusted"] is False
    assert codes(signature) == ["revoked"]
    assert "OCSP" in signature["problems"][0]["en"]
    assert "01/02/2025" in signature["problems"][0]["vi"]


def test_the_crl_alone_finds_the_revoked_certificate_too(signed, trust):
    report = verify_pdf(signed["revoked"], trust=trust, now=now(), revocation_sources=("crl",))

    assert report["status"] == "invalid"
    (signature,) = report["signatures"]
    assert signature["revocation"] == "revoked"
    assert "(theo CRL)" in signature["problems"][0]["vi"]


def test_a_good_certificate_is_good_by_the_crl_alone(signed, trust):
    report = verify_pdf(signed["both"], trust=trust, now=now(), revocation_sources=("crl",))

    assert report["status"] == "valid"
    assert [s["revocation"] for s in report["signatures"]] == ["good", "good"]


def test_a_signature_from_an_unknown_ca_is_a_warning_and_not_trusted(signed, trust):
    report = verify_pdf(signed["stranger"], trust=trust, now=now())

    assert report["status"] == "warning"
    (signature,) = report["signatures"]
    assert signature["trusted"] is False and signature["intact"] is True
    assert signature["chain"] == ["Người Ký Lạ", "Unknown Root CA"]
    assert signature["signer"]["issuer"] == "Unknown Root CA"
    assert codes(signature) == ["untrusted"]


def test_unreachable_revocation_services_make_revocation_unknown_and_say_so(unreachable_pki):
    pdf = sign(plain_pdf(), signer_of(unreachable_pki, "person:far"), field="chu_ky_nguoi_ky")
    started = time.monotonic()
    report = verify_pdf(pdf, trust=trust_of(unreachable_pki), now=now())

    assert time.monotonic() - started < 10
    assert report["status"] == "warning"
    (signature,) = report["signatures"]
    assert signature["trusted"] is True and signature["revocation"] == "unknown"
    assert codes(signature) == ["revocation_unknown"]
    problem = signature["problems"][0]
    assert "could not be reached" in problem["en"]
    assert "không kết nối được" in problem["vi"]


# ---------------------------------------------------------------- other files

def test_the_truncated_gazette_pdf_is_reported_as_a_damaged_signature(trust):
    with open(GAZETTE, "rb") as f:
        pdf = f.read()
    with CpuClock() as cpu:
        report = verify_pdf(pdf, trust=trust, now=now())

    assert cpu.seconds < 10
    assert report["status"] == "invalid"
    (signature,) = report["signatures"]
    assert signature["field"] == "Signature4"
    assert signature["intact"] is False and signature["valid"] is False
    assert codes(signature) == ["signature_damaged"]
    assert "cut short" in signature["problems"][0]["en"]
    # the time its CMS claims, as claimed (its /M says 16:31:39 the same day)
    assert signature["signed_at"] == "2021-03-29T23:31:40+07:00"


def test_an_encrypted_signed_pdf_is_answered(demo_pki, trust):
    pdf = sign_encrypted(encrypted_pdf(), signer_of(demo_pki, "person:signer"),
                         field="chu_ky_nguoi_ky")
    report = verify_pdf(pdf, trust=trust, now=now())

    assert report["encrypted"] is True
    assert report["status"] == "valid"
    (signature,) = report["signatures"]
    assert signature["signer"]["common_name"] == "Nguyễn Văn Ký" and signature["intact"]


def test_an_encrypted_pdf_with_a_user_password_is_unreadable_saying_so(demo_pki, trust):
    pdf = sign_encrypted(encrypted_pdf("mat-khau"), signer_of(demo_pki, "person:signer"),
                         field="chu_ky_nguoi_ky", user_password="mat-khau")
    report = verify_pdf(pdf, trust=trust, now=now())

    assert report["status"] == "unreadable" and report["encrypted"] is True
    assert report["problems"][0]["code"] == "encrypted"
    assert "mật khẩu" in report["summary"]["vi"]


def test_an_unsigned_pdf_is_unsigned(trust):
    report = verify_pdf(plain_pdf(), trust=trust, now=now())

    assert report["status"] == "unsigned" and report["signatures"] == []
    assert report["summary"]["vi"] == "Tệp không có chữ ký số."


def test_a_file_that_is_not_a_pdf_is_unreadable(trust):
    report = verify_pdf(b"PK\x03\x04 this is a zip, not a PDF", trust=trust, now=now())

    assert report["status"] == "unreadable"
    assert report["problems"][0]["code"] == "not_pdf"


# ---------------------------------------------------------------- the child process

def test_the_child_process_gives_the_same_report_from_this_eventlet_process(signed, trust):
    import eventlet.patcher

    assert eventlet.patcher.is_monkey_patched("socket")   # as the service runs
    moment = now()
    in_child = verify_in_child(signed["both"], trust=trust, now=moment)
    here = verify_pdf(signed["both"], trust=trust, now=moment)

    assert in_child == here
    assert in_child["status"] == "valid"


def test_verify_pdf_works_in_a_plain_process(signed, trust, tmp_path):
    (tmp_path / "both.pdf").write_bytes(signed["both"])
    (tmp_path / "root.der").write_bytes(trust.roots[0])
    script = (
        "import sys, datetime\n"
        "from services.signing.verification import TrustList, verify_pdf\n"
        f"pdf = open({str(tmp_path / 'both.pdf')!r}, 'rb').read()\n"
        f"root = open({str(tmp_path / 'root.der')!r}, 'rb').read()\n"
        "report = verify_pdf(pdf, trust=TrustList([root]),\n"
        "                    now=datetime.datetime.now(datetime.timezone.utc))\n"
        "assert 'eventlet' not in sys.modules\n"
        "print(report['status'], *[s['revocation'] for s in report['signatures']])\n")
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          cwd=root, timeout=60)

    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["valid", "good", "good"]


def test_a_child_out_of_time_is_killed_and_the_report_says_timeout(signed, trust):
    started = time.monotonic()
    report = verify_in_child(signed["both"], trust=trust, now=now(),
                             limits=Limits(seconds=0.05))

    assert time.monotonic() - started < 5
    assert report["status"] == "unreadable"
    assert report["problems"][0]["code"] == "timeout"
    assert "quá thời gian" in report["summary"]["vi"]
