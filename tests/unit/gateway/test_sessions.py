"""The gateway's side of sessions: the revocation set, refusing revoked and
password-change-only tokens, the live stream ending, and log lines without secrets
(issue 11, points 6 and 7)."""
import logging
import time
from types import SimpleNamespace

import eventlet
import pytest

from services.common.errors import PasswordChangeRequired, Unauthenticated
from services.common.http import ACCESS_LOG, redact
from services.gateway import live
from services.gateway.dependencies import Auth
from services.gateway.revocations import RevocationSet
from tests.token_keys import TEST_KEYS

GATEWAY_KEYS = TEST_KEYS.of("gateway")

USER = {"id": "u-1", "username": "lan", "full_name": "Lan", "clearance": "secret",
        "memberships": [{"unit_id": "STC", "role": "clerk"}]}


def request_with(token):
    return SimpleNamespace(headers={"Authorization": f"Bearer {token}"}, args={})


@pytest.fixture
def auth():
    revocations = RevocationSet(ttl_seconds=300)
    revocations.synced = True
    return Auth("unit-secret", 300, GATEWAY_KEYS, revocations)


def test_a_revoked_session_or_an_older_token_version_is_refused(auth):
    token = auth.issue(USER, "s-1", token_version=2)
    assert auth.token_of(request_with(token)) == token
    auth.revocations.revoke_user("u-1", 3)
    with pytest.raises(Unauthenticated):
        auth.token_of(request_with(token))
    newer = auth.issue(USER, "s-1", token_version=3)
    assert auth.token_of(request_with(newer)) == newer
    auth.revocations.apply({"kind": "session", "subject": "s-1"})
    with pytest.raises(Unauthenticated):
        auth.token_of(request_with(newer))


def test_a_token_without_a_session_is_refused(auth):
    with pytest.raises(Unauthenticated):
        auth.token_of(request_with(auth.issue(USER)))


def test_a_password_change_token_carries_no_rights_and_serves_only_to_change_it(auth):
    token = auth.issue(USER, "s-2", password_change_only=True)
    with pytest.raises(PasswordChangeRequired):
        auth.token_of(request_with(token))
    assert auth.token_of(request_with(token), allow_password_change=True) == token
    caller = auth.check(token)
    assert caller.memberships == () and caller.clearance == "none"


def test_a_token_in_the_query_string_is_not_taken():
    auth = Auth("unit-secret", 300, GATEWAY_KEYS, RevocationSet(300, synced=True))
    token = auth.issue(USER, "s-3")
    with pytest.raises(Unauthenticated):
        auth.token_of(SimpleNamespace(headers={}, args={"access_token": token}))


def test_revocations_loaded_from_documents_are_kept():
    revocations = RevocationSet(300)
    revocations.load({"sessions": ["s-9"], "users": {"u-2": 4}})
    assert revocations.synced
    assert revocations.is_revoked("u-1", "s-9", 0)
    assert revocations.is_revoked("u-2", "s-8", 3) and not revocations.is_revoked("u-2", "s-8", 4)


def test_the_stream_ends_when_its_token_expires():
    channels = live.LiveChannels()
    stream = live.event_stream(channels, "u-1", 0, "s-1", 0, time.time() + 0.3)
    frames = list(stream)
    assert frames[-1] == b'event: end\ndata: {"reason": "expired"}\n\n'
    assert channels.listeners() == 0


def test_the_stream_ends_when_its_session_or_an_older_token_version_is_revoked():
    channels = live.LiveChannels()
    for close in ({"session_id": "s-1"}, {"user_id": "u-1", "min_version": 1}):
        stream = live.event_stream(channels, "u-1", 0, "s-1", 0, time.time() + 60)
        next(stream), next(stream)
        eventlet.spawn_after(0.05, channels.close, **close)
        assert next(stream) == b'event: end\ndata: {"reason": "revoked"}\n\n'
        assert list(stream) == []   # and the stream is over
    other = live.event_stream(channels, "u-1", 0, "s-2", 5, time.time() + 60)
    next(other), next(other)
    assert channels.close(session_id="s-1") == 0 and channels.close("", "u-1", 5) == 0


def test_secrets_are_redacted_from_log_text():
    line = ('127.0.0.1 - - "GET /files/f1/content?expires=17&signature=abcdef0123 HTTP/1.1"'
            ' "GET /api/v1/notifications/stream?ticket=T0ps3cret&access_token=eyJhbGciOiJI'
            'UzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl HTTP/1.1" Authorization: Bearer xyz.abc')
    cleaned = redact(line)
    for secret in ("abcdef0123", "T0ps3cret", "eyJhbGciOiJI", "xyz.abc"):
        assert secret not in cleaned
    assert "expires=17" in cleaned and "/files/f1/content" in cleaned


def test_the_web_servers_access_log_is_redacted(caplog):
    with caplog.at_level(logging.INFO, logger=ACCESS_LOG.name):
        ACCESS_LOG.info('127.0.0.1 - - "%s" 200', "GET /x?sig=deadbeef&token=abc HTTP/1.1")
    assert "deadbeef" not in caplog.text and "token=abc" not in caplog.text
    assert "sig=[redacted]" in caplog.text
