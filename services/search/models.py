"""What the search service keeps besides its index: the source of the projection, and
each user's saved searches.

The index is rebuilt from these rows at any time: each document's metadata as the
documents service announced it, which files it has (a file may belong to several
documents), and the text storage extracted from each file. ``revision`` grows with
every change of a document or of one of its files' text, so the index never takes
an older state over a newer one when two handlers race.
"""
from sqlalchemy import JSON, Column, ForeignKey, Integer, String, Table, Text, UniqueConstraint

from services.common.db import UtcDateTime, new_metadata
from services.common.inbox import processed_events_table

metadata = new_metadata()

processed = processed_events_table(metadata)

documents = Table(
    "documents", metadata,
    Column("document_id", String(36), primary_key=True),
    Column("data", JSON, nullable=False),          # the indexed fields, without content
    Column("revision", Integer, nullable=False),
    Column("updated_at", UtcDateTime(), nullable=False),
    # when documents said it (the event's occurred_at): an older event never overwrites
    Column("source_at", UtcDateTime(), nullable=True),
)

document_files = Table(
    "document_files", metadata,
    Column("document_id", String(36),
           ForeignKey("documents.document_id", ondelete="CASCADE"), primary_key=True),
    Column("file_id", String(36), primary_key=True, index=True),
    Column("position", Integer, nullable=False),   # the order of the files in the document
)

file_texts = Table(
    "file_texts", metadata,
    Column("file_id", String(36), primary_key=True),
    Column("text", Text, nullable=False),
    Column("fetched_at", UtcDateTime(), nullable=False),
)

#: Files whose text storage announced (text_extracted, "ok") while no document here had
#: them: the text itself is not kept (the file may be a secret document's). A
#: registration that was told its file's text was still pending asks storage for the text
#: only when its file is here (see SearchService.on_storage_text_extracted).
announced_texts = Table(
    "announced_texts", metadata,
    Column("file_id", String(36), primary_key=True),
    Column("announced_at", UtcDateTime(), nullable=False),
)

saved_searches = Table(
    "saved_searches", metadata,
    Column("id", String(36), primary_key=True),
    Column("user_id", String(64), nullable=False, index=True),
    Column("name", String(200), nullable=False),
    Column("params", JSON, nullable=False),        # q and filters, as the search takes them
    Column("created_at", UtcDateTime(), nullable=False),
    UniqueConstraint("user_id", "name"),
)

#: A reindex's lifecycle: requested (by an administrator), running (claimed by one
#: search process, which beats updated_at while it works), then done or failed.
reindex_runs = Table(
    "reindex_runs", metadata,
    Column("id", String(36), primary_key=True),
    Column("state", String(16), nullable=False, index=True),
    Column("phase", String(16), nullable=True),      # documents, texts, index, switch
    Column("done", Integer, nullable=False),         # of the phase's total
    Column("total", Integer, nullable=False),
    Column("documents", Integer, nullable=True),     # in the new index when done
    Column("requested_by", String(64), nullable=False),
    Column("requested_at", UtcDateTime(), nullable=False),
    Column("started_at", UtcDateTime(), nullable=True),
    Column("updated_at", UtcDateTime(), nullable=False),
    Column("finished_at", UtcDateTime(), nullable=True),
    Column("error", Text, nullable=True),
)
