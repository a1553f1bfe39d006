"""What the documents service returns over RPC: plain JSON-able dicts."""
from __future__ import annotations

from services.common import vocabulary
from services.common.db import iso
from services.documents import outgoing



def unit_out(unit) -> dict:
    return {"id": unit.id, "organ_id": unit.organ_id, "parent_id": unit.parent_id,
            "name": unit.name, "abbreviation": unit.abbreviation, "level": unit.level,
            "valid_from": iso(unit.valid_from), "valid_to": iso(unit.valid_to)}


def register_out(register) -> dict:
    return {"id": register.id, "unit_id": register.unit_id, "direction": register.direction,
            "year": register.year, "name": register.name,
            "document_types": register.document_types, "counter": register.counter_key}


def incoming_out(doc, unit_name: str | None = None) -> dict:
    type_name = vocabulary.name(vocabulary.DOCUMENT_TYPES, doc.document_type)
    return {
        "id": doc.id, "direction": "incoming", "unit_id": doc.unit_id, "unit_name": unit_name,
        "register_id": doc.register_id, "year": doc.year,
        "arrival_number": doc.arrival_number, "arrival_date": iso(doc.arrival_date),
        "code_number": doc.code_number, "code_notation": doc.code_notation,
        "issued_date": iso(doc.issued_date),
        "issuer": {"organ_id": doc.issuer_organ_id, "name": doc.issuer_name},
        "document_type": doc.document_type, "document_type_name": type_name,
        "subject": doc.subject, "language": doc.language, "page_amount": doc.page_amount,
        "description": doc.description,
        "signer": {"position": doc.signer_position, "full_name": doc.signer_full_name},
        "urgency": doc.urgency, "confidentiality": doc.confidentiality,
        "due_date": iso(doc.due_date), "to_places": doc.to_places,
        "file_ids": list(doc.file_ids or []), "state": doc.state,
        "registered_by": doc.registered_by, "created_at": iso(doc.created_at),
        "related": related_out(doc), "replaced_by_id": doc.replaced_by_id,
        "change_request": doc.change_request,
        "change_answers": list(doc.change_answers or []),
    }


def outgoing_out(doc, unit_name: str | None = None, versions=None) -> dict:
    """An outgoing document. ``issuer`` and ``code_*`` use the same names as an incoming
    one, so a dossier, a register or search treats both alike."""
    type_name = vocabulary.name(vocabulary.DOCUMENT_TYPES, doc.document_type)
    out = {
        "id": doc.id, "direction": "outgoing", "unit_id": doc.unit_id, "unit_name": unit_name,
        "state": doc.state, "state_name": vocabulary.OUTGOING_STATE_NAMES[doc.state][0],
        "in_approval_chain": doc.in_approval_chain,
        "state_reason": doc.state_reason,
        "issuer": {"organ_id": doc.organ_id, "name": doc.organ_name},
        "document_type": doc.document_type, "document_type_name": type_name,
        "normative": doc.normative, "subject": doc.subject, "language": doc.language,
        "page_amount": doc.page_amount, "description": doc.description,
        "signer": {"position": doc.signer_position, "full_name": doc.signer_full_name},
        "signed_by": doc.signed_by, "signed_for": doc.signed_for, "signed_as": doc.signed_as,
        "signed_file_id": doc.signed_file_id,
        "signed_attachment_ids": list(doc.signed_attachment_ids or []),
        "digital_signatures": list(doc.digital_signatures or []),
        "recipients": outgoing.with_delivery(list(doc.recipients or []), doc.confidentiality),
        "urgency": doc.urgency, "confidentiality": doc.confidentiality,
        "issued_amount": doc.issued_amount, "due_date": iso(doc.due_date),
        "keeper": doc.keeper, "file_ids": list(doc.file_ids or []), "version": doc.version,
        "register_id": doc.register_id, "year": doc.year, "number": doc.number,
        "code_number": doc.code_number, "code_notation": doc.code_notation,
        "issued_date": iso(doc.issued_date), "issued_at": iso(doc.issued_at),
        "drafted_by": doc.drafted_by, "created_at": iso(doc.created_at),
        "updated_at": iso(doc.updated_at),
        "related": related_out(doc), "replaced_by_id": doc.replaced_by_id,
        "updates": list(doc.updates or []),
    }
    if versions is not None:
        out["versions"] = [version_out(v) for v in versions]
    return out


def related_out(doc) -> dict | None:
    """The earlier document of the same direction this one replaces or corrects:
    ``{kind: replaces | corrects, id}``, or None."""
    if not doc.related_kind:
        return None
    return {"kind": doc.related_kind, "id": doc.related_id}


def version_out(version) -> dict:
    return {"number": version.number, "file_ids": list(version.file_ids or []),
            "fields": version.fields, "note": version.note, "created_by": version.created_by,
            "created_at": iso(version.created_at)}


def registered_event(document: dict, leader_user_ids: list[str], **extra) -> dict:
    """The data of a ``document_registered`` event (services/common/events.py): the
    incoming document, its issuer flattened as the catalogue names it, who may see it
    (its unit: the permission rule's inputs for search) and who must act on it next."""
    return document | {
        "issuer_organ_id": document["issuer"]["organ_id"],
        "issuer_name": document["issuer"]["name"],
        "acl_units": [document["unit_id"]], "acl_users": [],
        "leader_user_ids": leader_user_ids} | extra


def user_out(user, memberships, units_by_id) -> dict:
    return {
        "id": user.id, "username": user.username, "full_name": user.full_name,
        "position": user.position, "clearance": user.clearance,
        "email": user.email, "auth_source": user.auth_source or "local",
        "active": bool(user.active),
        "system_admin": bool(user.system_admin),
        "memberships": [{"unit_id": m.unit_id, "role": m.role,
                         "unit_name": units_by_id[m.unit_id].name if m.unit_id in units_by_id
                         else None} for m in memberships],
    }
