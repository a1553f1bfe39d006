"""Event names and the envelope every event travels in (API.md, "Events").

Events are published from an outbox after the commit (see ``outbox``); handlers
deduplicate by ``event_id`` (see ``inbox``).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

# documents
#: data: {id, direction ("incoming"), unit_id, unit_name, register_id, year, arrival_number,
#:        arrival_date, code_number, code_notation, issued_date, issuer_organ_id,
#:        issuer_name, document_type, document_type_name, subject, urgency,
#:        confidentiality, due_date, page_amount, file_ids, registered_by,
#:        acl_units (unit ids whose members may see it), acl_users (user ids likewise),
#:        leader_user_ids (who must act on it next)}
DOCUMENT_REGISTERED = "document_registered"
DOCUMENT_UPDATED = "document_updated"

# storage
#: data: {file_id, sha256, size, content_type, filename}
FILE_STORED = "file_stored"
#: data: {file_id, status ("ok" | "empty" | "failed"), length, method ("text" | "ocr"), error}
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
