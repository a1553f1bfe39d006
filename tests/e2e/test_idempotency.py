"""Retried creations answer as the first attempt did (issue 11 point 13): a client that
retries with the same Idempotency-Key gets the first 201 and the same document; the
RPC message of a registration delivered again (what RabbitMQ does when documents dies
after committing and before answering) registers nothing more and answers alike."""
import uuid

import jwt

from nameko.standalone.rpc import ClusterRpcProxy
from tests.e2e.helpers import Api, unique_number



def incoming_body(clerk, number):
    return {"unit_id": clerk.unit_id, "code_number": str(number),
            "code_notation": "BTC-KT", "issued_date": "2025-03-10",
            "issuer": {"organ_id": "000.00.00.G11", "name": "Bộ Tài chính"},
            "document_type": "CV", "subject": f"Công văn thử số {number}"}


def total_incoming(clerk):
    return clerk.get("/incoming", params={"unit_id": clerk.unit_id}).json()["total"]


def test_a_registration_retried_with_its_idempotency_key_gets_the_first_201(system):
    clerk = Api(system.base_url, "vanthu.tanninh")
    number = unique_number()
    before = total_incoming(clerk)
    key = {"Idempotency-Key": f"retry-{uuid.uuid4().hex}"}
    first = clerk.post("/incoming", json=incoming_body(clerk, number), headers=key)
    again = clerk.post("/incoming", json=incoming_body(clerk, number), headers=key)
    assert first.status_code == 201 and again.status_code == 201, again.text
    assert again.json() == first.json()
    assert total_incoming(clerk) == before + 1

    # without the key, the same document is a duplicate, as before
    duplicate = clerk.post("/incoming", json=incoming_body(clerk, number))
    assert duplicate.status_code == 409 and "idempotency" not in duplicate.text.lower()

    # the key with other content is refused, in the envelope, and registers nothing
    other = clerk.post("/incoming", json=incoming_body(clerk, number + 1), headers=key)
    assert other.status_code == 409
    assert other.json()["error"] == "CONFLICT" and "Idempotency-Key" in other.json()["message"]
    assert total_incoming(clerk) == before + 1


def test_a_malformed_idempotency_key_is_a_400(system):
    clerk = Api(system.base_url, "vanthu.tanninh", language="en")
    answer = clerk.post("/incoming", json=incoming_body(clerk, 1),
                        headers={"Idempotency-Key": "two words"})
    assert answer.status_code == 400 and answer.json()["error"] == "VALIDATION_ERROR"
    assert "Idempotency-Key" in answer.json()["message"]


def test_drafts_and_copies_retried_with_their_key_are_created_once(system):
    specialist = Api(system.base_url, "chuyenvien.stc")
    key = {"Idempotency-Key": f"draft-{uuid.uuid4().hex}"}
    draft = {"unit_id": specialist.unit_id, "document_type": "CV",
             "subject": "Dự thảo gửi lại sau khi mất kết nối"}
    first = specialist.post("/outgoing", json=draft, headers=key)
    again = specialist.post("/outgoing", json=draft, headers=key)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]


def test_a_registration_message_delivered_again_after_a_crash_answers_as_the_first(system):
    """The crash case, made deterministic: the gateway's request (its request id set by
    the client) registers the document; then the same RPC message — same token, same
    payload, same request id in its context — is delivered to documents again, as
    RabbitMQ redelivers an unacknowledged message to the restarted process. Before,
    that second delivery answered 409 "duplicate" for the client's own document."""
    clerk = Api(system.base_url, "vanthu.tanninh")
    number = unique_number()
    request_id = f"crash-{uuid.uuid4().hex[:20]}"
    body = incoming_body(clerk, number)
    before = total_incoming(clerk)
    first = clerk.post("/incoming", json=body, headers={"X-Request-Id": request_id})
    assert first.status_code == 201 and first.headers["X-Request-Id"] == request_id
    token = clerk.http.headers["Authorization"].split(" ", 1)[1]
    config = {"AMQP_URI": system.env["AMQP_URI"]}
    with ClusterRpcProxy(config, timeout=20, context_data={"request_id": request_id}) as rpc:
        redelivered = rpc.documents.register_incoming(token, body, idempotency_key=None)
    assert redelivered == first.json()
    assert total_incoming(clerk) == before + 1


def test_a_token_another_service_signed_for_a_person_is_refused_at_the_gateway(
        system, system_keys):
    """Service tokens are scoped (issue 11 point 14): storage's key cannot speak for a
    person, at the gateway or behind it; the gateway's own key can."""
    from services.common.identity import Caller, Membership, mint_token

    clerk = Api(system.base_url, "vanthu.tanninh")
    me = clerk.get("/me").json()
    # the clerk's real session, so that only the signature differs
    signed_in = Caller.from_claims(jwt.decode(
        clerk.http.headers["Authorization"].split(" ", 1)[1],
        options={"verify_signature": False}))
    person = Caller(user_id=me["id"], username=me["username"], memberships=tuple(
        Membership(m["unit_id"], m["role"]) for m in me["memberships"]),
        session_id=signed_in.session_id, token_version=signed_in.token_version)
    for signer, status in (("storage", 401), ("documents", 401), ("gateway", 200)):
        token = mint_token(person, system_keys[signer], 60)
        answer = clerk.http.get(f"{clerk.base}/incoming", params={"unit_id": clerk.unit_id},
                                headers={"Authorization": f"Bearer {token}"}, timeout=30)
        assert answer.status_code == status, (signer, answer.text)
