"""Ủy quyền through the gateway: the director of Sở Tài chính lets his deputy sign for
him (KT) for plans only, this week; the deputy signs, and the document shows "KT. Giám
đốc, Phó Giám đốc" and both people; outside the delegation the deputy cannot sign; a TUQ
cannot be passed on; bad delegations are refused and change nothing."""
import uuid
from datetime import timedelta

import pytest

from tests.e2e.helpers import EXTERNAL, Api, step
from tests.clock import vietnam_today

NEXT_WEEK = (vietnam_today() + timedelta(days=7)).isoformat()


@pytest.fixture(scope="module")
def people(system):
    """Sở Tài chính's staff, and a deputy and a head of division of the test's own (the
    system is shared: usernames of their own)."""
    admin = Api(system.base_url, "admin")
    stc = Api(system.base_url, "vanthu.stc").unit_id
    tag = uuid.uuid4().hex[:6]
    own = {"phogiamdoc2.stc": f"phogiamdoc.{tag}.stc", "truongphong.stc": f"truongphong.{tag}.stc"}
    for username, full_name, position, role in (
            ("phogiamdoc2.stc", "Lâm Thị Phụng", "Phó Giám đốc", "unit_head"),
            ("truongphong.stc", "Hà Văn Trưởng", "Trưởng phòng", "specialist")):
        created = admin.post("/users", json={
            "username": own[username], "full_name": full_name, "position": position,
            "password": "mat-khau-dai-2026", "memberships": [{"unit_id": stc, "role": role}]})
        assert created.status_code == 201, created.text
    people = {name: Api(system.base_url, name)
              for name in ("lanhdao.stc", "vanthu.stc", "chuyenvien.stc", "vanthu.snv")}
    for username in ("phogiamdoc2.stc", "truongphong.stc"):
        people[username] = Api(system.base_url).login(own[username], "mat-khau-dai-2026")
    return people


def delegate(api, to, **changes):
    body = {"unit_id": api.unit_id, "to_user_id": to.user["id"], "kind": "KT",
            "actions": ["sign"], "document_types": ["KH"], "valid_to": NEXT_WEEK}
    body.update(changes)
    return api.post("/delegations", json=body)


def approved_draft(people, document_type):
    drafter, director = people["chuyenvien.stc"], people["lanhdao.stc"]
    doc = drafter.post("/outgoing", json={
        "unit_id": drafter.unit_id, "document_type": document_type,
        "subject": f"Dự thảo {document_type} ký thay", "recipients": [EXTERNAL]}).json()
    for api, action in ((drafter, "submit"), (director, "approve"),
                        (people["vanthu.stc"], "check_form")):
        assert step(api, doc["id"], action).status_code == 200, action
    return doc


def test_a_deputy_signs_for_the_director_and_the_document_shows_both(people):
    deputy, director = people["phogiamdoc2.stc"], people["lanhdao.stc"]
    plan = approved_draft(people, "KH")
    assert step(deputy, plan["id"], "sign").status_code == 403        # no delegation yet
    given = delegate(director, deputy)
    assert given.status_code == 201, given.text
    assert given.json()["kind_name"] == "ký thay" and given.json()["to_name"] == "Lâm Thị Phụng"
    signed = step(deputy, plan["id"], "sign")
    assert signed.status_code == 200, signed.text
    signed = signed.json()
    assert signed["signer"] == {"position": "KT. Giám đốc, Phó Giám đốc",
                                "full_name": "Lâm Thị Phụng"}
    assert signed["signed_by"] == deputy.user["id"]
    assert (signed["signed_for"], signed["signed_as"]) == (director.user["id"], "KT")
    history = director.get(f"/documents/{plan['id']}/history").json()["events"]
    sign = next(e for e in history if e["action"] == "sign")
    assert sign["actor_name"] == "Lâm Thị Phụng"
    assert sign["details"]["on_behalf_of"] == director.user["id"]
    assert sign["details"]["delegation_kind"] == "KT"

    report = approved_draft(people, "BC")                             # not a plan
    assert step(deputy, report["id"], "sign").status_code == 403
    # a head sees every delegation of the unit (other tests' too): those the deputy holds
    held = [d["id"] for d in deputy.get("/delegations").json()["items"]
            if d["to_user_id"] == deputy.user["id"]]
    assert held == [given.json()["id"]]
    revoked = director.post(f"/delegations/{given.json()['id']}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert step(deputy, approved_draft(people, "KH")["id"], "sign").status_code == 403


def test_a_tuq_cannot_be_passed_on_but_a_tl_can_within_its_limits(people):
    director, deputy = people["lanhdao.stc"], people["phogiamdoc2.stc"]
    head_of_division = people["truongphong.stc"]
    tuq = delegate(director, deputy, kind="TUQ").json()
    again = delegate(deputy, head_of_division, kind="TL", via_id=tuq["id"])
    assert again.status_code == 400 and "via_id" in again.json()["details"]
    assert "TUQ" in again.json()["details"]["via_id"]
    tl = delegate(director, deputy, kind="TL").json()
    wider = delegate(deputy, head_of_division, kind="TL", via_id=tl["id"],
                     document_types=["KH", "BC"])
    assert wider.status_code == 400
    passed = delegate(deputy, head_of_division, kind="TL", via_id=tl["id"])
    assert passed.status_code == 201, passed.text
    assert delegate(deputy, head_of_division).status_code == 403     # nothing passed on


@pytest.mark.parametrize("changes, field", [
    ({"kind": "XX"}, "kind"),
    ({"valid_to": "2020-01-01"}, "valid_to"),
    ({"valid_from": "2020-01-01"}, "valid_from"),
    ({"valid_to": (vietnam_today() + timedelta(days=400)).isoformat()}, "valid_to"),
    ({"actions": ["dance"]}, "actions"),
    ({"document_types": ["XYZ"]}, "document_types"),
    ({"to_user_id": "OTHER_UNIT"}, "to_user_id"),
    ({"to_user_id": "SELF"}, "to_user_id"),
    ({"colour": "red"}, "colour"),
])
def test_a_bad_delegation_is_a_400_and_changes_nothing(people, changes, field):
    director = people["lanhdao.stc"]
    ids = {"OTHER_UNIT": people["vanthu.snv"].user["id"], "SELF": director.user["id"]}
    changes = {k: ids.get(v, v) if isinstance(v, str) else v for k, v in changes.items()}
    before = len(director.get("/delegations").json()["items"])
    response = delegate(director, people["phogiamdoc2.stc"], **changes)
    assert response.status_code == 400, response.text
    assert field in response.json()["details"]
    assert len(director.get("/delegations").json()["items"]) == before
