"""Writing edXML packages: ``build_edoc`` and ``build_status`` give the canonical form of
DOMAIN.md §2.2 whatever the lenient reader accepted — root ``edXML`` in the default namespace,
every envelope element with the ``edXML:`` prefix (a .NET reader on the axis was seen to
reject packages without it), ``AttachmentEncoded`` outside the envelope in the default
namespace with ContentId without "cid:", the manifest's with it, "Bussiness" spelt so, dates
yyyy/MM/dd and times yyyy/MM/dd HH:mm:ss in Vietnam's zone, each attachment the base64 of the
file itself (never zipped), UTF-8 with an XML declaration. The output is unsigned
(``signature.sign_package`` adds the signature) and depends only on its input.
"""
from __future__ import annotations

import base64
import hashlib
from datetime import date, datetime

from lxml import etree

from .errors import PackageError
from .model import (DOC_TYPES, NAMESPACE, PRIORITIES, STATUS_CODES, VN, Business, Edoc,
                    Organ, ResponseFor, StaffInfo, Status, document_id_of)
from .parse import EXTRA_CONTAINERS, KNOWN_ELEMENTS

XLINK = "http://www.w3.org/1999/xlink"
SOAP_ACTOR_NEXT = "http://schemas.xmlsoap.org/soap/actor/next"
#: Codes whose package must say why (a refusal): ND30 Điều 21.2.b, §2.7–2.8.
REASON_REQUIRED = frozenset({"02", "16"})


def _refuse(code: str, field: str, vi: str, en: str) -> PackageError:
    return PackageError(code, vi, en, field)


class _Writer:
    """Elements in the edXML namespace with the edXML: prefix (declared on the envelope),
    or unprefixed in the default namespace (declared on the root) outside it."""

    def __init__(self):
        self.root = etree.Element(etree.QName(NAMESPACE, "edXML"), nsmap={None: NAMESPACE})
        self.envelope = etree.SubElement(self.root, etree.QName(NAMESPACE, "edXMLEnvelope"),
                                         nsmap={"edXML": NAMESPACE})
        self.header = self.add(self.envelope, "edXMLHeader")

    @staticmethod
    def add(parent, name: str, text: str | None = None, field: str | None = None, **attrib):
        element = etree.SubElement(parent, etree.QName(NAMESPACE, name), **attrib)
        if text:
            try:
                element.text = text
            except ValueError:      # control characters XML 1.0 cannot carry
                raise _refuse("bad_value", field or name,
                              f"Trường {field or name} chứa ký tự không hợp lệ trong XML.",
                              f"Field {field or name} holds characters XML cannot carry.") \
                    from None
        return element

    def tobytes(self) -> bytes:
        return (b'<?xml version="1.0" encoding="UTF-8"?>\n'
                + etree.tostring(self.root, encoding="UTF-8", xml_declaration=False,
                                 pretty_print=True))


def _day(value: date | None) -> str:
    return "" if value is None else f"{value:%Y/%m/%d}"


def _moment(value: datetime | None, field: str) -> str:
    if value is None:
        return ""
    if value.tzinfo is None or value.utcoffset() is None:
        raise _refuse("bad_value", field, f"Thời điểm {field} không có múi giờ.",
                      f"The moment {field} has no time zone (a naive datetime).")
    return value.astimezone(VN).strftime("%Y/%m/%d %H:%M:%S")


def _number(value: int | None) -> str:
    return "" if value is None else str(int(value))


def _organ(writer: _Writer, parent, name: str, organ: Organ) -> None:
    element = writer.add(parent, name)
    for tag, value in (("OrganId", organ.organ_id), ("OrganizationInCharge", organ.in_charge),
                       ("OrganName", organ.name), ("OrganAdd", organ.address),
                       ("Email", organ.email), ("Telephone", organ.telephone),
                       ("Fax", organ.fax), ("Website", organ.website)):
        writer.add(element, tag, value, f"{name}/{tag}")


def _staff(writer: _Writer, parent, staff: StaffInfo | None) -> None:
    # always written, empty when no one is named: the samples always carry it
    staff = staff or StaffInfo()
    element = writer.add(parent, "StaffInfo")
    for tag, value in (("Department", staff.department), ("Staff", staff.staff),
                       ("Mobile", staff.mobile), ("Email", staff.email)):
        writer.add(element, tag, value, f"StaffInfo/{tag}")


def _response_for(writer: _Writer, parent, answered: ResponseFor) -> None:
    element = writer.add(parent, "ResponseFor")
    writer.add(element, "OrganId", answered.organ_id, "ResponseFor/OrganId")
    writer.add(element, "Code", answered.code, "ResponseFor/Code")
    writer.add(element, "PromulgationDate", _day(answered.promulgation_date))
    writer.add(element, "DocumentId", answered.document_id, "ResponseFor/DocumentId")


def _sender_required(organ: Organ) -> None:
    if not organ.organ_id:
        raise _refuse("missing_field", "From/OrganId",
                      "Thiếu mã định danh của cơ quan gửi (From/OrganId).",
                      "The sending agency's identifier (From/OrganId) is missing.")


# ---------------------------------------------------------------- documents

def build_edoc(edoc: Edoc) -> bytes:
    """The package of ``edoc`` (new, recall, update or replacement, as its business says)."""
    _sender_required(edoc.sender)
    document_id = edoc.document_id
    if not document_id:
        if not (edoc.promulgation_date and edoc.code):
            raise _refuse("missing_field", "DocumentId",
                          "Thiếu mã văn bản (DocumentId) và không đủ ngày ban hành, số, ký "
                          "hiệu để tạo.",
                          "The DocumentId is missing and cannot be derived without the "
                          "promulgation date and number.")
        document_id = document_id_of(edoc.sender.organ_id, edoc.promulgation_date,
                                     edoc.code_number, edoc.code_notation)
    if edoc.priority not in PRIORITIES:
        raise _refuse("bad_value", "OtherInfo/Priority", "Độ khẩn phải từ 0 đến 4.",
                      "The priority must be 0 to 4.")
    if edoc.business.doc_type not in DOC_TYPES:
        raise _refuse("bad_value", "Bussiness/BussinessDocType",
                      "Loại nghiệp vụ phải là 0, 1, 2 hoặc 3.",
                      "BussinessDocType must be 0, 1, 2 or 3.")
    writer = _Writer()
    add = writer.add
    message = add(writer.header, "MessageHeader")
    _organ(writer, message, "From", edoc.sender)
    for recipient in edoc.recipients:
        _organ(writer, message, "To", recipient)
    code = add(message, "Code")
    add(code, "CodeNumber", edoc.code_number, "Code/CodeNumber")
    add(code, "CodeNotation", edoc.code_notation, "Code/CodeNotation")
    promulgation = add(message, "PromulgationInfo")
    add(promulgation, "Place", edoc.place, "PromulgationInfo/Place")
    add(promulgation, "PromulgationDate", _day(edoc.promulgation_date))
    kind = add(message, "DocumentType")
    add(kind, "Type", _number(edoc.type_code))
    if edoc.type_detail is not None:
        add(kind, "TypeDetail", _number(edoc.type_detail))
    add(kind, "TypeName", edoc.type_name, "DocumentType/TypeName")
    add(message, "Subject", edoc.subject, "Subject")
    add(message, "Content", edoc.content, "Content")
    signer = add(message, "SignerInfo")
    add(signer, "Competence", edoc.signer_competence, "SignerInfo/Competence")
    add(signer, "Position", edoc.signer_position, "SignerInfo/Position")
    add(signer, "FullName", edoc.signer_full_name, "SignerInfo/FullName")
    add(message, "DueDate", _day(edoc.due_date))
    places = add(message, "ToPlaces")
    for place in edoc.to_places:
        add(places, "Place", place, "ToPlaces/Place")
    other = add(message, "OtherInfo")
    add(other, "Priority", str(edoc.priority))
    add(other, "SphereOfPromulgation", edoc.sphere, "OtherInfo/SphereOfPromulgation")
    add(other, "TyperNotation", edoc.typer_notation, "OtherInfo/TyperNotation")
    add(other, "PromulgationAmount", _number(edoc.promulgation_amount))
    add(other, "PageAmount", _number(edoc.page_amount))
    appendixes = add(other, "Appendixes")
    for appendix in edoc.appendixes:
        add(appendixes, "Appendix", appendix, "OtherInfo/Appendixes/Appendix")
    for answered in edoc.response_for:
        _response_for(writer, message, answered)
    add(message, "SteeringType", _number(edoc.steering_type))
    add(message, "DocumentId", document_id, "DocumentId")

    traces = add(writer.header, "TraceHeaderList",
                 # a stable id (the same package gives the same bytes), starting with a
                 # letter as an XML ID must
                 id="t" + hashlib.sha256(document_id.encode()).hexdigest()[:8],
                 version="1.0", mustUnderstand="1", actor=SOAP_ACTOR_NEXT)
    for trace in edoc.traces:
        element = add(traces, "TraceHeader")
        add(element, "OrganId", trace.organ_id, "TraceHeader/OrganId")
        add(element, "Timestamp", _moment(trace.timestamp, "TraceHeader/Timestamp"))
    business = _business(writer, traces, edoc.business)
    _extras(writer, message, business, edoc.extras)
    _attachments(writer, edoc)
    return writer.tobytes()


def _business(writer: _Writer, parent, business: Business):
    add = writer.add
    element = add(parent, "Bussiness")
    # the order of the VPCP SDK's sample (edoc_new.edxml, edoc_update.edxml)
    add(element, "DocumentId", business.document_id, "Bussiness/DocumentId")
    add(element, "BussinessDocType", str(business.doc_type))
    add(element, "BussinessDocReason", business.reason, "Bussiness/BussinessDocReason")
    add(element, "Paper", "1" if business.paper else "0")
    if (business.document_info_changed is not None or business.receivers_changed is not None
            or business.receivers):
        info = add(element, "BussinessDocumentInfo")
        if business.document_info_changed is not None:
            add(info, "DocumentInfo", "1" if business.document_info_changed else "0")
        if business.receivers_changed is not None:
            add(info, "DocumentReceiver", "1" if business.receivers_changed else "0")
        if business.receivers:
            receivers = add(info, "ReceiverList")
            for receiver_type, organ_id in business.receivers:
                receiver = add(receivers, "Receiver")
                add(receiver, "OrganId", organ_id, "ReceiverList/Receiver/OrganId")
                add(receiver, "ReceiverType", str(int(receiver_type)))
    _staff(writer, element, business.staff)
    if business.replacements:
        replacements = add(element, "ReplacementInfoList")
        for replacement in business.replacements:
            info = add(replacements, "ReplacementInfo")
            add(info, "DocumentId", replacement.document_id, "ReplacementInfo/DocumentId")
            organs = add(info, "OrganIdList")
            for organ_id in replacement.organ_ids:
                add(organs, "OrganId", organ_id, "ReplacementInfo/OrganIdList/OrganId")
    return element


def _extras(writer: _Writer, message, business, extras: dict[str, str]) -> None:
    """Vendor elements, each at the path it was read from ("OtherInfo/Direction"), after
    the known ones of its container."""
    made: dict[tuple[str, ...], etree._Element] = {}
    for key, value in extras.items():
        parts = key.split("/")
        names = [part.split("[", 1)[0] for part in parts]
        if names[0] == "Bussiness" and len(parts) > 1:
            parent, known, start = business, KNOWN_ELEMENTS["Bussiness"], 1
        elif names[0] in EXTRA_CONTAINERS and len(parts) > 1:
            parent = message.find(f"{{{NAMESPACE}}}{names[0]}")
            known, start = KNOWN_ELEMENTS[names[0]], 1
        else:
            parent, known, start = message, KNOWN_ELEMENTS[""], 0
        if names[start] in known:
            raise _refuse("bad_value", "extras",
                          f"Trường bổ sung “{key}” trùng tên một trường chuẩn.",
                          f"The extra '{key}' names a standard element.")
        try:
            for depth in range(start, len(parts) - 1):     # containers, made once
                path = tuple(parts[:depth + 1])
                if path not in made:
                    made[path] = writer.add(parent, names[depth])
                parent = made[path]
            writer.add(parent, names[-1], value, key)
        except ValueError:
            raise _refuse("bad_value", "extras", f"Tên trường bổ sung “{key}” không hợp lệ.",
                          f"The extra '{key}' is not a valid element path.") from None


def _attachments(writer: _Writer, edoc: Edoc) -> None:
    add = writer.add
    body = add(writer.envelope, "edXMLBody")
    manifest = add(body, "edXMLManifest", version="1.0")
    if not edoc.attachments:
        return
    encoded = etree.SubElement(writer.root, etree.QName(NAMESPACE, "AttachmentEncoded"))
    seen = set()
    for attachment in edoc.attachments:
        content_id = attachment.content_id.strip()
        if content_id[:4].lower() == "cid:":
            content_id = content_id[4:]
        if not content_id or content_id in seen:
            raise _refuse("attachment_mismatch", "ContentId",
                          "Mỗi tệp đính kèm cần một mã (ContentId) riêng, không trùng.",
                          "Every attachment needs its own, distinct ContentId.")
        seen.add(content_id)
        try:
            reference = etree.SubElement(
                manifest, etree.QName(NAMESPACE, "Reference"), nsmap={"xlink": XLINK},
                attrib={f"{{{XLINK}}}href": f"cid:{content_id}",
                        f"{{{XLINK}}}role": "XLinkRole", f"{{{XLINK}}}type": "simple"})
        except ValueError:
            raise _refuse("bad_value", "ContentId",
                          "Mã (ContentId) của tệp đính kèm chứa ký tự không hợp lệ trong XML.",
                          "An attachment's ContentId holds characters XML cannot carry.") \
                from None
        add(reference, "Description", attachment.description, "Reference/Description")
        add(reference, "AttachmentName", attachment.name, "Reference/AttachmentName")
        add(reference, "ContentType", attachment.content_type, "Reference/ContentType")
        add(reference, "ContentId", f"cid:{content_id}", "Reference/ContentId")
        carried = add(encoded, "Attachment")
        add(carried, "ContentType", attachment.content_type, "Attachment/ContentType")
        add(carried, "ContentId", content_id, "Attachment/ContentId")
        add(carried, "Description", attachment.description, "Attachment/Description")
        add(carried, "ContentTransferEncoded", base64.b64encode(attachment.data).decode())
        add(carried, "AttachmentName", attachment.name, "Attachment/AttachmentName")


# ---------------------------------------------------------------- statuses

def build_status(status: Status) -> bytes:
    """The status package in the shape of the SDK's samples (status_*.edxml): a
    MessageHeader with From, ResponseFor, StaffInfo, StatusCode, Description, Timestamp.
    A code without a known meaning is refused (14 above all: it is a sample's bug)."""
    if status.code not in STATUS_CODES:
        raise _refuse("unknown_status", "StatusCode",
                      f"Không gửi mã trạng thái “{status.code}”: mã không có trong danh mục "
                      "(01–06, 13, 15, 16).",
                      f"Status code '{status.code}' is not sent: it is not a known code "
                      "(01–06, 13, 15, 16).")
    _sender_required(status.sender)
    if not status.response_for.document_id:
        raise _refuse("missing_field", "ResponseFor/DocumentId",
                      "Thiếu mã văn bản được phản hồi (ResponseFor/DocumentId).",
                      "The DocumentId of the document the status answers is missing.")
    if status.timestamp is None:
        raise _refuse("missing_field", "Timestamp", "Thiếu thời điểm của trạng thái.",
                      "The status's timestamp is missing.")
    if status.code in REASON_REQUIRED and not status.description.strip():
        meaning_vi, meaning_en = STATUS_CODES[status.code]
        raise _refuse("missing_field", "Description",
                      f"Trạng thái {status.code} ({meaning_vi}) phải nêu lý do.",
                      f"Status {status.code} ({meaning_en}) must give its reason.")
    writer = _Writer()
    message = writer.add(writer.header, "MessageHeader")
    _organ(writer, message, "From", status.sender)
    _response_for(writer, message, status.response_for)
    _staff(writer, message, status.staff)
    writer.add(message, "StatusCode", status.code)
    writer.add(message, "Description", status.description, "Description")
    writer.add(message, "Timestamp", _moment(status.timestamp, "Timestamp"))
    return writer.tobytes()
