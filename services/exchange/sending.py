"""What goes to the axis: deliveries of issued documents and status answers, queued in
the service's database (the outbox towards the axis) and sent by a timer, each package
built and signed once, retried with backoff while the axis is away and never lost.
Plain functions over a SQLAlchemy session; the service supplies storage and signing."""
from __future__ import annotations

import base64
import uuid
from datetime import datetime, timedelta

from sqlalchemy import select, update

from services.common.db import wake_after_commit
from services.exchange import translate
from services.exchange.edxml import model
from services.exchange.models import (EDOC, FAILED, PENDING, SENT, STATUS, AxisMessage,
                                      Delivery)

#: a claimed message is left alone by other replicas this long (an axis call is shorter)
CLAIM_SECONDS = 120
EXCHANGE = "exchange"
#: the timer that sends (service.send_due): woken by every message queued, so that a
#: message leaves at once and the interval only paces retries
SEND_TIMER = "exchange_send"
#: messages one round of the timer claims
SEND_BATCH = 20


def edoc_key(document_id: str, organ_id: str) -> str:
    return f"edoc:{document_id}:{organ_id}"


def status_key(document_id: str, organ_id: str, code: str) -> str:
    return f"status:{document_id}:{organ_id}:{code}"


def update_key(document_id: str, organ_id: str, number: int) -> str:
    """An update's edoc: one per update of a document and agency."""
    return f"{edoc_key(document_id, organ_id)}:update:{number}"


def _queue(session, message: AxisMessage) -> None:
    session.add(message)
    wake_after_commit(session, SEND_TIMER)


def due_again(session, message: AxisMessage, now: datetime) -> None:
    """A message to send again now (a văn thư's retry of a refused edoc)."""
    message.state, message.next_attempt_at, message.package = PENDING, now, None
    wake_after_commit(session, SEND_TIMER)


def queue_deliveries(session, data: dict, now: datetime) -> list[Delivery]:
    """One delivery and one edoc to send for each external recipient ("exchange") of an
    issued document (the data of documents' document_issued); none twice."""
    issuer = data.get("issuer") or {}
    made = []
    for recipient in data.get("recipients") or []:
        if recipient.get("delivery") != EXCHANGE or not recipient.get("organ_id"):
            continue
        exists = session.execute(select(Delivery.id).where(
            Delivery.outgoing_id == data["id"],
            Delivery.organ_id == recipient["organ_id"])).first()
        if exists:
            continue
        document_id = model.document_id_of(
            issuer.get("organ_id") or "", datetime.fromisoformat(data["issued_date"]).date(),
            data["code_number"], data["code_notation"])
        delivery = Delivery(
            id=str(uuid.uuid4()), outgoing_id=data["id"], unit_id=data["unit_id"],
            from_organ_id=issuer.get("organ_id") or "", organ_id=recipient["organ_id"],
            organ_name=recipient.get("name") or recipient["organ_id"],
            edoc_document_id=document_id, state=PENDING, statuses=[], frozen=False,
            created_at=now, updated_at=now)
        session.add(delivery)
        _queue(session, AxisMessage(
            id=str(uuid.uuid4()), key=edoc_key(document_id, recipient["organ_id"]),
            kind=EDOC, from_organ_id=delivery.from_organ_id, to_organ_id=delivery.organ_id,
            delivery_id=delivery.id, spec={"document": data, "unit_id": data["unit_id"]},
            state=PENDING, attempts=0, next_attempt_at=now, created_at=now))
        made.append(delivery)
    return made


def queue_status(session, *, document_id: str, from_organ_id: str, to_organ_id: str,
                 code: str, spec: dict, now: datetime, received_id: str | None = None,
                 delivery_id: str | None = None, key: str | None = None) -> bool:
    """A status package to send (spec: what translate.status_package needs); False when
    the same status for the same document and agency was queued before (``key``: what
    makes it unique, when more than the code does — an answer to one of several
    updates)."""
    key = key or status_key(document_id, to_organ_id, code)
    if session.execute(select(AxisMessage.id).where(AxisMessage.key == key)).first():
        return False
    _queue(session, AxisMessage(
        id=str(uuid.uuid4()), key=key, kind=STATUS, from_organ_id=from_organ_id,
        to_organ_id=to_organ_id, received_id=received_id, delivery_id=delivery_id,
        spec=spec | {"code": code}, state=PENDING, attempts=0, next_attempt_at=now,
        created_at=now))
    return True


def queue_recalls(session, outgoing_id: str, reason: str, now: datetime) -> int:
    """Status 13 to every agency an outgoing document went to by the exchange, once;
    each delivery remembers the recall, so a 15 that answers it freezes the record."""
    count = 0
    for delivery in session.execute(select(Delivery).where(
            Delivery.outgoing_id == outgoing_id)).scalars():
        if delivery.frozen or delivery.recall:
            continue
        delivery.recall, delivery.updated_at = {"reason": reason,
                                                "asked_at": now.isoformat()}, now
        count += queue_status(
            session, document_id=delivery.edoc_document_id,
            from_organ_id=delivery.from_organ_id, to_organ_id=delivery.organ_id, code="13",
            delivery_id=delivery.id, now=now,
            spec={"original": original_of(delivery),
                  "description": reason, "unit_id": delivery.unit_id})
    return count


def queue_updates(session, data: dict, now: datetime) -> int:
    """An edoc of type 2 (cập nhật) to every agency an outgoing document went to by the
    exchange (the data of documents' outgoing_updated), except those that agreed to its
    recall (frozen); each delivery records the update, whose 15 or 16 answers it."""
    document = data.get("document")
    if not document:
        return 0
    count = 0
    for delivery in session.execute(select(Delivery).where(
            Delivery.outgoing_id == data["id"]).order_by(Delivery.organ_id)).scalars():
        key = update_key(delivery.edoc_document_id, delivery.organ_id, data["number"])
        if delivery.frozen or session.execute(select(AxisMessage.id).where(
                AxisMessage.key == key)).first():
            continue
        asked = {"number": data["number"], "changes": data.get("changes") or {},
                 "reason": data.get("reason") or ""}
        delivery.updates = [*(delivery.updates or []), asked | {
            "asked_at": now.isoformat(), "state": PENDING, "error": None, "sent_at": None,
            "answer": None}]
        delivery.updated_at = now
        # delivery_id stays empty: mark_sent and retry concern the document's own edoc
        _queue(session, AxisMessage(
            id=str(uuid.uuid4()), key=key, kind=EDOC, from_organ_id=delivery.from_organ_id,
            to_organ_id=delivery.organ_id, delivery_id=None,
            spec={"document": document, "unit_id": delivery.unit_id,
                  "delivery_id": delivery.id, "update": asked},
            state=PENDING, attempts=0, next_attempt_at=now, created_at=now))
        count += 1
    return count


def answer_update(delivery: Delivery, entry: dict) -> bool:
    """A 15 or 16 (``entry``: translate.status_entry) given to the oldest update of the
    delivery not answered yet; False when none waits."""
    updates = list(delivery.updates or [])
    for index, asked in enumerate(updates):
        if not asked.get("answer"):
            updates[index] = asked | {"answer": {
                k: entry.get(k) for k in ("code", "vi", "en", "description", "at",
                                          "received_at")}}
            delivery.updates = updates
            return True
    return False


def _mark_update(session, message: AxisMessage, **values) -> None:
    """An update's edoc was sent (or failed): its delivery's record says so."""
    asked = (message.spec or {}).get("update")
    delivery = session.get(Delivery, message.spec.get("delivery_id") or "") if asked \
        else None
    if delivery is None:
        return
    delivery.updates = [entry | values if entry.get("number") == asked["number"] else entry
                        for entry in delivery.updates or []]


def original_of(delivery: Delivery) -> dict:
    """The document a delivery carried, as a status's ResponseFor names it: its DocumentId
    is "{OrganId},{yyyy/MM/dd},{số}/{ký hiệu}"."""
    _, day, code = (delivery.edoc_document_id.split(",", 2) + ["", ""])[:3]
    return {"document_id": delivery.edoc_document_id, "organ_id": delivery.from_organ_id,
            "code": code, "promulgation_date": day.replace("/", "-") or None}


def claim_due(db, now: datetime, limit: int = SEND_BATCH) -> list[str]:
    """Ids of messages due for an attempt, each claimed for CLAIM_SECONDS by moving its
    next attempt on (compare-and-set: two replicas never both claim one)."""
    with db.read() as session:
        due = session.execute(select(AxisMessage.id, AxisMessage.next_attempt_at).where(
            AxisMessage.state == PENDING, AxisMessage.next_attempt_at <= now).order_by(
            AxisMessage.next_attempt_at).limit(limit)).all()
    claimed = []
    for message_id, due_at in due:
        with db.transaction() as session:
            changed = session.execute(update(AxisMessage).where(
                AxisMessage.id == message_id, AxisMessage.state == PENDING,
                AxisMessage.next_attempt_at == due_at).values(
                next_attempt_at=now + timedelta(seconds=CLAIM_SECONDS))).rowcount
        if changed:
            claimed.append(message_id)
    return claimed


def build_edoc_package(spec: dict, to_organ: dict, *, read_file,
                       now: datetime, staff: model.StaffInfo | None) -> bytes:
    """The unsigned edoc of ``spec`` for one agency: the files the document's recipients
    get (the signed PDF first, then its signed attachments), read through ``read_file``
    (file_id → (record, bytes))."""
    from services.exchange.edxml.build import build_edoc
    document = spec["document"]
    file_ids = ([document["signed_file_id"], *document.get("signed_attachment_ids", [])]
                if document.get("signed_file_id") else list(document.get("file_ids") or []))
    if spec.get("update"):     # an update changes particulars only: its files went before
        return build_edoc(translate.edoc_of_update(document, spec["update"], to_organ, now,
                                                   staff))
    attachments = []
    for file_id in file_ids:
        record, data = read_file(file_id)
        attachments.append(model.Attachment(
            content_id=str(uuid.uuid5(uuid.NAMESPACE_URL, f"eoffice:file:{file_id}")),
            name=record.get("filename") or f"{file_id}.pdf",
            content_type=record.get("content_type") or "application/pdf", data=data,
            description=record.get("filename") or ""))
    return build_edoc(translate.edoc_of_issued(document, to_organ, attachments, now, staff))


def build_status_package(spec: dict, sender: model.Organ, now: datetime,
                         staff: model.StaffInfo | None) -> bytes:
    from services.exchange.edxml.build import build_status
    return build_status(translate.status_package(
        spec["code"], original=spec["original"], sender=sender,
        description=spec.get("description") or "", now=now, staff=staff))


def signed(package: bytes, unit_id: str, sign_package) -> bytes:
    """``package`` with the organisation's XML signature. ``sign_package(unit_id,
    data_b64 | None)`` is signing's RPC (the key stays in signing's store): asked without
    data it names the certificate that will sign, which the signature's KeyInfo carries."""
    from services.exchange.edxml.signature import sign_package as sign_xml
    certificate = base64.b64decode(sign_package(unit_id, None)["certificate"])

    def sign(data: bytes) -> bytes:
        return base64.b64decode(sign_package(unit_id, base64.b64encode(data).decode())[
            "signature"])

    return sign_xml(package, sign, certificate)


def mark_sent(session, message: AxisMessage, axis_doc_id: str, now: datetime) -> None:
    message.state, message.axis_doc_id, message.sent_at = SENT, axis_doc_id, now
    message.attempts += 1
    message.error = None
    _mark_update(session, message, state=SENT, error=None, sent_at=now.isoformat())
    if message.kind == EDOC and message.delivery_id:
        delivery = session.get(Delivery, message.delivery_id)
        delivery.state, delivery.sent_at, delivery.error = SENT, now, None
        delivery.updated_at = now


def mark_retry(session, message: AxisMessage, error: dict, now: datetime,
               first_retry_seconds: float = translate.FIRST_RETRY_SECONDS) -> None:
    """The axis was not reachable: try again later (translate.retry_after)."""
    message.attempts += 1
    message.error = error
    message.next_attempt_at = now + translate.retry_after(message.attempts, first_retry_seconds)
    _mark_update(session, message, error=error | {"retrying": True})
    if message.kind == EDOC and message.delivery_id:
        delivery = session.get(Delivery, message.delivery_id)
        delivery.error, delivery.updated_at = error | {"retrying": True}, now


def mark_failed(session, message: AxisMessage, error: dict, now: datetime) -> None:
    """The axis (or our own checks) refused it: it waits for a person to retry."""
    message.state, message.error = FAILED, error
    message.attempts += 1
    _mark_update(session, message, state=FAILED, error=error)
    if message.kind == EDOC and message.delivery_id:
        delivery = session.get(Delivery, message.delivery_id)
        delivery.state, delivery.error, delivery.updated_at = FAILED, error, now


def delivery_out(delivery: Delivery) -> dict:
    return {"id": delivery.id, "outgoing_id": delivery.outgoing_id,
            "organ_id": delivery.organ_id, "organ_name": delivery.organ_name,
            "document_id": delivery.edoc_document_id, "state": delivery.state,
            "error": delivery.error, "statuses": list(delivery.statuses or []),
            "latest_code": delivery.latest_code, "frozen": delivery.frozen,
            "recall": delivery.recall, "updates": list(delivery.updates or []),
            "sent_at": delivery.sent_at.isoformat() if delivery.sent_at else None,
            "updated_at": delivery.updated_at.isoformat()}
