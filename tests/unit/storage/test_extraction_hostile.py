"""Hostile or broken files get a recorded ``failed`` with a reason — quickly, without
hanging or crashing the service: corrupt and encrypted PDFs, zip bombs dressed as
DOCX/ODT, XML entity tricks, decompression-bomb images, a .doc that is not Word.
Each is read by its kind's extractor module in this process; the child process's own
defences (timeout, process group) are tested through ``run_extraction``."""
import time
import zipfile

import pytest

from services.storage.extraction import run_extraction
from services.storage.extractors import doc, docx, images, odt, pdf
from services.storage.extractors.sandbox import ExtractionFailed, check_zip
from tests.cpu_clock import CpuClock
from tests.unit.storage import samples
from tests.unit.storage.helpers import read

#: none of these may take long: the checks come before any heavy work
QUICK_SECONDS = 10
MODULES = {"pdf": pdf, "docx": docx, "odt": odt, "doc": doc, "png": images,
           "jpeg": images}


def extract(path, kind):
    with CpuClock() as cpu:
        result = read(MODULES[kind], path, kind, time_budget=30)
    assert cpu.seconds < QUICK_SECONDS
    return result


def test_a_pdf_that_needs_a_password_fails_as_encrypted(tmp_path):
    result = extract(samples.encrypted_pdf(tmp_path / "mat.pdf"), "pdf")
    assert result.status == "failed"
    assert result.error == "encrypted PDF: it cannot be opened without a password"


def test_a_pdf_encrypted_only_to_restrict_permissions_is_read(tmp_path):
    """An empty user password opens it, as any PDF reader does."""
    result = extract(samples.encrypted_pdf(tmp_path / "han_che.pdf", user_password=""),
                     "pdf")
    assert result.status == "ok" and "12/UBND-VP" in result.text


def test_a_corrupt_pdf_fails_with_the_parsers_reason(tmp_path):
    path = tmp_path / "hong.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x13\x37garbage" * 200)
    result = extract(path, "pdf")
    assert result.status == "failed"
    assert result.error.startswith("not a readable PDF") and "xref" in result.error


def test_a_pdf_cut_in_half_fails_with_the_reason(tmp_path):
    """An interrupted transfer: no trailer, no cross-reference table to rebuild from."""
    path = tmp_path / "cut.pdf"
    data = samples.PDF_FIXTURE.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    result = extract(path, "pdf")
    assert result.status == "failed" and "trailer" in result.error


@pytest.mark.parametrize("kind", ["docx", "odt"])
def test_a_zip_bomb_dressed_as_a_document_is_refused_before_inflating(kind, tmp_path):
    path = samples.zip_bomb(tmp_path / f"bom.{kind}", kind)
    assert path.stat().st_size < 100_000           # 16 MiB inside
    result = extract(path, kind)
    assert result.status == "failed"
    assert "zip bomb suspected" in result.error and "inflates" in result.error


def test_a_zip_declaring_too_many_bytes_or_members_is_refused(tmp_path):
    path = samples.write_zip(tmp_path / "nhieu.docx", {
        f"word/part{n}.xml": "<p>" + "Công văn số %d. " % n * 40 + "</p>" for n in range(30)})
    with zipfile.ZipFile(path) as archive:
        check_zip(archive)                         # within the real limits
        with pytest.raises(ExtractionFailed, match="members"):
            check_zip(archive, max_members=10)
        with pytest.raises(ExtractionFailed, match="bytes uncompressed"):
            check_zip(archive, max_total=10_000)


def test_a_zip_that_is_not_a_zip_fails_as_not_a_document(tmp_path):
    path = tmp_path / "gia.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    result = extract(path, "docx")
    assert result.status == "failed" and "ZIP" in result.error


@pytest.mark.parametrize("case", sorted(samples.ODT_ENTITY_PROLOGS))
def test_an_odt_with_a_dtd_is_refused_so_no_entity_is_expanded(case, tmp_path):
    """Billion laughs and external entities both need a DTD: content.xml with one is
    refused, and nothing of /etc/hostname leaks into the text."""
    reference = "&a;" if case == "billion-laughs" else "&secret;"
    path = samples.write_odt(tmp_path / f"{case}.odt", content=samples.odt_content(
        body=f"<text:p>{reference}</text:p>", prolog=samples.ODT_ENTITY_PROLOGS[case]))
    result = extract(path, "odt")
    assert result.status == "failed" and "DTDForbidden" in result.error


def test_an_odt_whose_content_is_not_xml_fails(tmp_path):
    path = samples.write_odt(tmp_path / "hong.odt", content=b"\x00\x01 not xml <<<")
    result = extract(path, "odt")
    assert result.status == "failed" and "not well-formed" in result.error


def test_a_password_protected_odt_fails_as_encrypted(tmp_path):
    manifest = ('<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:'
                'xmlns:manifest:1.0"><manifest:file-entry manifest:full-path='
                '"content.xml"><manifest:encryption-data manifest:checksum="x"/>'
                '</manifest:file-entry></manifest:manifest>')
    path = samples.write_odt(tmp_path / "mat.odt", content=b"\x8f\x02encrypted bytes",
                             manifest=manifest)
    result = extract(path, "odt")
    assert result.status == "failed" and result.error.startswith("encrypted ODT")


@pytest.mark.parametrize("name, data, kind", [
    ("60000x60000.png", samples.png_header_only(60_000, 60_000), "png"),
    ("12000x12000.png", samples.png_header_only(12_000, 12_000), "png"),
    ("65000x65000.jpg", samples.jpeg_header_only(65_000, 65_000), "jpeg"),
])
def test_an_image_declaring_too_many_pixels_is_refused_undecoded(name, data, kind,
                                                                  tmp_path):
    """A few hundred bytes that would decode to gigabytes: a decompression bomb."""
    path = tmp_path / name
    path.write_bytes(data)
    result = extract(path, kind)
    assert result.status == "failed"
    assert "image too large" in result.error and "decompression bomb" in result.error


def test_a_truncated_image_fails(tmp_path):
    path = tmp_path / "cut.png"
    path.write_bytes(samples.png_header_only(800, 600)[:-30])
    result = extract(path, "png")
    assert result.status == "failed" and result.error


def test_an_ole2_file_that_is_not_word_fails_as_not_a_word_document(tmp_path):
    """It passes the upload's signature check (DOC and XLS share the container), but
    antiword finds no Word document in it."""
    path = tmp_path / "gia.doc"
    path.write_bytes(bytes.fromhex("D0CF11E0A1B11AE1") + b"\x00" * 504)
    result = extract(path, "doc")
    assert result.status == "failed"
    assert result.error.startswith("not a Word 97-2003 document")
    assert str(tmp_path) not in result.error        # no server path in a stored reason


def test_a_pdf_named_doc_fails_as_not_a_word_document(tmp_path):
    path = tmp_path / "gia.doc"
    path.write_bytes(samples.PDF_FIXTURE.read_bytes()[:5000])
    result = extract(path, "doc")
    assert result.status == "failed" and "not a Word" in result.error


def test_a_missing_tool_is_a_clear_failure(tmp_path, monkeypatch):
    """Without antiword on the PATH the reason names the Debian package to install."""
    monkeypatch.setenv("PATH", str(tmp_path))
    result = read(doc, samples.DOC_FIXTURE)
    assert result.status == "failed"
    assert result.error == "antiword is not installed (Debian package: antiword)"


def test_without_poppler_the_pdf_text_layer_is_still_read_with_pypdf(tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    result = read(pdf, samples.PDF_FIXTURE)
    assert (result.status, result.method, result.pages) == ("ok", "text", 8), result.error
    assert samples.PDF_WORD in result.text


def test_without_tesseract_a_scan_fails_and_names_the_package(tmp_path, monkeypatch):
    image = tmp_path / "scan.png"
    image.write_bytes(samples.png_bytes())
    monkeypatch.setenv("PATH", str(tmp_path))
    result = read(images, image, "png")
    assert result.status == "failed"
    assert "tesseract is not installed" in result.error and "tesseract-ocr-vie" in result.error


def test_an_extraction_killed_at_its_timeout_takes_the_tools_it_started_with_it(
        tmp_path, monkeypatch):
    """The worker runs in its own process group, killed whole: a stuck tool (here a
    fake antiword that sleeps) does not outlive the timeout. The worker's own budget
    is pushed past the timeout so that the service's kill is what ends it."""
    import os

    from services.storage import extraction

    pid_file = tmp_path / "antiword.pid"
    fake = tmp_path / "antiword"
    fake.write_text(f"#!/bin/sh\necho $$ > {pid_file}\nexec /bin/sleep 30\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(extraction, "TIME_MARGIN_SECONDS", -60.0)
    result = run_extraction(str(samples.DOC_FIXTURE), "doc", timeout=2)
    assert result.status == "failed" and "timed out after 2 s" in result.error
    pid = int(pid_file.read_text())
    for _ in range(50):
        try:
            with open(f"/proc/{pid}/status") as status:
                if "\nState:\tZ" in status.read():
                    break           # killed, waiting for init to reap it
        except FileNotFoundError:
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        raise AssertionError("the tool outlived the extraction's timeout")


def test_a_page_of_absurd_size_is_rendered_for_ocr_within_the_pixel_cap(tmp_path):
    """A 5 m × 5 m page without text (at 300 dpi: 3.5 G pixels) is rendered small
    enough to fit the OCR pixel cap instead of filling memory."""
    from reportlab.pdfgen import canvas

    path = tmp_path / "khong_lo.pdf"
    page = canvas.Canvas(str(path), pagesize=(14_400, 14_400))
    page.rect(100, 100, 1000, 1000, fill=1)
    page.showPage()
    page.save()
    with CpuClock() as cpu:
        result = read(pdf, path, ocr_max_pixels=1_000_000)
    assert cpu.seconds < QUICK_SECONDS
    assert (result.status, result.pages, result.ocr_pages) == ("empty", 1, 1), result.error
