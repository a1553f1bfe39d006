"""The audit log as a hash chain (ND30 Phụ lục VI §III.5–7: every change, view and
download is recorded; the record must not be alterable unnoticed).

Each entry stores ``hash = sha256(canonical entry ‖ prev_hash)`` and its position
``seq``. Editing an entry breaks its hash; deleting one leaves a gap in ``seq`` or a
``prev_hash`` that no longer matches; cutting the tail disagrees with the head row.
Anyone who can rewrite the whole table and the head can forge a new chain: anchoring
the head hash outside the database is a later step.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone

from sqlalchemy import event, or_, select

from services.documents.models import (AuditEntry, AuditHead, Delegation, DocumentCopy,
                                       DocumentFile, Dossier, IncomingDocument, Membership,
                                       OutgoingDocument, Register, RightsAlert, Unit)

GENESIS = "0" * 64
BATCH = 2000


def _utc_text(value: datetime) -> str:
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc).replace(tzinfo=None)
    return value.isoformat(timespec="microseconds")


def entry_hash(seq: int, at: datetime, actor_id: str, action: str, object_type: str,
               object_id: str, details, request_id, prev_hash: str) -> str:
    canonical = json.dumps(
        [seq, _utc_text(at), actor_id, action, object_type, object_id, details or {},
         request_id, prev_hash],
        ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


#: the chain's head, locked on PostgreSQL (SQLite has one writer at a time); built once
_HEAD = {False: select(AuditHead).where(AuditHead.id == 1)}
_HEAD[True] = _HEAD[False].with_for_update()


def _head(session) -> AuditHead:
    head = session.execute(_HEAD[session.bind.dialect.name == "postgresql"]
                           ).scalar_one_or_none()
    if head is None:   # first entry ever (the migration creates the row; tests may not)
        head = AuditHead(id=1, last_seq=0, last_hash=GENESIS)
        session.add(head)
        session.flush()
    return head


PROCESSING_STATE = "processing_state"   # a state set by workflow's events (not history)


def record(session, *, at: datetime, actor_id: str, action: str, object_type: str,
           object_id: str, details: dict | None = None,
           request_id: str | None = None) -> None:
    """Append one entry, made ``at`` (the service's clock), in the caller's transaction.

    The entry is chained (its ``seq`` and hashes, under the head's lock) just before the
    transaction commits, with any others it recorded: on PostgreSQL the head's row lock,
    which every audited write of every documents process waits for, is then held for the
    commit only and not for the rest of the transaction (under 8 clients assigning, a
    transition's audit held it through the search view's queries and the outbox's insert,
    and the workers queued behind it kept RPCs waiting for a free worker). A transaction
    rolled back records nothing."""
    details = json.loads(json.dumps(details or {}, ensure_ascii=False, default=str))
    if not event.contains(session, "before_commit", _chain_pending):
        event.listen(session, "before_commit", _chain_pending)
        event.listen(session, "after_rollback", _forget_pending)
    session.info.setdefault(_PENDING, []).append({"at": at, "actor_id": actor_id, "action": action,
                    "object_type": object_type, "object_id": str(object_id),
                    "details": details, "request_id": request_id})


_PENDING = "audit_pending"


def _chain_pending(session) -> None:
    pending = session.info.pop(_PENDING, None)
    if not pending:
        return
    head = _head(session)
    for item in pending:
        seq = head.last_seq + 1
        digest = entry_hash(seq, item["at"], item["actor_id"], item["action"],
                            item["object_type"], item["object_id"], item["details"],
                            item["request_id"], head.last_hash)
        session.add(AuditEntry(seq=seq, prev_hash=head.last_hash, hash=digest, **item))
        head.last_seq, head.last_hash = seq, digest


def _forget_pending(session) -> None:
    session.info.pop(_PENDING, None)


def verify(session) -> dict:
    """Walk the chain from the start. Returns ``{"intact": bool, "checked": n,
    "first_broken": None | {"seq", "id", "reason"}}``."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    last_seq = 0
    while True:
        rows = session.execute(select(AuditEntry).where(AuditEntry.seq >= expected_seq)
                               .order_by(AuditEntry.seq).limit(BATCH)).scalars().all()
        if not rows:
            break
        for entry in rows:
            if entry.seq != expected_seq:
                return _broken(checked, expected_seq, None, "missing entry (deleted?)")
            if entry.prev_hash != expected_prev:
                return _broken(checked, entry.seq, entry.id,
                               "previous hash does not match (an entry was removed?)")
            digest = entry_hash(entry.seq, entry.at, entry.actor_id, entry.action,
                                entry.object_type, entry.object_id, entry.details,
                                entry.request_id, entry.prev_hash)
            if digest != entry.hash:
                return _broken(checked, entry.seq, entry.id, "content does not match its hash")
            expected_prev, expected_seq, last_seq = entry.hash, entry.seq + 1, entry.seq
            checked += 1
    head = session.get(AuditHead, 1)
    if head is not None and (head.last_seq != last_seq or head.last_hash != expected_prev):
        return _broken(checked, last_seq + 1, None,
                       "the chain ends before its recorded head (entries removed at the end)")
    return {"intact": True, "checked": checked, "first_broken": None}


def _broken(checked, seq, entry_id, reason) -> dict:
    return {"intact": False, "checked": checked,
            "first_broken": {"seq": seq, "id": entry_id, "reason": reason}}


DOCUMENT_TYPES = {"incoming_document": IncomingDocument, "outgoing_document": OutgoingDocument,
                  "document_copy": DocumentCopy}


def in_scope(root_unit_ids):
    """A condition on audit entries: those about the given units and the units below
    them — the units themselves, their documents, copies, registers, dossiers and
    delegations, the files of those documents, the people who hold a role there and the
    alerts about them (a unit's quản trị reads these, administration.py)."""
    tree = select(Unit.id).where(Unit.id.in_(sorted(root_unit_ids))) \
        .cte("audit_scope", recursive=True)
    tree = tree.union_all(select(Unit.id).where(Unit.parent_id == tree.c.id))
    units = select(tree.c.id)
    owned = {name: select(model.id).where(model.unit_id.in_(units))
             for name, model in (DOCUMENT_TYPES | {"register": Register, "dossier": Dossier,
                                                   "delegation": Delegation}).items()}
    people = select(Membership.user_id).where(Membership.unit_id.in_(units))
    files = select(DocumentFile.file_id).where(or_(*(
        DocumentFile.document_id.in_(owned[name]) for name in DOCUMENT_TYPES)))
    about = [(AuditEntry.object_type == name) & AuditEntry.object_id.in_(ids)
             for name, ids in owned.items()]
    return or_(*about,
               (AuditEntry.object_type == "unit") & AuditEntry.object_id.in_(units),
               (AuditEntry.object_type == "user") & AuditEntry.object_id.in_(people),
               (AuditEntry.object_type == "file") & AuditEntry.object_id.in_(files),
               (AuditEntry.object_type == "rights_alert") & AuditEntry.object_id.in_(
                   select(RightsAlert.id).where(RightsAlert.user_id.in_(people))))


def document_levels(session, entries) -> dict[str, str]:
    """{object id: confidentiality} of the documents and copies the entries are about:
    what decides whether an administrator sees an entry's details."""
    levels: dict[str, str] = {}
    for name, model in DOCUMENT_TYPES.items():
        ids = {e.object_id for e in entries if e.object_type == name}
        if ids:
            levels.update(session.execute(select(model.id, model.confidentiality).where(
                model.id.in_(ids))).all())
    return levels
