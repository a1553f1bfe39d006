"""One permission rule, checked over every document endpoint, incoming and outgoing:
each role × own unit / parent unit / child unit / another unit, allowed or denied
(docs/permissions.md).

Documents are registered in Sở Tài chính (STC, a child of UBND tỉnh) and in UBND tỉnh
(the parent). Being in the parent or in a child unit gives no right to a unit's
documents: rights come from a role in the unit whose register holds them."""
import itertools

import pytest
from tests.e2e.helpers import Api, register, wait_until


NUMBERS = itertools.count(9001)   # a fresh số for every registration attempt

ALLOW, DENY = "allow", "deny"

# username → (relation to STC, relation to UBND)
USERS = {
    "vanthu.stc": "clerk of STC",
    "lanhdao.stc": "head of STC",
    "chuyenvien.stc": "specialist of STC",
    "vanthu.ubnd": "clerk of UBND (STC's parent)",
    "lanhdao.ubnd": "head of UBND (STC's parent)",
    "admin": "admin of UBND (STC's parent)",
    "chuyenvien.ubnd": "specialist of VP (STC's sibling)",
    "vanthu.snv": "clerk of SNV (another department)",
    "lanhdao.tanninh": "head of a commune (another unit)",
}

# action → users allowed on an STC document (everyone else is denied)
STC_RULES = {
    "view": {"vanthu.stc", "lanhdao.stc", "chuyenvien.stc"},
    "list_unit": {"vanthu.stc", "lanhdao.stc", "chuyenvien.stc"},
    "register_into_unit": {"vanthu.stc"},
    "print_register": {"vanthu.stc", "lanhdao.stc"},
    "file_metadata": {"vanthu.stc", "lanhdao.stc", "chuyenvien.stc"},
    "file_download": {"vanthu.stc", "lanhdao.stc", "chuyenvien.stc"},
    "registers_of_unit": {"vanthu.stc", "lanhdao.stc", "chuyenvien.stc"},
    "view_outgoing": {"vanthu.stc", "lanhdao.stc", "chuyenvien.stc"},
    "list_outgoing_of_unit": {"vanthu.stc", "lanhdao.stc", "chuyenvien.stc"},
    "draft_outgoing_in_unit": {"vanthu.stc", "lanhdao.stc", "chuyenvien.stc"},
    "save_draft_version": {"vanthu.stc", "lanhdao.stc", "chuyenvien.stc"},
    "approve_draft": {"lanhdao.stc"},
    "number_signed_document": {"vanthu.stc"},
    "print_outgoing_register": {"vanthu.stc", "lanhdao.stc"},
    "copy_document": {"vanthu.stc"},
    "view_copy": {"vanthu.stc", "lanhdao.stc", "chuyenvien.stc"},
    "document_history": {"vanthu.stc", "lanhdao.stc", "chuyenvien.stc"},
}
# the same actions on a document of the parent unit (UBND): STC's people are its children
UBND_RULES = {
    "view": {"vanthu.ubnd", "lanhdao.ubnd", "admin"},
    "list_unit": {"vanthu.ubnd", "lanhdao.ubnd", "admin"},
    "register_into_unit": {"vanthu.ubnd"},
    "print_register": {"vanthu.ubnd", "lanhdao.ubnd", "admin"},
    "file_metadata": {"vanthu.ubnd", "lanhdao.ubnd", "admin"},
    "file_download": {"vanthu.ubnd", "lanhdao.ubnd", "admin"},
    "registers_of_unit": {"vanthu.ubnd", "lanhdao.ubnd", "admin"},
    "view_outgoing": {"vanthu.ubnd", "lanhdao.ubnd", "admin"},
    "list_outgoing_of_unit": {"vanthu.ubnd", "lanhdao.ubnd", "admin"},
    "draft_outgoing_in_unit": {"vanthu.ubnd", "lanhdao.ubnd"},   # quản trị does not draft
    "save_draft_version": {"vanthu.ubnd", "lanhdao.ubnd"},
    "approve_draft": {"lanhdao.ubnd"},
    "number_signed_document": {"vanthu.ubnd"},
    "print_outgoing_register": {"vanthu.ubnd", "lanhdao.ubnd", "admin"},
    "copy_document": {"vanthu.ubnd"},
    "view_copy": {"vanthu.ubnd", "lanhdao.ubnd", "admin"},
    "document_history": {"vanthu.ubnd", "lanhdao.ubnd", "admin"},
}
# who drafts, approves, checks and signs in each unit when a case needs a document
# brought to a state first
STAFF = {"STC": {"drafter": "chuyenvien.stc", "leader": "lanhdao.stc", "clerk": "vanthu.stc"},
         "UBND": {"drafter": "lanhdao.ubnd", "leader": "lanhdao.ubnd",
                  "clerk": "vanthu.ubnd"}}
SEQUENCE = [("drafter", "submit"), ("leader", "approve"), ("clerk", "check_form"),
            ("leader", "sign"), ("clerk", "number")]


@pytest.fixture(scope="module")
def world(system, pdf_bytes):
    """A document with a file in STC and one in UBND, and every user logged in."""
    apis = {name: Api(system.base_url, name) for name in USERS}
    made = {}
    for clerk_name, number in (("vanthu.stc", 8101), ("vanthu.ubnd", 8102)):
        clerk = apis[clerk_name]
        put, file_id = clerk.upload("ma-tran.pdf", pdf_bytes)
        assert put.status_code == 201
        doc = register(clerk, [file_id], number).json()
        made[clerk.unit_id] = {"document": doc, "file_id": file_id,
                               "register_id": doc["register_id"]}
    for unit, staff in STAFF.items():
        target = made[apis[staff["clerk"]].unit_id]
        target["unit"] = unit
        target["outgoing"] = outgoing_in(apis, unit, "draft")
        numbered = outgoing_in(apis, unit, "numbered")
        target["outgoing_register_id"] = numbered["register_id"]
        made_copy = apis[staff["clerk"]].post("/copies", json={
            "document_id": target["document"]["id"], "unit_id": target["document"]["unit_id"],
            "form": "SY"})
        assert made_copy.status_code == 201, made_copy.text
        target["copy_id"] = made_copy.json()["id"]
    for target in made.values():
        target["apis"] = apis
    return apis, made


def outgoing_in(apis, unit, state):
    """A fresh outgoing document of the unit, brought to ``state`` by its own staff."""
    staff = STAFF[unit]
    drafter = apis[staff["drafter"]]
    doc = drafter.post("/outgoing", json={
        "unit_id": apis[staff["clerk"]].unit_id, "document_type": "TB",
        "subject": "Thông báo thử quyền", "recipients": [{"name": "Báo Tây Ninh"}]}).json()
    for role, action in SEQUENCE:
        if doc["state"] == state:
            break
        response = apis[staff[role]].post(f"/outgoing/{doc['id']}/{action}", json={})
        assert response.status_code == 200, response.text
        doc = response.json()
    assert doc["state"] == state
    return doc


def apis_of(target):
    return target["apis"]


def act(api, action, target, unit_id):
    """Perform an action; returns the HTTP status."""
    if action == "view":
        return api.get(f"/incoming/{target['document']['id']}").status_code
    if action == "list_unit":
        return api.get("/incoming", params={"unit_id": unit_id}).status_code
    if action == "register_into_unit":
        return register(api, [], next(NUMBERS), unit_id=unit_id).status_code
    if action == "print_register":
        return api.get(f"/registers/{target['register_id']}/export",
                       params={"format": "xlsx"}).status_code
    if action == "file_metadata":
        return api.get(f"/files/{target['file_id']}").status_code
    if action == "file_download":
        return api.get(f"/files/{target['file_id']}/content",
                       allow_redirects=False).status_code
    if action == "registers_of_unit":
        return api.get("/registers", params={"unit_id": unit_id}).status_code
    if action == "view_outgoing":
        return api.get(f"/outgoing/{target['outgoing']['id']}").status_code
    if action == "list_outgoing_of_unit":
        return api.get("/outgoing", params={"unit_id": unit_id}).status_code
    if action == "draft_outgoing_in_unit":
        return api.post("/outgoing", json={"unit_id": unit_id, "document_type": "TB",
                                           "subject": "Dự thảo thử quyền"}).status_code
    if action == "save_draft_version":
        return api.post(f"/outgoing/{target['outgoing']['id']}/versions",
                        json={"note": "thử quyền"}).status_code
    if action == "approve_draft":
        doc = outgoing_in(apis_of(target), target["unit"], "submitted")
        return api.post(f"/outgoing/{doc['id']}/approve", json={}).status_code
    if action == "number_signed_document":
        doc = outgoing_in(apis_of(target), target["unit"], "signed")
        return api.post(f"/outgoing/{doc['id']}/number", json={}).status_code
    if action == "print_outgoing_register":
        return api.get(f"/registers/{target['outgoing_register_id']}/export",
                       params={"format": "xlsx"}).status_code
    if action == "copy_document":
        return api.post("/copies", json={"document_id": target["document"]["id"],
                                         "unit_id": unit_id, "form": "SL"}).status_code
    if action == "view_copy":
        return api.get(f"/copies/{target['copy_id']}").status_code
    if action == "document_history":
        return api.get(f"/documents/{target['outgoing']['id']}/history").status_code
    raise AssertionError(action)


CASES = [(unit, action, user) for unit, rules in (("STC", STC_RULES), ("UBND", UBND_RULES))
         for action in rules for user in USERS]


@pytest.mark.parametrize("unit, action, username", CASES,
                         ids=[f"{u}-{a}-{n}" for u, a, n in CASES])
def test_the_access_matrix(world, unit, action, username):
    apis, made = world
    unit_id = apis["vanthu.stc" if unit == "STC" else "vanthu.ubnd"].unit_id
    rules = STC_RULES if unit == "STC" else UBND_RULES
    expected = ALLOW if username in rules[action] else DENY
    status = act(apis[username], action, made[unit_id], unit_id)
    got = ALLOW if status in (200, 201, 302) else DENY if status in (403, 404) else status
    assert got == expected, f"{USERS[username]} {action} on {unit}: HTTP {status}"


def test_search_shows_a_document_only_to_the_people_of_its_unit(world):
    apis, made = world
    for clerk, target in zip(("vanthu.stc", "vanthu.ubnd"), made.values()):
        assert wait_until(lambda: target["document"]["id"] in {
            i["document_id"] for i in apis[clerk].get(
                "/search", params={"q": "tẩu thoát", "page_size": 200}).json()["items"]})
    for username in USERS:
        visible = {i["document_id"] for i in apis[username].get(
            "/search", params={"q": "tẩu thoát", "page_size": 200}).json()["items"]}
        for unit_id, target in made.items():
            should = unit_id in {m["unit_id"] for m in apis[username].user["memberships"]}
            assert (target["document"]["id"] in visible) == should, (username, unit_id)
