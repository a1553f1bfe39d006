"""What the storage service answers about a file: its record, as ``get_file`` and the
upload's 201 give it, and the size error. Plain functions over a ``files`` row (no
nameko)."""
from __future__ import annotations

from services.common.db import iso
from services.common.errors import TooLarge
from services.storage import models
from services.storage.extraction import failure_message
from services.storage.sniffing import KINDS


def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} kB"
    return f"{size} B"


def too_large(limit: int) -> TooLarge:
    return TooLarge(f"Tệp vượt quá dung lượng cho phép ({human_size(limit)}).",
                    f"The file exceeds the allowed size ({human_size(limit)}).",
                    {"size": "too_large", "limit": limit})


def served_content_type(row) -> str:
    """What the bytes are served as: the type sniffed from the content, never the
    client's declaration (a declared text/html must not turn into a web page)."""
    kind = KINDS.get(row.kind or "")
    return kind.mime if kind else "application/octet-stream"


def text_progress(row) -> dict | None:
    """How far the running extraction got — ``{done, total}`` pages (0/1 then 1/1 for
    a kind read in one go) — while the text is pending and an attempt has started and
    reported; else None."""
    if (row.text_status != models.TEXT_PENDING or row.extraction_started_at is None
            or row.extraction_pages_total is None):
        return None
    return {"done": row.extraction_pages_done or 0, "total": row.extraction_pages_total}


def file_record(row) -> dict:
    failed_text = row.text_status == models.TEXT_FAILED
    return {
        "file_id": row.file_id,
        "filename": row.filename,
        "content_type": served_content_type(row) if row.kind else row.declared_content_type,
        "declared_content_type": row.declared_content_type,
        "size": row.size,
        "declared_size": row.declared_size,
        "sha256": row.sha256,
        "kind": row.kind,
        "status": row.status,
        "text_status": row.text_status,
        # why the text could not be read (a corrupt or encrypted PDF, a zip bomb…)
        "text_error": row.text_error if failed_text else None,
        "text_problem": failure_message(row.text_error) if failed_text else None,
        "text_progress": text_progress(row),
        "uploaded_by": row.uploaded_by,
        "created_at": iso(row.created_at),
        "stored_at": iso(row.stored_at),
        "expires_at": iso(row.expires_at) if row.status == models.PENDING else None,
    }
