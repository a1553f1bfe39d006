import io
import zipfile

import pytest
from openpyxl import load_workbook

from services.common import tables

DANGEROUS = ["=1+1", '=HYPERLINK("http://x.invalid","bấm")', "+84 912 345 678", "-2+3",
             "@SUM(A1:A2)", "=cmd|' /C calc'!A0"]


def sheet_xml(content: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return archive.read("xl/worksheets/sheet1.xml").decode()


@pytest.mark.parametrize("text", DANGEROUS)
def test_a_cell_that_starts_like_a_formula_is_written_as_text(text):
    content = tables.to_xlsx(text, text, [text, "Số"], [[text, "1"]])
    assert "<f>" not in sheet_xml(content)
    sheet = load_workbook(io.BytesIO(content)).active
    for cell in (sheet["A1"], sheet["A2"], sheet["A4"], sheet["A5"]):
        assert cell.value == text and cell.data_type == "s" and cell.quotePrefix


def test_ordinary_text_is_left_as_it_is():
    content = tables.to_xlsx("Sổ", "2026", ["Trích yếu"], [["Về việc A = B"]])
    cell = load_workbook(io.BytesIO(content)).active["A5"]
    assert cell.value == "Về việc A = B" and not cell.quotePrefix


def test_a_control_character_in_any_text_does_not_break_the_export():
    """Found by schemathesis: a search exported with a vertical tab in its words was a
    500 (openpyxl refuses control characters); text stored before they were refused
    may hold them too."""
    content = tables.to_xlsx("Sổ\x00", "Từ khóa: a\x0bb", ["Cột\x1b"], [["Trích\x07 yếu", "1"]])
    sheet = load_workbook(io.BytesIO(content)).active
    assert (sheet["A1"].value, sheet["A2"].value, sheet["A4"].value, sheet["A5"].value) == (
        "Sổ", "Từ khóa: ab", "Cột", "Trích yếu")
