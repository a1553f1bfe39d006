"""PDF: the text layer of each page with poppler's ``pdftotext`` (Debian
poppler-utils; measured 10-20 times faster than pypdf on the real fixtures, and it
keeps words whole where pypdf split them, "n ăm" for "năm"); pypdf where poppler-utils
is missing. A page without a text layer (fewer than OCR_MIN_TEXT_CHARS letters/digits:
a scan) is rasterised with ``pdftoppm`` as a grey-scale PGM, at the scan's own
resolution within [OCR_MIN_DPI, the OCR dpi], and read by Tesseract: a PDF with some
scanned pages gets text where present and OCR for the rest. An encrypted PDF that
needs a password fails; one encrypted only to restrict permissions is read.

Progress: pages done (text layer taken, OCR'd or passed over at an OCR limit) of the
first ``max_pages``."""
from __future__ import annotations

import math
import re
import shutil
import tempfile

from services.storage.extractors.job import Extractor, Job
from services.storage.extractors.limits import Progress, no_progress
from services.storage.extractors.ocr import Ocr
from services.storage.extractors.sandbox import ExtractionFailed, need_installed_packages, run_tool

#: A PDF page whose text layer has fewer letters/digits than this is OCR'd.
OCR_MIN_TEXT_CHARS = 10
#: Scans are rendered at their own resolution, within [OCR_MIN_DPI, the OCR dpi]: a
#: 200 dpi scan rendered at 300 dpi only makes Tesseract slower (measured: 3.3 s
#: instead of 1.8 s of CPU a page, with no better text).
OCR_MIN_DPI = 200

_ALNUM = re.compile(r"[^\W_]", re.UNICODE)


def read(job: Job) -> int:
    """The text layer of each page; OCR of the pages without one. The page count."""
    max_pages, ocr, collector = job.limits.max_pages, job.ocr, job.text
    if shutil.which("pdftotext") and shutil.which("pdfinfo"):
        count, pages, cut = _text_poppler(job.path, max_pages, collector.max_chars,
                                          job.budget, job.progress)
    else:
        count, pages, cut = _text_pypdf(job.path, max_pages, ocr, job.progress)
    if cut or count > max_pages:
        collector.truncated = True
    total = min(count, max_pages)
    for index, text in enumerate(pages):
        text = text.strip()
        if len(_ALNUM.findall(text)) < OCR_MIN_TEXT_CHARS and not (cut and index
                                                                   == len(pages) - 1):
            if ocr.can_start_page():
                try:
                    read_by_ocr = _ocr_page(job.path, index + 1, ocr)
                    if read_by_ocr:
                        text, ocr.used = read_by_ocr, True
                except ExtractionFailed as exc:
                    ocr.errors.append(f"page {index + 1}: {exc}")
            else:
                collector.truncated = True
        if text and not collector.add(text):
            break
        job.progress(index + 1, total)
    return count


EXTRACTOR = Extractor(read)


# ---------------------------------------------------------------- text layers

def _poppler_failure(exc: ExtractionFailed) -> ExtractionFailed:
    message = str(exc)
    if "did not finish within" in message or "no time left" in message:
        return exc      # over the time limit, not a damaged file
    if "Incorrect password" in message:
        return ExtractionFailed("encrypted PDF: it cannot be opened without a password")
    return ExtractionFailed(f"not a readable PDF: {message}")


def _text_poppler(path: str, max_pages: int, max_chars: int, budget,
                  progress: Progress = no_progress) -> tuple[int, list[str], bool]:
    """The page count and the text layer of each page (up to ``max_pages``) with
    poppler's pdftotext; whether the text was cut at the output cap. pdftotext ends every
    page with a form feed, so its output gives the count of a PDF it read whole; pdfinfo
    is run only when it may not have (``max_pages`` read, or the output cut): one tool
    less for nearly every PDF (≈ 6 ms of CPU and 10 ms of wall time for a one-page
    letter). Reports 0 pages done of those to read once their count is known."""
    try:
        output, cut = run_tool(
            ["pdftotext", "-enc", "UTF-8", "-f", "1", "-l", str(max_pages), path, "-"],
            timeout=budget.remaining(), max_output=max_chars * 4 + (1 << 20),
            package="poppler-utils")
    except ExtractionFailed as exc:
        raise _poppler_failure(exc)
    pages = output.decode("utf-8", errors="replace").split("\f")
    # when cut, the last page is partial (and has no form feed)
    pages = pages[:-1] if not cut else pages
    count = _page_count(path, budget) if cut or len(pages) >= max_pages else len(pages)
    progress(0, min(count, max_pages))
    return count, pages[:min(count, max_pages)], cut


def _page_count(path: str, budget) -> int:
    try:
        info, _ = run_tool(["pdfinfo", "-enc", "UTF-8", path], timeout=budget.remaining(),
                           max_output=1 << 20, package="poppler-utils")
    except ExtractionFailed as exc:
        raise _poppler_failure(exc)
    found = re.search(rb"^Pages:\s+(\d+)", info, re.MULTILINE)
    return int(found.group(1)) if found else 0


def _open_pypdf(path: str):
    import logging

    need_installed_packages()
    from pypdf import PasswordType, PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    reader = PdfReader(path)
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception as exc:  # noqa: BLE001 - reported to the parent as the reason
            raise ExtractionFailed(f"encrypted PDF: {exc}")
        if opened == PasswordType.NOT_DECRYPTED:
            raise ExtractionFailed("encrypted PDF: it cannot be opened without a password")
    return reader


def _text_pypdf(path: str, max_pages: int, ocr: Ocr,
                progress: Progress = no_progress) -> tuple[int, list[str], bool]:
    """The same with pypdf, where poppler-utils is not installed (no OCR then)."""
    reader = _open_pypdf(path)
    count = len(reader.pages)
    progress(0, min(count, max_pages))
    pages = []
    for index in range(min(count, max_pages)):
        try:
            pages.append(reader.pages[index].extract_text() or "")
        except Exception as exc:  # noqa: BLE001 - an unreadable text layer of one page
            pages.append("")
            ocr.errors.append(f"page {index + 1}: text layer unreadable: "
                              f"{type(exc).__name__}: {exc}"[:300])
    return count, pages, False


# ---------------------------------------------------------------- scanned pages

def _ocr_page(path: str, number: int, ocr: Ocr) -> str:
    """Page ``number`` rendered at its scan's resolution (within the caps) and OCR'd."""
    native = _scan_dpi(path, number, ocr)
    wanted = min(max(native, OCR_MIN_DPI), ocr.dpi) if native else ocr.dpi
    dpi = _page_dpi(path, number, wanted, ocr)
    with tempfile.TemporaryFile() as image:
        render, _ = run_tool(
            ["pdftoppm", "-f", str(number), "-l", str(number), "-r", f"{dpi:.2f}",
             "-gray", "-cropbox", path],
            timeout=ocr.tool_timeout(), max_output=ocr.max_pixels + (1 << 20),
            package="poppler-utils")
        if not render:
            raise ExtractionFailed(f"pdftoppm rendered nothing for page {number}")
        image.write(render)
        del render
        image.seek(0)
        return ocr.read(image, dpi)


def _page_dpi(path: str, number: int, dpi: float, ocr: Ocr) -> float:
    """``dpi``, lowered so that page ``number`` (its crop box, as pdfinfo gives it)
    fits in the OCR pixel cap; an A4 page is assumed when pdfinfo says nothing."""
    area = 595.0 * 842.0                                    # points²
    try:
        info, _ = run_tool(["pdfinfo", "-f", str(number), "-l", str(number), path],
                           timeout=min(ocr.tool_timeout(), 10.0), max_output=1 << 20,
                           package="poppler-utils")
        found = re.search(rb"^Page\s+\d+\s+size:\s+([\d.]+)\s+x\s+([\d.]+)", info,
                          re.MULTILINE)
        if found and float(found.group(1)) * float(found.group(2)) > 0:
            area = float(found.group(1)) * float(found.group(2))
    except (ExtractionFailed, ValueError):
        pass
    fitting = 72.0 * math.sqrt(ocr.max_pixels / area)
    return max(min(float(dpi), fitting), 1.0)


def _scan_dpi(path: str, number: int, ocr: Ocr) -> float | None:
    """The resolution of the largest image on page ``number`` (poppler's pdfimages),
    or None (no image, or pdfimages failed)."""
    try:
        listing, _ = run_tool(["pdfimages", "-list", "-f", str(number), "-l", str(number),
                               path], timeout=min(ocr.tool_timeout(), 10.0),
                              max_output=1 << 20, package="poppler-utils")
    except ExtractionFailed:
        return None
    best = None
    for line in listing.decode("ascii", "replace").splitlines()[2:]:
        fields = line.split()
        # page num type width height color comp bpc enc interp object ID x-ppi y-ppi ...
        if len(fields) >= 14 and fields[2] == "image":
            try:
                area, ppi = int(fields[3]) * int(fields[4]), float(fields[12])
            except ValueError:
                continue
            if best is None or area > best[0]:
                best = (area, ppi)
    return best[1] if best else None
