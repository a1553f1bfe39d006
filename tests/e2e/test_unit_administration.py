"""Administration per unit through the gateway (ND30 Phụ lục VI §I, §III.3, §IV): the
quản trị of a commune administers the commune and the units below it only; the
deployment-wide administrator everything. Every change of someone's rights alerts the
heads of the unit, and the alert stays open until a head (not the one who changed it)
confirms it. The audit shows an administrator the entries of their units only, and no
particulars of a secret document to an uncleared one."""
import uuid

import pytest
from tests.e2e.helpers import Api, register, wait_until


NEW_PASSWORD = "mat-khau-dai-2026"


@pytest.fixture(scope="module")
def people(system):
    people = {name: Api(system.base_url, name)
              for name in ("admin", "quantri.tanninh", "lanhdao.tanninh", "lanhdao.ubnd",
                           "vanthu.stc")}
    return people


def new_user(admin, unit_id, role="clerk", **changes):
    body = {"username": f"u{uuid.uuid4().hex[:10]}", "full_name": "Người thử",
            "password": NEW_PASSWORD, "memberships": [{"unit_id": unit_id, "role": role}]}
    body.update(changes)
    return admin.post("/users", json=body)


def test_the_demo_admins_are_one_deployment_wide_and_one_of_a_commune(people):
    assert people["admin"].user["system_admin"] is True
    commune_admin = people["quantri.tanninh"].user
    assert commune_admin["system_admin"] is False
    assert commune_admin["memberships"][0]["role"] == "admin"
    assert commune_admin["memberships"][0]["unit_id"] == people["lanhdao.tanninh"].unit_id


def test_a_commune_admin_cannot_create_a_user_in_the_province_nor_a_top_secret_one(people):
    commune_admin, province = people["quantri.tanninh"], people["lanhdao.ubnd"].unit_id
    into_province = new_user(commune_admin, province, role="head", clearance="top_secret")
    assert into_province.status_code == 403, into_province.text
    assert into_province.json()["error"] == "FORBIDDEN"
    assert new_user(commune_admin, province, role="admin").status_code == 403
    secret = new_user(commune_admin, commune_admin.unit_id, role="head",
                      clearance="top_secret")
    assert secret.status_code == 403 and "clearance" in secret.json()["details"]
    assert new_user(commune_admin, commune_admin.unit_id,
                    system_admin=True).status_code == 403
    made = new_user(commune_admin, commune_admin.unit_id)
    assert made.status_code == 201, made.text


def test_a_commune_admin_cannot_change_people_or_units_above_the_commune(people):
    commune_admin, clerk = people["quantri.tanninh"], people["vanthu.stc"]
    province = people["lanhdao.ubnd"].unit_id
    assert commune_admin.http.put(f"{commune_admin.base}/users/{clerk.user['id']}/memberships",
                                  json={"memberships": [{"unit_id": commune_admin.unit_id,
                                                         "role": "clerk"}]}).status_code == 403
    assert commune_admin.http.put(
        f"{commune_admin.base}/users/{people['lanhdao.ubnd'].user['id']}/clearance",
        json={"clearance": "none"}).status_code == 403
    assert commune_admin.post("/units", json={"name": "Tỉnh riêng (thử)"}).status_code == 403
    assert commune_admin.post("/units", json={"name": "Sở riêng (thử)", "parent_id": province,
                                              "level": "department"}).status_code == 403
    assert commune_admin.post(f"/units/{province}/rename", json={
        "name": "Tỉnh của tôi", "effective_date": "2026-01-01"}).status_code == 403
    assert commune_admin.post("/units/merge", json={
        "unit_ids": [clerk.unit_id], "into_unit_id": commune_admin.unit_id,
        "effective_date": "2026-01-01"}).status_code == 403
    assert people["admin"].get(f"/units/{province}").json()["name"] != "Tỉnh của tôi"


def test_a_commune_admin_builds_units_below_the_commune_and_renames_and_merges_them(people):
    commune_admin = people["quantri.tanninh"]
    made = [commune_admin.post("/units", json={"parent_id": commune_admin.unit_id,
                                               "name": f"Bộ phận {n} (thử)",
                                               "level": "commune_office"})
            for n in (1, 2)]
    assert [m.status_code for m in made] == [201, 201], made[0].text
    first, second = (m.json() for m in made)
    renamed = commune_admin.post(f"/units/{first['id']}/rename", json={
        "name": "Bộ phận một cửa (thử)", "effective_date": "2026-01-01"})
    assert renamed.status_code == 200, renamed.text
    merged = commune_admin.post("/units/merge", json={
        "unit_ids": [second["id"]], "into_unit_id": first["id"],
        "effective_date": "2026-02-01"})
    assert merged.status_code == 200, merged.text


def test_a_change_of_rights_alerts_the_head_who_confirms_it_and_the_changer_cannot(people):
    commune_admin, head = people["quantri.tanninh"], people["lanhdao.tanninh"]
    office = commune_admin.post("/units", json={"parent_id": commune_admin.unit_id,
                                                "name": "Bộ phận tiếp dân (thử)",
                                                "level": "commune_office"}).json()
    created = new_user(commune_admin, office["id"], full_name="Trần Thị Mới")
    assert created.status_code == 201, created.text
    newcomer = created.json()
    moved = commune_admin.http.put(
        f"{commune_admin.base}/users/{newcomer['id']}/memberships",
        json={"memberships": [{"unit_id": office["id"], "role": "admin"}]})
    assert moved.status_code == 200, moved.text

    alerts = head.get("/rights-alerts", params={"user_id": newcomer["id"]}).json()["items"]
    assert [a["change"] for a in alerts] == ["change_roles", "created"]
    assert all(a["head_user_ids"] == [head.user["id"]] and a["may_confirm"] for a in alerts)
    change = alerts[0]
    assert change["changed_by"] == commune_admin.user["id"]
    assert change["details"]["after"] == [{"unit_id": office["id"], "role": "admin"}]

    by_changer = commune_admin.post(f"/rights-alerts/{change['id']}/confirm")
    assert by_changer.status_code == 403, by_changer.text
    outsider = people["vanthu.stc"].post(f"/rights-alerts/{change['id']}/confirm")
    assert outsider.status_code == 404
    assert people["vanthu.stc"].get("/rights-alerts").json()["items"] == []

    confirmed = head.post(f"/rights-alerts/{change['id']}/confirm")
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["confirmed_by"] == head.user["id"]
    assert head.post(f"/rights-alerts/{change['id']}/confirm").status_code == 409
    still_open = head.get("/rights-alerts", params={"user_id": newcomer["id"]}).json()
    assert [a["change"] for a in still_open["items"]] == ["created"]
    every = head.get("/rights-alerts", params={"user_id": newcomer["id"],
                                                "state": "all"}).json()["items"]
    assert len(every) == 2

    told = wait_until(lambda: [n for n in head.get("/notifications").json()["items"]
                               if n["kind"] == "rights_changed"
                               and "Trần Thị Mới" in n["title"]])
    assert len(told) == 2, told
    audit = people["admin"].get("/audit", params={"object_id": change["id"]}).json()["items"]
    assert [e["action"] for e in audit] == ["confirm", "raise"]
    assert audit[0]["actor_id"] == head.user["id"]


def test_a_change_of_clearance_is_alerted_and_only_within_the_admins_own_clearance(people):
    admin, head = people["admin"], people["lanhdao.tanninh"]
    commune_admin = people["quantri.tanninh"]
    user = new_user(commune_admin, commune_admin.unit_id).json()
    url = f"{commune_admin.base}/users/{user['id']}/clearance"
    assert commune_admin.http.put(url, json={"clearance": "confidential"}).status_code == 403
    raised = admin.http.put(f"{admin.base}/users/{user['id']}/clearance",
                            json={"clearance": "secret"})
    assert raised.status_code == 200 and raised.json()["clearance"] == "secret"
    alert = head.get("/rights-alerts", params={"user_id": user["id"]}).json()["items"][0]
    assert alert["change"] == "change_clearance"
    assert alert["details"] == {"before": "none", "after": "secret"}
    assert commune_admin.http.put(url, json={"clearance": "galaxy"}).status_code == 400
    login = Api(admin.base.removesuffix("/api/v1")).login(user["username"], NEW_PASSWORD)
    assert login.user["clearance"] == "secret"


def test_a_commune_admin_reads_the_audit_of_the_commune_only(people):
    commune_admin, admin = people["quantri.tanninh"], people["admin"]
    mine = new_user(commune_admin, commune_admin.unit_id).json()
    province_user = new_user(admin, people["lanhdao.ubnd"].unit_id).json()
    seen = {e["object_id"] for e in commune_admin.get(
        "/audit", params={"page_size": 200}).json()["items"]}
    assert mine["id"] in seen and province_user["id"] not in seen
    assert commune_admin.get("/audit", params={"object_id": province_user["id"]}) \
        .json()["total"] == 0
    assert admin.get("/audit", params={"object_id": province_user["id"]}).json()["total"] == 1
    assert commune_admin.get("/audit/verify").json()["intact"] is True
    assert people["lanhdao.tanninh"].get("/audit").status_code == 403


def test_an_uncleared_administrator_sees_no_particulars_of_a_secret_document(people, system):
    commune_admin = people["quantri.tanninh"]
    clerk = Api(system.base_url, "vanthu.tanninh")
    secret = register(clerk, [], 77001, subject="Phương án bảo vệ mục tiêu trọng yếu",
                      confidentiality="confidential", code_notation="BCA-A01")
    assert secret.status_code == 201, secret.text
    for api in (commune_admin, people["admin"]):
        shown = api.get("/audit", params={"object_id": secret.json()["id"]})
        assert shown.status_code == 200 and shown.json()["total"] >= 1
        assert all(e["details"] == {"withheld": True} for e in shown.json()["items"])
        assert "trọng yếu" not in shown.text and "BCA-A01" not in shown.text
    public = register(clerk, [], 77002, subject="Thông báo lịch tiếp dân")
    shown = commune_admin.get("/audit", params={"object_id": public.json()["id"],
                                                "action": "register"}).json()
    assert shown["items"][0]["details"]["after"]["subject"] == "Thông báo lịch tiếp dân"



def test_a_unit_cannot_be_merged_into_a_unit_below_it(people):
    commune_admin = people["quantri.tanninh"]
    upper = commune_admin.post("/units", json={"parent_id": commune_admin.unit_id,
                                               "name": "Khối thử (trên)", "level": "other"})
    lower = commune_admin.post("/units", json={"parent_id": upper.json()["id"],
                                               "name": "Tổ thử (dưới)", "level": "other"})
    assert (upper.status_code, lower.status_code) == (201, 201), lower.text
    merged = commune_admin.post("/units/merge", json={
        "unit_ids": [upper.json()["id"]], "into_unit_id": lower.json()["id"],
        "effective_date": "2026-03-01"})
    assert merged.status_code == 400 and "into_unit_id" in merged.json()["details"]
    assert commune_admin.get(f"/units/{upper.json()['id']}").json()["valid_to"] is None
