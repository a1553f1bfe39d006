"""The storage service: original files (blobs), their hashes and their extracted text.

Bytes never travel over RabbitMQ. A client asks for an upload (``create_upload``),
gets a short-lived signed URL and PUTs the bytes to this service's own HTTP port;
messages carry only ids and hashes. Text extraction runs in a child process after
the ``file_stored`` event, so the hub keeps serving (see ``extraction.py``).
"""
from __future__ import annotations

import logging
import os
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone

from services.common.handlers import event_handler
from nameko.rpc import rpc
from nameko.timer import timer
from sqlalchemy import delete, func, select, update
from werkzeug.wrappers import Response

from services.common.db import Database, iso
from services.common.errors import (EXPECTED_ERRORS, Conflict, EofficeError, Forbidden,
                                    InvalidInput, TooLarge, UnsupportedType, invalid_fields,
                                    not_found)
from services.common.events import FILE_STORED, SOURCE_STORAGE, TEXT_EXTRACTED
from services.common.identity_provider import Identity
from services.common.inbox import first_delivery
from services.common.outbox import add_event
from services.common.service_base import OutboxServiceBase
from services.storage import models, signing
from services.storage.blobs import CHUNK_SIZE
from services.storage.dependencies import (BlobStore, ExtractionLimit, StorageSettings,
                                           upload_tmp_dir)
from services.storage.extraction import failure_message, ocr_options, run_extraction
from services.storage.extractors import EXTRACTABLE_KINDS
from services.storage.extractors.result import Extraction, failed
from services.storage.models import files
from services.storage.sniffing import KINDS, clean_filename, kind_for_filename, sniff
from services.common.http import json_response
from services.storage.web import StreamBody, content_disposition, json_http

log = logging.getLogger(__name__)

#: A file whose text is still ``pending`` this long after it was stored (or after
#: its last attempt started and timed out) is retried by the timer...
RETRY_AFTER_SECONDS = 60
#: ...at most this many attempts in all, then recorded as failed.
MAX_EXTRACTION_ATTEMPTS = 3
RETRY_SCAN_INTERVAL_SECONDS = 30
#: Expired upload reservations are deleted by a timer this often, once their URL has
#: been expired this long (a PUT that began just before the expiry may still finish).
EXPIRED_SCAN_INTERVAL_SECONDS = 60
EXPIRED_GRACE_SECONDS = 600
RETRY_BATCH = 20
EXTRACT_HANDLER = "storage.on_storage_file_stored"
MAX_CONTENT_TYPE_LENGTH = 255


def utcnow() -> datetime:
    return datetime.now(timezone.utc)



def human_size(size: int) -> str:
    if size >= 1024 * 1024:
        return f"{size / (1024 * 1024):.1f} MB"
    if size >= 1024:
        return f"{size / 1024:.1f} kB"
    return f"{size} B"


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


def too_large(limit: int) -> TooLarge:
    return TooLarge(f"Tệp vượt quá dung lượng cho phép ({human_size(limit)}).",
                    f"The file exceeds the allowed size ({human_size(limit)}).",
                    {"size": "too_large", "limit": limit})


class StorageService(OutboxServiceBase):
    """Stores original files by content hash and extracts their text."""

    name = "storage"

    db = Database()
    identity = Identity()
    blobs = BlobStore()
    settings = StorageSettings()
    extraction_slots = ExtractionLimit()
    outbox = models.outbox

    # ------------------------------------------------------------------ uploads

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_upload(self, token, request):
        """Reserve a file and give the caller a signed URL to PUT its bytes to.

        Args: ``token``; ``request`` = ``{filename, content_type, size}`` (``size`` in
        bytes as the client declares it; the PUT must send exactly that many).
        Result: ``{file_id, upload_url, expires_at}``; the URL is valid 15 minutes.
        Errors: Unauthenticated; InvalidInput (missing/bad filename, size not a
        positive integer, content_type not a string); TooLarge (size over
        MAX_UPLOAD_BYTES); UnsupportedType (extension not allowed); Conflict (the
        caller already holds MAX_PENDING_UPLOADS_PER_USER reservations not yet uploaded
        and not expired).
        Events: none (``file_stored`` follows the upload).
        """
        caller = self.identity.caller(token)
        if not isinstance(request, dict):
            raise InvalidInput("Yêu cầu tải tệp không hợp lệ.", "Invalid upload request.",
                               {"request": "must be an object"})
        problems = {}
        filename = None
        try:
            filename = clean_filename(request.get("filename"))
        except InvalidInput as exc:
            problems.update(exc.details)
        size = request.get("size")
        if isinstance(size, bool) or not isinstance(size, int):
            problems["size"] = "must be an integer number of bytes"
        elif size <= 0:
            problems["size"] = "must be greater than 0"
        content_type = request.get("content_type") or "application/octet-stream"
        if not isinstance(content_type, str) or len(content_type) > MAX_CONTENT_TYPE_LENGTH:
            problems["content_type"] = "must be a string of at most 255 characters"
        if problems:
            raise invalid_fields(problems)
        if size > self.settings.max_upload_bytes:
            raise too_large(self.settings.max_upload_bytes)
        kind_for_filename(filename)

        file_id = str(uuid.uuid4())
        expires = int(time.time()) + signing.UPLOAD_TTL_SECONDS
        expires_at = datetime.fromtimestamp(expires, timezone.utc)
        limit = self.settings.max_pending_uploads_per_user
        with self.db.transaction() as session:
            pending = session.execute(
                select(func.count()).select_from(files).where(
                    files.c.uploaded_by == caller.user_id, files.c.status == models.PENDING,
                    files.c.expires_at > utcnow())).scalar_one()
            if pending >= limit:
                raise Conflict(
                    f"Bạn đang có {pending} tệp đã đăng ký tải lên mà chưa gửi (tối đa "
                    f"{limit}). Hãy tải các tệp đó lên hoặc chờ 15 phút để chúng hết hạn.",
                    f"You have {pending} reserved uploads not yet sent ({limit} at most). "
                    "Upload those files, or wait 15 minutes for them to expire.",
                    {"pending_uploads": pending, "limit": limit})
            session.execute(files.insert().values(
                file_id=file_id, filename=filename, declared_content_type=content_type,
                declared_size=size, status=models.PENDING, text_status=models.TEXT_PENDING,
                uploaded_by=caller.user_id, expires_at=expires_at, created_at=utcnow()))
        url = signing.signed_url(self.settings.storage_public_url, f"/uploads/{file_id}",
                                 self.settings.secret_key, "PUT", file_id, expires)
        return {"file_id": file_id, "upload_url": url, "expires_at": expires_at.isoformat()}

    @json_http("OPTIONS", "/uploads/<file_id>")
    def upload_preflight(self, request, file_id):
        """CORS preflight for a browser PUTting to a signed upload URL: 204."""
        return Response(status=204)

    # the one body over the common cap: streamed to disk, bounded by the reservation
    @json_http("PUT", "/uploads/<file_id>", max_body_bytes=None)
    def upload(self, request, file_id):
        """Receive the bytes of a reserved file at its signed URL.

        Query: ``expires``, ``signature`` (from ``create_upload``). Body: the bytes
        (Content-Length or chunked).
        Result: 201 with the file record (``get_file``'s shape), status ``stored``.
        Errors (JSON envelope): 403 bad/expired signature; 404 unknown file; 409
        already uploaded or rejected; 413 more bytes than declared (or than
        MAX_UPLOAD_BYTES); 400 empty body or fewer bytes than declared; 415 the
        content is not what the extension claims — the file becomes ``rejected``.
        Nothing is kept on any error.
        Events: ``file_stored`` {file_id, sha256, size, content_type, filename},
        written in the same transaction as the row.
        """
        settings = self.settings
        signing.verify(settings.secret_key, "PUT", file_id, request.args.get("expires"),
                       request.args.get("signature"))
        row = self._row(file_id)
        self._require_pending(row)
        cap = min(row.declared_size, settings.max_upload_bytes)
        if request.content_length is not None and request.content_length > cap:
            raise self._over_cap(row, cap)
        tmp_path, received = self._receive(request, cap, self._over_cap(row, cap))
        try:
            if received == 0:
                raise InvalidInput("Tệp tải lên rỗng.", "The uploaded file is empty.",
                                   {"body": "empty"})
            if received != row.declared_size:
                raise InvalidInput(
                    f"Kích thước tệp ({received} byte) khác với kích thước đã khai báo "
                    f"({row.declared_size} byte).",
                    f"The file's size ({received} bytes) differs from the declared size "
                    f"({row.declared_size} bytes).",
                    {"size": "mismatch", "declared": row.declared_size, "received": received})
            try:
                kind = sniff(tmp_path, row.filename)
            except UnsupportedType as exc:
                self._reject(file_id, exc)
                raise
            # a concurrent PUT may have won while these bytes arrived
            self._require_pending(self._row(file_id))
            blob = self.blobs.put_file(tmp_path)
        finally:
            os.unlink(tmp_path)

        with self.db.transaction() as session:
            stored = session.execute(
                update(files).where(files.c.file_id == file_id,
                                    files.c.status == models.PENDING)
                .values(status=models.STORED, size=blob.size, sha256=blob.sha256,
                        kind=kind.name, stored_at=utcnow())).rowcount
            if stored == 1:
                add_event(session, self.outbox, FILE_STORED, {
                    "file_id": file_id, "sha256": blob.sha256, "size": blob.size,
                    "content_type": kind.mime, "filename": row.filename})
        if stored != 1:
            # Lost a race with another PUT of the same file. The blob stays: it is
            # content-addressed and may be shared with another file.
            self._require_pending(self._row(file_id))
        self.flush_outbox()
        return json_response(file_record(self._row(file_id)), status=201)

    @json_http("GET", "/files/<file_id>/content")
    def download(self, request, file_id):
        """Stream a stored file's bytes at a signed download URL.

        Query: ``expires``, ``signature`` (from ``get_download_url``).
        Result: 200, the bytes, with Content-Type (as sniffed), Content-Length and
        Content-Disposition (``filename*`` per RFC 5987).
        Errors (JSON envelope): 403 bad/expired signature; 404 unknown or not stored.
        """
        signing.verify(self.settings.secret_key, "GET", file_id, request.args.get("expires"),
                       request.args.get("signature"))
        row = self._row(file_id)
        if row.status != models.STORED:
            raise not_found("tệp", "File", file_id)
        body = StreamBody(self.blobs.open(row.sha256), CHUNK_SIZE)
        return Response(body, status=200, direct_passthrough=True, headers={
            "Content-Type": served_content_type(row),
            "Content-Length": str(row.size),
            "Content-Disposition": content_disposition(row.filename),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        })

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
        expires = int(time.time()) + signing.DOWNLOAD_TTL_SECONDS
        url = signing.signed_url(self.settings.storage_public_url, f"/files/{file_id}/content",
                                 self.settings.secret_key, "GET", file_id, expires)
        return {"url": url,
                "expires_at": datetime.fromtimestamp(expires, timezone.utc).isoformat()}

    # ------------------------------------------------------------------ extraction

    @event_handler(SOURCE_STORAGE, FILE_STORED)
    def on_storage_file_stored(self, payload):
        """Extract the text of a newly stored file.

        Idempotent by ``event_id`` (inbox). Records ``text_status`` (ok / empty /
        failed / none), the text or the failure's reason, and — except for
        ``none`` — a ``text_extracted`` event {file_id, status, length, method,
        error, truncated} in one transaction; then flushes the outbox. While the
        child process works its progress is kept on the row, at most once a second
        (``text_progress`` of ``get_file``).
        """
        event_id = payload["event_id"]
        file_id = payload["data"]["file_id"]
        with self.db.read() as session:
            seen = session.execute(select(models.processed.c.event_id).where(
                models.processed.c.event_id == event_id,
                models.processed.c.handler == EXTRACT_HANDLER)).first()
            row = session.execute(select(files).where(files.c.file_id == file_id)).first()
        if seen or row is None:
            return
        if row.status != models.STORED or row.text_status != models.TEXT_PENDING:
            self._mark_processed(event_id)
            return
        self._extract(row, event_id=event_id)

    @timer(interval=EXPIRED_SCAN_INTERVAL_SECONDS)
    def remove_expired_reservations(self):
        """Delete upload reservations whose signed URL has expired unused (their PUT
        can no longer be accepted): they count against nobody's limit and leave no row
        behind. Replicas may run it at once: a delete is idempotent."""
        cutoff = utcnow() - timedelta(seconds=EXPIRED_GRACE_SECONDS)
        with self.db.transaction() as session:
            removed = session.execute(delete(files).where(
                files.c.status == models.PENDING, files.c.expires_at < cutoff)).rowcount
        if removed:
            log.info("removed %s expired upload reservation(s)", removed)
        return removed

    @timer(interval=RETRY_SCAN_INTERVAL_SECONDS)
    def retry_pending_extractions(self):
        """Retry files whose text is still ``pending`` a minute after they were stored
        (a crash, a lost event); after MAX_EXTRACTION_ATTEMPTS attempts record
        ``failed``. Replicas claim each file with a conditional update."""
        now = utcnow()
        stale_start = now - timedelta(seconds=self.settings.extraction_timeout_seconds
                                      + RETRY_AFTER_SECONDS)
        with self.db.read() as session:
            rows = session.execute(
                select(files).where(
                    files.c.status == models.STORED,
                    files.c.text_status == models.TEXT_PENDING,
                    files.c.stored_at < now - timedelta(seconds=RETRY_AFTER_SECONDS),
                    (files.c.extraction_started_at.is_(None))
                    | (files.c.extraction_started_at < stale_start))
                .order_by(files.c.stored_at).limit(RETRY_BATCH)).all()
        for row in rows:
            if row.extraction_attempts >= MAX_EXTRACTION_ATTEMPTS:
                self._record(row, failed(f"gave up after {row.extraction_attempts} attempts"),
                             expect_attempts=row.extraction_attempts)
            else:
                self._extract(row)

    # ------------------------------------------------------------------ helpers

    def _row(self, file_id, with_text: bool = False):
        if not isinstance(file_id, str) or len(file_id) > 36:
            raise not_found("tệp", "File", file_id)
        columns = [c for c in files.c if with_text or c.name != "text"]
        with self.db.read() as session:
            row = session.execute(select(*columns).where(files.c.file_id == file_id)).first()
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

    @staticmethod
    def _require_pending(row):
        if row.status != models.PENDING:
            raise Conflict("Tệp này đã được tải lên hoặc đã bị từ chối.",
                           "This file has already been uploaded or rejected.",
                           {"status": row.status})

    def _over_cap(self, row, cap: int) -> TooLarge:
        if cap < self.settings.max_upload_bytes:
            return TooLarge(
                f"Tệp gửi lên lớn hơn kích thước đã khai báo ({row.declared_size} byte).",
                f"The upload is larger than its declared size ({row.declared_size} bytes).",
                {"size": "larger_than_declared", "declared": row.declared_size})
        return too_large(cap)

    def _receive(self, request, cap: int, over_cap: TooLarge) -> tuple[str, int]:
        """Stream the request body to a temporary file, refusing byte ``cap + 1``."""
        stream = request.environ["wsgi.input"]   # eventlet's Input: length or chunked
        fd, path = tempfile.mkstemp(dir=upload_tmp_dir(self.settings), prefix="upload-")
        received = 0
        try:
            with os.fdopen(fd, "wb") as out:
                while True:
                    chunk = stream.read(min(CHUNK_SIZE, cap + 1 - received))
                    if not chunk:
                        break
                    received += len(chunk)
                    if received > cap:
                        raise over_cap
                    out.write(chunk)
        except EofficeError:
            os.unlink(path)
            raise
        except (OSError, ValueError) as exc:
            os.unlink(path)
            raise InvalidInput("Quá trình tải tệp bị gián đoạn.", "The upload was interrupted.",
                               {"body": str(exc)[:200]})
        except BaseException:
            os.unlink(path)
            raise
        return path, received

    def _reject(self, file_id: str, exc: EofficeError) -> None:
        with self.db.transaction() as session:
            session.execute(update(files).where(files.c.file_id == file_id,
                                                files.c.status == models.PENDING)
                            .values(status=models.REJECTED, rejection=exc.message_en))

    def _mark_processed(self, event_id: str) -> None:
        with self.db.transaction() as session:
            first_delivery(session, models.processed, event_id, EXTRACT_HANDLER)

    def _extract(self, row, event_id: str | None = None) -> None:
        # one of the process's few slots first; the attempt is claimed once it runs
        with self.extraction_slots.slot():
            self._extract_now(self._row(row.file_id), event_id)

    def _extract_now(self, row, event_id: str | None = None) -> None:
        # claim: one attempt more, unless another worker or replica got there first
        with self.db.transaction() as session:
            claimed = session.execute(
                update(files).where(files.c.file_id == row.file_id,
                                    files.c.text_status == models.TEXT_PENDING,
                                    files.c.extraction_attempts == row.extraction_attempts)
                .values(extraction_attempts=row.extraction_attempts + 1,
                        extraction_started_at=utcnow(), extraction_pages_done=None,
                        extraction_pages_total=None)).rowcount
        if claimed != 1:
            return
        started = time.perf_counter()
        if row.kind not in EXTRACTABLE_KINDS:
            result = Extraction(status=models.TEXT_NONE)
        else:
            def progress(done: int, total: int) -> None:
                self._save_progress(row.file_id, row.extraction_attempts + 1, done, total)

            try:
                with self.blobs.local_copy(row.sha256, upload_tmp_dir(self.settings)) as path:
                    result = run_extraction(path, row.kind,
                                            self.settings.extraction_timeout_seconds,
                                            **ocr_options(self.settings),
                                            on_progress=progress)
                if result.ocr_pages or result.note:
                    log.info("text of %s (%s): %s page(s), %s OCR'd%s", row.file_id,
                             row.kind, result.pages, result.ocr_pages,
                             f"; {result.note}" if result.note else "")
            except Exception as exc:   # noqa: BLE001 - recorded as the failure's reason
                log.exception("extraction of %s failed", row.file_id)
                result = failed(f"could not read the stored file: {type(exc).__name__}: {exc}")
            self.metrics.histogram("eoffice_storage_extraction_seconds",
                                   "Text extraction wall time").observe(
                time.perf_counter() - started)
        self._record(row, result, event_id=event_id,
                     expect_attempts=row.extraction_attempts + 1)

    def _save_progress(self, file_id: str, attempt: int, done: int, total: int) -> None:
        """Keep an attempt's latest progress on the file's row (run_extraction calls
        this at most once a second). Only while that attempt is the one running: a
        late write never lands on a recorded outcome or on a newer attempt."""
        with self.db.transaction() as session:
            session.execute(update(files).where(
                files.c.file_id == file_id, files.c.text_status == models.TEXT_PENDING,
                files.c.extraction_attempts == attempt).values(
                extraction_pages_done=done, extraction_pages_total=total))

    def _record(self, row, result: Extraction, event_id: str | None = None,
                expect_attempts: int | None = None) -> None:
        """Write the outcome and its event in one transaction, then publish."""
        with self.db.transaction() as session:
            if event_id is not None and not first_delivery(session, models.processed,
                                                           event_id, EXTRACT_HANDLER):
                return
            conditions = [files.c.file_id == row.file_id,
                          files.c.text_status == models.TEXT_PENDING]
            if expect_attempts is not None:
                conditions.append(files.c.extraction_attempts == expect_attempts)
            recorded = session.execute(update(files).where(*conditions).values(
                text_status=result.status,
                text=result.text if result.status in (models.TEXT_OK, models.TEXT_EMPTY)
                else None,
                text_method=result.method, text_truncated=result.truncated,
                text_error=result.error, extracted_at=utcnow())).rowcount
            if recorded == 1 and result.status != models.TEXT_NONE:
                add_event(session, self.outbox, TEXT_EXTRACTED, {
                    "file_id": row.file_id, "status": result.status,
                    "length": result.length, "method": result.method,
                    "error": result.error, "truncated": result.truncated})
        if result.status == models.TEXT_FAILED:
            log.warning("text extraction of %s failed: %s", row.file_id, result.error)
        self.flush_outbox()
