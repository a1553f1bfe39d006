"""Secrecy on workflow's read surfaces (Luật Bảo vệ bí mật nhà nước; docs/permissions.md,
"Secret documents on every surface"): whoever is not cleared for a document's level sees
that it exists — its arrival number, level, urgency, dates, states and who holds which
part — but none of its particulars: số/ký hiệu, trích yếu, issuer, direction comments,
notes, comments or return reasons.

One function, ``redact``, serves the inbox, the processing report, a document's
processing and its history alike; ``refused_assignees`` says whom a secret document
may not be given to. No nameko here."""
from __future__ import annotations

from services.common.identity import CONFIDENTIALITY_LEVELS, Caller, clearance_covers
from services.common.vocabulary import CONFIDENTIALITY_NAMES

#: The keys that carry a document's particulars, wherever they appear in a record
#: (nested details and parts included).
PARTICULARS = frozenset({
    "subject", "code", "code_number", "code_notation", "issuer", "issuer_name",
    "instruction", "note", "result_note", "return_reason", "reason", "comment",
    "title", "description"})

#: What a record says instead of the trích yếu of a document the reader may not see.
SECRET_SUBJECT = "Văn bản mật"

#: A level's names (vi, en), as refusals quote them.
LEVEL_NAMES = CONFIDENTIALITY_NAMES


def level_of(confidentiality: str | None) -> str:
    """A stored level, unknown values read as the highest (never as "none")."""
    if not confidentiality:
        return "none"
    return confidentiality if confidentiality in CONFIDENTIALITY_LEVELS \
        else CONFIDENTIALITY_LEVELS[-1]


def may_read(caller: Caller, confidentiality: str | None) -> bool:
    """Whether the caller may read the particulars of a document of this level
    (services acting for themselves may)."""
    return caller.system or caller.cleared_for(level_of(confidentiality))


def redact(record, confidentiality: str | None, caller: Caller):
    """``record`` (a dict or list of them, as an RPC returns it) as ``caller`` may read
    it: unchanged for someone cleared for the level; otherwise a copy with every
    particular emptied, at any depth, the subject reading "Văn bản mật", and
    ``redacted: true`` on a top-level dict."""
    if may_read(caller, confidentiality):
        return record
    out = _strip(record)
    if isinstance(out, dict):
        out["redacted"] = True
    return out


def _strip(value):
    if isinstance(value, dict):
        return {key: (SECRET_SUBJECT if key == "subject" else None)
                if key in PARTICULARS else _strip(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_strip(item) for item in value]
    return value


def refused_assignees(confidentiality: str | None, assignees, scope: dict) -> list[str]:
    """Whom of ``assignees`` (objects with ``user_id`` or ``unit_id``) a document of this
    level may not be given to: a person not cleared for it, or a unit none of whose
    leaders is (they take its part and pass it on). ``scope`` is the directory's answer
    (describe_assignees: users' ``clearance``, units' ``leader_clearances``). Returns
    their names (or ids), in order; empty when the document is not secret."""
    if level_of(confidentiality) == "none":
        return []
    refused = []
    for assignee in assignees:
        if getattr(assignee, "user_id", None):
            found = scope["users"].get(assignee.user_id) or {}
            if not clearance_covers(found.get("clearance"), confidentiality):
                refused.append(found.get("name") or assignee.user_id)
        else:
            found = scope["units"].get(assignee.unit_id) or {}
            if not cleared_leaders(found, confidentiality):
                refused.append(found.get("name") or assignee.unit_id)
    return refused


def cleared_leaders(unit: dict, confidentiality: str | None) -> list[str]:
    """The leaders of a unit (describe_assignees' entry) cleared for the level; all of
    them for a document that is not secret."""
    leaders = unit.get("leader_user_ids") or []
    if level_of(confidentiality) == "none":
        return list(leaders)
    clearances = unit.get("leader_clearances") or {}
    return [u for u in leaders if clearance_covers(clearances.get(u), confidentiality)]
