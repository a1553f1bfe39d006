"""The documents service's sign_in_directory in a real container, on SQLite and on
PostgreSQL: unknown accounts created without roles (once, even when they arrive
together), matched by e-mail, refused for anyone but the gateway, audited."""
import eventlet
import pytest
from nameko.standalone.rpc import ServiceRpcProxy
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.common.db import make_engine
from services.common.errors import Unauthenticated
from services.documents.models import AuditEntry, User
from services.documents.service import DocumentsService
from tests.integration.core.helpers import prepared_config, token



def gateway():
    """The gateway's system token, minted when used (one minted at import would expire
    before a long run reaches these tests)."""
    return token("gateway", memberships=(), system=True)


@pytest.fixture
def documents(container_factory, service_config, db_url_factory):
    config = prepared_config(service_config, db_url_factory, "documents", seeded=True)
    config |= {"DIRECTORY_MATCH_BY": "email", "DIRECTORY_UNKNOWN_ACCOUNTS": "create"}
    container = container_factory(DocumentsService, config)
    container.start()
    with ServiceRpcProxy("documents", config, timeout=20) as proxy:
        yield proxy, config


def account(username, email):
    return {"source": "ldap", "username": username, "email": email,
            "full_name": "Trần Thị Bình", "groups": ["van-thu"]}


def test_an_unknown_account_arriving_several_times_at_once_becomes_one_user(documents):
    _, config = documents

    def sign_in(_):   # a standalone proxy serves one green thread at a time
        with ServiceRpcProxy("documents", config, timeout=30) as own:
            return own.sign_in_directory(gateway(), account("binh.tt", "binh.tt@tayninh.gov.vn"))[
                "user"]

    profiles = list(eventlet.GreenPool(4).imap(sign_in, range(4)))
    assert len({p["id"] for p in profiles}) == 1
    assert profiles[0]["memberships"] == [] and profiles[0]["auth_source"] == "ldap"
    engine = make_engine(config["DB_URLS"]["documents"])
    with Session(engine) as session:
        users = session.execute(select(User).where(User.username == "binh.tt")).scalars().all()
        actions = session.execute(select(AuditEntry.action).where(
            AuditEntry.object_id == profiles[0]["id"])).scalars().all()
    engine.dispose()
    assert len(users) == 1 and users[0].password_hash == ""
    assert actions.count("create") == 1 and actions.count("login") == 4


def test_an_account_matches_by_email_a_user_of_another_username_who_loses_the_local_password(
        documents):
    proxy, config = documents
    engine = make_engine(config["DB_URLS"]["documents"])
    with Session(engine) as session, session.begin():
        session.execute(update(User).where(User.username == "chuyenvien.stc").values(
            email="bao.dq@tayninh.gov.vn"))
    profile = proxy.sign_in_directory(gateway(), account("BAO.DQ", "Bao.DQ@TayNinh.gov.vn"))[
        "user"]
    assert profile["username"] == "chuyenvien.stc" and profile["auth_source"] == "ldap"
    assert profile["memberships"]    # the roles an administrator gave stay
    with Session(engine) as session:
        user = session.execute(select(User).where(
            User.username == "chuyenvien.stc")).scalar_one()
    engine.dispose()
    assert user.password_hash == ""
    with pytest.raises(Unauthenticated):
        proxy.authenticate(gateway(), "chuyenvien.stc", "eoffice@2026")
    # Only the gateway signs directory accounts in.
    with pytest.raises(Unauthenticated):
        proxy.sign_in_directory(token("u-clerk"), account("bao.dq", "bao.dq@tayninh.gov.vn"))



def test_a_user_created_by_a_concurrent_first_sign_in_between_the_lookups_is_used(
        documents, db_kind):
    """The same account's other first sign-in tries to commit its new user right after this
    one's first look-up. On PostgreSQL (each statement sees what was committed before it)
    it does, and the second look-up finds that user, which the sign-in uses: it was refused
    as a wrong password when the match was read before the username. On SQLite it cannot:
    the sign-in holds the only write lock from its first look-up, so the other insert is
    refused as locked and this sign-in creates the user itself."""
    from sqlalchemy import create_engine, event
    from sqlalchemy.engine import Engine
    from sqlalchemy.exc import OperationalError

    from services.documents.directory_accounts import new_user_fields, parse_account

    proxy, config = documents
    arriving = account("lan.nt", "lan.nt@tayninh.gov.vn")
    url = config["DB_URLS"]["documents"]
    # on SQLite, give up on the lock at once (the service's engine waits 30 s)
    other = create_engine(url, connect_args={"timeout": 0.2}) if db_kind == "sqlite" \
        else make_engine(url)
    attempts = []

    def commit_the_other_sign_in(conn, cursor, statement, parameters, context, many):
        if attempts or conn.engine is other or "FROM users" not in statement or not any(
                value in ("lan.nt", "lan.nt@tayninh.gov.vn")
                for value in (parameters.values() if isinstance(parameters, dict)
                              else parameters or ())):
            return
        try:
            with Session(other) as session, session.begin():
                session.add(User(id="u-lan-concurrent",
                                 **new_user_fields(parse_account(arriving))))
            attempts.append("committed")
        except OperationalError as exc:
            attempts.append("locked" if "locked" in str(exc) else str(exc))

    event.listen(Engine, "after_cursor_execute", commit_the_other_sign_in)
    try:
        profile = proxy.sign_in_directory(gateway(), arriving)["user"]
    finally:
        event.remove(Engine, "after_cursor_execute", commit_the_other_sign_in)
        other.dispose()
    if db_kind == "postgresql":
        assert attempts == ["committed"]
        assert profile["id"] == "u-lan-concurrent" and profile["auth_source"] == "ldap"
    else:
        assert attempts == ["locked"]
        assert profile["id"] != "u-lan-concurrent" and profile["username"] == "lan.nt"
