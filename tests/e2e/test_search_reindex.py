"""Search through the gateway, beyond words: an administrator rebuilds the index from
documents and storage while searches go on answering, with progress; someone acting
for a leader under a delegation finds that unit's documents; prefixes, a misspelt word
and newest-first order."""
import os
import sqlite3
from datetime import timedelta

import pytest

from tests.e2e.helpers import WORD_ONLY_IN_PDF, Api, register, wait_until
from tests.clock import vietnam_today

NEXT_WEEK = (vietnam_today() + timedelta(days=7)).isoformat()
PASSWORD = "mat-khau-dai-2026"


@pytest.fixture(scope="module")
def people(system):
    admin = Api(system.base_url, "admin")
    office = Api(system.base_url, "chuyenvien.ubnd").unit_id     # Văn phòng UBND tỉnh
    created = admin.post("/users", json={
        "username": "photruongvp.ubnd", "full_name": "Đào Văn Phó",
        "position": "Phó Chánh Văn phòng", "password": PASSWORD,
        "memberships": [{"unit_id": office, "role": "unit_head"}]})
    assert created.status_code == 201, created.text
    people = {name: Api(system.base_url, name)
              for name in ("admin", "vanthu.ubnd", "lanhdao.ubnd", "vanthu.snv")}
    people["photruongvp.ubnd"] = Api(system.base_url).login("photruongvp.ubnd", PASSWORD)
    return people


def hits(api, q, **params):
    response = api.get("/search", params={"q": q, "page_size": 200, **params})
    assert response.status_code == 200, response.text
    return response.json()


def found(api, q, **params):
    return [item["document_id"] for item in hits(api, q, **params)["items"]]


def finished(admin):
    run = admin.get("/search/reindex").json()["run"]
    return run if run and run["state"] in ("done", "failed") else None


def test_an_administrator_rebuilds_the_index_from_documents_and_storage_while_search_answers(
        system, people, pdf_bytes):
    """Search's own tables are lost (as after a restore): the index still answers;
    the rebuild reads every document from documents and each file's text from
    storage again, reports its phases, and the content is findable afterwards."""
    clerk, admin = people["vanthu.ubnd"], people["admin"]
    put, file_id = clerk.upload("an-le-57-reindex.pdf", pdf_bytes)
    assert put.status_code == 201, put.text
    doc = register(clerk, [file_id], 7101, subject="Hồ sơ xây dựng lại chỉ mục").json()
    assert wait_until(lambda: doc["id"] in found(clerk, WORD_ONLY_IN_PDF), seconds=30)

    with sqlite3.connect(os.path.join(system.data_dir, "search.db")) as db:
        for table in ("document_files", "file_texts", "documents"):
            db.execute(f"DELETE FROM {table}")   # noqa: S608 - fixed names
    assert doc["id"] in found(clerk, WORD_ONLY_IN_PDF)   # the live index still answers

    assert clerk.post("/search/reindex").status_code == 403
    started = admin.post("/search/reindex")
    assert started.status_code == 202, started.text
    assert started.json()["state"] == "requested"
    again = admin.post("/search/reindex")
    assert again.status_code == 409 and again.json()["message"]

    while not finished(admin):   # searches answer all along
        assert hits(clerk, "chỉ mục")["total"] >= 0
        wait_until(lambda: finished(admin), seconds=0.3, every=0.1)
    run = wait_until(lambda: finished(admin), seconds=60)
    assert run["state"] == "done", run
    assert (run["phase"], run["percent"], run["id"]) == ("switch", 100, started.json()["id"])
    assert run["documents"] >= 1 and run["started_at"] <= run["finished_at"]

    assert doc["id"] in found(clerk, WORD_ONLY_IN_PDF)   # the text came from storage again
    assert doc["id"] in found(clerk, "xay dung lai chi muc")
    assert doc["id"] not in found(people["vanthu.snv"], "xay dung lai chi muc")
    with sqlite3.connect(os.path.join(system.data_dir, "search.db")) as db:
        assert db.execute("SELECT count(*) FROM file_texts WHERE file_id = ?",
                          (file_id,)).fetchone() == (1,)

    # a document registered after the rebuild is indexed as usual
    later = register(clerk, [], 7102, subject="Văn bản sau khi xây dựng lại").json()
    assert wait_until(lambda: later["id"] in found(clerk, "sau khi xay dung lai"), seconds=10)


def test_a_delegate_finds_the_documents_of_the_unit_they_act_in(people):
    """The deputy chief of office holds a delegation from the chairman: search shows
    him UBND tỉnh's documents, as opening them does (at most 10 s after it is given)."""
    clerk, chairman = people["vanthu.ubnd"], people["lanhdao.ubnd"]
    deputy = people["photruongvp.ubnd"]
    doc = register(clerk, [], 7201, subject="Kế hoạch tổng kết công tác ủy quyền").json()
    assert wait_until(lambda: doc["id"] in found(clerk, "tong ket cong tac uy quyen"))
    assert doc["id"] not in found(deputy, "tong ket cong tac uy quyen")
    given = chairman.post("/delegations", json={
        "unit_id": chairman.unit_id, "to_user_id": deputy.user["id"], "kind": "TL",
        "actions": ["assign"], "valid_to": NEXT_WEEK})
    assert given.status_code == 201, given.text
    try:
        assert wait_until(lambda: doc["id"] in found(deputy, "tong ket cong tac uy quyen"),
                          seconds=15, every=0.5)
        assert deputy.get(f"/incoming/{doc['id']}").status_code == 200
    finally:
        chairman.post(f"/delegations/{given.json()['id']}/revoke")


def test_prefixes_a_misspelt_word_and_newest_first(people):
    clerk = people["vanthu.ubnd"]
    older = register(clerk, [], 7301, subject="Phương án phòng chống thiên tai năm trước").json()
    newer = register(clerk, [], 7302, subject="Phương án phòng chống thiên tai năm nay").json()
    assert wait_until(lambda: {older["id"], newer["id"]} <= set(found(clerk, "thien tai")))
    assert {older["id"], newer["id"]} <= set(found(clerk, "thien ta*"))
    misspelt = hits(clerk, "thiên taii phuong")
    assert misspelt["fuzzy"] is True and newer["id"] in found(clerk, "thiên taii phuong")
    assert hits(clerk, "thien tai")["fuzzy"] is False
    order = found(clerk, "phuong an phong chong thien tai", sort="date")
    assert order.index(newer["id"]) < order.index(older["id"])
    bad = clerk.get("/search", params={"q": "thien tai", "sort": "title"})
    assert bad.status_code == 400 and "sort" in bad.json()["details"]
