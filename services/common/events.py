"""Event names and the envelope every event travels in (API.md, "Events").

Events are published from an outbox after the commit (see ``outbox``); handlers
deduplicate by ``event_id`` (see ``inbox``).
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

# documents
#: data: {id, direction ("incoming"), unit_id, unit_name, register_id, year, arrival_number,
#:        arrival_date, code_number, code_notation, issued_date, issuer {organ_id, name},
#:        issuer_organ_id, issuer_name, document_type, document_type_name, subject,
#:        urgency, confidentiality, due_date, page_amount, file_ids, registered_by,
#:        from_outgoing_id (when delivered by an internal issue),
#:        acl_units (unit ids whose members may see it), acl_users (user ids likewise),
#:        leader_user_ids (who must act on it next), file_text_status ({file_id:
#:        storage's text_status when documents checked the file: "pending" tells search
#:        the text is still to come with text_extracted; absent on other registrations)}
DOCUMENT_REGISTERED = "document_registered"
#: data: the document as it is now, for search: an incoming one as in document_registered
#:       (with its state) or an issued outgoing one as in document_issued; acl_units /
#:       acl_users list everyone named on it (its unit, units and people given a part,
#:       owners of dossiers holding it). Sent when its state or who may see it changes;
#:       the newest (by occurred_at) wins.
DOCUMENT_UPDATED = "document_updated"
#: data: the outgoing document as documents returns it (id, unit_id, organ_name,
#:       code_number, code_notation, issued_date, document_type, subject, urgency,
#:       confidentiality, file_ids, signer, …) and
#:       recipients: [{unit_id, organ_id, name, delivery ("internal" | "exchange" |
#:       "paper"), incoming_id (internal: the incoming document made for that unit)}],
#:       issuer_name, acl_units, acl_users (who may see it, for search), related (a
#:       replacement or correction: {kind "replaces" | "corrects", id, code_number,
#:       code_notation, issued_date, organ_id} of the earlier document, else null).
#:       The exchange layer sends to the "exchange" recipients; secret documents have none.
DOCUMENT_ISSUED = "document_issued"
#: data: {id, direction ("outgoing"), unit_id, reason, recalled_by, recipients} — an issued
#:       document recalled by its unit; or {id, direction ("incoming"), unit_id, reason,
#:       recalled_by, withdrawn: true} — an incoming document whose sender recalled it,
#:       deleted with its metadata once its văn thư agreed (only the recall log stays)
DOCUMENT_RECALLED = "document_recalled"
#: data: {id, unit_id, document_type, subject, urgency, confidentiality, version,
#:        drafted_by, submitted_by} — a draft submitted for approval (again after a return)
OUTGOING_SUBMITTED = "outgoing_submitted"
#: data: {id, unit_id, number (the update's, from 1), changes (the particulars as they now
#:        are: subject, description, page_amount, due_date, urgency), before, reason,
#:        updated_by, at, document (the outgoing document after the update, as
#:        documents returns it; None for a secret one)} — its unit updated an issued
#:        document (cập nhật); the exchange sends an edoc of type 2 to every agency it
#:        went to, internal copies are asked through incoming_change_requested
OUTGOING_UPDATED = "outgoing_updated"
#: data: {kind ("session" | "user"), subject (the session id or user id), user_id,
#:        min_version, at} — broadcast to every gateway, which refuses at once the
#:        access tokens of a revoked session, or a user's tokens below min_version
#:        (logout, deactivation, a password reset, a change of roles or clearance)
TOKENS_REVOKED = "tokens_revoked"
#: data: {id (the alert), user_id, user_name, change (created | change_roles |
#:        change_clearance | deactivated | reactivated | password_reset), change_name {vi,
#:        en}, unit_ids, unit_names, head_user_ids (whom to tell), details, changed_by,
#:        changed_by_name, created_at, …} — a person's rights changed; the alert stays
#:        open until a head or an administrator above confirms it (ND30 Phụ lục VI §III.3)
RIGHTS_CHANGED = "rights_changed"

#: data: {id (the incoming document), unit_id, kind ("recall" | "update"), reason,
#:        changes (update: the particulars as its sender changed them), from_outgoing_id,
#:        subject, code_number, code_notation, confidentiality, clerk_user_ids (the
#:        unit's văn thư, whom to tell)} — the sender of an internally delivered copy
#:        asks for it back or changes its particulars; the văn thư answers
INCOMING_CHANGE_REQUESTED = "incoming_change_requested"
#: data: {id, unit_id, unit_name, kind, agreed (bool), reason (a refusal's), answered_by,
#:        from_outgoing_id, outgoing_unit_id, subject, code_number, code_notation,
#:        confidentiality, clerk_user_ids (the sending unit's văn thư cleared for it)} —
#:        the văn thư's answer to that request
INCOMING_CHANGE_ANSWERED = "incoming_change_answered"

# storage
#: data: {file_id, sha256, size, content_type, filename} and, for a PDF, might_be_signed
#:       (false only when signing's verification would certainly find no signature:
#:       services.common.pdf_signatures) and pdf_encrypted (/Encrypt in its bytes);
#:       events from before storage scanned PDFs have neither
FILE_STORED = "file_stored"
#: data: {file_id, status ("ok" | "empty" | "failed"), length, method ("text" | "ocr"),
#:       error, truncated, text (when "ok" and at most 64 KiB of UTF-8; else absent: ask
#:       storage.get_text)} — consumed by search only, which keeps a text only for a file
#:       of a document it indexes (never a secret one)
TEXT_EXTRACTED = "text_extracted"

# signing
#: data: {file_id, status ("valid" | "warning" | "invalid" | "unsigned" | "unreadable"),
#:        summary {vi, en}, signatures: [{common_name, organisation, valid}]} — a stored
#:        PDF's signatures were verified (the whole report: signing.get_verifications)
SIGNATURE_VERIFIED = "signature_verified"

# workflow — data of each: {document_id, processing_id, unit_id, subject, code, urgency,
#: confidentiality, processing_state, document_state (the incoming document's state in
#: documents' words), actor_id, notify_user_ids, item?: {id, kind, user_id, unit_id,
#: parent_id, due_date, instruction}} and, where it applies, note, reason, percent,
#: reply_document_id.
DOCUMENT_SUBMITTED = "document_submitted"
TASK_ASSIGNED = "task_assigned"
TASK_PROGRESSED = "task_progressed"
TASK_RETURNED = "task_returned"
TASK_COMPLETED = "task_completed"
DOCUMENT_COMPLETED = "document_completed"
#: also working_days_left (0 on the deadline day, negative once it has passed)
DEADLINE_APPROACHING = "deadline_approaching"
DEADLINE_MISSED = "deadline_missed"
WORKFLOW_EVENTS = (DOCUMENT_SUBMITTED, TASK_ASSIGNED, TASK_PROGRESSED, TASK_RETURNED,
                   TASK_COMPLETED, DOCUMENT_COMPLETED)

# exchange
#: data: {id (the received document), unit_id, business_type (0 new, 2 update, 3 replace),
#:        from_name, subject, code, urgency, clerk_user_ids (the unit's văn thư, whom to
#:        tell)} — an edoc from another agency waits for the unit's văn thư (Văn bản điện tử
#:        chờ tiếp nhận); secret documents never travel
RECEIVED_WAITING = "received_waiting"
#: data: {id (the recall or update request's received document), unit_id, kind
#:        ("recall" | "update"), from_name, subject, code, reason, clerk_user_ids} —
#:        another agency asks the unit's văn thư to agree to a recall or an update of what
#:        it sent
RECEIVED_CHANGE_REQUESTED = "received_change_requested"
#: data: {delivery_id, outgoing_id, unit_id, organ_id, organ_name, code, code_name {vi,
#:        en}, description, subject, document_code, clerk_user_ids (the issuing unit's
#:        văn thư)} — an agency answered a document we sent with a status its issuing unit
#:        must see (02 returned, 16 recall or update refused)
DELIVERY_STATUS_ALERT = "delivery_status_alert"

# notify
#: data: {notifications: [{id, user_id, kind, title, body, document_id, urgency,
#:        created_at}]} — broadcast to every gateway for live delivery (best effort)
NOTIFICATION_CREATED = "notification_created"

SOURCE_DOCUMENTS = "documents"
SOURCE_STORAGE = "storage"
SOURCE_WORKFLOW = "workflow"
SOURCE_SIGNING = "signing"
SOURCE_EXCHANGE = "exchange"


def envelope(event_type: str, data: dict, *, version: int = 1,
             event_id: str | None = None) -> dict:
    return {
        "event_id": event_id or str(uuid.uuid4()),
        "type": event_type,
        "version": version,
        "occurred_at": datetime.now(timezone.utc).isoformat(),
        "data": data,
    }
