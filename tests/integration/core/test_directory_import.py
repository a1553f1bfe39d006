"""The whole 2025 map loads into the units tree quickly, idempotently, with every
parent explicit, and with the 63 provinces before the reform closed and recorded as
merged into the 34 after it (SQLite and PostgreSQL)."""
import re
import time

from alembic import command
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.clock import VietnamClock
from services.common.db import make_engine
from services.common.migrations import alembic_config
from services.documents import directory_import
from services.documents.models import Unit, UnitChange

ORGAN_ID = re.compile(r"^[0-9A-Z.]{1,35}$")


def test_the_whole_map_imports_once_in_well_under_a_minute(db_url_factory):
    url = db_url_factory("documents")
    command.upgrade(alembic_config("documents", url), "head")
    engine = make_engine(url)
    started = time.perf_counter()
    with Session(engine) as session, session.begin():
        imported = directory_import.import_map(session, now=VietnamClock().now())
    elapsed = time.perf_counter() - started
    with Session(engine) as session, session.begin():
        again = directory_import.import_map(session, now=VietnamClock().now())
    with Session(engine) as session:
        total = session.execute(select(func.count()).select_from(Unit)).scalar_one()
        levels = dict(session.execute(
            select(Unit.level, func.count()).where(Unit.valid_to.is_(None))
            .group_by(Unit.level)).all())
        closed = session.execute(select(Unit).where(Unit.valid_to.is_not(None))).scalars().all()
        orphans = session.execute(
            select(func.count()).select_from(Unit).where(
                Unit.parent_id.is_not(None),
                Unit.parent_id.not_in(select(Unit.id)))).scalar_one()
        organ_ids = session.execute(select(Unit.organ_id)).scalars().all()
        merged = session.execute(select(UnitChange).where(
            UnitChange.kind == "merged_into")).scalars().all()
        absorbed = {c.unit_id: c for c in session.execute(select(UnitChange).where(
            UnitChange.kind == "absorbed")).scalars()}
        tay_ninh = session.get(Unit, directory_import.unit_id(directory_import.province_key("80")))
    engine.dispose()
    created = imported["created"]
    assert created == total == imported["units"] and again["created"] == again["changes"] == 0
    assert levels["province"] == 34 and levels["commune"] == 3321
    assert levels["province"] + levels["department"] + levels["commune"] >= 4000
    assert len(closed) == 63 and {u.valid_to.isoformat() for u in closed} == {"2025-06-30"}
    assert len(merged) == 63 and len(absorbed) == 34 and imported["changes"] == 63 + 34
    assert sorted(m["name"] for m in absorbed[tay_ninh.id].details["merged"]) == [
        "Ủy ban nhân dân tỉnh Long An", "Ủy ban nhân dân tỉnh Tây Ninh"]
    assert orphans == 0
    assert len(set(organ_ids)) == len(organ_ids)
    assert all(ORGAN_ID.match(code) for code in organ_ids if code != "000.00.11.H53")
    assert elapsed < 60
    print(f"imported {created} units and {imported['changes']} history records "
          f"in {elapsed:.2f} s")
