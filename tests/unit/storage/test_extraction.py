"""Text extraction in a child process, on real documents, with its limits; the caps
and plain text by their extractor modules in this process."""
import json
import os
import shutil
import time

import pytest

from services.storage.extraction import failure_message, run_extraction
from services.storage.extractors import pdf, plain
from services.storage.extractors.result import Extraction
from tests.unit.storage.helpers import read
from tests.unit.storage.samples import DOCX_FIXTURE, DOCX_WORD, FIXTURES, PDF_FIXTURE, PDF_WORD

#: 28 pages of the Official Gazette: long enough a parse to watch the hub during it
GAZETTE_PDF = FIXTURES / "hien_phap_2013_cong_bao.pdf"


def test_the_text_layer_of_a_real_pdf_is_extracted():
    result = run_extraction(str(PDF_FIXTURE), "pdf", timeout=30)
    assert result.status == "ok", result.error
    assert PDF_WORD in result.text
    assert result.method == "text" and result.pages == 8 and not result.truncated


def test_the_text_of_a_real_docx_is_extracted():
    result = run_extraction(str(DOCX_FIXTURE), "docx", timeout=30)
    assert result.status == "ok", result.error
    assert DOCX_WORD in result.text
    assert "Án lệ số 17/2018/AL" in result.text


def test_plain_text_is_decoded(tmp_path):
    path = tmp_path / "a.txt"
    path.write_bytes("\ufeffHọp giao ban tuần.\n".encode())
    result = read(plain, path, "txt")
    assert (result.status, result.text) == ("ok", "Họp giao ban tuần.")


def test_a_blank_text_file_is_empty_not_failed(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text("  \n\n ")
    assert read(plain, path, "txt").status == "empty"


def test_the_character_cap_truncates_the_text():
    result = read(pdf, PDF_FIXTURE, max_chars=100)
    assert result.status == "ok" and result.truncated and len(result.text) <= 100


def test_the_page_cap_stops_at_the_first_pages():
    result = read(pdf, PDF_FIXTURE, max_pages=1)
    assert result.truncated and "ÁN LỆ SỐ 57/2023" in result.text


def test_the_page_cap_keeps_every_page_before_it():
    """Not the first page only (as it did, the cap's truncation stopping the reading)."""
    one, three, whole = (read(pdf, PDF_FIXTURE, max_pages=pages) for pages in (1, 3, 500))
    assert one.truncated and three.truncated and not whole.truncated
    assert len(one.text) < len(three.text) < len(whole.text)
    assert whole.text.startswith(three.text) and three.text.startswith(one.text)


def without_pdfinfo(tmp_path, monkeypatch):
    """A pdfinfo that fails: a reading that needs it fails."""
    stand_in(tmp_path, monkeypatch, "pdfinfo", "echo 'pdfinfo was run' >&2\nexit 3\n")


def test_a_pdf_read_whole_is_counted_from_its_page_breaks_without_pdfinfo(
        tmp_path, monkeypatch):
    without_pdfinfo(tmp_path, monkeypatch)
    result = read(pdf, PDF_FIXTURE, max_pages=500)
    assert result.pages == 8 and not result.truncated and "ÁN LỆ SỐ 57/2023" in result.text


def test_a_pdf_read_up_to_the_page_cap_takes_its_page_count_from_pdfinfo(
        tmp_path, monkeypatch):
    assert read(pdf, PDF_FIXTURE, max_pages=8).pages == 8     # exactly the cap: no cut
    assert not read(pdf, PDF_FIXTURE, max_pages=8).truncated
    assert read(pdf, PDF_FIXTURE, max_pages=3).pages == 8
    without_pdfinfo(tmp_path, monkeypatch)
    assert read(pdf, PDF_FIXTURE, max_pages=3).status == "failed"


@pytest.mark.parametrize("kind", ["xls", "xlsx"])
def test_spreadsheets_are_not_extracted_and_answer_none_without_a_worker(kind, tmp_path):
    assert run_extraction(str(tmp_path / "missing"), kind, timeout=30).status == "none"


def test_the_childs_answer_reads_back_as_the_same_result():
    """What the worker prints (JSON) is what the service gets: every field, typed."""
    sent = Extraction(status="ok", text="Công văn số 12", method="ocr", truncated=True,
                      pages=3, ocr_pages=2, note="OCR page limit reached (2 pages)")
    answer = json.loads(json.dumps(sent.as_answer(), ensure_ascii=False))
    assert Extraction.from_answer(answer) == sent
    assert Extraction.from_answer({"status": "failed", "error": "x" * 2000}).error == "x" * 1000
    assert Extraction.from_answer({"status": "done"}) is None
    assert Extraction.from_answer(["ok"]) is None


def test_a_corrupt_pdf_is_recorded_as_failed_with_its_reason(tmp_path):
    path = tmp_path / "hong.pdf"
    path.write_bytes(b"%PDF-1.7\n" + b"\x13\x37garbage" * 200)
    result = run_extraction(str(path), "pdf", timeout=30)
    assert result.status == "failed" and result.error


def stand_in(tmp_path, monkeypatch, name: str, script: str) -> None:
    """A shell script named ``name``, first on PATH for the extraction."""
    folder = tmp_path / "bin"
    folder.mkdir(exist_ok=True)
    tool = folder / name
    tool.write_text("#!/bin/sh\n" + script)
    tool.chmod(0o755)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")


def test_an_extraction_over_the_time_limit_is_killed_and_recorded_as_failed(
        tmp_path, monkeypatch):
    # a pdftotext that never finishes (the real one reads the fixture within any limit
    # worth testing with)
    stand_in(tmp_path, monkeypatch, "pdftotext", "exec /bin/sleep 30\n")
    started = time.monotonic()
    result = run_extraction(str(PDF_FIXTURE), "pdf", timeout=0.5)
    assert result.status == "failed"
    assert failure_message(result.error)["en"] == \
        "Reading the file's text took longer than allowed."
    assert time.monotonic() - started < 10


def test_an_extraction_over_the_memory_limit_fails_cleanly():
    """RLIMIT_AS turns a memory bomb into a recorded failure, not a dead machine."""
    result = run_extraction(str(DOCX_FIXTURE), "docx", timeout=30, memory_mb=30)
    assert result.status == "failed"
    assert "memory" in result.error or "exited" in result.error


def test_a_missing_file_fails_without_raising(tmp_path):
    result = run_extraction(str(tmp_path / "gone.pdf"), "pdf", timeout=30)
    assert result.status == "failed" and "FileNotFoundError" in result.error


def test_the_pdf_is_not_altered_by_extraction(tmp_path):
    copy = tmp_path / "copy.pdf"
    shutil.copy(PDF_FIXTURE, copy)
    run_extraction(str(copy), "pdf", timeout=30)
    assert copy.read_bytes() == PDF_FIXTURE.read_bytes()


def test_the_eventlet_hub_keeps_serving_while_a_pdf_is_parsed():
    """The child process is waited on cooperatively: other green threads run. Blocked,
    the hub would turn once before the wait and once after; counted in turns rather than
    in a largest gap, the verdict does not move with the machine's load."""
    import time

    import eventlet

    ticks = []

    def ticker():
        while True:
            ticks.append(time.monotonic())
            eventlet.sleep(0.001)

    thread = eventlet.spawn(ticker)
    try:
        eventlet.sleep(0)
        started = time.monotonic()
        assert run_extraction(str(GAZETTE_PDF), "pdf", timeout=30).status == "ok"
        finished = time.monotonic()
    finally:
        thread.kill()
    during = [t for t in ticks if started < t < finished]
    assert len(during) >= 10, f"{len(during)} turns of the hub in {finished - started:.2f} s"


@pytest.mark.parametrize("reason, vi", [
    ("encrypted PDF: it cannot be opened without a password", "Tệp có mật khẩu"),
    ("encrypted ODT: it cannot be opened without a password", "Tệp có mật khẩu"),
    ("zip bomb suspected: over 100,000,000 bytes once inflated", "bom nén"),
    ("not a readable PDF: EOF marker not found", "Tệp bị hỏng"),
    ("ODT content.xml is not well-formed XML: line 1", "Tệp bị hỏng"),
    ("image too large: over 40,000,000 pixels", "Ảnh quá lớn"),
    ("extraction timed out after 120 s", "quá thời gian"),
    ("pdftotext did not finish within 30 s", "quá thời gian"),
    ("gave up after 3 attempts", "nhiều lần"),
    ("extraction worker exited with code -9", "Không đọc được nội dung tệp."),
    (None, "Không đọc được nội dung tệp."),
])
def test_a_failure_is_told_to_people_in_vietnamese_and_english(reason, vi):
    message = failure_message(reason)
    assert vi in message["vi"] and message["en"] and message["en"] != message["vi"]
