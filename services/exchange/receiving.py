"""What comes from the axis: each package is kept as it came (received_packages) before
the axis is told "done", then applied once — an edoc becomes a document waiting for the
văn thư of the unit it is addressed to, with status 01 going back at once; a status joins
the history of the delivery it answers; a recall request marks what it recalls.
Plain functions over a SQLAlchemy session; the service supplies the rest."""
from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from services.common import events
from services.common.outbox import add_event
from services.exchange import sending, translate
from services.exchange.edxml import model
from services.exchange.edxml.errors import PackageError
from services.exchange.models import (ACCEPTED, EDOC, RECALLED, REPLACED, WAITING,
                                      AxisMessage, Delivery, ReceivedDocument,
                                      ReceivedPackage, outbox)

NEW, DONE, REJECTED = "new", "done", "rejected"


@dataclass
class Outcome:
    """What applying a package did: ``done`` or ``rejected`` with a problem {code, vi,
    en}; ``received_id`` when it made a document waiting for a văn thư."""
    outcome: str
    problem: dict | None = None
    received_id: str | None = None


def keep(session, *, axis_doc_id: str, message_type: str, from_organ_id: str | None,
         to_organ_id: str | None, payload: bytes, now: datetime) -> bool:
    """Keep a package the axis gave; False when it was kept before (the axis gave it
    again because our "done" did not reach it)."""
    if session.execute(select(ReceivedPackage.id).where(
            ReceivedPackage.axis_doc_id == axis_doc_id)).first():
        return False
    session.add(ReceivedPackage(
        id=str(uuid.uuid4()), axis_doc_id=axis_doc_id, message_type=message_type,
        from_organ_id=from_organ_id, to_organ_id=to_organ_id, size=len(payload),
        sha256=hashlib.sha256(payload).hexdigest(), payload=payload, outcome=NEW,
        received_at=now))
    return True


def problem_of(error: PackageError) -> dict:
    return {"code": error.code, "vi": error.vi, "en": error.en,
            "field": getattr(error, "field", None)}


def reject(code: str, vi: str, en: str) -> Outcome:
    return Outcome(REJECTED, {"code": code, "vi": vi, "en": en})


def apply_status(session, status: model.Status, now: datetime,
                 clerks: dict | None = None) -> Outcome:
    """A status from an agency: about a document we sent (01–06, 15, 16: its delivery's
    history) or about one we received (13: its sender asks for it back)."""
    document_id = status.response_for.document_id
    if status.code == "13":
        return request_recall(session, document_id, status.sender.organ_id,
                              status.description, now, clerks)
    delivery = session.execute(select(Delivery).where(
        Delivery.edoc_document_id == document_id,
        Delivery.organ_id == status.sender.organ_id)).scalars().first()
    if delivery is None:
        return reject("unknown_document",
                      f"Trạng thái cho văn bản không do cơ quan này gửi: {document_id}.",
                      f"A status for a document this agency did not send: {document_id}.")
    entry = translate.status_entry(status, now)
    if any(s["code"] == entry["code"] and s["at"] == entry["at"]
           for s in delivery.statuses or []):
        return Outcome(DONE)
    if delivery.frozen:
        return reject("frozen", "Văn bản đã được lấy lại; trạng thái không được ghi nhận.",
                      "The document was recalled; the status is not recorded.")
    delivery.statuses = [*(delivery.statuses or []), entry]
    delivery.updated_at = now
    if status.code in ("15", "16") and answers_update(delivery):
        # an update's answer: the document's own course (latest_code) is not changed
        sending.answer_update(delivery, entry)
        return Outcome(DONE)
    delivery.latest_code = status.code
    if status.code in ("15", "16") and delivery.recall:
        delivery.recall = delivery.recall | {"answer": {
            k: entry[k] for k in ("code", "description", "at", "received_at")}}
        if status.code == "15":      # the recall agreed: frozen
            delivery.frozen = True
    return Outcome(DONE)


#: statuses the issuing unit's văn thư is alerted to: returned, recall or update refused
ALERT_CODES = ("02", "16")


def delivery_answered(session, status: model.Status) -> Delivery | None:
    """The delivery a status from an agency answers (a document we sent it), if any."""
    return session.execute(select(Delivery).where(
        Delivery.edoc_document_id == status.response_for.document_id,
        Delivery.organ_id == status.sender.organ_id)).scalars().first()


def alert_event(session, delivery: Delivery, status: model.Status, clerk_user_ids) -> dict:
    """The data of a delivery_status_alert (services/common/events.py)."""
    names = model.STATUS_CODES.get(status.code, (status.code, status.code))
    original = sending.original_of(delivery)
    edoc = session.execute(select(AxisMessage.spec).where(
        AxisMessage.delivery_id == delivery.id, AxisMessage.kind == EDOC)).scalars().first()
    return {"delivery_id": delivery.id, "outgoing_id": delivery.outgoing_id,
            "unit_id": delivery.unit_id, "organ_id": delivery.organ_id,
            "organ_name": delivery.organ_name, "code": status.code,
            "code_name": {"vi": names[0], "en": names[1]},
            "description": status.description or "", "document_code": original["code"],
            "subject": ((edoc or {}).get("document") or {}).get("subject") or "",
            "clerk_user_ids": list(clerk_user_ids)}


def waiting_event(received: ReceivedDocument, clerk_user_ids) -> dict:
    """The data of a received_waiting event (services/common/events.py)."""
    fields = received.fields or {}
    return {"id": received.id, "unit_id": received.unit_id,
            "business_type": received.business_type, "from_name": received.from_name,
            "subject": fields.get("subject"), "code": original_of(received)["code"],
            "urgency": fields.get("urgency") or "normal",
            "clerk_user_ids": list(clerk_user_ids)}


def answers_update(delivery: Delivery) -> bool:
    """Whether a 15 or 16 from the agency answers an update: one waits for its answer and
    no recall does (a status names only the document; a recall asked since an update
    wins, as the heavier request)."""
    recall_waiting = bool(delivery.recall) and not delivery.recall.get("answer")
    return not recall_waiting and any(not u.get("answer") for u in delivery.updates or [])


def request_recall(session, document_id: str, from_organ_id: str, reason: str,
                   now: datetime, clerks: dict | None = None) -> Outcome:
    """The sender asks for a document back (status 13, or an edoc of type 1): every copy
    of it we received waits for its văn thư's answer (15 or 16)."""
    found = session.execute(select(ReceivedDocument).where(
        ReceivedDocument.edoc_document_id == document_id,
        ReceivedDocument.from_organ_id == from_organ_id)).scalars().all()
    if not found:
        return reject("unknown_document",
                      f"Yêu cầu lấy lại văn bản chưa từng nhận: {document_id}.",
                      f"A recall of a document never received: {document_id}.")
    for received in found:
        if received.state != RECALLED and received.business_type != model.UPDATE:
            received.recall_request = {"reason": reason or "", "asked_at": now.isoformat()}
            received.updated_at = now
            tell_change_requested(session, received, "recall", reason or "", clerks)
    return Outcome(DONE)


def tell_change_requested(session, received: ReceivedDocument, kind: str, reason: str,
                          clerks: dict | None = None):
    """received_change_requested: the unit's văn thư (``clerks``: {unit id: [user id]})
    has a recall or an update to answer."""
    fields = received.fields or {}
    add_event(session, outbox, events.RECEIVED_CHANGE_REQUESTED, {
        "id": received.id, "unit_id": received.unit_id, "kind": kind,
        "from_name": received.from_name, "subject": fields.get("subject"),
        "code": "/".join(p for p in (fields.get("code_number"), fields.get("code_notation"))
                         if p), "reason": reason,
        "clerk_user_ids": list((clerks or {}).get(received.unit_id) or [])})


def receive_edoc(session, edoc: model.Edoc, *, to_organ_id: str, unit: dict | None,
                 package_id: str, files: list[dict], package_signature: dict,
                 today, now: datetime, clerks: dict | None = None) -> Outcome:
    """An edoc for one of our agencies: a document waiting for the unit's văn thư
    (types 0 new, 2 update, 3 replace), or a recall (type 1)."""
    business = edoc.business
    if business.doc_type == model.RECALL:
        return request_recall(session, edoc.document_id, edoc.sender.organ_id,
                              business.reason, now, clerks)
    if unit is None:
        return reject("wrong_recipient",
                      f"Không có đơn vị nào mang mã định danh {to_organ_id} trong hệ thống.",
                      f"No unit has the identifier {to_organ_id} here.")
    # every update of one document is a request of its own: told apart by its bytes
    kept = session.get(ReceivedPackage, package_id) \
        if business.doc_type == model.UPDATE else None
    variant = (kept.sha256 if kept else package_id) \
        if business.doc_type == model.UPDATE else ""
    existing = session.execute(select(ReceivedDocument).where(
        ReceivedDocument.edoc_document_id == edoc.document_id,
        ReceivedDocument.to_organ_id == to_organ_id,
        ReceivedDocument.business_type == business.doc_type,
        ReceivedDocument.variant == variant)).scalars().first()
    if existing is not None:          # the same package again: registered once
        return Outcome(DONE, received_id=existing.id)
    received = ReceivedDocument(
        id=str(uuid.uuid4()), package_id=package_id, edoc_document_id=edoc.document_id,
        business_type=business.doc_type, from_organ_id=edoc.sender.organ_id,
        from_name=(edoc.sender.name or edoc.sender.organ_id)[:200], to_organ_id=to_organ_id,
        unit_id=unit["id"], fields=translate.register_fields(edoc, today) | {
            "business_reason": business.reason,
            "promulgation_date": edoc.promulgation_date.isoformat()
            if edoc.promulgation_date else None},
        files=files, package_signature=package_signature, state=WAITING, answered=[],
        variant=variant, received_at=now, updated_at=now)
    if business.doc_type == model.UPDATE:   # what the văn thư agrees to, or not
        received.fields = received.fields | {"changes": translate.update_changes(edoc, today)}
    if business.doc_type == model.REPLACE:
        for replaced in earlier_received(session, edoc, to_organ_id, [
                r.document_id for r in business.replacements]):
            received.replaces_id = replaced.id
            if replaced.state == WAITING:
                replaced.state, replaced.updated_at = REPLACED, now
    elif business.doc_type == model.NEW and edoc.response_for:
        # đính chính: a new document naming one its sender sent us before (DOMAIN.md §2.8)
        corrected = earlier_received(session, edoc, to_organ_id, [
            r.document_id for r in edoc.response_for])
        received.corrects_id = corrected[0].id if corrected else None
    session.add(received)
    session.flush()
    if business.doc_type == model.UPDATE:
        # no 01: an update is answered 15 or 16 (a 01 would read, at the sender, as the
        # document's own course starting again)
        tell_change_requested(session, received, "update", business.reason, clerks)
    else:
        answer(session, received, "01", now)
    return Outcome(DONE, received_id=received.id)


def earlier_received(session, edoc: model.Edoc, to_organ_id: str,
                     document_ids: list[str]) -> list[ReceivedDocument]:
    """The documents (new ones, not recalls or updates) this agency received from the
    edoc's sender under ``document_ids``: only its sender replaces or corrects them."""
    if not document_ids:
        return []
    return session.execute(select(ReceivedDocument).where(
        ReceivedDocument.edoc_document_id.in_(document_ids),
        ReceivedDocument.from_organ_id == edoc.sender.organ_id,
        ReceivedDocument.to_organ_id == to_organ_id,
        ReceivedDocument.business_type.in_((model.NEW, model.REPLACE))).order_by(
        ReceivedDocument.received_at)).scalars().all()


def earlier_out(session, received: ReceivedDocument) -> dict | None:
    """The earlier received document this one replaces or corrects, as its detail shows
    it: ``{kind, id, code, subject, state, incoming_id}``, or None."""
    earlier_id = received.replaces_id or received.corrects_id
    earlier = session.get(ReceivedDocument, earlier_id) if earlier_id else None
    if earlier is None:
        return None
    fields = earlier.fields or {}
    return {"kind": translate.REPLACES if received.replaces_id else translate.CORRECTS,
            "id": earlier.id, "code": original_of(earlier)["code"],
            "subject": fields.get("subject"), "state": earlier.state,
            "incoming_id": earlier.incoming_id}


def related_for_registration(session, received: ReceivedDocument) -> dict | None:
    """What documents' registration links the new incoming document to (``related``:
    {kind, id}): the incoming document made of the replaced or corrected one, when its
    văn thư accepted it; None otherwise (a replaced one still waiting is marked replaced
    here, and has no incoming document)."""
    earlier = earlier_out(session, received)
    if earlier is None or earlier["state"] != ACCEPTED or not earlier["incoming_id"]:
        return None
    return {"kind": earlier["kind"], "id": earlier["incoming_id"]}


def request_of(received: ReceivedDocument) -> str | None:
    """What the sender asks of ``received`` and its văn thư has not answered: "recall",
    "update" (it is an update, waiting) or None."""
    asked = received.recall_request
    if asked and not asked.get("answer") and received.state != RECALLED:
        return "recall"
    if received.business_type == model.UPDATE and received.state == WAITING:
        return "update"
    return None


def original_received(session, update: ReceivedDocument) -> ReceivedDocument | None:
    """The document an update changes: the one received from the same sender, for the
    same agency, with the same DocumentId (new, or a replacement), latest first."""
    return session.execute(select(ReceivedDocument).where(
        ReceivedDocument.edoc_document_id == update.edoc_document_id,
        ReceivedDocument.from_organ_id == update.from_organ_id,
        ReceivedDocument.to_organ_id == update.to_organ_id,
        ReceivedDocument.business_type.in_((model.NEW, model.REPLACE))).order_by(
        ReceivedDocument.received_at.desc())).scalars().first()


def fields_updated(fields: dict, changes: dict) -> dict:
    """A waiting document's fields with an agreed update's particulars."""
    return (fields or {}) | {k: v for k, v in changes.items() if k in translate.UPDATABLE}


def original_of(received: ReceivedDocument) -> dict:
    fields = received.fields or {}
    code = "/".join(p for p in (fields.get("code_number"), fields.get("code_notation")) if p)
    return {"document_id": received.edoc_document_id, "organ_id": received.from_organ_id,
            "code": code, "promulgation_date": fields.get("promulgation_date")}


def answer(session, received: ReceivedDocument, code: str, now: datetime,
           description: str = "") -> bool:
    """Queue status ``code`` to the sender of ``received``, once."""
    if code in (received.answered or []):
        return False
    received.answered = [*(received.answered or []), code]
    # an update's answer is its own: others of the same document answer with it
    key = sending.status_key(received.edoc_document_id, received.from_organ_id, code) + \
        f":update:{received.id}" if received.business_type == model.UPDATE else None
    return sending.queue_status(
        session, document_id=received.edoc_document_id, from_organ_id=received.to_organ_id,
        to_organ_id=received.from_organ_id, code=code, received_id=received.id,
        spec={"original": original_of(received), "description": description,
              "unit_id": received.unit_id}, now=now, key=key)


def received_out(received: ReceivedDocument) -> dict:
    return {"id": received.id, "document_id": received.edoc_document_id,
            "business_type": received.business_type,
            "from": {"organ_id": received.from_organ_id, "name": received.from_name},
            "to_organ_id": received.to_organ_id, "unit_id": received.unit_id,
            "fields": received.fields, "files": received.files,
            "package_signature": received.package_signature, "state": received.state,
            "reason": received.reason, "incoming_id": received.incoming_id,
            "replaces_id": received.replaces_id, "corrects_id": received.corrects_id,
            "recall_request": received.recall_request, "request": request_of(received),
            "answered": list(received.answered or []),
            "received_at": received.received_at.isoformat(),
            "updated_at": received.updated_at.isoformat()}
