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
