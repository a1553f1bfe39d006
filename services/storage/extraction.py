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
OCR is tuned with environment variables read at each call: OCR_MAX_PAGES (default
50 pages a file), OCR_DPI (300), OCR_MAX_PIXELS (40 M a page) and OCR_LANG (``vie``).
OCR stops early, keeping what it read, when the next page would not finish before
the timeout: the result is then ``truncated`` and its ``note`` says so. There is no
progress channel in the service: ``pages`` and ``ocr_pages`` of the result (logged
by the service) tell how far a long OCR got.
"""
from __future__ import annotations

import json
import os
import signal
import sys
from dataclasses import dataclass

import eventlet
from eventlet.green import subprocess

from services.storage.extract_worker import (DEFAULT_MAX_CHARS, DEFAULT_MAX_PAGES,
                                             DEFAULT_MEMORY_MB, DEFAULT_OCR_DPI,
                                             DEFAULT_OCR_LANG, DEFAULT_OCR_MAX_PAGES,
                                             DEFAULT_OCR_MAX_PIXELS)

#: Kinds the worker turns into text (xls and xlsx are not).
EXTRACTABLE_KINDS = frozenset({"pdf", "docx", "doc", "odt", "png", "jpeg", "tiff", "txt"})
#: The child stops starting OCR pages this long before the timeout, to answer in time.
TIME_MARGIN_SECONDS = 3.0
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass(frozen=True)
class ExtractionResult:
    status: str                 # ok | empty | failed | none
    text: str = ""
    method: str | None = None   # "text", or "ocr" when any of the text came from OCR
    error: str | None = None
    truncated: bool = False
    pages: int | None = None    # pages of a PDF, frames of an image
    ocr_pages: int = 0          # how many of them were OCR'd
    note: str | None = None     # why text is missing although ok (OCR cap, time limit)

    @property
    def length(self) -> int:
        return len(self.text)


def failed(reason: str) -> ExtractionResult:
    return ExtractionResult(status="failed", error=reason[:1000])


def _env_int(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name) or default)
    except ValueError:
        return default
    return value if value > 0 else default


def ocr_settings() -> dict:
    """OCR limits from the environment (see the module's docstring)."""
    return {"ocr_max_pages": _env_int("OCR_MAX_PAGES", DEFAULT_OCR_MAX_PAGES),
            "ocr_dpi": _env_int("OCR_DPI", DEFAULT_OCR_DPI),
            "ocr_max_pixels": _env_int("OCR_MAX_PIXELS", DEFAULT_OCR_MAX_PIXELS),
            "ocr_lang": os.environ.get("OCR_LANG") or DEFAULT_OCR_LANG}


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
                   ocr_max_pages: int | None = None, ocr_dpi: int | None = None,
                   ocr_max_pixels: int | None = None,
                   ocr_lang: str | None = None) -> ExtractionResult:
    """Extract the text of the file at ``path`` (of ``kind``) in a child process.
    OCR limits not given come from ``ocr_settings()``."""
    if kind not in EXTRACTABLE_KINDS:
        return ExtractionResult(status="none")
    ocr = ocr_settings()
    given = {"ocr_max_pages": ocr_max_pages, "ocr_dpi": ocr_dpi,
             "ocr_max_pixels": ocr_max_pixels, "ocr_lang": ocr_lang}
    ocr.update({key: value for key, value in given.items() if value is not None})
    budget = max(timeout - min(TIME_MARGIN_SECONDS, timeout * 0.2), 0.0)
    command = [sys.executable, "-m", "services.storage.extract_worker",
               os.path.abspath(path), kind, "--memory-mb", str(int(memory_mb)),
               "--max-pages", str(int(max_pages)), "--max-chars", str(int(max_chars)),
               "--time-budget", f"{budget:.3f}",
               "--ocr-max-pages", str(int(ocr["ocr_max_pages"])),
               "--ocr-dpi", str(int(ocr["ocr_dpi"])),
               "--ocr-max-pixels", str(int(ocr["ocr_max_pixels"])),
               "--ocr-lang", str(ocr["ocr_lang"])]
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   cwd=ROOT, close_fds=True, start_new_session=True)
    except OSError as exc:
        return failed(f"could not start the extraction worker: {exc}")
    deadline = eventlet.Timeout(timeout)
    try:
        stdout, stderr = process.communicate()
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
    try:
        answer = json.loads(stdout.decode("utf-8")) if stdout else None
    except ValueError:
        answer = None
    if not isinstance(answer, dict) or answer.get("status") not in ("ok", "empty", "none",
                                                                    "failed"):
        tail = stderr.decode("utf-8", "replace").strip()[-500:]
        return failed(f"extraction worker exited with code {process.returncode}"
                      + (f": {tail}" if tail else ""))
    if answer["status"] == "failed":
        return failed(str(answer.get("error") or "extraction failed"))
    return ExtractionResult(status=answer["status"], text=answer.get("text") or "",
                            method=answer.get("method"), error=None,
                            truncated=bool(answer.get("truncated")),
                            pages=answer.get("pages"),
                            ocr_pages=int(answer.get("ocr_pages") or 0),
                            note=answer.get("note"))
