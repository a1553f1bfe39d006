"""Reading a stored file and storing a signed one, the way every client does: bytes go over
storage's signed HTTP URLs, never over RabbitMQ (storage's rule). ``storage`` is a storage
RPC proxy; ``token`` a system token of this service; ``internal`` turns a URL storage gives
into one this service can reach (SigningSettings.internal)."""
from __future__ import annotations

import requests

from services.signing.errors import SigningError

#: The largest PDF the service signs or verifies (storage's own cap is MAX_UPLOAD_BYTES).
MAX_PDF_BYTES = 50 * 1024 * 1024
HTTP_TIMEOUT = (5, 60)


def same(url: str) -> str:
    return url


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
    url = internal(storage.get_download_url(token, file_id)["url"])
    response = requests.get(url, timeout=HTTP_TIMEOUT)
    response.raise_for_status()
    return record, response.content


def store_pdf(storage, token: str, filename: str, data: bytes, internal=same) -> dict:
    """Store ``data`` as a new PDF file; its record (``file_id``, ``sha256``…)."""
    upload = storage.create_upload(token, {"filename": filename,
                                           "content_type": "application/pdf",
                                           "size": len(data)})
    response = requests.put(internal(upload["upload_url"]), data=data, timeout=HTTP_TIMEOUT,
                            headers={"Content-Type": "application/pdf"})
    response.raise_for_status()
    return response.json()


def signed_filename(filename: str | None, suffix: str) -> str:
    """``quyet-dinh.pdf`` → ``quyet-dinh.signed.pdf``: the signed file keeps its name."""
    stem = (filename or "van-ban.pdf").rsplit(".", 1)[0][:150]
    return f"{stem}.{suffix}.pdf"
