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

    A concurrent duplicate fails on the primary key at commit, which rolls its
    transaction back; the broker redelivers it and it is then skipped here.
    """
    seen = session.execute(select(table.c.event_id).where(
        table.c.event_id == event_id, table.c.handler == handler)).first()
    if seen:
        return False
    session.execute(table.insert().values(event_id=event_id, handler=handler,
                                          processed_at=datetime.now(timezone.utc)))
    return True
