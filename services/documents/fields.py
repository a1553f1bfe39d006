"""Fields that incoming documents, outgoing documents and copies share (ND30 Phụ lục VI),
checked one way everywhere, each problem named in Vietnamese and English."""
from __future__ import annotations

from services.common import vocabulary
from services.common.validation import Problems
from services.documents import domain


def document_type(problems: Problems, data: dict) -> str | None:
    """Tên loại văn bản: a key of Phụ lục III (ASCII spellings such as QD accepted)."""
    value = domain.normalise_document_type(data.get("document_type"))
    if value is None:
        problems.add("document_type", "Bắt buộc phải chọn loại văn bản.", "Required.")
    elif value not in vocabulary.DOCUMENT_TYPES:
        problems.add("document_type", "Loại văn bản không có trong danh mục (Phụ lục III NĐ 30).",
                     "Unknown document type (ND30 Phụ lục III).")
        return None
    return value


def code_notation(problems: Problems, data: dict, *, required: bool) -> str | None:
    """Ký hiệu: groups of Unicode letters and digits joined by "-", no spaces."""
    value = problems.text(
        data, "code_notation", max_length=30, required=required,
        pattern=domain.CODE_NOTATION_RE,
        pattern_vi="Ký hiệu gồm các nhóm chữ và số nối bằng dấu '-', không có khoảng trắng "
                   "(ví dụ STC-BCTC, QĐ-UBND).",
        pattern_en="The notation is groups of letters and digits joined by '-', with no "
                   "spaces (e.g. STC-BCTC, QĐ-UBND).")
    raw = data.get("code_notation")
    if isinstance(raw, str) and " " in raw.strip():
        problems.add("code_notation", "Ký hiệu không được chứa khoảng trắng.",
                     "The notation must not contain spaces.")
        return None
    return value


def signer(problems: Problems, data: dict) -> tuple[str | None, str | None]:
    """SignerInfo: {position (≤ 100), full_name (≤ 50)}, both optional."""
    value = data.get("signer") or {}
    if not isinstance(value, dict):
        problems.add("signer", "Phải là {position, full_name}.", "Must be {position, full_name}.")
        return None, None
    problems.only(value, {"position", "full_name"}, prefix="signer.")
    return (problems.text(value, "position", max_length=100, label="signer.position"),
            problems.text(value, "full_name", max_length=50, label="signer.full_name"))
