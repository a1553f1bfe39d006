"""The storage service's text extraction: after ``file_stored`` the file's text is
extracted in a child process (``extraction.run_extraction``, so the hub keeps serving;
forked by the extraction fork server unless EXTRACTION_FORK_SERVER is false),
recorded with its ``text_extracted`` event, and retried by a timer when it was lost.

Mixed into StorageService, whose providers and helpers these use: ``db``, ``blobs``,
``settings``, ``clock``, ``extraction_slots``, ``metrics``, ``outbox`` with
``flush_outbox()``, and ``_row()``.
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from sqlalchemy import bindparam, select, update

from services.common.events import FILE_STORED, SOURCE_STORAGE, TEXT_EXTRACTED
from services.common.handlers import event_handler
from services.common.inbox import already_seen, first_delivery
from services.common.outbox import add_event
from services.common.timers import configured_timer
from services.storage import models
from services.storage.dependencies import upload_tmp_dir
from services.storage.extraction import ocr_options, run_extraction
from services.storage.extractors import EXTRACTABLE_KINDS
from services.storage.extractors.result import NOT_EXTRACTED, Extraction, failed
from services.storage.models import files

log = logging.getLogger(__name__)

#: A file whose text is still ``pending`` this long after it was stored (or after
#: its last attempt started and timed out) is retried by the timer...
RETRY_AFTER_SECONDS = 60
#: ...at most this many attempts in all, then recorded as failed.
MAX_EXTRACTION_ATTEMPTS = 3
RETRY_BATCH = 20
EXTRACT_HANDLER = "storage.on_storage_file_stored"
#: A text up to this size (UTF-8) travels in its text_extracted event, so search need not
#: ask for it; a longer one is fetched with get_text.
TEXT_IN_EVENT_MAX_BYTES = 64 * 1024

# The updates every stored file runs, built once (building and keying a statement of this
# wide table cost more than running it). Their parameters are named b_*: an update may not
# bind a parameter by a column's name.
# An attempt more, unless another worker or replica got there first:
_CLAIM = update(files).where(
    files.c.file_id == bindparam("b_id"), files.c.text_status == models.TEXT_PENDING,
    files.c.extraction_attempts == bindparam("b_attempts")).values(
    extraction_attempts=bindparam("b_attempt"), extraction_started_at=bindparam("b_now"),
    extraction_pages_done=None, extraction_pages_total=None)
# the outcome, on a file still pending (and still at the expected attempt, when given)
_RECORD = {expecting: update(files).where(
    files.c.file_id == bindparam("b_id"), files.c.text_status == models.TEXT_PENDING,
    *([files.c.extraction_attempts == bindparam("b_attempts")] if expecting else [])).values(
    text_status=bindparam("b_status"), text=bindparam("b_text"),
    text_method=bindparam("b_method"),
    text_truncated=bindparam("b_truncated"), text_error=bindparam("b_error"),
    extracted_at=bindparam("b_now")) for expecting in (False, True)}


class ExtractionEntrypoints:

    @event_handler(SOURCE_STORAGE, FILE_STORED)
    def on_storage_file_stored(self, payload):
        """Extract the text of a newly stored file.

        Idempotent by ``event_id`` (inbox). Records ``text_status`` (ok / empty /
        failed / none), the text or the failure's reason, and — except for
        ``none`` — a ``text_extracted`` event {file_id, status, length, method,
        error, truncated, and text when it is "ok" and at most TEXT_IN_EVENT_MAX_BYTES}
        in one transaction; then flushes the outbox. While the
        child process works its progress is kept on the row, at most once a second
        (``text_progress`` of ``get_file``).
        """
        event_id = payload["event_id"]
        file_id = payload["data"]["file_id"]
        with self.db.read() as session:
            seen = already_seen(session, models.processed, event_id, EXTRACT_HANDLER)
            row = session.execute(models.FILE_ROW[False], {"id": file_id}).first()
        if seen or row is None:
            return
        if row.status != models.STORED or row.text_status != models.TEXT_PENDING:
            with self.db.transaction() as session:
                first_delivery(session, models.processed, event_id, EXTRACT_HANDLER)
            return
        self._extract(row, event_id=event_id)

    @configured_timer("upload_retry_scan", default=30)
    def retry_pending_extractions(self):
        """Retry files whose text is still ``pending`` a minute after they were stored
        (a crash, a lost event); after MAX_EXTRACTION_ATTEMPTS attempts record
        ``failed``. Replicas claim each file with a conditional update."""
        now = self.clock.now()
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

    def _extract(self, row, event_id: str | None = None) -> None:
        # one of the process's few slots first; the attempt is claimed once it runs
        with self.extraction_slots.slot():
            self._extract_now(self._row(row.file_id), event_id)

    def _extract_now(self, row, event_id: str | None = None) -> None:
        # claim: one attempt more, unless another worker or replica got there first
        attempt = row.extraction_attempts + 1
        with self.db.transaction() as session:
            claimed = session.execute(_CLAIM, {
                "b_id": row.file_id, "b_attempts": row.extraction_attempts,
                "b_attempt": attempt, "b_now": self.clock.now()}).rowcount
        if claimed != 1:
            return
        if row.kind not in EXTRACTABLE_KINDS:
            result = NOT_EXTRACTED
        else:
            started = time.perf_counter()     # a duration for the metric, not a date
            result = self._run_extraction(row, attempt)
            self.metrics.histogram("eoffice_storage_extraction_seconds",
                                   "Text extraction wall time").observe(
                time.perf_counter() - started)
        self._record(row, result, event_id=event_id, expect_attempts=attempt)

    def _run_extraction(self, row, attempt: int) -> Extraction:
        """The text of the stored file, read in a child process from a local copy."""
        def progress(done: int, total: int) -> None:
            self._save_progress(row.file_id, attempt, done, total)

        try:
            with self.blobs.local_copy(row.sha256, upload_tmp_dir(self.settings)) as path:
                result = run_extraction(
                    path, row.kind, self.settings.extraction_timeout_seconds,
                    **ocr_options(self.settings), on_progress=progress,
                    use_fork_server=self.settings.extraction_fork_server)
            if result.ocr_pages or result.note:
                log.info("text of %s (%s): %s page(s), %s OCR'd%s", row.file_id,
                         row.kind, result.pages, result.ocr_pages,
                         f"; {result.note}" if result.note else "")
            return result
        except Exception as exc:   # noqa: BLE001 - recorded as the failure's reason
            log.exception("extraction of %s failed", row.file_id)
            return failed(f"could not read the stored file: {type(exc).__name__}: {exc}")

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
            recorded = session.execute(_RECORD[expect_attempts is not None], {
                "b_id": row.file_id, "b_attempts": expect_attempts, "b_status": result.status,
                "b_text": result.text
                if result.status in (models.TEXT_OK, models.TEXT_EMPTY) else None,
                "b_method": result.method, "b_truncated": result.truncated,
                "b_error": result.error, "b_now": self.clock.now()}).rowcount
            if recorded == 1 and result.status != models.TEXT_NONE:
                add_event(session, self.outbox, TEXT_EXTRACTED, {
                    "file_id": row.file_id, "status": result.status,
                    "length": result.length, "method": result.method,
                    "error": result.error, "truncated": result.truncated,
                    **_small_text(result)})
        if result.status == models.TEXT_FAILED:
            log.warning("text extraction of %s failed: %s", row.file_id, result.error)
        self.flush_outbox()


def _small_text(result: Extraction) -> dict:
    """``{"text": …}`` for the text_extracted event when the text is "ok" and small.
    Its one consumer, search, keeps it only for a file of a document it indexes (never a
    secret one), as it keeps what get_text answers."""
    if result.status != models.TEXT_OK or result.text is None:
        return {}
    if len(result.text.encode("utf-8")) > TEXT_IN_EVENT_MAX_BYTES:
        return {}
    return {"text": result.text}
