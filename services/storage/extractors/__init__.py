"""Text extraction, one module per kind, behind this registry (which imports a kind's
module when a file of that kind is read).

Which extractor reads which kind: the kinds are those ``sniffing`` detects from the
content (never the client's declaration). pdf (text layer, OCR of scanned pages),
png/jpeg/tiff (OCR), docx, doc (antiword), odt and txt are extracted; the other
accepted kinds (xls, xlsx: NOT_EXTRACTED) and any unknown kind give status ``none``.

``extract(path, kind, limits)`` runs in whatever process calls it; the service never
calls it itself but through ``extraction.run_extraction``, which runs it in a child
process (``extract_worker``, forked by the fork server or started afresh) with resource
limits. Shared pieces: ``result``
(the typed ``Extraction``), ``limits`` (caps, time budget, the text collector),
``sandbox`` (tools, zip-bomb checks, safe XML), ``ocr`` (Tesseract), ``job`` (the
frame each extractor runs in).
"""
from __future__ import annotations

from importlib import import_module

from services.storage.extractors.job import Extractor, run
from services.storage.extractors.limits import Limits, Progress, no_progress
from services.storage.extractors.result import NOT_EXTRACTED, Extraction

#: The module (of this package) that reads each kind, imported when a file of that kind
#: is read: an extraction child started afresh imports only its own reader (the others,
#: with zipfile and friends, cost milliseconds of start-up each); the fork server
#: imports them all once, for the children it forks (``fork_server.preload``).
MODULES: dict[str, str] = {
    "pdf": "pdf",
    "docx": "docx",
    "doc": "doc",
    "odt": "odt",
    "txt": "plain",
    "png": "images",        # images.FORMATS
    "jpeg": "images",
    "tiff": "images",
}
#: Kinds that are extracted (the service records ``none`` for the others at once).
EXTRACTABLE_KINDS = frozenset(MODULES)
#: Kinds accepted for upload whose text is not extracted.
NOT_EXTRACTED_KINDS = frozenset({"xls", "xlsx"})


def extractor_for(kind: str) -> Extractor | None:
    """The extractor of a sniffed kind (``sniffing.KINDS``' names); None if none."""
    module = MODULES.get(kind)
    if module is None:
        return None
    return import_module(f"{__name__}.{module}").EXTRACTOR


def extract(path: str, kind: str, limits: Limits = Limits(),
            progress: Progress = no_progress) -> Extraction:
    """The text of the file at ``path``, of sniffed ``kind``, within ``limits``;
    ``progress(done, total)`` is told how far it got. Status ``none`` for a kind
    without an extractor (the file is not opened), ``failed`` with the reason for a
    file that cannot be read (MemoryError and ImportError are the caller's)."""
    extractor = extractor_for(kind)
    if extractor is None:
        return NOT_EXTRACTED
    return run(extractor, path, kind, limits, progress)
