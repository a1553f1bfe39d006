"""Placement of the visible signatures on ND30 documents, found from the text layer of PDFs
laid out like Phụ lục I (made on the fly with reportlab in Liberation Serif)."""
import unicodedata

import pytest
from pypdf import PdfReader

from services.signing import placement
from services.signing.errors import SigningError
from services.signing.placement import MM, Box
from tests.fixtures.signing.make_fixtures import (
    PAGE_WIDTH,
    RIGHT_COLUMN_CENTRE,
    SIGNER_NAME,
    make_attachment,
    make_document,
)


def baselines(pdf: bytes) -> dict[tuple[int, str], tuple[float, float]]:
    """(page, text) -> (x, baseline) of every shown string, by pypdf's public visitor (not the
    walker placement uses)."""
    found = {}
    for index, page in enumerate(PdfReader(__import__("io").BytesIO(pdf)).pages):
        def visit(text, cm, tm, font, size, index=index):
            if text.strip():
                found[(index, text.strip())] = (tm[4] + cm[4], tm[5] + cm[5])
        page.extract_text(visitor_text=visit)
    return found


def test_the_signer_box_is_between_the_title_line_and_the_name_centred_on_the_name():
    pdf = make_document()
    box = placement.signer_box(pdf, SIGNER_NAME)
    positions = baselines(pdf)
    _, title_baseline = positions[(0, "PHÓ CHỦ TỊCH")]
    _, name_baseline = positions[(0, SIGNER_NAME)]
    assert box.page == 0
    assert box.y2 <= title_baseline
    assert box.y1 >= name_baseline + 13 * 0.7  # above the name's capitals (13 pt)
    assert box.height >= title_baseline - name_baseline - 13 - 6
    assert abs((box.x1 + box.x2) / 2 - RIGHT_COLUMN_CENTRE) < 1.5
    assert 35 * MM - 0.01 <= box.width <= 45 * MM + 0.01


def test_the_signer_box_follows_the_signer_block_onto_page_two():
    pdf = make_document(pages=2)
    box = placement.signer_box(pdf, SIGNER_NAME)
    positions = baselines(pdf)
    assert box.page == 1
    assert positions[(1, SIGNER_NAME)][1] < box.y1 < box.y2 < positions[(1, "PHÓ CHỦ TỊCH")][1]


def test_the_signers_name_is_matched_whatever_its_case_and_unicode_form():
    pdf = make_document()
    given = unicodedata.normalize("NFD", "  TRẦN THỊ   bích ngọc ")
    assert placement.signer_box(pdf, given) == placement.signer_box(pdf, SIGNER_NAME)


def test_a_document_without_the_signers_name_has_no_place_for_the_signature():
    with pytest.raises(SigningError) as raised:
        placement.signer_box(make_document(signer_name=None), SIGNER_NAME)
    assert raised.value.code == "placement_not_found"
    assert "Không tìm thấy" in raised.value.vi and SIGNER_NAME in raised.value.vi
    assert "Could not find" in raised.value.en


def test_another_persons_name_is_not_taken_for_the_signers():
    with pytest.raises(SigningError) as raised:
        placement.signer_box(make_document(), "Nguyễn Văn An")
    assert raised.value.code == "placement_not_found"


def test_the_number_box_starts_after_so_and_covers_the_blank_and_the_ky_hieu():
    pdf = make_document()
    box = placement.number_box(pdf)
    x, baseline = baselines(pdf)[(0, "Số:        /QĐ-UBND")]
    assert box.page == 0
    assert x + 18 < box.x1 < x + 24  # "Số: " is about 21 pt wide at 13 pt
    assert box.y1 < baseline < box.y2
    assert box.x2 > box.x1 + 60


def test_the_date_box_covers_the_place_and_date_line_and_not_the_body():
    pdf = make_document()
    box = placement.date_box(pdf)
    x, baseline = baselines(pdf)[(0, "Ninh Bình, ngày      tháng      năm 2026")]
    assert box.x1 < x and box.x2 > x + 190
    assert box.y1 < baseline < box.y2
    # The body's "ngày 19 tháng 02 năm 2025" lines are lower down and not taken.
    assert box.y1 > 700


def test_a_document_without_so_or_date_line_has_no_number_or_date_box():
    pdf = make_attachment()
    assert placement.number_box(pdf) is None
    assert placement.date_box(pdf) is None


def test_the_seal_covers_the_left_third_of_the_signature_at_its_own_size():
    signature = Box(0, 300, 400, 420, 470)
    seal = placement.seal_box(signature, 36 * MM)
    assert seal.width == pytest.approx(36 * MM) and seal.height == pytest.approx(36 * MM)
    assert seal.x2 - signature.x1 == pytest.approx(signature.width / 3)
    assert seal.x1 < signature.x1
    assert (seal.y1 + seal.y2) / 2 == pytest.approx((signature.y1 + signature.y2) / 2)


def test_the_top_right_box_sits_at_the_right_margin_in_the_top_margin_of_page_one():
    pdf = make_document(pages=2)
    box = placement.top_right_box(pdf, 150, 40)
    height = float(PdfReader(__import__("io").BytesIO(pdf)).pages[0].mediabox.top)
    assert box.page == 0
    assert box.x2 == pytest.approx(PAGE_WIDTH - 15 * MM)
    assert box.width == pytest.approx(150) and box.height == pytest.approx(40)
    # Inside the 20 mm top margin, above the heading's first line.
    assert box.y2 == pytest.approx(height - 3 * MM)
    assert box.y1 > height - 20 * MM
