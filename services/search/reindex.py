"""Rebuilding the search index from the sources, while searches go on answering from
the live index (ARCHITECTURE.md: the index is a projection, rebuilt at any time).

A run has four phases, each reporting ``done`` of ``total`` on its row in
``reindex_runs``:

1. documents: every document the documents service has (incoming, and outgoing once
   issued), as it is now, replaces what search kept; what documents no longer lists is
   forgotten, and secret documents are removed;
2. texts: the text of every file search has no text for is asked of storage;
3. index: a new index is filled from search's tables beside the live one;
4. switch: the new index becomes the live one at once; documents changed since phase 3
   began (by events handled meanwhile, in any search process) are indexed again in it.

If the process stops midway, the live index is untouched and the half-built one is
removed at the next start; the run is then reported failed. No nameko here: the
service passes what the run needs.
"""
from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Callable

from sqlalchemy import delete, func, select, update

from services.common.db import iso
from services.search.models import document_files, documents, file_texts, reindex_runs
from services.search.projection import (document_fields, document_id_pages, file_ids_of,
                                        index_documents, record_document, store_text)

log = logging.getLogger(__name__)

REQUESTED, RUNNING, DONE, FAILED = "requested", "running", "done", "failed"
PHASES = ("documents", "texts", "index", "switch")
#: A running run whose process has not reported for this long has stopped.
STALE_AFTER = timedelta(minutes=3)
#: What documents said this long before it was read may still be overtaken by an event
#: in flight: the page counts as that old, so such an event still wins (newest wins).
SOURCE_MARGIN = timedelta(minutes=1)
BATCH = 500


def _aware(moment):
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def run_out(row) -> dict | None:
    """A run as the API shows it."""
    if row is None:
        return None
    percent = None
    if row.state == DONE:
        percent = 100
    elif row.phase:
        share = row.done / row.total if row.total else 0
        percent = int((PHASES.index(row.phase) + min(share, 1)) * 100 / len(PHASES))
    return {"id": row.id, "state": row.state, "phase": row.phase, "done": row.done,
            "total": row.total, "percent": percent, "documents": row.documents,
            "requested_by": row.requested_by, "requested_at": iso(row.requested_at),
            "started_at": iso(row.started_at), "finished_at": iso(row.finished_at),
            "updated_at": iso(row.updated_at), "error": row.error}


def latest_run(session):
    return session.execute(select(reindex_runs).order_by(
        reindex_runs.c.requested_at.desc()).limit(1)).first()


def active_run(session, now: datetime):
    """The requested run, or the running one whose process still reports, if any."""
    row = session.execute(select(reindex_runs).where(
        reindex_runs.c.state.in_((REQUESTED, RUNNING))).order_by(
        reindex_runs.c.requested_at.desc()).limit(1)).first()
    if row is None or (row.state == RUNNING
                       and _aware(row.updated_at) < now - STALE_AFTER):
        return None
    return row


def fail_silent_runs(session, now: datetime) -> None:
    """A running run that stopped reporting (its process stopped) is failed."""
    session.execute(update(reindex_runs).where(
        reindex_runs.c.state == RUNNING,
        reindex_runs.c.updated_at < now - STALE_AFTER).values(
        state=FAILED, finished_at=now, updated_at=now,
        error="Tiến trình dừng giữa chừng / the process stopped midway"))


def request_run(session, user_id: str, now: datetime) -> dict | None:
    """A new requested run, or None if one is requested or running already."""
    fail_silent_runs(session, now)
    if active_run(session, now) is not None:
        return None
    row = {"id": str(uuid.uuid4()), "state": REQUESTED, "phase": None, "done": 0, "total": 0,
           "requested_by": user_id, "requested_at": now, "updated_at": now}
    session.execute(reindex_runs.insert().values(**row))
    return run_out(session.execute(select(reindex_runs).where(
        reindex_runs.c.id == row["id"])).first())


def claim_run(session, now: datetime) -> str | None:
    """The id of a requested run this process now runs (one process wins it)."""
    row = session.execute(select(reindex_runs.c.id).where(
        reindex_runs.c.state == REQUESTED).order_by(reindex_runs.c.requested_at)
        .limit(1)).first()
    if row is None:
        return None
    claimed = session.execute(update(reindex_runs).where(
        reindex_runs.c.id == row.id, reindex_runs.c.state == REQUESTED).values(
        state=RUNNING, started_at=now, updated_at=now)).rowcount
    return row.id if claimed else None


@dataclass
class Sources:
    """What a run reads besides search's own tables: ``views(direction, after)`` →
    documents' search_views page; ``text(file_id)`` → the file's text or None."""
    views: Callable[[str, str], dict]
    text: Callable[[str], str | None]


class Reindex:
    """One run, from its claim to done or failed."""

    def __init__(self, db, backend, sources: Sources, run_id: str, clock):
        """``clock``: the service's (``now()``), for the run's reports and records."""
        self.db, self.backend, self.sources, self.run_id = db, backend, sources, run_id
        self.clock = clock

    def run(self) -> None:
        try:
            self._refresh_documents()
            self._fetch_texts()
            target, index_started = self._fill_new_index()
            self._switch(target, index_started)
        except Exception as exc:
            log.exception("reindex %s failed", self.run_id)
            self._report(state=FAILED, finished_at=self.clock.now(), error=str(exc)[:2000])
            raise

    def _report(self, **values) -> None:
        with self.db.transaction() as session:
            session.execute(update(reindex_runs).where(reindex_runs.c.id == self.run_id)
                            .values(updated_at=self.clock.now(), **values))

    # -- 1: documents as the documents service has them now ------------------------------

    def _refresh_documents(self) -> None:
        seen: set[str] = set()
        totals: dict[str, int] = {}
        done, oldest_page = 0, None
        self._report(phase="documents", done=0, total=0)
        for direction in ("incoming", "outgoing"):
            after = ""
            while True:
                page = self.sources.views(direction, after)
                totals[direction] = page["total"]
                source_at = datetime.fromisoformat(page["as_of"]) - SOURCE_MARGIN
                oldest_page = oldest_page or source_at
                with self.db.transaction() as session:
                    for view in page["items"]:
                        fields = document_fields(view, source_at.isoformat())
                        record_document(session, fields, file_ids_of(view),
                                        source_at=source_at, now=self.clock.now())
                        seen.add(fields["document_id"])
                done += len(page["items"])
                self._report(done=done, total=max(done, sum(totals.values())))
                if not page.get("next_after"):
                    break
                after = page["next_after"]
        self._forget_unlisted(seen, oldest_page)

    def _forget_unlisted(self, seen: set[str], before) -> None:
        """What documents did not list (and no event brought since the run began) is
        no longer a document search may show."""
        with self.db.read() as session:
            kept = session.execute(select(documents.c.document_id, documents.c.source_at))
            gone = [row.document_id for row in kept if row.document_id not in seen and (
                row.source_at is None or _aware(row.source_at) < before)]
        for start in range(0, len(gone), BATCH):
            with self.db.transaction() as session:
                ids = gone[start:start + BATCH]
                session.execute(delete(document_files).where(
                    document_files.c.document_id.in_(ids)))
                session.execute(delete(documents).where(documents.c.document_id.in_(ids)))
        if gone:
            log.info("reindex %s: %d documents documents no longer lists were forgotten",
                     self.run_id, len(gone))

    # -- 2: the texts storage has ----------------------------------------------------------

    def _fetch_texts(self) -> None:
        with self.db.read() as session:
            missing = session.execute(
                select(document_files.c.file_id).distinct()
                .outerjoin(file_texts, file_texts.c.file_id == document_files.c.file_id)
                .where(file_texts.c.file_id.is_(None))
                .order_by(document_files.c.file_id)).scalars().all()
        self._report(phase="texts", done=0, total=len(missing))
        for done, file_id in enumerate(missing, 1):
            text = self.sources.text(file_id)   # storage down: the run fails, index untouched
            if text is not None:
                with self.db.transaction() as session:
                    store_text(session, file_id, text, self.clock.now())
            if done % 50 == 0 or done == len(missing):
                self._report(done=done)

    # -- 3: a new index beside the live one ------------------------------------------------

    def _fill_new_index(self):
        index_started = self.clock.now()
        with self.db.read() as session:
            total = session.execute(select(func.count()).select_from(documents)).scalar_one()
        self._report(phase="index", done=0, total=total)
        target = self.backend.start_rebuild("r" + index_started.strftime("%Y%m%d%H%M%S")
                                            + "-" + self.run_id[:8])
        try:
            done = 0
            for ids in document_id_pages(self.db, BATCH):
                with self.db.read() as session:
                    target.upsert_many(index_documents(session, ids))
                done += len(ids)
                self._report(done=done, total=max(total, done))
        except BaseException:
            self.backend.discard_rebuild(target)
            raise
        return target, index_started

    # -- 4: the switch ---------------------------------------------------------------------

    def _switch(self, target, index_started) -> None:
        self._report(phase="switch", done=0, total=1)
        self.backend.finish_rebuild(target)
        # what events changed meanwhile went to the old index: apply it to the new one
        for ids in document_id_pages(self.db, BATCH, index_started - SOURCE_MARGIN):
            with self.db.read() as session:
                self.backend.upsert_many(index_documents(session, ids))
        self._report(state=DONE, done=1, finished_at=self.clock.now(),
                     documents=self.backend.count())
        log.info("reindex %s done: %d documents", self.run_id, self.backend.count())
