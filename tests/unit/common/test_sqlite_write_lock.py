"""Two containers of one process on one SQLite file (replicas started side by side, as
the integration tests do) share one green write lock: a write transaction that yields
the hub part-way does not make the other container's BEGIN IMMEDIATE wait inside the C
driver, which would stall the whole process for SQLite's busy timeout."""
from __future__ import annotations

import time

import eventlet
from sqlalchemy import text

from services.common.db import DatabaseAccess, make_engine, write_lock_for


def test_two_containers_on_one_sqlite_file_take_turns_without_stalling_the_hub(tmp_path):
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    first = DatabaseAccess(make_engine(url), write_lock_for(url))
    second = DatabaseAccess(make_engine(f"sqlite:///{tmp_path}/./shared.db"),
                            write_lock_for(f"sqlite:///{tmp_path}/./shared.db"))
    with first.transaction() as session:
        session.execute(text("CREATE TABLE turns (who TEXT)"))
    order = []

    def write(database, who, pause):
        with database.transaction() as session:
            session.execute(text("INSERT INTO turns VALUES (:who)"), {"who": who})
            eventlet.sleep(pause)               # a yield inside the transaction
            order.append(who)

    started = time.monotonic()
    holder = eventlet.spawn(write, first, "first", 0.3)
    eventlet.sleep(0.05)                        # the first holds the lock
    waiter = eventlet.spawn(write, second, "second", 0)
    ticks = 0
    while not (holder.dead and waiter.dead):
        ticks += 1
        eventlet.sleep(0.01)
    holder.wait()
    waiter.wait()

    assert order == ["first", "second"]
    assert time.monotonic() - started < 10      # the busy timeout is 30 s
    # the hub kept turning meanwhile (blocked in the driver, it would not turn at all until
    # the busy timeout; how often it turns depends on the machine's load)
    assert ticks >= 1
    with second.read() as session:
        assert session.execute(text("SELECT count(*) FROM turns")).scalar_one() == 2


def test_each_sqlite_file_has_its_own_lock_and_other_databases_get_a_fresh_one(tmp_path):
    assert write_lock_for(f"sqlite:///{tmp_path}/a.db") is write_lock_for(
        f"sqlite:///{tmp_path}/a.db")
    assert write_lock_for(f"sqlite:///{tmp_path}/a.db") is not write_lock_for(
        f"sqlite:///{tmp_path}/b.db")
    url = "postgresql://localhost/x"
    assert write_lock_for(url) is not write_lock_for(url)
