"""The storage service's own tables: stored files, its outbox and its inbox.

A file row is created by ``create_upload`` (``pending``), becomes ``stored`` when
its bytes arrived and matched their declared kind, or ``rejected`` when they did
not. Its text goes ``pending`` → ``ok`` | ``empty`` | ``failed`` | ``none`` (a kind
not extracted yet).
"""
from sqlalchemy import (BigInteger, Boolean, Column, Index, Integer, String, Table, Text,
                        bindparam, false, select, text)

from services.common.db import UtcDateTime, new_metadata
from services.common.inbox import processed_events_table
from services.common.outbox import outbox_table

# file status
PENDING = "pending"
STORED = "stored"
REJECTED = "rejected"
FILE_STATUSES = (PENDING, STORED, REJECTED)

# text status
TEXT_PENDING = "pending"
TEXT_OK = "ok"
TEXT_EMPTY = "empty"
TEXT_FAILED = "failed"
TEXT_NONE = "none"
TEXT_STATUSES = (TEXT_PENDING, TEXT_OK, TEXT_EMPTY, TEXT_FAILED, TEXT_NONE)

metadata = new_metadata()

files = Table(
    "files", metadata,
    Column("file_id", String(36), primary_key=True),
    Column("filename", String(255), nullable=False),
    Column("declared_content_type", String(255), nullable=False),
    Column("declared_size", BigInteger, nullable=False),
    Column("size", BigInteger, nullable=True),           # actual, once stored
    Column("sha256", String(64), nullable=True, index=True),
    Column("kind", String(16), nullable=True),           # detected from content
    Column("status", String(16), nullable=False, server_default=PENDING),
    Column("rejection", Text, nullable=True),
    Column("text_status", String(16), nullable=False, server_default=TEXT_PENDING),
    Column("text", Text, nullable=True),
    Column("text_method", String(16), nullable=True),
    Column("text_truncated", Boolean, nullable=False, server_default=false()),
    Column("text_error", Text, nullable=True),
    Column("extraction_attempts", Integer, nullable=False, server_default=text("0")),
    Column("extraction_started_at", UtcDateTime(), nullable=True),
    Column("extracted_at", UtcDateTime(), nullable=True),
    # the running attempt's latest progress: pages read of pages to read (1 for a kind
    # read in one go); reset when an attempt starts, kept after it ends
    Column("extraction_pages_done", Integer, nullable=True),
    Column("extraction_pages_total", Integer, nullable=True),
    Column("uploaded_by", String(100), nullable=False),
    Column("expires_at", UtcDateTime(), nullable=False),
    Column("created_at", UtcDateTime(), nullable=False),
    Column("stored_at", UtcDateTime(), nullable=True),
    Index("ix_files_status_text_status", "status", "text_status"),
)

#: a file's row, without (False) or with (True) its text, by ``id``: built once (a select of
#: every column of files cost more to build and key than to run, and every file request
#: and stored file reads one)
FILE_ROW = {with_text: select(*[c for c in files.c if with_text or c.name != "text"]).where(
    files.c.file_id == bindparam("id")) for with_text in (False, True)}

outbox = outbox_table(metadata)
processed = processed_events_table(metadata)
