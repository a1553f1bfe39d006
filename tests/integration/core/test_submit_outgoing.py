"""Submitting an outgoing draft goes through workflow (CONTRACTS C1a): workflow reads the
draft as the person, finds the unit's approval chain and has documents take the submit
step for that person with the chain; the chain's first approver then finds it in their
work. Both services run for real (SQLite and PostgreSQL)."""
import uuid

import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.errors import Forbidden, InvalidInput, NotFound
from services.documents.seed import NAMESPACE, unit_uuid
from services.documents.service import DocumentsService
from services.workflow.service import WorkflowService
from tests.integration.core.helpers import prepared_config, token

SPECIALIST = str(uuid.uuid5(NAMESPACE, "user:chuyenvien.stc"))
DIRECTOR = str(uuid.uuid5(NAMESPACE, "user:lanhdao.stc"))


@pytest.fixture
def config(container_factory, service_config, db_url_factory):
    config = prepared_config(service_config, db_url_factory, "documents", "workflow",
                             seeded=True)
    for cls in (DocumentsService, WorkflowService):
        container_factory(cls, config).start()
    return config


def specialist():
    return token(SPECIALIST, memberships=(("STC", "specialist"),))


def director():
    return token(DIRECTOR, memberships=(("STC", "head"),))


def draft(config, subject="Dự thảo công văn trình lãnh đạo"):
    with ServiceRpcProxy("documents", config) as documents:
        return documents.create_outgoing(specialist(), {
            "unit_id": unit_uuid("STC"), "document_type": "CV", "subject": subject,
            "recipients": [{"name": "Báo Tây Ninh"}]})


def wait_for(predicate, seconds=20):
    with eventlet.Timeout(seconds):
        while not (found := predicate()):
            eventlet.sleep(0.1)
    return found


def test_a_draft_submitted_through_workflow_enters_its_units_chain(config):
    with ServiceRpcProxy("workflow", config) as workflow:
        workflow.set_approval_chain(director(), {
            "unit_id": unit_uuid("STC"), "document_type": "CV",
            "steps": [{"approvers": [DIRECTOR], "mode": "all"}]})
        doc = draft(config)
        answer = workflow.submit_outgoing(specialist(), doc["id"], {"comment": "Kính trình"})
        assert (answer["id"], answer["state"], answer["in_approval_chain"]) == (
            doc["id"], "submitted", True)
        processing = wait_for(lambda: (p := workflow.get_processing(
            director(), doc["id"]))["items"] and p)
    [step] = processing["items"]
    assert (step["kind"], step["user_id"], step["step"]) == ("approve", DIRECTOR, 1)
    assert step["allowed_actions"] == ["approve", "return"]
    assert processing["approval_steps"] == [{"step": 1, "mode": "all",
                                             "approvers": [DIRECTOR]}]


def test_a_draft_of_a_unit_without_a_chain_is_submitted_for_its_leaders(config):
    doc = draft(config, "Dự thảo không có quy trình duyệt")
    with ServiceRpcProxy("workflow", config) as workflow:
        answer = workflow.submit_outgoing(specialist(), doc["id"], None)
    assert (answer["state"], answer["in_approval_chain"]) == ("submitted", False)


def test_only_services_name_whom_a_submission_is_for(config):
    doc = draft(config)
    with ServiceRpcProxy("workflow", config) as workflow:
        for field in ("on_behalf_of", "delegation_id", "approval_chain"):
            with pytest.raises(InvalidInput) as refused:
                workflow.submit_outgoing(specialist(), doc["id"], {field: DIRECTOR})
            assert set(refused.value.details) == {field}
        with pytest.raises(InvalidInput):
            workflow.submit_outgoing(specialist(), doc["id"], "trình")
    with ServiceRpcProxy("documents", config) as documents:
        assert documents.get_outgoing(specialist(), doc["id"])["state"] == "draft"


def test_documents_refusals_to_read_the_draft_pass_through(config):
    doc = draft(config)
    stranger = token("u-stranger", memberships=(("SNV", "specialist"),))
    with ServiceRpcProxy("workflow", config) as workflow:
        with pytest.raises(NotFound):
            workflow.submit_outgoing(specialist(), str(uuid.uuid4()), {})
        with pytest.raises(Forbidden):
            workflow.submit_outgoing(stranger, doc["id"], {})
