"""Recall and update of an issued document delivered to units of the same deployment,
through the receiving văn thư's answer (QCVN 102 §2.8; ND30 Điều 18.4): Sở Tài chính
issues to Sở Nội vụ (and UBND); a recall or an update waits on each internal copy until
that unit's văn thư agrees or refuses with a reason; the sender sees each answer. An
agreed recall deletes the copy with its metadata (gone from lists, reading and search)
and keeps the recall log; an agreed update sets the new particulars on the copy. Bad
input, the wrong person and a second answer get a 4xx and change nothing."""
from datetime import timedelta

import pytest

from tests.clock import vietnam_today
from tests.e2e.helpers import (Api, draft, notification_about, step, through_signature,
                               wait_until)

SOON = (vietnam_today() + timedelta(days=15)).isoformat()
LATER = (vietnam_today() + timedelta(days=30)).isoformat()


@pytest.fixture(scope="module")
def people(system):
    return {name: Api(system.base_url, name) for name in (
        "chuyenvien.stc", "lanhdao.stc", "vanthu.stc", "vanthu.snv", "lanhdao.snv",
        "vanthu.ubnd", "admin")}


def issue(people, subject, *units, **changes):
    """A Thông báo of Sở Tài chính issued to the clerks' units; (document, {unit: copy id})."""
    recipients = [{"unit_id": people[u].unit_id} for u in units]
    doc = draft(people["chuyenvien.stc"], recipients, subject=subject, **changes).json()
    through_signature(people, doc["id"])
    assert step(people["vanthu.stc"], doc["id"], "number").status_code == 200
    issued = step(people["vanthu.stc"], doc["id"], "issue").json()
    copies = {r["unit_id"]: r["incoming_id"] for r in issued["recipients"]}
    return issued, {u: copies[people[u].unit_id] for u in units}


def found(api, q):
    response = api.get("/search", params={"q": q})
    assert response.status_code == 200, response.text
    return {item["document_id"] for item in response.json()["items"]}


def recipient(api, document_id, unit_id):
    doc = api.get(f"/outgoing/{document_id}").json()
    return next(r for r in doc["recipients"] if r["unit_id"] == unit_id)


def test_a_recall_waits_for_the_clerk_who_agrees_and_the_copy_leaves_but_its_log_stays(
        people):
    snv, sender = people["vanthu.snv"], people["lanhdao.stc"]
    subject = "Thông báo phân bổ kinh phí tập huấn chuyển đổi số (sẽ thu hồi)"
    issued, copies = issue(people, subject, "vanthu.snv")
    copy_id = copies["vanthu.snv"]
    assert wait_until(lambda: copy_id in found(snv, "tap huan chuyen doi so"), seconds=5)
    assert snv.post(f"/incoming/{copy_id}/change-answer",
                    json={"agree": True}).status_code == 409          # nothing asked yet

    assert step(sender, issued["id"], "recall", reason="Sai đơn vị nhận").status_code == 200
    copy = snv.get(f"/incoming/{copy_id}").json()
    assert copy["state"] == "registered"                               # not recalled at once
    assert copy["change_request"]["kind"] == "recall"
    assert copy["change_request"]["reason"] == "Sai đơn vị nhận"
    assert copy["change_request"]["from_outgoing_id"] == issued["id"]
    listed = snv.get("/incoming", params={"change_requested": "true"}).json()["items"]
    assert copy_id in [i["id"] for i in listed]
    assert recipient(sender, issued["id"], snv.unit_id)["request"]["kind"] == "recall"

    # only that unit's văn thư answers; a refusal needs a reason
    for other in (people["lanhdao.snv"], people["vanthu.ubnd"], people["vanthu.stc"]):
        assert other.post(f"/incoming/{copy_id}/change-answer",
                          json={"agree": True}).status_code == 403
    assert snv.post(f"/incoming/{copy_id}/change-answer",
                    json={"agree": False}).status_code == 400
    assert snv.post(f"/incoming/{copy_id}/change-answer",
                    json={"agree": "có"}).status_code == 400
    assert snv.get(f"/incoming/{copy_id}").json()["change_request"]["kind"] == "recall"

    agreed = snv.post(f"/incoming/{copy_id}/change-answer", json={"agree": True})
    assert agreed.status_code == 200, agreed.text
    assert agreed.json()["withdrawn"] is True and agreed.json()["document"] is None
    assert snv.get(f"/incoming/{copy_id}").status_code == 404
    assert copy_id not in [i["id"] for i in snv.get("/incoming").json()["items"]]
    assert wait_until(lambda: copy_id not in found(snv, "tap huan chuyen doi so"), seconds=5)
    assert snv.post(f"/incoming/{copy_id}/change-answer",
                    json={"agree": True}).status_code == 404           # answered: gone
    log = people["admin"].get("/audit", params={"action": "withdrawn",
                                                "object_id": copy_id}).json()
    assert log["total"] == 1
    kept = log["items"][0]["details"]
    assert kept["code_notation"] == issued["code_notation"] and kept["answer"]["agreed"]
    assert kept["reason"] == "Sai đơn vị nhận"

    answer = recipient(sender, issued["id"], snv.unit_id)["answer"]
    assert answer["kind"] == "recall" and answer["agreed"] is True and answer["at"]


def test_a_refused_recall_keeps_the_copy_and_tells_the_sender_why(people):
    snv, ubnd, sender = people["vanthu.snv"], people["vanthu.ubnd"], people["vanthu.stc"]
    issued, copies = issue(people, "Thông báo lịch kiểm tra quyết toán (thu hồi bị từ chối)",
                           "vanthu.snv", "vanthu.ubnd")
    assert step(sender, issued["id"], "recall", reason="Đổi lịch").status_code == 200
    refused = snv.post(f"/incoming/{copies['vanthu.snv']}/change-answer",
                       json={"agree": False, "reason": "Đã phân công xử lý"})
    assert refused.status_code == 200, refused.text
    kept = refused.json()["document"]
    assert kept["state"] == "registered" and kept["change_request"] is None
    assert kept["change_answers"][-1]["agreed"] is False
    assert kept["change_answers"][-1]["reason"] == "Đã phân công xử lý"
    assert snv.post(f"/incoming/{copies['vanthu.snv']}/change-answer",
                    json={"agree": True}).status_code == 409            # answered once
    assert snv.get(f"/incoming/{copies['vanthu.snv']}").status_code == 200
    assert copies["vanthu.snv"] not in [i["id"] for i in snv.get(
        "/incoming", params={"change_requested": "true"}).json()["items"]]

    answer = recipient(sender, issued["id"], snv.unit_id)["answer"]
    assert answer == {"kind": "recall", "agreed": False, "reason": "Đã phân công xử lý",
                      "at": answer["at"], "update": None}
    waiting = recipient(sender, issued["id"], ubnd.unit_id)          # not answered yet
    assert "answer" not in waiting and waiting["request"]["kind"] == "recall"
    # each receiving văn thư was told of the request; the sender's of the refusal and why
    asked = notification_about(ubnd, lambda n: n["document_id"] == copies["vanthu.ubnd"])
    assert asked["kind"] == "incoming_change_requested" and "Đổi lịch" in asked["body"]
    told = notification_about(sender, lambda n: n["document_id"] == issued["id"] and
                              n["kind"] == "incoming_change_answered")
    assert "không đồng ý thu hồi" in told["title"]
    assert "Đã phân công xử lý" in told["body"]



def test_an_agreed_update_changes_the_copy_and_a_refused_one_leaves_it(people):
    snv, ubnd, clerk = people["vanthu.snv"], people["vanthu.ubnd"], people["vanthu.stc"]
    issued, copies = issue(people, "Thông báo tổ chức hội nghị tổng kết ngân sách",
                           "vanthu.snv", "vanthu.ubnd", due_date=SOON)
    update = step(clerk, issued["id"], "update", reason="Đổi thời gian hội nghị", changes={
        "subject": "Thông báo tổ chức hội nghị tổng kết ngân sách (thay đổi thời gian)",
        "due_date": LATER, "urgency": "urgent"})
    assert update.status_code == 200, update.text
    doc = update.json()
    assert doc["state"] == "issued" and doc["due_date"] == LATER and doc["urgency"] == "urgent"
    assert doc["updates"][0]["number"] == 1 and doc["updates"][0]["before"]["due_date"] == SOON
    assert doc["code_number"] == issued["code_number"]
    assert "update" in doc["allowed_actions"]

    copy = snv.get(f"/incoming/{copies['vanthu.snv']}").json()
    assert copy["due_date"] == SOON                                   # not applied by itself
    assert copy["change_request"]["kind"] == "update"
    assert copy["change_request"]["changes"]["due_date"] == LATER

    agreed = snv.post(f"/incoming/{copies['vanthu.snv']}/change-answer", json={"agree": True})
    assert agreed.status_code == 200, agreed.text
    changed = snv.get(f"/incoming/{copies['vanthu.snv']}").json()
    assert changed["subject"].endswith("(thay đổi thời gian)")
    assert changed["due_date"] == LATER and changed["urgency"] == "urgent"
    assert changed["change_request"] is None and changed["change_answers"][-1]["agreed"]
    assert wait_until(lambda: copies["vanthu.snv"] in found(snv, "thay doi thoi gian"),
                      seconds=5)
    history = snv.get(f"/documents/{copies['vanthu.snv']}/history").json()["events"]
    assert "changes_applied" in [e["action"] for e in history]

    refused = ubnd.post(f"/incoming/{copies['vanthu.ubnd']}/change-answer",
                        json={"agree": False, "reason": "Hội nghị đã tổ chức"})
    assert refused.status_code == 200, refused.text
    assert ubnd.get(f"/incoming/{copies['vanthu.ubnd']}").json()["due_date"] == SOON

    seen = clerk.get(f"/outgoing/{issued['id']}").json()
    assert seen["updates"][0]["answers"][snv.unit_id]["agreed"] is True
    assert seen["updates"][0]["answers"][ubnd.unit_id] == {
        "agreed": False, "reason": "Hội nghị đã tổ chức",
        "at": seen["updates"][0]["answers"][ubnd.unit_id]["at"]}
    assert recipient(clerk, issued["id"], ubnd.unit_id)["answer"]["kind"] == "update"


def test_an_update_outside_its_particulars_or_its_rules_is_refused_and_changes_nothing(
        people):
    clerk = people["vanthu.stc"]
    issued, copies = issue(people, "Thông báo kế hoạch kiểm kê tài sản công", "vanthu.snv")
    refused = {
        "no reason": step(clerk, issued["id"], "update", changes={"urgency": "urgent"}),
        "nothing": step(clerk, issued["id"], "update", reason="x", changes={}),
        "number": step(clerk, issued["id"], "update", reason="x",
                       changes={"code_number": "99"}),
        "secret": step(clerk, issued["id"], "update", reason="x",
                       changes={"confidentiality": "secret"}),
        "past": step(clerk, issued["id"], "update", reason="x",
                     changes={"due_date": "2020-01-01"}),
    }
    assert {k: r.status_code for k, r in refused.items()} == dict.fromkeys(refused, 400)
    same = step(clerk, issued["id"], "update", reason="x",
                changes={"subject": issued["subject"]})
    assert same.status_code == 409                                   # nothing would change
    assert step(people["chuyenvien.stc"], issued["id"], "update", reason="x",
                changes={"urgency": "urgent"}).status_code == 403
    assert step(people["vanthu.snv"], issued["id"], "update", reason="x",
                changes={"urgency": "urgent"}).status_code == 403
    doc = clerk.get(f"/outgoing/{issued['id']}").json()
    assert doc["updates"] == [] and doc["urgency"] == "normal"
    assert people["vanthu.snv"].get(f"/incoming/{copies['vanthu.snv']}").json()[
        "change_request"] is None

    draft_doc = draft(people["chuyenvien.stc"], [{"unit_id": people["vanthu.snv"].unit_id}],
                      subject="Dự thảo chưa phát hành").json()
    assert step(clerk, draft_doc["id"], "update", reason="x",
                changes={"urgency": "urgent"}).status_code == 409    # not issued
