"""Idempotent event handling: remember which events a handler has already applied.

Delivery is at-least-once (outbox relay, broker redelivery), so every handler runs
its change and the record of the ``event_id`` in one transaction, and skips an event
it has seen.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Column, String, Table, select

from services.common.db import UtcDateTime


def processed_events_table(metadata) -> Table:
    return Table(
        "processed_events", metadata,
        Column("event_id", String(36), primary_key=True),
        Column("handler", String(100), primary_key=True),
        Column("processed_at", UtcDateTime(), nullable=False),
    )


def first_delivery(session, table: Table, event_id: str, handler: str) -> bool:
    """True (and recorded) the first time ``handler`` sees ``event_id``; else False.

    One ``INSERT … ON CONFLICT DO NOTHING``: it inserted a row, or the event was seen. On
    PostgreSQL a concurrent duplicate waits for the first one's transaction and then
    inserts nothing (or inserts, if that one rolled back); SQLite has one writer at a time.
    Elsewhere a look then an insert, whose concurrent duplicate fails on the primary key at
    commit (rolled back, redelivered, then skipped here).
    """
    dialect = session.get_bind().dialect.name
    statement = _record_statement(table, dialect)
    values = {"event_id": event_id, "handler": handler,
              "processed_at": datetime.now(timezone.utc)}
    if statement is not None:
        return session.execute(statement, values).rowcount == 1
    seen = session.execute(select(table.c.event_id).where(
        table.c.event_id == event_id, table.c.handler == handler)).first()
    if seen:
        return False
    session.execute(table.insert().values(**values))
    return True


#: (table, dialect) → the prebuilt insert: built once, its compiled form is then reused
#: (building and keying a statement cost twice what executing it does)
_RECORD_STATEMENTS: dict = {}


def _record_statement(table: Table, dialect: str):
    key = (table, dialect)
    if key not in _RECORD_STATEMENTS:
        if dialect == "sqlite":
            from sqlalchemy.dialects.sqlite import insert
        elif dialect == "postgresql":
            from sqlalchemy.dialects.postgresql import insert
        else:
            _RECORD_STATEMENTS[key] = None
            return None
        # the values come with each execution (their keys pick the compiled form)
        _RECORD_STATEMENTS[key] = insert(table).on_conflict_do_nothing()
    return _RECORD_STATEMENTS[key]
