"""Workflow's events reach the exchange for every document; only those received from
another agency get a status (04–06) for their sender, and the rest cost no write."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import event, select

from services.exchange.models import processed_events
from services.exchange.received_entrypoints import ReceivedEntrypoints

NOW = datetime(2026, 12, 7, 9, 30, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh"))


class Clock:
    def now(self):
        return NOW


class Exchange(ReceivedEntrypoints):
    def __init__(self, db):
        self.db, self.clock = db, Clock()


def test_a_workflow_event_of_a_document_no_agency_sent_writes_nothing(db):
    begun = []
    event.listen(db.engine, "begin", lambda conn: begun.append(conn.info.get("sqlite_begin")))
    Exchange(db).processing_moved({"event_id": "e-1", "type": "task_assigned", "data": {
        "document_id": "incoming-1", "document_state": "assigned"}},
        "on_workflow_task_assigned")
    assert "BEGIN IMMEDIATE" not in begun
    with db.read() as session:
        assert session.execute(select(processed_events)).all() == []
