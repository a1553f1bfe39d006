"""A result list as a spreadsheet's rows: Vietnamese column names, dd/mm/yyyy dates,
urgency and state in words. No nameko here."""
from __future__ import annotations

from services.common.tables import vn_date
from services.common.vocabulary import LISTED_STATE_NAMES, URGENCY_NAMES, name

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ["STT", "Số, ký hiệu", "Ngày ban hành", "Cơ quan ban hành", "Trích yếu", "Loại",
           "Độ khẩn", "Đến/Đi", "Số đến", "Ngày đến", "Trạng thái"]
WIDTHS = [5, 16, 11, 26, 50, 12, 10, 7, 7, 11, 12]


def rows(items: list[dict]) -> list[list[str]]:
    return [[str(n), "/".join(p for p in (i.get("code_number"), i.get("code_notation")) if p),
             vn_date(i.get("issued_date")), i.get("issuer_name") or "", i.get("subject") or "",
             i.get("document_type_name") or i.get("document_type") or "",
             name(URGENCY_NAMES, i.get("urgency")),
             "Đi" if i.get("direction") == "outgoing" else "Đến",
             str(i["arrival_number"]) if i.get("arrival_number") is not None else "",
             vn_date(i.get("arrival_date")), name(LISTED_STATE_NAMES, i.get("state"))]
            for n, i in enumerate(items, start=1)]
