"""Hồ sơ: a unit opens one in its yearly danh mục, files documents by reference (one
document in several dossiers), closes it, and exports it as Phụ lục VI XML and as a
PDF table of contents. Bad input and other units change nothing."""
import io
import re
from xml.etree import ElementTree as ET

import pytest
from pypdf import PdfReader

from tests.e2e.helpers import EXTERNAL, Api, draft, register, step, through_signature, wait_until


@pytest.fixture(scope="module")
def specialist(system):
    """A chuyên viên of Sở Tài chính, with three documents registered by its clerk."""
    clerk = Api(system.base_url, "vanthu.stc")
    docs = [register(clerk, [], 6000 + n, subject=f"Hồ sơ thử, văn bản {n}", page_amount=n + 1,
                     issued_date=f"2025-0{n}-15").json() for n in (1, 2, 3)]
    api = Api(system.base_url, "chuyenvien.stc")
    api.docs = docs
    return api


def open_dossier(api, notation, **changes):
    body = {"unit_id": api.unit_id, "year": 2026, "notation": notation,
            "title": "Hồ sơ về quyết toán ngân sách năm 2025", "maintenance": 20}
    body.update(changes)
    return api.post("/dossiers", json=body)


def test_a_dossier_is_opened_filled_closed_and_exported(specialist):
    created = open_dossier(specialist, "01.TC")
    assert created.status_code == 201, created.text
    dossier = created.json()
    assert dossier["file_code"] == "000.00.11.H53.2026.01.TC"
    assert dossier["maintenance"] == "20 năm" and dossier["state"] == "open"
    for doc in specialist.docs:
        added = specialist.post(f"/dossiers/{dossier['id']}/documents",
                                json={"document_id": doc["id"]})
        assert added.status_code == 200, added.text
    removed = specialist.http.delete(
        f"{specialist.base}/dossiers/{dossier['id']}/documents/{specialist.docs[0]['id']}")
    assert [d["ordinal"] for d in removed.json()["documents"]] == [1, 2]
    specialist.post(f"/dossiers/{dossier['id']}/documents",
                    json={"document_id": specialist.docs[0]["id"]})
    closed = specialist.post(f"/dossiers/{dossier['id']}/close").json()
    assert closed["state"] == "closed" and closed["doc_total"] == 3
    assert closed["page_total"] == 2 + 3 + 4
    assert (closed["start_date"], closed["end_date"]) == ("2025-01-15", "2025-03-15")
    assert specialist.post(f"/dossiers/{dossier['id']}/documents",
                           json={"document_id": specialist.docs[0]["id"]}).status_code == 409

    xml = specialist.get(f"/dossiers/{dossier['id']}/export", params={"format": "xml"})
    assert xml.status_code == 200
    root = ET.fromstring(xml.content)
    assert root.findtext("FileCode/OrganId") == "000.00.11.H53"
    assert root.findtext("FileCode/FileCatalog") == "2026"
    assert root.findtext("DocTotal") == "3" and root.findtext("Maintenance") == "20 năm"
    assert [d.findtext("DocOrdinal") for d in root.iter("TaiLieu")] == ["1", "2", "3"]
    assert root.find("VanBan/TaiLieu").findtext("CodeNumber") == "6002"

    pdf = specialist.get(f"/dossiers/{dossier['id']}/export", params={"format": "pdf"})
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "MỤC LỤC VĂN BẢN" in text and "6003/TANDTC-AL" in text


def test_one_document_sits_in_several_dossiers_without_being_copied(specialist):
    first = open_dossier(specialist, "02.TC").json()
    second = open_dossier(specialist, "03.TC").json()
    document_id = specialist.docs[1]["id"]
    for dossier in (first, second):
        specialist.post(f"/dossiers/{dossier['id']}/documents", json={"document_id": document_id})
    for dossier in (first, second):
        filed = specialist.get(f"/dossiers/{dossier['id']}").json()["documents"]
        assert [d["id"] for d in filed] == [document_id]
    assert specialist.post(f"/dossiers/{first['id']}/documents",
                           json={"document_id": document_id}).status_code == 409


@pytest.mark.parametrize("changes, field", [
    ({"notation": "01 TC"}, "notation"), ({"notation": "x" * 21}, "notation"),
    ({"maintenance": 0}, "maintenance"), ({"maintenance": "forever"}, "maintenance"),
    ({"title": ""}, "title"), ({"year": 1800}, "year"), ({"title": "t" * 501}, "title"),
])
def test_a_dossier_with_bad_fields_is_a_400_and_nothing_is_opened(specialist, changes, field):
    before = specialist.get("/dossiers").json()["total"]
    changes = dict(changes)
    response = open_dossier(specialist, changes.pop("notation", "09.TC"), **changes)
    assert response.status_code == 400 and field in response.json()["details"]
    assert specialist.get("/dossiers").json()["total"] == before


def test_notations_are_unique_in_a_unit_and_year_and_empty_dossiers_do_not_close(specialist):
    open_dossier(specialist, "05.TC")
    assert open_dossier(specialist, "05.TC").status_code == 409
    assert open_dossier(specialist, "05.TC", year=2027).status_code == 201
    empty = open_dossier(specialist, "06.TC").json()
    assert specialist.post(f"/dossiers/{empty['id']}/close").status_code == 409


def test_other_units_neither_see_nor_fill_a_units_dossiers(system, specialist):
    dossier = open_dossier(specialist, "07.TC").json()
    outsider = Api(system.base_url, "vanthu.snv")
    assert outsider.get(f"/dossiers/{dossier['id']}").status_code == 403
    assert outsider.post(f"/dossiers/{dossier['id']}/documents",
                         json={"document_id": specialist.docs[0]["id"]}).status_code == 403
    assert outsider.post("/dossiers", json={
        "unit_id": specialist.unit_id, "year": 2026, "notation": "99.X", "title": "X",
        "maintenance": "permanent"}).status_code == 403
    own = open_dossier(outsider, "01.NV", maintenance="permanent").json()
    assert own["maintenance"] == "Vĩnh viễn"
    assert outsider.post(f"/dossiers/{own['id']}/documents",
                         json={"document_id": specialist.docs[0]["id"]}).status_code == 403


def test_a_documents_history_shows_who_did_what_and_when_and_downloads(system, specialist):
    document = specialist.docs[2]
    dossier = open_dossier(specialist, "08.TC").json()
    specialist.post(f"/dossiers/{dossier['id']}/documents", json={"document_id": document["id"]})
    leader = Api(system.base_url, "lanhdao.stc")

    def history():
        return leader.get(f"/documents/{document['id']}/history").json()

    def to_the_leader(events):
        """lanhdao.stc's part (the unit may have other leaders: test_delegation adds one,
        and each leader gets a part, in no set order)."""
        return next((e for e in events if e["action"] == "to_assign_assigned"
                     and e["details"]["assignee_id"] == leader.user["id"]), None)

    assert wait_until(lambda: to_the_leader(history()["events"]))
    events = history()["events"]
    actions = [e["action"] for e in events]
    assert actions[0] == "register" and "processing_opened" in actions and "filed" in actions
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    register_event = events[0]
    assert register_event["actor_name"] == "Phạm Thị Lan"   # vanthu.stc
    assigned = to_the_leader(events)
    assert assigned["details"]["assignee_name"] == "Võ Văn Hùng"   # lanhdao.stc
    download = leader.get(f"/documents/{document['id']}/history", params={"download": "1"})
    assert "attachment" in download.headers["Content-Disposition"]
    assert Api(system.base_url, "vanthu.snv").get(
        f"/documents/{document['id']}/history").status_code == 403


def test_an_issued_outgoing_document_is_filed_beside_incoming_ones_but_a_draft_is_not(
        system, specialist):
    people = {name: Api(system.base_url, name)
              for name in ("chuyenvien.stc", "lanhdao.stc", "vanthu.stc")}
    doc = draft(people["chuyenvien.stc"], [EXTERNAL], subject="Báo cáo quyết toán gửi Bộ",
                page_amount=6).json()
    dossier = open_dossier(specialist, "10.TC").json()
    url = f"/dossiers/{dossier['id']}/documents"
    assert specialist.post(url, json={"document_id": doc["id"]}).status_code == 409
    through_signature(people, doc["id"])
    step(people["vanthu.stc"], doc["id"], "number")
    issued = step(people["vanthu.stc"], doc["id"], "issue").json()
    specialist.post(url, json={"document_id": specialist.docs[0]["id"]})
    filed = specialist.post(url, json={"document_id": doc["id"]})
    assert filed.status_code == 200, filed.text
    listed = filed.json()["documents"]
    assert [(d["direction"], d["ordinal"]) for d in listed] == [("incoming", 1), ("outgoing", 2)]
    assert filed.json()["page_total"] == 2 + 6
    xml = specialist.get(f"/dossiers/{dossier['id']}/export", params={"format": "xml"})
    second = list(ET.fromstring(xml.content).iter("TaiLieu"))[1]
    assert second.findtext("CodeNumber") == issued["code_number"]
    assert second.findtext("CodeNotation") == "TB-STC"
    assert second.findtext("SignerInfo/FullName") == "Võ Văn Hùng"
    assert second.findtext("IssuedAmount") == "5" and second.findtext("Priority") == "0"
    assert second.findtext("To/OrganName") == "Tòa án nhân dân tối cao"
    assert second.find("ArrivalNumber") is None
    first = list(ET.fromstring(xml.content).iter("TaiLieu"))[0]
    actions = [h.findtext("Action") for h in first.iter("TraceHeader")]
    assert actions[0] == "register" and "processing_opened" in actions and "filed" in actions
    assert first.find("TraceHeaderList").get("complete") is None
    assert re.fullmatch(r"\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2}",
                        first.find("TraceHeaderList/TraceHeader/Timestamp").text)
    assert second.find("TraceHeaderList") is None     # outgoing: not a Phụ lục VI §I field


def test_whoever_opened_a_dossier_keeps_sight_of_its_documents_after_moving_units(system):
    admin = Api(system.base_url, "admin")
    clerk = Api(system.base_url, "vanthu.stc")
    snv = Api(system.base_url, "vanthu.snv").unit_id
    created = admin.post("/users", json={
        "username": "chuyenvien.luanchuyen", "full_name": "Mai Văn Chuyển",
        "password": "mat-khau-dai-2026",
        "memberships": [{"unit_id": clerk.unit_id, "role": "specialist"}]})
    assert created.status_code == 201, created.text
    mover = Api(system.base_url).login("chuyenvien.luanchuyen", "mat-khau-dai-2026")
    kept, other = (register(clerk, [], n, subject=f"Văn bản luân chuyển {n}").json()
                   for n in (6101, 6102))
    dossier = open_dossier(mover, "11.TC").json()
    mover.post(f"/dossiers/{dossier['id']}/documents", json={"document_id": kept["id"]})

    moved = admin.http.put(f"{admin.base}/users/{created.json()['id']}/memberships",
                           json={"memberships": [{"unit_id": snv, "role": "specialist"}]})
    assert moved.status_code == 200, moved.text
    assert [m["unit_id"] for m in moved.json()["memberships"]] == [snv]
    mover.login("chuyenvien.luanchuyen", "mat-khau-dai-2026")
    assert mover.get(f"/incoming/{kept['id']}").status_code == 200     # through the dossier
    assert mover.get(f"/incoming/{other['id']}").status_code == 403    # no reason any more
    bad = admin.http.put(f"{admin.base}/users/{created.json()['id']}/memberships",
                         json={"memberships": [{"unit_id": snv, "role": "king"}]})
    assert bad.status_code == 400
    assert clerk.http.put(f"{clerk.base}/users/{created.json()['id']}/memberships",
                          json={"memberships": [{"unit_id": snv, "role": "clerk"}]}
                          ).status_code == 403
