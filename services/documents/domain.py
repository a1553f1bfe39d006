"""Clerical rules of Nghị định 30/2020/NĐ-CP used when registering documents.
No nameko here: plain functions, unit-tested on their own."""
from __future__ import annotations

import re
import unicodedata

from services.common.identity import Caller, CLERK, LEADER_ROLES, clearance_covers

# Document types are services.common.vocabulary.DOCUMENT_TYPES: their codes are the
# abbreviations themselves (case kept: TTr, QyĐ); Công văn and Thư công get CV and ThC.
# ASCII spellings accepted on input where they are unambiguous (HD and DA are real
# types of their own, so "HĐ" and "ĐA" have no ASCII alias).
DOCUMENT_TYPE_ALIASES = {"QD": "QĐ", "QyD": "QyĐ", "CD": "CĐ", "ND": "NĐ"}

INCOMING = "incoming"
INCOMING_SECRET = "incoming_secret"

# The states of an incoming document (DOMAIN.md §1.7), with the edXML status code each
# answers with (§2.7). Documents records "received" (from the exchange, not registered
# yet), "returned", "registered" and "recalled"; workflow's events move a registered
# document through assignment to completion.
STATE_RECEIVED = "received"          # chờ tiếp nhận            (01)
STATE_RETURNED = "returned"          # trả lại, with a reason    (02)
STATE_REGISTERED = "registered"      # đã vào sổ                 (03)
STATE_TO_ASSIGN = "to_assign"        # chờ phân công
STATE_ASSIGNED = "assigned"          # đã phân công              (04)
STATE_IN_PROGRESS = "in_progress"    # đang xử lý                (05)
STATE_DONE = "done"                  # hoàn thành                (06)
STATE_RECALLED = "recalled"          # withdrawn by its issuer (ND30 Điều 18.4)
# (vocabulary.INCOMING_STATES lists them all, with their names)

# Số: Arabic digits (ND30 Phụ lục I §II.3). Ký hiệu: groups of Unicode letters and
# digits joined by "-", no spaces; a QPPL number carries its year first ("2020/NĐ-CP").
CODE_NUMBER_RE = re.compile(r"^\d{1,11}$")
CODE_NOTATION_RE = re.compile(r"^(?:\d{4}/)?[^\W\d_][^\W_]*(?:-[^\W_]+)*$")
FIELD_CODE_RE = re.compile(r"^[^\W_]+$")


def normalise_document_type(value: str | None) -> str | None:
    if value is None:
        return None
    return DOCUMENT_TYPE_ALIASES.get(value, value)


def format_code_number(value: str) -> str:
    """Numbers below 10 are written with a leading zero (ND30 Phụ lục I §II.3)."""
    number = int(value)
    return f"{number:02d}"


def issuer_key(organ_id: str | None, name: str) -> str:
    """Who issued a document, for duplicate detection: the mã định danh when known,
    otherwise the name compared without case, accents or extra spaces."""
    if organ_id:
        return "id:" + organ_id.upper()
    folded = unicodedata.normalize("NFD", name.replace("đ", "d").replace("Đ", "D"))
    folded = "".join(c for c in folded if unicodedata.category(c) != "Mn")
    return "name:" + " ".join(folded.casefold().split())


def counter_key(unit_id: str, direction: str, year: int) -> str:
    """One series per unit, direction and year: restarts every 1 January
    (ND30 Điều 15.1, 22.2); secret directions have their own (Điều 15.2)."""
    return f"{unit_id}:{direction}:{year}"


def register_direction(confidentiality: str) -> str:
    return INCOMING if confidentiality == "none" else INCOMING_SECRET


def register_name(direction: str, year: int) -> str:
    names = {INCOMING: "Sổ đăng ký văn bản đến", INCOMING_SECRET: "Sổ đăng ký văn bản mật đến",
             "outgoing": "Sổ đăng ký văn bản đi", "outgoing_secret": "Sổ đăng ký văn bản mật đi",
             "copy": "Sổ đăng ký bản sao văn bản"}
    return f"{names[direction]} năm {year}"


# --- The permission rule (one place; search receives its inputs in acl_units/acl_users)

def may_register_incoming(caller: Caller, unit_id: str) -> bool:
    """Văn thư of the receiving unit registers its incoming documents (ND30 Điều 22)."""
    return caller.has_role(unit_id, CLERK)


def may_view_document(caller: Caller, unit_id: str, confidentiality: str,
                      acl_users: tuple[str, ...] = (), owns_dossier: bool = False) -> bool:
    """A user sees a document through a reason: a role in the unit whose register holds
    it, being named on it (assignments come from workflow in ``acl_users``), or a
    dossier of theirs that holds it; and, for a secret one, clearance at its level.
    Services acting for themselves see everything."""
    if caller.system:
        return True
    if not caller.cleared_for(confidentiality):
        return False
    return caller.is_member(unit_id) or caller.user_id in acl_users or owns_dossier


def leaders_of(memberships, confidentiality: str = "none") -> list[str]:
    """User ids holding a leader role among (user_id, role, clearance) rows of a unit
    (or (user_id, role) pairs: no clearance): those told of a new document and given it
    to assign. Of a secret document, only those cleared for its level (the others never
    learn of it)."""
    return sorted({row[0] for row in memberships if row[1] in LEADER_ROLES and
                   clearance_covers(row[2] if len(row) > 2 else None, confidentiality)})

