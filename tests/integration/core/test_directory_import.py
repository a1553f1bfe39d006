"""The whole 2025 map loads into the units tree quickly, idempotently, with every
parent explicit (SQLite and PostgreSQL)."""
import re
import time

from alembic import command
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.db import make_engine
from services.common.migrations import alembic_config
from services.documents import directory_import
from services.documents.models import Unit

ORGAN_ID = re.compile(r"^[0-9A-Z.]{1,35}$")


def test_the_whole_map_imports_once_in_well_under_a_minute(db_url_factory):
    url = db_url_factory("documents")
    command.upgrade(alembic_config("documents", url), "head")
    engine = make_engine(url)
    units = directory_import.build_units(directory_import.read_communes())
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        created = directory_import.import_units(session, units)
    elapsed = time.perf_counter() - started
    with Session(engine) as session, session.begin():
        again = directory_import.import_units(session, units)
    with Session(engine) as session:
        total = session.execute(select(func.count()).select_from(Unit)).scalar_one()
        levels = dict(session.execute(
            select(Unit.level, func.count()).group_by(Unit.level)).all())
        orphans = session.execute(
            select(func.count()).select_from(Unit).where(
                Unit.parent_id.is_not(None),
                Unit.parent_id.not_in(select(Unit.id)))).scalar_one()
        organ_ids = session.execute(select(Unit.organ_id)).scalars().all()
    engine.dispose()
    assert created == total == len(units) and again == 0
    assert levels["province"] == 34 and levels["commune"] == 3321
    assert levels["province"] + levels["department"] + levels["commune"] >= 4000
    assert orphans == 0
    assert len(set(organ_ids)) == len(organ_ids)
    assert all(ORGAN_ID.match(code) for code in organ_ids if code != "000.00.11.H53")
    assert elapsed < 60
    print(f"imported {created} units in {elapsed:.2f} s")
