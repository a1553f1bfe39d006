"""Text extraction in a child process (``extraction.py`` starts it), so parsing never
blocks the service's eventlet hub and a hostile file can only hurt this process:

    python -m services.storage.extract_worker PATH KIND [--memory-mb N]
        [--max-pages N] [--max-chars N] [--time-budget SECONDS]
        [--ocr-max-pages N] [--ocr-dpi N] [--ocr-max-pixels N] [--ocr-lang LANG]

Reports progress on stderr while it works, one line at a time (other lines there are
diagnostics): ``PROGRESS <done> <total>``, pages done (read by their text layer or
OCR, or passed over at an OCR limit) out of the pages to read (of a PDF, up to
``--max-pages``; of an image, its frames up to ``--ocr-max-pages``), or, for the kinds
read in one go (docx, doc, odt, txt), ``0 1`` then ``1 1``.

Prints one JSON object on stdout:
``{"status": "ok"|"empty"|"none"|"failed", "text": str, "method": "text"|"ocr",
"pages": int|null, "ocr_pages": int, "truncated": bool, "note": str|null,
"error": str|null}``. ``method`` is ``ocr`` when any of the text came from OCR;
``ocr_pages`` counts the pages (or image frames) OCR'd; ``note`` says why text is
missing although the status is ``ok`` (OCR page cap or time budget reached, a page
that could not be read).

Kinds:

- pdf: the text layer of each page with poppler's ``pdftotext`` (Debian
  poppler-utils; measured 10-20 times faster than pypdf on the real fixtures, and it
  keeps words whole where pypdf split them, "n ăm" for "năm"); pypdf where
  poppler-utils is missing. A page without a text layer (fewer than
  OCR_MIN_TEXT_CHARS letters/digits: a scan) is rasterised with ``pdftoppm`` as a
  grey-scale PGM, at the scan's own resolution within [OCR_MIN_DPI, ``--ocr-dpi``],
  and read by Tesseract (``tesseract-ocr`` + ``tesseract-ocr-vie``): a PDF with some
  scanned pages gets text where present and OCR for the rest. An encrypted PDF that
  needs a password fails; one encrypted only to restrict permissions is read.
- docx: python-docx, paragraphs and tables in document order.
- doc (Word 97-2003 binary): ``antiword -m UTF-8.txt`` (Debian ``antiword``), its
  output normalised to NFC (old converters wrote decomposed Vietnamese diacritics).
- odt: ``content.xml`` parsed with defusedxml (no DTD, no entity expansion):
  headings, paragraphs, lists, tables, notes and text boxes in document order.
- png, jpeg, tiff (every frame of a multi-page fax TIFF): Pillow decodes (refusing
  more than IMAGE_MAX_PIXELS: a decompression bomb) and hands Tesseract a grey-scale
  PGM scaled down to at most ``--ocr-max-pixels``.
- txt: UTF-8.
- xls, xlsx: ``none`` (not extracted).

Limits: the address space is capped with RLIMIT_AS (a memory bomb ends in
MemoryError, not in the machine swapping), CPU time with RLIMIT_CPU as a backstop to
the parent's wall-clock timeout; both are inherited by the tools run here
(antiword, poppler's tools, tesseract), whose output files are capped with
RLIMIT_FSIZE and whose run time is bounded by what remains of ``--time-budget`` (and
OCR_PAGE_SECONDS a page). A DOCX/ODT whose ZIP
directory declares more than ZIP_MAX_TOTAL_BYTES or ZIP_MAX_MEMBERS, or a member
inflating more than ZIP_MAX_RATIO times, is refused before any member is read (a zip
bomb). Text stops at ``--max-pages`` pages and ``--max-chars`` characters; OCR stops at
``--ocr-max-pages`` pages, and before a page that would not finish within the time
budget: the text read so far is kept, ``truncated`` is set and ``note`` says why.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import unicodedata
import zipfile

from services.common.config import (DEFAULT_OCR_DPI, DEFAULT_OCR_LANG, DEFAULT_OCR_MAX_PAGES,
                                    DEFAULT_OCR_MAX_PIXELS)

DEFAULT_MEMORY_MB = 1536
DEFAULT_MAX_PAGES = 500
DEFAULT_MAX_CHARS = 2_000_000
CPU_SECONDS = 600

# DEFAULT_OCR_* (pages OCR'd per file; the resolution scanned PDF pages are rasterised
# at, Tesseract reading best at ~300 dpi; the largest image handed to Tesseract, bigger
# ones scaled down to it; its language) are the defaults of the deployment's settings
# OCR_MAX_PAGES, OCR_DPI, OCR_MAX_PIXELS and OCR_LANG, imported from there.
#: An image declaring more pixels than this is refused undecoded (a decompression bomb).
IMAGE_MAX_PIXELS = 100_000_000
#: A PDF page whose text layer has fewer letters/digits than this is OCR'd.
OCR_MIN_TEXT_CHARS = 10
#: Rendering or reading one page may take at most this long (a page built to stall
#: pdftoppm or Tesseract costs this, not the whole budget).
OCR_PAGE_SECONDS = 60.0

#: Zip-bomb guards for DOCX/ODT, checked on the ZIP directory before reading a member.
ZIP_MAX_MEMBERS = 10_000
ZIP_MAX_TOTAL_BYTES = 200 * 1024 * 1024
#: Apache POI's default (ZipSecureFile: minimum inflate ratio 0.01), for members
#: larger than ZIP_RATIO_GRACE_BYTES.
ZIP_MAX_RATIO = 100
ZIP_RATIO_GRACE_BYTES = 1024 * 1024

_ALNUM = re.compile(r"[^\W_]", re.UNICODE)


class ExtractionFailed(Exception):
    """A reason to record as the file's failure (its message is stored)."""


#: How a progress line starts (see the module's docstring; the parent parses it).
PROGRESS_PREFIX = "PROGRESS"


def no_progress(done: int, total: int) -> None:
    """Where progress goes when nobody listens (``extract`` called in-process)."""


def report_progress(done: int, total: int) -> None:
    """``PROGRESS <done> <total>`` on stderr, flushed at once: the parent reads it while
    this process works. Progress never stops an extraction."""
    try:
        sys.stderr.write(f"{PROGRESS_PREFIX} {int(done)} {int(total)}\n")
        sys.stderr.flush()
    except (OSError, ValueError):
        pass


def apply_limits(memory_mb: int) -> None:
    import resource

    limit = int(memory_mb) * 1024 * 1024
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    if hard == resource.RLIM_INFINITY or hard > CPU_SECONDS:
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, hard))


class _Collector:
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


class _Budget:
    """The wall-clock time left for this extraction (the parent kills at its timeout)."""

    def __init__(self, seconds: float | None):
        self.deadline = None if seconds is None else time.monotonic() + max(seconds, 0.0)

    def remaining(self) -> float:
        if self.deadline is None:
            return float(CPU_SECONDS)
        return max(self.deadline - time.monotonic(), 0.0)


class _Ocr:
    """Tesseract over pages and frames, within a page cap and the time budget."""

    def __init__(self, budget: _Budget, max_pages: int, dpi: int, max_pixels: int,
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


# ---------------------------------------------------------------- external tools

#: The only variables the extraction child and the tools it runs get from the storage
#: process: what a parser needs to run. Everything else stays behind — the secret key,
#: token keys, database URLs, the broker's and S3's credentials — since the child
#: parses files anyone could upload.
CHILD_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "LC_CTYPE", "HOME", "TMPDIR", "TZ",
                     "TESSDATA_PREFIX", "PYTHONPATH")


def scrubbed_env(source=None) -> dict:
    """The environment for the extraction child and its tools (CHILD_ENVIRONMENT)."""
    source = os.environ if source is None else source
    env = {name: source[name] for name in CHILD_ENVIRONMENT if name in source}
    # Tesseract's OpenMP threads make it slower, not faster, on a shared machine
    # (measured: 2.3 s → 38 s a page with 2 threads on 2 busy cores).
    env["OMP_THREAD_LIMIT"] = "1"
    env.setdefault("LC_ALL", "C.UTF-8")
    return env


def _tool_env() -> dict:
    return scrubbed_env()


def run_tool(command: list[str], *, timeout: float, max_output: int, package: str,
             stdin=None) -> tuple[bytes, bool]:
    """Run a Debian tool; its stdout (at most ``max_output`` bytes, RLIMIT_FSIZE) and
    whether it was cut there. ExtractionFailed if it is missing, fails or overruns
    ``timeout``. The tool inherits this process's RLIMIT_AS and RLIMIT_CPU."""
    name = command[0]
    if shutil.which(name) is None:
        raise ExtractionFailed(f"{name} is not installed (Debian package: {package})")
    if timeout <= 0:
        raise ExtractionFailed(f"no time left to run {name}")

    def limit_output():
        import resource
        resource.setrlimit(resource.RLIMIT_FSIZE, (max_output, max_output))

    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            completed = subprocess.run(
                command, stdin=stdin if stdin is not None else subprocess.DEVNULL,
                stdout=out, stderr=err, timeout=timeout, preexec_fn=limit_output,
                env=_tool_env(), close_fds=True)
        except subprocess.TimeoutExpired:
            raise ExtractionFailed(f"{name} did not finish within {timeout:.0f} s")
        out.seek(0)
        data = out.read(max_output)
        if completed.returncode == -signal.SIGXFSZ and len(data) >= max_output:
            return data, True      # stdout reached the cap (not a flood of errors)
        if completed.returncode != 0:
            err.seek(0)
            raw = err.read(8000)
            if len(raw) == 8000:       # a flood of messages: keep whole lines
                raw = raw[:raw.rfind(b"\n") + 1] or raw
            lines = raw.decode("utf-8", "replace")
            for argument in command[1:]:     # the stored file's path says nothing
                if os.path.isabs(argument) and os.path.isfile(argument):
                    lines = lines.replace(argument, "the file")
            lines = list(dict.fromkeys(" ".join(line.split()) for line in lines.splitlines()
                                       if line.strip()))
            message = "; ".join(lines[-3:])[-500:]     # poppler repeats itself
            raise ExtractionFailed(f"{name} failed (exit code {completed.returncode})"
                                   + (f": {message}" if message else ""))
    return data, False


# ---------------------------------------------------------------- PDF

def _open_pdf(path: str):
    import logging

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


def _page_dpi(path: str, number: int, dpi: float, ocr: _Ocr) -> float:
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


#: Scans are rendered at their own resolution, within [OCR_MIN_DPI, --ocr-dpi]: a
#: 200 dpi scan rendered at 300 dpi only makes Tesseract slower (measured: 3.3 s
#: instead of 1.8 s of CPU a page, with no better text).
OCR_MIN_DPI = 200


def _scan_dpi(path: str, number: int, ocr: _Ocr) -> float | None:
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


def _ocr_pdf_page(path: str, number: int, dpi: float, ocr: _Ocr) -> str:
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


def _poppler_failure(exc: ExtractionFailed) -> ExtractionFailed:
    message = str(exc)
    if "Incorrect password" in message:
        return ExtractionFailed("encrypted PDF: it cannot be opened without a password")
    return ExtractionFailed(f"not a readable PDF: {message}")


def _pdf_text_poppler(path: str, max_pages: int, max_chars: int, budget: _Budget,
                      progress=no_progress) -> tuple[int, list[str], bool]:
    """The page count and the text layer of each page (up to ``max_pages``) with
    poppler's pdfinfo and pdftotext; whether the text was cut at the output cap.
    Reports 0 pages done of those to read once their count is known."""
    try:
        info, _ = run_tool(["pdfinfo", "-enc", "UTF-8", path], timeout=budget.remaining(),
                           max_output=1 << 20, package="poppler-utils")
    except ExtractionFailed as exc:
        raise _poppler_failure(exc)
    found = re.search(rb"^Pages:\s+(\d+)", info, re.MULTILINE)
    count = int(found.group(1)) if found else 0
    progress(0, min(count, max_pages))
    if count == 0:
        return 0, [], False
    try:
        output, cut = run_tool(
            ["pdftotext", "-enc", "UTF-8", "-f", "1", "-l", str(min(count, max_pages)),
             path, "-"],
            timeout=budget.remaining(), max_output=max_chars * 4 + (1 << 20),
            package="poppler-utils")
    except ExtractionFailed as exc:
        raise _poppler_failure(exc)
    pages = output.decode("utf-8", errors="replace").split("\f")
    # pdftotext ends every page with a form feed; when cut, the last page is partial
    pages = pages[:-1] if not cut else pages
    return count, pages[:min(count, max_pages)], cut


def _pdf_text_pypdf(path: str, max_pages: int, ocr: _Ocr,
                    progress=no_progress) -> tuple[int, list[str], bool]:
    """The same with pypdf, where poppler-utils is not installed (no OCR then)."""
    reader = _open_pdf(path)
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


def extract_pdf(path: str, collector: _Collector, max_pages: int, ocr: _Ocr,
                progress=no_progress) -> int:
    """The text layer of each page; OCR of the pages without one. The page count.
    Progress: pages done (text layer taken, OCR'd or passed over at an OCR limit) of
    the first ``max_pages``."""
    if shutil.which("pdftotext") and shutil.which("pdfinfo"):
        count, pages, cut = _pdf_text_poppler(path, max_pages, collector.max_chars,
                                              ocr.budget, progress)
    else:
        count, pages, cut = _pdf_text_pypdf(path, max_pages, ocr, progress)
    if cut or count > max_pages:
        collector.truncated = True
    total = min(count, max_pages)
    for index, text in enumerate(pages):
        text = text.strip()
        if len(_ALNUM.findall(text)) < OCR_MIN_TEXT_CHARS and not (cut and index
                                                                   == len(pages) - 1):
            if ocr.can_start_page():
                try:
                    native = _scan_dpi(path, index + 1, ocr)
                    wanted = (min(max(native, OCR_MIN_DPI), ocr.dpi) if native
                              else ocr.dpi)
                    read = _ocr_pdf_page(path, index + 1,
                                         _page_dpi(path, index + 1, wanted, ocr), ocr)
                    if read:
                        text, ocr.used = read, True
                except ExtractionFailed as exc:
                    ocr.errors.append(f"page {index + 1}: {exc}")
            else:
                collector.truncated = True
        if text and not collector.add(text):
            break
        progress(index + 1, total)
    return count


# ---------------------------------------------------------------- images

_IMAGE_FORMATS = {"png": ["PNG"], "jpeg": ["JPEG", "MPO"], "tiff": ["TIFF"]}


def _too_many_pixels(width: int, height: int) -> ExtractionFailed:
    return ExtractionFailed(
        f"image too large: {width}×{height} pixels is over the limit of "
        f"{IMAGE_MAX_PIXELS:,} (refused undecoded as a possible decompression bomb)")


def _grey_frame(image, max_pixels: int):
    """The current frame as an upright 8-bit grey image of at most ``max_pixels``."""
    from PIL import Image, ImageOps

    width, height = image.size
    if image.format in ("JPEG", "MPO") and width * height > max_pixels:
        # decode at 1/2, 1/4 or 1/8 scale directly: a big photo never fills memory
        scale = math.sqrt(max_pixels / float(width * height))
        image.draft("L", (max(int(width * scale), 1), max(int(height * scale), 1)))
    frame = ImageOps.exif_transpose(image)
    if frame.mode in ("RGBA", "LA", "PA") or (frame.mode == "P"
                                               and "transparency" in frame.info):
        rgba = frame.convert("RGBA")
        frame = Image.alpha_composite(Image.new("RGBA", rgba.size, "white"), rgba)
    elif frame.mode.startswith("I;16"):
        frame = frame.convert("I")
    if frame.mode in ("I", "F"):
        frame = frame.point(lambda value: value * (1 / 256))   # 16 bits to 8
    frame = frame.convert("L")
    if frame.width * frame.height > max_pixels:
        factor = math.sqrt(max_pixels / float(frame.width * frame.height))
        frame = frame.resize((max(int(frame.width * factor), 1),
                              max(int(frame.height * factor), 1)), Image.Resampling.LANCZOS)
    return frame


def _frames_to_read(image, cap: int) -> int:
    """How many frames of a multi-frame image OCR will read: its frames, at most
    ``cap``, counted by seeking (a TIFF chaining a million frames costs ``cap`` seeks).
    A frame that cannot be reached ends the count; reading will meet it again."""
    count = 1
    try:
        while count < cap:
            image.seek(count)
            count += 1
    except Exception:  # noqa: BLE001 - EOFError: no more; else the reading loop reports it
        pass
    image.seek(0)
    return count


def extract_image(path: str, kind: str, collector: _Collector, ocr: _Ocr,
                  progress=no_progress) -> int:
    """OCR of every frame of an image (a fax TIFF has one per page); frames read.
    Progress: frames read of those to read (within the OCR page cap)."""
    import warnings

    from PIL import Image

    Image.MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS
    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
    try:
        image = Image.open(path, formats=_IMAGE_FORMATS[kind])
    except Image.DecompressionBombError:
        raise ExtractionFailed(f"image too large: over {IMAGE_MAX_PIXELS:,} pixels "
                               "(refused undecoded as a possible decompression bomb)")
    frames = 0
    with image:
        total = (_frames_to_read(image, max(ocr.max_pages, 1))
                 if getattr(image, "is_animated", False) else 1)
        progress(0, total)
        while True:
            width, height = image.size
            if width * height > IMAGE_MAX_PIXELS:
                raise _too_many_pixels(width, height)
            if not ocr.can_start_page():
                collector.truncated = True
                break
            frame = _grey_frame(image, ocr.max_pixels)
            dpi = image.info.get("dpi")
            dpi = (float(dpi[0]) * max(frame.size) / max(width, height)
                   if isinstance(dpi, tuple) and dpi and dpi[0] else None)
            with tempfile.TemporaryFile() as pgm:
                frame.save(pgm, format="PPM")
                del frame
                pgm.seek(0)
                text = ocr.read(pgm, dpi)
            frames += 1
            progress(min(frames, total), total)
            if text and not collector.add(text):
                break
            try:
                image.seek(image.tell() + 1)
            except EOFError:
                break
    return frames


# ---------------------------------------------------------------- Word and OpenDocument

def check_zip(archive: zipfile.ZipFile, max_total: int = ZIP_MAX_TOTAL_BYTES,
              max_members: int = ZIP_MAX_MEMBERS, max_ratio: float = ZIP_MAX_RATIO,
              grace: int = ZIP_RATIO_GRACE_BYTES) -> None:
    """Refuse a zip bomb from its directory alone, before any member is inflated.

    Python's zipfile never inflates a member past its declared size (and fails on a
    CRC mismatch), so checking the declared sizes bounds what reading can produce."""
    members = archive.infolist()
    if len(members) > max_members:
        raise ExtractionFailed(f"zip bomb suspected: {len(members):,} members "
                               f"(limit {max_members:,})")
    total = 0
    for member in members:
        total += member.file_size
        if total > max_total:
            raise ExtractionFailed(f"zip bomb suspected: over {max_total:,} bytes "
                                   "uncompressed")
        if member.file_size > grace and (
                member.compress_size == 0
                or member.file_size / member.compress_size > max_ratio):
            ratio = member.file_size / max(member.compress_size, 1)
            raise ExtractionFailed(
                f"zip bomb suspected: {member.filename} inflates {ratio:,.0f} times "
                f"({member.compress_size:,} → {member.file_size:,} bytes; limit "
                f"{max_ratio:g} times)")


def _open_zip(path: str, label: str) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(path)
    except zipfile.BadZipFile as exc:
        raise ExtractionFailed(f"not a valid {label} (ZIP) file: {exc}")
    try:
        check_zip(archive)
    except BaseException:
        archive.close()
        raise
    return archive


def extract_docx(path: str, collector: _Collector) -> None:
    import docx

    _open_zip(path, "DOCX").close()
    document = docx.Document(path)
    body = document.element.body
    # paragraphs and tables in document order
    for block in body.iterchildren():
        tag = block.tag.rsplit("}", 1)[-1]
        if tag == "p":
            text = "".join(node.text or "" for node in block.iter()
                           if node.tag.endswith("}t"))
            if not collector.add(text):
                return
        elif tag == "tbl":
            for row in block.iter():
                if not row.tag.endswith("}tr"):
                    continue
                cells = []
                for cell in row.iter():
                    if cell.tag.endswith("}tc"):
                        cells.append("".join(node.text or "" for node in cell.iter()
                                             if node.tag.endswith("}t")))
                if not collector.add("\t".join(cells)):
                    return


def extract_doc(path: str, collector: _Collector, budget: _Budget) -> None:
    """Word 97-2003 with antiword, which maps the document's characters to UTF-8
    itself, Vietnamese included. Chosen over catdoc on the real files in
    tests/fixtures/docs: both keep the diacritics, but catdoc lost a line's start
    ("2. Nội dung công bố" became "3bố"), let stray bytes through and printed field
    codes (PAGE)."""
    absolute = os.path.abspath(path)
    limit = collector.max_chars * 4 + (1 << 20)
    try:
        output, cut = run_tool(["antiword", "-m", "UTF-8.txt", "-w", "0", absolute],
                               timeout=budget.remaining(), max_output=limit,
                               package="antiword")
    except ExtractionFailed as exc:
        message = str(exc)
        if "not a Word Document" in message:
            message = "not a Word 97-2003 document: " + message
        raise ExtractionFailed(message)
    text = output.decode("utf-8", errors="replace" if not cut else "ignore")
    collector.add("\n".join(_doc_line(line) for line in text.splitlines()))
    if cut:
        collector.truncated = True


_SPACES = re.compile(r"[ \t\u00a0]{2,}")


def _doc_line(line: str) -> str:
    """antiword pads text and draws tables with ``|``: a table row becomes its cells
    separated by tabs (as for DOCX), runs of padding one space."""
    line = line.strip()
    if len(line) > 1 and line.startswith("|") and line.endswith("|"):
        return "\t".join(_SPACES.sub(" ", cell).strip() for cell in line[1:-1].split("|"))
    return _SPACES.sub(" ", line)


_ODT_TEXT = "urn:oasis:names:tc:opendocument:xmlns:text:1.0"
_ODT_TABLE = "urn:oasis:names:tc:opendocument:xmlns:table:1.0"
_ODT_OFFICE = "urn:oasis:names:tc:opendocument:xmlns:office:1.0"
_ODT_DRAW = "urn:oasis:names:tc:opendocument:xmlns:drawing:1.0"
_ODT_SKIP = {f"{{{_ODT_OFFICE}}}annotation", f"{{{_ODT_TEXT}}}tracked-changes",
             f"{{{_ODT_TEXT}}}sequence-decls", f"{{{_ODT_TEXT}}}variable-decls",
             f"{{{_ODT_TEXT}}}user-field-decls", f"{{{_ODT_OFFICE}}}forms",
             f"{{{_ODT_TEXT}}}note-citation", f"{{{_ODT_OFFICE}}}annotation-end"}


def _odt_inline(element, nested: list[str]) -> str:
    """The text of a paragraph; paragraphs nested in it (notes, text boxes) go to
    ``nested``."""
    parts = [element.text or ""]
    for child in element:
        tag = child.tag
        if tag in _ODT_SKIP:
            pass
        elif tag == f"{{{_ODT_TEXT}}}s":
            try:
                count = int(child.get(f"{{{_ODT_TEXT}}}c", "1"))
            except ValueError:
                count = 1
            parts.append(" " * min(max(count, 1), 100))
        elif tag == f"{{{_ODT_TEXT}}}tab":
            parts.append("\t")
        elif tag == f"{{{_ODT_TEXT}}}line-break":
            parts.append("\n")
        elif tag in (f"{{{_ODT_TEXT}}}note", f"{{{_ODT_DRAW}}}frame",
                     f"{{{_ODT_DRAW}}}text-box"):
            nested.extend(_odt_blocks(child))
        else:
            parts.append(_odt_inline(child, nested))
        parts.append(child.tail or "")
    return "".join(parts)


def _odt_rows(table):
    for child in table:
        if child.tag == f"{{{_ODT_TABLE}}}table-row":
            yield child
        elif child.tag in (f"{{{_ODT_TABLE}}}table-header-rows",
                           f"{{{_ODT_TABLE}}}table-rows",
                           f"{{{_ODT_TABLE}}}table-row-group"):
            yield from _odt_rows(child)


def _odt_blocks(element):
    """Lines of text of the blocks under ``element``, in document order."""
    for child in element:
        tag = child.tag
        if tag in _ODT_SKIP:
            continue
        if tag in (f"{{{_ODT_TEXT}}}p", f"{{{_ODT_TEXT}}}h"):
            nested: list[str] = []
            yield _odt_inline(child, nested)
            yield from nested
        elif tag == f"{{{_ODT_TABLE}}}table":
            for row in _odt_rows(child):
                cells = [" ".join(line for line in _odt_blocks(cell) if line.strip())
                         for cell in row if cell.tag == f"{{{_ODT_TABLE}}}table-cell"]
                if any(cell.strip() for cell in cells):
                    yield "\t".join(cells)
        else:
            yield from _odt_blocks(child)


def extract_odt(path: str, collector: _Collector) -> None:
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import ParseError, parse

    with _open_zip(path, "ODT") as archive:
        names = set(archive.namelist())
        if "META-INF/manifest.xml" in names:
            with archive.open("META-INF/manifest.xml") as manifest:
                if b"encryption-data" in manifest.read(1 << 20):
                    raise ExtractionFailed("encrypted ODT: it cannot be opened without a "
                                           "password")
        if "content.xml" not in names:
            raise ExtractionFailed("not a valid ODT file: content.xml is missing")
        try:
            with archive.open("content.xml") as content:
                root = parse(content, forbid_dtd=True).getroot()
        except DefusedXmlException as exc:
            raise ExtractionFailed(f"ODT content.xml refused: {type(exc).__name__}: {exc}")
        except ParseError as exc:
            raise ExtractionFailed(f"ODT content.xml is not well-formed XML: {exc}")
    body = root.find(f"{{{_ODT_OFFICE}}}body")
    text = body.find(f"{{{_ODT_OFFICE}}}text") if body is not None else None
    if text is None:
        raise ExtractionFailed("not an ODT text document: office:body/office:text is missing")
    for line in _odt_blocks(text):
        if not collector.add(line):
            return


def extract_txt(path: str, collector: _Collector) -> None:
    with open(path, "rb") as handle:
        data = handle.read(collector.max_chars * 4 + 4)
    text = data.decode("utf-8-sig", errors="replace")
    collector.add(text)


# ---------------------------------------------------------------- entry point

def extract(path: str, kind: str, max_pages: int, max_chars: int,
            time_budget: float | None = None,
            ocr_max_pages: int = DEFAULT_OCR_MAX_PAGES, ocr_dpi: int = DEFAULT_OCR_DPI,
            ocr_max_pixels: int = DEFAULT_OCR_MAX_PIXELS,
            ocr_lang: str = DEFAULT_OCR_LANG, progress=no_progress) -> dict:
    """The text of the file at ``path``, as the JSON object ``main`` prints;
    ``progress(done, total)`` is told how far it got (see the module's docstring)."""
    path = os.path.abspath(path)
    with open(path, "rb"):      # FileNotFoundError or PermissionError, whatever the kind
        pass
    collector = _Collector(max_chars)
    budget = _Budget(time_budget)
    ocr = _Ocr(budget, ocr_max_pages, ocr_dpi, ocr_max_pixels, ocr_lang)
    pages = None
    one_shot = {"docx": lambda: extract_docx(path, collector),
                "doc": lambda: extract_doc(path, collector, budget),
                "odt": lambda: extract_odt(path, collector),
                "txt": lambda: extract_txt(path, collector)}
    if kind == "pdf":
        pages = extract_pdf(path, collector, max_pages, ocr, progress)
    elif kind in _IMAGE_FORMATS:
        pages = extract_image(path, kind, collector, ocr, progress)
    elif kind in one_shot:
        progress(0, 1)
        one_shot[kind]()
        progress(1, 1)
    else:
        return {"status": "none", "text": "", "method": None, "pages": None,
                "ocr_pages": 0, "truncated": False, "note": None, "error": None}
    text = collector.text().strip()
    notes = ([ocr.stopped] if ocr.stopped else []) + ocr.errors
    if not text and (ocr.errors or ocr.out_of_time):
        # nothing read because OCR broke or ran out of time: a failure, not an empty
        # document (pages OCR'd blank up to the page cap are empty, though)
        raise ExtractionFailed("; ".join(notes)[:1000])
    return {"status": "ok" if text else "empty", "text": text,
            "method": "ocr" if ocr.used or kind in _IMAGE_FORMATS else "text",
            "pages": pages, "ocr_pages": ocr.pages, "truncated": collector.truncated,
            "note": "; ".join(notes)[:1000] or None, "error": None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="extract_worker")
    parser.add_argument("path")
    parser.add_argument("kind")
    parser.add_argument("--memory-mb", type=int, default=DEFAULT_MEMORY_MB)
    parser.add_argument("--max-pages", type=int, default=DEFAULT_MAX_PAGES)
    parser.add_argument("--max-chars", type=int, default=DEFAULT_MAX_CHARS)
    parser.add_argument("--time-budget", type=float, default=None)
    parser.add_argument("--ocr-max-pages", type=int, default=DEFAULT_OCR_MAX_PAGES)
    parser.add_argument("--ocr-dpi", type=int, default=DEFAULT_OCR_DPI)
    parser.add_argument("--ocr-max-pixels", type=int, default=DEFAULT_OCR_MAX_PIXELS)
    parser.add_argument("--ocr-lang", default=DEFAULT_OCR_LANG)
    options = parser.parse_args(argv)
    try:
        apply_limits(options.memory_mb)
        result = extract(options.path, options.kind, options.max_pages, options.max_chars,
                         time_budget=options.time_budget,
                         ocr_max_pages=options.ocr_max_pages, ocr_dpi=options.ocr_dpi,
                         ocr_max_pixels=options.ocr_max_pixels, ocr_lang=options.ocr_lang,
                         progress=report_progress)
        code = 0
    except MemoryError:
        result = {"status": "failed", "error": "out of memory while extracting text"}
        code = 3
    except ImportError as exc:
        # RLIMIT_AS reached while loading a parser's shared library
        reason = ("out of memory while loading the parser" if "map segment" in str(exc)
                  or "allocate memory" in str(exc) else f"ImportError: {exc}")
        result = {"status": "failed", "error": reason[:1000]}
        code = 3
    except ExtractionFailed as exc:
        result = {"status": "failed", "error": str(exc)[:1000]}
        code = 2
    except Exception as exc:  # noqa: BLE001 - any parser failure is a recorded outcome
        result = {"status": "failed", "error": f"{type(exc).__name__}: {exc}"[:1000]}
        code = 2
    sys.stdout.buffer.write(json.dumps(result, ensure_ascii=False).encode("utf-8"))
    sys.stdout.buffer.flush()
    return code


if __name__ == "__main__":
    sys.exit(main())
