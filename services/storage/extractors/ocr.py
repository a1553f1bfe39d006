"""Tesseract (``tesseract-ocr`` + ``tesseract-ocr-vie``) over pages and image frames,
within a page cap and the extraction's time budget. Used by pdf (pages without a
text layer) and images."""
from __future__ import annotations

import time

from services.storage.extractors.limits import Budget
from services.storage.extractors.sandbox import run_tool

#: Rendering or reading one page may take at most this long (a page built to stall
#: pdftoppm or Tesseract costs this, not the whole budget).
OCR_PAGE_SECONDS = 60.0


class Ocr:
    """Tesseract over pages and frames, within a page cap and the time budget."""

    def __init__(self, budget: Budget, max_pages: int, dpi: int, max_pixels: int,
                 lang: str):
        self.budget = budget
        self.max_pages = max_pages
        self.dpi = dpi
        self.max_pixels = max_pixels
        self.lang = lang
        self.pages = 0          # pages OCR'd
        self.seconds = 0.0      # their total wall time
        self.stopped: str | None = None   # why OCR stopped early
        self.out_of_time = False
        self.used = False       # some of the text came from OCR
        self.errors: list[str] = []

    def can_start_page(self) -> bool:
        """False (and ``stopped`` says why) once the cap or the time budget is reached.
        A page is started only if it should finish: the average page so far fits."""
        if self.stopped:
            return False
        if self.pages >= self.max_pages:
            self.stopped = f"OCR page limit reached ({self.max_pages} pages)"
        else:
            expected = self.seconds / self.pages if self.pages else 1.0
            if self.budget.remaining() < expected:
                self.out_of_time = True
                self.stopped = (f"OCR stopped after {self.pages} page(s): time limit "
                                "reached")
        return not self.stopped

    def tool_timeout(self) -> float:
        return min(self.budget.remaining(), OCR_PAGE_SECONDS)

    def read(self, image_file, dpi: float | None) -> str:
        """Tesseract's text of the grey-scale image in ``image_file`` (a file object)."""
        started = time.monotonic()
        command = ["tesseract", "stdin", "stdout", "-l", self.lang, "--psm", "3"]
        if dpi and 50 <= dpi <= 2400:
            command[3:3] = ["--dpi", str(int(round(dpi)))]
        try:
            output, _ = run_tool(command, stdin=image_file,
                                 timeout=self.tool_timeout(), max_output=16 << 20,
                                 package="tesseract-ocr tesseract-ocr-vie")
        finally:
            self.pages += 1
            self.seconds += time.monotonic() - started
        return output.decode("utf-8", errors="replace").strip()

    def notes(self) -> list[str]:
        """Why text may be missing: OCR stopped early, pages that could not be read."""
        return ([self.stopped] if self.stopped else []) + self.errors
