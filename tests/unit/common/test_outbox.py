"""The outbox on a real SQLite file: the worker that commits an event publishes it after
the commit in no transaction; the relay marks it later in one write for many, publishes
what no worker did, and leaves another process's fresh events to that process."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import event, select, update

from services.common.db import DatabaseAccess, make_engine, new_metadata, write_lock_for
from services.common.outbox import (add_event, outbox_table, pending_count,
                                    prune_published, publish_committed, relay_pending)

metadata = new_metadata()
outbox = outbox_table(metadata)


@pytest.fixture
def url(tmp_path):
    url = f"sqlite:///{tmp_path / 'outbox.db'}"
    engine = make_engine(url)
    metadata.create_all(engine)
    engine.dispose()
    return url


def process(url, shared=None):
    """One process's access (its own engine and its own record of its events)."""
    return DatabaseAccess(make_engine(url), write_lock_for(url), shared)


def worker(of: DatabaseAccess) -> DatabaseAccess:
    """Another worker of the same process: same engine, same record of events."""
    return DatabaseAccess(of.engine, write_lock_for(str(of.engine.url)), of.local_events)


def write(db, *ids):
    with db.transaction() as session:
        for id_ in ids:
            add_event(session, outbox, "thing_happened", {"id": id_})


def published_rows(db):
    with db.read() as session:
        return session.execute(select(outbox.c.payload).where(
            outbox.c.published_at.is_not(None)).order_by(outbox.c.id)).scalars().all()


def count_writes(db):
    writes = []
    event.listen(db.engine, "begin", lambda conn: writes.append(
        conn.info.get("sqlite_begin")))
    return writes


def test_the_worker_publishes_its_events_in_order_in_no_transaction_and_the_relay_marks_them(
        url):
    db = process(url)
    write(db, "a", "b")
    writes = count_writes(db)
    sent = []
    assert publish_committed(db, lambda kind, payload: sent.append(payload["data"]["id"])) == 2
    assert sent == ["a", "b"] and writes == []
    assert published_rows(db) == [] and pending_count(db, outbox) == 0   # noted, not marked
    relayed = []
    assert relay_pending(worker(db), outbox, lambda *a: relayed.append(a)) == 0
    assert relayed == [] and [p["data"]["id"] for p in published_rows(db)] == ["a", "b"]
    assert db.local_events == {}


def test_an_event_its_worker_never_published_goes_out_with_the_next_relay(url):
    db = process(url)
    write(db, "a")
    sent = []
    assert relay_pending(worker(db), outbox, lambda kind, p: sent.append(p["data"]["id"])) == 1
    assert sent == ["a"]
    assert publish_committed(db, lambda *a: sent.append(a)) == 0   # the relay took it
    assert sent == ["a"] and len(published_rows(db)) == 1


def broker_gone_at(event: str, sent: list):
    """A dispatch that sends until it reaches ``event``, then fails as a lost broker does."""
    def dispatch(kind, payload):
        if payload["data"]["id"] == event:
            raise ConnectionError("broker gone")
        sent.append(payload["data"]["id"])
    return dispatch


def test_a_failed_publish_leaves_that_event_and_the_rest_to_the_relay(url):
    db = process(url)
    write(db, "a", "b", "c")
    sent = []
    with pytest.raises(ConnectionError):
        publish_committed(db, broker_gone_at("b", sent))
    assert relay_pending(worker(db), outbox, lambda kind, p: sent.append(p["data"]["id"])) == 2
    assert sent == ["a", "b", "c"]
    assert len(published_rows(db)) == 3 and pending_count(db, outbox) == 0


def test_a_rolled_back_transaction_publishes_nothing(url):
    db = process(url)
    with pytest.raises(RuntimeError):
        with db.transaction() as session:
            add_event(session, outbox, "thing_happened", {"id": "a"})
            raise RuntimeError("refused")
    assert publish_committed(db, lambda *a: pytest.fail("published")) == 0
    assert db.local_events == {}
    assert relay_pending(db, outbox, lambda *a: pytest.fail("published")) == 0


def test_another_process_fresh_event_is_left_to_it_and_taken_once_older_than_the_grace(url):
    first, second = process(url), process(url)
    write(first, "a")                          # first dies before publishing it
    sent = []
    assert relay_pending(second, outbox, lambda kind, p: sent.append(p)) == 0
    with second.transaction() as session:      # time passes
        session.execute(update(outbox).values(
            created_at=datetime.now(timezone.utc) - timedelta(seconds=10)))
    assert relay_pending(second, outbox, lambda kind, p: sent.append(p["data"]["id"])) == 1
    assert sent == ["a"] and len(published_rows(second)) == 1


def test_with_nothing_noted_or_pending_the_relay_takes_no_write_lock(url):
    db = process(url)
    writes = count_writes(db)
    assert relay_pending(db, outbox, lambda *a: pytest.fail("published")) == 0
    assert "BEGIN IMMEDIATE" not in writes


def test_events_published_over_a_week_ago_are_deleted_in_chunks_and_pending_ones_never(url):
    db = process(url)
    write(db, "old-1", "old-2", "old-3", "recent", "pending-old")
    now = datetime.now(timezone.utc)
    with db.transaction() as session:
        for id_, published_at in (("old-1", now - timedelta(days=8)),
                                  ("old-2", now - timedelta(days=7, minutes=1)),
                                  ("old-3", now - timedelta(days=30)),
                                  ("recent", now - timedelta(days=6))):
            session.execute(update(outbox).where(outbox.c.payload["data"]["id"].as_string()
                                                 == id_).values(published_at=published_at))
        session.execute(update(outbox).where(outbox.c.payload["data"]["id"].as_string()
                                             == "pending-old")
                        .values(created_at=now - timedelta(days=40)))
    assert prune_published(db, outbox, now, chunk=2) == 3
    with db.read() as session:
        left = sorted(payload["data"]["id"] for payload in
                      session.execute(select(outbox.c.payload)).scalars())
    assert left == ["pending-old", "recent"]
    assert prune_published(db, outbox, now) == 0


def test_the_relay_publishes_this_process_events_with_sqlite_write_lock_free(url):
    db = process(url)
    write(db, "a", "b")
    lock = write_lock_for(url)
    held_while_publishing = []

    def dispatch(kind, payload):
        held_while_publishing.append(lock.locked())

    assert relay_pending(worker(db), outbox, dispatch) == 2
    assert held_while_publishing == [False, False]
    assert [p["data"]["id"] for p in published_rows(db)] == ["a", "b"]
    assert db.local_events == {}


def test_a_relay_publish_that_fails_leaves_that_event_and_the_rest_pending(url):
    db = process(url)
    write(db, "a", "b", "c")
    sent = []
    with pytest.raises(ConnectionError):
        relay_pending(worker(db), outbox, broker_gone_at("b", sent))
    assert [p["data"]["id"] for p in published_rows(db)] == ["a"]
    assert pending_count(db, outbox) == 2
    assert relay_pending(worker(db), outbox, lambda kind, p: sent.append(p["data"]["id"])) == 2
    assert sent == ["a", "b", "c"] and pending_count(db, outbox) == 0
    assert publish_committed(db, lambda *a: pytest.fail("published twice")) == 0
