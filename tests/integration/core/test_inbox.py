"""The inbox's record of handled events on a real SQLite file and a real PostgreSQL
database: one statement says whether a handler sees an event for the first time, and two
transactions handling the same event at once apply it once."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.db import make_engine, new_metadata
from services.common.inbox import first_delivery, processed_events_table
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
    assert rows(engine) == 3


def test_a_rolled_back_handling_leaves_the_event_to_be_handled_again(engine):
    with Session(engine) as session:
        with session.begin():
            assert first_delivery(session, processed, "event-1", "on_a")
            session.rollback()
    with Session(engine) as session, session.begin():
        assert first_delivery(session, processed, "event-1", "on_a")


def test_two_deliveries_of_one_event_at_once_are_applied_once(engine, db_kind):
    if db_kind == "sqlite":
        pytest.skip("SQLite has one writer at a time: the second waits for the first")
    first_in = threading.Event()
    answers = {}

    def first():
        with Session(engine) as session, session.begin():
            answers["first"] = first_delivery(session, processed, "event-1", "on_a")
            first_in.set()
            threading.Event().wait(0.5)     # holds its uncommitted row meanwhile

    def second():
        first_in.wait(5)
        with Session(engine) as session, session.begin():
            answers["second"] = first_delivery(session, processed, "event-1", "on_a")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert answers == {"first": True, "second": False}
    assert rows(engine) == 1
