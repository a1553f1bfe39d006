"""Validation of an incoming registration against ND30 Phụ lục VI (§II) field rules.
Everything wrong is reported at once, each field in Vietnamese and English."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from services.common import vocabulary
from services.common.validation import Problems
from services.documents import domain, fields, related

FIELDS = {"unit_id", "register_id", "code_number", "code_notation", "issued_date", "issuer",
          "document_type", "subject", "urgency", "confidentiality", "due_date", "page_amount",
          "signer", "file_ids", "description", "language", "to_places", "confirm_duplicate",
          "related"}
MAX_FILES = 20


@dataclass(frozen=True)
class IncomingInput:
    unit_id: str
    register_id: str | None
    code_number: str
    code_number_value: int
    code_notation: str
    issued_date: date
    issuer_organ_id: str | None
    issuer_name: str
    document_type: str
    subject: str
    urgency: str
    confidentiality: str
    due_date: date | None
    page_amount: int | None
    signer_position: str | None
    signer_full_name: str | None
    file_ids: list
    description: str | None
    language: str
    to_places: str | None
    confirm_duplicate: bool
    #: the incoming document of the same unit this one replaces or corrects ({kind, id})
    related: dict | None = None


def parse_incoming(data, today: date) -> IncomingInput:
    problems = Problems()
    data = problems.object(data)
    problems.only(data, FIELDS)
    unit_id = problems.text(data, "unit_id", max_length=36, required=True)
    register_id = problems.text(data, "register_id", max_length=36)
    code_number = problems.text(
        data, "code_number", max_length=11, required=True, pattern=domain.CODE_NUMBER_RE,
        pattern_vi="Số văn bản chỉ gồm chữ số.", pattern_en="The number is digits only.")
    code_notation = fields.code_notation(problems, data, required=True)
    issued_date = problems.date(data, "issued_date", required=True)
    if issued_date and issued_date > today:
        problems.add("issued_date", "Ngày ban hành không được sau ngày hôm nay.",
                     "The issue date cannot be in the future.")
    issuer = data.get("issuer")
    issuer_organ_id = issuer_name = None
    if not isinstance(issuer, dict):
        problems.add("issuer", "Bắt buộc: {organ_id, name} của cơ quan ban hành.",
                     "Required: the issuing body's {organ_id, name}.")
    else:
        problems.only(issuer, {"organ_id", "name"}, prefix="issuer.")
        issuer_organ_id = problems.text(issuer, "organ_id", max_length=35, label="issuer.organ_id")
        issuer_name = problems.text(issuer, "name", max_length=200, required=True,
                                    label="issuer.name")
    document_type = fields.document_type(problems, data)
    subject = problems.text(data, "subject", max_length=500, required=True)
    urgency = problems.choice(data, "urgency", vocabulary.URGENCIES, default="normal")
    confidentiality = problems.choice(data, "confidentiality", vocabulary.CONFIDENTIALITIES,
                                      default="none")
    due_date = problems.date(data, "due_date")
    if due_date and issued_date and due_date < issued_date:
        problems.add("due_date", "Hạn xử lý không được trước ngày ban hành.",
                     "The due date cannot be before the issue date.")
    if due_date and due_date < today:
        problems.add("due_date", "Hạn xử lý đã qua.", "The due date is in the past.")
    page_amount = problems.integer(data, "page_amount", minimum=1, maximum=999)
    signer_position, signer_full_name = fields.signer(problems, data)
    file_ids = problems.id_list(data, "file_ids", max_items=MAX_FILES)
    if file_ids and confidentiality not in (None, "none"):
        problems.add("file_ids", "Văn bản mật chỉ được đăng ký thông tin, không kèm tệp.",
                     "A secret document is registered as metadata only, with no file.")
    description = problems.text(data, "description", max_length=500)
    language = problems.text(data, "language", max_length=30) or "vi"
    to_places = problems.text(data, "to_places", max_length=1000)
    confirm_duplicate = problems.boolean(data, "confirm_duplicate")
    rel = related.parse_related(problems, data)
    problems.raise_if_any()
    return IncomingInput(
        unit_id=unit_id, register_id=register_id,
        code_number=domain.format_code_number(code_number),
        code_number_value=int(code_number), code_notation=code_notation,
        issued_date=issued_date, issuer_organ_id=issuer_organ_id, issuer_name=issuer_name,
        document_type=document_type, subject=subject, urgency=urgency,
        confidentiality=confidentiality, due_date=due_date, page_amount=page_amount,
        signer_position=signer_position, signer_full_name=signer_full_name,
        file_ids=file_ids, description=description, language=language,
        to_places=to_places, confirm_duplicate=confirm_duplicate, related=rel)
