"""Printable registers (ND30 Điều 16.2.b, 22.3.b, Phụ lục IV; DOMAIN.md §1.10): the Sổ
đăng ký văn bản đến and the Sổ đăng ký văn bản đi for any period, as XLSX and as PDF,
with the ten ND30 columns each, and the register of copies (bản sao).

Rendering is plain CPU work with no nameko in it; the service runs it in a thread.
"""
from __future__ import annotations

import io
import os
from datetime import date, datetime
from xml.sax.saxutils import escape

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
FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)
FONT_REGULAR, FONT_BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"


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


def to_xlsx(title: str, period: str, columns: list[str], rows: list[list[str]],
            widths: list[int] = INCOMING_WIDTHS) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "So dang ky"
    sheet.append([title])
    sheet.append([period])
    sheet.append([])
    sheet.append(columns)
    for row in rows:
        sheet.append(row)
    sheet["A1"].font = Font(bold=True, size=14)
    thin = Side(style="thin")
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for line in sheet.iter_rows(min_row=4, max_row=4 + len(rows)):
        for cell in line:
            cell.border = Border(left=thin, right=thin, top=thin, bottom=thin)
            if cell.row > 4:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    for index, width in enumerate(widths[:len(columns)]):
        sheet.column_dimensions[chr(ord("A") + index)].width = width * 1.6
    sheet.print_title_rows = "4:4"
    sheet.page_setup.orientation = "landscape"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _fonts() -> tuple[str, str]:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "EOfficeSans" in pdfmetrics.getRegisteredFontNames():
        return "EOfficeSans", "EOfficeSans-Bold"
    for folder in FONT_DIRS:
        regular, bold = os.path.join(folder, FONT_REGULAR), os.path.join(folder, FONT_BOLD)
        if os.path.exists(regular) and os.path.exists(bold):
            pdfmetrics.registerFont(TTFont("EOfficeSans", regular))
            pdfmetrics.registerFont(TTFont("EOfficeSans-Bold", bold))
            return "EOfficeSans", "EOfficeSans-Bold"
    raise RuntimeError("no font with Vietnamese glyphs: install Debian's fonts-dejavu-core")


def to_pdf(title: str, period: str, columns: list[str], rows: list[list[str]],
           widths: list[int] = INCOMING_WIDTHS) -> bytes:
    """A landscape A4 table with a title, a subtitle line and the header on every page."""
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import (LongTable, Paragraph, SimpleDocTemplate, Spacer,
                                    TableStyle)

    regular, bold = _fonts()
    page = landscape(A4)
    margin = 12 * mm
    body = ParagraphStyle("body", fontName=regular, fontSize=8, leading=10)
    head = ParagraphStyle("head", fontName=bold, fontSize=8, leading=10, alignment=1)
    heading = ParagraphStyle("title", fontName=bold, fontSize=14, leading=18, alignment=1)
    sub = ParagraphStyle("sub", fontName=regular, fontSize=10, leading=13, alignment=1)
    usable = page[0] - 2 * margin
    total = sum(widths[:len(columns)])
    widths = [usable * w / total for w in widths[:len(columns)]]
    data = [[Paragraph(escape(c), head) for c in columns]]
    data += [[Paragraph(escape(value), body) for value in row] for row in rows]
    if not rows:
        data.append([Paragraph("(Không có văn bản)", body)] + [""] * (len(columns) - 1))
    table = LongTable(data, colWidths=widths, repeatRows=1)
    table.setStyle(TableStyle([
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8edf5")),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
    ]))

    def number_pages(canvas, document):
        canvas.setFont(regular, 8)
        canvas.drawRightString(page[0] - margin, 7 * mm, f"Trang {document.page}")

    buffer = io.BytesIO()
    document = SimpleDocTemplate(buffer, pagesize=page, leftMargin=margin, rightMargin=margin,
                                 topMargin=margin, bottomMargin=margin, title=title)
    document.build([Paragraph(escape(title), heading), Paragraph(escape(period), sub),
                    Spacer(1, 6 * mm), table],
                   onFirstPage=number_pages, onLaterPages=number_pages)
    return buffer.getvalue()
