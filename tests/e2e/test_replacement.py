"""Thay thế and đính chính inside one deployment (ND30 Điều 18.3; DOMAIN.md §2.8): Sở Tài
chính issues a notice to Sở Nội vụ, then a document that replaces it and one that corrects
the replacement. Sở Nội vụ's văn thư finds each new incoming document linked to its copy of
the earlier one, the replaced one marked on both sides. A relation the draft may not name
(not issued, recalled, replaced already, unknown, another unit's) is a 4xx that changes
nothing; a replacement whose old document was replaced meanwhile is not issued."""
import uuid

import pytest

from tests.e2e.helpers import Api, draft, step, through_signature


@pytest.fixture(scope="module")
def people(system):
    names = ("chuyenvien.stc", "lanhdao.stc", "vanthu.stc", "vanthu.snv", "chuyenvien.ubnd")
    return {name: Api(system.base_url, name) for name in names}


def to_snv(people):
    return [{"unit_id": people["vanthu.snv"].unit_id}]


def issued(people, subject, related=None):
    """A notice of Sở Tài chính to Sở Nội vụ taken to issue; the issued document."""
    extra = {"related": related} if related else {}
    created = draft(people["chuyenvien.stc"], to_snv(people), subject=subject, **extra)
    assert created.status_code == 201, created.text
    assert created.json()["related"] == (related or None)
    document_id = created.json()["id"]
    through_signature(people, document_id)
    assert step(people["vanthu.stc"], document_id, "number").status_code == 200
    response = step(people["vanthu.stc"], document_id, "issue")
    assert response.status_code == 200, response.text
    return response.json()


def copy_of(people, outgoing):
    (recipient,) = outgoing["recipients"]
    response = people["vanthu.snv"].get(f"/incoming/{recipient['incoming_id']}")
    assert response.status_code == 200, response.text
    return response.json()


@pytest.fixture(scope="module")
def chain(people):
    """A, B replacing A, C correcting B: as issued."""
    a = issued(people, "Thông báo lịch tiếp công dân tháng 12")
    b = issued(people, "Thông báo lịch tiếp công dân tháng 12 (thay thế)",
               {"kind": "replaces", "id": a["id"]})
    c = issued(people, "Công văn đính chính lỗi chính tả thông báo lịch tiếp công dân",
               {"kind": "corrects", "id": b["id"]})
    return a, b, c


def test_a_replacement_marks_the_old_document_and_the_recipients_copy_links_to_the_old_copy(
        people, chain):
    a, b, _ = chain
    assert b["related"] == {"kind": "replaces", "id": a["id"]}
    old = people["vanthu.stc"].get(f"/outgoing/{a['id']}").json()
    assert old["replaced_by_id"] == b["id"] and old["state"] == "issued"
    new_copy, old_copy = copy_of(people, b), copy_of(people, a)
    assert new_copy["related"] == {"kind": "replaces", "id": old_copy["id"]}
    assert old_copy["replaced_by_id"] == new_copy["id"]
    history = people["vanthu.stc"].get(f"/documents/{a['id']}/history")
    assert history.status_code == 200 and '"replaced"' in history.text


def test_a_correction_links_both_copies_and_replaces_nothing(people, chain):
    _, b, c = chain
    assert c["related"] == {"kind": "corrects", "id": b["id"]}
    assert people["vanthu.stc"].get(f"/outgoing/{b['id']}").json()["replaced_by_id"] is None
    new_copy, old_copy = copy_of(people, c), copy_of(people, b)
    assert new_copy["related"] == {"kind": "corrects", "id": old_copy["id"]}
    assert old_copy["replaced_by_id"] is None


def refused(response, status=400):
    assert response.status_code == status, response.text
    body = response.json()
    assert "related.id" in body["details"] or "related.kind" in body["details"]
    return body


def test_a_relation_the_draft_may_not_name_is_a_400_in_both_languages_and_creates_nothing(
        people, chain):
    a, _, _ = chain
    author = people["chuyenvien.stc"]
    unissued = draft(author, to_snv(people), subject="Dự thảo chưa phát hành").json()
    recalled = issued(people, "Thông báo sẽ thu hồi trước khi thay thế")
    assert step(people["lanhdao.stc"], recalled["id"], "recall",
                reason="Sai đối tượng").status_code == 200
    before = author.get("/outgoing", params={"page_size": 1}).json()["total"]
    cases = [{"kind": "replaces", "id": a["id"]},              # replaced already
             {"kind": "corrects", "id": unissued["id"]},       # not issued
             {"kind": "replaces", "id": recalled["id"]},       # recalled
             {"kind": "replaces", "id": str(uuid.uuid4())}]    # no such document
    reasons = [refused(draft(author, to_snv(people), related=related))["details"]["related.id"]
               for related in cases]
    assert reasons[0].startswith("Văn bản này đã bị thay thế")   # in the caller's language
    assert len(set(reasons)) == 4                                 # each says its own reason
    in_english = Api(author.base.removesuffix("/api/v1"), "chuyenvien.stc", language="en")
    assert "already replaced" in refused(draft(in_english, to_snv(people), related=cases[0]))[
        "details"]["related.id"]
    refused(draft(author, to_snv(people), related={"kind": "updates", "id": a["id"]}))
    # another unit's drafter cannot name Sở Tài chính's document (nor learn it exists)
    other = draft(people["chuyenvien.ubnd"], [], related={"kind": "corrects",
                                                            "id": recalled["id"]})
    assert refused(other)["details"]["related.id"] == reasons[3]
    assert author.get("/outgoing", params={"page_size": 1}).json()["total"] == before


def test_a_new_version_may_add_or_remove_the_relation_and_a_bad_one_changes_nothing(
        people, chain):
    _, _, c = chain
    author = people["chuyenvien.stc"]
    doc = draft(author, to_snv(people), subject="Đính chính thêm").json()
    added = author.post(f"/outgoing/{doc['id']}/versions",
                        json={"related": {"kind": "corrects", "id": c["id"]}})
    assert added.status_code == 201 and added.json()["related"]["id"] == c["id"]
    bad = author.post(f"/outgoing/{doc['id']}/versions",
                      json={"related": {"kind": "replaces", "id": doc["id"]}})
    refused(bad)
    kept = author.get(f"/outgoing/{doc['id']}").json()
    assert kept["related"] == {"kind": "corrects", "id": c["id"]} and kept["version"] == 2
    removed = author.post(f"/outgoing/{doc['id']}/versions", json={"related": None})
    assert removed.status_code == 201 and removed.json()["related"] is None


def test_of_two_replacements_of_one_document_only_the_first_issued_replaces_it(people):
    old = issued(people, "Thông báo tạm ngừng tiếp nhận hồ sơ")
    drafts = [draft(people["chuyenvien.stc"], to_snv(people), subject=f"Thay thế {n}",
                    related={"kind": "replaces", "id": old["id"]}).json() for n in (1, 2)]
    for doc in drafts:
        through_signature(people, doc["id"])
        assert step(people["vanthu.stc"], doc["id"], "number").status_code == 200
    assert step(people["vanthu.stc"], drafts[0]["id"], "issue").status_code == 200
    late = step(people["vanthu.stc"], drafts[1]["id"], "issue")
    assert late.status_code == 409, late.text
    assert "already replaced" in late.text or "đã bị thay thế" in late.text
    assert people["vanthu.stc"].get(f"/outgoing/{drafts[1]['id']}").json()["state"] == \
        "numbered"
    assert people["vanthu.stc"].get(f"/outgoing/{old['id']}").json()["replaced_by_id"] == \
        drafts[0]["id"]
