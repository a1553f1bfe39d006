"""Văn bản đi through the gateway: a specialist of Sở Tài chính drafts, saves versions,
submits; the director returns it with a comment, then approves and signs; the clerk
checks its form, numbers and issues it. Internal recipients hold it at once as a
numbered incoming document; the register of outgoing documents prints it; a recall
asks each internal copy back, and the copy leaves once its unit's văn thư agrees.
Secret drafts carry no file and have their own series.
Bad input and wrong steps get a 4xx and change nothing."""
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.e2e.helpers import EXTERNAL, Api, draft, step, through_signature, wait_until


@pytest.fixture(scope="module")
def people(system):
    names = ("chuyenvien.stc", "lanhdao.stc", "vanthu.stc", "vanthu.snv", "lanhdao.snv",
             "vanthu.ubnd", "chuyenvien.ubnd")
    return {name: Api(system.base_url, name) for name in names}


def unit_of(people, username):
    return people[username].unit_id


@pytest.fixture(scope="module")
def issued(people, pdf_bytes):
    """One document taken through every step to issue; returns what each step gave."""
    drafter = people["chuyenvien.stc"]
    put, first_file = drafter.upload("du-thao-1.pdf", pdf_bytes)
    assert put.status_code == 201
    recipients = [{"unit_id": unit_of(people, "vanthu.snv")},
                  {"unit_id": unit_of(people, "vanthu.ubnd")}, EXTERNAL]
    created = draft(drafter, recipients, file_ids=[first_file])
    assert created.status_code == 201, created.text
    doc = created.json()
    put, second_file = drafter.upload("du-thao-2.pdf", pdf_bytes + b"\n% v2")
    second = drafter.post(f"/outgoing/{doc['id']}/versions", json={
        "subject": "Thông báo kết quả thẩm định quyết toán ngân sách tỉnh năm 2025",
        "file_ids": [second_file], "note": "Sửa trích yếu, thay tệp"})
    assert second.status_code == 201, second.text
    submitted = step(drafter, doc["id"], "submit")
    returned = step(people["lanhdao.stc"], doc["id"], "return",
                    reason="Bổ sung số liệu quý IV")
    third = drafter.post(f"/outgoing/{doc['id']}/versions",
                         json={"page_amount": 4, "note": "Bổ sung số liệu quý IV"})
    signed = through_signature(people, doc["id"])
    numbered = step(people["vanthu.stc"], doc["id"], "number")
    assert numbered.status_code == 200, numbered.text
    issued_doc = step(people["vanthu.stc"], doc["id"], "issue")
    assert issued_doc.status_code == 200, issued_doc.text
    return {"created": doc, "second": second.json(), "submitted": submitted,
            "returned": returned, "third": third, "signed": signed,
            "numbered": numbered.json(), "issued": issued_doc.json(),
            "files": (first_file, second_file)}


def test_a_draft_keeps_every_version_and_returns_with_a_reason(issued):
    assert issued["created"]["state"] == "draft" and issued["created"]["version"] == 1
    assert issued["created"]["created_at"].endswith("+00:00")   # times carry their offset
    assert issued["submitted"].status_code == 200
    assert issued["returned"].json()["state"] == "returned"
    assert issued["returned"].json()["state_reason"] == "Bổ sung số liệu quý IV"
    assert issued["third"].status_code == 201
    versions = issued["issued"]["versions"]
    assert [v["number"] for v in versions] == [1, 2, 3]
    assert versions[0]["file_ids"] == [issued["files"][0]]
    assert versions[0]["fields"]["subject"].startswith("Thông báo kết quả thẩm định quyết")
    assert "tỉnh" not in versions[0]["fields"]["subject"]
    assert versions[1]["file_ids"] == [issued["files"][1]]
    assert versions[2]["fields"]["page_amount"] == 4 and versions[2]["file_ids"] == \
        [issued["files"][1]]


def test_signing_records_the_signer_and_numbering_composes_the_notation(issued):
    signed = issued["signed"]
    assert signed["state"] == "signed"
    assert signed["signer"] == {"position": "Giám đốc", "full_name": "Võ Văn Hùng"}
    numbered = issued["numbered"]
    assert numbered["state"] == "numbered" and numbered["code_notation"] == "TB-STC"
    assert re.fullmatch(r"\d{2,}", numbered["code_number"])
    assert numbered["issued_date"] and numbered["register_id"]


def test_internal_recipients_hold_it_as_a_numbered_incoming_document(people, issued):
    doc = issued["issued"]
    assert doc["state"] == "issued" and doc["issued_at"]
    by_delivery = {r["delivery"]: r for r in doc["recipients"]}
    assert by_delivery["exchange"]["organ_id"] == EXTERNAL["organ_id"]
    internal = [r for r in doc["recipients"] if r["delivery"] == "internal"]
    assert len(internal) == 2 and all(r["incoming_id"] for r in internal)
    snv = people["vanthu.snv"]
    received = next(r for r in internal if r["unit_id"] == snv.unit_id)
    incoming = snv.get(f"/incoming/{received['incoming_id']}")
    assert incoming.status_code == 200, incoming.text
    incoming = incoming.json()
    assert incoming["unit_id"] == snv.unit_id and incoming["arrival_number"] >= 1
    assert (incoming["code_number"], incoming["code_notation"]) == (doc["code_number"],
                                                                   "TB-STC")
    assert incoming["issuer"]["name"] == doc["issuer"]["name"]
    assert incoming["file_ids"] == [issued["files"][1]]
    # the receiving clerk may download the file through the incoming document
    content = snv.get(f"/files/{issued['files'][1]}/content", allow_redirects=False)
    assert content.status_code == 302
    # and the receiving unit's leader is told, as for any registered document
    leader = people["lanhdao.snv"]
    assert wait_until(lambda: any(
        n.get("document_id") == received["incoming_id"]
        for n in leader.get("/notifications").json()["items"]))


def test_a_delivered_document_is_found_by_its_issuers_name(people):
    doc = draft(people["chuyenvien.stc"], [{"unit_id": unit_of(people, "vanthu.snv")}],
                subject="Thông báo lịch tiếp công dân tháng 12").json()
    through_signature(people, doc["id"])
    step(people["vanthu.stc"], doc["id"], "number")
    issued = step(people["vanthu.stc"], doc["id"], "issue").json()
    incoming_id = issued["recipients"][0]["incoming_id"]
    snv = people["vanthu.snv"]

    def found():
        result = snv.get("/search", params={"q": "Sở Tài chính tỉnh Tây Ninh",
                                             "page_size": 200}).json()
        return incoming_id in {i["document_id"] for i in result["items"]}
    assert wait_until(found)


def test_the_outgoing_register_prints_the_issued_document(people, issued):
    clerk = people["vanthu.stc"]
    doc = issued["issued"]
    response = clerk.get(f"/registers/{doc['register_id']}/export", params={"format": "xlsx"})
    assert response.status_code == 200, response.text
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("SỔ ĐĂNG KÝ VĂN BẢN ĐI")
    assert rows[3][0] == "Số, ký hiệu văn bản" and len(rows[3]) == 10
    ours = [r for r in rows[4:] if r[0] == f"{doc['code_number']}/TB-STC"]
    assert len(ours) == 1
    assert "Võ Văn Hùng" in ours[0][3] and "Tòa án nhân dân tối cao" in ours[0][4]
    assert ours[0][5] == "Lưu: VT, QLNS" and ours[0][6] == "5"
    pdf = clerk.get(f"/registers/{doc['register_id']}/export", params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_the_history_lists_every_step_with_who_took_it(people, issued):
    history = people["chuyenvien.stc"].get(
        f"/documents/{issued['issued']['id']}/history").json()
    actions = [e["action"] for e in history["events"]]
    assert actions == ["create", "new_version", "submit", "return", "new_version", "submit",
                       "approve", "check_form", "sign", "number", "issue"]
    returned = history["events"][3]
    assert returned["actor_name"] == "Võ Văn Hùng"
    assert returned["details"]["reason"] == "Bổ sung số liệu quý IV"


def test_the_history_exports_as_xlsx_and_pdf_in_vietnamese(people, issued):
    api = people["lanhdao.stc"]
    url = f"/documents/{issued['issued']['id']}/history"
    xlsx = api.get(url, params={"format": "xlsx"})
    assert xlsx.status_code == 200, xlsx.text
    assert "attachment" in xlsx.headers["Content-Disposition"]
    rows = list(load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True))
    assert rows[0][0] == "LỊCH SỬ XỬ LÝ VĂN BẢN"
    assert rows[1][0].startswith(f"{issued['issued']['code_number']}/TB-STC")
    assert rows[3] == ("STT", "Thời gian", "Người thực hiện", "Thao tác", "Nội dung")
    returned = next(r for r in rows[4:] if r[3] == "Trả lại")
    assert returned[2] == "Võ Văn Hùng" and "Lý do: Bổ sung số liệu quý IV" in returned[4]
    assert [r[3] for r in rows[4:]][-2:] == ["Cấp số", "Phát hành"]
    pdf = api.get(url, params={"format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Kiểm tra thể thức" in text and "Phạm Thị Lan" in text
    assert api.get(url, params={"format": "doc"}).status_code == 400
    assert people["vanthu.snv"].get(url, params={"format": "pdf"}).status_code == 403


def test_a_recall_withdraws_the_internal_copies_once_their_clerk_agrees(people, pdf_bytes):
    doc = draft(people["chuyenvien.stc"], [{"unit_id": unit_of(people, "vanthu.snv")}],
                subject="Thông báo sẽ thu hồi").json()
    through_signature(people, doc["id"])
    step(people["vanthu.stc"], doc["id"], "number")
    issued = step(people["vanthu.stc"], doc["id"], "issue").json()
    incoming_id = issued["recipients"][0]["incoming_id"]
    assert step(people["chuyenvien.stc"], doc["id"], "recall",
                reason="Sai số liệu").status_code == 403
    recalled = step(people["lanhdao.stc"], doc["id"], "recall", reason="Sai số liệu")
    assert recalled.status_code == 200, recalled.text
    assert recalled.json()["state"] == "recalled"
    asked = people["vanthu.snv"].get(f"/incoming/{incoming_id}").json()["change_request"]
    assert asked["kind"] == "recall" and asked["reason"] == "Sai số liệu"
    agreed = people["vanthu.snv"].post(f"/incoming/{incoming_id}/change-answer",
                                       json={"agree": True})
    assert agreed.status_code == 200, agreed.text
    assert people["vanthu.snv"].get(f"/incoming/{incoming_id}").status_code == 404
    copy = people["vanthu.snv"].post("/copies", json={
        "document_id": incoming_id, "unit_id": people["vanthu.snv"].unit_id, "form": "SY"})
    assert copy.status_code == 404                   # withdrawn: nothing left to copy
    again = step(people["lanhdao.stc"], doc["id"], "recall", reason="Lần nữa")
    assert again.status_code == 409


def test_a_cong_van_needs_a_field_code_and_a_normative_document_carries_its_year(people):
    cv = draft(people["chuyenvien.stc"], [EXTERNAL], document_type="CV",
               subject="V/v phối hợp kiểm tra").json()
    through_signature(people, cv["id"])
    refused = step(people["vanthu.stc"], cv["id"], "number")
    assert refused.status_code == 400 and "field_code" in refused.json()["details"]
    assert people["vanthu.stc"].get(f"/outgoing/{cv['id']}").json()["state"] == "signed"
    numbered = step(people["vanthu.stc"], cv["id"], "number", field_code="QLNS").json()
    assert numbered["code_notation"] == "STC-QLNS"

    qd = draft(people["chuyenvien.stc"], [EXTERNAL], document_type="QĐ", normative=True,
               subject="Quyết định ban hành quy định phân cấp nguồn thu").json()
    through_signature(people, qd["id"])
    numbered = step(people["vanthu.stc"], qd["id"], "number").json()
    year = numbered["issued_date"][:4]
    assert numbered["code_notation"] == f"{year}/QĐ-STC"


@pytest.fixture(scope="module")
def secret_clerk(system):
    """A clerk of Sở Tài chính cleared for Mật, added by the administrator."""
    admin = Api(system.base_url, "admin")
    stc = Api(system.base_url, "vanthu.stc").unit_id
    created = admin.post("/users", json={
        "username": "vanthu.mat.stc", "full_name": "Trương Thị Kim", "position": "Văn thư",
        "password": "mat-khau-dai-2026", "clearance": "confidential",
        "memberships": [{"unit_id": stc, "role": "clerk"}]})
    assert created.status_code == 201, created.text
    return Api(system.base_url).login("vanthu.mat.stc", "mat-khau-dai-2026")


def test_a_secret_draft_takes_no_file_and_is_numbered_in_its_own_series(
        people, secret_clerk, pdf_bytes):
    leader = people["lanhdao.stc"]   # cleared for Mật
    put, file_id = leader.upload("mat.pdf", pdf_bytes)
    with_file = draft(leader, [{"unit_id": unit_of(people, "vanthu.snv")}],
                      confidentiality="confidential", file_ids=[file_id])
    assert with_file.status_code == 400 and "file_ids" in with_file.json()["details"]
    assert draft(people["chuyenvien.stc"], [EXTERNAL],
                 confidentiality="confidential").status_code == 403
    doc = draft(leader, [{"unit_id": unit_of(people, "vanthu.snv")}, EXTERNAL],
                confidentiality="confidential", subject="Báo cáo mật về an ninh tài chính")
    assert doc.status_code == 201, doc.text
    doc = doc.json()
    assert people["chuyenvien.stc"].get(f"/outgoing/{doc['id']}").status_code == 403
    assert doc["id"] not in {d["id"] for d in people["vanthu.stc"].get(
        "/outgoing", params={"page_size": 200}).json()["items"]}
    assert leader.post(f"/outgoing/{doc['id']}/versions",
                       json={"file_ids": [file_id]}).status_code == 400
    for api, action in ((leader, "submit"), (leader, "approve"),
                        (secret_clerk, "check_form"), (leader, "sign")):
        assert step(api, doc["id"], action).status_code == 200, action
    assert step(people["vanthu.stc"], doc["id"], "number").status_code == 403
    numbered = step(secret_clerk, doc["id"], "number").json()
    registers = {r["id"]: r for r in secret_clerk.get(
        "/registers", params={"unit_id": secret_clerk.unit_id}).json()["items"]}
    assert registers[numbered["register_id"]]["direction"] == "outgoing_secret"
    issued = step(secret_clerk, doc["id"], "issue").json()
    deliveries = {r["name"]: r["delivery"] for r in issued["recipients"]}
    assert deliveries[EXTERNAL["name"]] == "paper"   # never sent by the exchange
    internal = next(r for r in issued["recipients"] if r.get("incoming_id"))
    snv_clerk = people["vanthu.snv"]                 # not cleared: the copy is hidden
    assert snv_clerk.get(f"/incoming/{internal['incoming_id']}").status_code == 403


def test_steps_out_of_order_or_by_the_wrong_person_change_nothing(people):
    doc = draft(people["chuyenvien.stc"], [EXTERNAL]).json()
    url = f"/outgoing/{doc['id']}"
    cases = [
        (people["lanhdao.stc"], "approve", {}, 409),          # not submitted yet
        (people["vanthu.stc"], "number", {}, 409),            # not signed
        (people["chuyenvien.stc"], "promote", {}, 400),       # no such step
        (people["lanhdao.stc"], "return", {}, 400),           # reason required (and state)
        (people["vanthu.snv"], "submit", {}, 403),            # another unit
        (people["chuyenvien.ubnd"], "submit", {}, 403),       # a sibling unit
        (people["vanthu.ubnd"], "submit", {}, 403),           # the parent unit
    ]
    for api, action, body, status in cases:
        response = step(api, doc["id"], action, **body)
        assert response.status_code == status, (action, response.text)
        assert "message" in response.json()
    step(people["chuyenvien.stc"], doc["id"], "submit")
    edit = people["chuyenvien.stc"].post(f"{url}/versions", json={"subject": "Đổi sau khi trình"})
    assert edit.status_code == 409
    after = people["chuyenvien.stc"].get(url).json()
    assert after["state"] == "submitted" and after["version"] == 1
    assert after["subject"] == doc["subject"]


@pytest.mark.parametrize("changes, field", [
    ({"subject": "x" * 501}, "subject"),
    ({"subject": ""}, "subject"),
    ({"document_type": "XYZ"}, "document_type"),
    ({"due_date": "2020-01-01"}, "due_date"),
    ({"due_date": "2026-02-30"}, "due_date"),
    ({"page_amount": 0}, "page_amount"),
    ({"keeper": "k" * 201}, "keeper"),
    ({"signer": {"position": "p" * 101}}, "signer.position"),
    ({"recipients": [{"unit_id": "00000000-0000-0000-0000-000000000000"}]},
     "recipients[0].unit_id"),
    ({"recipients": [{"organ_id": "A" * 36, "name": "X"}]}, "recipients[0].organ_id"),
    ({"recipients": [{"name": "Y"}, {"name": "y"}]}, "recipients[1]"),
    ({"recipients": [{}]}, "recipients[0]"),
    ({"file_ids": ["not-an-id"]}, "file_ids"),
    ({"file_ids": ["00000000-0000-0000-0000-000000000000"]}, "file_ids"),
    ({"colour": "red"}, "colour"),
])
def test_a_draft_with_bad_fields_is_a_400_in_both_languages(people, changes, field):
    api = people["chuyenvien.stc"]
    before = api.get("/outgoing", params={"unit_id": api.unit_id}).json()["total"]
    changes = dict(changes)
    recipients = changes.pop("recipients", [EXTERNAL])
    response = draft(api, recipients, **changes)
    assert response.status_code == 400, response.text
    assert field in response.json()["details"]
    english = Api(api.base[:-len("/api/v1")]).login("chuyenvien.stc")
    english.http.headers["Accept-Language"] = "en"
    assert draft(english, recipients, **changes).json()["message"].startswith("Invalid input")
    assert api.get("/outgoing", params={"unit_id": api.unit_id}).json()["total"] == before


def test_a_draft_in_an_unknown_unit_is_a_404(people):
    response = people["chuyenvien.stc"].post("/outgoing", json={
        "unit_id": "00000000-0000-0000-0000-000000000000", "document_type": "TB",
        "subject": "X"})
    assert response.status_code in (403, 404)


def test_a_notation_with_a_space_is_refused_at_numbering(people):
    doc = draft(people["chuyenvien.stc"], [EXTERNAL]).json()
    through_signature(people, doc["id"])
    response = step(people["vanthu.stc"], doc["id"], "number", code_notation="TB STC")
    assert response.status_code == 400 and "code_notation" in response.json()["details"]
    after = people["vanthu.stc"].get(f"/outgoing/{doc['id']}").json()
    assert after["state"] == "signed" and after["code_number"] is None


@pytest.mark.parametrize("body, field", [
    ({"subject": "s" * 501}, "subject"),
    ({"unit_id": "00000000-0000-0000-0000-000000000000"}, "unit_id"),
    ({"due_date": "2001-01-01"}, "due_date"),
    ({"recipients": "Sở Nội vụ"}, "recipients"),
    ({"urgency": "yesterday"}, "urgency"),
    ({"note": "n" * 501}, "note"),
])
def test_a_new_version_with_bad_fields_is_a_400_and_the_draft_stays_as_it_was(
        people, body, field):
    api = people["chuyenvien.stc"]
    doc = draft(api, [EXTERNAL]).json()
    response = api.post(f"/outgoing/{doc['id']}/versions", json=body)
    assert response.status_code == 400 and field in response.json()["details"]
    after = api.get(f"/outgoing/{doc['id']}").json()
    assert after["version"] == 1 and len(after["versions"]) == 1
    assert after["subject"] == doc["subject"] and after["recipients"] == doc["recipients"]
