"""The incoming register prints as PDF and XLSX with the ten ND30 columns, for the
unit's clerks and leaders only."""
import io

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from services.documents.register_export import INCOMING_COLUMNS
from tests.e2e.helpers import Api, register


@pytest.fixture(scope="module")
def clerk(system):
    clerk = Api(system.base_url, "vanthu.tanninh")
    # Other modules may have registered documents in this unit today: the register
    # must print those too, and this module's two after them.
    clerk.registered_before = clerk.get("/incoming", params={
        "unit_id": clerk.unit_id}).json()["total"]
    for number, subject in ((41, "Kế hoạch phòng cháy chữa cháy mùa khô"),
                            (42, "Báo cáo tình hình đê điều")):
        assert register(clerk, [], number, subject=subject, document_type="KH",
                        to_places="Phòng Kinh tế, Hạ tầng và Đô thị").status_code == 201
    return clerk


def incoming_register(api):
    return api.get("/registers", params={"unit_id": api.unit_id,
                                         "direction": "incoming"}).json()["items"][0]


def test_the_register_prints_as_a_pdf_with_every_document_of_the_period(clerk):
    response = clerk.get(f"/registers/{incoming_register(clerk)['id']}/export",
                         params={"format": "pdf"})
    assert response.status_code == 200 and response.headers["Content-Type"] == \
        "application/pdf"
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content))
                    .pages)
    assert "SỔ ĐĂNG KÝ VĂN BẢN ĐẾN" in text
    assert "phòng cháy chữa cháy" in text and "đê điều" in text
    assert "Kế hoạch: Báo cáo tình hình đê điều" in text
    assert int(response.headers["X-Document-Count"]) == clerk.registered_before + 2


def test_the_register_prints_as_xlsx_with_the_nd30_columns_in_order(clerk):
    response = clerk.get(f"/registers/{incoming_register(clerk)['id']}/export",
                         params={"format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert rows[3] == INCOMING_COLUMNS
    total = clerk.registered_before + 2
    assert [r[1] for r in rows[4:]] == [str(n) for n in range(1, total + 1)]
    ours = rows[4 + total - 2]
    assert ours[3] == "41/TANDTC-AL" and ours[6] == "Phòng Kinh tế, Hạ tầng và Đô thị"


def test_a_period_with_no_documents_prints_an_empty_register(clerk):
    response = clerk.get(f"/registers/{incoming_register(clerk)['id']}/export",
                         params={"format": "xlsx", "from": "2020-01-01", "to": "2020-12-31"})
    assert response.status_code == 200 and response.headers["X-Document-Count"] == "0"


@pytest.mark.parametrize("params, field", [({"format": "doc"}, "format"),
                                           ({"from": "2026-12-01", "to": "2026-01-01"}, "to"),
                                           ({"from": "01/01/2026"}, "from")])
def test_bad_export_parameters_are_a_400(clerk, params, field):
    response = clerk.get(f"/registers/{incoming_register(clerk)['id']}/export", params=params)
    assert response.status_code == 400 and field in response.json()["details"]


def test_other_units_and_specialists_may_not_print_the_register(system, clerk):
    register_id = incoming_register(clerk)["id"]
    assert Api(system.base_url, "vanthu.stc").get(f"/registers/{register_id}/export") \
        .status_code == 403
    assert Api(system.base_url, "lanhdao.tanninh").get(f"/registers/{register_id}/export") \
        .status_code == 200
    assert clerk.get("/registers/no-such-register/export").status_code == 404
