"""Search follows the documents service's permission rule through the gateway: a unit
given a part of another unit's document finds it once assigned (and not before), with
its state; an issued outgoing document is found by its own unit as outgoing; a recalled
internal delivery is found until its văn thư agrees to the recall, then no more."""
from datetime import timedelta

import pytest

from tests.e2e.helpers import Api, register, step, wait_until
from tests.clock import vietnam_today

SOON = (vietnam_today() + timedelta(days=20)).isoformat()


@pytest.fixture(scope="module")
def people(system):
    return {name: Api(system.base_url, name) for name in (
        "vanthu.ubnd", "lanhdao.ubnd", "lanhdao.snv", "vanthu.snv", "chuyenvien.stc",
        "lanhdao.stc", "vanthu.stc")}


def found(api, q, **params):
    response = api.get("/search", params={"q": q, **params})
    assert response.status_code == 200, response.text
    return {item["document_id"]: item for item in response.json()["items"]}


def test_a_unit_given_a_part_finds_the_document_with_its_state(people):
    clerk, chairman, snv = people["vanthu.ubnd"], people["lanhdao.ubnd"], people["lanhdao.snv"]
    doc = register(clerk, [], 6101, subject="Phương án sắp xếp trụ sở làm việc dôi dư").json()
    assert wait_until(lambda: doc["id"] in found(clerk, "tru so doi du"))
    assert doc["id"] not in found(snv, "tru so doi du")         # not Sở Nội vụ's, yet
    assert wait_until(lambda: chairman.get(f"/incoming/{doc['id']}/processing").json()["state"])
    assigned = chairman.post(f"/incoming/{doc['id']}/assign", json={
        "lead": {"unit_id": snv.unit_id, "due_date": SOON}})
    assert assigned.status_code == 200, assigned.text
    hit = wait_until(lambda: found(snv, "trụ sở dôi dư").get(doc["id"]), seconds=5)
    assert hit and hit["state"] == "assigned" and hit["direction"] == "incoming"
    assert doc["id"] in found(snv, "tru so", state="assigned")
    assert doc["id"] not in found(people["vanthu.stc"], "tru so doi du")   # still not STC's


def test_an_issued_outgoing_document_is_found_as_outgoing_and_a_recalled_delivery_leaves(
        people):
    drafter, director, clerk = (people["chuyenvien.stc"], people["lanhdao.stc"],
                                people["vanthu.stc"])
    doc = drafter.post("/outgoing", json={
        "unit_id": drafter.unit_id, "document_type": "TB",
        "subject": "Thông báo kết luận thanh tra ngân sách huyện đảo",
        "recipients": [{"unit_id": people["vanthu.snv"].unit_id}]}).json()
    for api, action in ((drafter, "submit"), (director, "approve"), (clerk, "check_form"),
                        (director, "sign"), (clerk, "number"), (clerk, "issue")):
        assert step(api, doc["id"], action).status_code == 200, action
    assert doc["id"] not in found(people["vanthu.snv"], "thanh tra ngan sach huyen dao")
    hit = wait_until(lambda: found(clerk, "thanh tra huyện đảo", direction="outgoing")
                     .get(doc["id"]), seconds=5)
    assert hit and hit["state"] == "issued" and hit["code_notation"].startswith("TB-")
    delivered = wait_until(lambda: [i for i in found(
        people["vanthu.snv"], "thanh tra huyen dao", direction="incoming").values()])
    assert delivered and delivered[0]["state"] == "registered"

    assert step(director, doc["id"], "recall", reason="Phát hành nhầm").status_code == 200
    assert wait_until(lambda: found(clerk, "thanh tra huyen dao", direction="outgoing")
                      [doc["id"]]["state"] == "recalled", seconds=5)
    copy_id = delivered[0]["document_id"]
    assert copy_id in found(people["vanthu.snv"], "thanh tra huyen dao")  # until agreed
    agreed = people["vanthu.snv"].post(f"/incoming/{copy_id}/change-answer",
                                       json={"agree": True})
    assert agreed.status_code == 200, agreed.text
    assert wait_until(lambda: copy_id not in found(people["vanthu.snv"],
                                                   "thanh tra huyen dao"), seconds=5)


def test_a_search_filter_outside_the_vocabulary_is_a_400(people):
    for params in ({"direction": "sideways"}, {"state": "lost"}):
        response = people["vanthu.stc"].get("/search", params={"q": "thông báo", **params})
        assert response.status_code == 400, response.text
        assert set(response.json()["details"]) == set(params)


def test_a_search_is_saved_listed_and_forgotten_and_each_user_sees_only_theirs(people):
    clerk, other = people["vanthu.stc"], people["vanthu.snv"]
    saved = clerk.post("/saved-searches", json={
        "name": "Thông báo khẩn", "params": {"q": "thông báo", "urgency": "urgent",
                                             "page": 3}})
    assert saved.status_code == 201, saved.text
    assert saved.json()["params"] == {"q": "thông báo", "urgency": "urgent"}
    assert clerk.post("/saved-searches", json={
        "name": "Thông báo khẩn", "params": {"q": "khác"}}).status_code == 409
    for body, field in (({"name": "", "params": {"q": "a"}}, "name"),
                        ({"name": "x", "params": {"q": ""}}, "q"),
                        ({"name": "x", "params": {"q": "a", "colour": "red"}}, "colour"),
                        ({"name": "x", "params": "q=a"}, "params")):
        refused = clerk.post("/saved-searches", json=body)
        assert refused.status_code == 400 and field in refused.json()["details"], refused.text
    assert [s["name"] for s in clerk.get("/saved-searches").json()["items"]] == [
        "Thông báo khẩn"]
    assert other.get("/saved-searches").json()["items"] == []
    saved_id = saved.json()["id"]
    assert other.http.delete(f"{other.base}/saved-searches/{saved_id}").status_code == 404
    assert clerk.http.delete(f"{clerk.base}/saved-searches/{saved_id}").status_code == 200
    assert clerk.get("/saved-searches").json()["items"] == []


def test_the_hits_export_as_a_spreadsheet_of_what_the_caller_may_see(people):
    from io import BytesIO

    from openpyxl import load_workbook

    clerk = people["vanthu.stc"]
    sheet = clerk.get("/search/export", params={"q": "thanh tra huyen dao"})
    assert sheet.status_code == 200, sheet.text
    assert sheet.content[:2] == b"PK" and sheet.headers["X-Document-Count"] == "1"
    rows = list(load_workbook(BytesIO(sheet.content)).active.iter_rows(values_only=True))
    header = next(i for i, row in enumerate(rows) if row and row[0] == "STT")
    assert rows[header + 1][4] == "Thông báo kết luận thanh tra ngân sách huyện đảo"
    assert rows[header + 1][7] == "Đi" and rows[header + 1][10] == "Thu hồi"
    assert clerk.get("/search/export", params={"q": ""}).status_code == 400
