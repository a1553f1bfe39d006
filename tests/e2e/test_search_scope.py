"""Search follows the documents service's permission rule through the gateway: a unit
given a part of another unit's document finds it once assigned (and not before), with
its state; an issued outgoing document is found by its own unit as outgoing; a recalled
internal delivery is found as recalled."""
from datetime import date, timedelta

import pytest

from tests.e2e.conftest import Api
from tests.e2e.test_journey import register, wait_until
from tests.e2e.test_outgoing import step

SOON = (date.today() + timedelta(days=20)).isoformat()


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


def test_an_issued_outgoing_document_is_found_as_outgoing_and_a_recalled_delivery_as_such(
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
    assert wait_until(lambda: found(people["vanthu.snv"], "thanh tra huyen dao",
                                    state="recalled"), seconds=5)
    assert wait_until(lambda: found(clerk, "thanh tra huyen dao", direction="outgoing")
                      [doc["id"]]["state"] == "recalled", seconds=5)


def test_a_search_filter_outside_the_vocabulary_is_a_400(people):
    for params in ({"direction": "sideways"}, {"state": "lost"}):
        response = people["vanthu.stc"].get("/search", params={"q": "thông báo", **params})
        assert response.status_code == 400, response.text
        assert set(response.json()["details"]) == set(params)
