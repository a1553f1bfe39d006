"""The values an edXML package carries (QCVN 102:2016, DOMAIN.md §2.3–2.7), as plain
dataclasses: what ``parse_package`` returns and what ``build_edoc``/``build_status`` take.

Conventions, the same everywhere:
- text that a package leaves empty is ``""``, a number or a date it leaves empty is ``None``;
- ``content_id`` is kept without its ``cid:`` prefix;
- moments are timezone-aware. edXML writes times without a zone; they are Vietnam's
  (Asia/Ho_Chi_Minh), so they are read into that zone and written in it.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NAMESPACE = "http://www.mic.gov.vn/TBT/QCVN_102_2016"

# BussinessDocType (2.2.1)
NEW, RECALL, UPDATE, REPLACE = 0, 1, 2, 3
DOC_TYPES = (NEW, RECALL, UPDATE, REPLACE)

#: Priority (1.11): 0 Thường, 1 Khẩn, 2 Thượng khẩn, 3 Hỏa tốc, 4 Hỏa tốc hẹn giờ.
PRIORITIES = range(0, 5)

#: The status codes with a known meaning (§2.7). "14" is deliberately absent: the one sample
#: that writes it is a bug of that sample (the code for "change agreed" is 15), so it is read
#: as unknown and never written.
STATUS_CODES: dict[str, tuple[str, str]] = {
    "01": ("Đã đến", "Arrived"),
    "02": ("Từ chối", "Returned"),
    "03": ("Đã tiếp nhận", "Accepted"),
    "04": ("Phân công", "Assigned"),
    "05": ("Đang xử lý", "In progress"),
    "06": ("Hoàn thành", "Done"),
    "13": ("Lấy lại", "Recall requested"),
    "15": ("Đồng ý cập nhật/lấy lại", "Change agreed"),
    "16": ("Từ chối cập nhật/lấy lại", "Change refused"),
}


@dataclass(frozen=True)
class Organ:
    """An agency (From, To, 1.1–1.2): ``organ_id`` is its mã định danh (§3)."""
    organ_id: str
    name: str = ""
    in_charge: str = ""        # OrganizationInCharge: the body it belongs to
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass(frozen=True)
class StaffInfo:
    """The person who handled the package (2.2.5; a status's StaffInfo)."""
    department: str = ""
    staff: str = ""
    mobile: str = ""
    email: str = ""


@dataclass(frozen=True)
class ResponseFor:
    """The document a reply or a status answers (1.12): ``code`` is its số/ký hiệu as
    text ("7816/VPCP-TTĐT")."""
    organ_id: str
    code: str
    promulgation_date: date | None
    document_id: str


@dataclass(frozen=True)
class Replacement:
    """One ReplacementInfo (2.2.8): the replaced document and the agencies concerned."""
    document_id: str
    organ_ids: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Business:
    """The Bussiness element (2.2, spelt so in every implementation): what the package does
    (NEW, RECALL, UPDATE, REPLACE) and why. ``receivers`` are (ReceiverType, OrganId) of an
    update's ReceiverList; ``document_info_changed``/``receivers_changed`` are its
    DocumentInfo/DocumentReceiver flags, None when the package does not say."""
    doc_type: int = NEW
    reason: str = ""
    document_id: str = ""
    paper: bool = False
    staff: StaffInfo | None = None
    document_info_changed: bool | None = None
    receivers_changed: bool | None = None
    receivers: list[tuple[int, str]] = field(default_factory=list)
    replacements: list[Replacement] = field(default_factory=list)


@dataclass(frozen=True)
class TraceHeader:
    """One hop of the routing trace (2.1); ``timestamp`` is None when the hop left it empty."""
    organ_id: str
    timestamp: datetime | None


@dataclass(frozen=True)
class Attachment:
    """One attached file, decoded (and unzipped when it came as a one-file ZIP)."""
    content_id: str
    name: str
    content_type: str
    data: bytes
    description: str = ""

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


@dataclass(frozen=True)
class Edoc:
    """A document package (messagetype "edoc"): a new document, or a recall, update or
    replacement of one, as ``business.doc_type`` says. ``extras`` keeps elements this codec
    does not know (vendor extensions such as "OtherInfo/Direction"), by their path under
    MessageHeader (or "Bussiness/…"); they are never required."""
    document_id: str
    sender: Organ
    recipients: list[Organ] = field(default_factory=list)
    code_number: str = ""
    code_notation: str = ""
    place: str = ""
    promulgation_date: date | None = None
    type_code: int | None = None
    type_detail: int | None = None
    type_name: str = ""
    subject: str = ""
    content: str = ""
    signer_competence: str = ""
    signer_position: str = ""
    signer_full_name: str = ""
    due_date: date | None = None
    to_places: list[str] = field(default_factory=list)
    priority: int = 0
    sphere: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    appendixes: list[str] = field(default_factory=list)
    steering_type: int | None = None
    response_for: list[ResponseFor] = field(default_factory=list)
    traces: list[TraceHeader] = field(default_factory=list)
    business: Business = field(default_factory=Business)
    attachments: list[Attachment] = field(default_factory=list)
    extras: dict[str, str] = field(default_factory=dict)

    @property
    def code(self) -> str:
        """Số/ký hiệu as written on the document: "7816/VPCP-TTĐT"."""
        return code_of(self.code_number, self.code_notation)


@dataclass(frozen=True)
class Status:
    """A status package (messagetype "status", §2.7): ``code`` is two digits, a key of
    STATUS_CODES; ``timestamp`` is None only when a received package left it empty."""
    response_for: ResponseFor
    sender: Organ
    code: str
    description: str = ""
    timestamp: datetime | None = None
    staff: StaffInfo | None = None

    @property
    def meaning(self) -> tuple[str, str]:
        """The code's meaning in Vietnamese and English."""
        return STATUS_CODES[self.code]


def code_of(code_number: str, code_notation: str) -> str:
    """Số/ký hiệu: "7816" and "VPCP-TTĐT" give "7816/VPCP-TTĐT"; a document without a
    number (some kinds have none) is its notation alone."""
    return "/".join(part for part in (code_number, code_notation) if part)


def document_id_of(organ_id: str, promulgation_date: date, code_number: str,
                   code_notation: str) -> str:
    """The DocumentId (1.14): "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT" — the date always
    yyyy/MM/dd, whatever the sender's habit."""
    return (f"{organ_id},{promulgation_date:%Y/%m/%d},"
            f"{code_of(code_number, code_notation)}")
