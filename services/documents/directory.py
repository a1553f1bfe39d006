"""Validation of directory input: units and users (no nameko here)."""
from __future__ import annotations

import re

from sqlalchemy import select

from services.common.identity import CONFIDENTIALITY_LEVELS, ROLES
from services.common.validation import Problems
from services.documents.models import Unit

# QĐ 20/2020: ".", digits and letters A–Z, at most 35 characters.
ORGAN_ID_RE = re.compile(r"^[0-9A-Z.]{1,35}$")
USERNAME_RE = re.compile(r"^[a-z0-9][a-z0-9._-]{2,63}$")
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
UNIT_LEVELS = ("ministry", "province", "department", "division", "commune", "commune_office",
               "other")
MIN_PASSWORD = 10


def parse_unit(data) -> dict:
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"organ_id", "parent_id", "name", "abbreviation", "level",
                         "valid_from"})
    unit = {
        "organ_id": problems.text(data, "organ_id", max_length=35, pattern=ORGAN_ID_RE,
                                  pattern_vi="Mã định danh gồm chữ in hoa A–Z, chữ số và dấu "
                                             "chấm, tối đa 35 ký tự (QĐ 20/2020).",
                                  pattern_en="A mã định danh is A–Z, digits and dots, at most "
                                             "35 characters (QĐ 20/2020)."),
        "parent_id": problems.text(data, "parent_id", max_length=36),
        "name": problems.text(data, "name", max_length=200, required=True),
        "abbreviation": problems.text(data, "abbreviation", max_length=30) or "",
        "level": problems.choice(data, "level", UNIT_LEVELS, default="other"),
        "valid_from": problems.date(data, "valid_from"),
    }
    if unit["abbreviation"] and " " in unit["abbreviation"]:
        problems.add("abbreviation", "Chữ viết tắt không có khoảng trắng.",
                     "The abbreviation has no spaces.")
    problems.raise_if_any()
    return unit


def parse_user(data) -> dict:
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"username", "full_name", "position", "password", "clearance",
                         "system_admin", "memberships", "email"})
    user = {
        "username": problems.text(data, "username", max_length=64, required=True,
                                  pattern=USERNAME_RE,
                                  pattern_vi="Tên đăng nhập gồm chữ thường, số, '.', '_' "
                                             "hoặc '-', từ 3 ký tự.",
                                  pattern_en="Usernames are lowercase letters, digits, '.', '_' "
                                             "or '-', at least 3 characters."),
        "full_name": problems.text(data, "full_name", max_length=100, required=True),
        "position": problems.text(data, "position", max_length=100) or "",
        "clearance": problems.choice(data, "clearance", CONFIDENTIALITY_LEVELS,
                                     default="none"),
        "system_admin": problems.boolean(data, "system_admin"),
    }
    # Optional; a directory account may be matched to the user by it (DIRECTORY_MATCH_BY).
    email = (problems.text(data, "email", max_length=254) or "").lower() or None
    if email and not EMAIL_RE.match(email):
        problems.add("email", "Địa chỉ thư điện tử không hợp lệ.", "Not an e-mail address.")
    user["email"] = email
    password = data.get("password")
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        problems.add("password", f"Mật khẩu dài ít nhất {MIN_PASSWORD} ký tự.",
                     f"Passwords have at least {MIN_PASSWORD} characters.")
    elif len(password) > 256:
        problems.add("password", "Mật khẩu quá dài.", "The password is too long.")
    user["password"] = password
    user["memberships"] = parse_memberships(problems, data.get("memberships"))
    problems.raise_if_any()
    return user


def parse_memberships(problems: Problems, memberships) -> list[dict]:
    """Roles per unit: a non-empty list of {unit_id, role}, duplicates folded."""
    parsed = []
    if not isinstance(memberships, list) or not memberships:
        problems.add("memberships", "Cần ít nhất một vai trò trong một đơn vị.",
                     "At least one role in one unit is required.")
        return []
    for item in memberships:
        if not isinstance(item, dict) or item.get("role") not in ROLES or \
                not isinstance(item.get("unit_id"), str) or len(item["unit_id"]) > 36:
            problems.add("memberships", "Mỗi vai trò là {unit_id, role} với role thuộc: "
                         + ", ".join(ROLES) + ".",
                         "Each is {unit_id, role} with role one of: " + ", ".join(ROLES)
                         + ".")
            return []
        parsed.append({"unit_id": item["unit_id"], "role": item["role"]})
    return sorted({tuple(sorted(m.items())): m for m in parsed}.values(),
                  key=lambda m: (m["unit_id"], m["role"]))


def parse_clearance_change(data) -> str:
    """The body of a change of clearance: {clearance}."""
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"clearance"})
    clearance = problems.choice(data, "clearance", CONFIDENTIALITY_LEVELS)
    if clearance is None and "clearance" not in problems.details:
        problems.add("clearance", "Bắt buộc phải chọn.", "Required.")
    problems.raise_if_any()
    return clearance


def parse_membership_change(data) -> list[dict]:
    """The body of a change of roles: {memberships: [{unit_id, role}]}."""
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"memberships"})
    memberships = parse_memberships(problems, data.get("memberships"))
    problems.raise_if_any()
    return memberships


DIRECTIONS = ("incoming", "incoming_secret", "outgoing", "outgoing_secret", "copy")


def parse_register(data, document_types: dict) -> dict:
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"unit_id", "direction", "year", "name", "document_types",
                         "share_counter_with"})
    register = {
        "unit_id": problems.text(data, "unit_id", max_length=36, required=True),
        "direction": problems.choice(data, "direction", DIRECTIONS),
        "year": problems.integer(data, "year", minimum=2000, maximum=2100, required=True),
        "name": problems.text(data, "name", max_length=200, required=True),
        "share_counter_with": problems.text(data, "share_counter_with", max_length=36),
    }
    if register["direction"] is None and "direction" not in problems.details:
        problems.add("direction", "Bắt buộc phải chọn.", "Required.")
    types = data.get("document_types")
    if types is not None and (not isinstance(types, list) or not types
                              or not all(t in document_types for t in types)):
        problems.add("document_types", "Danh sách loại văn bản không hợp lệ.",
                     "Invalid list of document types.")
        types = None
    register["document_types"] = sorted(set(types)) if types else None
    problems.raise_if_any()
    return register


def parse_rename(data) -> dict:
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"name", "abbreviation", "effective_date"})
    change = {"name": problems.text(data, "name", max_length=200, required=True),
              "abbreviation": problems.text(data, "abbreviation", max_length=30),
              "effective_date": problems.date(data, "effective_date", required=True)}
    problems.raise_if_any()
    return change


def parse_merge(data) -> dict:
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"unit_ids", "into_unit_id", "effective_date"})
    unit_ids = problems.id_list(data, "unit_ids", max_items=100)
    if not unit_ids and "unit_ids" not in problems.details:
        problems.add("unit_ids", "Cần ít nhất một đơn vị được sáp nhập.",
                     "At least one unit to merge is required.")
    merge = {"unit_ids": unit_ids,
             "into_unit_id": problems.text(data, "into_unit_id", max_length=36, required=True),
             "effective_date": problems.date(data, "effective_date", required=True)}
    if merge["into_unit_id"] in unit_ids:
        problems.add("into_unit_id", "Không sáp nhập một đơn vị vào chính nó.",
                     "A unit cannot be merged into itself.")
    problems.raise_if_any()
    return merge


def subtree_query(root_unit_id: str):
    """A CTE of the ids of a unit and every unit below it (parents are explicit)."""
    tree = select(Unit.id).where(Unit.id == root_unit_id).cte("subtree", recursive=True)
    return tree.union_all(select(Unit.id).where(Unit.parent_id == tree.c.id))


def lineage_query(unit_ids):
    """A CTE of (id, parent_id) of the given units and every unit above them."""
    tree = select(Unit.id, Unit.parent_id).where(Unit.id.in_(list(unit_ids))) \
        .cte("lineage", recursive=True)
    return tree.union(select(Unit.id, Unit.parent_id).where(Unit.id == tree.c.parent_id))


def parents_of(session, unit_ids) -> dict:
    """{unit id: parent id} of the given units and their ancestors (what the rules of
    administration.py read)."""
    unit_ids = {u for u in unit_ids if isinstance(u, str)}
    if not unit_ids:
        return {}
    tree = lineage_query(unit_ids)
    return dict(session.execute(select(tree.c.id, tree.c.parent_id)).all())
