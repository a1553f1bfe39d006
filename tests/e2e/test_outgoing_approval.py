"""An outgoing draft through its unit's approval chain (workflow) and on to issue: Sở Tài
chính approves its plans (KH) in two steps, the deputy director then the director; the
clerk checks the form, the director signs, the clerk numbers and issues it to two
internal units, each of which then holds it as a numbered incoming document. A return
from the chain returns the draft; resubmitting starts the chain again."""
import uuid

import pytest

from tests.e2e.helpers import Api, step, wait_until

DEPUTY = f"phogiamdoc.{uuid.uuid4().hex[:6]}.stc"   # the system is shared: a name of its own


@pytest.fixture(scope="module")
def people(system):
    """Sở Tài chính's staff and a deputy director of the test's own; its plans (KH) go
    through a two-step chain while the module runs (removed afterwards: other tests
    and scenarios draft plans in the same unit)."""
    admin = Api(system.base_url, "admin")
    stc = Api(system.base_url, "vanthu.stc").unit_id
    created = admin.post("/users", json={
        "username": DEPUTY, "full_name": "Trịnh Văn Phó", "position": "Phó Giám đốc",
        "password": "mat-khau-dai-2026",
        "memberships": [{"unit_id": stc, "role": "unit_head"}]})
    assert created.status_code == 201, created.text
    names = ("chuyenvien.stc", "lanhdao.stc", "vanthu.stc", "vanthu.snv", "vanthu.ubnd")
    people = {name: Api(system.base_url, name) for name in names}
    people["phogiamdoc.stc"] = Api(system.base_url).login(DEPUTY, "mat-khau-dai-2026")
    chain = people["lanhdao.stc"].http.put(f"{admin.base}/approval-chains", json={
        "unit_id": stc, "document_type": "KH",
        "steps": [{"approvers": [people["phogiamdoc.stc"].user["id"]]},
                  {"approvers": [people["lanhdao.stc"].user["id"]], "mode": "any"}]})
    assert chain.status_code == 200, chain.text
    yield people
    removed = people["lanhdao.stc"].http.put(f"{admin.base}/approval-chains", json={
        "unit_id": stc, "document_type": "KH", "steps": []})
    assert removed.status_code == 200, removed.text


def draft_plan(people, subject):
    recipients = [{"unit_id": people["vanthu.snv"].unit_id},
                  {"unit_id": people["vanthu.ubnd"].unit_id}]
    response = people["chuyenvien.stc"].post("/outgoing", json={
        "unit_id": people["chuyenvien.stc"].unit_id, "document_type": "KH",
        "subject": subject, "recipients": recipients})
    assert response.status_code == 201, response.text
    return response.json()


def approval_of(api, document_id):
    """The caller's open approval of the document, once workflow has given it."""
    def find():
        items = api.get("/inbox", params={"kind": "approve"}).json()["items"]
        return next((i for i in items if i["document_id"] == document_id), None)
    return wait_until(find)


def test_a_two_step_approval_then_signature_and_issue_to_two_internal_units(people):
    doc = draft_plan(people, "Kế hoạch kiểm tra tài chính năm 2027")
    assert step(people["chuyenvien.stc"], doc["id"], "submit").status_code == 200
    deputy, director = people["phogiamdoc.stc"], people["lanhdao.stc"]
    first = approval_of(deputy, doc["id"])
    assert first, "the first approver never got the draft"
    # the chain cannot be skipped: the director's direct approval is refused meanwhile
    assert wait_until(lambda: director.get(f"/outgoing/{doc['id']}").json()[
        "in_approval_chain"])
    assert step(director, doc["id"], "approve").status_code == 409
    assert step(director, doc["id"], "approve").json()["message"].startswith(
        "Dự thảo đang theo quy trình duyệt")
    assert step(director, doc["id"], "approve",
                on_behalf_of=director.user["id"]).status_code == 400
    assert not any(i["document_id"] == doc["id"] for i in director.get(
        "/inbox", params={"kind": "approve"}).json()["items"])   # not the director's turn
    approved = deputy.post(f"/assignments/{first['id']}/approve",
                           json={"comment": "Đồng ý, trình Giám đốc"})
    assert approved.status_code == 200, approved.text
    assert people["chuyenvien.stc"].get(f"/outgoing/{doc['id']}").json()["state"] == \
        "submitted"                                   # one step left
    second = approval_of(director, doc["id"])
    assert second
    done = director.post(f"/assignments/{second['id']}/approve", json={})
    assert done.status_code == 200, done.text
    assert done.json()["state"] == "approved"
    assert people["vanthu.stc"].get(f"/outgoing/{doc['id']}").json()["state"] == "approved"

    for api, action in ((people["vanthu.stc"], "check_form"), (director, "sign"),
                        (people["vanthu.stc"], "number"), (people["vanthu.stc"], "issue")):
        response = step(api, doc["id"], action)
        assert response.status_code == 200, (action, response.text)
    issued = response.json()
    assert issued["code_notation"] == "KH-STC"
    for clerk_name in ("vanthu.snv", "vanthu.ubnd"):
        clerk = people[clerk_name]
        received = next(r for r in issued["recipients"] if r["unit_id"] == clerk.unit_id)
        incoming = clerk.get(f"/incoming/{received['incoming_id']}").json()
        assert incoming["arrival_number"] >= 1 and incoming["register_id"]
        assert (incoming["code_number"], incoming["code_notation"]) == \
            (issued["code_number"], "KH-STC")

    history = [e["action"] for e in director.get(
        f"/documents/{doc['id']}/history").json()["events"]]
    assert history.count("approved_step") == 2 and "draft_approved" in history


def test_a_return_from_the_chain_returns_the_draft_and_resubmitting_starts_again(people):
    doc = draft_plan(people, "Kế hoạch sẽ bị trả lại")
    drafter, deputy = people["chuyenvien.stc"], people["phogiamdoc.stc"]
    step(drafter, doc["id"], "submit")
    first = approval_of(deputy, doc["id"])
    no_reason = deputy.post(f"/assignments/{first['id']}/return", json={})
    assert no_reason.status_code == 400
    returned = deputy.post(f"/assignments/{first['id']}/return",
                           json={"reason": "Bổ sung dự toán"})
    assert returned.status_code == 200, returned.text
    draft = drafter.get(f"/outgoing/{doc['id']}").json()
    assert draft["state"] == "returned" and draft["state_reason"] == "Bổ sung dự toán"
    assert deputy.post(f"/assignments/{first['id']}/approve", json={}).status_code == 409
    drafter.post(f"/outgoing/{doc['id']}/versions", json={"note": "Đã bổ sung dự toán"})
    step(drafter, doc["id"], "submit")
    again = wait_until(lambda: (lambda a: a if a and a["id"] != first["id"] else None)(
        approval_of(deputy, doc["id"])))
    assert again, "the chain did not start again"


@pytest.mark.parametrize("body, field, status", [
    ({"steps": [{"approvers": ["SNV_CLERK"]}]}, "steps", 400),
    ({"steps": [{"approvers": ["DEPUTY"], "mode": "most"}]}, "steps[0].mode", 400),
    ({"steps": [{"approvers": []}]}, "steps[0].approvers", 400),
    ({"steps": [{"approvers": ["DEPUTY"]}], "document_type": "XYZ"}, "document_type", 400),
])
def test_a_bad_approval_chain_is_refused(people, body, field, status):
    ids = {"SNV_CLERK": people["vanthu.snv"].user["id"],
           "DEPUTY": people["phogiamdoc.stc"].user["id"]}
    body = {"unit_id": people["lanhdao.stc"].unit_id, "document_type": "BC"} | body
    body["steps"] = [s | {"approvers": [ids.get(a, a) for a in s["approvers"]]}
                     for s in body["steps"]]
    director = people["lanhdao.stc"]
    before = director.get("/approval-chains", params={"unit_id": director.unit_id}).json()
    response = director.http.put(f"{director.base}/approval-chains", json=body)
    assert response.status_code == status, response.text
    assert field in response.json()["details"]
    chains = director.get("/approval-chains", params={"unit_id": director.unit_id}).json()
    assert chains == before and "KH" in [c["document_type"] for c in chains["items"]]


def test_only_the_units_leaders_set_its_approval_chain(people):
    specialist = people["chuyenvien.stc"]
    response = specialist.http.put(f"{specialist.base}/approval-chains", json={
        "unit_id": specialist.unit_id, "steps": []})
    assert response.status_code == 403
