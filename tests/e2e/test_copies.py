"""Bản sao: the clerk of Sở Tài chính copies a document (sao y, sao lục, trích sao); the
copies share one number series in the unit's copy register, print in that register, and
are visible to the unit only. Secret copies carry no file. Bad input changes nothing."""
import io

import pytest
from openpyxl import load_workbook
from tests.e2e.helpers import Api, register



@pytest.fixture(scope="module")
def clerk(system):
    return Api(system.base_url, "vanthu.stc")


@pytest.fixture(scope="module")
def source(clerk):
    response = register(clerk, [], 7301, subject="Thông báo án lệ để sao")
    assert response.status_code == 201, response.text
    return response.json()


def copy(api, document_id, **changes):
    body = {"document_id": document_id, "unit_id": api.unit_id, "form": "SY",
            "to_places": "Phòng Quản lý ngân sách; Lưu: VT", "page_amount": 8,
            "signer": {"position": "KT. Giám đốc, Phó Giám đốc", "full_name": "Lê Văn Sao"}}
    body.update(changes)
    return api.post("/copies", json=body)


def test_the_three_copy_forms_share_one_series_and_print_in_the_copy_register(
        system, clerk, source):
    made = [copy(clerk, source["id"], form=form, **extra) for form, extra in (
        ("SY", {}), ("SL", {}), ("TS", {"excerpt": "Điều 2, khoản 1"}))]
    assert [m.status_code for m in made] == [201, 201, 201], [m.text for m in made]
    made = [m.json() for m in made]
    numbers = [m["number"] for m in made]
    assert numbers == list(range(numbers[0], numbers[0] + 3))
    assert [m["code_notation"] for m in made] == ["SY-STC", "SL-STC", "TS-STC"]
    assert made[0]["code_number"] == f"{numbers[0]:02d}"
    assert made[0]["source"]["code_notation"] == "TANDTC-AL"
    assert len({m["register_id"] for m in made}) == 1

    listed = clerk.get("/copies", params={"document_id": source["id"]}).json()
    assert {c["id"] for c in listed["items"]} >= {m["id"] for m in made}
    colleague = Api(system.base_url, "chuyenvien.stc")
    assert colleague.get(f"/copies/{made[0]['id']}").status_code == 200
    assert Api(system.base_url, "vanthu.snv").get(f"/copies/{made[0]['id']}").status_code == 403

    printed = clerk.get(f"/registers/{made[0]['register_id']}/export",
                        params={"format": "xlsx"})
    assert printed.status_code == 200, printed.text
    rows = list(load_workbook(io.BytesIO(printed.content)).active.iter_rows(values_only=True))
    assert rows[0][0].startswith("SỔ ĐĂNG KÝ BẢN SAO VĂN BẢN")
    ours = {r[0]: r for r in rows[4:]}
    extract = ours[f"{made[2]['code_number']}/TS-STC"]
    assert extract[2] == "Trích sao" and "Điều 2, khoản 1" in extract[9]
    assert extract[3].startswith("7301/TANDTC-AL")


def test_only_a_clerk_who_may_see_the_source_copies_it(system, source):
    specialist = Api(system.base_url, "chuyenvien.stc")
    assert copy(specialist, source["id"]).status_code == 403
    other_clerk = Api(system.base_url, "vanthu.snv")   # a clerk, but of another unit
    assert copy(other_clerk, source["id"]).status_code == 403
    assert other_clerk.get("/copies").json()["total"] == 0


def test_a_secret_document_is_copied_without_a_file(system, clerk, pdf_bytes):
    admin = Api(system.base_url, "admin")
    created = admin.post("/users", json={
        "username": "vanthu.saomat.stc", "full_name": "Phan Thị Mật", "position": "Văn thư",
        "password": "mat-khau-dai-2026", "clearance": "secret",
        "memberships": [{"unit_id": clerk.unit_id, "role": "clerk"}]})
    assert created.status_code == 201, created.text
    cleared = Api(system.base_url).login("vanthu.saomat.stc", "mat-khau-dai-2026")
    secret = register(cleared, [], 7302, confidentiality="secret").json()
    put, file_id = cleared.upload("ban-sao.pdf", pdf_bytes)
    refused = copy(cleared, secret["id"], file_ids=[file_id])
    assert refused.status_code == 400 and "file_ids" in refused.json()["details"]
    made = copy(cleared, secret["id"])
    assert made.status_code == 201, made.text
    assert made.json()["confidentiality"] == "secret"
    assert copy(clerk, secret["id"]).status_code == 403            # not cleared
    assert clerk.get(f"/copies/{made.json()['id']}").status_code == 403


@pytest.mark.parametrize("changes, field", [
    ({"form": "XX"}, "form"),
    ({"form": None}, "form"),
    ({"form": "TS"}, "excerpt"),
    ({"to_places": "x" * 1001}, "to_places"),
    ({"signer": {"full_name": "n" * 51}}, "signer.full_name"),
    ({"page_amount": 1000}, "page_amount"),
    ({"file_ids": ["00000000-0000-0000-0000-000000000000"]}, "file_ids"),
    ({"shade": "blue"}, "shade"),
])
def test_a_copy_with_bad_fields_is_a_400_and_changes_nothing(clerk, source, changes, field):
    before = clerk.get("/copies").json()["total"]
    response = copy(clerk, source["id"], **changes)
    assert response.status_code == 400, response.text
    assert field in response.json()["details"]
    assert clerk.get("/copies").json()["total"] == before


def test_a_copy_of_an_unknown_document_is_a_404(clerk):
    response = copy(clerk, "00000000-0000-0000-0000-000000000000")
    assert response.status_code == 404
