"""From events to index documents: what the handlers write to the search database,
and how an index document is read back from it (metadata + the texts of its files,
in order, at one revision). No nameko here."""
from __future__ import annotations

from datetime import datetime, timezone

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from services.common.db import insert_once
from services.search.backends.base import is_indexable
from services.search.models import announced_texts, document_files, documents, file_texts

#: event data key → index field (the rest of the event is not searched).
_COPIED = ("unit_id", "direction", "subject", "code_number", "code_notation", "issuer_name",
           "document_type", "document_type_name", "urgency", "confidentiality",
           "arrival_number", "arrival_date", "issued_date", "state", "register_id",
           "issuer_organ_id")


def document_fields(data: dict, occurred_at: str | None = None) -> dict:
    """The indexed fields of a document event's data (document_registered,
    document_updated, document_issued). A document that names no acl_units is visible
    to its own unit; one that names no direction is incoming; the issuer's name may
    come flattened (issuer_name) or as issuer.name."""
    if not isinstance(data, dict) or not isinstance(data.get("id"), str) or not data["id"]:
        raise ValueError("document event without an id")
    fields = {"document_id": data["id"]}
    fields.update({name: data.get(name) for name in _COPIED})
    fields["direction"] = fields["direction"] or "incoming"
    if isinstance(data.get("issuer"), dict):
        fields["issuer_name"] = fields["issuer_name"] or data["issuer"].get("name")
        fields["issuer_organ_id"] = fields["issuer_organ_id"] or data["issuer"].get("organ_id")
    fields["acl_units"] = list(data["acl_units"]) if "acl_units" in data else (
        [data["unit_id"]] if data.get("unit_id") else [])
    fields["acl_users"] = list(data.get("acl_users") or [])
    fields["registered_at"] = occurred_at
    return fields


def file_ids_of(data: dict) -> list[str]:
    seen: dict[str, None] = {}
    for file_id in data.get("file_ids") or []:
        if isinstance(file_id, str) and file_id:
            seen.setdefault(file_id)
    return list(seen)


def _moment(value):
    """An event's time as an aware datetime (ISO text or datetime; None stays None)."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


# The statements every document event runs, built once (building and keying a statement
# cost about twice what executing one of these does); values come with each execution.
_KEPT = select(documents.c.source_at, documents.c.data).where(
    documents.c.document_id == bindparam("id"))
_FILES_OF = select(document_files.c.file_id).where(
    document_files.c.document_id == bindparam("id")).order_by(document_files.c.position)
_TOUCH = update(documents).where(documents.c.document_id == bindparam("id")).values(
    source_at=bindparam("at"))
_FORGET_FILES = delete(document_files).where(document_files.c.document_id == bindparam("id"))
_FORGET = delete(documents).where(documents.c.document_id == bindparam("id"))
_DOCUMENTS = select(documents).where(documents.c.document_id.in_(bindparam("ids", expanding=True)))
_TEXTS = select(document_files.c.document_id, file_texts.c.text).join(
    file_texts, file_texts.c.file_id == document_files.c.file_id).where(
    document_files.c.document_id.in_(bindparam("ids", expanding=True))).order_by(
    document_files.c.document_id, document_files.c.position)


def _upserts(table, key: str, replaced: list[str], **also) -> dict:
    """{dialect: an insert that, for a row of the same ``key``, takes the new values of
    ``replaced`` (and sets ``also``)}."""
    return {dialect: insert(table).on_conflict_do_update(index_elements=[key], set_={
        **{name: insert(table).excluded[name] for name in replaced}, **also})
        for dialect, insert in (("postgresql", pg_insert), ("sqlite", sqlite_insert))}


_SAVE = _upserts(documents, "document_id", ["data", "updated_at", "source_at"],
                 revision=documents.c.revision + 1)
_SAVE_TEXT = _upserts(file_texts, "file_id", ["text", "fetched_at"])
_FILES_WITHOUT_TEXT = select(document_files.c.file_id).outerjoin(
    file_texts, file_texts.c.file_id == document_files.c.file_id).where(
    document_files.c.document_id == bindparam("id"), file_texts.c.file_id.is_(None)).order_by(
    document_files.c.position)
_ANNOUNCED = select(announced_texts.c.file_id).where(
    announced_texts.c.file_id.in_(bindparam("ids", expanding=True)))
_DOCUMENTS_OF_FILE = select(document_files.c.document_id).where(
    document_files.c.file_id == bindparam("id")).order_by(document_files.c.document_id)
_FORGET_ANNOUNCED = delete(announced_texts).where(announced_texts.c.file_id == bindparam("id"))
_NEW_REVISIONS = update(documents).where(
    documents.c.document_id.in_(bindparam("ids", expanding=True))).values(
    revision=documents.c.revision + 1, updated_at=bindparam("now"))


def _dialect(session) -> str:
    return "postgresql" if session.get_bind().dialect.name == "postgresql" else "sqlite"


def record_document(session, fields: dict, file_ids: list[str], source_at=None, *,
                    now: datetime) -> bool:
    """Keep (or replace) a document and its files; a secret document is forgotten
    instead: the search service holds nothing of it. ``source_at`` is when documents
    said it: what is kept from a later event stays (events may be handled out of
    order). Returns whether anything changed."""
    document_id = fields["document_id"]
    source_at = _moment(source_at)
    kept = session.execute(_KEPT, {"id": document_id}).first()
    if kept is not None and kept.source_at is not None and source_at is not None and \
            _moment(kept.source_at) > source_at:
        return False
    if kept is not None and is_indexable(fields) and _same_fields(kept.data, fields) and \
            _files_of(session, document_id) == file_ids:
        # nothing searchable changed: no new revision, no index update; only the time
        # of the newest event, so that an older one arriving later changes nothing
        if source_at is not None:
            session.execute(_TOUCH, {"id": document_id, "at": source_at})
        return False
    session.execute(_FORGET_FILES, {"id": document_id})
    if not is_indexable(fields):
        session.execute(_FORGET, {"id": document_id})
        return True
    session.execute(_SAVE[_dialect(session)], {"document_id": document_id, "data": fields,
                                     "revision": 1, "updated_at": now, "source_at": source_at})
    if file_ids:
        session.execute(document_files.insert(), [
            {"document_id": document_id, "file_id": file_id, "position": position}
            for position, file_id in enumerate(file_ids)])
    return True


#: fields that are when the event was sent rather than what the document is
_NOT_COMPARED = ("registered_at",)


def _same_fields(kept: dict, fields: dict) -> bool:
    """Whether the indexed fields are those kept (whatever the event's time)."""
    return {k: v for k, v in (kept or {}).items() if k not in _NOT_COMPARED} == \
        {k: v for k, v in fields.items() if k not in _NOT_COMPARED}


def _files_of(session, document_id: str) -> list[str]:
    return list(session.execute(_FILES_OF, {"id": document_id}).scalars())


def forget_document(session, document_id: str) -> None:
    """Hold nothing more of a document (withdrawn after a recall): its fields and files."""
    session.execute(delete(document_files).where(document_files.c.document_id == document_id))
    session.execute(delete(documents).where(documents.c.document_id == document_id))


def files_without_text(session, document_id: str) -> list[str]:
    return [row.file_id for row in session.execute(_FILES_WITHOUT_TEXT, {"id": document_id})]


#: A file's text_status in storage that never becomes a text (final, unlike "pending").
NO_TEXT_STATUSES = ("none", "empty", "failed")


def announce_text(session, file_id: str, now: datetime) -> None:
    """Remember that storage has the text of a file no document here has yet (not the
    text: see models.announced_texts)."""
    insert_once(session, announced_texts, file_id=file_id, announced_at=now)


def texts_to_fetch(session, file_ids: list[str], text_status: dict) -> list[str]:
    """Which of these files (of a document just recorded, without a text here) to ask
    storage for. ``text_status`` is what documents saw of each file when it checked
    them, before it committed the document: "pending" — ask only if text_extracted came
    before this document did (announce_text), since the one still to come will bring
    the text; "none", "empty", "failed" — never (storage has no text and will not have
    one); "ok", or not said — ask."""
    pending = [f for f in file_ids if text_status.get(f) == "pending"]
    announced = set(session.execute(_ANNOUNCED, {"ids": pending}).scalars()) \
        if pending else set()
    return [f for f in file_ids if f in announced or
            text_status.get(f) not in ("pending", *NO_TEXT_STATUSES)]


def documents_of_file(session, file_id: str) -> list[str]:
    return [row.document_id for row in session.execute(_DOCUMENTS_OF_FILE, {"id": file_id})]


def store_text(session, file_id: str, text: str, now: datetime) -> list[str]:
    """Keep a file's extracted text; every document with that file moves to a new
    revision. Returns those documents' ids."""
    session.execute(_SAVE_TEXT[_dialect(session)],
                    {"file_id": file_id, "text": text, "fetched_at": now})
    session.execute(_FORGET_ANNOUNCED, {"id": file_id})
    document_ids = documents_of_file(session, file_id)
    if document_ids:
        session.execute(_NEW_REVISIONS, {"ids": document_ids, "now": now})
    return document_ids


def index_documents(session, document_ids) -> list[dict]:
    """The index documents of these ids as the database has them now: metadata,
    revision, and content = the texts of their files, in the documents' order."""
    ids = sorted(set(document_ids))
    if not ids:
        return []
    rows = session.execute(_DOCUMENTS, {"ids": ids}).all()
    texts: dict[str, list[str]] = {row.document_id: [] for row in rows}
    for link in session.execute(_TEXTS, {"ids": ids}):
        texts[link.document_id].append(link.text)
    return [dict(row.data, revision=row.revision,
                 content="\n\n".join(text for text in texts[row.document_id] if text))
            for row in rows]


def document_id_pages(db, size: int, updated_since=None):
    """The ids of every document kept (changed since ``updated_since``, if given), in
    order, a page at a time, each page read in its own short transaction (``db`` is
    the service's DatabaseAccess)."""
    after = ""
    while True:
        with db.read() as session:
            ids = session.execute(select(documents.c.document_id).where(
                documents.c.document_id > after,
                *([documents.c.updated_at >= updated_since] if updated_since else []))
                .order_by(documents.c.document_id).limit(size)).scalars().all()
        if not ids:
            return
        yield ids
        after = ids[-1]
