"""The search service: keeps a full-text index of documents (a projection of the
documents and storage services' events) and answers people's searches, showing each
person only the documents they may see."""
from __future__ import annotations

import base64
import dataclasses
import logging
import time
import uuid

from eventlet import tpool
from sqlalchemy import func, select

from services.common import tables
from services.common.clock import Clock
from services.common.db import Database, iso
from services.common.errors import (EXPECTED_ERRORS, Conflict, EofficeError, Forbidden,
                                    ServiceTimeout, ServiceUnavailable, not_found)
from services.common.events import (DOCUMENT_ISSUED, DOCUMENT_RECALLED, DOCUMENT_REGISTERED,
                                    DOCUMENT_UPDATED, SOURCE_DOCUMENTS, SOURCE_STORAGE,
                                    TEXT_EXTRACTED)
from services.common.handlers import event_handler
from services.common.identity_provider import Identity
from services.common.inbox import already_seen, first_delivery
from services.common.rpc import TimedRpc, rpc
from services.common.service_base import ServiceBase
from services.common.timers import Wakeups, configured_timer
from services.search.backends.base import SearchQuery, fuzzy_distance, is_indexable
from services.search import export, reindex
from services.search.dependencies import SearchIndex
from services.search.models import documents, processed, saved_searches
from services.search.projection import (announce_text, document_fields,
                                        document_id_pages, documents_of_file,
                                        file_ids_of, files_without_text, forget_document,
                                        index_documents, record_document, store_text,
                                        texts_to_fetch)
from services.search.schemas import (EXPORT_MAX_ROWS, MAX_SAVED_PER_USER, saved_search_input,
                                     search_query)

log = logging.getLogger(__name__)

#: user id → (until when, units): see SearchService._delegated_units.
_DELEGATED_UNITS: dict[str, tuple[float, tuple[str, ...]]] = {}

ON_REGISTERED = "on_documents_document_registered"
ON_UPDATED = "on_documents_document_updated"
ON_RECALLED = "on_documents_document_recalled"
ON_ISSUED = "on_documents_document_issued"
#: How long a person's delegated units are reused before documents is asked again.
DELEGATED_UNITS_SECONDS = 10
CATCH_UP_BATCH = 500
EXPORT_PAGE = 200
ON_TEXT_EXTRACTED = "on_storage_text_extracted"


class SearchService(ServiceBase):
    name = "search"

    db = Database()
    identity = Identity()
    index = SearchIndex()
    storage_rpc = TimedRpc("storage")
    documents_rpc = TimedRpc("documents")
    clock = Clock()
    wakeups = Wakeups()

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def search(self, token, params):
        """Full-text search over the documents the caller may see.

        Args: ``token`` (the caller's), ``params``: ``{q (required, ≤ 1000 chars;
        words, "quoted phrases" and prefixes ``quyet*``, accents optional), unit_id,
        register_id, issuer_organ_id, document_type, urgency, direction, state,
        from, to (YYYY-MM-DD, bounds of the arrival date, inclusive), issued_from,
        issued_to (bounds of the issue date), sort
        (relevance | date: newest first), facets (false: none), page (≥ 1),
        page_size (1..200, default 20)}``.

        Returns ``{"items": [{document_id, subject, snippet, score, code_number,
        code_notation, arrival_number, arrival_date, issued_date, issuer_name,
        document_type, document_type_name, urgency, unit_id, direction, state}],
        "total", "page", "page_size", "facets": {"document_type": {key: count},
        "urgency": {...}} (or null), "fuzzy"}``, best hits first. When nothing matches
        the words as typed, words of four letters or more are matched approximately
        (a typo: "quyet dinhh") and ``fuzzy`` is true. A document is seen if one of
        its acl_units is one of the caller's units or the caller is among its
        acl_users. Snippets are HTML: the text is escaped and hits are wrapped in
        ``<mark>``.

        Errors: Unauthenticated (bad token), Forbidden (a service's token: search is
        for people), InvalidInput (unknown param, bad value, empty or too long q).
        """
        caller = self._person(token)
        return self._search(search_query(params, caller, self._delegated_units(caller)))\
            .to_dict()

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def export_search(self, token, params):
        """The caller's search as a spreadsheet: the same ``params`` as ``search``
        (without paging), best hits first, at most EXPORT_MAX_ROWS rows.
        Returns {filename, content_type, content_base64, count, total}.
        Errors: as ``search``."""
        caller = self._person(token)
        params = {k: v for k, v in (params or {}).items() if k not in ("page", "page_size")} \
            if isinstance(params, dict) else params
        rows, total, page = [], 0, 1
        delegated = self._delegated_units(caller)
        while len(rows) < EXPORT_MAX_ROWS:
            result = self._search(search_query(
                dict(params, page=page, page_size=EXPORT_PAGE, facets=False), caller,
                delegated))
            rows.extend(result.items)
            total = result.total
            if len(result.items) < EXPORT_PAGE:
                break
            page += 1
        rows = rows[:EXPORT_MAX_ROWS]
        content = tpool.execute(tables.to_xlsx, "KẾT QUẢ TÌM KIẾM VĂN BẢN",
                                f"Từ khóa: {params.get('q')} · {total} văn bản"
                                + (f" (xuất {len(rows)} đầu tiên)" if total > len(rows) else ""),
                                export.COLUMNS, export.rows(rows), export.WIDTHS,
                                sheet_name="Ket qua")
        return {"filename": "ket-qua-tim-kiem.xlsx", "count": len(rows), "total": total,
                "content_type": export.XLSX,
                "content_base64": base64.b64encode(content).decode("ascii")}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def save_search(self, token, payload):
        """Keep a search under a name for the caller: {name, params}. Returns {id, name,
        params, created_at}. Errors: InvalidInput (bad terms or name); Conflict (the
        name is taken, or MAX_SAVED_PER_USER reached)."""
        caller = self._person(token)
        data = saved_search_input(payload, caller)
        now = self.clock.now()
        with self.db.transaction() as session:
            mine = select(saved_searches.c.name).where(
                saved_searches.c.user_id == caller.user_id)
            names = set(session.execute(mine).scalars())
            if data["name"] in names:
                raise Conflict("Đã có tìm kiếm mang tên này.", "A saved search has this name.")
            if len(names) >= MAX_SAVED_PER_USER:
                raise Conflict(f"Tối đa {MAX_SAVED_PER_USER} tìm kiếm đã lưu.",
                               f"At most {MAX_SAVED_PER_USER} saved searches.")
            row = {"id": str(uuid.uuid4()), "user_id": caller.user_id, "name": data["name"],
                   "params": data["params"], "created_at": now}
            session.execute(saved_searches.insert().values(**row))
        return {k: row[k] for k in ("id", "name", "params")} | {"created_at": iso(now)}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_saved_searches(self, token):
        """The caller's saved searches, by name: {items: [{id, name, params, created_at}]}."""
        caller = self._person(token)
        with self.db.read() as session:
            rows = session.execute(select(saved_searches).where(
                saved_searches.c.user_id == caller.user_id)
                .order_by(saved_searches.c.name)).all()
        return {"items": [{"id": r.id, "name": r.name, "params": r.params,
                           "created_at": iso(r.created_at)} for r in rows]}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def delete_saved_search(self, token, saved_id):
        """Forget one of the caller's saved searches. Errors: NotFound (none of theirs)."""
        caller = self._person(token)
        with self.db.transaction() as session:
            gone = session.execute(saved_searches.delete().where(
                saved_searches.c.id == str(saved_id),
                saved_searches.c.user_id == caller.user_id)).rowcount
        if not gone:
            raise not_found("tìm kiếm đã lưu", "Saved search", saved_id)
        return {"id": saved_id, "deleted": True}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def reindex(self, token):
        """Rebuild the index from documents and storage (see services/search/reindex.py)
        while searches go on answering from the live index. For administrators. The
        run is taken up at once by this process (by another within TIMERS.reindex_poll
        seconds, should this one stop first); follow it with
        ``reindex_status``. Returns the run {id, state: requested, ...}.
        Errors: Forbidden (not an administrator); Conflict (a run is requested or
        running)."""
        caller = self._administrator(token)
        with self.db.transaction() as session:
            run = reindex.request_run(session, caller.user_id, self.clock.now())
        if run is None:
            raise Conflict("Đang xây dựng lại chỉ mục tìm kiếm; hãy chờ lần này xong.",
                           "The search index is being rebuilt; wait for this run to end.")
        log.info("reindex %s requested by %s", run["id"], caller.user_id)
        self.wakeups.wake("reindex_poll")   # this process takes it up at once
        return run

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def reindex_status(self, token):
        """The latest reindex run: {id, state (requested, running, done, failed), phase
        (documents, texts, index, switch), done, total, percent, documents (indexed when
        done), requested_by, requested_at, started_at, updated_at, finished_at, error},
        with ``index_documents`` (what the live index holds now); ``run`` is None if
        the index was never rebuilt. Errors: Forbidden (not an administrator)."""
        self._administrator(token)
        with self.db.transaction() as session:
            reindex.fail_silent_runs(session, self.clock.now())   # so a stopped run reads as failed
            run = reindex.run_out(reindex.latest_run(session))
        return {"run": run, "index_documents": self.index.count()}

    @configured_timer("reindex_poll", default=2)
    def run_requested_reindex(self):
        """Run a requested reindex, if this process claims it (one process does); looked
        for every TIMERS.reindex_poll seconds (config)."""
        with self.db.read() as session:   # the usual answer, without a write lock
            waiting = reindex.active_run(session, self.clock.now())
        if waiting is None or waiting.state != reindex.REQUESTED:
            return
        with self.db.transaction() as session:
            run_id = reindex.claim_run(session, self.clock.now())
        if run_id is None:
            return
        log.info("reindex %s started", run_id)
        sources = reindex.Sources(
            views=lambda direction, after: self.documents_rpc.search_views(
                self.identity.system_token(), {"direction": direction, "after": after}),
            text=self._get_text)
        reindex.Reindex(self.db, self.index, sources, run_id, self.clock).run()

    def _administrator(self, token):
        caller = self._person(token)
        if not caller.system_admin:   # deployment-wide: not a unit's quản trị
            raise Forbidden("Chỉ quản trị hệ thống được xây dựng lại chỉ mục tìm kiếm.",
                            "Only administrators may rebuild the search index.")
        return caller

    def _delegated_units(self, caller) -> tuple[str, ...]:
        """Units where the caller acts for a leader under a delegation in force: the
        permission rule lets them see those units' documents. Asked of documents at
        most every DELEGATED_UNITS_SECONDS per person; if documents is unavailable,
        the caller searches their own units only."""
        now = time.monotonic()
        kept = _DELEGATED_UNITS.get(caller.user_id)
        if kept and kept[0] > now:
            return kept[1]
        try:
            answer = self.documents_rpc.delegated_units(self.identity.system_token(),
                                                        caller.user_id)
        except (ServiceUnavailable, ServiceTimeout) as exc:
            log.warning("delegated units of %s unknown: %s", caller.user_id, exc)
            return kept[1] if kept else ()
        units = tuple(answer.get("unit_ids") or ())
        _DELEGATED_UNITS[caller.user_id] = (now + DELEGATED_UNITS_SECONDS, units)
        return units

    def _person(self, token):
        caller = self.identity.caller(token)
        if caller.system:
            raise Forbidden("Chức năng tìm kiếm chỉ dành cho người dùng.",
                            "Search is for people, not services.")
        return caller

    @event_handler(SOURCE_DOCUMENTS, DOCUMENT_REGISTERED)
    def on_documents_document_registered(self, payload):
        """Index a registered incoming document: its metadata at once, then its files'
        text (see _project)."""
        self._project(payload, ON_REGISTERED)

    @event_handler(SOURCE_DOCUMENTS, DOCUMENT_UPDATED)
    def on_documents_document_updated(self, payload):
        """A document's state or who may see it changed: index it as it is now."""
        self._project(payload, ON_UPDATED)

    @event_handler(SOURCE_DOCUMENTS, DOCUMENT_ISSUED)
    def on_documents_document_issued(self, payload):
        """Index an issued outgoing document, for its unit and whoever it names."""
        self._project(payload, ON_ISSUED)

    @event_handler(SOURCE_DOCUMENTS, DOCUMENT_RECALLED)
    def on_documents_document_recalled(self, payload):
        """An incoming document withdrawn after its sender's recall (``withdrawn``): it is
        forgotten, index and all. A recalled outgoing document stays findable."""
        data = payload.get("data") or {}
        if not data.get("withdrawn") or not data.get("id"):
            return
        with self.db.transaction() as session:
            if not first_delivery(session, processed, payload["event_id"], ON_RECALLED):
                return
            forget_document(session, data["id"])
        self.index.delete(data["id"])

    def _project(self, payload, handler):
        """Keep a document as the event tells it and index it: its metadata at once,
        then its files' text. The document and its files are recorded with the event
        id in one transaction (a redelivered event changes nothing; an event older than
        what is kept changes nothing either), then indexed; then storage is asked for
        the text of each file not known yet — unless documents said (``file_text_status``
        of document_registered) that storage had not extracted it yet and its
        ``text_extracted`` has not come: that event will bring the text. If storage is
        unavailable the document stays findable by its metadata, and the later
        ``text_extracted`` event adds the content. Secret documents are not indexed (and
        are removed if they were)."""
        data = payload.get("data")
        try:
            fields = document_fields(data, payload.get("occurred_at"))
        except ValueError:
            log.error("%s %s without a document id; ignored", payload.get("type"),
                      payload.get("event_id"))
            return
        document_id, file_ids = fields["document_id"], file_ids_of(data)
        indexable = is_indexable(fields)
        with self.db.transaction() as session:
            if not first_delivery(session, processed, payload["event_id"], handler):
                return
            if not record_document(session, fields, file_ids,
                                   source_at=payload.get("occurred_at"), now=self.clock.now()):
                return
            # read in the same transaction: the index keeps the newest revision whatever
            # order concurrent handlers reach it in (upsert_many)
            docs = index_documents(session, [document_id]) if indexable else []
            missing = files_without_text(session, document_id) if indexable and file_ids \
                else []
        if not indexable:
            self.index.delete(document_id)
            return
        self.index.upsert_many(docs)
        if missing:
            # after the commit, not in it: a text_extracted handler notes an announced
            # text, then looks for its document; read before our commit, on PostgreSQL
            # the two could miss each other (texts_to_fetch)
            said = data.get("file_text_status")
            with self.db.read() as session:
                missing = texts_to_fetch(session, missing, said if isinstance(said, dict)
                                         else {})
        self._reindex(self._fetch_texts(missing))

    @event_handler(SOURCE_STORAGE, TEXT_EXTRACTED)
    def on_storage_text_extracted(self, payload):
        """Add a file's extracted text to every document that has the file.

        Only status "ok" carries text: in the event when it is small (storage puts a
        text of up to 64 KiB there), else asked of storage. For a file no document has
        yet the text is dropped (a secret document's file is never had, so its text is
        never kept) and the file is noted as announced: its document's registration
        asks storage for the text. The note is committed before this handler looks
        again whether a document has the file, so a registration committed meanwhile
        either sees the note or is seen here. Redelivered events change nothing. If
        storage is down or slow (ServiceUnavailable/ServiceTimeout) the handler fails
        and the event is requeued, so the content is added once storage answers again.
        """
        data = payload.get("data") or {}
        event_id, file_id = payload["event_id"], data.get("file_id")
        ok = bool(file_id) and data.get("status") == "ok"
        with self.db.read() as session:
            if already_seen(session, processed, event_id, ON_TEXT_EXTRACTED):
                return
            mapped = bool(file_id) and bool(documents_of_file(session, file_id))
        if ok and not mapped:
            with self.db.transaction() as session:
                announce_text(session, file_id, self.clock.now())
            with self.db.read() as session:
                mapped = bool(documents_of_file(session, file_id))
        text = None
        if mapped and ok:
            text = data["text"] if isinstance(data.get("text"), str) else \
                self._get_text(file_id)   # storage down: fails, the event is requeued
        with self.db.transaction() as session:
            if not first_delivery(session, processed, event_id, ON_TEXT_EXTRACTED):
                return
            document_ids = [] if text is None else \
                store_text(session, file_id, text, self.clock.now())
        self._reindex(document_ids)

    @configured_timer("search_catch_up", default=60, eager=True)
    def catch_up_index(self):
        """The index is a projection of this service's database: when it holds fewer
        documents than the database (a new index schema, a lost index directory) every
        document is indexed again from the database, a batch at a time, while searches
        go on answering from what is indexed. Runs at start and then every
        TIMERS.search_catch_up seconds (config) in every search process (indexing is idempotent)."""
        with self.db.read() as session:
            if reindex.active_run(session, self.clock.now()) is not None:
                return   # the rebuild brings the index up to date
            kept = session.execute(select(func.count()).select_from(documents)).scalar_one()
        try:
            indexed = self.index.count()
        except (ServiceUnavailable, ServiceTimeout) as exc:
            log.warning("search index unreachable; catch-up later: %s", exc)
            return
        if indexed >= kept:
            return
        log.info("search index holds %d of %d documents: indexing them again", indexed, kept)
        done = 0
        for batch in document_id_pages(self.db, CATCH_UP_BATCH):
            self._reindex(batch)
            done += len(batch)
        log.info("search index caught up: %d documents indexed again", done)

    # -- helpers ---------------------------------------------------------------------

    def _search(self, query: SearchQuery):
        """The hits as typed; if there are none, the hits of the words matched
        approximately (a typo), marked fuzzy."""
        search = (lambda q: tpool.execute(self.index.search, q)) \
            if self.index.searches_in_threads else self.index.search
        result = search(query)
        if result.total == 0 and any(fuzzy_distance(word) for word in query.parsed.words):
            result = search(dataclasses.replace(query, fuzzy=True))
        return result

    def _get_text(self, file_id: str) -> str | None:
        """The file's text if storage has it ("ok"), else None. Storage being down or
        slow propagates (ServiceUnavailable, ServiceTimeout)."""
        answer = self.storage_rpc.get_text(self.identity.system_token(), file_id)
        if (answer or {}).get("text_status") != "ok":
            return None
        return answer.get("text") or ""

    def _fetch_texts(self, file_ids: list[str]) -> set[str]:
        """Fetch and keep the texts storage has; returns the documents to reindex.
        Stops at the first sign that storage is down: text_extracted will follow."""
        changed: set[str] = set()
        for file_id in file_ids:
            try:
                text = self._get_text(file_id)
            except (ServiceUnavailable, ServiceTimeout) as exc:
                log.warning("storage unavailable for the text of %s; indexed metadata "
                            "only: %s", file_id, exc)
                break
            except EofficeError as exc:   # e.g. the file is not known (yet)
                log.warning("no text for file %s: %s", file_id, exc)
                continue
            if text is not None:
                with self.db.transaction() as session:
                    changed.update(store_text(session, file_id, text, self.clock.now()))
        return changed

    def _reindex(self, document_ids) -> None:
        if not document_ids:
            return
        with self.db.read() as session:
            docs = index_documents(session, document_ids)
        self.index.upsert_many(docs)

    def _observe_state(self):
        try:
            self.metrics.gauge("eoffice_search_index_documents",
                               "Documents in the search index").set(self.index.count())
        except Exception:   # a scrape must answer even if the index is unreachable
            log.exception("search index count failed")
