"""Demo organisation: the People's Committee of Tỉnh Tây Ninh (2025 map), its office
and standard departments, its 96 communes, and one user per role in a few units.

    python -m services.documents.seed [--config deploy/config.yml]

Idempotent: running it again changes nothing. The demo password of every user is
DEMO_PASSWORD; README lists the logins.
"""
from __future__ import annotations

import argparse
import csv
import os
import uuid
from datetime import date

from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.config import settings_from
from services.common.db import make_engine
from services.common.migrations import DEFAULT_CONFIG, load_config
from services.documents import domain, numbering
from services.documents.models import Membership, Unit, User

DEMO_PASSWORD = "eoffice@2026"
HERE = os.path.dirname(os.path.abspath(__file__))
NAMESPACE = uuid.UUID("6f1c1e52-8b4e-4c69-9a51-3c6d0e4a7b10")
PROVINCE_ID = "H80"

# (key, organ_id, name, abbreviation): the provincial layer after the 2025 reorganisation.
DEPARTMENTS = [
    ("VP", "H80.01", "Văn phòng Ủy ban nhân dân tỉnh Tây Ninh", "VP"),
    ("STC", "000.00.11.H53", "Sở Tài chính tỉnh Tây Ninh", "STC"),
    ("SNV", "H80.03", "Sở Nội vụ tỉnh Tây Ninh", "SNV"),
    ("STP", "H80.04", "Sở Tư pháp tỉnh Tây Ninh", "STP"),
    ("SXD", "H80.05", "Sở Xây dựng tỉnh Tây Ninh", "SXD"),
    ("SNNMT", "H80.06", "Sở Nông nghiệp và Môi trường tỉnh Tây Ninh", "SNNMT"),
    ("SCT", "H80.07", "Sở Công Thương tỉnh Tây Ninh", "SCT"),
    ("SKHCN", "H80.08", "Sở Khoa học và Công nghệ tỉnh Tây Ninh", "SKHCN"),
    ("SGDĐT", "H80.09", "Sở Giáo dục và Đào tạo tỉnh Tây Ninh", "SGDĐT"),
    ("SYT", "H80.10", "Sở Y tế tỉnh Tây Ninh", "SYT"),
    ("SVHTTDL", "H80.11", "Sở Văn hóa, Thể thao và Du lịch tỉnh Tây Ninh", "SVHTTDL"),
    ("SDTTG", "H80.12", "Sở Dân tộc và Tôn giáo tỉnh Tây Ninh", "SDTTG"),
    ("TTT", "H80.13", "Thanh tra tỉnh Tây Ninh", "TTr"),
]

# (username, full name, position, clearance, [(unit key, role)])
USERS = [
    ("admin", "Quản trị hệ thống", "Quản trị viên", "none", [("UBND", "admin")]),
    ("vanthu.ubnd", "Nguyễn Thị Hoa", "Văn thư", "none", [("UBND", "clerk")]),
    ("lanhdao.ubnd", "Trần Văn Minh", "Chủ tịch", "secret", [("UBND", "head")]),
    ("chuyenvien.ubnd", "Lê Thị Thu", "Chuyên viên", "none", [("VP", "specialist")]),
    ("vanthu.stc", "Phạm Thị Lan", "Văn thư", "none", [("STC", "clerk")]),
    ("lanhdao.stc", "Võ Văn Hùng", "Giám đốc", "confidential", [("STC", "head")]),
    ("chuyenvien.stc", "Đặng Quốc Bảo", "Chuyên viên", "none", [("STC", "specialist")]),
    ("vanthu.snv", "Huỳnh Thị Mai", "Văn thư", "none", [("SNV", "clerk")]),
    ("lanhdao.snv", "Bùi Văn Đức", "Giám đốc", "none", [("SNV", "head")]),
    ("vanthu.tanninh", "Ngô Thị Hạnh", "Văn thư", "none", [("XA_25459", "clerk")]),
    ("lanhdao.tanninh", "Đỗ Văn Tâm", "Chủ tịch", "none", [("XA_25459", "head")]),
]


def unit_uuid(key: str) -> str:
    return str(uuid.uuid5(NAMESPACE, key))


def demo_units() -> list[dict]:
    valid_from = date(2025, 7, 1)
    units = [dict(key="UBND", organ_id="000.00.00.H80", name="Ủy ban nhân dân tỉnh Tây Ninh",
                  abbreviation="UBND", level="province", parent=None, valid_from=valid_from)]
    for key, organ_id, name, abbreviation in DEPARTMENTS:
        units.append(dict(key=key, organ_id=organ_id, name=name, abbreviation=abbreviation,
                          level="department", parent="UBND", valid_from=valid_from))
    with open(os.path.join(HERE, "seed_data", "tay_ninh_communes_2025.csv"),
              encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            units.append(dict(key=f"XA_{row['wardCode']}", organ_id=f"H80.{row['wardCode']}",
                              name=f"Ủy ban nhân dân {row['ward']}", abbreviation="UBND",
                              level="commune", parent="UBND", valid_from=valid_from))
    return units


def seed(session: Session, year: int | None = None) -> dict:
    year = year or date.today().year
    created = {"units": 0, "users": 0}
    ids = {}
    for unit in demo_units():
        unit_id = unit_uuid(unit["key"])
        ids[unit["key"]] = unit_id
        if session.get(Unit, unit_id) is None:
            session.add(Unit(id=unit_id, organ_id=unit["organ_id"], name=unit["name"],
                             abbreviation=unit["abbreviation"], level=unit["level"],
                             parent_id=ids[unit["parent"]] if unit["parent"] else None,
                             valid_from=unit["valid_from"]))
            created["units"] += 1
    session.flush()
    hasher = PasswordHasher()
    for username, full_name, position, clearance, roles in USERS:
        if session.execute(select(User).where(User.username == username)).scalar_one_or_none():
            continue
        user = User(id=str(uuid.uuid5(NAMESPACE, "user:" + username)), username=username,
                    full_name=full_name, position=position, clearance=clearance,
                    password_hash=hasher.hash(DEMO_PASSWORD), active=True)
        session.add(user)
        session.flush()
        for unit_key, role in roles:
            session.add(Membership(user_id=user.id, unit_id=ids[unit_key], role=role))
            numbering.ensure_register(session, ids[unit_key], domain.INCOMING, year)
        created["users"] += 1
    return created


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="seed")
    parser.add_argument("--config", default=DEFAULT_CONFIG)
    options = parser.parse_args(argv)
    url = settings_from(load_config(options.config)).db_url("documents")
    engine = make_engine(url)
    with Session(engine) as session, session.begin():
        created = seed(session)
    engine.dispose()
    print(f"seed: {created['units']} units and {created['users']} users created")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
