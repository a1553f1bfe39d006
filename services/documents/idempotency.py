"""Retried creations answer as the first attempt did.

A request that created something may arrive twice: the client retries after a timeout
(with an ``Idempotency-Key`` header), or RabbitMQ redelivers the RPC message to a
documents process restarted after a crash (same request id). Measured before this
module: a registration redelivered that way answered 409 "duplicate" to the very
client whose request had registered it.

Each creating call records, in the transaction that creates the record, the key of
its request (the client's key, else the gateway's request id), who asked, a digest of
what was asked and the answer. The same key from the same caller for the same call
then gets that answer again; the same key with different content is refused (409).
A request that failed records nothing, so its retry runs again."""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select

from services.common.db import insert_once
from services.common.errors import Conflict
from services.documents.models import IdempotentRequest

MAX_KEY_LENGTH = 200
#: How long an answer is kept for retries: a redelivery comes within seconds, a client's
#: retry within hours. The answer repeats what was created (a secret document's subject
#: too), so it is not kept for ever.
KEEP_SECONDS = 7 * 24 * 3600


@dataclass(frozen=True)
class Ticket:
    """One creating request: whose, which call, its key and its content's digest."""
    caller_id: str
    operation: str
    key: str
    fingerprint: str


def fingerprint(payload) -> str:
    """A digest of what was asked, independent of the order of its keys."""
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def ticket(caller_id: str, operation: str, payload, idempotency_key: str | None,
           request_id: str | None) -> Ticket | None:
    """The request's ticket: keyed by the client's idempotency key if it gave one, else
    by the request id the call travels with; None when there is neither."""
    if isinstance(idempotency_key, str) and idempotency_key:
        key = "key:" + idempotency_key[:MAX_KEY_LENGTH]
    elif isinstance(request_id, str) and request_id:
        key = "request:" + request_id[:MAX_KEY_LENGTH]
    else:
        return None
    return Ticket(caller_id, operation, key, fingerprint(payload))


def claim(session, request: Ticket | None, now: datetime) -> dict | None:
    """Claim the request's key in this transaction: None if it is new (go on and
    create), else the answer of the earlier request with that key. Conflict (409) if
    the earlier request asked for something else.

    Claimed first in the transaction, before any duplicate check: on PostgreSQL a
    concurrent claim of the same key waits here until the first transaction ends,
    then sees its row."""
    if request is None:
        return None
    if insert_once(session, IdempotentRequest.__table__, caller_id=request.caller_id,
                   operation=request.operation, key=request.key,
                   fingerprint=request.fingerprint, response=None,
                   created_at=now):
        return None
    earlier = session.execute(select(IdempotentRequest).where(
        IdempotentRequest.caller_id == request.caller_id,
        IdempotentRequest.operation == request.operation,
        IdempotentRequest.key == request.key)).scalar_one()
    if earlier.fingerprint != request.fingerprint or earlier.response is None:
        raise Conflict(
            "Khóa chống trùng (Idempotency-Key) này đã được dùng cho một yêu cầu khác; "
            "hãy dùng khóa mới cho mỗi yêu cầu mới.",
            "This idempotency key was already used for a different request; use a new "
            "key for each new request.",
            {"idempotency_key": {"vi": "Đã dùng cho yêu cầu có nội dung khác.",
                                 "en": "Already used for a request with other content."}})
    return earlier.response


def record(session, request: Ticket | None, answer: dict) -> None:
    """Keep the answer of the request claimed in this transaction."""
    if request is None:
        return
    row = session.get(IdempotentRequest, (request.caller_id, request.operation, request.key))
    row.response = json.loads(json.dumps(answer, ensure_ascii=False, default=str))


def forget_before(session, moment: datetime) -> int:
    """Drop the answers kept since before ``moment``; how many were dropped."""
    return session.execute(delete(IdempotentRequest).where(
        IdempotentRequest.created_at < moment)).rowcount
