"""Deadlines on Vietnamese working days with the workflow service's clock frozen
(WORKFLOW_TODAY): a default deadline skips Tết 2026, and a unit's deadline in office
hours skips the lunch break; with two workflow processes each reminder and each overdue
alert, for parts and for tasks, is sent exactly once (SQLite and PostgreSQL)."""
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
from services.workflow.service import WorkflowService
from tests.integration.core.helpers import prepared_config, token

SPECIALIST = str(uuid.uuid5(NAMESPACE, "user:chuyenvien.stc"))
#: Each workflow process scans for deadlines this often here (config TIMERS).
SCAN_SECONDS = 0.3
DIRECTOR = str(uuid.uuid5(NAMESPACE, "user:lanhdao.stc"))


def registered(document_id, urgency="normal"):
    return envelope(DOCUMENT_REGISTERED, {
        "id": document_id, "direction": "incoming", "unit_id": unit_uuid("STC"),
        "arrival_number": 7, "code_number": "07", "code_notation": "UBND-KT",
        "issuer_name": "UBND tỉnh", "subject": "Báo cáo trước Tết", "urgency": urgency,
        "due_date": None, "leader_user_ids": [DIRECTOR]})


def sent(config, event_type):
    engine = make_engine(config["DB_URLS"]["workflow"])
    with Session(engine) as session:
        count = session.execute(select(func.count()).select_from(outbox).where(
            outbox.c.event_type == event_type)).scalar_one()
    engine.dispose()
    return count


def told(config, event_type):
    """Who the last event of this type names to be told."""
    engine = make_engine(config["DB_URLS"]["workflow"])
    with Session(engine) as session:
        payload = session.execute(select(outbox.c.payload).where(
            outbox.c.event_type == event_type).order_by(outbox.c.id.desc())).scalars().first()
    engine.dispose()
    return payload["data"]["notify_user_ids"]


def wait_for(predicate, seconds=20):
    with eventlet.Timeout(seconds):
        while not predicate():
            eventlet.sleep(0.1)


def settle():
    """Let every process scan a few more times: what went out once must not go again."""
    eventlet.sleep(SCAN_SECONDS * 5)


def fast_scans(config):
    return dict(config, TIMERS={"reminder_scan": SCAN_SECONDS})


def test_a_deadline_skips_tet_and_two_processes_remind_exactly_once(
        container_factory, service_config, db_url_factory):
    config = fast_scans(prepared_config(service_config, db_url_factory, "documents",
                                        "workflow", seeded=True))
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
    settle()
    assert sent(config, DEADLINE_APPROACHING) == 1
    assert sent(config, DEADLINE_MISSED) == 0

    for replica in replicas:
        replica.stop()
    # a deputy joins Sở Tài chính's leaders after the assignment: the unit's overdue part
    # is brought to the leaders it has now
    with ServiceRpcProxy("documents", config) as documents:
        deputy = documents.create_user(token("admin", memberships=(("STC", "admin"),)), {
            "username": "phogiamdoc.moi", "full_name": "Phó Giám đốc mới",
            "password": "mat-khau-dai-2026",
            "memberships": [{"unit_id": unit_uuid("STC"), "role": "unit_head"}]})["id"]
    after_tet = dict(config, WORKFLOW_TODAY="2026-02-23")       # the first day back
    for _ in range(2):
        container_factory(WorkflowService, after_tet).start()
    wait_for(lambda: sent(config, DEADLINE_MISSED) >= 1)
    settle()
    assert sent(config, DEADLINE_MISSED) == 1                    # the co-handling part
    assert sent(config, DEADLINE_APPROACHING) == 1               # the lead is not due yet
    assert set(told(config, DEADLINE_MISSED)) == {DIRECTOR, deputy}
    with ServiceRpcProxy("workflow", config) as workflow:
        overdue = workflow.list_inbox(token("someone", memberships=(("STC", "head"),)),
                                      {"view": "overdue"})
    assert overdue["counts"]["overdue"] == 1


def test_hour_deadlines_and_task_deadlines_are_each_reminded_once_by_two_processes(
        container_factory, service_config, db_url_factory):
    """Sở Tài chính counts Hỏa tốc documents in 2 office hours. Assigned at 10:00 on
    Tuesday 10/3/2026, the lead is due at 13:30 (the lunch break does not count): no
    reminder at 10:00, one at 13:00 (within REMINDER_WORKING_HOURS = 1), an overdue
    alert on 12/3. A task due on 11/3 is reminded at once and is overdue on 12/3. Two
    workflow processes run throughout; each reminder and alert goes out once."""
    config = fast_scans(prepared_config(service_config, db_url_factory, "documents",
                                        "workflow", seeded=True))
    container_factory(DocumentsService, config).start()

    def run_two(moment):
        replicas = [container_factory(WorkflowService, dict(config, WORKFLOW_TODAY=moment))
                    for _ in range(2)]
        for replica in replicas:
            replica.start()
        return replicas

    replicas = run_two("2026-03-10T10:00:00+07:00")
    director = token(DIRECTOR, memberships=(("STC", "head"),))
    document_id = str(uuid.uuid4())
    event_dispatcher(config)("documents", DOCUMENT_REGISTERED,
                             registered(document_id, urgency="flash"))
    with ServiceRpcProxy("workflow", config) as workflow:
        workflow.set_unit_rules(director, {"unit_id": unit_uuid("STC"), "hours": {"flash": 2}})
        wait_for(lambda: workflow.get_processing(director, document_id)["state"])
        out = workflow.assign_incoming(director, document_id, {
            "lead": {"user_id": SPECIALIST}})
        task = workflow.create_task(director, {
            "unit_id": unit_uuid("STC"), "title": "Báo cáo nhanh tình hình", "assignee_id":
            SPECIALIST, "due_date": "2026-03-11"})
    lead = next(i for i in out["items"] if i["kind"] == "lead")
    assert lead["due_at"] == "2026-03-10T06:30:00+00:00"          # 13:30 in Vietnam
    assert lead["due_date"] == "2026-03-10"
    wait_for(lambda: sent(config, DEADLINE_APPROACHING) >= 1)     # the task, due tomorrow
    settle()
    assert sent(config, DEADLINE_APPROACHING) == 1

    for replica in replicas:
        replica.stop()
    replicas = run_two("2026-03-10T13:00:00+07:00")
    wait_for(lambda: sent(config, DEADLINE_APPROACHING) >= 2)     # the lead, due at 13:30
    settle()
    assert sent(config, DEADLINE_APPROACHING) == 2
    assert sent(config, DEADLINE_MISSED) == 0

    for replica in replicas:
        replica.stop()
    run_two("2026-03-12T08:00:00+07:00")
    wait_for(lambda: sent(config, DEADLINE_MISSED) >= 2)
    settle()
    assert sent(config, DEADLINE_MISSED) == 2                     # the lead and the task
    with ServiceRpcProxy("workflow", config) as workflow:
        seen = workflow.get_task(director, task["id"])
        overdue = workflow.list_inbox(token(SPECIALIST, memberships=(("STC", "specialist"),)),
                                      {"view": "overdue"})
    assert [h["action"] for h in seen["history"]] == ["given"]
    assert overdue["counts"]["overdue"] == 1
