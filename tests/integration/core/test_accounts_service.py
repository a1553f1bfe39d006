"""Accounts in the documents service, in a real container on real RabbitMQ, on SQLite
and on PostgreSQL: sessions and refresh rotation, the throttle's failures kept in the
database, rehashing old argon2 hashes, one-time stream tickets (issue 11, 6–8)."""
import time

import pytest
from argon2 import PasswordHasher
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.common.db import make_engine
from services.common.errors import TooManyRequests, Unauthenticated
from services.common.identity import Caller, mint_token
from services.documents.models import (AuditEntry, AuthSession, LoginFailure, RefreshToken,
                                       User)
from services.documents.service import DocumentsService
from tests.integration.core.helpers import prepared_config, token
from tests.token_keys import TEST_KEYS

PASSWORD = "eoffice@2026"


@pytest.fixture
def documents(container_factory, service_config, db_url_factory):
    config = prepared_config(service_config, db_url_factory, "documents", seeded=True)
    container = container_factory(DocumentsService, config)
    container.start()
    engine = make_engine(config["DB_URLS"]["documents"])
    with ServiceRpcProxy("documents", config, timeout=30) as proxy:
        yield proxy, engine
    engine.dispose()




def gateway():
    """The gateway's system token, minted when used (one minted at import would expire
    before a long run reaches these tests)."""
    return token("system:gateway", memberships=(), system=True)


def test_a_sign_in_opens_a_session_and_replaces_an_old_argon2_hash(documents):
    proxy, engine = documents
    with Session(engine) as session, session.begin():
        session.execute(update(User).where(User.username == "vanthu.stc").values(
            password_hash=PasswordHasher().hash(PASSWORD)))   # 64 MiB, the old default
    answer = proxy.authenticate(gateway(), "vanthu.stc", PASSWORD, "10.0.0.7")
    assert answer["user"]["username"] == "vanthu.stc" and answer["refresh_token"]
    with Session(engine) as session:
        user = session.execute(select(User).where(User.username == "vanthu.stc")).scalar_one()
        assert "m=19456,t=2,p=1" in user.password_hash
        opened = session.get(AuthSession, answer["session_id"])
        assert opened.user_id == user.id and opened.client_address == "10.0.0.7"
        stored = session.execute(select(RefreshToken.token_hash)).scalars().all()
        assert answer["refresh_token"] not in stored and len(stored) == 1


def test_failures_are_kept_in_the_database_throttle_the_account_and_are_audited(documents):
    proxy, engine = documents
    for _ in range(3):
        with pytest.raises(Unauthenticated):
            proxy.authenticate(gateway(), "vanthu.snv", "sai-mat-khau", "10.0.0.8")
    with pytest.raises(TooManyRequests) as refused:
        proxy.authenticate(gateway(), "vanthu.snv", PASSWORD, "10.0.0.8")
    assert int(refused.value.details["retry_after"]) >= 1
    with Session(engine) as session:
        keys = session.execute(select(LoginFailure.key)).scalars().all()
        assert sorted(set(keys)) == ["account:vanthu.snv", "address:10.0.0.8"]
        audited = session.execute(select(AuditEntry).where(
            AuditEntry.action == "login_failed")).scalars().all()
        assert len(audited) == 3
        assert all(a.details["username"] == "vanthu.snv" and "sai-mat-khau" not in str(a.details)
                   for a in audited)
    time.sleep(2.1)   # the slow-down has passed: a right password works and clears the count
    assert proxy.authenticate(gateway(), "vanthu.snv", PASSWORD, "10.0.0.8")["session_id"]
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(LoginFailure).where(
            LoginFailure.key == "account:vanthu.snv")).scalar_one() == 0


def test_refresh_rotates_and_a_reused_token_revokes_the_session(documents):
    proxy, engine = documents
    first = proxy.authenticate(gateway(), "lanhdao.stc", PASSWORD, "")
    second = proxy.refresh_session(gateway(), first["refresh_token"])
    assert second["session_id"] == first["session_id"]
    assert second["refresh_token"] != first["refresh_token"]
    with pytest.raises(Unauthenticated):
        proxy.refresh_session(gateway(), first["refresh_token"])
    with pytest.raises(Unauthenticated):
        proxy.refresh_session(gateway(), second["refresh_token"])
    assert first["session_id"] in proxy.list_revocations(gateway(), 600)["sessions"]
    with Session(engine) as session:
        assert session.get(AuthSession, first["session_id"]).revoked_reason == "refresh_reused"


def test_a_stream_ticket_opens_once(documents):
    proxy, _ = documents
    answer = proxy.authenticate(gateway(), "chuyenvien.stc", PASSWORD, "")
    user = answer["user"]
    caller = Caller(user_id=user["id"], username=user["username"],
                    session_id=answer["session_id"])
    user_token = mint_token(caller, TEST_KEYS, 300)
    ticket = proxy.create_stream_ticket(user_token, time.time() + 300)["ticket"]
    opened = proxy.redeem_stream_ticket(gateway(), ticket)
    assert opened["user"]["id"] == user["id"]
    assert opened["session_id"] == answer["session_id"]
    with pytest.raises(Unauthenticated):
        proxy.redeem_stream_ticket(gateway(), ticket)
