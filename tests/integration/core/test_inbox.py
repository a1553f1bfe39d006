"""The inbox's record of handled events on a real SQLite file and a real PostgreSQL
database: one statement says whether a handler sees an event for the first time, and two
transactions handling the same event at once apply it once."""
from __future__ import annotations

import eventlet
import eventlet.event
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.db import DatabaseAccess, make_engine, new_metadata, write_lock_for
from services.common.inbox import already_seen, first_delivery, processed_events_table
from tests.conftest import create_pg_database, drop_pg_database

metadata = new_metadata()
processed = processed_events_table(metadata)


@pytest.fixture
def engine(db_kind, tmp_path):
    url = f"sqlite:///{tmp_path / 'inbox.db'}" if db_kind == "sqlite" else create_pg_database()
    engine = make_engine(url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()
    if db_kind == "postgresql":
        drop_pg_database(url)


def rows(engine) -> int:
    with Session(engine) as session:
        return session.execute(select(func.count()).select_from(processed)).scalar_one()


def test_an_event_is_first_delivered_once_per_handler(engine):
    with Session(engine) as session, session.begin():
        assert first_delivery(session, processed, "event-1", "on_a")
        assert not first_delivery(session, processed, "event-1", "on_a")
        assert first_delivery(session, processed, "event-1", "on_b")
        assert first_delivery(session, processed, "event-2", "on_a")
    with Session(engine) as session, session.begin():
        assert not first_delivery(session, processed, "event-2", "on_a")
        assert already_seen(session, processed, "event-2", "on_a")
        assert not already_seen(session, processed, "event-2", "on_b")
    assert rows(engine) == 3


def test_a_rolled_back_handling_leaves_the_event_to_be_handled_again(engine):
    with Session(engine) as session:
        with session.begin():
            assert first_delivery(session, processed, "event-1", "on_a")
            session.rollback()
    with Session(engine) as session, session.begin():
        assert first_delivery(session, processed, "event-1", "on_a")


def test_two_deliveries_of_one_event_at_once_are_applied_once(engine):
    """Two workers of a service handle the same event at once, as a service does
    (DatabaseAccess): on PostgreSQL the second's insert waits for the first's uncommitted
    row, on SQLite the second waits for the process's write lock; either way it then
    finds the event handled."""
    db = DatabaseAccess(engine, write_lock_for(str(engine.url)))
    first_in = eventlet.event.Event()
    answers = {}

    def first():
        with db.transaction() as session:
            answers["first"] = first_delivery(session, processed, "event-1", "on_a")
            first_in.send()
            eventlet.sleep(0.5)      # holds its uncommitted row meanwhile

    def second():
        first_in.wait()
        with db.transaction() as session:
            answers["second"] = first_delivery(session, processed, "event-1", "on_a")

    with eventlet.Timeout(10):
        for worker in [eventlet.spawn(first), eventlet.spawn(second)]:
            worker.wait()
    assert answers == {"first": True, "second": False}
    assert rows(engine) == 1
