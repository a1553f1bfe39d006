"""A transaction that makes work for a timer wakes it once it commits (db.wake_after_commit),
never before and never when it rolls back: the timer's round reads what was committed."""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import text

from services.common.db import Database, DatabaseAccess, make_engine, wake_after_commit, \
    write_lock_for


@pytest.fixture
def woken(tmp_path):
    url = f"sqlite:///{tmp_path / 'wake.db'}"
    names: list[str] = []
    database = DatabaseAccess(make_engine(url), write_lock_for(url), wake=names.append)
    with database.transaction() as session:
        session.execute(text("CREATE TABLE work (item TEXT)"))
    return database, names


def test_a_timer_is_woken_once_after_the_transaction_that_made_its_work_commits(woken):
    database, names = woken
    with database.transaction() as session:
        session.execute(text("INSERT INTO work VALUES ('a')"))
        wake_after_commit(session, "exchange_send")
        wake_after_commit(session, "exchange_send")
        assert names == []                       # not while the work is uncommitted
    assert names == ["exchange_send"]
    with database.read() as session:
        assert session.execute(text("SELECT count(*) FROM work")).scalar_one() == 1


def test_a_transaction_that_rolls_back_wakes_nothing(woken):
    database, names = woken
    with pytest.raises(RuntimeError):
        with database.transaction() as session:
            session.execute(text("INSERT INTO work VALUES ('a')"))
            wake_after_commit(session, "exchange_send")
            raise RuntimeError("the work is undone")
    with database.transaction() as session:
        session.execute(text("INSERT INTO work VALUES ('b')"))   # a later, unrelated one
    assert names == []


def test_outside_a_service_the_wake_is_dropped_and_the_work_still_commits(tmp_path):
    url = f"sqlite:///{tmp_path / 'script.db'}"
    database = DatabaseAccess(make_engine(url), write_lock_for(url))   # a script's
    with database.transaction() as session:
        session.execute(text("CREATE TABLE work (item TEXT)"))
        wake_after_commit(session, "exchange_send")
    with database.read() as session:
        assert session.execute(text("SELECT count(*) FROM work")).scalar_one() == 0


def test_a_timer_the_service_does_not_have_is_logged_after_the_commit_not_raised(caplog):
    class Container:
        service_name = "exchange"
        entrypoints = ()

    provider = Database()
    provider.container = Container()
    with caplog.at_level(logging.ERROR, logger="services.common.db"):
        provider._wake("no_such_timer")
    assert "no configured timer 'no_such_timer' to wake in exchange" in caplog.text
