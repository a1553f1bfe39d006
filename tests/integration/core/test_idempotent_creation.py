"""A creating call retried (a client's Idempotency-Key, or RabbitMQ redelivering the
RPC message after a crash: same request id) answers as the first attempt did, with one
row, on SQLite and on PostgreSQL."""
import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.db import make_engine
from services.common.errors import Conflict
from services.documents.models import DocumentCopy, IncomingDocument, OutgoingDocument
from services.documents.seed import unit_uuid
from services.documents.service import DocumentsService
from tests.integration.core.helpers import incoming, prepared_config, token


@pytest.fixture
def documents(container_factory, service_config, db_url_factory):
    config = prepared_config(service_config, db_url_factory, "documents", seeded=True)
    container = container_factory(DocumentsService, config)
    container.start()
    return config


def rows(config, model):
    engine = make_engine(config["DB_URLS"]["documents"])
    with Session(engine) as session:
        total = session.execute(select(func.count()).select_from(model)).scalar_one()
    engine.dispose()
    return total


def call(config, method, *args, request_id=None, **kwargs):
    """One RPC as the gateway sends it: the request id travels in the context."""
    context = {"request_id": request_id} if request_id else None
    with ServiceRpcProxy("documents", config, timeout=20, context_data=context) as proxy:
        return getattr(proxy, method)(*args, **kwargs)


def test_the_same_registration_message_delivered_twice_registers_once_and_answers_alike(
        documents):
    """What a redelivery after kill -9 does: the same message, with the same request id."""
    first = call(documents, "register_incoming", token(), incoming(501),
                 request_id="req-redelivered-0001")
    again = call(documents, "register_incoming", token(), incoming(501),
                 request_id="req-redelivered-0001")
    assert again == first
    assert rows(documents, IncomingDocument) == 1


def test_a_second_request_for_the_same_document_is_still_refused_as_a_duplicate(documents):
    call(documents, "register_incoming", token(), incoming(502), request_id="req-first-00001")
    with pytest.raises(Conflict) as refused:
        call(documents, "register_incoming", token(), incoming(502),
             request_id="req-second-0001")
    assert "duplicate" in refused.value.message_en.lower() or "trùng" in \
        refused.value.message_vi.lower()
    assert rows(documents, IncomingDocument) == 1


def test_the_same_idempotency_key_returns_the_first_document_and_another_payload_is_409(
        documents):
    first = call(documents, "register_incoming", token(), incoming(503),
                 idempotency_key="client-key-1")
    assert call(documents, "register_incoming", token(), incoming(503),
                idempotency_key="client-key-1") == first
    with pytest.raises(Conflict) as refused:
        call(documents, "register_incoming", token(), incoming(504),
             idempotency_key="client-key-1")
    assert refused.value.details["idempotency_key"]["en"]
    assert rows(documents, IncomingDocument) == 1


def test_a_key_is_the_callers_own_another_clerk_with_the_same_key_registers_his_own(
        documents):
    other = token("u-clerk-2")
    first = call(documents, "register_incoming", token(), incoming(505),
                 idempotency_key="shared-key")
    second = call(documents, "register_incoming", other, incoming(506),
                  idempotency_key="shared-key")
    assert second["id"] != first["id"]
    assert rows(documents, IncomingDocument) == 2


def test_concurrent_retries_with_one_key_register_one_document(documents):
    def register(_):
        return call(documents, "register_incoming", token(), incoming(507),
                    idempotency_key="concurrent-key")

    answers = list(eventlet.GreenPool(6).imap(register, range(6)))
    assert len({a["id"] for a in answers}) == 1
    assert rows(documents, IncomingDocument) == 1


def test_a_failed_request_records_nothing_so_its_retry_runs_again(documents):
    call(documents, "register_incoming", token(), incoming(508))
    for _ in range(2):   # the duplicate is refused each time, not taken for a reused key
        with pytest.raises(Conflict) as refused:
            call(documents, "register_incoming", token(), incoming(508),
                 idempotency_key="dup-key")
        assert "idempotency_key" not in refused.value.details
    confirmed = call(documents, "register_incoming", token(),
                     incoming(508, confirm_duplicate=True), idempotency_key="dup-key-2")
    assert confirmed["arrival_number"] == 2


def test_drafts_and_copies_retried_with_their_request_id_are_created_once(documents):
    specialist = token("u-spec", memberships=(("STC", "specialist"),))
    draft = {"unit_id": unit_uuid("STC"), "document_type": "CV", "subject": "Dự thảo thử"}
    first = call(documents, "create_outgoing", specialist, draft, request_id="req-draft-0001")
    assert call(documents, "create_outgoing", specialist, draft,
                request_id="req-draft-0001") == first
    assert rows(documents, OutgoingDocument) == 1

    source = call(documents, "register_incoming", token(), incoming(509))
    copy = {"unit_id": unit_uuid("STC"), "document_id": source["id"], "form": "SY"}
    made = call(documents, "create_copy", token(), copy, request_id="req-copy-00001")
    assert call(documents, "create_copy", token(), copy, request_id="req-copy-00001") == made
    assert rows(documents, DocumentCopy) == 1


def test_answers_kept_for_retries_are_forgotten_after_a_week(documents):
    from datetime import datetime, timedelta, timezone

    from services.documents import idempotency
    from services.documents.models import IdempotentRequest

    call(documents, "register_incoming", token(), incoming(510), idempotency_key="old-key")
    call(documents, "register_incoming", token(), incoming(511), idempotency_key="new-key")
    engine = make_engine(documents["DB_URLS"]["documents"])
    now = datetime.now(timezone.utc)
    with Session(engine) as session, session.begin():
        session.get(IdempotentRequest, ("u-clerk", "register_incoming", "key:old-key")) \
            .created_at = now - timedelta(days=8)
    with Session(engine) as session, session.begin():
        dropped = idempotency.forget_before(
            session, now - timedelta(seconds=idempotency.KEEP_SECONDS))
        kept = session.execute(select(IdempotentRequest.key)).scalars().all()
    engine.dispose()
    assert dropped == 1 and kept == ["key:new-key"]
