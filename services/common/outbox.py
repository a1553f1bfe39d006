"""The transactional outbox: a service writes its change and the event describing it
in one database transaction; a relay publishes pending events afterwards, in order.
A crash between the commit and the publish loses nothing: the relay (run after each
write and on a timer in every replica) picks the event up again.

Delivery is therefore at-least-once; consumers deduplicate by ``event_id`` (inbox).
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone

from sqlalchemy import (JSON, BigInteger, Column, Integer, String, Table, func,
                        select, update)

from services.common.db import UtcDateTime
from services.common.events import envelope

log = logging.getLogger(__name__)


def outbox_table(metadata) -> Table:
    return Table(
        "outbox", metadata,
        Column("id", BigInteger().with_variant(Integer, "sqlite"), primary_key=True,
               autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("event_type", String(64), nullable=False),
        Column("payload", JSON, nullable=False),
        Column("created_at", UtcDateTime(), nullable=False),
        Column("published_at", UtcDateTime(), nullable=True, index=True),
    )


def add_event(session, table: Table, event_type: str, data: dict) -> dict:
    """Queue an event in the caller's transaction; returns its envelope."""
    message = envelope(event_type, data)
    session.execute(table.insert().values(
        event_id=message["event_id"], event_type=event_type,
        payload=json.loads(json.dumps(message, default=str)),
        created_at=datetime.now(timezone.utc), published_at=None,
    ))
    return message


def publish_pending(db, table: Table, dispatch, limit: int = 200) -> int:
    """Publish unpublished events oldest first; returns how many were published.

    Rows are claimed with ``FOR UPDATE SKIP LOCKED`` on PostgreSQL so replicas do
    not publish the same event twice at once (a duplicate is still harmless).
    """
    published = 0
    with db.transaction() as session:
        query = (select(table.c.id, table.c.event_type, table.c.payload)
                 .where(table.c.published_at.is_(None)).order_by(table.c.id).limit(limit))
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        rows = session.execute(query).all()
        for row in rows:
            dispatch(row.event_type, row.payload)
            session.execute(update(table).where(table.c.id == row.id)
                            .values(published_at=datetime.now(timezone.utc)))
            published += 1
    return published


def pending_count(db, table: Table) -> int:
    with db.read() as session:
        return session.execute(select(func.count()).select_from(table)
                               .where(table.c.published_at.is_(None))).scalar_one()
