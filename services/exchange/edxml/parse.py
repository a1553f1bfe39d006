"""Reading an edXML package (QCVN 102:2016, DOMAIN.md §2): ``parse_package(data)`` gives an
``Edoc`` or a ``Status``, or raises ``PackageError`` — never anything else.

Hardened, because packages come from other agencies' systems through the axis:
- the size is checked before anything is parsed, and lxml parses with entities, DTDs and the
  network off and libxml2's safety limits on (``huge_tree=False``); any DOCTYPE is refused,
  which rules out external entities and entity expansion bombs whatever they declare;
- attachments are counted and their decoded size known before they are decoded, and a ZIP
  is inflated only up to the limits.

Lenient where real senders differ (§2.9): dates as yyyy/MM/dd, dd/MM/yyyy or yyyy-MM-dd with
or without a time; ContentId with or without "cid:" on either side; AttachmentEncoded in the
default namespace or prefixed; a payload that is the file's base64 or the base64 of a ZIP
holding the file; a status as a MessageHeader with StatusCode (the SDK samples), as an
edXML:Status element, or SOAP-wrapped by legacy provincial gateways. Empty elements are ""
or None, and only what cannot be done without is required: DocumentId (derived from the
sender, date and số/ký hiệu when absent), From/OrganId, and for a status its
ResponseFor/DocumentId and StatusCode. The signature is ignored here (see signature.py).
"""
from __future__ import annotations

import base64
import binascii
import io
import mimetypes
import posixpath
import re
import struct
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from lxml import etree

from .errors import PackageError
from .model import (DOC_TYPES, NAMESPACE, NEW, PRIORITIES, STATUS_CODES, VN, Attachment,
                    Business, Edoc, Organ, Replacement, ResponseFor, StaffInfo, Status,
                    TraceHeader, document_id_of)

MIB = 1024 * 1024
SOAP_NAMESPACE = "http://schemas.xmlsoap.org/soap/envelope/"
#: Look-alike namespaces of builders that got it wrong (§2.9.1): named in the refusal.
WRONG_NAMESPACES = frozenset({"http://www.go.vn/eDoc"})
# Where edXML's elements may be: its namespace, none (a sender that declared only the
# edXML: prefix and left AttachmentEncoded unprefixed), and SOAP's, because a legacy
# gateway binds the edXML: prefix to the SOAP namespace in its status messages.
_OURS = frozenset({NAMESPACE, "", SOAP_NAMESPACE})


@dataclass(frozen=True)
class Limits:
    """What a package may cost: bigger packages, more or bigger files are refused before
    they are decoded; ``max_inflated_bytes`` bounds what all attachments decode and unzip
    to together."""
    max_package_bytes: int = 60 * MIB
    max_attachment_bytes: int = 40 * MIB
    max_attachments: int = 50
    max_inflated_bytes: int = 100 * MIB


def _size(size: int) -> str:
    """A size as people read it: "60 MB", "7.5 MB", "900 KB"."""
    if size < MIB // 10:
        return f"{max(1, round(size / 1024))} KB"
    return f"{size / MIB:.1f}".removesuffix(".0") + " MB"


# ---------------------------------------------------------------- safe XML

class _TreeTarget:
    """Builds the tree through lxml's TreeBuilder instead of libxml2's own tree builder.
    Why: with ``huge_tree=False`` libxml2 refuses any text node over 10 MB, and a 40 MiB
    attachment is a 53 MB base64 text node; a parser target receives text in chunks, so
    the big payload passes while libxml2 keeps every other limit (nesting depth, name and
    attribute lengths). A DOCTYPE stops the parse at once, before its declarations are
    read."""

    def __init__(self):
        self._builder = etree.TreeBuilder()
        self.saw_doctype = False

    def start(self, tag, attrib, nsmap):
        # the SAX layer names the default namespace "", lxml's element API None
        return self._builder.start(tag, attrib, {(prefix or None): uri
                                                 for prefix, uri in nsmap.items()})

    def end(self, tag):
        return self._builder.end(tag)

    def data(self, text):
        self._builder.data(text)

    def pi(self, target, data=None):
        # kept: exclusive c14n (the signature's digest) includes processing instructions
        return self._builder.pi(target, data)

    def comment(self, text):
        pass        # never read, and the signature's canonical form leaves them out

    def doctype(self, name, public_id, system_url):
        self.saw_doctype = True
        raise _Doctype()

    def close(self):
        builder, self._builder = self._builder, etree.TreeBuilder()
        return builder.close()


class _Doctype(Exception):
    pass


def safe_parser() -> tuple[etree.XMLParser, _TreeTarget]:
    """A fresh hardened parser and its target (which tells whether a DOCTYPE was met)."""
    target = _TreeTarget()
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                             huge_tree=False, remove_comments=True, target=target)
    return parser, target


def load_xml(data: bytes, limits: Limits = Limits()) -> etree._Element:
    """The root element of ``data``: size checked first, any DOCTYPE refused."""
    if len(data) > limits.max_package_bytes:
        raise PackageError(
            "too_large",
            f"Gói tin lớn {_size(len(data))}, vượt giới hạn {_size(limits.max_package_bytes)} "
            "nên không được tiếp nhận.",
            f"The package is {_size(len(data))}, over the limit of "
            f"{_size(limits.max_package_bytes)}.")
    parser, target = safe_parser()
    try:
        root = etree.fromstring(bytes(data), parser)
    except Exception as exc:  # noqa: BLE001 - lxml raises several kinds; the sender gets one
        if target.saw_doctype:
            raise _dtd_forbidden() from None
        detail = str(exc)[:200]
        raise PackageError(
            "not_xml",
            f"Gói tin không phải XML hợp lệ (lỗi cú pháp: {detail}).",
            f"The package is not well-formed XML ({detail}).") from None
    if target.saw_doctype:          # never reached: the target stops the parse
        raise _dtd_forbidden()
    return root


def _dtd_forbidden() -> PackageError:
    return PackageError(
        "dtd_forbidden",
        "Gói tin có khai báo DOCTYPE (DTD, thực thể); gói tin edXML không được chứa DOCTYPE "
        "nên bị từ chối vì lý do an toàn.",
        "The package has a DOCTYPE (DTD or entity declarations); edXML packages must not, "
        "and it is refused for safety.")


# ---------------------------------------------------------------- elements

def _local(element) -> str:
    return etree.QName(element).localname


def _ours(element) -> bool:
    return isinstance(element.tag, str) and (etree.QName(element).namespace or "") in _OURS


def _children(parent, *names: str) -> list:
    if parent is None:
        return []
    return [child for child in parent if _ours(child) and _local(child) in names]


def _child(parent, *names: str):
    found = _children(parent, *names)
    return found[0] if found else None


def _text(parent, *names: str) -> str:
    element = _child(parent, *names)
    return "" if element is None else "".join(element.itertext()).strip()


def _missing(field: str, vi_what: str, en_what: str) -> PackageError:
    return PackageError("missing_field", f"Gói tin thiếu {vi_what} ({field}).",
                        f"The package lacks {en_what} ({field}).", field)


def _bad(field: str, value: str, vi_why: str, en_why: str) -> PackageError:
    shown = value if len(value) <= 60 else value[:57] + "..."
    return PackageError("bad_value", f"Trường {field} có giá trị “{shown}” không hợp lệ: "
                                     f"{vi_why}.",
                        f"Field {field} has an invalid value '{shown}': {en_why}.", field)


# ---------------------------------------------------------------- values

_MOMENT = re.compile(r"""
    (?: (?P<y>\d{4}) [/-] (?P<m>\d{1,2}) [/-] (?P<d>\d{1,2})
      | (?P<d2>\d{1,2}) [/-] (?P<m2>\d{1,2}) [/-] (?P<y2>\d{4}) )
    (?: [ T]+ (?P<H>\d{1,2}) : (?P<M>\d{2}) (?: : (?P<S>\d{2}) (?: [.,]\d+ )? )? )?
    \s* (?P<zone> Z | [+-]\d{2}:?\d{2} )?
""", re.VERBOSE)


def _moment_parts(value: str, field: str):
    found = _MOMENT.fullmatch(value)
    if not found:
        raise _bad(field, value, "ngày tháng phải theo dạng yyyy/MM/dd (có thể kèm HH:mm:ss)",
                   "dates must be yyyy/MM/dd (optionally with HH:mm:ss)")
    parts = found.groupdict()
    try:
        day = date(int(parts["y"] or parts["y2"]), int(parts["m"] or parts["m2"]),
                   int(parts["d"] or parts["d2"]))
    except ValueError:
        raise _bad(field, value, "không có ngày này", "no such date") from None
    return day, parts


def _date(value: str, field: str) -> date | None:
    if not value:
        return None
    return _moment_parts(value, field)[0]


def _moment(value: str, field: str) -> datetime | None:
    if not value:
        return None
    day, parts = _moment_parts(value, field)
    zone = VN          # edXML times carry no zone: they are Vietnam's
    if parts["zone"]:
        text = parts["zone"].replace(":", "")
        if text == "Z":
            zone = timezone.utc
        else:
            sign = -1 if text[0] == "-" else 1
            zone = timezone(sign * timedelta(hours=int(text[1:3]), minutes=int(text[3:5])))
    try:
        moment = datetime(day.year, day.month, day.day, int(parts["H"] or 0),
                          int(parts["M"] or 0), int(parts["S"] or 0), tzinfo=zone)
    except ValueError:
        raise _bad(field, value, "giờ không hợp lệ", "no such time of day") from None
    return moment.astimezone(VN)


def _int(value: str, field: str) -> int | None:
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        raise _bad(field, value, "phải là số nguyên", "it must be a whole number") from None


def _flag(value: str, field: str) -> bool | None:
    lowered = value.lower()
    if not lowered:
        return None
    if lowered in ("1", "true"):
        return True
    if lowered in ("0", "false"):
        return False
    raise _bad(field, value, "phải là 0 hoặc 1", "it must be 0 or 1")


# ---------------------------------------------------------------- parts

def _organ(element, field: str, required: bool = False) -> Organ:
    organ_id = _text(element, "OrganId")
    if required and not organ_id:
        raise _missing(f"{field}/OrganId", "mã định danh của cơ quan gửi",
                       "the sending agency's identifier")
    return Organ(organ_id=organ_id, name=_text(element, "OrganName"),
                 in_charge=_text(element, "OrganizationInCharge"),
                 address=_text(element, "OrganAdd"), email=_text(element, "Email"),
                 telephone=_text(element, "Telephone"), fax=_text(element, "Fax"),
                 website=_text(element, "Website"))


def _staff(element) -> StaffInfo | None:
    if element is None:
        return None
    staff = StaffInfo(department=_text(element, "Department"), staff=_text(element, "Staff"),
                      mobile=_text(element, "Mobile"), email=_text(element, "Email"))
    # builders that have no one to name write an empty StaffInfo: that says nothing
    return staff if staff != StaffInfo() else None


def _response_for(element) -> ResponseFor:
    code = _child(element, "Code")
    if code is not None and len(code):
        # some builders write the answered document's Code as in 1.3 (number, notation)
        text = "/".join(part for part in (_text(code, "CodeNumber"),
                                          _text(code, "CodeNotation")) if part)
    else:
        text = _text(element, "Code")
    return ResponseFor(
        organ_id=_text(element, "OrganId"), code=text,
        promulgation_date=_date(_text(element, "PromulgationDate"),
                                "ResponseFor/PromulgationDate"),
        document_id=_text(element, "DocumentId"))


# ---------------------------------------------------------------- the package

def parse_package(data: bytes, limits: Limits = Limits()) -> Edoc | Status:
    """The document or status that ``data`` carries; ``PackageError`` when it cannot be
    read, with the reason for the clerk (vi) and for the sender (en)."""
    root = load_xml(data, limits)
    tag = etree.QName(root)
    namespace, name = tag.namespace or "", tag.localname
    if namespace == SOAP_NAMESPACE and name == "Envelope":
        status = _child(_child(root, "Header"), "Status")
        if status is None:
            raise _not_edxml("a SOAP envelope without a Status in its Header")
        return _status(status)
    if namespace != NAMESPACE or name != "edXML":
        if namespace in WRONG_NAMESPACES or (name.lower().startswith("edxml")
                                             and namespace != NAMESPACE):
            shown_vi = f"sai không gian tên (namespace) “{namespace}”" if namespace else \
                "không khai báo không gian tên (namespace)"
            shown_en = f"the namespace '{namespace}'" if namespace else "no namespace"
            raise PackageError(
                "wrong_namespace",
                f"Gói tin dùng {shown_vi}; gói tin edXML theo QCVN 102:2016 phải dùng "
                f"{NAMESPACE}.",
                f"The package uses {shown_en}; QCVN 102:2016 edXML packages use {NAMESPACE}.",
                "edXML")
        raise _not_edxml(f"the root element is {name}, not edXML")
    envelope = _child(root, "edXMLEnvelope")
    header = _child(envelope, "edXMLHeader")
    if header is None:
        raise _not_edxml("no edXMLEnvelope/edXMLHeader")
    status = _child(header, "Status")
    if status is not None:
        return _status(status)
    message = _child(header, "MessageHeader")
    if message is None:
        raise _not_edxml("no MessageHeader in edXMLHeader")
    if _child(message, "StatusCode") is not None:
        return _status(message)
    return _edoc(root, envelope, header, message, limits)


def _not_edxml(why: str) -> PackageError:
    return PackageError(
        "not_edxml",
        "Tệp là XML nhưng không phải gói tin edXML theo QCVN 102:2016 "
        "(cần edXML/edXMLEnvelope/edXMLHeader).",
        f"The file is XML but not a QCVN 102:2016 edXML package: {why}.", "edXML")


def _status(element) -> Status:
    """A status, from a MessageHeader holding StatusCode or from a Status element."""
    sender = _organ(_child(element, "From"), "From", required=True)
    answered = _child(element, "ResponseFor")
    response_for = _response_for(answered)
    if not response_for.document_id:
        raise _missing("ResponseFor/DocumentId", "mã văn bản được phản hồi",
                       "the DocumentId of the document the status is about")
    code = _text(element, "StatusCode")
    if not code:
        raise _missing("StatusCode", "mã trạng thái", "the status code")
    if code.isdigit() and len(code) < 2:
        code = code.zfill(2)            # "3" is 03: the code is two digits
    if code not in STATUS_CODES:
        known = "01–06, 13, 15, 16"
        hint_vi = " (mã 15 là “đồng ý cập nhật/lấy lại”)" if code == "14" else ""
        hint_en = " (for 'change agreed' the code is 15)" if code == "14" else ""
        raise PackageError(
            "unknown_status",
            f"Mã trạng thái “{code[:20]}” không có trong danh mục ({known}){hint_vi}, nên "
            "không xử lý được.",
            f"Status code '{code[:20]}' is unknown (known codes: {known}){hint_en}.",
            "StatusCode")
    return Status(response_for=response_for, sender=sender, code=code,
                  description=_text(element, "Description"),
                  timestamp=_moment(_text(element, "Timestamp"), "Timestamp"),
                  staff=_staff(_child(element, "StaffInfo")))


def _edoc(root, envelope, header, message, limits: Limits) -> Edoc:
    sender = _organ(_child(message, "From"), "From", required=True)
    code = _child(message, "Code")
    code_number, code_notation = _text(code, "CodeNumber"), _text(code, "CodeNotation")
    promulgation = _child(message, "PromulgationInfo")
    promulgation_date = _date(_text(promulgation, "PromulgationDate"),
                              "PromulgationInfo/PromulgationDate")
    document_id = _text(message, "DocumentId")
    if not document_id:
        if not (promulgation_date and (code_number or code_notation)):
            raise _missing("DocumentId", "mã văn bản, và không đủ ngày ban hành, số và ký hiệu "
                           "để suy ra", "the DocumentId, and the promulgation date and number "
                           "needed to derive it")
        document_id = document_id_of(sender.organ_id, promulgation_date, code_number,
                                     code_notation)
    kind = _child(message, "DocumentType")
    signer = _child(message, "SignerInfo")
    other = _child(message, "OtherInfo")
    priority = _int(_text(other, "Priority"), "OtherInfo/Priority")
    if priority is not None and priority not in PRIORITIES:
        raise _bad("OtherInfo/Priority", str(priority), "độ khẩn phải từ 0 đến 4",
                   "the priority must be 0 to 4")
    trace_list = _child(header, "TraceHeaderList")
    return Edoc(
        document_id=document_id, sender=sender,
        recipients=[_organ(to, "To") for to in _children(message, "To")],
        code_number=code_number, code_notation=code_notation,
        place=_text(promulgation, "Place"), promulgation_date=promulgation_date,
        type_code=_int(_text(kind, "Type"), "DocumentType/Type"),
        type_detail=_int(_text(kind, "TypeDetail"), "DocumentType/TypeDetail"),
        type_name=_text(kind, "TypeName"),
        subject=_text(message, "Subject"), content=_text(message, "Content"),
        signer_competence=_text(signer, "Competence"),
        signer_position=_text(signer, "Position"), signer_full_name=_text(signer, "FullName"),
        due_date=_date(_text(message, "DueDate"), "DueDate"),
        to_places=_texts(_child(message, "ToPlaces"), "Place"),
        priority=priority or 0,
        sphere=_text(other, "SphereOfPromulgation"),
        typer_notation=_text(other, "TyperNotation"),
        promulgation_amount=_int(_text(other, "PromulgationAmount"),
                                 "OtherInfo/PromulgationAmount"),
        page_amount=_int(_text(other, "PageAmount"), "OtherInfo/PageAmount"),
        appendixes=_texts(_child(other, "Appendixes"), "Appendix"),
        steering_type=_int(_text(message, "SteeringType"), "SteeringType"),
        response_for=[_response_for(element) for element in _children(message, "ResponseFor")],
        traces=[TraceHeader(organ_id=_text(trace, "OrganId"),
                            timestamp=_moment(_text(trace, "Timestamp"), "TraceHeader/Timestamp"))
                for trace in _children(trace_list, "TraceHeader")],
        business=_business(_child(trace_list, "Bussiness", "Business")),
        attachments=_attachments(root, envelope, limits),
        extras=_extras(message, _child(trace_list, "Bussiness", "Business")),
    )


def _texts(parent, name: str) -> list[str]:
    # an empty Place or Appendix is a builder's placeholder, not a value
    return [text for text in ("".join(element.itertext()).strip()
                              for element in _children(parent, name)) if text]


def _business(element) -> Business:
    if element is None:
        return Business()
    doc_type = _int(_text(element, "BussinessDocType", "BusinessDocType"),
                    "Bussiness/BussinessDocType")
    if doc_type is not None and doc_type not in DOC_TYPES:
        raise _bad("Bussiness/BussinessDocType", str(doc_type),
                   "loại nghiệp vụ phải là 0 (mới), 1 (thu hồi), 2 (cập nhật) hoặc 3 (thay thế)",
                   "it must be 0 (new), 1 (recall), 2 (update) or 3 (replace)")
    info = _child(element, "BussinessDocumentInfo", "BusinessDocumentInfo")
    receivers = []
    for receiver in _children(_child(info, "ReceiverList"), "Receiver"):
        organ_id, kind = _text(receiver, "OrganId"), _text(receiver, "ReceiverType")
        if not organ_id and not kind:
            continue            # an empty placeholder
        if not organ_id or not kind:
            field = "ReceiverList/Receiver/" + ("OrganId" if not organ_id else "ReceiverType")
            raise _missing(field, "thông tin của một nơi nhận được cập nhật",
                           "part of an updated receiver")
        receivers.append((_int(kind, "ReceiverList/Receiver/ReceiverType"), organ_id))
    replacements = []
    for replacement in _children(_child(element, "ReplacementInfoList"), "ReplacementInfo"):
        replaced = Replacement(
            document_id=_text(replacement, "DocumentId"),
            organ_ids=_texts(_child(replacement, "OrganIdList"), "OrganId"))
        if replaced != Replacement(document_id=""):
            replacements.append(replaced)
    return Business(
        doc_type=NEW if doc_type is None else doc_type,
        reason=_text(element, "BussinessDocReason", "BusinessDocReason"),
        document_id=_text(element, "DocumentId"),
        paper=bool(_flag(_text(element, "Paper"), "Bussiness/Paper")),
        staff=_staff(_child(element, "StaffInfo")),
        document_info_changed=_flag(_text(info, "DocumentInfo"),
                                    "BussinessDocumentInfo/DocumentInfo"),
        receivers_changed=_flag(_text(info, "DocumentReceiver"),
                                "BussinessDocumentInfo/DocumentReceiver"),
        receivers=receivers, replacements=replacements)


# ---------------------------------------------------------------- vendor extras

#: What this codec reads in MessageHeader, and inside its single containers.
KNOWN_ELEMENTS = {
    "": {"From", "To", "Code", "PromulgationInfo", "DocumentType", "Subject", "Content",
         "SignerInfo", "DueDate", "ToPlaces", "OtherInfo", "ResponseFor", "SteeringType",
         "DocumentId"},
    "Code": {"CodeNumber", "CodeNotation"},
    "PromulgationInfo": {"Place", "PromulgationDate"},
    "DocumentType": {"Type", "TypeDetail", "TypeName"},
    "SignerInfo": {"Competence", "Position", "FullName"},
    "OtherInfo": {"Priority", "SphereOfPromulgation", "TyperNotation", "PromulgationAmount",
                  "PageAmount", "Appendixes"},
    "Bussiness": {"BussinessDocType", "BusinessDocType", "BussinessDocReason",
                  "BusinessDocReason", "DocumentId", "Paper", "StaffInfo",
                  "BussinessDocumentInfo", "BusinessDocumentInfo", "ReplacementInfoList"},
}
#: Containers whose unknown children are kept.
EXTRA_CONTAINERS = ("Code", "PromulgationInfo", "DocumentType", "SignerInfo", "OtherInfo")


def _extras(message, business) -> dict[str, str]:
    """Elements this codec does not know, by path ("OtherInfo/Direction" → "false"): kept,
    so nothing a sender wrote is lost, and never required."""
    found: dict[str, str] = {}
    seen: dict[str, int] = {}
    for child in message:
        if not isinstance(child.tag, str):
            continue
        name = _local(child)
        if not _ours(child) or name not in KNOWN_ELEMENTS[""]:
            _flatten(child, name, found, seen)
        elif name in EXTRA_CONTAINERS:
            for grandchild in child:
                if isinstance(grandchild.tag, str) and (
                        not _ours(grandchild) or _local(grandchild) not in KNOWN_ELEMENTS[name]):
                    _flatten(grandchild, f"{name}/{_local(grandchild)}", found, seen)
    for child in (business if business is not None else ()):
        if isinstance(child.tag, str) and (not _ours(child)
                                           or _local(child) not in KNOWN_ELEMENTS["Bussiness"]):
            _flatten(child, f"Bussiness/{_local(child)}", found, seen)
    return found


def _flatten(element, path: str, found: dict[str, str], seen: dict[str, int]) -> None:
    children = [child for child in element if isinstance(child.tag, str)]
    if children:
        for child in children:
            _flatten(child, f"{path}/{_local(child)}", found, seen)
        return
    # a repeated element is "X", then "X[2]", "X[3]"…
    seen[path] = count = seen.get(path, 0) + 1
    found[path if count == 1 else f"{path}[{count}]"] = (element.text or "").strip()


# ---------------------------------------------------------------- attachments

_ZIP_TYPES = frozenset({"application/zip", "application/x-zip-compressed", "application/x-zip",
                        "multipart/x-zip"})
# Python's built-in table only (not the machine's mime.types): the same answer everywhere;
# plus the axis's own packages, which the SDK's samples carry zipped inside packages
_MIME = mimetypes.MimeTypes()
_MIME.add_type("application/xml", ".edxml")


def _content_id(value: str) -> str:
    value = value.strip().strip("<>").strip()
    return value[4:] if value[:4].lower() == "cid:" else value


def _attachments(root, envelope, limits: Limits) -> list[Attachment]:
    references = _children(_child(_child(envelope, "edXMLBody"), "edXMLManifest", "Manifest"),
                           "Reference")
    # AttachmentEncoded belongs outside the envelope; a sender that put it inside is heard too
    encoded = (_children(_child(root, "AttachmentEncoded"), "Attachment")
               + _children(_child(envelope, "AttachmentEncoded"), "Attachment"))
    count = max(len(references), len(encoded))
    if count > limits.max_attachments:
        raise PackageError(
            "too_many_attachments",
            f"Gói tin có {count} tệp đính kèm, vượt giới hạn {limits.max_attachments} tệp.",
            f"The package has {count} attachments, over the limit of "
            f"{limits.max_attachments}.", "AttachmentEncoded")
    listed = _by_content_id(references, lambda ref: _text(ref, "ContentId") or ref.get(
        "{http://www.w3.org/1999/xlink}href", ""), "edXMLManifest")
    carried = _by_content_id(encoded, lambda attachment: _text(attachment, "ContentId"),
                             "AttachmentEncoded")
    for content_id in listed.keys() - carried.keys():
        raise _mismatch(content_id, "có trong danh mục (Manifest) nhưng không có nội dung trong "
                        "AttachmentEncoded", "is listed in the manifest but has no "
                        "AttachmentEncoded content")
    for content_id in carried.keys() - listed.keys():
        raise _mismatch(content_id, "có nội dung trong AttachmentEncoded nhưng không có trong "
                        "danh mục (Manifest)", "has AttachmentEncoded content but is not "
                        "listed in the manifest")
    budget = limits.max_inflated_bytes
    attachments = []
    for content_id, reference in listed.items():
        attachment = carried[content_id]
        name = _text(reference, "AttachmentName") or _text(attachment, "AttachmentName")
        content_type = _text(reference, "ContentType") or _text(attachment, "ContentType")
        description = _text(reference, "Description") or _text(attachment, "Description")
        data = _decoded(_text(attachment, "ContentTransferEncoded"), content_id, name, limits)
        unzipped = _unzipped(data, content_id, name, limits, budget)
        if unzipped is not None:
            data, member = unzipped
            name = member or name
            if content_type.lower() in _ZIP_TYPES or not content_type:
                # the declared type was the wrapper's; the file inside is what is kept
                content_type = _MIME.guess_type(name)[0] or "application/octet-stream"
        budget -= len(data)
        if budget < 0:
            raise _inflated_too_large(limits)
        attachments.append(Attachment(content_id=content_id, name=name,
                                      content_type=content_type, data=data,
                                      description=description))
    return attachments


def _by_content_id(elements, content_id_of, where: str) -> dict:
    found = {}
    for element in elements:
        content_id = _content_id(content_id_of(element))
        if not content_id:
            raise _missing(f"{where}/ContentId", "mã (ContentId) của một tệp đính kèm",
                           "an attachment's ContentId")
        if content_id in found:
            raise _mismatch(content_id, f"xuất hiện hai lần trong {where}",
                            f"appears twice in {where}")
        found[content_id] = element
    return found


def _mismatch(content_id: str, vi: str, en: str) -> PackageError:
    return PackageError("attachment_mismatch", f"Tệp đính kèm cid:{content_id} {vi}.",
                        f"Attachment cid:{content_id} {en}.", f"Attachment[cid:{content_id}]")


def _too_large(content_id: str, name: str, size: int, limits: Limits, unzipped: bool):
    vi_how, en_how = (" khi giải nén", " once unzipped") if unzipped else ("", "")
    return PackageError(
        "attachment_too_large",
        f"Tệp đính kèm “{name}” lớn hơn {_size(limits.max_attachment_bytes)}{vi_how} "
        f"(vượt giới hạn cho mỗi tệp).",
        f"Attachment '{name}' is over the limit of {_size(limits.max_attachment_bytes)} per "
        f"file{en_how} ({_size(size)} or more).", f"Attachment[cid:{content_id}]")


def _inflated_too_large(limits: Limits) -> PackageError:
    return PackageError(
        "too_large",
        f"Các tệp đính kèm của gói tin khi giải mã, giải nén lớn hơn "
        f"{_size(limits.max_inflated_bytes)}, vượt giới hạn.",
        f"The package's attachments decode and unzip to more than "
        f"{_size(limits.max_inflated_bytes)}, over the limit.", "AttachmentEncoded")


def _decoded(text: str, content_id: str, name: str, limits: Limits) -> bytes:
    compact = "".join(text.split())         # senders wrap base64 in lines
    # the decoded size is known from the text's length: an oversized file is refused
    # before it is decoded
    size = len(compact) // 4 * 3
    if size - 2 > limits.max_attachment_bytes:
        raise _too_large(content_id, name, size, limits, unzipped=False)
    try:
        data = base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise PackageError(
            "bad_attachment",
            f"Nội dung tệp đính kèm “{name}” không phải dữ liệu base64 hợp lệ.",
            f"The content of attachment '{name}' is not valid base64.",
            f"Attachment[cid:{content_id}]") from None
    if len(data) > limits.max_attachment_bytes:
        raise _too_large(content_id, name, len(data), limits, unzipped=False)
    return data


def _one_member(data: bytes) -> bool:
    """Whether the ZIP's end record declares one member, and a central directory the size
    of one entry: read before zipfile makes an object for each entry (a 40 MiB ZIP can
    declare close to a million)."""
    end = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 0xFFFF))
    if end < 0 or len(data) - end < 22:
        return False
    entries, directory_size = struct.unpack("<HI", data[end + 10:end + 16])
    return entries == 1 and directory_size <= 46 + 3 * 0xFFFF


def _unzipped(data: bytes, content_id: str, name: str, limits: Limits,
              budget: int) -> tuple[bytes, str] | None:
    """The file inside ``data`` and its name when ``data`` is a ZIP of one file (some SDKs
    zip every attachment, §2.2); None when it is the file itself. Inflated only up to the
    limits, whatever the ZIP claims."""
    if not data.startswith(b"PK\x03\x04") or not _one_member(data):
        return None
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        members = [info for info in archive.infolist() if not info.is_dir()]
    except Exception:  # noqa: BLE001 - not a readable ZIP after all: the bytes are the file
        return None
    if len(members) != 1 or members[0].flag_bits & 0x1:
        return None     # several files (a .docx is a ZIP too) or encrypted: kept as sent
    member = members[0]
    limit = min(limits.max_attachment_bytes, budget)
    if member.file_size > limit:
        if member.file_size > limits.max_attachment_bytes:
            raise _too_large(content_id, name, member.file_size, limits, unzipped=True)
        raise _inflated_too_large(limits)
    try:
        with archive.open(member) as opened:
            inflated = opened.read(limit + 1)    # never more, whatever the header says
    except Exception:  # noqa: BLE001 - zipfile and zlib raise many kinds for a damaged file
        raise PackageError(
            "bad_attachment",
            f"Tệp nén (ZIP) của tệp đính kèm “{name}” bị hỏng, không giải nén được.",
            f"The ZIP of attachment '{name}' is damaged and cannot be unzipped.",
            f"Attachment[cid:{content_id}]") from None
    if len(inflated) > limit:
        if len(inflated) > limits.max_attachment_bytes:
            raise _too_large(content_id, name, len(inflated), limits, unzipped=True)
        raise _inflated_too_large(limits)
    return inflated, posixpath.basename(member.filename.replace("\\", "/"))
