"""Idempotent event handling: remember which events a handler has already applied.

Delivery is at-least-once (outbox relay, broker redelivery), so every handler runs
its change and the record of the ``event_id`` in one transaction, and skips an event
it has seen.
"""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import Column, String, Table, bindparam, select

from services.common.db import UtcDateTime, insert_once


def processed_events_table(metadata) -> Table:
    return Table(
        "processed_events", metadata,
        Column("event_id", String(36), primary_key=True),
        Column("handler", String(100), primary_key=True),
        Column("processed_at", UtcDateTime(), nullable=False),
    )


def already_seen(session, table: Table, event_id: str, handler: str) -> bool:
    """Whether ``handler`` has applied ``event_id`` (a look, for a handler that decides
    what to do before its writing transaction; first_delivery records it there)."""
    statement = _SEEN.get(table)
    if statement is None:    # built once a table: building and keying it cost more than it
        statement = _SEEN[table] = select(table.c.event_id).where(
            table.c.event_id == bindparam("event_id"), table.c.handler == bindparam("handler"))
    return session.execute(statement, {"event_id": event_id, "handler": handler}
                           ).first() is not None


_SEEN: dict = {}


def first_delivery(session, table: Table, event_id: str, handler: str) -> bool:
    """True (and recorded) the first time ``handler`` sees ``event_id``; else False.

    One insert that does nothing when the row is there (``insert_once``): on PostgreSQL a
    concurrent duplicate waits for the first one's transaction, then inserts nothing (or
    inserts, if that one rolled back); SQLite has one writer at a time.
    """
    return insert_once(session, table, event_id=event_id, handler=handler,
                       processed_at=datetime.now(timezone.utc))
