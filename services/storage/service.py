"""The storage service: original files (blobs), their hashes and their extracted text.

Bytes never travel over RabbitMQ. A client asks for an upload (``create_upload``),
gets a short-lived signed URL and PUTs the bytes to this service's own HTTP port;
messages carry only ids and hashes. Text extraction runs in a child process after
the ``file_stored`` event, so the hub keeps serving (see ``extraction.py``).

This class holds the providers, the reads of a file and the row helpers every part
shares; the other entrypoints are mixed in by concern: upload_entrypoints (reserving,
receiving and serving bytes; expired reservations), extraction_entrypoints (text
extraction, its retries).
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import select, update

from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, invalid_fields,
                                    not_found)
from services.common.identity_provider import Identity
from services.common.rpc import rpc
from services.common.service_base import OutboxServiceBase
from services.storage import models, signing
from services.storage.dependencies import BlobStore, ExtractionLimit, StorageSettings
from services.storage.extraction_entrypoints import ExtractionEntrypoints
from services.storage.models import FILE_ROW, files
from services.storage.records import file_record
from services.storage.upload_entrypoints import UploadEntrypoints


class StorageService(UploadEntrypoints, ExtractionEntrypoints, OutboxServiceBase):
    """Stores original files by content hash and extracts their text."""

    name = "storage"

    db = Database()
    identity = Identity()
    blobs = BlobStore()
    settings = StorageSettings()
    extraction_slots = ExtractionLimit()
    clock = Clock()
    outbox = models.outbox

    # ------------------------------------------------------------------ reads

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_file(self, token, file_id):
        """A file's record.

        Args: ``token``, ``file_id``. Result: ``{file_id, filename, content_type,
        declared_content_type, size, declared_size, sha256, kind, status,
        text_status, text_error (the reason when text_status is failed, for
        administrators), text_problem ({vi, en}: what that means to people),
        text_progress ({done, total} pages while the text is being extracted, else
        null), uploaded_by, created_at, stored_at, expires_at}``.
        Errors: Unauthenticated; NotFound; Forbidden (not the uploader and not a
        system caller). Events: none.
        """
        return file_record(self._visible_row(token, file_id))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_text(self, token, file_id):
        """A file's extracted text.

        Args: ``token``, ``file_id``. Result: ``{file_id, text_status, text, error,
        truncated}``; ``text`` is a string when ``text_status`` is ``ok`` or
        ``empty``, else null. Errors: as ``get_file``. Events: none.
        """
        row = self._visible_row(token, file_id, with_text=True)
        has_text = row.text_status in (models.TEXT_OK, models.TEXT_EMPTY)
        return {"file_id": row.file_id, "text_status": row.text_status,
                "text": (row.text or "") if has_text else None,
                "error": row.text_error, "truncated": bool(row.text_truncated)}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_download_url(self, token, file_id):
        """A short-lived (5 minutes) signed URL to download a stored file.

        Args: ``token``, ``file_id``. Result: ``{url, expires_at}``.
        Errors: as ``get_file``; Conflict if the file has not been stored (pending or
        rejected). Events: none.
        """
        row = self._visible_row(token, file_id)
        if row.status != models.STORED:
            raise Conflict("Tệp chưa được tải lên xong.", "The file has not been stored.",
                           {"status": row.status})
        expires = int(self.clock.now().timestamp()) + signing.DOWNLOAD_TTL_SECONDS
        url = signing.signed_url(self.settings.storage_public_url, f"/files/{file_id}/content",
                                 self.settings.secret_key, "GET", file_id, expires)
        return {"url": url,
                "expires_at": datetime.fromtimestamp(expires, timezone.utc).isoformat()}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def hand_over_files(self, token, request):
        """A service gives files it stored itself to a person, who may then attach them
        as if they had uploaded them (the exchange stores a received document's files,
        and the văn thư who accepts it registers them).

        Args: ``token`` (a service's); ``request`` = ``{file_ids (at most 50), user_id}``.
        Result: ``{handed_over: n}``. Errors: Forbidden (not a service, or a file the
        service did not store); InvalidInput. Events: none."""
        caller = self.identity.caller(token)
        if not caller.system:
            raise Forbidden("Chỉ dịch vụ nội bộ chuyển giao tệp.", "For services only.")
        data = request if isinstance(request, dict) else {}
        file_ids, user_id = data.get("file_ids"), data.get("user_id")
        if not (isinstance(file_ids, list) and 0 < len(file_ids) <= 50
                and all(isinstance(f, str) and len(f) <= 36 for f in file_ids)
                and isinstance(user_id, str) and 0 < len(user_id) <= 100):
            raise invalid_fields({"file_ids": {"vi": "Từ 1 đến 50 mã tệp và người nhận.",
                                               "en": "1 to 50 file ids and a user id."}})
        with self.db.transaction() as session:
            owners = dict(session.execute(select(files.c.file_id, files.c.uploaded_by).where(
                files.c.file_id.in_(file_ids))).all())
            if set(owners) != set(file_ids) or any(
                    owner not in (caller.user_id, user_id) for owner in owners.values()):
                raise Forbidden("Chỉ chuyển giao được tệp do chính dịch vụ lưu.",
                                "Only files the service stored itself can be handed over.")
            session.execute(update(files).where(files.c.file_id.in_(file_ids)).values(
                uploaded_by=user_id))
        return {"handed_over": len(file_ids)}

    # ------------------------------------------------------------------ helpers

    def _row(self, file_id, with_text: bool = False):
        if not isinstance(file_id, str) or len(file_id) > 36:
            raise not_found("tệp", "File", file_id)
        with self.db.read() as session:
            row = session.execute(FILE_ROW[with_text], {"id": file_id}).first()
        if row is None:
            raise not_found("tệp", "File", file_id)
        return row

    def _visible_row(self, token, file_id, with_text: bool = False):
        caller = self.identity.caller(token)
        row = self._row(file_id, with_text=with_text)
        if not (caller.system or caller.user_id == row.uploaded_by):
            raise Forbidden("Bạn không có quyền truy cập tệp này.",
                            "You may not access this file.", {"file_id": file_id})
        return row
