"""Progress of a running extraction: the worker's ``PROGRESS <done> <total>`` lines on
stderr, how the parent reads them while the child runs (both pipes at once) and
throttles what it hands on to at most one write a second."""
import io
import logging

import pytest

from services.storage import extraction
from services.storage.extraction import (ProgressThrottle, _ChildOutput, parse_progress,
                                         run_extraction)
from services.storage.extractors import docx, pdf
from tests.unit.storage.helpers import read
from tests.unit.storage.samples import DOCX_FIXTURE, PDF_FIXTURE


# ---------------------------------------------------------------- the lines

@pytest.mark.parametrize("line, expected", [
    (b"PROGRESS 0 3", (0, 3)),
    (b"PROGRESS 2 3", (2, 3)),
    (b"PROGRESS 3 3\r", (3, 3)),
    (b"PROGRESS 0 0", (0, 0)),              # a PDF without pages
    (b"PROGRESS 4 3", None),                # more done than there is to do
    (b"PROGRESS -1 3", None),
    (b"PROGRESS 1", None),
    (b"PROGRESS 1 2 3", None),
    (b"PROGRESS 1234567890 1234567890", None),
    (b" PROGRESS 1 2", None),
    (b"progress 1 2", None),
    (b"Traceback (most recent call last):", None),
    (b"", None),
])
def test_only_well_formed_progress_lines_are_progress(line, expected):
    assert parse_progress(line) == expected


class Chunks(io.RawIOBase):
    """A pipe giving its bytes in the chunks a child happened to write them in."""

    def __init__(self, *chunks):
        self.chunks = list(chunks)

    def read(self, size=-1):
        return self.chunks.pop(0) if self.chunks else b""


def test_the_child_output_keeps_the_latest_progress_and_the_tail_of_the_rest():
    output = _ChildOutput()
    output.read(Chunks(b"PROGRESS 0 3\nPROG", b"RESS 1 3\n" + b"x" * 5000,
                       b"\nPROGRESS 2 3\nWarning: odd", b" font\nPROGRESS 3 3"))
    assert output.closed and output.progress == (3, 3)
    assert output.diagnostics().endswith("x\n\nWarning: odd font")
    assert "PROGRESS" not in bytes(output.tail).decode()   # a crash's reason is not it
    assert output.changed.qsize() == 1               # many changes, one wake-up


def test_a_line_too_long_to_be_progress_is_kept_as_diagnostics():
    output = _ChildOutput()
    output.read(Chunks(b"PROGRESS 1 2 " + b"9" * 70_000 + b"\nMemoryError\n"))
    assert output.progress is None
    assert output.diagnostics().endswith("MemoryError")
    assert len(output.tail) <= extraction.STDERR_TAIL_BYTES


# ---------------------------------------------------------------- throttling

class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self):
        return self.now


def test_progress_is_written_at_once_then_at_most_once_a_second_the_newest_only():
    clock, written = Clock(), []
    throttle = ProgressThrottle(lambda done, total: written.append((done, total)),
                                interval=1.0, clock=clock)
    assert throttle.due_in() is None
    throttle.update(0, 40)
    assert written == [(0, 40)]                      # the first: at once
    for done in range(1, 6):                         # fast pages: held back
        clock.now += 0.125
        throttle.update(done, 40)
    assert written == [(0, 40)]
    assert throttle.due_in() == 0.375                # when the caller should look again
    clock.now += 0.375
    throttle.flush_if_due()
    assert written == [(0, 40), (5, 40)]             # the newest, the others skipped
    assert throttle.due_in() is None
    clock.now += 5
    throttle.update(5, 40)                           # nothing new: nothing written
    throttle.flush_if_due()
    assert written == [(0, 40), (5, 40)]
    throttle.update(6, 40)                           # a slow page: written when it comes
    assert written == [(0, 40), (5, 40), (6, 40)]


def test_a_failing_progress_write_is_logged_and_costs_nothing_else(caplog):
    calls = []

    def broken(done, total):
        calls.append(done)
        raise RuntimeError("database is locked")

    clock = Clock()
    throttle = ProgressThrottle(broken, interval=1.0, clock=clock)
    with caplog.at_level(logging.WARNING, logger=extraction.__name__):
        throttle.update(1, 3)
        clock.now += 1
        throttle.update(2, 3)
    assert calls == [1, 2]
    assert "could not record extraction progress 1/3" in caplog.text


# ---------------------------------------------------------------- the worker

def test_the_extractors_report_each_page_of_a_pdf_and_a_document_read_in_one_go():
    whole, capped, document = [], [], []
    read(pdf, PDF_FIXTURE, max_pages=500, max_chars=2_000_000,
         progress=lambda done, total: whole.append((done, total)))
    assert whole == [(done, 8) for done in range(9)]
    read(pdf, PDF_FIXTURE, max_pages=3, max_chars=2_000_000,
         progress=lambda done, total: capped.append((done, total)))
    assert capped == [(0, 3), (1, 3), (2, 3), (3, 3)]   # the pages to read: within the cap
    read(docx, DOCX_FIXTURE, max_pages=500, max_chars=2_000_000,
         progress=lambda done, total: document.append((done, total)))
    assert document == [(0, 1), (1, 1)]


def test_the_parent_hears_the_progress_of_the_child_and_still_gets_its_answer():
    heard = []
    result = run_extraction(str(PDF_FIXTURE), "pdf", timeout=30, progress_interval=0,
                            on_progress=lambda done, total: heard.append((done, total)))
    assert result.status == "ok" and result.pages == 8
    assert heard and heard[-1] == (8, 8) and {total for _, total in heard} == {8}


def test_an_answer_larger_than_a_pipe_buffer_does_not_deadlock_the_progress_reading(
        tmp_path):
    """stdout is read while stderr is: a 2 MB answer cannot stall the child."""
    path = tmp_path / "long.txt"
    path.write_text("Công văn số 12/UBND-VP về việc họp giao ban.\n" * 50_000)
    heard = []
    result = run_extraction(str(path), "txt", timeout=30, progress_interval=0,
                            on_progress=lambda done, total: heard.append((done, total)))
    assert result.status == "ok" and result.length > 2_000_000 * 0.9
    assert heard[-1] == (1, 1)
