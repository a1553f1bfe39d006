"""Deadlines on Vietnamese working days with the workflow service's clock frozen
(WORKFLOW_TODAY): a default deadline skips Tết 2026; with two workflow processes each
reminder and each overdue alert is sent exactly once (SQLite and PostgreSQL)."""
import uuid

import eventlet
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.db import make_engine
from services.common.events import (DEADLINE_APPROACHING, DEADLINE_MISSED,
                                    DOCUMENT_REGISTERED, envelope)
from services.documents.seed import NAMESPACE, unit_uuid
from services.documents.service import DocumentsService
from services.workflow.models import outbox
from services.workflow.service import REMINDER_SCAN_SECONDS, WorkflowService
from tests.integration.core.helpers import prepared_config, token

SPECIALIST = str(uuid.uuid5(NAMESPACE, "user:chuyenvien.stc"))
DIRECTOR = str(uuid.uuid5(NAMESPACE, "user:lanhdao.stc"))


def registered(document_id):
    return envelope(DOCUMENT_REGISTERED, {
        "id": document_id, "direction": "incoming", "unit_id": unit_uuid("STC"),
        "arrival_number": 7, "code_number": "07", "code_notation": "UBND-KT",
        "issuer_name": "UBND tỉnh", "subject": "Báo cáo trước Tết", "urgency": "normal",
        "due_date": None, "leader_user_ids": [DIRECTOR]})


def sent(config, event_type):
    engine = make_engine(config["DB_URLS"]["workflow"])
    with Session(engine) as session:
        count = session.execute(select(func.count()).select_from(outbox).where(
            outbox.c.event_type == event_type)).scalar_one()
    engine.dispose()
    return count


def wait_for(predicate, seconds=20):
    with eventlet.Timeout(seconds):
        while not predicate():
            eventlet.sleep(0.2)


def test_a_deadline_skips_tet_and_two_processes_remind_exactly_once(
        container_factory, service_config, db_url_factory):
    config = prepared_config(service_config, db_url_factory, "documents", "workflow",
                             seeded=True)
    container_factory(DocumentsService, config).start()
    before_tet = dict(config, WORKFLOW_TODAY="2026-02-12")      # a Thursday
    replicas = [container_factory(WorkflowService, before_tet) for _ in range(2)]
    for replica in replicas:
        replica.start()
    document_id = str(uuid.uuid4())
    event_dispatcher(config)("documents", DOCUMENT_REGISTERED, registered(document_id))
    director = token(DIRECTOR, memberships=(("STC", "head"),))
    with ServiceRpcProxy("workflow", config) as workflow:
        wait_for(lambda: workflow.get_processing(director, document_id)["state"])
        out = workflow.assign_incoming(director, document_id, {
            "lead": {"user_id": SPECIALIST},
            "co_handlers": [{"unit_id": unit_uuid("STC"), "due_date": "2026-02-13"}]})
    # 10 working days from Thursday 12/2: Friday 13/2, then Tết (14–22/2) is skipped
    assert out["due_date"] == "2026-03-05"

    # Friday 13/2 is within one working day: both processes scan, one reminder goes out
    wait_for(lambda: sent(config, DEADLINE_APPROACHING) >= 1)
    eventlet.sleep(REMINDER_SCAN_SECONDS * 2 + 1)
    assert sent(config, DEADLINE_APPROACHING) == 1
    assert sent(config, DEADLINE_MISSED) == 0

    for replica in replicas:
        replica.stop()
    after_tet = dict(config, WORKFLOW_TODAY="2026-02-23")       # the first day back
    for _ in range(2):
        container_factory(WorkflowService, after_tet).start()
    wait_for(lambda: sent(config, DEADLINE_MISSED) >= 1)
    eventlet.sleep(REMINDER_SCAN_SECONDS * 2 + 1)
    assert sent(config, DEADLINE_MISSED) == 1                    # the co-handling part
    assert sent(config, DEADLINE_APPROACHING) == 1               # the lead is not due yet
    with ServiceRpcProxy("workflow", config) as workflow:
        overdue = workflow.list_inbox(token("someone", memberships=(("STC", "head"),)),
                                      {"view": "overdue"})
    assert overdue["counts"]["overdue"] == 1
