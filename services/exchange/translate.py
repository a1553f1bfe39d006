"""Between the e-Office's words and edXML's (QCVN 102:2016, DOMAIN.md §2): an issued
document becomes an edoc for one agency, a received edoc becomes the fields of an incoming
document, a state of ours becomes a status code. Plain functions: no nameko, no database."""
from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, datetime, timedelta

from services.common import vocabulary
from services.common.text import fold
from services.exchange.edxml import model

#: Priority (§2.3: 0 Thường, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc, 4 Hỏa tốc hẹn giờ)
PRIORITY_OF_URGENCY = {"normal": 0, "urgent": 1, "very_urgent": 2, "flash": 3}
URGENCY_OF_PRIORITY = {0: "normal", 1: "urgent", 2: "very_urgent", 3: "flash", 4: "flash"}
#: DocumentType/Type: the code list is not published with the QCVN text we have (DOMAIN.md
#: §2.3, unconfirmed); we send the position of the type in ND30 Phụ lục III, and read the
#: type by its TypeName (then by the ký hiệu), never by this number.
TYPE_CODES = {code: position for position, code in enumerate(vocabulary.DOCUMENT_TYPES, 1)}

#: The status a receiver sends when the incoming document it made reaches a state of
#: documents' (the states' names are vocabulary.INCOMING_STATE_NAMES).
STATUS_OF_STATE = {"assigned": "04", "in_progress": "05", "done": "06"}
#: What each status we send says, in the words of the SDK's samples (§2.7)
STATUS_TEXT = {
    "01": "Văn thư: Đã đến - Phần mềm QLVB đã nhận nhưng văn thư chưa xử lý",
    "02": "Văn thư: Từ chối tiếp nhận văn bản điện tử",
    "03": "Văn thư: Đã tiếp nhận văn bản, vào sổ văn bản đến",
    "04": "Lãnh đạo: Phân công xử lý",
    "05": "Đang xử lý văn bản đến",
    "06": "Hoàn thành xử lý văn bản đến",
    "13": "Đơn vị gửi lấy lại văn bản điện tử đã ban hành",
    "15": "Văn thư đồng ý yêu cầu cập nhật, lấy lại",
    "16": "Văn thư từ chối yêu cầu cập nhật, lấy lại",
}
#: the order of the processing statuses: a later one is never followed by an earlier one
PROCESSING_ORDER = ("01", "03", "04", "05", "06")

#: how a document stands to an earlier one (the ``related`` of document_issued)
REPLACES, CORRECTS = tuple(vocabulary.RELATED_KIND_NAMES)

#: retries of a send the axis did not take: 5 s, 10 s, 20 s … at most 10 minutes apart
FIRST_RETRY_SECONDS = 5
MAX_RETRY_SECONDS = 600


def retry_after(attempts: int, first_seconds: float = FIRST_RETRY_SECONDS) -> timedelta:
    """How long to wait before attempt ``attempts + 1`` of a transport failure: the first
    wait doubled each time, at most MAX_RETRY_SECONDS."""
    return timedelta(seconds=min(MAX_RETRY_SECONDS, first_seconds * 2 ** max(0, attempts - 1)))


def _fold(text: str) -> str:
    return fold(text or "").strip()


_TYPE_BY_NAME = {_fold(names[0]): code for code, names in vocabulary.DOCUMENT_TYPES.items()}
_TYPE_BY_ABBREVIATION = {names[2]: code for code, names in vocabulary.DOCUMENT_TYPES.items()
                         if names[2]}


def document_type_of(type_name: str, code_notation: str) -> str:
    """Our type code for an edoc: by its TypeName ("Công văn", with or without marks),
    else by the first group of its ký hiệu ("QĐ-UBND" → QĐ), else a công văn (whose
    ký hiệu names no type)."""
    by_name = _TYPE_BY_NAME.get(_fold(type_name))
    if by_name:
        return by_name
    first = re.split(r"[-/]", code_notation or "", maxsplit=1)[0]
    return _TYPE_BY_ABBREVIATION.get(first, "CV")


def organ_of(organ_id: str, name: str, **more) -> model.Organ:
    return model.Organ(organ_id=organ_id, name=name or "", **more)


def edoc_of_issued(doc: dict, recipient: dict, attachments: list[model.Attachment],
                   now: datetime, staff: model.StaffInfo | None = None) -> model.Edoc:
    """The edoc for one external ``recipient`` ({organ_id, name}) of an issued outgoing
    document (the data of documents' ``document_issued``)."""
    issuer = doc.get("issuer") or {}
    issued = date.fromisoformat(doc["issued_date"])
    sender = organ_of(issuer.get("organ_id") or "", issuer.get("name") or doc.get(
        "issuer_name") or "")
    document_id = model.document_id_of(sender.organ_id, issued, doc["code_number"],
                                       doc["code_notation"])
    signer = doc.get("signer") or {}
    position = signer.get("position") or ""
    competence = next((mark for mark in ("TM.", "KT.", "TL.", "TUQ.", "Q.")
                       if position.upper().startswith(mark)), "")
    places = [r.get("name") or r.get("organ_id") or "" for r in doc.get("recipients") or []]
    return model.Edoc(
        document_id=document_id, sender=sender,
        recipients=[organ_of(recipient["organ_id"], recipient.get("name") or "")],
        code_number=doc["code_number"], code_notation=doc["code_notation"],
        place=doc.get("place") or "", promulgation_date=issued,
        type_code=TYPE_CODES.get(doc.get("document_type")), type_detail=None,
        type_name=doc.get("document_type_name") or vocabulary.name(
            vocabulary.DOCUMENT_TYPES, doc.get("document_type")) or "",
        subject=doc["subject"], content=doc.get("description") or doc["subject"],
        signer_competence=competence, signer_position=position,
        signer_full_name=signer.get("full_name") or "",
        due_date=date.fromisoformat(doc["due_date"]) if doc.get("due_date") else None,
        to_places=[p for p in places if p], priority=PRIORITY_OF_URGENCY.get(
            doc.get("urgency") or "normal", 0),
        sphere="", typer_notation="", promulgation_amount=doc.get("issued_amount"),
        page_amount=doc.get("page_amount"), appendixes=[a.name for a in attachments[1:]],
        steering_type=0, response_for=correction_of(doc.get("related")),
        traces=[model.TraceHeader(organ_id=sender.organ_id, timestamp=now)],
        business=business_of(doc, document_id, staff),
        attachments=attachments, extras={})


def earlier_document_id(rel: dict) -> str:
    """The DocumentId of the earlier document a replacement or correction names (the
    ``related`` of documents' document_issued), as it went out."""
    return model.document_id_of(rel.get("organ_id") or "",
                                date.fromisoformat(rel["issued_date"]),
                                rel.get("code_number") or "", rel.get("code_notation") or "")


def business_of(doc: dict, document_id: str,
                staff: model.StaffInfo | None) -> model.Business:
    """Bussiness (2.2): a new document (0), or a replacement (3, thay thế, ND30 Điều 18.3)
    whose ReplacementInfo names the replaced document and the agencies the new one goes
    to (DOMAIN.md §2.8). A correction (đính chính) is a new document (0): ResponseFor
    names what it corrects (correction_of)."""
    rel = doc.get("related") or {}
    if rel.get("kind") != REPLACES:
        return model.Business(doc_type=model.NEW, reason="Văn bản điện tử mới",
                              document_id=document_id, paper=False, staff=staff)
    organ_ids = [r["organ_id"] for r in doc.get("recipients") or []
                 if r.get("delivery") == "exchange" and r.get("organ_id")]
    code = model.code_of(rel.get("code_number") or "", rel.get("code_notation") or "")
    return model.Business(
        doc_type=model.REPLACE, reason=f"Thay thế văn bản số {code}",
        document_id=document_id, paper=False, staff=staff,
        replacements=[model.Replacement(document_id=earlier_document_id(rel),
                                        organ_ids=organ_ids)])


def correction_of(rel: dict | None) -> list[model.ResponseFor]:
    """ResponseFor of a correction (đính chính): the corrected document (its organ, số/ký
    hiệu, date and DocumentId); none for any other document."""
    if not rel or rel.get("kind") != CORRECTS:
        return []
    return [model.ResponseFor(
        organ_id=rel.get("organ_id") or "",
        code=model.code_of(rel.get("code_number") or "", rel.get("code_notation") or ""),
        promulgation_date=date.fromisoformat(rel["issued_date"]),
        document_id=earlier_document_id(rel))]


#: what an update may change (documents' changes.UPDATABLE): the particulars a received
#: edoc of type 2 carries for them
UPDATABLE = ("subject", "description", "page_amount", "due_date", "urgency")


def edoc_of_update(doc: dict, update: dict, recipient: dict, now: datetime,
                   staff: model.StaffInfo | None = None) -> model.Edoc:
    """The edoc of type 2 (cập nhật) of an issued document for one agency: the document's
    particulars as they now are, no file (the files went with the document), the reason,
    and BussinessDocumentInfo saying the particulars changed and the recipients did not
    (DOMAIN.md §2.4)."""
    edoc = edoc_of_issued(doc, recipient, [], now, staff)
    return replace(edoc, business=model.Business(
        doc_type=model.UPDATE, reason=update.get("reason") or "Cập nhật thông tin văn bản",
        document_id=edoc.document_id, paper=False, staff=staff,
        document_info_changed=True, receivers_changed=False))


def update_changes(edoc: model.Edoc, today: date) -> dict:
    """The particulars a received update carries (UPDATABLE), as far as it gives them: an
    empty one never clears ours, nor does a deadline already passed."""
    fields = register_fields(edoc, today)
    out = {name: fields[name] for name in ("subject", "page_amount", "due_date", "urgency")
           if fields.get(name) is not None}
    content = (edoc.content or "").strip()
    if content and content != (edoc.subject or "").strip():
        out["description"] = content[:500]
    return out


def register_fields(edoc: model.Edoc, today: date) -> dict:
    """The fields of an incoming document (Phụ lục VI, documents' register_incoming)
    from an edoc, as far as the package gives them; what the register would refuse (a
    date in the future, a deadline already passed) is left for the văn thư to see."""
    issued = edoc.promulgation_date
    due = edoc.due_date if edoc.due_date and edoc.due_date >= today else None
    code_number = re.sub(r"\D", "", edoc.code_number or "")[:11]
    return {
        "code_number": code_number or None,
        "code_notation": (edoc.code_notation or "").strip()[:30] or None,
        "issued_date": issued.isoformat() if issued and issued <= today else None,
        "issuer": {"organ_id": edoc.sender.organ_id[:35],
                   "name": (edoc.sender.name or edoc.sender.organ_id)[:200]},
        "document_type": document_type_of(edoc.type_name, edoc.code_notation),
        "subject": (edoc.subject or edoc.content or "")[:500] or None,
        "urgency": URGENCY_OF_PRIORITY.get(edoc.priority, "normal"),
        "due_date": due.isoformat() if due else None,
        "page_amount": edoc.page_amount if edoc.page_amount and 0 < edoc.page_amount < 1000
        else None,
        "signer": {"position": (edoc.signer_position or "")[:100] or None,
                   "full_name": (edoc.signer_full_name or "")[:50] or None},
        "to_places": "; ".join(edoc.to_places)[:1000] or None,
    }


def status_package(code: str, *, original: dict, sender: model.Organ, description: str,
                   now: datetime, staff: model.StaffInfo | None = None) -> model.Status:
    """A status for the document ``original`` ({document_id, organ_id, code,
    promulgation_date}) we received; ``description`` is the reason where one is due."""
    issued = original.get("promulgation_date")
    return model.Status(
        response_for=model.ResponseFor(
            organ_id=original["organ_id"], code=original.get("code") or "",
            promulgation_date=date.fromisoformat(issued) if issued else None,
            document_id=original["document_id"]),
        sender=sender, code=code, description=description or STATUS_TEXT.get(code, ""),
        timestamp=now, staff=staff)


def status_entry(status: model.Status, received_at: datetime) -> dict:
    """A status as a delivery keeps and shows it."""
    vi, en = model.STATUS_CODES.get(status.code, (status.code, status.code))
    return {"code": status.code, "vi": vi, "en": en, "description": status.description,
            "at": status.timestamp.isoformat() if status.timestamp else None,
            "received_at": received_at.isoformat(), "from_organ_id": status.sender.organ_id}
