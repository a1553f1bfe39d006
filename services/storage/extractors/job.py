"""One extraction under way, and the frame every extractor runs in.

An extractor is a ``read(job)`` function of its kind's module (pdf, images, docx, doc,
odt, plain): it adds text to ``job.text`` within ``job.limits``, tells ``job.progress``
how far it got, and returns the page (or frame) count where its kind has pages. It
raises ExtractionFailed with the reason to record; ``run`` turns that, and the text
read, into the typed ``Extraction``."""
from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from services.storage.extractors.limits import Budget, Collector, Limits, Progress, no_progress
from services.storage.extractors.ocr import Ocr
from services.storage.extractors.result import EMPTY, OK, Extraction, failed
from services.storage.extractors.sandbox import ExtractionFailed


@dataclass
class Job:
    path: str               # absolute
    kind: str
    limits: Limits
    text: Collector
    budget: Budget
    ocr: Ocr
    progress: Progress

    @classmethod
    def start(cls, path: str, kind: str, limits: Limits,
              progress: Progress = no_progress) -> Job:
        budget = Budget(limits.time_budget)
        return cls(path=os.path.abspath(path), kind=kind, limits=limits,
                   text=Collector(limits.max_chars), budget=budget,
                   ocr=Ocr(budget, limits.ocr_max_pages, limits.ocr_dpi,
                           limits.ocr_max_pixels, limits.ocr_lang),
                   progress=progress)


@dataclass(frozen=True)
class Extractor:
    """How a kind is read. ``by_ocr``: all its text is OCR's (images);
    ``in_one_go``: read whole, its progress is 0/1 then 1/1 (docx, doc, odt, txt)."""

    read: Callable[[Job], int | None]
    by_ocr: bool = False
    in_one_go: bool = False


def run(extractor: Extractor, path: str, kind: str, limits: Limits = Limits(),
        progress: Progress = no_progress) -> Extraction:
    """The text of the file at ``path`` read by ``extractor``. Whatever stops it — a
    reason the extractor gives, a parser's exception, a missing file — is a ``failed``
    result with the reason; only MemoryError and ImportError (RLIMIT_AS reached, told
    apart by ``extract_worker``) are left to the caller."""
    job = Job.start(path, kind, limits, progress)
    try:
        with open(job.path, "rb"):  # FileNotFoundError or PermissionError, whatever kind
            pass
        if extractor.in_one_go:
            progress(0, 1)
        pages = extractor.read(job)
        if extractor.in_one_go:
            progress(1, 1)
    except ExtractionFailed as exc:
        return failed(str(exc))
    except (MemoryError, ImportError):
        raise
    except Exception as exc:  # noqa: BLE001 - any parser failure is a recorded outcome
        return failed(f"{type(exc).__name__}: {exc}")
    text = job.text.text().strip()
    notes = "; ".join(job.ocr.notes())[:1000]
    if not text and (job.ocr.errors or job.ocr.out_of_time):
        # nothing read because OCR broke or ran out of time: a failure, not an empty
        # document (pages OCR'd blank up to the page cap are empty, though)
        return failed(notes)
    return Extraction(status=OK if text else EMPTY, text=text,
                      method="ocr" if job.ocr.used or extractor.by_ocr else "text",
                      pages=pages, ocr_pages=job.ocr.pages, truncated=job.text.truncated,
                      note=notes or None, error=None)
