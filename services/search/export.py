"""A result list as a spreadsheet's rows: Vietnamese column names, dd/mm/yyyy dates,
urgency and state in words. No nameko here."""
from __future__ import annotations

from services.common.tables import vn_date

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
COLUMNS = ["STT", "Số, ký hiệu", "Ngày ban hành", "Cơ quan ban hành", "Trích yếu", "Loại",
           "Độ khẩn", "Đến/Đi", "Số đến", "Ngày đến", "Trạng thái"]
WIDTHS = [5, 16, 11, 26, 50, 12, 10, 7, 7, 11, 12]
URGENCY_NAMES = {"normal": "Thường", "urgent": "Khẩn", "very_urgent": "Thượng khẩn",
                 "flash": "Hỏa tốc"}
STATE_NAMES = {"received": "Tiếp nhận", "returned": "Trả lại", "registered": "Đã vào sổ",
               "to_assign": "Chờ phân công", "assigned": "Đã phân công",
               "in_progress": "Đang xử lý", "done": "Hoàn thành", "recalled": "Thu hồi",
               "issued": "Đã phát hành"}


def rows(items: list[dict]) -> list[list[str]]:
    return [[str(n), "/".join(p for p in (i.get("code_number"), i.get("code_notation")) if p),
             vn_date(i.get("issued_date")), i.get("issuer_name") or "", i.get("subject") or "",
             i.get("document_type_name") or i.get("document_type") or "",
             URGENCY_NAMES.get(i.get("urgency"), i.get("urgency") or ""),
             "Đi" if i.get("direction") == "outgoing" else "Đến",
             str(i["arrival_number"]) if i.get("arrival_number") is not None else "",
             vn_date(i.get("arrival_date")), STATE_NAMES.get(i.get("state"), i.get("state") or "")]
            for n, i in enumerate(items, start=1)]
