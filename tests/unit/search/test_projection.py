"""What the handlers keep in the search database, on real databases (SQLite and
PostgreSQL) built by the migrations: documents, their files in order, texts, and
revisions."""
from datetime import datetime, timezone

import pytest

from services.common.db import make_engine
from services.common.migrations import upgrade
from services.search import projection
from sqlalchemy.orm import Session

from tests.conftest import create_pg_database, drop_pg_database

NOW = datetime(2026, 3, 10, 8, 0, tzinfo=timezone.utc)


@pytest.fixture
def session(tmp_path, db_kind):
    url = f"sqlite:///{tmp_path / 'search.db'}" if db_kind == "sqlite" \
        else create_pg_database()
    upgrade({"DATA_DIR": str(tmp_path), "DB_URLS": {"search": url}}, ["search"])
    engine = make_engine(url)
    with Session(engine) as session:
        yield session
    engine.dispose()
    if db_kind == "postgresql":
        drop_pg_database(url)


def event_data(document_id, file_ids, **extra):
    return {"id": document_id, "unit_id": "unit-a", "subject": "Công văn về đường bộ",
            "confidentiality": "none", "file_ids": file_ids, "acl_users": ["user-x"]} | extra


def record(session, data):
    projection.record_document(session, projection.document_fields(data),
                               projection.file_ids_of(data), now=NOW)


def test_a_document_without_acl_units_is_visible_to_its_unit():
    fields = projection.document_fields({"id": "d", "unit_id": "unit-a"}, "2024-01-01T00:00Z")
    assert (fields["acl_units"], fields["acl_users"]) == (["unit-a"], [])
    assert fields["registered_at"] == "2024-01-01T00:00Z"
    assert projection.document_fields({"id": "d", "unit_id": "u", "acl_units": []})[
        "acl_units"] == []
    with pytest.raises(ValueError):
        projection.document_fields({"subject": "no id"})


def test_content_is_the_texts_of_the_files_in_the_documents_order(session):
    record(session, event_data("doc-1", ["f2", "f1", "f2"]))
    assert projection.files_without_text(session, "doc-1") == ["f2", "f1"]
    projection.store_text(session, "f1", "Phần một", NOW)
    projection.store_text(session, "f2", "Phần hai", NOW)
    [doc] = projection.index_documents(session, ["doc-1"])
    assert doc["content"] == "Phần hai\n\nPhần một"
    assert doc["revision"] == 3 and doc["acl_users"] == ["user-x"]
    assert projection.files_without_text(session, "doc-1") == []


def test_a_text_moves_every_document_with_that_file_to_a_new_revision(session):
    record(session, event_data("doc-1", ["shared"]))
    record(session, event_data("doc-2", ["shared", "own"]))
    assert projection.store_text(session, "shared", "Văn bản chung", NOW) == [
        "doc-1", "doc-2"]
    docs = {d["document_id"]: d for d in projection.index_documents(session, ["doc-1", "doc-2"])}
    assert {k: (d["revision"], d["content"]) for k, d in docs.items()} == {
        "doc-1": (2, "Văn bản chung"), "doc-2": (2, "Văn bản chung")}


def test_a_file_text_stored_again_replaces_the_first_and_moves_the_revision_again(session):
    record(session, event_data("doc-1", ["f1"]))
    projection.store_text(session, "f1", "Bản cũ", NOW)
    projection.store_text(session, "f1", "Bản mới", NOW)
    [doc] = projection.index_documents(session, ["doc-1"])
    assert (doc["content"], doc["revision"]) == ("Bản mới", 3)


def test_a_document_recorded_again_with_other_fields_moves_to_a_new_revision(session):
    record(session, event_data("doc-1", ["f1"]))
    record(session, event_data("doc-1", ["f1"], subject="Công văn đã sửa"))
    [doc] = projection.index_documents(session, ["doc-1"])
    assert (doc["subject"], doc["revision"]) == ("Công văn đã sửa", 2)


def test_a_text_of_a_file_no_document_has_touches_nothing(session):
    assert projection.store_text(session, "orphan", "x", NOW) == []


def test_registering_again_replaces_the_files_and_moves_the_revision(session):
    record(session, event_data("doc-1", ["f1"]))
    record(session, event_data("doc-1", ["f3"], subject="Đã sửa"))
    [doc] = projection.index_documents(session, ["doc-1"])
    assert (doc["subject"], doc["revision"]) == ("Đã sửa", 2)
    assert projection.files_without_text(session, "doc-1") == ["f3"]


def test_a_secret_document_is_not_kept(session):
    record(session, event_data("doc-1", ["f1"]))
    record(session, event_data("doc-1", ["f1"], confidentiality="secret"))
    assert projection.index_documents(session, ["doc-1"]) == []
    assert projection.documents_of_file(session, "f1") == []


def test_storage_is_asked_only_for_a_text_it_may_have(session):
    """What documents saw of each file decides: an "ok" text, or one not said, is asked
    for; one storage will never have is not; a pending one only once its text_extracted
    came before the document (announced), since one still to come brings the text."""
    said = {"ok": "ok", "none": "none", "empty": "empty", "failed": "failed",
            "pending": "pending", "announced": "pending"}
    projection.announce_text(session, "announced", NOW)
    projection.announce_text(session, "announced", NOW)   # again: no error
    files = [*said, "unsaid"]
    assert projection.texts_to_fetch(session, files, said) == ["ok", "announced", "unsaid"]
    assert projection.texts_to_fetch(session, files, {}) == files


def test_a_kept_text_is_no_longer_announced(session):
    record(session, event_data("doc-1", ["f1"]))
    projection.announce_text(session, "f1", NOW)
    projection.store_text(session, "f1", "Văn bản", NOW)
    assert projection.texts_to_fetch(session, ["f1"], {"f1": "pending"}) == []


def recorded_at(session, data, occurred_at):
    return projection.record_document(session, projection.document_fields(data, occurred_at),
                                      projection.file_ids_of(data), occurred_at, now=NOW)


def test_an_update_that_changes_nothing_searchable_keeps_the_revision_and_needs_no_indexing(
        session):
    assert recorded_at(session, event_data("doc-1", ["f1"], state="assigned"),
                       "2026-03-10T08:00:00+00:00")
    assert not recorded_at(session, event_data("doc-1", ["f1"], state="assigned"),
                           "2026-03-10T08:01:00+00:00")
    [doc] = projection.index_documents(session, ["doc-1"])
    assert doc["revision"] == 1
    assert recorded_at(session, event_data("doc-1", ["f1"], state="in_progress"),
                       "2026-03-10T08:02:00+00:00")
    assert recorded_at(session, event_data("doc-1", ["f1", "f2"], state="in_progress"),
                       "2026-03-10T08:03:00+00:00")
    assert projection.index_documents(session, ["doc-1"])[0]["revision"] == 3


def test_after_an_unchanged_update_an_older_event_arriving_late_still_changes_nothing(session):
    recorded_at(session, event_data("doc-1", [], state="assigned"), "2026-03-10T08:00:00+00:00")
    recorded_at(session, event_data("doc-1", [], state="assigned"), "2026-03-10T08:05:00+00:00")
    assert not recorded_at(session, event_data("doc-1", [], state="to_assign"),
                           "2026-03-10T08:03:00+00:00")
    assert projection.index_documents(session, ["doc-1"])[0]["state"] == "assigned"
