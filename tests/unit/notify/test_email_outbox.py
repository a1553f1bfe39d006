"""The e-mail outbox's rules on a real (SQLite) database: what is claimed first, that a
claimed e-mail cannot be claimed again, retries and giving up (services/notify/
email_outbox.py)."""
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from services.notify import email_outbox
from services.notify.models import Email, metadata


def utcnow():
    return datetime.now(timezone.utc)


@pytest.fixture
def session():
    engine = create_engine("sqlite://")
    metadata.create_all(engine)
    with Session(engine) as session:
        yield session
    engine.dispose()


def queue(session, name, urgency="normal", now=None, user="u-1"):
    now = now or utcnow()
    email_outbox.queue(session, notification_id=f"n-{name}", user_id=user,
                       to_address=f"{user}@gov.vn", subject=name, body="…", urgency=urgency,
                       now=now)
    session.flush()


def claim(session, now=None):
    return email_outbox.claim_next(session, now or utcnow(), skip_locked=False)


def test_the_most_urgent_is_claimed_first_then_the_oldest(session):
    start = utcnow() - timedelta(minutes=1)
    for n, (name, urgency) in enumerate((("n1", "normal"), ("u1", "urgent"), ("n2", "normal"),
                                         ("f1", "flash"), ("v1", "very_urgent"))):
        queue(session, name, urgency, now=start + timedelta(seconds=n))
    assert [claim(session).subject for _ in range(5)] == ["f1", "v1", "u1", "n1", "n2"]
    assert claim(session) is None


def test_a_claimed_email_is_not_claimed_again_and_counts_its_attempt(session):
    queue(session, "a")
    first = claim(session)
    assert first.attempts == 1 and claim(session) is None
    assert session.get(Email, first.id, populate_existing=True).status == "sending"
    assert email_outbox.mark_sent(session, first, utcnow())
    row = session.get(Email, first.id, populate_existing=True)
    assert row.status == "sent" and row.sent_at is not None


def test_a_failed_attempt_waits_then_is_retried_until_it_gives_up(session):
    queue(session, "a")
    now = utcnow()
    for attempt in range(1, email_outbox.MAX_ATTEMPTS + 1):
        claimed = claim(session, now)
        assert claimed.attempts == attempt
        status = email_outbox.mark_failed(session, claimed, "down", now)
        assert claim(session, now) is None                    # not before its delay
        now += email_outbox.retry_delay(attempt)
    assert status == "failed" and claim(session, now + timedelta(days=1)) is None


def test_a_refusal_for_good_fails_at_once(session):
    queue(session, "a")
    claimed = claim(session)
    assert email_outbox.mark_failed(session, claimed, "550 no such user",
                                    utcnow(), permanent=True) == "failed"


def test_a_claim_whose_process_died_is_released_after_the_lease(session):
    queue(session, "a")
    now = utcnow()
    stale = claim(session, now)
    assert email_outbox.release_expired_claims(session, now + timedelta(minutes=1)) == 0
    later = now + email_outbox.LEASE + timedelta(seconds=1)
    assert email_outbox.release_expired_claims(session, later) == 1
    again = claim(session, later)
    assert again.id == stale.id and again.attempts == 2
    assert not email_outbox.mark_sent(session, stale, later)   # the old claim is void


def test_turning_email_off_cancels_and_a_new_address_redirects_what_waits(session):
    queue(session, "a", user="u-1")
    queue(session, "b", user="u-2")
    assert email_outbox.readdress_pending(session, "u-2", "new@gov.vn") == 1
    assert email_outbox.cancel_pending(session, "u-1") == 1
    assert [(c.subject, c.to_address) for c in [claim(session)]] == [("b", "new@gov.vn")]
    assert claim(session) is None
