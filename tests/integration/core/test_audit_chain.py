"""The audit log is a hash chain: any edit, deletion or cut is found, and the first
broken link is reported (SQLite and PostgreSQL)."""
from datetime import datetime, timezone

import pytest
from alembic import command
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from services.common.db import make_engine
from services.common.migrations import alembic_config
from services.documents import audit
from services.documents.models import AuditEntry, AuditHead


@pytest.fixture
def engine(db_url_factory):
    url = db_url_factory("documents")
    command.upgrade(alembic_config("documents", url), "head")
    engine = make_engine(url)
    yield engine
    engine.dispose()


def write_entries(engine, count):
    with Session(engine) as session, session.begin():
        for n in range(count):
            audit.record(session, at=datetime.now(timezone.utc), actor_id=f"user-{n % 3}",
                         action="view",
                         object_type="incoming_document", object_id=f"doc-{n}",
                         details={"n": n, "tên": "Nguyễn Văn Á"}, request_id=f"req-{n}")


def verify(engine):
    with Session(engine) as session:
        return audit.verify(session)


def test_an_untouched_chain_verifies(engine):
    write_entries(engine, 25)
    assert verify(engine) == {"intact": True, "checked": 25, "first_broken": None}


def test_editing_an_entry_is_reported_at_that_entry(engine):
    write_entries(engine, 10)
    with Session(engine) as session, session.begin():
        session.execute(update(AuditEntry).where(AuditEntry.seq == 4)
                        .values(actor_id="someone-else"))
    result = verify(engine)
    assert not result["intact"] and result["first_broken"]["seq"] == 4
    assert result["checked"] == 3


def test_deleting_an_entry_in_the_middle_is_reported(engine):
    write_entries(engine, 10)
    with Session(engine) as session, session.begin():
        session.execute(delete(AuditEntry).where(AuditEntry.seq == 6))
    result = verify(engine)
    assert not result["intact"] and result["first_broken"]["seq"] == 6


def test_cutting_the_end_of_the_chain_is_reported(engine):
    write_entries(engine, 10)
    with Session(engine) as session, session.begin():
        session.execute(delete(AuditEntry).where(AuditEntry.seq >= 9))
    result = verify(engine)
    assert not result["intact"] and result["first_broken"]["seq"] == 9


def test_rewriting_an_entry_and_its_hash_still_breaks_the_next_link(engine):
    write_entries(engine, 5)
    with Session(engine) as session, session.begin():
        entry = session.execute(select(AuditEntry).where(AuditEntry.seq == 2)).scalar_one()
        entry.details = {"n": 99}
        entry.hash = audit.entry_hash(entry.seq, entry.at, entry.actor_id, entry.action,
                                      entry.object_type, entry.object_id, entry.details,
                                      entry.request_id, entry.prev_hash)
    result = verify(engine)
    assert not result["intact"] and result["first_broken"]["seq"] == 3


def test_the_migration_chains_entries_written_before_the_chain_existed(db_url_factory):
    url = db_url_factory("documents")
    config = alembic_config("documents", url)
    command.upgrade(config, "3fa69b8a668d")
    engine = make_engine(url)
    with engine.begin() as connection:
        for n in range(5):
            connection.execute(text(
                "INSERT INTO audit_log (at, actor_id, action, object_type, object_id, "
                "details, request_id) VALUES (:at, 'u', 'view', 'doc', :oid, :details, NULL)"),
                {"at": datetime(2026, 1, 1, 8, n, tzinfo=timezone.utc), "oid": f"d{n}",
                 "details": '{"n": %d}' % n})
    command.upgrade(config, "head")
    assert verify(engine) == {"intact": True, "checked": 5, "first_broken": None}
    write_entries(engine, 2)
    assert verify(engine)["checked"] == 7
    with Session(engine) as session:
        assert session.get(AuditHead, 1).last_seq == 7
    engine.dispose()


def test_an_entry_of_a_rolled_back_transaction_is_not_in_the_chain(engine):
    with Session(engine) as session:
        with pytest.raises(RuntimeError):
            with session.begin():
                audit.record(session, at=datetime.now(timezone.utc), actor_id="user-1",
                             action="view", object_type="incoming_document",
                             object_id="doc-gone")
                raise RuntimeError("refused")
        with session.begin():      # the same session, a new transaction
            audit.record(session, at=datetime.now(timezone.utc), actor_id="user-1",
                         action="view", object_type="incoming_document", object_id="doc-kept")
    with Session(engine) as session:
        kept = session.execute(select(AuditEntry.object_id, AuditEntry.seq)).all()
    assert [tuple(row) for row in kept] == [("doc-kept", 1)]
    assert verify(engine) == {"intact": True, "checked": 1, "first_broken": None}


def test_two_transactions_auditing_at_once_chain_their_entries_one_after_the_other(
        engine, db_kind):
    """The head is locked when a transaction commits, not when it records: the one that
    commits second chains after the first, whichever recorded first."""
    first, second = Session(engine), Session(engine)
    try:
        first.begin()
        audit.record(first, at=datetime.now(timezone.utc), actor_id="a", action="view",
                     object_type="incoming_document", object_id="doc-1")
        if db_kind == "postgresql":     # SQLite has one writer: the second would wait
            second.begin()
            second.execute(text("SET LOCAL lock_timeout = '5s'"))   # fails, never hangs
            audit.record(second, at=datetime.now(timezone.utc), actor_id="b", action="view",
                         object_type="incoming_document", object_id="doc-2")
            second.commit()
        first.commit()
    finally:
        first.close()
        second.close()
    assert verify(engine)["intact"]
