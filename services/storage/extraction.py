"""Running text extraction off the eventlet hub.

Parsing a PDF or OCR'ing a scan is CPU work: in a worker it would starve the hub
(heartbeats stop, the broker redelivers, the work runs twice). So each extraction
runs in a child process (``extract_worker``) started with eventlet's green
``subprocess``: the hub keeps serving while the child parses, and a hostile file can
only exhaust the child's own limits — a wall-clock timeout here
(EXTRACTION_TIMEOUT_SECONDS; the child's own process group, with the tools it runs,
is killed when it is reached), an address-space limit (RLIMIT_AS), a CPU limit, page,
character, pixel and zip-bomb caps there.

Whatever happens (timeout, crash, corrupt file) the result is a status the service
records: never an exception that would lose the file's outcome.

Kinds extracted: pdf (text layer; OCR of pages without one), docx, doc (antiword),
odt, png/jpeg/tiff (OCR, Tesseract ``vie``) and txt; xls and xlsx answer ``none``.
OCR is tuned by the deployment's settings (``services.common.config``: OCR_MAX_PAGES,
default 50 pages a file, OCR_DPI 300, OCR_MAX_PIXELS 40 M a page, OCR_LANG ``vie``),
which the service passes here (``ocr_options``).
OCR stops early, keeping what it read, when the next page would not finish before
the timeout: the result is then ``truncated`` and its ``note`` says so.

Progress: the child writes ``PROGRESS <done> <total>`` lines on its stderr as it goes
(pages read or OCR'd out of pages to read; 0/1 then 1/1 for the kinds read in one
go). Both pipes are read by green threads while the child runs (stdout, the answer,
may exceed a pipe's buffer: reading one pipe only could deadlock), so the hub keeps
serving; the latest progress goes to ``on_progress`` at most every
PROGRESS_INTERVAL_SECONDS (the service keeps it on the file's row). Other stderr lines
are diagnostics, the tail of which names a crash.
"""
from __future__ import annotations

import ctypes
import json
import logging
import os
import re
import signal
import time
from collections.abc import Callable
from contextlib import contextmanager

import eventlet
import eventlet.semaphore
from eventlet.green import subprocess
from eventlet.queue import Empty, Full, LightQueue

from services.common.config import (DEFAULT_OCR_DPI, DEFAULT_OCR_LANG, DEFAULT_OCR_MAX_PAGES,
                                    DEFAULT_OCR_MAX_PIXELS, Settings)
from services.storage.extract_worker import DEFAULT_MEMORY_MB, PROGRESS_PREFIX, command_line
from services.storage.extractors import EXTRACTABLE_KINDS
from services.storage.extractors.limits import DEFAULT_MAX_CHARS, DEFAULT_MAX_PAGES, Limits
from services.storage.extractors.result import NOT_EXTRACTED, Extraction, failed
from services.storage.extractors.sandbox import scrubbed_env

log = logging.getLogger(__name__)

#: The child stops starting OCR pages this long before the timeout, to answer in time.
TIME_MARGIN_SECONDS = 3.0
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
#: The latest progress is handed on at most this often: a database write a second,
#: not one a page when pages are quick.
PROGRESS_INTERVAL_SECONDS = 1.0
#: A stderr line longer than this is not a progress line (it is kept as diagnostics).
MAX_LINE_BYTES = 4096
#: How much of the child's other stderr output is kept to name a crash.
STDERR_TAIL_BYTES = 8192


#: What a failure's reason (English, kept for administrators) means to the people who
#: attached the file, by words the reason holds: (words, Vietnamese, English).
_FAILURE_MESSAGES = (
    (("encrypted",), "Tệp có mật khẩu nên không đọc được nội dung.",
     "The file is password-protected, so its text cannot be read."),
    (("zip bomb",), "Tệp nén bất thường (nghi là “bom nén”) nên không được đọc, để bảo vệ "
                    "hệ thống.",
     "The file's compression is abnormal (a suspected zip bomb), so it is not read, "
     "to protect the system."),
    (("image too large",), "Ảnh quá lớn để nhận dạng chữ.",
     "The image is too large to read by OCR."),
    (("not a readable", "not a valid", "not an odt", "not well-formed", "content.xml"),
     "Tệp bị hỏng hoặc không đúng định dạng nên không đọc được nội dung.",
     "The file is damaged or not what its type says, so its text cannot be read."),
    (("timed out", "did not finish within", "no time left"),
     "Đọc nội dung tệp quá thời gian cho phép.",
     "Reading the file's text took longer than allowed."),
    (("gave up after",), "Đã thử đọc nội dung nhiều lần nhưng không được.",
     "Reading the file's text failed several times."),
)


def failure_message(reason: str | None) -> dict[str, str]:
    """A failed extraction told to people, in Vietnamese and English: why the file
    cannot be found by its content; the file itself is kept and can be opened."""
    text = (reason or "").lower()
    for words, vi, en in _FAILURE_MESSAGES:
        if any(word in text for word in words):
            return {"vi": vi, "en": en}
    return {"vi": "Không đọc được nội dung tệp.", "en": "The file's text could not be read."}


class ExtractionSlots:
    """At most ``limit`` extractions at once in one storage process
    (MAX_CONCURRENT_EXTRACTIONS): each is a child process that may take hundreds of MB
    and a core, so a burst of uploads waits its turn instead of starting them all."""

    def __init__(self, limit: int):
        self.limit = limit
        self._semaphore = eventlet.semaphore.Semaphore(limit)
        self.running = 0
        self.waiting = 0

    @contextmanager
    def slot(self):
        self.waiting += 1
        try:
            self._semaphore.acquire()
        finally:
            self.waiting -= 1
        self.running += 1
        try:
            yield
        finally:
            self.running -= 1
            self._semaphore.release()


def ocr_options(settings: Settings) -> dict:
    """``run_extraction``'s OCR arguments from the deployment's settings."""
    return {"ocr_max_pages": settings.ocr_max_pages, "ocr_dpi": settings.ocr_dpi,
            "ocr_max_pixels": settings.ocr_max_pixels, "ocr_lang": settings.ocr_lang}


_PROGRESS_LINE = re.compile(re.escape(PROGRESS_PREFIX.encode()) + rb" (\d{1,9}) (\d{1,9})\r?")


def parse_progress(line: bytes) -> tuple[int, int] | None:
    """``(done, total)`` of a child's ``PROGRESS <done> <total>`` line (without its
    newline); None for any other line, or for more done than there is to do."""
    found = _PROGRESS_LINE.fullmatch(line)
    if found is None:
        return None
    done, total = int(found.group(1)), int(found.group(2))
    return (done, total) if done <= total else None


class ProgressThrottle:
    """Hands the latest ``(done, total)`` on to ``write`` at most every ``interval``
    seconds: the first at once, later ones when the interval since the last write has
    passed — the newest then, those in between are skipped. ``due_in`` tells a caller
    that waits for more when the one held back is due. A failing ``write`` is logged
    and skipped: progress never costs an extraction its outcome."""

    def __init__(self, write: Callable[[int, int], None],
                 interval: float = PROGRESS_INTERVAL_SECONDS,
                 clock: Callable[[], float] = time.monotonic):
        self.write = write
        self.interval = interval
        self.clock = clock
        self.written: tuple[int, int] | None = None   # the last handed on
        self.held: tuple[int, int] | None = None      # a newer one, not yet handed on
        self.last_write: float | None = None

    def update(self, done: int, total: int) -> None:
        self.held = None if (done, total) == self.written else (done, total)
        self.flush_if_due()

    def due_in(self) -> float | None:
        """Seconds until the progress held back is due (0: now); None if none is."""
        if self.held is None:
            return None
        if self.last_write is None:
            return 0.0
        return max(self.last_write + self.interval - self.clock(), 0.0)

    def flush_if_due(self) -> None:
        if self.held is None or self.due_in() > 0.0:
            return
        value, self.held = self.held, None
        self.written, self.last_write = value, self.clock()
        try:
            self.write(*value)
        except Exception:  # noqa: BLE001 - progress is best effort; the outcome is not
            log.warning("could not record extraction progress %s/%s", *value,
                        exc_info=True)


class _ChildOutput:
    """What a green thread reads from the child's stderr while it runs: the latest
    progress, and the tail of everything else. ``changed`` holds one token when
    something new arrived (or the pipe closed) since the last look."""

    def __init__(self):
        self.progress: tuple[int, int] | None = None
        self.tail = bytearray()
        self.closed = False
        self.changed = LightQueue(maxsize=1)

    def _take(self, line: bytes) -> None:
        parsed = parse_progress(line) if len(line) <= MAX_LINE_BYTES else None
        if parsed is not None:
            self.progress = parsed
        else:
            self.tail += line + b"\n"
            del self.tail[:-STDERR_TAIL_BYTES]

    def _signal(self) -> None:
        try:
            self.changed.put_nowait(True)
        except Full:
            pass            # a token is already waiting

    def read(self, pipe) -> None:
        partial = b""
        try:
            while True:
                chunk = pipe.read(65536)
                if not chunk:
                    break
                *lines, partial = (partial + chunk).split(b"\n")
                if len(partial) > MAX_LINE_BYTES:      # no progress line is this long
                    lines.append(partial)
                    partial = b""
                for line in lines:
                    self._take(line)
                self._signal()
            if partial:
                self._take(partial)
        finally:
            self.closed = True
            self._signal()

    def diagnostics(self) -> str:
        return bytes(self.tail).decode("utf-8", "replace").strip()[-500:]


PR_SET_DUMPABLE = 4   # linux/prctl.h


def hide_environment_from_children() -> bool:
    """Make this process non-dumpable, so that a process of the same Unix user — the
    extraction child, or a tool it runs, taken over by a hostile file — can neither read
    this process's ``/proc/<pid>/environ`` (where the deployment's secrets are) nor
    ptrace it. The child's own environment is scrubbed (scrubbed_env); this closes the
    way round. True if done (Linux only). Costs: no core dumps of storage."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def _kill(process) -> None:
    """Kill the child and whatever it started (pdftoppm, tesseract): its own group."""
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        process.kill()
    process.wait()


def run_extraction(path: str, kind: str, timeout: float,
                   memory_mb: int = DEFAULT_MEMORY_MB,
                   max_pages: int = DEFAULT_MAX_PAGES,
                   max_chars: int = DEFAULT_MAX_CHARS,
                   ocr_max_pages: int = DEFAULT_OCR_MAX_PAGES,
                   ocr_dpi: int = DEFAULT_OCR_DPI,
                   ocr_max_pixels: int = DEFAULT_OCR_MAX_PIXELS,
                   ocr_lang: str = DEFAULT_OCR_LANG,
                   on_progress: Callable[[int, int], None] | None = None,
                   progress_interval: float | None = None) -> Extraction:
    """Extract the text of the file at ``path`` (of ``kind``) in a child process.
    ``on_progress(done, total)`` is called, from this green thread, with the child's
    latest progress at most every ``progress_interval`` seconds (by default
    PROGRESS_INTERVAL_SECONDS) while it runs."""
    if kind not in EXTRACTABLE_KINDS:
        return NOT_EXTRACTED
    budget = max(timeout - min(TIME_MARGIN_SECONDS, timeout * 0.2), 0.0)
    limits = Limits(max_pages=max_pages, max_chars=max_chars, time_budget=budget,
                    ocr_max_pages=ocr_max_pages, ocr_dpi=ocr_dpi,
                    ocr_max_pixels=ocr_max_pixels, ocr_lang=ocr_lang)
    command = command_line(path, kind, limits, memory_mb)
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   cwd=ROOT, close_fds=True, start_new_session=True,
                                   env=scrubbed_env())
    except OSError as exc:
        return failed(f"could not start the extraction worker: {exc}")
    deadline = eventlet.Timeout(timeout)
    output = _ChildOutput()
    throttle = ProgressThrottle(on_progress or (lambda done, total: None),
                                PROGRESS_INTERVAL_SECONDS if progress_interval is None
                                else progress_interval)
    stdout_reader = eventlet.spawn(process.stdout.read)
    stderr_reader = eventlet.spawn(output.read, process.stderr)
    try:
        while not output.closed:
            try:
                output.changed.get(timeout=throttle.due_in())
            except Empty:
                pass
            if output.progress is not None:
                throttle.update(*output.progress)
            throttle.flush_if_due()
        stdout = stdout_reader.wait()
        process.wait()
    except eventlet.Timeout as exc:
        if exc is not deadline:
            raise
        _kill(process)
        return failed(f"extraction timed out after {timeout:g} s")
    except BaseException:
        _kill(process)
        raise
    finally:
        deadline.cancel()
        stdout_reader.kill()
        stderr_reader.kill()
    try:
        answer = json.loads(stdout.decode("utf-8")) if stdout else None
    except ValueError:
        answer = None
    result = Extraction.from_answer(answer)
    if result is None:
        tail = output.diagnostics()
        return failed(f"extraction worker exited with code {process.returncode}"
                      + (f": {tail}" if tail else ""))
    return result
