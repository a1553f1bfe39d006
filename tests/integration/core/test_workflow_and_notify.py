"""Workflow and notify react to document_registered exactly once per event."""
import eventlet
import pytest
from nameko.standalone.events import event_dispatcher
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.events import DOCUMENT_REGISTERED, envelope
from services.documents.seed import unit_uuid
from services.notify.service import NotifyService
from services.workflow.service import WorkflowService
from tests.integration.core.helpers import prepared_config, token

LEADER = "u-leader"


def registered(document_id, urgency="normal"):
    return envelope(DOCUMENT_REGISTERED, {
        "id": document_id, "direction": "incoming", "unit_id": unit_uuid("STC"),
        "arrival_number": 4, "code_number": "12", "code_notation": "UBND-KT",
        "issuer": {"name": "UBND tỉnh Nghệ An"}, "subject": "Về việc thử", "urgency": urgency,
        "due_date": None, "leader_user_ids": [LEADER]})


@pytest.fixture
def running(container_factory, service_config, db_url_factory):
    config = prepared_config(service_config, db_url_factory, "workflow", "notify")
    for cls in (WorkflowService, NotifyService):
        container_factory(cls, config).start()
    yield config


def wait_for(predicate, seconds=10):
    with eventlet.Timeout(seconds):
        while not predicate():
            eventlet.sleep(0.1)


def test_a_registered_document_reaches_the_leaders_inbox_and_notifications_once(running):
    config = running
    dispatch = event_dispatcher(config)
    message = registered("doc-1")
    dispatch("documents", DOCUMENT_REGISTERED, message)
    dispatch("documents", DOCUMENT_REGISTERED, message)   # redelivered: no second item
    leader = token(LEADER, memberships=(("STC", "head"),))
    with ServiceRpcProxy("workflow", config) as workflow, \
            ServiceRpcProxy("notify", config) as notify:
        wait_for(lambda: workflow.list_inbox(leader, {})["total"] >= 1)
        wait_for(lambda: notify.list_notifications(leader, {})["total"] >= 1)
        eventlet.sleep(1)
        assert workflow.list_inbox(leader, {})["total"] == 1
        notes = notify.list_notifications(leader, {"unread": True})
        assert notes["unread"] == 1 and "chờ phân công" in notes["items"][0]["title"]
        notify.mark_read(leader, notes["items"][0]["id"])
        assert notify.list_notifications(leader, {})["unread"] == 0
        other = token("someone-else", memberships=(("SNV", "head"),))
        assert workflow.list_inbox(other, {})["total"] == 0


def test_urgent_documents_come_first_in_the_inbox(running):
    config = running
    dispatch = event_dispatcher(config)
    for document_id, urgency in (("n1", "normal"), ("f1", "flash"), ("n2", "normal"),
                                 ("u1", "urgent")):
        dispatch("documents", DOCUMENT_REGISTERED, registered(document_id, urgency))
    leader = token(LEADER, memberships=(("STC", "head"),))
    with ServiceRpcProxy("workflow", config) as workflow:
        wait_for(lambda: workflow.list_inbox(leader, {})["total"] == 4)
        order = [i["document_id"] for i in workflow.list_inbox(leader, {})["items"]]
    assert order[:2] == ["f1", "u1"]
