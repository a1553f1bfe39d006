"""The transactional outbox: a service writes its change and the event describing it
in one database transaction, and publishes the event after the commit.

The worker that committed an event publishes it right after the commit
(``publish_committed``), outside any transaction, and only notes it as published; the relay
(``relay_pending``, on a timer every second in every replica) marks what was noted in
one write for all of them, and publishes whatever is still pending: an event whose worker
did not publish it (it failed, or never asked) at once, and one of another process (or
left by a process that died) once it is older than FOREIGN_GRACE_SECONDS — before that its
own process is most likely publishing it. A crash between the commit and the publish
loses nothing: the row stays pending until a relay publishes it.

Delivery is therefore at-least-once; consumers deduplicate by ``event_id`` (inbox).

Published rows are deleted once they are OUTBOX_KEEP_DAYS old (``prune_published``, an
hourly timer): nothing reads them after their publication, and some carry sizeable
payloads (storage's ``text_extracted`` carries texts of up to 64 KiB).
"""
from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone

from sqlalchemy import (JSON, BigInteger, Column, Integer, String, Table, func,
                        select, update)

from services.common.db import COMMITTED, OUTBOX_EVENTS, UtcDateTime
from services.common.events import envelope

log = logging.getLogger(__name__)

#: The states of an event of this process between its commit and its row marked published
#: (DatabaseAccess.local_events): committed, being published, published and not marked yet.
PUBLISHING, PUBLISHED = "publishing", "published"
#: A pending event this process did not write is left to its own process this long.
FOREIGN_GRACE_SECONDS = 5
#: Event ids per UPDATE when the relay marks what the workers published.
MARK_CHUNK = 500
#: Published events are kept this long (for an administrator looking into a delivery),
#: then deleted.
OUTBOX_KEEP_DAYS = 7
#: Rows deleted per transaction when pruning: short write transactions (SQLite has one
#: writer at a time).
PRUNE_CHUNK = 1000


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
    payload = json.loads(json.dumps(message, default=str))
    session.execute(table.insert(), {
        "event_id": message["event_id"], "event_type": event_type, "payload": payload,
        "created_at": datetime.now(timezone.utc), "published_at": None})
    # the worker publishes it after the commit (DatabaseAccess, publish_committed)
    session.info.setdefault(OUTBOX_EVENTS, []).append(
        {"event_id": message["event_id"], "event_type": event_type, "payload": payload})
    return message


def publish_committed(db, dispatch) -> int:
    """Publish the events this worker committed (``db.committed_events``), in order, in no
    transaction; the relay marks their rows published later. One the relay took already is
    skipped. The first failure stops and raises: the rest stay pending for the relay.
    Returns how many were published."""
    events, db.committed_events = db.committed_events, []
    local = db.local_events
    published = 0
    for position, event in enumerate(events):
        if local.get(event["event_id"]) != COMMITTED:
            continue
        local[event["event_id"]] = PUBLISHING
        try:
            dispatch(event["event_type"], event["payload"])
        except BaseException:
            for left in events[position:]:
                if local.get(left["event_id"]) == PUBLISHING:
                    local[left["event_id"]] = COMMITTED
            raise
        local[event["event_id"]] = PUBLISHED
        published += 1
    return published


def relay_pending(db, table: Table, dispatch, limit: int = 200,
                  grace_seconds: float = FOREIGN_GRACE_SECONDS) -> int:
    """The relay's round: mark published what this process's workers published, then
    publish, oldest first, the pending events no worker of this process is publishing —
    another process's only once older than ``grace_seconds``. Returns how many it
    published itself. Nothing noted and nothing pending: one read, no write.

    On SQLite this process's own pending events are published after the transaction that
    found them, then marked in a second short one: publishing waits for the broker's
    confirm of each event, and under SQLite's only write lock a round of a hundred events
    (documents' document_updated, left to the relay) held every other write of the
    service for ≈ 200 ms. Another process's events are published in the transaction, as
    on PostgreSQL (whose row locks, FOR UPDATE SKIP LOCKED, keep two replicas' relays from
    taking the same events and hold no other writer back): two relays then never take
    the same event."""
    local = db.local_events
    marks = [event_id for event_id, state in list(local.items()) if state == PUBLISHED]
    if not marks:
        with db.read() as session:
            if session.execute(select(table.c.id).where(table.c.published_at.is_(None))
                               .limit(1)).first() is None:
                return 0
    taken, own = [], []
    with db.transaction() as session:
        now = datetime.now(timezone.utc)
        _mark(session, table, marks, now)
        query = (select(table.c.id, table.c.event_id, table.c.event_type, table.c.payload,
                        table.c.created_at)
                 .where(table.c.published_at.is_(None)).order_by(table.c.id).limit(limit))
        if not db.is_sqlite:
            query = query.with_for_update(skip_locked=True)
        foreign_before = now - timedelta(seconds=grace_seconds)
        for row in session.execute(query).all():
            state = local.get(row.event_id)
            if state in (PUBLISHING, PUBLISHED):
                continue      # a worker of this process has it
            if state is None and row.created_at > foreign_before:
                continue      # another process's, which is most likely publishing it
            if state == COMMITTED:
                local[row.event_id] = PUBLISHING   # so its worker does not publish it too
                if db.is_sqlite:
                    own.append(row)
                    continue
            try:
                dispatch(row.event_type, row.payload)
            except BaseException:
                _give_back(local, taken + [row.event_id] + [r.event_id for r in own])
                raise
            session.execute(update(table).where(table.c.id == row.id)
                            .values(published_at=datetime.now(timezone.utc)))
            taken.append(row.event_id)
    for event_id in marks + taken:
        local.pop(event_id, None)
    published = []
    try:
        for row in own:
            dispatch(row.event_type, row.payload)
            local[row.event_id] = PUBLISHED
            published.append(row.event_id)
    except BaseException:
        _give_back(local, [row.event_id for row in own])
        raise
    finally:
        if published:    # marked now (not next round): the rows say what went out
            with db.transaction() as session:
                _mark(session, table, published, datetime.now(timezone.utc))
            for event_id in published:
                local.pop(event_id, None)
    return len(taken) + len(published)


def _mark(session, table: Table, event_ids: list[str], now: datetime) -> None:
    for start in range(0, len(event_ids), MARK_CHUNK):
        session.execute(update(table).where(
            table.c.event_id.in_(event_ids[start:start + MARK_CHUNK]),
            table.c.published_at.is_(None)).values(published_at=now))


def _give_back(local: dict, event_ids: list[str]) -> None:
    """Events this process took to publish and did not: pending again, for the next round."""
    for event_id in event_ids:
        if local.get(event_id) == PUBLISHING:
            local[event_id] = COMMITTED


def prune_published(db, table: Table, now: datetime, keep_days: float = OUTBOX_KEEP_DAYS,
                    chunk: int = PRUNE_CHUNK) -> int:
    """Delete the events published more than ``keep_days`` before ``now``, a chunk per
    transaction; pending events are never deleted. Returns how many were deleted."""
    cutoff = now - timedelta(days=keep_days)
    deleted = 0
    while True:
        with db.transaction() as session:
            ids = session.execute(select(table.c.id).where(table.c.published_at < cutoff)
                                  .order_by(table.c.id).limit(chunk)).scalars().all()
            if ids:
                session.execute(table.delete().where(table.c.id.in_(ids)))
        deleted += len(ids)
        if len(ids) < chunk:
            return deleted


def pending_count(db, table: Table) -> int:
    """Events not published yet (those published and waiting for the relay's mark are
    not counted)."""
    noted = sum(1 for state in list(db.local_events.values()) if state == PUBLISHED)
    with db.read() as session:
        pending = session.execute(select(func.count()).select_from(table)
                                  .where(table.c.published_at.is_(None))).scalar_one()
    return max(0, pending - noted)
