"""Which files the e-Office accepts, and what their bytes must look like.

A file is accepted only when its content is what its extension claims: the
extension names a *kind*, and the first bytes (or, for Office Open XML and
OpenDocument, the ZIP directory) must match that kind. A mismatch is refused
with ``UnsupportedType`` (415): a PDF renamed ``.docx`` is not stored.

No nameko here: pure domain code, tested on its own.
"""
from __future__ import annotations

import codecs
import os
import unicodedata
import zipfile
from dataclasses import dataclass

from services.common.errors import InvalidInput, UnsupportedType

MAX_FILENAME_LENGTH = 255
#: How far into a PDF its header may start (Acrobat's own tolerance).
PDF_HEADER_WINDOW = 1024
OLE2_MAGIC = bytes.fromhex("D0CF11E0A1B11AE1")
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
JPEG_MAGIC = b"\xff\xd8\xff"
TIFF_MAGICS = (b"II*\x00", b"MM\x00*")
ZIP_MAGIC = b"PK\x03\x04"
ODT_MIMETYPE = b"application/vnd.oasis.opendocument.text"


@dataclass(frozen=True)
class Kind:
    name: str            # pdf, docx, ...
    mime: str            # what we serve it as
    label: str           # for messages


PDF = Kind("pdf", "application/pdf", "PDF")
DOCX = Kind("docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            "Word (DOCX)")
XLSX = Kind("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "Excel (XLSX)")
ODT = Kind("odt", "application/vnd.oasis.opendocument.text", "OpenDocument (ODT)")
DOC = Kind("doc", "application/msword", "Word 97-2003 (DOC)")
XLS = Kind("xls", "application/vnd.ms-excel", "Excel 97-2003 (XLS)")
PNG = Kind("png", "image/png", "PNG")
JPEG = Kind("jpeg", "image/jpeg", "JPEG")
TIFF = Kind("tiff", "image/tiff", "TIFF")
TXT = Kind("txt", "text/plain; charset=utf-8", "text (UTF-8)")

KINDS = {k.name: k for k in (PDF, DOCX, XLSX, ODT, DOC, XLS, PNG, JPEG, TIFF, TXT)}

#: Allowed extensions (lower case, without the dot) and the kind each one claims.
EXTENSIONS = {
    "pdf": PDF, "docx": DOCX, "xlsx": XLSX, "odt": ODT, "doc": DOC, "xls": XLS,
    "png": PNG, "jpg": JPEG, "jpeg": JPEG, "tif": TIFF, "tiff": TIFF, "txt": TXT,
}


def allowed_extensions() -> list[str]:
    return sorted(EXTENSIONS)


def clean_filename(filename) -> str:
    """The file's name as stored: stripped, without any directory part.

    InvalidInput if it is missing, too long or holds control characters.
    """
    if not isinstance(filename, str) or not filename.strip():
        raise InvalidInput("Thiếu tên tệp.", "The file name is missing.",
                           {"filename": "required"})
    name = unicodedata.normalize("NFC", filename.strip())
    name = name.replace("\\", "/").rsplit("/", 1)[-1].strip()
    if not name or name in (".", ".."):
        raise InvalidInput("Tên tệp không hợp lệ.", "Invalid file name.",
                           {"filename": "invalid"})
    if len(name) > MAX_FILENAME_LENGTH:
        raise InvalidInput(f"Tên tệp dài quá {MAX_FILENAME_LENGTH} ký tự.",
                           f"The file name is longer than {MAX_FILENAME_LENGTH} characters.",
                           {"filename": "too_long"})
    if any(unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp") for ch in name):
        raise InvalidInput("Tên tệp chứa ký tự không hợp lệ.",
                           "The file name contains invalid characters.",
                           {"filename": "invalid_characters"})
    return name


def kind_for_filename(filename: str) -> Kind:
    """The kind a file name claims by its extension; UnsupportedType if not allowed."""
    _, ext = os.path.splitext(filename)
    kind = EXTENSIONS.get(ext[1:].lower()) if ext else None
    if kind is None:
        allowed = ", ".join(allowed_extensions())
        raise UnsupportedType(
            f"Loại tệp không được chấp nhận. Các đuôi tệp được phép: {allowed}.",
            f"This file type is not accepted. Allowed extensions: {allowed}.",
            {"filename": "unsupported_extension", "allowed": allowed_extensions()})
    return kind


def _mismatch(kind: Kind, reason: str) -> UnsupportedType:
    return UnsupportedType(
        f"Nội dung tệp không đúng định dạng {kind.label} như đuôi tệp khai báo.",
        f"The file's content is not {kind.label} as its extension claims.",
        {"content": reason, "expected": kind.name})


def _zip_names(path: str) -> tuple[zipfile.ZipFile, list[str]] | None:
    try:
        archive = zipfile.ZipFile(path)
        return archive, archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return None


def _check_zip(path: str, head: bytes, kind: Kind) -> None:
    if not head.startswith(ZIP_MAGIC):
        raise _mismatch(kind, "not_a_zip_container")
    opened = _zip_names(path)
    if opened is None:
        raise _mismatch(kind, "corrupt_zip_container")
    archive, names = opened
    with archive:
        if kind is DOCX:
            ok = "word/document.xml" in names
        elif kind is XLSX:
            ok = any(n.startswith("xl/") for n in names)
        else:  # ODT: the first entry is an uncompressed "mimetype" naming the type
            ok = False
            if names and names[0] == "mimetype":
                try:
                    with archive.open("mimetype") as member:
                        ok = member.read(len(ODT_MIMETYPE) + 1).strip() == ODT_MIMETYPE
                except (zipfile.BadZipFile, OSError, NotImplementedError, RuntimeError):
                    ok = False
    if not ok:
        raise _mismatch(kind, "wrong_zip_contents")


def _check_utf8_text(path: str, kind: Kind, chunk_size: int = 1 << 16) -> None:
    decoder = codecs.getincrementaldecoder("utf-8")()
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(chunk_size)
            if b"\x00" in chunk:
                raise _mismatch(kind, "contains_nul_bytes")
            try:
                decoder.decode(chunk, final=not chunk)
            except UnicodeDecodeError:
                raise _mismatch(kind, "not_utf8")
            if not chunk:
                return


def sniff(path: str, filename: str) -> Kind:
    """The kind of the file at ``path`` named ``filename``, after checking that its
    content is what the extension claims; UnsupportedType otherwise.

    DOC and XLS share the OLE2 container; both are accepted on its signature alone.
    """
    kind = kind_for_filename(filename)
    with open(path, "rb") as handle:
        head = handle.read(PDF_HEADER_WINDOW)
    if kind is PDF:
        ok = b"%PDF-" in head
    elif kind in (DOCX, XLSX, ODT):
        _check_zip(path, head, kind)
        return kind
    elif kind in (DOC, XLS):
        ok = head.startswith(OLE2_MAGIC)
    elif kind is PNG:
        ok = head.startswith(PNG_MAGIC)
    elif kind is JPEG:
        ok = head.startswith(JPEG_MAGIC)
    elif kind is TIFF:
        ok = head.startswith(TIFF_MAGICS)
    elif kind is TXT:
        _check_utf8_text(path, kind)
        return kind
    else:  # pragma: no cover - every kind is handled above
        ok = False
    if not ok:
        raise _mismatch(kind, "signature_mismatch")
    return kind
