"""Administrators manage the directory through the API; nobody else can, and bad
input changes nothing."""
import pytest

from tests.e2e.helpers import Api, register


@pytest.fixture(scope="module")
def admin(system):
    return Api(system.base_url, "admin")


def test_an_administrator_adds_a_unit_and_a_user_who_can_then_log_in(system, admin):
    parent = admin.user["memberships"][0]["unit_id"]
    unit = admin.post("/units", json={"organ_id": "VN.80.S99", "parent_id": parent,
                                      "name": "Sở Ngoại vụ tỉnh Tây Ninh (thử)",
                                      "abbreviation": "SNgV", "level": "department"})
    assert unit.status_code == 201, unit.text
    user = admin.post("/users", json={
        "username": "vanthu.sngv", "full_name": "Lý Thị Ngọc", "position": "Văn thư",
        "password": "mat-khau-dai-2026",
        "memberships": [{"unit_id": unit.json()["id"], "role": "clerk"}]})
    assert user.status_code == 201, user.text
    newcomer = Api(system.base_url).login("vanthu.sngv", "mat-khau-dai-2026")
    assert newcomer.unit_id == unit.json()["id"]
    assert newcomer.get(f"/units/{unit.json()['id']}").json()["organ_id"] == "VN.80.S99"
    colleagues = newcomer.get("/users").json()
    assert [u["username"] for u in colleagues["items"]] == ["vanthu.sngv"]


@pytest.mark.parametrize("body, field", [
    ({"name": "X", "organ_id": "vn.80.lower"}, "organ_id"),
    ({"name": "X", "organ_id": "A" * 36}, "organ_id"),
    ({"name": "X", "parent_id": "00000000-0000-0000-0000-000000000000"}, "parent_id"),
    ({"name": ""}, "name"),
    ({"name": "X", "level": "galaxy"}, "level"),
])
def test_a_unit_with_bad_fields_is_a_400(admin, body, field):
    before = admin.get("/units").json()["total"]
    response = admin.post("/units", json=body)
    assert response.status_code == 400 and field in response.json()["details"]
    assert admin.get("/units").json()["total"] == before


def test_a_second_unit_with_the_same_organ_id_is_a_409(admin):
    assert admin.post("/units", json={"name": "Trùng", "organ_id": "000.00.11.H53"}) \
        .status_code == 409


@pytest.mark.parametrize("body, field", [
    ({"username": "A B", "full_name": "X", "password": "x" * 12,
      "memberships": [{"unit_id": "u", "role": "clerk"}]}, "username"),
    ({"username": "short.pw", "full_name": "X", "password": "123",
      "memberships": [{"unit_id": "u", "role": "clerk"}]}, "password"),
    ({"username": "no.roles", "full_name": "X", "password": "x" * 12, "memberships": []},
     "memberships"),
    ({"username": "bad.role", "full_name": "X", "password": "x" * 12,
      "memberships": [{"unit_id": "u", "role": "king"}]}, "memberships"),
    ({"username": "no.unit", "full_name": "X", "password": "x" * 12,
      "memberships": [{"unit_id": "00000000-0000-0000-0000-000000000000", "role": "clerk"}]},
     "memberships"),
])
def test_a_user_with_bad_fields_is_a_400(admin, body, field):
    response = admin.post("/users", json=body)
    assert response.status_code == 400, response.text
    assert field in response.json()["details"]


def test_a_taken_username_is_a_409(admin):
    response = admin.post("/users", json={
        "username": "vanthu.stc", "full_name": "X", "password": "x" * 12,
        "memberships": [{"unit_id": admin.unit_id, "role": "clerk"}]})
    assert response.status_code == 409


def test_only_administrators_change_the_directory(system):
    clerk = Api(system.base_url, "vanthu.stc")
    assert clerk.post("/units", json={"name": "Của tôi"}).status_code == 403
    assert clerk.post("/users", json={
        "username": "sneaky", "full_name": "X", "password": "x" * 12,
        "memberships": [{"unit_id": clerk.unit_id, "role": "admin"}]}).status_code == 403


def test_document_types_follow_nd30_with_case_kept(system):
    types = {t["key"]: t for t in Api(system.base_url, "vanthu.stc")
             .get("/document-types").json()["items"]}
    assert types["QĐ"]["name"] == "Quyết định" and types["TTr"]["abbreviation"] == "TTr"
    assert types["QyĐ"]["abbreviation"] == "QyĐ" and types["CV"]["abbreviation"] == ""


def test_units_are_renamed_and_merged_with_their_history_kept(system, admin):
    parent = admin.unit_id
    made = {}
    for code, name in (("VN.80.S71", "Sở Kế hoạch và Đầu tư (thử)"),
                       ("VN.80.S72", "Sở Tài chính cũ (thử)")):
        made[code] = admin.post("/units", json={"organ_id": code, "parent_id": parent,
                                                "name": name, "level": "department"}).json()
    old, successor = made["VN.80.S71"], made["VN.80.S72"]
    child = admin.post("/units", json={"parent_id": old["id"], "name": "Phòng Tổng hợp (thử)",
                                       "level": "division"}).json()
    renamed = admin.post(f"/units/{successor['id']}/rename",
                         json={"name": "Sở Tài chính (thử)", "effective_date": "2025-03-01"})
    assert renamed.status_code == 200 and renamed.json()["name"] == "Sở Tài chính (thử)"
    merged = admin.post("/units/merge", json={"unit_ids": [old["id"]],
                                              "into_unit_id": successor["id"],
                                              "effective_date": "2025-03-01"})
    assert merged.status_code == 200, merged.text
    assert merged.json()["merged"][0]["valid_to"] == "2025-02-28"
    assert admin.get(f"/units/{child['id']}").json()["parent_id"] == successor["id"]
    history = admin.get(f"/units/{successor['id']}/history").json()["changes"]
    assert [c["kind"] for c in history] == ["renamed", "absorbed"]
    assert history[0]["details"]["before"]["name"] == "Sở Tài chính cũ (thử)"
    assert admin.get(f"/units/{old['id']}/history").json()["changes"][0]["details"][
        "successor_id"] == successor["id"]
    again = admin.post("/units/merge", json={"unit_ids": [old["id"]],
                                             "into_unit_id": successor["id"],
                                             "effective_date": "2025-04-01"})
    assert again.status_code == 409
    assert admin.post("/units/merge", json={"unit_ids": [successor["id"]],
                                            "into_unit_id": successor["id"],
                                            "effective_date": "2025-04-01"}).status_code == 400
    assert Api(system.base_url, "vanthu.stc").post(
        f"/units/{successor['id']}/rename",
        json={"name": "X", "effective_date": "2025-01-01"}).status_code == 403


def test_a_closed_unit_takes_no_new_documents(system, admin):
    closing = admin.post("/units", json={"organ_id": "VN.80.S73", "parent_id": admin.unit_id,
                                         "name": "Ban sẽ giải thể (thử)"}).json()
    admin.post("/users", json={"username": "vanthu.bandong", "full_name": "Văn Thư",
                               "password": "mat-khau-dai-2026",
                               "memberships": [{"unit_id": closing["id"], "role": "clerk"}]})
    clerk = Api(system.base_url).login("vanthu.bandong", "mat-khau-dai-2026")
    assert register(clerk, [], 1).status_code == 201
    admin.post("/units/merge", json={"unit_ids": [closing["id"]],
                                     "into_unit_id": admin.unit_id,
                                     "effective_date": "2025-01-01"})
    refused = register(clerk, [], 2)
    assert refused.status_code == 409 and "ngừng hoạt động" in refused.json()["message"]
    assert clerk.get("/incoming").json()["total"] == 1   # its documents stay


def test_the_2025_reform_is_in_the_history_of_the_demo_province(system, admin):
    province = next(u for u in admin.get("/units", params={"q": "Ủy ban nhân dân tỉnh Tây Ninh",
                                                          "active": "true"}).json()["items"]
                    if u["level"] == "province")
    history = admin.get(f"/units/{province['id']}/history").json()["changes"]
    absorbed = next(c for c in history
                    if c["kind"] == "absorbed" and c["effective_date"] == "2025-07-01")
    assert sorted(m["name"] for m in absorbed["details"]["merged"]) == [
        "Ủy ban nhân dân tỉnh Long An", "Ủy ban nhân dân tỉnh Tây Ninh"]
    long_an = next(m for m in absorbed["details"]["merged"] if "Long An" in m["name"])
    old = admin.get(f"/units/{long_an['id']}").json()
    assert old["valid_to"] == "2025-06-30"
    merged_into = admin.get(f"/units/{long_an['id']}/history").json()["changes"][0]
    assert merged_into["kind"] == "merged_into"
    assert merged_into["details"]["successor_id"] == province["id"]
    closed = {u["id"] for u in admin.get("/units", params={"active": "false",
                                                           "page_size": 200}).json()["items"]}
    assert long_an["id"] in closed and province["id"] not in closed
    assert admin.get("/units", params={"active": "maybe"}).status_code == 400


def test_a_leader_lists_the_people_of_the_units_below_and_others_cannot(system):
    chairman = Api(system.base_url, "lanhdao.ubnd")
    below = chairman.get("/users", params={"unit_id": chairman.unit_id, "below": "true",
                                           "page_size": 200})
    assert below.status_code == 200, below.text
    names = {u["username"] for u in below.json()["items"]}
    assert {"lanhdao.ubnd", "chuyenvien.ubnd", "lanhdao.stc", "vanthu.tanninh"} <= names
    own = {u["username"] for u in chairman.get("/users", params={
        "unit_id": chairman.unit_id, "page_size": 200}).json()["items"]}
    assert "lanhdao.stc" not in own                       # only with below=true
    clerk = Api(system.base_url, "vanthu.ubnd")
    assert clerk.get("/users", params={"unit_id": clerk.unit_id,
                                       "below": "true"}).status_code == 403
    assert chairman.get("/users", params={"below": "true"}).status_code == 400
