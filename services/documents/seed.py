"""Demo organisation: Tỉnh Tây Ninh of the 2025 map (its People's Committee, standard
departments, 96 communes and their offices; see directory_import) and one user per
role in a few units.

    python -m services.documents.seed [--config deploy/config.yml] [--province CODE]

Another province's map makes another agency with the same demo logins (EOFFICE_DEMO_PROVINCE
or --province, e.g. 40 for Nghệ An): two deployments that exchange documents (liên thông)
each need their own organ ids. Idempotent: running it again changes nothing. The demo
password of every user is DEMO_PASSWORD; README lists the logins.
"""
from __future__ import annotations

import argparse
import os
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.clock import VietnamClock, clock_from_config
from services.common.config import settings_from
from services.common.db import make_engine
from services.common.migrations import DEFAULT_CONFIG, load_config
from services.documents import directory_import, domain, numbering, passwords
from services.documents.models import Membership, User

DEMO_PASSWORD = "eoffice@2026"
DEMO_PROVINCE = "80"   # Tỉnh Tây Ninh
DEMO_WARD = "25459"    # phường Tân Ninh


def aliases_of(province: str = DEMO_PROVINCE) -> dict[str, str]:
    """The units the demo users belong to, by a short alias; in another province than
    Tây Ninh, its first commune stands for phường Tân Ninh."""
    ward = DEMO_WARD if province == DEMO_PROVINCE else \
        directory_import.read_communes(provinces={province})[0]["wardCode"]
    return {"UBND": directory_import.province_key(province),
            "VP": directory_import.department_key(province, "VP"),
            "STC": directory_import.department_key(province, "STC"),
            "SNV": directory_import.department_key(province, "SNV"),
            "XA_25459": directory_import.commune_key(ward)}


ALIASES = aliases_of()


def demo_province() -> str:
    return os.environ.get("EOFFICE_DEMO_PROVINCE") or DEMO_PROVINCE
NAMESPACE = directory_import.NAMESPACE

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
    ("quantri.tanninh", "Lâm Văn Phúc", "Quản trị viên", "none", [("XA_25459", "admin")]),
]
# The deployment-wide administrator (quản trị hệ thống); the others administer their
# unit and the units below it only (administration.py).
SYSTEM_ADMINS = {"admin"}


def unit_uuid(alias: str, province: str = DEMO_PROVINCE) -> str:
    """The id of a demo unit named by its alias (UBND, STC, SNV, VP, XA_25459)."""
    return directory_import.unit_id(aliases_of(province)[alias])


def seed(session: Session, clock: VietnamClock | None = None,
         province: str = DEMO_PROVINCE) -> dict:
    """The demo organisation, as of ``clock`` (the real one by default): its units and
    their history, and its users with this year's incoming registers."""
    clock = clock or VietnamClock()
    year = clock.today().year
    imported = directory_import.import_map(session, {province}, now=clock.now())
    created = {"units": imported["created"], "users": 0}
    session.flush()
    hasher = passwords.HASHER
    for username, full_name, position, clearance, roles in USERS:
        if session.execute(select(User).where(User.username == username)).scalar_one_or_none():
            continue
        user = User(id=str(uuid.uuid5(NAMESPACE, "user:" + username)), username=username,
                    full_name=full_name, position=position, clearance=clearance,
                    password_hash=hasher.hash(DEMO_PASSWORD), active=True,
                    system_admin=username in SYSTEM_ADMINS)
        session.add(user)
        session.flush()
        for alias, role in roles:
            unit = unit_uuid(alias, province)
            session.add(Membership(user_id=user.id, unit_id=unit, role=role))
            numbering.ensure_register(session, unit, domain.INCOMING, year)
        created["users"] += 1
    return created


def demo_signers(province: str = DEMO_PROVINCE) -> list[dict]:
    """Who signs digitally in the demo (services.signing.seed): each head with their own
    certificate, and each demo organisation with its seal; the People's Committee's keys
    in the HSM (SoftHSM), the others in PKCS#12 files, so the demo uses both stores."""
    rows = directory_import.build_units([row for row in directory_import.read_communes()
                                         if row["provinceCode"] == province])
    names = {row.key: row.name for row in rows}
    aliases = aliases_of(province)
    signers = []
    for username, full_name, _, _, roles in USERS:
        for alias, role in roles:
            if role == "head":
                signers.append({
                    "label": f"person:{username}", "common_name": full_name,
                    "organisation": names[aliases[alias]], "kind": "person",
                    "key_store": "pkcs11" if alias == "UBND" else "pkcs12",
                    "user_id": str(uuid.uuid5(NAMESPACE, "user:" + username)),
                    "unit_id": unit_uuid(alias, province)})
    for alias in ("UBND", "STC", "SNV", "XA_25459"):
        signers.append({"label": f"organisation:{alias}", "common_name": names[aliases[alias]],
                        "organisation": names[aliases[alias]], "kind": "organisation",
                        "key_store": "pkcs11" if alias == "UBND" else "pkcs12",
                        "user_id": None, "unit_id": unit_uuid(alias, province)})
    return signers


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="seed")
    parser.add_argument("--config", default=DEFAULT_CONFIG)
    parser.add_argument("--province", default=demo_province(),
                        help="the province of the 2025 map the demo agency is (default 80)")
    options = parser.parse_args(argv)
    config = load_config(options.config)
    engine = make_engine(settings_from(config).db_url("documents"))
    with Session(engine) as session, session.begin():
        created = seed(session, clock_from_config(config), options.province)
    engine.dispose()
    print(f"seed: {created['units']} units and {created['users']} users created")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
