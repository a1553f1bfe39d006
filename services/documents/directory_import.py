"""Loading the organisation tree of the whole 2025 map: 34 provinces, their standard
departments (sở, ban, ngành), 3,321 communes and each commune's offices; and the 63
provinces before the reform as closed units whose history says which new province
each became (merged_into / absorbed, effective 1 July 2025).

    python -m services.documents.directory_import [--province 80 ...] [--no-commune-offices]

Units keep stable ids (uuid5 of a key), so running it again changes nothing and the
demo seed (one province) is a subset of it. The parent of every unit is explicit:
mã định danh are opaque and never parsed (DOMAIN.md §3).
"""
from __future__ import annotations

import argparse
import csv
import os
import time
import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from services.documents.models import Unit, UnitChange

HERE = os.path.dirname(os.path.abspath(__file__))
COMMUNES_CSV = os.path.join(HERE, "seed_data", "communes_2025.csv")
LEGACY_PROVINCES_CSV = os.path.join(HERE, "seed_data", "provinces_legacy_2025.csv")
REFORM_ACTOR = "system:directory_import"
NAMESPACE = uuid.UUID("6f1c1e52-8b4e-4c69-9a51-3c6d0e4a7b10")
REFORM_DATE = date(2025, 7, 1)
LEGACY_LAST_DAY = date(2025, 6, 30)

# The provincial apparatus after the 2025 reorganisation: (key, name, abbreviation).
DEPARTMENTS = [
    ("VP", "Văn phòng Ủy ban nhân dân", "VP"),
    ("SNV", "Sở Nội vụ", "SNV"),
    ("STP", "Sở Tư pháp", "STP"),
    ("STC", "Sở Tài chính", "STC"),
    ("SCT", "Sở Công Thương", "SCT"),
    ("SNNMT", "Sở Nông nghiệp và Môi trường", "SNNMT"),
    ("SXD", "Sở Xây dựng", "SXD"),
    ("SKHCN", "Sở Khoa học và Công nghệ", "SKHCN"),
    ("SVHTTDL", "Sở Văn hóa, Thể thao và Du lịch", "SVHTTDL"),
    ("SGDĐT", "Sở Giáo dục và Đào tạo", "SGDĐT"),
    ("SYT", "Sở Y tế", "SYT"),
    ("TTT", "Thanh tra", "TTr"),
    ("SDTTG", "Sở Dân tộc và Tôn giáo", "SDTTG"),
    ("SNgV", "Sở Ngoại vụ", "SNgV"),
    ("BQLKCN", "Ban Quản lý các khu công nghiệp", "BQLKCN"),
    ("TTPVHCC", "Trung tâm Phục vụ hành chính công", "TTPVHCC"),
    ("VPĐĐBQH", "Văn phòng Đoàn đại biểu Quốc hội và Hội đồng nhân dân", "VPĐĐBQH"),
    ("BQLDA", "Ban Quản lý dự án đầu tư xây dựng các công trình dân dụng và công nghiệp",
     "BQLDA"),
    ("ĐPTTH", "Báo và Phát thanh, Truyền hình", "BPTTH"),
]
# A commune's offices (Nghị định 150/2025/NĐ-CP): the economic office differs for phường.
COMMUNE_OFFICES = [
    ("VP", "Văn phòng Hội đồng nhân dân và Ủy ban nhân dân", "VP"),
    ("KT", "Phòng Kinh tế", "KT"),
    ("VHXH", "Phòng Văn hóa - Xã hội", "VHXH"),
]
WARD_ECONOMIC_OFFICE = "Phòng Kinh tế, Hạ tầng và Đô thị"
# Real codes where we know them (the edXML samples).
KNOWN_ORGAN_IDS = {("80", "STC"): "000.00.11.H53"}
REFORM_BASIS = "Nghị quyết 202/2025/QH15 về sắp xếp đơn vị hành chính cấp tỉnh"


@dataclass(frozen=True)
class UnitRow:
    key: str
    organ_id: str
    name: str
    abbreviation: str
    level: str
    parent_key: str | None
    valid_from: date | None = REFORM_DATE
    valid_to: date | None = None

    @property
    def id(self) -> str:
        return unit_id(self.key)


def unit_id(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


def province_key(code: str) -> str:
    return f"P{code}"


def department_key(code: str, department: str) -> str:
    return f"P{code}:{department}"


def commune_key(ward_code: str) -> str:
    return f"W{ward_code}"


def legacy_province_key(code: str) -> str:
    return f"L{code}"


def _short(province_name: str) -> str:
    return province_name.replace("Tỉnh ", "tỉnh ").replace("Thành phố ", "thành phố ")


def read_communes(path: str = COMMUNES_CSV, provinces: set[str] | None = None) -> list[dict]:
    with open(path, encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle)
                if not provinces or row["provinceCode"] in provinces]


def build_units(communes: list[dict], commune_offices: bool = True) -> list[UnitRow]:
    """Parents before children: provinces, departments, communes, commune offices."""
    provinces, departments, wards, offices = {}, [], [], []
    for row in communes:
        code = row["provinceCode"]
        if code not in provinces:
            short = _short(row["province"])
            provinces[code] = UnitRow(province_key(code), f"VN.{code}",
                                      f"Ủy ban nhân dân {short}", "UBND", "province", None)
            for number, (key, name, abbreviation) in enumerate(DEPARTMENTS, start=1):
                departments.append(UnitRow(
                    department_key(code, key),
                    KNOWN_ORGAN_IDS.get((code, key), f"VN.{code}.S{number:02d}"),
                    f"{name} {short}", abbreviation, "department", province_key(code)))
        ward = commune_key(row["wardCode"])
        wards.append(UnitRow(ward, f"VN.{code}.{row['wardCode']}", f"Ủy ban nhân dân {row['ward']}",
                             "UBND", "commune", province_key(code)))
        if commune_offices:
            for number, (key, name, abbreviation) in enumerate(COMMUNE_OFFICES, start=1):
                if key == "KT" and row["wardType"] == "Phường":
                    name = WARD_ECONOMIC_OFFICE
                offices.append(UnitRow(f"{ward}:{key}", f"VN.{code}.{row['wardCode']}.P{number}",
                                       f"{name} {row['ward']}", abbreviation, "commune_office",
                                       ward))
    return [*provinces.values(), *departments, *wards, *offices]


def import_units(session: Session, units: list[UnitRow], batch: int = 2000) -> int:
    """Insert the units that are missing; returns how many were created."""
    insert = pg_insert if session.bind.dialect.name == "postgresql" else sqlite_insert
    existing = set(session.execute(select(Unit.id)).scalars())
    rows = [{"id": u.id, "organ_id": u.organ_id, "name": u.name[:200],
             "abbreviation": u.abbreviation, "level": u.level,
             "parent_id": unit_id(u.parent_key) if u.parent_key else None,
             "valid_from": u.valid_from, "valid_to": u.valid_to}
            for u in units if u.id not in existing]
    for start in range(0, len(rows), batch):
        session.execute(insert(Unit).on_conflict_do_nothing(), rows[start:start + batch])
    return len(rows)


def read_legacy_provinces(path: str = LEGACY_PROVINCES_CSV,
                          provinces: set[str] | None = None) -> list[dict]:
    """Which old province became which new one, for the new provinces asked for."""
    with open(path, encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle)
                if not provinces or row["new_code"] in provinces]


def build_legacy_provinces(rows: list[dict]) -> list[UnitRow]:
    """The People's Committees of the provinces before the reform, closed on 30 June
    2025 (their mã định danh are opaque demo codes, like the others)."""
    return [UnitRow(legacy_province_key(row["legacy_code"]), f"VN.L{row['legacy_code']}",
                    f"Ủy ban nhân dân {_short(row['legacy_name'])}", "UBND", "province", None,
                    valid_from=None, valid_to=LEGACY_LAST_DAY) for row in rows]


def record_reform(session: Session, rows: list[dict], recorded_at: datetime) -> int:
    """The history of the reform, once: each old province "merged_into" its new one,
    each new province "absorbed" the old ones. Returns how many changes were added."""
    recorded = set(session.execute(select(UnitChange.unit_id).where(
        UnitChange.recorded_by == REFORM_ACTOR)).scalars())
    names = dict(session.execute(select(Unit.id, Unit.name)).all())
    absorbed: dict[str, list] = {}
    changes = []
    for row in rows:
        old, new = unit_id(legacy_province_key(row["legacy_code"])), \
            unit_id(province_key(row["new_code"]))
        absorbed.setdefault(new, []).append({"id": old, "name": names.get(old)})
        if old not in recorded:
            changes.append(UnitChange(unit_id=old, kind="merged_into",
                                      effective_date=REFORM_DATE, recorded_by=REFORM_ACTOR,
                                      recorded_at=recorded_at, details={
                                          "successor_id": new, "successor_name": names.get(new),
                                          "basis": REFORM_BASIS}))
    for new, merged in absorbed.items():
        if new not in recorded:
            changes.append(UnitChange(unit_id=new, kind="absorbed", effective_date=REFORM_DATE,
                                      recorded_by=REFORM_ACTOR, recorded_at=recorded_at,
                                      details={"merged": merged, "basis": REFORM_BASIS}))
    session.add_all(changes)
    return len(changes)


def import_map(session: Session, provinces: set[str] | None = None,
               commune_offices: bool = True, *, now: datetime) -> dict:
    """The 2025 map (or the provinces asked for), the old provinces they came from, and
    the reform's history, recorded ``now``. Idempotent. Returns what was in the map and
    what was created."""
    legacy = read_legacy_provinces(provinces=provinces)
    units = build_units(read_communes(provinces=provinces), commune_offices=commune_offices)
    units += build_legacy_provinces(legacy)
    created = import_units(session, units)
    session.flush()
    changes = record_reform(session, legacy, now)
    levels: dict[str, int] = {}
    for unit in units:
        levels[unit.level] = levels.get(unit.level, 0) + 1
    return {"units": len(units), "levels": levels, "created": created, "changes": changes}


def main(argv=None) -> int:
    from services.common.clock import clock_from_config
    from services.common.config import settings_from
    from services.common.db import make_engine
    from services.common.migrations import DEFAULT_CONFIG, load_config

    parser = argparse.ArgumentParser(prog="directory_import", description=__doc__.splitlines()[0])
    parser.add_argument("--config", default=DEFAULT_CONFIG)
    parser.add_argument("--province", action="append", help="GSO province code (repeatable)")
    parser.add_argument("--no-commune-offices", action="store_true")
    options = parser.parse_args(argv)
    started = time.perf_counter()
    config = load_config(options.config)
    engine = make_engine(settings_from(config).db_url("documents"))
    with Session(engine) as session, session.begin():
        result = import_map(session, set(options.province or []),
                            commune_offices=not options.no_commune_offices,
                            now=clock_from_config(config).now())
    engine.dispose()
    print(f"directory: {result['units']} units in the map ({result['levels']}); "
          f"{result['created']} created, {result['changes']} history records, "
          f"in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
