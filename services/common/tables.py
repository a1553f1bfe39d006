"""Printable tables: a title, a subtitle and a header row repeated on every page, as
XLSX (openpyxl) and as landscape A4 PDF (reportlab, with a font that has every
Vietnamese glyph). Used for registers, dossier contents, histories and reports.

Rendering is plain CPU work with no nameko in it; callers run it in a thread.
"""
from __future__ import annotations

import io
import os
from datetime import date
from xml.sax.saxutils import escape

def vn_date(value) -> str:
    """An ISO date (or the date of an ISO time) as Vietnamese write it, dd/mm/yyyy; ""
    for none; anything else as it is."""
    if not value:
        return ""
    try:
        return date.fromisoformat(str(value)[:10]).strftime("%d/%m/%Y")
    except ValueError:
        return str(value)


FONT_DIRS = ("/usr/share/fonts/truetype/dejavu",)
FONT_REGULAR, FONT_BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"


#: What a spreadsheet may read as a formula (or as the start of one, once a user edits
#: the cell): such text is written as text, with Excel's quote prefix, never a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell_text(value):
    """A value a worksheet can hold: control characters (which openpyxl refuses, so
    one stored in a subject before they were refused broke the whole export) dropped."""
    if isinstance(value, str):
        from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def write_as_text(cell) -> None:
    """Keep a text cell text: a subject "=HYPERLINK(...)" stays those characters."""
    if isinstance(cell.value, str) and cell.value.startswith(FORMULA_STARTS):
        cell.data_type = "s"
        cell.quotePrefix = True


def to_xlsx(title: str, period: str, columns: list[str], rows: list[list[str]],
            widths: list[int] | None = None, sheet_name: str = "Bang") -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side
    from openpyxl.utils import get_column_letter

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_name
    sheet.append([cell_text(title)])
    sheet.append([cell_text(period)])
    sheet.append([])
    sheet.append([cell_text(column) for column in columns])
    for row in rows:
        sheet.append([cell_text(value) for value in row])
    for line in sheet.iter_rows():   # every cell the workbook holds, headers too
        for cell in line:
            write_as_text(cell)
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
    for index, width in enumerate((widths or [10] * len(columns))[:len(columns)]):
        sheet.column_dimensions[get_column_letter(index + 1)].width = width * 1.6
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
           widths: list[int] | None = None) -> bytes:
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
    widths = widths or [10] * len(columns)
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
