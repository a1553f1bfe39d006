"""Registers and their counters: numbers without gaps or duplicates, with any
number of documents processes, because the counter row is taken inside the same
transaction that writes the document (row lock on PostgreSQL, BEGIN IMMEDIATE on
SQLite) and a rolled-back registration gives its number back."""
from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.documents import domain
from services.documents.models import Counter, Register


def _insert(session):
    return pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert


def ensure_register(session, unit_id: str, direction: str, year: int) -> Register:
    """The unit's register for a direction and year, created (with its counter) on
    first use; concurrent creators settle on one row."""
    query = select(Register).where(Register.unit_id == unit_id, Register.direction == direction,
                                   Register.year == year)
    register = session.execute(query.order_by(Register.name)).scalars().first()
    if register is not None:
        return register
    insert = _insert(session)
    key = domain.counter_key(unit_id, direction, year)
    session.execute(insert(Counter).values(key=key, value=0).on_conflict_do_nothing())
    session.execute(insert(Register).values(
        id=str(uuid.uuid4()), unit_id=unit_id, direction=direction, year=year,
        name=domain.register_name(direction, year), counter_key=key,
    ).on_conflict_do_nothing())
    return session.execute(query.order_by(Register.name)).scalars().first()


def register_for_type(session, unit_id: str, direction: str, year: int,
                      document_type: str) -> Register:
    """The register a document of this type goes into: the unit's register of the year
    whose scope names the type, else its register for every type (made on first use)."""
    registers = session.execute(select(Register).where(
        Register.unit_id == unit_id, Register.direction == direction,
        Register.year == year).order_by(Register.name)).scalars().all()
    for register in registers:
        if register.document_types and document_type in register.document_types:
            return register
    for register in registers:
        if not register.document_types:
            return register
    return ensure_register(session, unit_id, direction, year)


def create_register(session, unit_id: str, direction: str, year: int, name: str,
                    document_types: list[str] | None, share_with: Register | None) -> Register:
    """A new register with its own counter, or drawing from ``share_with``'s counter."""
    if share_with is not None:
        key = share_with.counter_key
    else:
        key = f"{domain.counter_key(unit_id, direction, year)}:{uuid.uuid4().hex[:12]}"
        session.add(Counter(key=key, value=0))
    register = Register(id=str(uuid.uuid4()), unit_id=unit_id, direction=direction, year=year,
                        name=name, counter_key=key, document_types=document_types or None)
    session.add(register)
    session.flush()
    return register


def next_number(session, register: Register) -> int:
    """Take the register's next number inside the caller's transaction."""
    query = select(Counter).where(Counter.key == register.counter_key)
    if session.bind.dialect.name == "postgresql":
        query = query.with_for_update()
    counter = session.execute(query).scalar_one()
    counter.value += 1
    session.flush()
    return counter.value
