"""Printable registers (ND30 Điều 16.2.b, 22.3.b, Phụ lục IV; DOMAIN.md §1.10): the Sổ
đăng ký văn bản đến and the Sổ đăng ký văn bản đi for any period, as XLSX and as PDF,
with the ten ND30 columns each, and the register of copies (bản sao).

The columns and rows are here; services/common/tables.py renders them.
"""
from __future__ import annotations

from datetime import date, datetime

INCOMING_COLUMNS = ["Ngày đến", "Số đến", "Tác giả", "Số, ký hiệu", "Ngày tháng văn bản",
                    "Tên loại và trích yếu nội dung", "Đơn vị hoặc người nhận", "Ngày chuyển",
                    "Ký nhận", "Ghi chú"]
# Relative widths of the columns on a landscape A4 page.
INCOMING_WIDTHS = [8, 5, 13, 10, 8, 26, 11, 7, 6, 5]
OUTGOING_COLUMNS = ["Số, ký hiệu văn bản", "Ngày tháng văn bản", "Tên loại và trích yếu nội dung",
                    "Người ký", "Nơi nhận văn bản", "Đơn vị, người nhận bản lưu",
                    "Số lượng bản", "Ngày chuyển", "Ký nhận", "Ghi chú"]
OUTGOING_WIDTHS = [10, 8, 26, 10, 16, 10, 5, 7, 6, 6]
COPY_COLUMNS = ["Số, ký hiệu bản sao", "Ngày sao", "Hình thức sao",
                "Số, ký hiệu, ngày văn bản được sao", "Cơ quan ban hành",
                "Tên loại và trích yếu nội dung", "Người ký", "Nơi nhận", "Số trang", "Ghi chú"]
COPY_WIDTHS = [9, 7, 6, 12, 14, 24, 10, 10, 4, 6]


def _day(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value) if "T" in value else date.fromisoformat(value)
    return value.strftime("%d/%m/%Y")


def incoming_rows(documents: list[dict]) -> list[list[str]]:
    """One row a document, in register order (by số đến)."""
    rows = []
    for doc in sorted(documents, key=lambda d: d["arrival_number"]):
        notation = f"{doc['code_number']}/{doc['code_notation']}"
        rows.append([
            _day(doc["arrival_date"]), str(doc["arrival_number"]), doc["issuer"]["name"],
            notation, _day(doc["issued_date"]),
            f"{doc['document_type_name']}: {doc['subject']}", doc.get("to_places") or "",
            "", "", doc.get("description") or "",
        ])
    return rows


def outgoing_rows(documents: list[dict]) -> list[list[str]]:
    """One row a numbered document, in register order (by số)."""
    rows = []
    for doc in sorted(documents, key=lambda d: d["number"]):
        signer = doc.get("signer") or {}
        note = doc.get("description") or ""
        if doc["state"] == "recalled":
            note = f"Đã thu hồi: {doc.get('state_reason') or ''}".strip() + \
                (f" — {note}" if note else "")
        rows.append([
            f"{doc['code_number']}/{doc['code_notation']}", _day(doc["issued_date"]),
            f"{doc['document_type_name']}: {doc['subject']}",
            " ".join(filter(None, (signer.get("position"), signer.get("full_name")))),
            "; ".join(r["name"] for r in doc.get("recipients") or []),
            doc.get("keeper") or "", str(doc.get("issued_amount") or ""),
            _day(doc.get("issued_at")), "", note,
        ])
    return rows


def copy_rows(copies: list[dict]) -> list[list[str]]:
    """One row a copy, in register order; a source the reader may not see is withheld."""
    rows = []
    for copy in sorted(copies, key=lambda c: c["number"]):
        source = copy.get("source")
        signer = copy.get("signer") or {}
        if source:
            copied = f"{source['code_number']}/{source['code_notation']}, " \
                     f"{_day(source['issued_date'])}"
            issuer = source["issuer"]["name"]
            subject = f"{source['document_type_name']}: {source['subject']}"
        else:
            copied, issuer, subject = "(không được xem)", "", ""
        note = copy.get("description") or ""
        if copy.get("excerpt"):
            note = f"Trích: {copy['excerpt']}" + (f" — {note}" if note else "")
        rows.append([
            f"{copy['code_number']}/{copy['code_notation']}", _day(copy["copied_date"]),
            copy["form_name"], copied, issuer, subject,
            " ".join(filter(None, (signer.get("position"), signer.get("full_name")))),
            copy.get("to_places") or "", str(copy.get("page_amount") or ""), note,
        ])
    return rows
