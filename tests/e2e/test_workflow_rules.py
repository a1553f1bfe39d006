"""Delegation in workflow, units' deadline rules and approval chains, through the gateway.

UBND tỉnh's chairman lets his chief of office assign incoming documents in his place
(TL, "assign"): the chief finds them among the work delegated to him, opens them and
assigns them, and the history shows both people; once revoked, he cannot. Sở Nội vụ's
director lets a head of division approve its reports (TTr) in his place in the unit's
approval chain. Sở Nội vụ counts Hỏa tốc documents in office hours: the lead gets a
deadline at a minute, not a day. A submitted draft is in its chain at once, and the
processing shows the chain's steps."""
import uuid
from datetime import datetime, timedelta, timezone

import pytest

from tests.e2e.helpers import EXTERNAL, Api, register, step, wait_until
from tests.clock import vietnam_today

NEXT_WEEK = (vietnam_today() + timedelta(days=7)).isoformat()
SOON = (vietnam_today() + timedelta(days=20)).isoformat()
PASSWORD = "mat-khau-dai-2026"
VIETNAM = timezone(timedelta(hours=7))


@pytest.fixture(scope="module")
def people(system):
    """The demo staff, and a chief of office, a head of division and a specialist of the
    test's own (the system is shared: usernames and names of their own)."""
    admin = Api(system.base_url, "admin")
    tag = uuid.uuid4().hex[:6]
    own = {name: f"{name}.{tag}" for name in
           ("chanhvanphong.ubnd", "truongphong.snv", "chuyenvien.snv")}
    units = {name: Api(system.base_url, clerk).unit_id
             for name, clerk in (("UBND", "vanthu.ubnd"), ("SNV", "vanthu.snv"))}
    vp = Api(system.base_url, "chuyenvien.ubnd").unit_id     # Văn phòng UBND tỉnh
    for username, full_name, position, unit_id, role in (
            ("chanhvanphong.ubnd", "Phan Văn Chính", "Chánh Văn phòng", vp, "unit_head"),
            ("truongphong.snv", "Kiều Thị Trang", "Trưởng phòng", units["SNV"], "specialist"),
            ("chuyenvien.snv", "Mạc Văn Vinh", "Chuyên viên", units["SNV"], "specialist")):
        created = admin.post("/users", json={
            "username": own[username], "full_name": full_name, "position": position,
            "password": PASSWORD, "memberships": [{"unit_id": unit_id, "role": role}]})
        assert created.status_code == 201, created.text
    people = {name: Api(system.base_url, name)
              for name in ("vanthu.ubnd", "lanhdao.ubnd", "lanhdao.snv", "vanthu.snv",
                           "vanthu.stc")}
    for username in ("chanhvanphong.ubnd", "truongphong.snv", "chuyenvien.snv"):
        people[username] = Api(system.base_url).login(own[username], PASSWORD)
    return people


def submitted_to_chairman(people, number, **changes):
    clerk, chairman = people["vanthu.ubnd"], people["lanhdao.ubnd"]
    doc = register(clerk, [], number, **changes)
    assert doc.status_code == 201, doc.text
    doc = doc.json()
    assert wait_until(lambda: chairman.get(f"/incoming/{doc['id']}/processing").json()["state"])
    submitted = clerk.post(f"/incoming/{doc['id']}/submit",
                           json={"to_user_id": chairman.user["id"]})
    assert submitted.status_code == 200, submitted.text
    return doc


def delegated_items(api):
    return api.get("/inbox", params={"view": "delegated"}).json()["items"]


def test_a_chief_of_office_assigns_for_the_chairman_and_the_history_shows_both(people):
    chairman, chief = people["lanhdao.ubnd"], people["chanhvanphong.ubnd"]
    doc = submitted_to_chairman(people, 5101, subject="Đề nghị hỗ trợ kinh phí phòng chống lụt")
    plan = {"lead": {"unit_id": people["vanthu.stc"].unit_id, "due_date": SOON},
            "instruction": "Giao Sở Tài chính chủ trì tham mưu."}
    before = chairman.get(f"/incoming/{doc['id']}/processing").json()
    assert chief.post(f"/incoming/{doc['id']}/assign", json=plan).status_code == 403
    assert chief.get(f"/incoming/{doc['id']}").status_code == 403
    assert delegated_items(chief) == []
    assert chairman.get(f"/incoming/{doc['id']}/processing").json() == before

    given = chairman.post("/delegations", json={
        "unit_id": chairman.unit_id, "to_user_id": chief.user["id"], "kind": "TL",
        "actions": ["assign"], "valid_to": NEXT_WEEK})
    assert given.status_code == 201, given.text
    waiting = [i for i in delegated_items(chief) if i["document_id"] == doc["id"]]
    assert [(i["kind"], i["delegation"]["from_name"], i["delegation"]["kind"])
            for i in waiting] == [("to_assign", "Trần Văn Minh", "TL")]
    assert chief.get(f"/incoming/{doc['id']}").status_code == 200     # acting for him
    assert chief.get(f"/incoming/{doc['id']}/processing").status_code == 200

    assigned = chief.post(f"/incoming/{doc['id']}/assign", json=plan)
    assert assigned.status_code == 200, assigned.text
    out = assigned.json()
    assert out["state"] == "assigned"
    assert [i["state"] for i in out["items"] if i["kind"] == "to_assign"] == ["done"]
    assert not any(i["document_id"] == doc["id"] for i in delegated_items(chief))

    history = chairman.get(f"/documents/{doc['id']}/history").json()["events"]
    event = next(e for e in history if e["action"] == "assigned")
    assert event["actor_name"] == "Phan Văn Chính"
    assert event["details"]["on_behalf_of"] == chairman.user["id"]
    assert event["details"]["on_behalf_of_name"] == "Trần Văn Minh"
    assert event["details"]["delegation_kind"] == "TL"
    lead = next(e for e in history if e["action"] == "lead_assigned")
    assert lead["details"]["on_behalf_of"] == chairman.user["id"]

    # revoked: the next document is the chairman's alone again
    assert chairman.post(f"/delegations/{given.json()['id']}/revoke").status_code == 200
    other = submitted_to_chairman(people, 5102, subject="Văn bản sau khi thu hồi ủy quyền")
    assert chief.post(f"/incoming/{other['id']}/assign", json=plan).status_code == 403
    assert delegated_items(chief) == []


def test_a_delegation_limited_to_approval_does_not_let_its_holder_assign(people):
    chairman, chief = people["lanhdao.ubnd"], people["chanhvanphong.ubnd"]
    given = chairman.post("/delegations", json={
        "unit_id": chairman.unit_id, "to_user_id": chief.user["id"], "kind": "KT",
        "actions": ["sign"], "valid_to": NEXT_WEEK})
    assert given.status_code == 201, given.text
    doc = submitted_to_chairman(people, 5103, subject="Văn bản chỉ ủy quyền ký")
    response = chief.post(f"/incoming/{doc['id']}/assign", json={
        "lead": {"unit_id": people["vanthu.stc"].unit_id, "due_date": SOON}})
    assert response.status_code == 403
    assert chairman.post(f"/delegations/{given.json()['id']}/revoke").status_code == 200


@pytest.fixture(scope="module")
def snv_chain(people):
    """Sở Nội vụ's reports to the province (TTr) are approved by its director."""
    director = people["lanhdao.snv"]
    chain = director.http.put(f"{director.base}/approval-chains", json={
        "unit_id": director.unit_id, "document_type": "TTr",
        "steps": [{"approvers": [director.user["id"]], "mode": "any"}]})
    assert chain.status_code == 200, chain.text
    yield chain.json()
    removed = director.http.put(f"{director.base}/approval-chains", json={
        "unit_id": director.unit_id, "document_type": "TTr", "steps": []})
    assert removed.status_code == 200, removed.text


def draft(api, document_type, subject):
    response = api.post("/outgoing", json={
        "unit_id": api.unit_id, "document_type": document_type, "subject": subject,
        "recipients": [EXTERNAL]})
    assert response.status_code == 201, response.text
    return response.json()


def test_a_submitted_draft_is_in_its_chain_at_once_and_shows_the_chains_steps(people,
                                                                              snv_chain):
    drafter, director = people["chuyenvien.snv"], people["lanhdao.snv"]
    doc = draft(drafter, "TTr", "Tờ trình thành lập phòng Chính quyền địa phương")
    submitted = step(drafter, doc["id"], "submit")
    assert submitted.status_code == 200, submitted.text
    assert submitted.json()["in_approval_chain"] is True
    # no waiting: the chain holds from the moment of submission
    assert step(director, doc["id"], "approve").status_code == 409
    out = wait_until(lambda: (p := director.get(f"/outgoing/{doc['id']}/processing").json())
                     ["items"] and p)
    assert out["approval_steps"] == [{"step": 1, "mode": "any",
                                      "approvers": [director.user["id"]]}]
    approval = next(i for i in out["items"] if i["kind"] == "approve")
    assert (approval["step"], approval["mode"], approval["user_id"]) == \
        (1, "any", director.user["id"])
    inbox = director.get("/inbox", params={"kind": "approve"}).json()["items"]
    assert next(i for i in inbox if i["document_id"] == doc["id"])["step"] == 1

    # a draft of a type without a chain is approved directly, as before
    plain = draft(drafter, "KH", "Kế hoạch không theo quy trình duyệt")
    assert step(drafter, plain["id"], "submit").json()["in_approval_chain"] is False
    assert step(director, plain["id"], "approve").status_code == 200


def test_a_head_of_division_approves_for_the_director_in_the_chain(people, snv_chain):
    drafter, director = people["chuyenvien.snv"], people["lanhdao.snv"]
    head = people["truongphong.snv"]
    doc = draft(drafter, "TTr", "Tờ trình kiện toàn tổ chức bộ máy")
    assert step(drafter, doc["id"], "submit").status_code == 200
    approval = wait_until(lambda: next((i for i in director.get(
        "/inbox", params={"kind": "approve"}).json()["items"]
        if i["document_id"] == doc["id"]), None))
    assert approval
    assert head.post(f"/assignments/{approval['id']}/approve", json={}).status_code == 403

    # limited to plans (KH): not enough for a report
    narrow = director.post("/delegations", json={
        "unit_id": director.unit_id, "to_user_id": head.user["id"], "kind": "KT",
        "actions": ["approve"], "document_types": ["KH"], "valid_to": NEXT_WEEK})
    assert narrow.status_code == 201, narrow.text
    assert not any(i["document_id"] == doc["id"] for i in delegated_items(head))
    assert head.post(f"/assignments/{approval['id']}/approve", json={}).status_code == 403

    given = director.post("/delegations", json={
        "unit_id": director.unit_id, "to_user_id": head.user["id"], "kind": "KT",
        "actions": ["approve"], "document_types": ["TTr"], "valid_to": NEXT_WEEK})
    assert given.status_code == 201, given.text
    mine = next(i for i in delegated_items(head) if i["document_id"] == doc["id"])
    assert mine["kind"] == "approve" and mine["delegation"]["from_name"] == "Bùi Văn Đức"
    approved = head.post(f"/assignments/{mine['id']}/approve",
                         json={"comment": "Đồng ý (thay Giám đốc đi công tác)"})
    assert approved.status_code == 200, approved.text
    assert approved.json()["state"] == "approved"
    decided = next(i for i in approved.json()["items"] if i["id"] == mine["id"])
    assert (decided["user_id"], decided["done_by"]) == (director.user["id"], head.user["id"])
    assert drafter.get(f"/outgoing/{doc['id']}").json()["state"] == "approved"

    history = director.get(f"/documents/{doc['id']}/history").json()["events"]
    in_chain = next(e for e in history if e["action"] == "approved_step")
    assert in_chain["actor_name"] == "Kiều Thị Trang"
    assert in_chain["details"]["on_behalf_of_name"] == "Bùi Văn Đức"
    in_documents = next(e for e in history if e["action"] == "approve")
    assert in_documents["actor_id"] == head.user["id"]
    assert in_documents["details"]["on_behalf_of"] == director.user["id"]
    assert in_documents["details"]["delegation_kind"] == "KT"
    sheet = director.get(f"/documents/{doc['id']}/history", params={"format": "xlsx"})
    assert sheet.status_code == 200 and sheet.content[:2] == b"PK"
    for delegation in (narrow, given):
        director.post(f"/delegations/{delegation.json()['id']}/revoke")


def test_a_unit_counting_flash_documents_in_hours_gives_the_lead_a_minute(people):
    director = people["lanhdao.snv"]
    rules_url = f"{director.base}/units/{director.unit_id}/processing-rules"
    # the system is shared: start from the defaults, and leave them as found
    kept = director.get(f"/units/{director.unit_id}/processing-rules").json()
    assert director.http.put(rules_url, json={}).status_code == 200
    try:
        check_a_flash_document_gets_a_minute(people, rules_url)
    finally:
        director.http.put(rules_url, json={"working_days": kept["working_days"],
                                           "hours": kept["hours"]})


def check_a_flash_document_gets_a_minute(people, rules_url):
    director, clerk = people["lanhdao.snv"], people["vanthu.snv"]
    assert director.get(f"/units/{director.unit_id}/processing-rules").json()[
        "working_days"]["normal"] == 10
    set_ = director.http.put(rules_url, json={"working_days": {"normal": 7},
                                              "hours": {"flash": 4}})
    assert set_.status_code == 200, set_.text
    assert set_.json()["hours"] == {"flash": 4.0}
    assert set_.json()["working_days"]["normal"] == 7

    doc = register(clerk, [], 5201, subject="Công điện hỏa tốc về ứng phó bão",
                   urgency="flash").json()
    assert wait_until(lambda: director.get(f"/incoming/{doc['id']}/processing").json()["state"])
    assigned = director.post(f"/incoming/{doc['id']}/assign", json={
        "lead": {"user_id": people["chuyenvien.snv"].user["id"]}})
    assert assigned.status_code == 200, assigned.text
    lead = next(i for i in assigned.json()["items"] if i["kind"] == "lead")
    due_at = datetime.fromisoformat(lead["due_at"])
    assert due_at.utcoffset() is not None
    assert timedelta(hours=4) <= due_at - datetime.now(due_at.tzinfo) <= timedelta(days=5)
    assert lead["due_date"] == due_at.astimezone(VIETNAM).date().isoformat()
    assert assigned.json()["due_at"] == lead["due_at"]

    normal = register(clerk, [], 5202, subject="Văn bản thường theo quy chế đơn vị").json()
    assert wait_until(lambda: director.get(
        f"/incoming/{normal['id']}/processing").json()["state"])
    plain = director.post(f"/incoming/{normal['id']}/assign", json={
        "lead": {"user_id": people["chuyenvien.snv"].user["id"]}}).json()
    lead = next(i for i in plain["items"] if i["kind"] == "lead")
    assert lead["due_at"] is None and lead["due_date"] > vietnam_today().isoformat()


@pytest.mark.parametrize("body, field", [
    ({"working_days": {"normal": 0}}, "working_days.normal"),
    ({"hours": {"normal": 4}}, "hours.normal"),
    ({"hours": {"flash": "bốn"}}, "hours.flash"),
    ({"weekends": True}, "weekends"),
])
def test_bad_unit_rules_are_a_400_and_change_nothing(people, body, field):
    director = people["lanhdao.ubnd"]
    url = f"{director.base}/units/{director.unit_id}/processing-rules"
    before = director.get(f"/units/{director.unit_id}/processing-rules").json()
    response = director.http.put(url, json=body)
    assert response.status_code == 400, response.text
    assert field in response.json()["details"]
    assert director.get(f"/units/{director.unit_id}/processing-rules").json() == before


def test_only_the_units_leaders_set_its_rules_and_only_its_people_read_them(people):
    chairman, clerk = people["lanhdao.ubnd"], people["vanthu.ubnd"]
    url = f"{clerk.base}/units/{chairman.unit_id}/processing-rules"
    assert clerk.http.put(url, json={"working_days": {"normal": 3}}).status_code == 403
    assert people["vanthu.snv"].get(
        f"/units/{chairman.unit_id}/processing-rules").status_code == 403
    assert chairman.get(f"/units/{chairman.unit_id}/processing-rules").json()[
        "working_days"]["normal"] == 10
