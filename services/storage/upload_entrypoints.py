"""The storage service's entrypoints for bytes: reserving an upload, receiving its
bytes at the signed URL, serving them back at a signed download URL, and sweeping
reservations that expired unused.

Mixed into StorageService, whose providers and helpers these use: ``db``, ``identity``,
``blobs``, ``settings``, ``clock``, ``outbox`` with ``flush_outbox()``, and ``_row()``.
"""
from __future__ import annotations

import logging
import os
import tempfile
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select, update
from werkzeug.wrappers import Response

from services.common.errors import (EXPECTED_ERRORS, Conflict, EofficeError, InvalidInput,
                                    TooLarge, UnsupportedType, invalid_fields, not_found)
from services.common.events import FILE_STORED
from services.common.http import json_response
from services.common.outbox import add_event
from services.common.pdf_signatures import scan_pdf_file
from services.common.rpc import rpc
from services.common.timers import configured_timer
from services.storage import models, signing
from services.storage.blobs import CHUNK_SIZE
from services.storage.dependencies import upload_tmp_dir
from services.storage.models import files
from services.storage.records import file_record, served_content_type, too_large
from services.storage.sniffing import clean_filename, kind_for_filename, sniff
from services.storage.web import StreamBody, content_disposition, json_http

log = logging.getLogger(__name__)

#: Expired upload reservations are deleted once their URL has been expired this long
#: (a PUT that began just before the expiry may still finish).
EXPIRED_GRACE_SECONDS = 600
MAX_CONTENT_TYPE_LENGTH = 255


class UploadEntrypoints:

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
        filename, size, content_type = self._upload_request(request)
        if size > self.settings.max_upload_bytes:
            raise too_large(self.settings.max_upload_bytes)
        kind_for_filename(filename)

        file_id = str(uuid.uuid4())
        now = self.clock.now()
        expires = int(now.timestamp()) + signing.UPLOAD_TTL_SECONDS
        expires_at = datetime.fromtimestamp(expires, timezone.utc)
        limit = self.settings.max_pending_uploads_per_user
        with self.db.transaction() as session:
            pending = session.execute(
                select(func.count()).select_from(files).where(
                    files.c.uploaded_by == caller.user_id, files.c.status == models.PENDING,
                    files.c.expires_at > now)).scalar_one()
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
                uploaded_by=caller.user_id, expires_at=expires_at, created_at=now))
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
        Events: ``file_stored`` {file_id, sha256, size, content_type, filename} and, for
        a PDF, {might_be_signed, pdf_encrypted} (services.common.pdf_signatures), written
        in the same transaction as the row.
        """
        settings = self.settings
        signing.verify(settings.secret_key, "PUT", file_id, request.args.get("expires"),
                       request.args.get("signature"), now=self.clock.now().timestamp())
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
            # said in file_stored, so signing fetches only a PDF that might be signed
            scan = scan_pdf_file(tmp_path) if kind.name == "pdf" else None
            blob = self.blobs.put_file(tmp_path)
        finally:
            os.unlink(tmp_path)

        with self.db.transaction() as session:
            stored = session.execute(
                update(files).where(files.c.file_id == file_id,
                                    files.c.status == models.PENDING)
                .values(status=models.STORED, size=blob.size, sha256=blob.sha256,
                        kind=kind.name, stored_at=self.clock.now())).rowcount
            if stored == 1:
                add_event(session, self.outbox, FILE_STORED, {
                    "file_id": file_id, "sha256": blob.sha256, "size": blob.size,
                    "content_type": kind.mime, "filename": row.filename,
                    **({"might_be_signed": scan.might_be_signed,
                        "pdf_encrypted": scan.encrypted} if scan else {})})
        if stored != 1:
            # Lost a race with another PUT of the same file. The blob stays: it is
            # content-addressed and may be shared with another file.
            self._require_pending(self._row(file_id))
        self.flush_outbox()
        return json_response(file_record(self._row(file_id)), status=201)

    @json_http("GET", "/files/<file_id>/content")
    def download(self, request, file_id):
        """Stream a stored file's bytes at a signed download URL.

        Query: ``expires``, ``signature`` (from ``get_download_url``); ``view=1`` asks a
        PDF to be shown in the browser (Content-Disposition inline; any other kind is
        still an attachment).
        Result: 200, the bytes, with Content-Type (as sniffed), Content-Length and
        Content-Disposition (``filename*`` per RFC 5987).
        Errors (JSON envelope): 403 bad/expired signature; 404 unknown or not stored.
        """
        signing.verify(self.settings.secret_key, "GET", file_id, request.args.get("expires"),
                       request.args.get("signature"), now=self.clock.now().timestamp())
        row = self._row(file_id)
        if row.status != models.STORED:
            raise not_found("tệp", "File", file_id)
        body = StreamBody(self.blobs.open(row.sha256), CHUNK_SIZE)
        return Response(body, status=200, direct_passthrough=True, headers={
            "Content-Type": served_content_type(row),
            "Content-Length": str(row.size),
            "Content-Disposition": content_disposition(
                row.filename, "inline" if request.args.get("view") == "1"
                and served_content_type(row) == "application/pdf" else "attachment"),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        })

    @configured_timer("upload_expiry_scan", default=60)
    def remove_expired_reservations(self):
        """Delete upload reservations whose signed URL has expired unused (their PUT
        can no longer be accepted): they count against nobody's limit and leave no row
        behind. Replicas may run it at once: a delete is idempotent."""
        cutoff = self.clock.now() - timedelta(seconds=EXPIRED_GRACE_SECONDS)
        with self.db.transaction() as session:
            removed = session.execute(delete(files).where(
                files.c.status == models.PENDING, files.c.expires_at < cutoff)).rowcount
        if removed:
            log.info("removed %s expired upload reservation(s)", removed)
        return removed

    # ------------------------------------------------------------------ helpers

    @staticmethod
    def _upload_request(request) -> tuple[str, int, str]:
        """``(filename, size, content_type)`` of a ``create_upload`` request, or
        InvalidInput naming every field that is wrong."""
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
        return filename, size, content_type

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
