"""Text extraction of the other kinds an agency receives: Word 97-2003 (.doc),
OpenDocument (.odt), and OCR (Tesseract, Vietnamese) of scanned PDFs and images, each
by its extractor module run in this process (the child process is tested in
test_extraction.py).

The scans are the first page of the real Official Gazette PDF in tests/fixtures/docs,
rasterised at 200 dpi (what a scanner gives) and stored with no text layer. Tesseract's
reading of some diacritics varies (``ấ``/``ầ``/``â``): the words checked exactly are
ones it read right on every run here, the others are compared accent-insensitively.
"""
import re
import time
import unicodedata

import pytest

from services.common.config import settings_from
from services.common.migrations import load_config
from services.storage.extraction import ocr_options, run_extraction
from services.storage.extractors import doc, images, odt, pdf
from services.storage.extractors.limits import Budget
from services.storage.extractors.ocr import Ocr
from tests.unit.storage import samples
from tests.unit.storage.helpers import read

#: read exactly, accents and all, on the scanned page
OCR_EXACT = ("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc",
             "HIẾN PHÁP", "LỜI NÓI ĐẦU", "Nhân dân Việt Nam")
#: read with a diacritic or two off on some runs
OCR_FOLDED = ("QUỐC HỘI", "đấu tranh anh dũng", "truyền thống")


def fold(text: str) -> str:
    """Lower case words without diacritics (đ → d) or punctuation, one space apart:
    how Vietnamese is compared loosely (Tesseract sometimes adds a stray dot)."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c)).lower()
    return " ".join(re.sub(r"[^\w\s]", " ", bare).split())


def assert_scanned_page_read(text: str) -> None:
    for words in OCR_EXACT:
        assert words in text
    for words in OCR_FOLDED:
        assert fold(words) in fold(text)


@pytest.fixture(scope="module")
def scans(tmp_path_factory):
    """The scanned page, whole and its top 30 % (a quicker read), as files."""
    folder = tmp_path_factory.mktemp("scans")
    page = samples.pdf_page_image(samples.GAZETTE_PDF)
    top = samples.pdf_page_image(samples.GAZETTE_PDF, top=0.3)
    top.save(folder / "top.png", dpi=(200, 200))
    top.save(folder / "top.jpg", quality=80, dpi=(200, 200))
    fax = top.convert("1")
    fax.save(folder / "fax.tif", compression="group4", dpi=(200, 200), save_all=True,
             append_images=[fax])
    return {"page.pdf": samples.scanned_pdf(folder / "page.pdf", [page]),
            "top.pdf": samples.scanned_pdf(folder / "top.pdf", [top]),
            "top.png": folder / "top.png", "top.jpg": folder / "top.jpg",
            "fax.tif": folder / "fax.tif"}


# ---------------------------------------------------------------- Word 97-2003

def test_a_word_97_document_is_extracted_with_its_vietnamese_diacritics():
    result = read(doc, samples.DOC_FIXTURE)
    assert (result.status, result.method, result.truncated) == ("ok", "text", False), \
        result.error
    for words in samples.DOC_WORDS:
        assert words in result.text
    assert "\ufffd" not in result.text


def test_a_word_97_document_stored_with_decomposed_diacritics_comes_out_composed():
    """Part of this law is stored as base letters plus combining marks (NFD): the
    text is NFC, so a search for the composed words finds it."""
    result = read(doc, samples.DOC_NFD_FIXTURE)
    assert result.status == "ok", result.error
    assert samples.DOC_NFD_HEADING in result.text
    for words in samples.DOC_NFD_WORDS:
        assert words in result.text
    assert unicodedata.is_normalized("NFC", result.text)


def test_a_word_97_table_row_becomes_cells_separated_by_tabs():
    result = read(doc, samples.DOC_NFD_FIXTURE)
    assert "QUỐC HỘI\tCỘNG HOÀ XÃ HỘI CHỦ NGHĨA VIỆT NAM" in result.text
    assert "|" not in result.text.splitlines()[0]


# ---------------------------------------------------------------- OpenDocument

def test_an_odt_gives_its_headings_paragraphs_lists_tables_and_notes_in_order(tmp_path):
    path = samples.write_odt(tmp_path / "cong_van.odt")
    result = read(odt, path)
    assert (result.status, result.method) == ("ok", "text"), result.error
    assert result.text.splitlines() == list(samples.ODT_LINES)


def test_an_odts_comments_are_not_part_of_its_text(tmp_path):
    result = read(odt, samples.write_odt(tmp_path / "a.odt"))
    assert "ghi chú nội bộ" not in result.text


def test_an_odt_without_text_is_empty(tmp_path):
    path = samples.write_odt(tmp_path / "trong.odt",
                             content=samples.odt_content(body="<text:p/>"))
    assert read(odt, path).status == "empty"


# ---------------------------------------------------------------- PDF text layers

def test_the_gazette_pdf_with_a_broken_xref_table_is_read_from_its_text_layer():
    """No page of it needs OCR: every one has a text layer."""
    result = read(pdf, samples.GAZETTE_PDF)
    assert (result.status, result.method, result.pages, result.ocr_pages) == (
        "ok", "text", 28, 0), result.error
    for words in samples.GAZETTE_WORDS:
        assert words in result.text
    assert "năm 1945" in result.text      # whole words, not "n ăm"


# ---------------------------------------------------------------- OCR

def test_a_scanned_pdf_page_is_read_by_ocr(scans):
    started = time.monotonic()
    result = read(pdf, scans["page.pdf"])
    elapsed = time.monotonic() - started
    assert (result.status, result.method, result.pages, result.ocr_pages) == (
        "ok", "ocr", 1, 1), result.error
    assert_scanned_page_read(result.text)
    assert fold("Chủ tịch Hồ Chí Minh") in fold(result.text)
    print(f"OCR of one A4 page: {elapsed:.1f} s")


def test_a_pdf_with_a_text_page_and_a_scanned_page_gets_text_then_ocr_in_page_order(
        scans, tmp_path):
    path = samples.text_and_scan_pdf(tmp_path / "mixed.pdf", scans["top.pdf"])
    progress = []
    result = read(pdf, path, progress=lambda done, total: progress.append((done, total)))
    assert progress == [(0, 2), (1, 2), (2, 2)]       # pages read of 2
    assert (result.status, result.method, result.pages, result.ocr_pages) == (
        "ok", "ocr", 2, 1), result.error
    assert result.text.index("ÁN LỆ SỐ 57/2023") < result.text.index("HIẾN PHÁP")
    assert samples.PDF_WORD in result.text
    assert "LỜI NÓI ĐẦU" in result.text


@pytest.mark.parametrize("name, kind", [("top.png", "png"), ("top.jpg", "jpeg")])
def test_a_scanned_image_is_read_by_ocr(scans, name, kind):
    result = read(images, scans[name], kind)
    assert (result.status, result.method, result.pages, result.ocr_pages) == (
        "ok", "ocr", 1, 1), result.error
    assert_scanned_page_read(result.text)


def test_every_page_of_a_fax_tiff_is_read_up_to_the_ocr_page_limit(scans):
    """A two-page group-4 TIFF, as a fax arrives, with OCR limited to one page: the
    first is read, the rest is reported as cut, not lost silently."""
    progress = []
    result = read(images, scans["fax.tif"], "tiff", ocr_max_pages=1,
                  progress=lambda done, total: progress.append((done, total)))
    assert (result.status, result.method, result.ocr_pages, result.truncated) == (
        "ok", "ocr", 1, True), result.error
    assert progress == [(0, 1), (1, 1)]               # frames to read: the cap
    assert "HIẾN PHÁP" in result.text
    assert "OCR page limit reached (1 pages)" in result.note


OCR_VARIABLES = ("OCR_MAX_PAGES", "OCR_DPI", "OCR_MAX_PIXELS", "OCR_LANG")


def test_ocr_limits_are_settings_read_from_the_environment_through_deploy_config(
        scans, monkeypatch):
    """The same variables and defaults as ever, now read at start-up through
    deploy/config.yml into the Settings, which the service hands to the worker."""
    for name in OCR_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    assert ocr_options(settings_from(load_config())) == {
        "ocr_max_pages": 50, "ocr_dpi": 300, "ocr_max_pixels": 40_000_000,
        "ocr_lang": "vie"}
    for name, value in zip(OCR_VARIABLES, ("1", "200", "5000000", "vie+eng")):
        monkeypatch.setenv(name, value)
    options = ocr_options(settings_from(load_config()))
    assert options == {"ocr_max_pages": 1, "ocr_dpi": 200, "ocr_max_pixels": 5_000_000,
                       "ocr_lang": "vie+eng"}
    monkeypatch.setenv("OCR_LANG", "vie")
    result = run_extraction(str(scans["fax.tif"]), "tiff", timeout=60,
                            **ocr_options(settings_from(load_config())))
    assert result.ocr_pages == 1 and result.truncated


@pytest.mark.parametrize("value", ["", "0", "-3", "many", None])
def test_an_unusable_ocr_number_is_the_default_as_before(value):
    settings = settings_from({"OCR_MAX_PAGES": value, "OCR_DPI": value,
                              "OCR_MAX_PIXELS": value,
                              "OCR_LANG": value if not value else "  "})
    assert ocr_options(settings) == {"ocr_max_pages": 50, "ocr_dpi": 300,
                                     "ocr_max_pixels": 40_000_000, "ocr_lang": "vie"}


def test_text_pages_after_scans_past_the_ocr_page_cap_are_still_read(scans, tmp_path):
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for _ in range(2):
        writer.append(PdfReader(scans["top.pdf"]))
    writer.append(PdfReader(samples.PDF_FIXTURE), pages=(0, 1))
    path = tmp_path / "scans_then_text.pdf"
    with open(path, "wb") as handle:
        writer.write(handle)
    result = read(pdf, path, ocr_max_pages=1)
    assert (result.status, result.ocr_pages, result.truncated) == ("ok", 1, True)
    assert "HIẾN PHÁP" in result.text and samples.PDF_WORD in result.text
    assert "OCR page limit reached (1 pages)" in result.note


def test_ocr_that_cannot_start_within_the_time_limit_fails_with_the_reason(scans):
    """The worker starts a page only if it should finish within its time budget (the
    service's timeout less a margin); a first page is assumed to take a second."""
    result = read(images, scans["top.png"], "png", max_pages=10, max_chars=1000,
                  time_budget=0.5)
    assert result.status == "failed"
    assert re.match(r"OCR stopped after 0 page.s.: time limit", result.error)


def test_ocr_stops_before_a_page_that_would_not_finish_in_time():
    class FakeBudget:
        seconds_left = 100.0

        def remaining(self):
            return self.seconds_left

    budget = FakeBudget()
    ocr = Ocr(budget, max_pages=50, dpi=300, max_pixels=40_000_000, lang="vie")
    ocr.pages, ocr.seconds = 4, 20.0          # 5 s a page so far
    assert ocr.can_start_page()
    budget.seconds_left = 4.0
    assert not ocr.can_start_page()
    assert ocr.stopped == "OCR stopped after 4 page(s): time limit reached"
    assert ocr.out_of_time


def test_the_ocr_page_cap_is_checked_before_each_page():
    ocr = Ocr(Budget(None), max_pages=2, dpi=300, max_pixels=1, lang="vie")
    ocr.pages = 2
    assert not ocr.can_start_page() and "page limit" in ocr.stopped
