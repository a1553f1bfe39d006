"""Files, dossiers and delegations do not widen what a person may see: a file is
attached by whoever uploaded it or may see a document holding it; a dossier lists by
number only the documents the reader may not see; revoking a delegation revokes those
passed on from it, and a delegation ends when its giver is no longer head."""
import uuid
from datetime import timedelta

import pytest

from tests.e2e.helpers import Api, register
from tests.clock import vietnam_today

PASSWORD = "mat-khau-dai-2026"
NEXT_WEEK = (vietnam_today() + timedelta(days=7)).isoformat()


@pytest.fixture(scope="module")
def office(system):
    """A department of its own under the province (Sở) with a division below it
    (Phòng): the Sở's head and clerk, the Phòng's specialist and clerk."""
    admin = Api(system.base_url, "admin")
    tag = uuid.uuid4().hex[:6]
    so = admin.post("/units", json={"parent_id": admin.unit_id, "name": f"Sở thử {tag}",
                                    "abbreviation": "STh", "level": "department"}).json()
    phong = admin.post("/units", json={"parent_id": so["id"], "name": f"Phòng thử {tag}",
                                       "level": "division"}).json()
    people = {"admin": admin, "so": so["id"], "phong": phong["id"]}
    for name, unit, role in (("giamdoc", so, "head"), ("vt_so", so, "clerk"),
                             ("cv_phong", phong, "specialist"), ("vt_phong", phong, "clerk")):
        username = f"{name.replace('_', '.')}.{tag}"
        made = admin.post("/users", json={
            "username": username, "full_name": f"{name} {tag}", "password": PASSWORD,
            "memberships": [{"unit_id": unit["id"], "role": role}]})
        assert made.status_code == 201, made.text
        people[name] = Api(system.base_url).login(username, PASSWORD)
    return people


def upload(api, pdf_bytes):
    put, file_id = api.upload("thu.pdf", pdf_bytes)
    assert put.status_code in (200, 201, 204), put.text
    return file_id


def test_someone_elses_file_cannot_be_attached_but_ones_own_or_a_visible_documents_can(
        office, pdf_bytes):
    file_id = upload(office["vt_so"], pdf_bytes)
    stolen = register(office["vt_phong"], [file_id], 81001)
    assert stolen.status_code == 403, stolen.text
    assert stolen.json()["error"] == "FORBIDDEN"
    draft = office["vt_phong"].post("/outgoing", json={
        "unit_id": office["phong"], "document_type": "CV", "subject": "Mượn tệp",
        "file_ids": [file_id]})
    assert draft.status_code == 403, draft.text

    own = register(office["vt_so"], [file_id], 81002)
    assert own.status_code == 201, own.text
    # the head sees the document that holds it, so may attach the file to a reply
    reply = office["giamdoc"].post("/outgoing", json={
        "unit_id": office["so"], "document_type": "CV", "subject": "Trả lời, kèm tệp",
        "file_ids": [file_id]})
    assert reply.status_code == 201, reply.text
    assert office["vt_phong"].get(f"/files/{file_id}/content",
                                  allow_redirects=False).status_code == 403

    # nor to a copy, nor to a new version of a draft, by someone who cannot see it
    mine = register(office["vt_phong"], [], 81003).json()
    copy = office["vt_phong"].post("/copies", json={
        "document_id": mine["id"], "unit_id": office["phong"], "form": "SY",
        "file_ids": [file_id]})
    assert copy.status_code == 403, copy.text
    phong_file = upload(office["vt_phong"], pdf_bytes)
    version = office["giamdoc"].post(f"/outgoing/{reply.json()['id']}/versions",
                                     json={"file_ids": [phong_file], "note": "Đổi tệp"})
    assert version.status_code == 403, version.text
    assert office["giamdoc"].post(f"/outgoing/{reply.json()['id']}/versions", json={
        "file_ids": [file_id], "note": "Giữ tệp"}).status_code == 201


def delegate(giver, to, unit_id, **changes):
    body = {"unit_id": unit_id, "to_user_id": to.user["id"], "kind": "KT",
            "actions": ["sign"], "valid_to": NEXT_WEEK} | changes
    return giver.post("/delegations", json=body)


def test_a_dossier_hides_a_document_its_reader_may_not_see(office):
    doc = register(office["vt_so"], [], 81101, subject="Kế hoạch riêng của Sở").json()
    specialist, clerk = office["cv_phong"], office["vt_phong"]
    given = delegate(office["giamdoc"], specialist, office["so"])
    assert given.status_code == 201, given.text
    assert specialist.get(f"/incoming/{doc['id']}").status_code == 200
    dossier = specialist.post("/dossiers", json={
        "unit_id": office["phong"], "year": 2026, "notation": "01.PT",
        "title": "Hồ sơ phối hợp", "maintenance": 10}).json()
    filed = specialist.post(f"/dossiers/{dossier['id']}/documents",
                            json={"document_id": doc["id"]})
    assert filed.status_code == 200, filed.text
    assert filed.json()["documents"][0]["subject"] == "Kế hoạch riêng của Sở"

    assert clerk.get(f"/incoming/{doc['id']}").status_code == 403
    seen = clerk.get(f"/dossiers/{dossier['id']}")
    assert seen.status_code == 200
    assert seen.json()["documents"] == [{"id": doc["id"], "ordinal": 1,
                                         "confidentiality": "none", "withheld": True}]
    assert "Kế hoạch riêng" not in seen.text
    exported = clerk.get(f"/dossiers/{dossier['id']}/export", params={"format": "xml"})
    assert exported.status_code == 200 and "Kế hoạch riêng" not in exported.text
    office["giamdoc"].post(f"/delegations/{given.json()['id']}/revoke")


def test_revoking_a_delegation_revokes_the_one_passed_on_from_it(office):
    doc = register(office["vt_so"], [], 81201).json()
    deputy, clerk = office["cv_phong"], office["vt_phong"]
    first = delegate(office["giamdoc"], deputy, office["so"], kind="TL").json()
    passed = delegate(deputy, clerk, office["so"], kind="TL", via_id=first["id"])
    assert passed.status_code == 201, passed.text
    assert clerk.get(f"/incoming/{doc['id']}").status_code == 200
    assert office["giamdoc"].post(f"/delegations/{first['id']}/revoke").status_code == 200
    mine = {d["id"]: d for d in clerk.get("/delegations").json()["items"]}
    assert mine[passed.json()["id"]]["revoked_at"] is not None
    assert clerk.get("/delegations", params={"active": "true"}).json()["items"] == []
    assert clerk.get(f"/incoming/{doc['id']}").status_code == 403


def test_a_delegation_ends_when_its_giver_is_no_longer_head(office):
    doc = register(office["vt_so"], [], 81301).json()
    deputy, head = office["cv_phong"], office["giamdoc"]
    given = delegate(head, deputy, office["so"])
    assert given.status_code == 201, given.text
    assert deputy.get(f"/incoming/{doc['id']}").status_code == 200
    moved = office["admin"].http.put(
        f"{office['admin'].base}/users/{head.user['id']}/memberships",
        json={"memberships": [{"unit_id": office["so"], "role": "specialist"}]})
    assert moved.status_code == 200, moved.text
    assert deputy.get(f"/incoming/{doc['id']}").status_code == 403
    assert deputy.get("/delegations", params={"active": "true"}).json()["items"] == []
