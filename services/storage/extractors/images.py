"""PNG, JPEG and TIFF (every frame of a multi-page fax TIFF), read by OCR: Pillow
decodes (refusing more than IMAGE_MAX_PIXELS: a decompression bomb) and hands
Tesseract a grey-scale PGM scaled down to at most the OCR pixel cap.

Progress: frames read of those to read (within the OCR page cap)."""
from __future__ import annotations

import math
import tempfile

from services.storage.extractors.job import Extractor, Job
from services.storage.extractors.sandbox import ExtractionFailed, need_installed_packages

#: An image declaring more pixels than this is refused undecoded (a decompression bomb).
IMAGE_MAX_PIXELS = 100_000_000
#: The kinds read here, and the Pillow formats each may be opened as.
FORMATS = {"png": ["PNG"], "jpeg": ["JPEG", "MPO"], "tiff": ["TIFF"]}


def read(job: Job) -> int:
    """OCR of every frame of the image; the frames read."""
    import warnings

    need_installed_packages()
    from PIL import Image

    ocr, collector = job.ocr, job.text
    Image.MAX_IMAGE_PIXELS = IMAGE_MAX_PIXELS
    warnings.simplefilter("ignore", Image.DecompressionBombWarning)
    try:
        image = Image.open(job.path, formats=FORMATS[job.kind])
    except Image.DecompressionBombError:
        raise ExtractionFailed(f"image too large: over {IMAGE_MAX_PIXELS:,} pixels "
                               "(refused undecoded as a possible decompression bomb)")
    frames = 0
    with image:
        total = (_frames_to_read(image, max(ocr.max_pages, 1))
                 if getattr(image, "is_animated", False) else 1)
        job.progress(0, total)
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
            job.progress(min(frames, total), total)
            if text and not collector.add(text):
                break
            try:
                image.seek(image.tell() + 1)
            except EOFError:
                break
    return frames


EXTRACTOR = Extractor(read, by_ocr=True)


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
