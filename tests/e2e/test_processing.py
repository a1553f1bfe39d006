"""Processing an incoming document through the gateway (ND30 Điều 23–24): UBND tỉnh's
clerk registers it and submits it to the chairman; he assigns Sở Tài chính to lead, Sở
Nội vụ and a specialist of the Văn phòng to help, and a commune to know of it, with a
deadline each and a direction comment; Sở Tài chính's director passes the lead to a
specialist, who returns it once with a reason, then records progress and completes it
with the outgoing document that answers it; the document is done. Wrong steps, people
outside the leader's scope and past deadlines get a 4xx and change nothing."""
from datetime import timedelta

import pytest

from tests.e2e.helpers import Api, register, unique_number, wait_until
from tests.clock import vietnam_today

SOON = (vietnam_today() + timedelta(days=20)).isoformat()
LATER = (vietnam_today() + timedelta(days=30)).isoformat()


@pytest.fixture(scope="module")
def people(system):
    names = ("vanthu.ubnd", "lanhdao.ubnd", "chuyenvien.ubnd", "lanhdao.stc",
             "chuyenvien.stc", "vanthu.stc", "lanhdao.snv", "vanthu.snv", "lanhdao.tanninh")
    return {name: Api(system.base_url, name) for name in names}


def unit_of(people, name):
    return people[name].unit_id


def registered(people, number, **changes):
    doc = register(people["vanthu.ubnd"], [], number, **changes)
    assert doc.status_code == 201, doc.text
    doc = doc.json()
    leader = people["lanhdao.ubnd"]
    assert wait_until(lambda: leader.get(f"/incoming/{doc['id']}/processing").json()["state"])
    return doc


def processing(api, document_id):
    return api.get(f"/incoming/{document_id}/processing").json()


def item_of(processing_out, kind, **match):
    return next(i for i in processing_out["items"] if i["kind"] == kind and
                all(i[k] == v for k, v in match.items()) and i["state"] in ("open",
                                                                             "forwarded"))


def act(api, item_id, action, **body):
    return api.post(f"/assignments/{item_id}/{action}", json=body)


def test_a_lead_two_co_handlers_and_one_for_information_then_a_return_then_completion(
        people):
    doc = registered(people, 4101, subject="Kế hoạch kiểm tra quyết toán ngân sách xã")
    clerk, chairman = people["vanthu.ubnd"], people["lanhdao.ubnd"]
    submitted = clerk.post(f"/incoming/{doc['id']}/submit",
                           json={"to_user_id": chairman.user["id"], "note": "Kính trình"})
    assert submitted.status_code == 200, submitted.text
    assert [i["user_id"] for i in submitted.json()["items"]
            if i["kind"] == "to_assign" and i["state"] == "open"] == [chairman.user["id"]]
    assert wait_until(lambda: any(i["document_id"] == doc["id"] for i in chairman.get(
        "/inbox", params={"kind": "to_assign"}).json()["items"]))

    plan = {"lead": {"unit_id": unit_of(people, "vanthu.stc"), "due_date": SOON},
            "co_handlers": [{"unit_id": unit_of(people, "vanthu.snv")},
                            {"user_id": people["chuyenvien.ubnd"].user["id"],
                             "due_date": SOON}],
            "for_info": [{"unit_id": unit_of(people, "lanhdao.tanninh")}],
            "instruction": "Giao Sở Tài chính chủ trì, phối hợp Sở Nội vụ, báo cáo UBND tỉnh."}
    assigned = chairman.post(f"/incoming/{doc['id']}/assign", json=plan)
    assert assigned.status_code == 200, assigned.text
    out = assigned.json()
    assert out["state"] == "assigned" and out["due_date"] == SOON
    kinds = sorted(i["kind"] for i in out["items"] if i["state"] == "open")
    assert kinds == ["co_handler", "co_handler", "for_info", "lead"]
    snv_part = item_of(out, "co_handler", unit_id=unit_of(people, "vanthu.snv"))
    assert snv_part["due_date"] == SOON          # co-handlers take the lead's deadline
    assert chairman.post(f"/incoming/{doc['id']}/assign", json=plan).status_code == 409

    # the documents service follows: the incoming document is now "assigned"
    assert wait_until(lambda: clerk.get(f"/incoming/{doc['id']}").json()["state"]
                      == "assigned")

    director, specialist = people["lanhdao.stc"], people["chuyenvien.stc"]
    assert wait_until(lambda: any(   # the lead unit's leaders are told, with the deadline
        n["document_id"] == doc["id"] and "chủ trì" in n["title"]
        for n in director.get("/notifications").json()["items"]))
    lead = next(i for i in director.get("/inbox").json()["items"]
                if i["document_id"] == doc["id"])
    assert lead["kind"] == "lead" and lead["unit_id"] == unit_of(people, "vanthu.stc")
    forwarded = act(director, lead["id"], "forward", user_id=specialist.user["id"],
                    instruction="Đồng chí Bảo tham mưu")
    assert forwarded.status_code == 200, forwarded.text
    mine = next(i for i in specialist.get("/inbox").json()["items"]
                if i["document_id"] == doc["id"])
    assert act(specialist, mine["id"], "return").status_code == 400     # no reason
    returned = act(specialist, mine["id"], "return", reason="Cần thêm số liệu của xã")
    assert returned.status_code == 200, returned.text
    assert item_of(returned.json(), "lead", unit_id=lead["unit_id"])["state"] == "open"
    assert wait_until(lambda: any(
        n["document_id"] == doc["id"] and "trả lại" in n["title"]
        and "Cần thêm số liệu" in n["body"]
        for n in director.get("/notifications").json()["items"]))
    again = act(director, lead["id"], "forward", user_id=specialist.user["id"])
    assert again.status_code == 200, again.text
    mine = next(i for i in specialist.get("/inbox").json()["items"]
                if i["document_id"] == doc["id"] and i["state"] == "open")
    progress = act(specialist, mine["id"], "progress", percent=60, note="Đã tổng hợp 5/8 xã")
    assert progress.status_code == 200 and progress.json()["state"] == "in_progress"

    helper = people["chuyenvien.ubnd"]
    help_item = next(i for i in helper.get("/inbox").json()["items"]
                     if i["document_id"] == doc["id"])
    assert act(helper, help_item["id"], "complete", note="Đã góp ý").status_code == 200
    commune = people["lanhdao.tanninh"]
    told = commune.get("/inbox", params={"view": "following"}).json()["items"]
    assert any(i["document_id"] == doc["id"] and i["kind"] == "for_info" for i in told)

    reply = "6f1c1e52-8b4e-4c69-9a51-3c6d0e4a7b10"
    done = act(specialist, mine["id"], "complete", note="Đã có báo cáo",
               reply_document_id=reply)
    assert done.status_code == 200, done.text
    done = done.json()
    assert done["state"] == "done" and done["reply_document_id"] == reply
    assert all(i["state"] != "open" for i in done["items"])      # the rest is closed
    assert act(specialist, mine["id"], "progress", note="sau khi xong").status_code == 409
    assert wait_until(lambda: clerk.get(f"/incoming/{doc['id']}").json()["state"] == "done")

    history = chairman.get(f"/documents/{doc['id']}/history").json()["events"]
    actions = [e["action"] for e in history]
    for action in ("register", "processing_opened", "submitted", "assigned", "lead_assigned",
                   "returned", "progress", "completed", "document_done"):
        assert action in actions, action
    returned_event = next(e for e in history if e["action"] == "returned")
    assert returned_event["details"]["reason"] == "Cần thêm số liệu của xã"
    assert returned_event["actor_name"] == "Đặng Quốc Bảo"


def test_an_urgent_document_comes_first_in_the_leaders_inbox(people):
    normal = registered(people, 4102, subject="Văn bản thường để so sánh")
    flash = registered(people, 4103, subject="Công điện hỏa tốc", urgency="flash")
    items = people["lanhdao.ubnd"].get("/inbox", params={"page_size": 200}).json()["items"]
    order = [i["document_id"] for i in items]
    assert order.index(flash["id"]) < order.index(normal["id"])
    assert items[0]["urgency"] == "flash"


@pytest.fixture()
def waiting(people):
    """A document of UBND tỉnh waiting for its chairman to assign it."""
    return registered(people, unique_number(), subject="Văn bản chờ phân công")


@pytest.mark.parametrize("plan, field", [
    ({"lead": {"unit_id": "STC", "due_date": "2020-01-01"}}, "lead.due_date"),
    ({"lead": {"unit_id": "STC", "due_date": "2026-02-30"}}, "lead.due_date"),
    ({"lead": {"unit_id": "STC", "user_id": "SPECIALIST", "due_date": SOON}}, "lead"),
    ({"lead": {"unit_id": "STC", "due_date": SOON},
      "co_handlers": [{"unit_id": "STC"}]}, "assignees"),
    ({"co_handlers": []}, "lead"),
    ({"lead": {"unit_id": "not-an-id", "due_date": SOON}}, "lead"),
    ({"lead": {"unit_id": "STC", "due_date": SOON}, "instruction": "x" * 2001},
     "instruction"),
    ({"lead": {"unit_id": "STC", "due_date": SOON}, "deadline": SOON}, "deadline"),
])
def test_a_bad_assignment_is_a_400_and_changes_nothing(people, waiting, plan, field):
    ids = {"STC": unit_of(people, "vanthu.stc"),
           "SPECIALIST": people["chuyenvien.stc"].user["id"]}

    def resolve(value):
        if isinstance(value, dict):
            return {k: resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [resolve(v) for v in value]
        return ids.get(value, value)

    chairman = people["lanhdao.ubnd"]
    before = processing(chairman, waiting["id"])
    response = chairman.post(f"/incoming/{waiting['id']}/assign", json=resolve(plan))
    assert response.status_code == 400, response.text
    assert field in response.json()["details"], response.json()
    assert processing(chairman, waiting["id"]) == before


def test_a_leader_cannot_assign_outside_the_unit_and_the_units_below_it(people):
    doc = register(people["vanthu.stc"], [], 4401, subject="Văn bản của Sở Tài chính").json()
    director = people["lanhdao.stc"]
    assert wait_until(lambda: director.get(f"/incoming/{doc['id']}/processing").json()["state"])
    before = processing(director, doc["id"])
    for lead in ({"unit_id": unit_of(people, "vanthu.snv")},          # a sibling sở
                 {"unit_id": unit_of(people, "vanthu.ubnd")},         # the parent
                 {"user_id": people["vanthu.snv"].user["id"]}):       # someone of a sibling
        response = director.post(f"/incoming/{doc['id']}/assign",
                                 json={"lead": lead | {"due_date": SOON}})
        assert response.status_code == 400 and "assignees" in response.json()["details"]
    assert people["lanhdao.snv"].post(f"/incoming/{doc['id']}/assign", json={
        "lead": {"unit_id": unit_of(people, "vanthu.stc"), "due_date": SOON}}
    ).status_code == 403
    assert processing(director, doc["id"]) == before
    own = director.post(f"/incoming/{doc['id']}/assign", json={
        "lead": {"user_id": people["chuyenvien.stc"].user["id"]}})
    assert own.status_code == 200, own.text        # no deadline given: working days apply
    assert own.json()["due_date"] > vietnam_today().isoformat()


def test_a_unit_leader_cannot_pass_work_outside_the_unit_nor_after_its_deadline(people):
    doc = registered(people, 4301, subject="Văn bản để thử chuyển tiếp")
    chairman, director = people["lanhdao.ubnd"], people["lanhdao.stc"]
    chairman.post(f"/incoming/{doc['id']}/assign", json={
        "lead": {"unit_id": unit_of(people, "vanthu.stc"), "due_date": SOON}})
    lead = item_of(processing(chairman, doc["id"]), "lead")
    outside = act(director, lead["id"], "forward", user_id=people["vanthu.snv"].user["id"])
    assert outside.status_code == 400 and "user_id" in outside.json()["details"]
    late = act(director, lead["id"], "forward", user_id=people["chuyenvien.stc"].user["id"],
               due_date=LATER)
    assert late.status_code == 400 and "due_date" in late.json()["details"]
    assert act(people["lanhdao.snv"], lead["id"], "forward",
               user_id=people["chuyenvien.stc"].user["id"]).status_code == 403
    assert act(director, lead["id"], "complete").status_code == 200   # the unit itself
    assert processing(chairman, doc["id"])["state"] == "done"


def test_steps_not_allowed_from_the_current_state_are_a_409(people):
    doc = registered(people, 4302, subject="Văn bản để thử trạng thái")
    chairman = people["lanhdao.ubnd"]
    to_assign = item_of(processing(chairman, doc["id"]), "to_assign")
    assert act(chairman, to_assign["id"], "complete").status_code == 409
    assert act(chairman, to_assign["id"], "progress", note="x").status_code == 409
    assert act(chairman, "00000000-0000-0000-0000-000000000000", "complete").status_code == 404
    assert act(chairman, to_assign["id"], "dance").status_code == 404
    assert people["vanthu.stc"].post(f"/incoming/{doc['id']}/submit", json={
        "to_user_id": chairman.user["id"]}).status_code == 403


def test_notification_preferences_are_each_users_own_and_checked(people):
    api = people["chuyenvien.stc"]
    url = f"{api.base}/notifications/preferences"
    assert api.get("/notifications/preferences").json()["in_app"] is True
    bad = api.http.put(url, json={"email_enabled": True, "email": "không phải thư"})
    assert bad.status_code == 400 and "email" in bad.json()["details"]
    saved = api.http.put(url, json={"email_enabled": True, "email": "bao.dq@stc.tayninh.gov.vn"})
    assert saved.status_code == 200, saved.text
    assert saved.json()["email"] == "bao.dq@stc.tayninh.gov.vn"
    assert people["lanhdao.stc"].get("/notifications/preferences").json()["email"] is None


def test_the_processing_report_counts_by_unit_and_person_and_exports(people):
    chairman = people["lanhdao.ubnd"]
    doc = registered(people, 4501, subject="Văn bản cho báo cáo")
    chairman.post(f"/incoming/{doc['id']}/assign", json={
        "lead": {"unit_id": unit_of(people, "vanthu.snv"), "due_date": SOON},
        "co_handlers": [{"user_id": people["chuyenvien.ubnd"].user["id"]}]})
    unit_id = chairman.unit_id
    by_unit = chairman.get("/reports/processing", params={"unit_id": unit_id}).json()
    snv = next(r for r in by_unit["rows"] if r["id"] == unit_of(people, "vanthu.snv"))
    assert snv["name"].startswith("Sở Nội vụ") and snv["received"] >= 1
    assert doc["id"] in {d["document_id"] for d in snv["documents"]["open"]}
    stc = next(r for r in by_unit["rows"] if r["id"] == unit_of(people, "vanthu.stc"))
    assert stc["done_on_time"] >= 1            # the first test's lead, completed in time
    assert by_unit["totals"]["received"] == sum(r["received"] for r in by_unit["rows"])
    by_person = chairman.get("/reports/processing",
                             params={"unit_id": unit_id, "by": "person"}).json()
    assert any(r["name"] == "Lê Thị Thu" for r in by_person["rows"])   # chuyenvien.ubnd
    xlsx = chairman.get("/reports/processing/export",
                        params={"unit_id": unit_id, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"
    pdf = chairman.get("/reports/processing/export", params={"unit_id": unit_id})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert people["chuyenvien.stc"].get("/reports/processing",
                                        params={"unit_id": unit_id}).status_code == 403
    assert chairman.get("/reports/processing", params={
        "unit_id": unit_id, "from": "2026-05-01", "to": "2026-04-01"}).status_code == 400


def test_a_new_notification_reaches_an_open_event_stream_at_once(system, people):
    import json
    import threading

    import requests

    leader = people["lanhdao.ubnd"]
    ticket = leader.post("/notifications/stream-ticket").json()["ticket"]
    stream = requests.get(f"{leader.base}/notifications/stream",
                          params={"ticket": ticket}, stream=True, timeout=30)
    assert stream.status_code == 200
    assert stream.headers["Content-Type"].startswith("text/event-stream")
    received, lines = [], stream.iter_lines(decode_unicode=True)

    def read():
        event = None
        for line in lines:
            if line.startswith("event: "):
                event = line[7:]
            elif line.startswith("data: ") and event:
                received.append((event, json.loads(line[6:])))
                if event == "notification":
                    return

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    assert wait_until(lambda: received and received[0][0] == "unread", seconds=10)
    doc = register(people["vanthu.ubnd"], [], 4601, subject="Văn bản đẩy tức thời",
                   urgency="flash").json()
    reader.join(timeout=20)
    stream.close()
    pushed = [data for event, data in received if event == "notification"]
    assert pushed and pushed[0]["document_id"] == doc["id"]
    assert pushed[0]["title"].startswith("[HỎA TỐC]")
    assert requests.get(f"{leader.base}/notifications/stream", timeout=10).status_code == 401


def test_people_given_a_part_of_another_units_document_may_open_it(people):
    doc = registered(people, 4701, subject="Văn bản giao đơn vị khác")
    chairman, director = people["lanhdao.ubnd"], people["lanhdao.stc"]
    specialist = people["chuyenvien.stc"]
    assert director.get(f"/incoming/{doc['id']}").status_code == 403
    chairman.post(f"/incoming/{doc['id']}/assign", json={
        "lead": {"unit_id": unit_of(people, "vanthu.stc"), "due_date": SOON}})
    assert wait_until(lambda: director.get(f"/incoming/{doc['id']}").status_code == 200)
    assert specialist.get(f"/incoming/{doc['id']}").status_code == 200    # through the unit
    assert people["vanthu.snv"].get(f"/incoming/{doc['id']}").status_code == 403
    # the chairman chooses people in the units below his: he may list them
    listed = chairman.get("/users", params={"unit_id": unit_of(people, "vanthu.stc")})
    assert listed.status_code == 200 and listed.json()["total"] >= 3
    assert director.get("/users", params={"unit_id": chairman.unit_id}).status_code == 403
