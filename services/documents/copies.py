"""Bản sao (ND30 Điều 25–27; Phụ lục I Phần II §II.1.c; DOMAIN.md §1.4, §1.13): the copy
forms, what a copy request holds, and its ký hiệu. No nameko here.

A unit's copies are numbered in one series for all three forms, in its copy register
of the year; the ký hiệu is the form's abbreviation and the unit's: 05/SY-UBND.
"""
from __future__ import annotations

from services.common import vocabulary
from services.common.validation import Problems
from services.documents import fields

COPY = "copy"
FORMS = tuple(vocabulary.COPY_FORM_NAMES)   # SY (sao y), SL (sao lục), TS (trích sao)
FIELDS = {"document_id", "unit_id", "form", "excerpt", "to_places", "signer", "page_amount",
          "description", "file_ids", "sign_digitally"}
MAX_FILES = 5


def parse_copy(data) -> dict:
    """A copy request: {document_id, unit_id, form (SY | SL | TS), excerpt (required for
    a trích sao: which part is taken), to_places?, signer?: {position, full_name},
    page_amount?, description?, file_ids? (the digitised copy), sign_digitally? (the unit
    signs the copy's PDF, its first file, with the copy form: Phụ lục I Phần II §I)}."""
    problems = Problems()
    data = problems.object(data)
    problems.only(data, FIELDS)
    out = {
        "document_id": problems.text(data, "document_id", max_length=36, required=True),
        "unit_id": problems.text(data, "unit_id", max_length=36, required=True),
        "form": problems.choice(data, "form", FORMS),
        "excerpt": problems.text(data, "excerpt", max_length=1000),
        "to_places": problems.text(data, "to_places", max_length=1000),
        "page_amount": problems.integer(data, "page_amount", minimum=1, maximum=999),
        "description": problems.text(data, "description", max_length=500),
        "file_ids": problems.id_list(data, "file_ids", max_items=MAX_FILES),
        "sign_digitally": problems.boolean(data, "sign_digitally"),
    }
    if out["sign_digitally"] and not out["file_ids"]:
        problems.add("file_ids", "Bản sao điện tử cần tệp PDF để ký số.",
                     "An electronic copy needs its PDF to be signed.")
    if data.get("form") is None:
        problems.add("form", "Bắt buộc: SY (sao y), SL (sao lục) hoặc TS (trích sao).",
                     "Required: SY (certified copy), SL (transcribed copy) or TS (extract).")
    if out["form"] == "TS" and not out["excerpt"]:
        problems.add("excerpt", "Trích sao phải ghi phần được trích.",
                     "An extract must say which part it takes.")
    out["signer_position"], out["signer_full_name"] = fields.signer(problems, data)
    problems.raise_if_any()
    return out


def notation(form: str, unit_abbreviation: str) -> str | None:
    return f"{form}-{unit_abbreviation}" if unit_abbreviation else None


def copy_out(copy, source: dict | None, unit_name: str | None = None) -> dict:
    """A copy with a summary of what it copies (None when the caller may not see it)."""
    return {
        "id": copy.id, "direction": COPY, "unit_id": copy.unit_id, "unit_name": unit_name,
        "form": copy.form, "form_name": vocabulary.name(vocabulary.COPY_FORM_NAMES, copy.form),
        "source_id": copy.source_id, "source_direction": copy.source_direction,
        "source": source, "register_id": copy.register_id, "year": copy.year,
        "number": copy.number, "code_number": copy.code_number,
        "code_notation": copy.code_notation, "copied_date": copy.copied_date.isoformat(),
        "excerpt": copy.excerpt, "to_places": copy.to_places,
        "signer": {"position": copy.signer_position, "full_name": copy.signer_full_name},
        "page_amount": copy.page_amount, "description": copy.description,
        "confidentiality": copy.confidentiality, "file_ids": list(copy.file_ids or []),
        "created_by": copy.created_by, "created_at": copy.created_at.isoformat(),
    }


def source_summary(doc: dict) -> dict:
    """What a copy register shows of the copied document."""
    return {"id": doc["id"], "direction": doc["direction"], "code_number": doc["code_number"],
            "code_notation": doc["code_notation"], "issued_date": doc["issued_date"],
            "issuer": doc["issuer"], "document_type_name": doc["document_type_name"],
            "subject": doc["subject"]}
