"""Event names and the envelope every event travels in (API.md, "Events").

Events are published from an outbox after the commit (see ``outbox``); handlers
deduplicate by ``event_id`` (see ``inbox``).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

# documents
DOCUMENT_REGISTERED = "document_registered"
DOCUMENT_UPDATED = "document_updated"

# storage
FILE_STORED = "file_stored"
TEXT_EXTRACTED = "text_extracted"

# workflow
PROCESSING_OPENED = "processing_opened"

SOURCE_DOCUMENTS = "documents"
SOURCE_STORAGE = "storage"
SOURCE_WORKFLOW = "workflow"


def envelope(event_type: str, data: dict, *, version: int = 1,
             event_id: str | None = None) -> dict:
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "type": event_type,
        "version": version,
        "occurred_at": datetime.now(timezone.utc).isoformat(),
        "data": data,
    }
