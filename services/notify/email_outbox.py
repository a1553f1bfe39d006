"""The e-mail outbox: e-mails are queued in the transaction that makes their
notification, and sent afterwards by whichever notify process claims them first.

A row moves ``pending`` → ``sending`` (claimed) → ``sent``; a failed attempt puts it
back to ``pending`` with a growing delay, until ``MAX_ATTEMPTS`` (then ``failed``).
Claiming is a conditional UPDATE (``... WHERE status = 'pending'``): of two processes
that pick the same row only one changes it, so only one sends it. On PostgreSQL
candidates are read with ``FOR UPDATE SKIP LOCKED`` so processes do not wait on each
other; SQLite's write lock serialises claims anyway.

A process that dies while sending leaves its row in ``sending``; after ``LEASE`` the
row is pending again. If the server had already taken that message it goes out twice
(the one duplicate this design allows, after a crash); it keeps its Message-ID, so
mail systems can tell.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update

from services.common.vocabulary import URGENCIES, URGENCY_RANK
from services.notify.models import CANCELLED, FAILED, PENDING, SENDING, SENT, Email

#: Sent first: hỏa tốc, thượng khẩn, khẩn, then the rest (0 first).
PRIORITY = {code: len(URGENCIES) - 1 - rank for code, rank in URGENCY_RANK.items()}
MAX_ATTEMPTS = 10
RETRY_BASE = timedelta(seconds=5)     # 5 s, 10 s, 20 s, ... doubling after each failure
RETRY_MAX = timedelta(minutes=30)     # ... never more than this apart
LEASE = timedelta(minutes=10)         # far longer than one SMTP conversation (timeouts 30 s)
ERROR_MAX = 1000


@dataclass(frozen=True)
class Claimed:
    """An e-mail this process now holds (status ``sending``)."""
    id: str
    claim_id: str
    to_address: str
    subject: str
    body: str
    attempts: int


def queue(session, *, notification_id: str, user_id: str, to_address: str, subject: str,
          body: str, urgency: str | None, now: datetime) -> Email:
    """Add an e-mail to the outbox in the caller's transaction."""
    email = Email(id=str(uuid.uuid4()), notification_id=notification_id, user_id=user_id,
                  to_address=to_address, subject=subject, body=body,
                  priority=PRIORITY.get(urgency or "normal", PRIORITY["normal"]),
                  status=PENDING, attempts=0, next_attempt_at=now, created_at=now)
    session.add(email)
    return email


def retry_delay(attempts: int) -> timedelta:
    """How long to wait after the ``attempts``-th failed attempt."""
    return min(RETRY_BASE * (2 ** max(attempts - 1, 0)), RETRY_MAX)


def release_expired_claims(session, now: datetime) -> int:
    """Rows left ``sending`` longer than LEASE (their process died) become pending."""
    return session.execute(
        update(Email).where(Email.status == SENDING, Email.claimed_at < now - LEASE)
        .values(status=PENDING, claim_id=None, claimed_at=None, next_attempt_at=now)
    ).rowcount


def claim_next(session, now: datetime, *, skip_locked: bool) -> Claimed | None:
    """Claim the most urgent due e-mail (oldest first within an urgency) for this
    process; None when there is none. Counts the attempt."""
    query = (select(Email.id).where(Email.status == PENDING, Email.next_attempt_at <= now)
             .order_by(Email.priority, Email.created_at, Email.id).limit(5))
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    for email_id in session.execute(query).scalars().all():
        claim_id = str(uuid.uuid4())
        won = session.execute(
            update(Email).where(Email.id == email_id, Email.status == PENDING)
            .values(status=SENDING, claim_id=claim_id, claimed_at=now,
                    attempts=Email.attempts + 1)).rowcount
        if won == 1:
            row = session.get(Email, email_id, populate_existing=True)
            return Claimed(id=row.id, claim_id=claim_id, to_address=row.to_address,
                           subject=row.subject, body=row.body, attempts=row.attempts)
    return None


def mark_sent(session, claimed: Claimed, now: datetime) -> bool:
    return session.execute(
        update(Email).where(Email.id == claimed.id, Email.claim_id == claimed.claim_id)
        .values(status=SENT, sent_at=now, last_error=None, claim_id=None)).rowcount == 1


def mark_failed(session, claimed: Claimed, error: str, now: datetime, *,
                permanent: bool = False) -> str:
    """Record a failed attempt; returns the row's new status (pending or failed)."""
    status = FAILED if permanent or claimed.attempts >= MAX_ATTEMPTS else PENDING
    session.execute(
        update(Email).where(Email.id == claimed.id, Email.claim_id == claimed.claim_id)
        .values(status=status, last_error=error[:ERROR_MAX], claim_id=None, claimed_at=None,
                next_attempt_at=now + retry_delay(claimed.attempts)))
    return status


def cancel_pending(session, user_id: str) -> int:
    """The user turned e-mail off: what still waits for them is not sent."""
    return session.execute(
        update(Email).where(Email.user_id == user_id, Email.status == PENDING)
        .values(status=CANCELLED)).rowcount


def readdress_pending(session, user_id: str, address: str) -> int:
    """The user changed their address: what still waits for them goes there."""
    return session.execute(
        update(Email).where(Email.user_id == user_id, Email.status == PENDING)
        .values(to_address=address)).rowcount
