"""The processing report counts Vietnamese days, whatever the server's zone: with the
clock at 23:30 UTC on 6/12/2026 it is already 06:30 on 7/12 in Vietnam, and work given
then is today's — in this month's report, in a report of 7/12, not in one of 6/12
(the defect of issue 12: from 17:00 UTC a report left out today's work)."""
import uuid

import eventlet
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.events import DOCUMENT_REGISTERED, envelope
from services.documents.seed import NAMESPACE, unit_uuid
from services.documents.service import DocumentsService
from services.workflow.service import WorkflowService
from tests.integration.core.helpers import prepared_config, token

SPECIALIST = str(uuid.uuid5(NAMESPACE, "user:chuyenvien.stc"))
DIRECTOR = str(uuid.uuid5(NAMESPACE, "user:lanhdao.stc"))
LATE_EVENING_UTC = "2026-12-06T23:30:00+00:00"


def wait_for(predicate, seconds=20):
    with eventlet.Timeout(seconds):
        while not predicate():
            eventlet.sleep(0.1)


def test_work_given_at_23_30_utc_counts_on_vietnams_day(container_factory, service_config,
                                                        db_url_factory):
    config = prepared_config(service_config, db_url_factory, "documents", "workflow",
                             seeded=True)
    container_factory(DocumentsService, config).start()
    container_factory(WorkflowService, dict(config, CLOCK_FROZEN_AT=LATE_EVENING_UTC)).start()
    document_id = str(uuid.uuid4())
    event_dispatcher(config)("documents", DOCUMENT_REGISTERED, envelope(DOCUMENT_REGISTERED, {
        "id": document_id, "direction": "incoming", "unit_id": unit_uuid("STC"),
        "arrival_number": 3, "code_number": "03", "code_notation": "UBND-VX",
        "issuer_name": "UBND tỉnh", "subject": "Báo cáo cuối năm", "urgency": "normal",
        "due_date": None, "leader_user_ids": [DIRECTOR]}))
    director = token(DIRECTOR, memberships=(("STC", "head"),))
    with ServiceRpcProxy("workflow", config) as workflow:
        wait_for(lambda: workflow.get_processing(director, document_id)["state"])
        assigned = workflow.assign_incoming(director, document_id, {
            "lead": {"user_id": SPECIALIST, "due_date": "2026-12-07"}})
        this_month = workflow.report_processing(director, {"unit_id": unit_uuid("STC"),
                                                           "by": "person"})
        that_day = workflow.report_processing(director, {
            "unit_id": unit_uuid("STC"), "from": "2026-12-07", "to": "2026-12-07"})
        day_before = workflow.report_processing(director, {
            "unit_id": unit_uuid("STC"), "from": "2026-12-06", "to": "2026-12-06"})
        overdue = workflow.list_inbox(token(SPECIALIST, memberships=(("STC", "specialist"),)),
                                      {"view": "overdue"})
    assert assigned["state"] == "assigned"          # due today (Vietnam) is not past
    assert (this_month["from"], this_month["to"]) == ("2026-12-01", "2026-12-07")
    assert this_month["totals"]["received"] == 1 and this_month["totals"]["overdue"] == 0
    assert this_month["rows"][0]["id"] == SPECIALIST
    assert that_day["totals"]["received"] == 1
    assert day_before["totals"]["received"] == 0
    assert overdue["counts"]["overdue"] == 0
