"""The limits one extraction runs within (pages, characters, time, OCR), and the two
things that keep to them while extractors read: the text collected so far and the
time left."""
from __future__ import annotations

import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from services.common.config import (DEFAULT_OCR_DPI, DEFAULT_OCR_LANG, DEFAULT_OCR_MAX_PAGES,
                                    DEFAULT_OCR_MAX_PIXELS)

DEFAULT_MAX_PAGES = 500
DEFAULT_MAX_CHARS = 2_000_000
#: CPU seconds of the child (RLIMIT_CPU), a backstop to the parent's wall-clock
#: timeout; also the time an extraction without a budget may take.
CPU_SECONDS = 600

#: ``progress(done, total)``: pages done of the pages to read.
Progress = Callable[[int, int], None]


def no_progress(done: int, total: int) -> None:
    """Where progress goes when nobody listens (an extraction run in-process)."""


@dataclass(frozen=True)
class Limits:
    """Text stops at ``max_pages`` pages and ``max_chars`` characters; the extraction
    has ``time_budget`` seconds of wall time (None: CPU_SECONDS). OCR reads at most
    ``ocr_max_pages`` pages, renders scans at up to ``ocr_dpi``, hands Tesseract at
    most ``ocr_max_pixels`` a page and reads ``ocr_lang``. The OCR defaults are the
    deployment's settings' (OCR_MAX_PAGES, OCR_DPI, OCR_MAX_PIXELS, OCR_LANG)."""

    max_pages: int = DEFAULT_MAX_PAGES
    max_chars: int = DEFAULT_MAX_CHARS
    time_budget: float | None = None
    ocr_max_pages: int = DEFAULT_OCR_MAX_PAGES
    ocr_dpi: int = DEFAULT_OCR_DPI
    ocr_max_pixels: int = DEFAULT_OCR_MAX_PIXELS
    ocr_lang: str = DEFAULT_OCR_LANG


class Budget:
    """The wall-clock time left for this extraction (the parent kills at its timeout).
    Monotonic time: it measures a duration, it decides nothing about dates."""

    def __init__(self, seconds: float | None):
        self.deadline = None if seconds is None else time.monotonic() + max(seconds, 0.0)

    def remaining(self) -> float:
        if self.deadline is None:
            return float(CPU_SECONDS)
        return max(self.deadline - time.monotonic(), 0.0)


class Collector:
    """The text read so far, within the character cap."""

    def __init__(self, max_chars: int):
        self.max_chars = max_chars
        self.parts: list[str] = []
        self.length = 0
        self.truncated = False  # some text is missing (this cap, a page cap, OCR's caps)
        self.full = False       # the character cap is reached: nothing more is taken

    def add(self, text: str) -> bool:
        """Append ``text``; False once the character cap is reached. (Only that cap
        stops the adding: pages before a page cap or after a page OCR skipped still
        count.)"""
        # PostgreSQL text cannot hold NUL; Vietnamese may arrive decomposed (NFD)
        text = unicodedata.normalize("NFC", text.replace("\x00", "").replace("\f", "\n"))
        if not text:
            return True
        room = self.max_chars - self.length
        if len(text) > room:
            text = text[:max(room, 0)]
            self.truncated = self.full = True
        self.parts.append(text)
        self.length += len(text)
        return not self.full

    def text(self) -> str:
        return "\n".join(self.parts)
