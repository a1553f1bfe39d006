"""A document that replaces (thay thế: errors of content, ND30 Điều 18.3) or corrects
(đính chính: errors of form, by a công văn) an earlier document of the same unit and
direction (DOMAIN.md §2.8): how the relation is written in a request, and which earlier
documents it may name. No nameko here.

A draft names an issued document of its own unit; an incoming registration (the exchange
accepting a type-3 edoc, or one whose ResponseFor names a document received from the same
sender) names an incoming document of its own unit. A replaced document is marked with the
document that replaced it, and is not replaced twice."""
from __future__ import annotations

from services.common import vocabulary
from services.common.identity import clearance_covers
from services.common.validation import UUID_RE, Problems

KINDS = tuple(vocabulary.RELATED_KIND_NAMES)
REPLACES, CORRECTS = KINDS
#: the outgoing states a related document may not be in, with why (vi, en)
_OUTGOING_STATES = {
    "recalled": ("Văn bản được thay thế/đính chính đã bị thu hồi.",
                 "The document to replace or correct was recalled."),
}


def parse_related(problems: Problems, data: dict, field: str = "related") -> dict | None:
    """``{kind: replaces | corrects, id}`` or null (no relation; on a new version it
    removes the one the draft had). Problems are named ``related``, ``related.kind``,
    ``related.id``."""
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, dict):
        problems.add(field, "Phải là {kind, id} hoặc null.", "Must be {kind, id} or null.")
        return None
    known = len(problems.details)
    problems.only(value, {"kind", "id"}, prefix=field + ".")
    kind = problems.choice(value, "kind", KINDS, label=field + ".kind")
    if value.get("kind") is None:
        problems.add(f"{field}.kind", "Bắt buộc phải nhập.", "Required.")
    document_id = problems.text(value, "id", max_length=36, required=True,
                                label=field + ".id")
    if document_id and not UUID_RE.match(document_id):
        problems.add(f"{field}.id", "Mã văn bản không hợp lệ.", "Invalid document id.")
    if len(problems.details) > known:
        return None
    return {"kind": kind, "id": document_id}


def refusal(old, *, unit_id: str, confidentiality: str, visible: bool,
            issued_state: str | None = None) -> tuple[str, str] | None:
    """Why ``old`` (an OutgoingDocument or IncomingDocument, or None when it does not
    exist) may not be named by a document of ``unit_id`` at ``confidentiality``, as
    (vi, en), or None when it may. ``visible``: whether the caller may see it (a
    document the caller may not see is answered as one that does not exist).
    ``issued_state``: for an outgoing document, the state it must be in (issued)."""
    if old is None or not visible:
        return ("Không có văn bản này, hoặc bạn không được xem văn bản này.",
                "No such document, or you may not see it.")
    if old.unit_id != unit_id:
        return ("Chỉ thay thế hoặc đính chính văn bản của chính đơn vị.",
                "Only a document of the same unit may be replaced or corrected.")
    if issued_state is not None and old.state != issued_state:
        return _OUTGOING_STATES.get(old.state, (
            "Chỉ thay thế hoặc đính chính văn bản đã phát hành.",
            "Only an issued document may be replaced or corrected."))
    if old.state == "recalled":
        return _OUTGOING_STATES["recalled"]
    if old.replaced_by_id:
        return ("Văn bản này đã bị thay thế bởi văn bản khác.",
                "This document was already replaced by another.")
    if not clearance_covers(confidentiality, old.confidentiality):
        return ("Văn bản mật chỉ được thay thế hoặc đính chính bằng văn bản có độ mật "
                "ít nhất bằng nó.",
                "A secret document is replaced or corrected only by a document at least "
                "as secret.")
    return None


def problem_of(reason: tuple[str, str], field: str = "related.id") -> dict:
    """A refusal as the details of an InvalidInput."""
    return {field: {"vi": reason[0], "en": reason[1]}}
