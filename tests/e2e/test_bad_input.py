"""Bad input gets a clear 4xx in Vietnamese (or English) and changes nothing."""
import io
import zipfile

import pytest
from tests.e2e.helpers import Api, register



@pytest.fixture(scope="module")
def clerk(system):
    return Api(system.base_url, "vanthu.ubnd")


def state(clerk):
    """What a bad request must not change: the documents and the next number."""
    listing = clerk.get("/incoming", params={"unit_id": clerk.unit_id, "page_size": 200}).json()
    return listing["total"], max([d["arrival_number"] for d in listing["items"]] or [0])


@pytest.mark.parametrize("change, field", [
    ({"subject": None}, "subject"),
    ({"code_number": "12a"}, "code_number"),
    ({"code_notation": "UBND KT"}, "code_notation"),
    ({"issued_date": "30/10/2020"}, "issued_date"),
    ({"issued_date": "2099-01-01"}, "issued_date"),
    ({"page_amount": "nhiều"}, "page_amount"),
    ({"urgency": "very"}, "urgency"),
    ({"subject": "x" * 501}, "subject"),
    ({"issuer": "UBND"}, "issuer"),
    ({"document_type": "XYZ"}, "document_type"),
    ({"file_ids": ["not-an-id"]}, "file_ids"),
    ({"file_ids": ["0b7c0f6e-3a55-4b5c-8e1a-2f3b4c5d6e7f"]}, "file_ids"),
    ({"unexpected": 1}, "unexpected"),
])
def test_a_registration_with_a_bad_field_is_a_400_naming_the_field(clerk, change, field):
    before = state(clerk)
    changes = dict(change)
    response = register(clerk, changes.pop("file_ids", []), 900, **changes)
    assert response.status_code == 400, response.text
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR" and field in body["details"]
    assert body["message"].startswith("Dữ liệu không hợp lệ")
    assert state(clerk) == before


def test_a_body_that_is_not_json_is_a_400(clerk):
    response = clerk.post("/incoming", data=b"{oops", headers={"Content-Type":
                                                              "application/json"})
    assert response.status_code == 400 and response.json()["error"] == "VALIDATION_ERROR"


def test_a_duplicate_number_from_the_same_issuer_in_a_year_is_a_409_and_changes_nothing(
        clerk):
    assert register(clerk, [], 777).status_code == 201
    before = state(clerk)
    duplicate = register(clerk, [], 777, subject="Một trích yếu khác")
    assert duplicate.status_code == 409 and duplicate.json()["error"] == "CONFLICT"
    assert state(clerk) == before
    confirmed = register(clerk, [], 777, confirm_duplicate=True)
    assert confirmed.status_code == 201


def test_a_clerk_cannot_register_into_another_units_register(system, clerk):
    before = state(clerk)
    other = Api(system.base_url, "vanthu.stc")
    response = register(clerk, [], 901, unit_id=other.unit_id)
    assert response.status_code == 403
    assert state(clerk) == before


def test_a_leader_cannot_register_documents(system):
    leader = Api(system.base_url, "lanhdao.ubnd")
    assert register(leader, [], 902).status_code == 403


def test_an_empty_file_is_a_400(clerk):
    created = clerk.post("/uploads", json={"filename": "rong.pdf", "size": 0})
    assert created.status_code == 400


def test_a_file_over_the_size_limit_is_a_413_before_and_during_the_upload(clerk, pdf_bytes):
    declared = clerk.post("/uploads", json={"filename": "lon.pdf", "size": 2 * 1024 * 1024})
    assert declared.status_code == 413 and declared.json()["error"] == "TOO_LARGE"
    created = clerk.post("/uploads", json={"filename": "nho.pdf", "size": 1000}).json()
    import requests
    oversized = requests.put(created["upload_url"], data=pdf_bytes, timeout=30)
    assert oversized.status_code in (400, 413)
    assert clerk.get(f"/files/{created['file_id']}").json()["status"] != "stored"


def test_a_file_that_is_not_what_its_name_says_is_a_415(clerk):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "not a word document")
    response, file_id = clerk.upload("bao-cao.pdf", buffer.getvalue())
    assert response.status_code == 415, response.text
    assert response.json()["error"] == "UNSUPPORTED_TYPE"
    fake_docx, _ = clerk.upload("bao-cao.docx", b"%PDF-1.4 not really a docx")
    assert fake_docx.status_code == 415
    before = state(clerk)
    assert register(clerk, [file_id], 903).status_code == 400
    assert state(clerk) == before


def test_a_search_without_a_query_is_a_400(clerk):
    assert clerk.get("/search", params={"q": ""}).status_code == 400
