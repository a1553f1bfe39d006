"""The PDFs signing reads and stores, over storage's signed URLs (services.common.
file_transfer); ``internal`` is SigningSettings.internal."""
from __future__ import annotations

from services.common.file_transfer import read_bytes, same, store_bytes
from services.signing.errors import SigningError

#: The largest PDF the service signs or verifies (storage's own cap is MAX_UPLOAD_BYTES).
MAX_PDF_BYTES = 50 * 1024 * 1024


def read_pdf(storage, token: str, file_id: str, max_bytes: int = MAX_PDF_BYTES,
             internal=same) -> tuple[dict, bytes]:
    """The file's record and its bytes; SigningError ``not_a_pdf`` unless it is a stored
    PDF within ``max_bytes``."""
    record = storage.get_file(token, file_id)
    if record.get("kind") != "pdf" or record.get("status") != "stored":
        raise SigningError("not_a_pdf", "Chỉ ký số được tệp PDF đã tải lên xong.",
                           "Only a stored PDF file can be signed.")
    if (record.get("size") or 0) > max_bytes:
        raise SigningError("too_large", "Tệp PDF quá lớn để ký số.",
                           "The PDF is too large to sign.")
    return record, read_bytes(storage, token, file_id, internal)


def store_pdf(storage, token: str, filename: str, data: bytes, internal=same) -> dict:
    """Store ``data`` as a new PDF file; its record (``file_id``, ``sha256``…)."""
    return store_bytes(storage, token, filename, "application/pdf", data, internal)


def signed_filename(filename: str | None, suffix: str) -> str:
    """``quyet-dinh.pdf`` → ``quyet-dinh.signed.pdf``: the signed file keeps its name."""
    stem = (filename or "van-ban.pdf").rsplit(".", 1)[0][:150]
    return f"{stem}.{suffix}.pdf"
