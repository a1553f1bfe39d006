"""Service tokens are scoped per service (issue 11 point 14): in a real documents
container, a token storage signed cannot act as documents, as the gateway or as a
person, and only the gateway may check passwords."""
import pytest
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.errors import Unauthenticated
from services.common.identity import Caller, Membership, mint_token, system_caller
from services.documents.seed import DEMO_PASSWORD, unit_uuid
from services.documents.service import DocumentsService
from tests.integration.core.helpers import prepared_config, token
from tests.token_keys import TEST_KEYS


@pytest.fixture
def documents(container_factory, service_config, db_url_factory):
    config = prepared_config(service_config, db_url_factory, "documents", seeded=True)
    container_factory(DocumentsService, config).start()
    with ServiceRpcProxy("documents", config, timeout=20) as proxy:
        yield proxy


@pytest.mark.parametrize("db_kind", ["sqlite"])   # the database plays no part here
def test_only_the_gateways_own_token_may_check_a_password(documents):
    answer = documents.authenticate(token(system="gateway"), "vanthu.stc", DEMO_PASSWORD)
    assert answer["user"]["username"] == "vanthu.stc" and answer["session_id"]
    storage = TEST_KEYS.of("storage")
    for forged in (mint_token(system_caller("storage"), storage, 60),
                   mint_token(system_caller("gateway"), storage, 60),
                   token("u-clerk")):
        with pytest.raises(Unauthenticated):
            documents.authenticate(forged, "vanthu.stc", DEMO_PASSWORD)


@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_a_token_storage_signs_for_documents_or_for_a_person_is_refused(documents):
    storage = TEST_KEYS.of("storage")
    head = Caller(user_id="u-head", username="u-head",
                  memberships=(Membership(unit_uuid("STC"), "head"),), clearance="top_secret")
    for forged in (mint_token(system_caller("documents"), storage, 60),
                   mint_token(head, storage, 60)):
        with pytest.raises(Unauthenticated):
            documents.list_incoming(forged, {"unit_id": unit_uuid("STC")})
    # the same person's token signed by the gateway is accepted
    assert documents.list_incoming(mint_token(head, TEST_KEYS, 60),
                                   {"unit_id": unit_uuid("STC")})["total"] == 0


@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_system_only_calls_admit_only_the_service_they_serve(documents):
    from services.common.errors import Forbidden
    from services.documents.seed import unit_uuid as unit
    lookup = {"to_user_id": "u-x", "unit_id": unit("STC"), "action": None}
    assert documents.find_delegation(token(system="workflow"), lookup) is None
    assert documents.delegated_units(token(system="search"), "u-x")["unit_ids"] == []
    for other in ("storage", "notify", "gateway"):
        with pytest.raises(Forbidden):
            documents.find_delegation(token(system=other), lookup)
    for other in ("storage", "notify", "workflow"):
        with pytest.raises(Forbidden):
            documents.delegated_units(token(system=other), "u-x")
