"""Database access for every service: one SQLAlchemy URL per service, SQLite by
default and PostgreSQL in production (both tested).

SQLite under eventlet needs care: a busy wait inside the C driver blocks the whole
hub, so two green threads of one process that both want the write lock would
deadlock until the busy timeout. Write transactions of one process on one database
file are therefore serialised by a green lock — one per file, shared by every container
of the process that opens it (replicas started side by side in one process, as tests
do, would otherwise stall each other for the busy timeout) — and start with
``BEGIN IMMEDIATE``; other processes wait on SQLite's busy timeout. On PostgreSQL
psycopg2 is made cooperative with psycogreen, and counters are taken with ``SELECT ... FOR UPDATE``.
"""
from __future__ import annotations

import logging
from contextlib import contextmanager
from datetime import datetime, timezone

import eventlet.semaphore
from nameko.extensions import DependencyProvider

from sqlalchemy import DateTime, MetaData, create_engine, event, func, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.types import TypeDecorator

from services.common.config import settings_of
from services.common.timers import wake_timer

log = logging.getLogger(__name__)

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

_green_patched = False
#: the green write lock of each SQLite database file this process opens (see above)
_sqlite_write_locks: dict[str, eventlet.semaphore.Semaphore] = {}


def write_lock_for(url: str) -> eventlet.semaphore.Semaphore:
    """The lock that serialises this process's write transactions on ``url``: one per
    SQLite file (by its absolute path), a fresh one for any other database."""
    if not url.startswith("sqlite:///"):
        return eventlet.semaphore.Semaphore(1)
    import os
    path = os.path.realpath(url[len("sqlite:///"):].split("?", 1)[0])
    return _sqlite_write_locks.setdefault(path, eventlet.semaphore.Semaphore(1))


class UtcDateTime(TypeDecorator):
    """A moment in time, always timezone-aware UTC in Python. PostgreSQL keeps the zone
    (timestamptz); SQLite keeps none and would hand back naive values, which would then
    travel without an offset (API times are ISO 8601 with an offset)."""
    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is not None and value.tzinfo is not None:
            value = value.astimezone(timezone.utc)
        return value

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value


def insert_once(session, table, **values) -> bool:
    """Insert a row unless one with the same key exists (INSERT … ON CONFLICT DO NOTHING on
    PostgreSQL and SQLite); True if this call inserted it — the way to claim something
    exactly once among several processes. On PostgreSQL a concurrent insert of the same key
    waits for the other transaction, then inserts nothing (or inserts, if it rolled back)."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    # the values as execution parameters, not in the statement: its compiled form is then
    # reused (values built into it cost building and keying it anew, twice the insert)
    return session.execute(insert(table).on_conflict_do_nothing(), values).rowcount == 1


def iso(value) -> str | None:
    """A date or time as ISO 8601 for the API: a time with its offset, always in UTC (as
    UtcDateTime reads it back), whatever zone it was computed in."""
    if value is None:
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return value.isoformat()


def new_metadata() -> MetaData:
    return MetaData(naming_convention=NAMING_CONVENTION)


def make_engine(url: str):
    global _green_patched
    if url.startswith("sqlite"):
        if url.startswith("sqlite:///"):
            import os
            os.makedirs(os.path.dirname(os.path.abspath(url[len("sqlite:///"):])) or ".",
                        exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection, _record):
            # Let SQLAlchemy's "begin" event issue BEGIN itself (the pysqlite recipe).
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            conn.exec_driver_sql(conn.info.get("sqlite_begin", "BEGIN"))

        return engine
    if url.startswith("postgresql") and not _green_patched:
        import psycogreen.eventlet
        psycogreen.eventlet.patch_psycopg()
        _green_patched = True
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


#: session.info key under which outbox.add_event lists the events of a transaction
OUTBOX_EVENTS = "outbox_events"
#: an event of this process's outbox committed and not yet published (outbox.py)
COMMITTED = "committed"
#: session.info key: the configured timers to wake once the transaction commits
WAKE_TIMERS = "wake_timers"


def wake_after_commit(session, timer: str) -> None:
    """Once ``session``'s transaction commits, the service's configured timer ``timer``
    (services/common/timers.py) runs its round at once instead of at the end of its
    interval: for work that a timer does and this transaction has just made (messages
    queued for the axis). Said where the work is made, so no path that makes it can
    forget the wake; outside a running service (a script) nothing is woken."""
    session.info.setdefault(WAKE_TIMERS, set()).add(timer)


class DatabaseAccess:
    """What a worker gets: short transactions, committed or rolled back as a whole.

    ``committed_events`` are the outbox events this worker committed and has not published
    yet, in order; ``local_events`` (event_id → state) those of every worker of this
    container until the relay marks them published (shared: outbox.py). ``wake(name)``
    runs a configured timer's round now (``wake_after_commit``)."""

    def __init__(self, engine, write_lock, local_events: dict | None = None, wake=None):
        self.engine = engine
        self._write_lock = write_lock
        self.is_sqlite = engine.dialect.name == "sqlite"
        self.committed_events: list[dict] = []
        self.local_events = {} if local_events is None else local_events
        self._wake = wake

    def _committed(self, session) -> None:
        """Right after a commit (still under the write lock on SQLite, so the relay
        never sees the rows before they are known here): the transaction's events are
        this worker's to publish, and the timers it made work for run their round."""
        events = session.info.pop(OUTBOX_EVENTS, None)
        if events:
            for event in events:
                self.local_events[event["event_id"]] = COMMITTED
            self.committed_events.extend(events)
        timers = session.info.pop(WAKE_TIMERS, None)
        if timers and self._wake is not None:
            for name in sorted(timers):
                self._wake(name)

    @contextmanager
    def transaction(self, write: bool = True):
        """A Session in one transaction: committed on success, rolled back on error.

        Do not call other services while a write transaction is open: on SQLite that
        would hold the database's only write lock across a network round trip.
        """
        if self.is_sqlite and write:
            with self._write_lock:
                with self.engine.connect() as conn:
                    conn.info["sqlite_begin"] = "BEGIN IMMEDIATE"
                    try:
                        with Session(bind=conn, expire_on_commit=False) as session:
                            with session.begin():
                                yield session
                            self._committed(session)
                    finally:
                        conn.info.pop("sqlite_begin", None)
            return
        with Session(bind=self.engine, expire_on_commit=False) as session:
            with session.begin():
                yield session
            self._committed(session)

    def read(self):
        return self.transaction(write=False)

    def ping(self) -> bool:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True


class Database(DependencyProvider):
    """The service's own database, from ``DB_URLS[<service name>]``."""

    def setup(self):
        url = settings_of(self.container).db_url(self.container.service_name)
        self.engine = make_engine(url)
        self.write_lock = write_lock_for(url)
        self.local_events: dict[str, str] = {}   # this container's outbox events (outbox.py)

    def stop(self):
        self.engine.dispose()

    def kill(self):
        self.engine.dispose()

    def get_dependency(self, worker_ctx):
        return DatabaseAccess(self.engine, self.write_lock, self.local_events,
                              wake=self._wake)

    def _wake(self, timer: str) -> None:
        # after a commit: an unknown timer is a mistake in the code, but the work is
        # committed and the timer's interval still finds it, so it is logged, not raised
        try:
            wake_timer(self.container, timer)
        except LookupError:
            log.error("no configured timer %r to wake in %s", timer,
                      self.container.service_name)


def count_rows(session, query) -> int:
    """How many rows a query would return."""
    return session.execute(select(func.count()).select_from(query.subquery())).scalar_one()


def fetch_page(session, query, page: int, page_size: int):
    """(total, result) for page ``page`` (from 1) of an ordered query."""
    total = count_rows(session, query)
    return total, session.execute(query.offset((page - 1) * page_size).limit(page_size))
