"""A reindex run on a real (SQLite) search database and a real tantivy index, its
sources being plain functions standing for documents' search_views and storage's
get_text (the e2e test runs it through the services): what it keeps, forgets and
indexes, how it reports, and that a failure leaves the live index as it was."""
import threading
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update

from services.common.clock import VietnamClock
from services.common.db import DatabaseAccess, make_engine
from services.common.migrations import upgrade
from services.search import projection, reindex
from services.search.backends.tantivy_backend import TantivyBackend
from services.search.models import documents, file_texts, reindex_runs
from tests.unit.search.helpers import ask, ids

NOW = datetime.now(timezone.utc)


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'search.db'}"
    upgrade({"DATA_DIR": str(tmp_path), "DB_URLS": {"search": url}}, ["search"])
    engine = make_engine(url)
    yield DatabaseAccess(engine, threading.Lock())
    engine.dispose()


@pytest.fixture
def backend(tmp_path):
    backend = TantivyBackend(str(tmp_path / "index"))
    yield backend
    backend.close()


def view(document_id, subject, **extra):
    return {"id": document_id, "direction": "incoming", "unit_id": "unit-a",
            "subject": subject, "confidentiality": "none", "acl_units": ["unit-a"],
            "acl_users": [], "file_ids": []} | extra


class Documents:
    """Pages of views as documents.search_views returns them (two per page)."""

    def __init__(self, incoming, outgoing=()):
        self.lists = {"incoming": list(incoming), "outgoing": list(outgoing)}

    def views(self, direction, after):
        items = sorted(self.lists[direction], key=lambda v: v["id"])
        page = [v for v in items if v["id"] > after][:2]
        return {"items": page, "total": len(items), "as_of": NOW.isoformat(),
                "next_after": page[-1]["id"] if len(page) == 2 else None}


def claimed(db) -> str:
    with db.transaction() as session:
        run = reindex.request_run(session, "admin-1", NOW)
    with db.transaction() as session:
        assert reindex.claim_run(session, NOW) == run["id"]
    return run["id"]


def run_row(db, run_id):
    with db.read() as session:
        return reindex.run_out(session.execute(select(reindex_runs).where(
            reindex_runs.c.id == run_id)).first())


def test_a_run_rebuilds_from_the_sources_and_forgets_what_they_no_longer_list(db, backend):
    with db.transaction() as session:   # what search kept: one stale, one gone since
        for data in (view("d-1", "Tiêu đề cũ"), view("gone", "Văn bản đã bị xóa")):
            projection.record_document(session, projection.document_fields(data), [],
                                       source_at=NOW - timedelta(hours=1), now=NOW)
    backend.upsert_many([dict(projection.document_fields(view("gone", "Văn bản đã bị xóa")),
                              revision=1, content="")])
    sources = Documents(
        [view("d-1", "Kế hoạch đường giao thông", file_ids=["f-1"]),
         view("d-2", "Báo cáo đường thủy"), view("d-3", "Thư mời họp"),
         {"id": "d-4", "direction": "incoming", "confidentiality": "secret"}],
        [view("o-1", "Công văn đi về đường sắt", direction="outgoing", state="issued")])
    texts = {"f-1": "Nội dung về cầu đường bộ"}
    run_id = claimed(db)
    reindex.Reindex(db, backend, reindex.Sources(sources.views, texts.get), run_id,
                    VietnamClock()).run()

    assert set(ids(ask(backend, "duong"))) == {"d-1", "d-2", "o-1"}
    assert ids(ask(backend, "cau duong bo")) == ["d-1"]          # the text from storage
    assert ids(ask(backend, "xoa")) == [] and backend.count() == 4
    with db.read() as session:
        kept = set(session.execute(select(documents.c.document_id)).scalars())
        assert kept == {"d-1", "d-2", "d-3", "o-1"}              # gone and secret: not kept
        assert session.execute(select(file_texts.c.file_id)).scalars().all() == ["f-1"]
    run = run_row(db, run_id)
    assert (run["state"], run["phase"], run["percent"], run["documents"]) == (
        "done", "switch", 100, 4)
    assert run["finished_at"] and run["error"] is None


def test_an_event_newer_than_the_page_keeps_its_state(db, backend):
    """documents' page was read at NOW; an event from just before (in flight) wins over
    it, as newest wins: the page counts as a minute older than read."""
    with db.transaction() as session:
        projection.record_document(session, projection.document_fields(
            view("d-1", "Đã giao Sở Giao thông", state="assigned")), [],
            source_at=NOW - timedelta(seconds=5), now=NOW)
    sources = Documents([view("d-1", "Chưa giao", state="registered")])
    reindex.Reindex(db, backend, reindex.Sources(sources.views, lambda f: None),
                    claimed(db), VietnamClock()).run()
    assert ids(ask(backend, "giao thong")) == ["d-1"]
    assert ask(backend, "giao thong").items[0]["state"] == "assigned"


def test_a_failed_run_leaves_the_live_index_and_reports_why(db, backend):
    backend.upsert_many([dict(projection.document_fields(view("d-1", "Đường cũ")),
                              revision=1, content="")])

    def storage_down(file_id):
        raise RuntimeError("storage is unavailable")

    sources = Documents([view("d-1", "Đường mới", file_ids=["f-1"])])
    run_id = claimed(db)
    with pytest.raises(RuntimeError):
        reindex.Reindex(db, backend, reindex.Sources(sources.views, storage_down), run_id,
                        VietnamClock()).run()
    assert ids(ask(backend, "duong")) == ["d-1"] and backend.count() == 1
    run = run_row(db, run_id)
    assert (run["state"], run["phase"]) == ("failed", "texts")
    assert "storage is unavailable" in run["error"]


def test_one_run_at_a_time_and_a_silent_one_is_failed(db):
    with db.transaction() as session:
        first = reindex.request_run(session, "admin-1", NOW)
        assert reindex.request_run(session, "admin-2", NOW) is None   # requested: no second
    with db.transaction() as session:
        assert reindex.claim_run(session, NOW) == first["id"]
        assert reindex.claim_run(session, NOW) is None                 # one process claims it
        assert reindex.request_run(session, "admin-2", NOW) is None   # running: no second
        session.execute(update(reindex_runs).values(
            updated_at=NOW - reindex.STALE_AFTER - timedelta(seconds=1)))
    with db.transaction() as session:
        second = reindex.request_run(session, "admin-2", NOW)          # the silent one failed
    assert second and second["state"] == "requested" and second["percent"] is None
    assert run_row(db, first["id"])["state"] == "failed"


def test_progress_is_a_share_of_the_four_phases():
    row = type("Row", (), dict(
        id="r", state="running", phase="index", done=50, total=200, documents=None,
        requested_by="a", requested_at=NOW, started_at=NOW, finished_at=None,
        updated_at=NOW, error=None))
    assert reindex.run_out(row)["percent"] == 56   # (2 phases + 0.25) of 4
