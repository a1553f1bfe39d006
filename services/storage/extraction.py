"""Running text extraction off the eventlet hub.

Parsing a PDF is CPU work: in a worker it would starve the hub (heartbeats stop,
the broker redelivers, the work runs twice). So each extraction runs in a child
process (``extract_worker``) started with eventlet's green ``subprocess``: the hub
keeps serving while the child parses, and a hostile file can only exhaust the
child's own limits — a wall-clock timeout here (EXTRACTION_TIMEOUT_SECONDS), an
address-space limit (RLIMIT_AS) and page/character caps there.

Whatever happens (timeout, crash, corrupt file) the result is a status the service
records: never an exception that would lose the file's outcome.

Kinds extracted now: pdf, docx, txt. doc, xls, xlsx, odt, images and OCR of scanned
PDFs (Tesseract ``vie``) answer ``none`` until a later issue adds them.
"""
from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass

import eventlet
from eventlet.green import subprocess

from services.storage.extract_worker import (DEFAULT_MAX_CHARS, DEFAULT_MAX_PAGES,
                                             DEFAULT_MEMORY_MB)

#: Kinds the worker turns into text today.
EXTRACTABLE_KINDS = frozenset({"pdf", "docx", "txt"})
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


@dataclass(frozen=True)
class ExtractionResult:
    status: str                 # ok | empty | failed | none
    text: str = ""
    method: str | None = None   # "text" (later also "ocr")
    error: str | None = None
    truncated: bool = False
    pages: int | None = None

    @property
    def length(self) -> int:
        return len(self.text)


def failed(reason: str) -> ExtractionResult:
    return ExtractionResult(status="failed", error=reason[:1000])


def run_extraction(path: str, kind: str, timeout: float,
                   memory_mb: int = DEFAULT_MEMORY_MB,
                   max_pages: int = DEFAULT_MAX_PAGES,
                   max_chars: int = DEFAULT_MAX_CHARS) -> ExtractionResult:
    """Extract the text of the file at ``path`` (of ``kind``) in a child process."""
    if kind not in EXTRACTABLE_KINDS:
        return ExtractionResult(status="none")
    command = [sys.executable, "-m", "services.storage.extract_worker",
               os.path.abspath(path), kind, "--memory-mb", str(int(memory_mb)),
               "--max-pages", str(int(max_pages)), "--max-chars", str(int(max_chars))]
    try:
        process = subprocess.Popen(command, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   cwd=ROOT, close_fds=True)
    except OSError as exc:
        return failed(f"could not start the extraction worker: {exc}")
    deadline = eventlet.Timeout(timeout)
    try:
        stdout, stderr = process.communicate()
    except eventlet.Timeout as exc:
        if exc is not deadline:
            raise
        process.kill()
        process.wait()
        return failed(f"extraction timed out after {timeout:g} s")
    except BaseException:
        process.kill()
        process.wait()
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
                            pages=answer.get("pages"))
