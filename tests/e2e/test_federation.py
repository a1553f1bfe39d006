"""Liên thông between two deployments (issue 14): two e-Offices — Tỉnh Tây Ninh (A) and Tỉnh
Nghệ An (B), each with its own RabbitMQ vhost, data and demo PKI — connected through one
reference axis (services.axis), as two provinces would be. A issues signed documents to B's
Sở Tài chính; B's văn thư finds them waiting, checks the signatures, accepts or returns them;
A follows each status as it comes back.

Runs in a process of its own (tests/run_parallel.py): two systems and an axis."""
from __future__ import annotations

import time

import pytest
import requests

from tests.e2e.helpers import Api, draft, notification_about, step, wait_until
from tests.federation import DIRECTOR, PROVINCE_A, PROVINCE_B, organ_of
from tests.federation import federation as two_deployments
from tests.fixtures.signing.make_fixtures import make_document


@pytest.fixture(scope="module")
def federation():
    with two_deployments() as running:
        yield running


@pytest.fixture(scope="module")
def people(federation):
    a, b = federation["a"], federation["b"]
    return {**{f"a:{n}": Api(a.base_url, n) for n in (
        "chuyenvien.stc", "lanhdao.stc", "vanthu.stc")},
            **{f"b:{n}": Api(b.base_url, n) for n in (
                "vanthu.stc", "lanhdao.stc", "chuyenvien.stc")}}


def issue_to_b(people, subject, digital=False, related=None):
    """A decision of A's Sở Tài chính for B's Sở Tài chính: drafted, approved, signed,
    numbered and issued; the issued document. ``digital``: signed with the director's
    certificate and sealed with the organisation's (what the signature checks need);
    otherwise signed on paper and sent as its scan — the exchange treats both alike, and the
    paper flow spares the machine two PAdES signatures and their verifications. ``related``:
    the earlier document it replaces or corrects ({kind, id})."""
    author = people["a:chuyenvien.stc"]
    response, file_id = author.upload("quyet-dinh.pdf", make_document(signer_name=DIRECTOR))
    assert response.status_code == 201, response.text
    b_stc = organ_of(PROVINCE_B, "STC")
    created = draft(author, [{"organ_id": b_stc.organ_id, "name": b_stc.name}],
                    document_type="QD", subject=subject, file_ids=[file_id],
                    **({"related": related} if related else {}))
    assert created.status_code == 201, created.text
    document_id = created.json()["id"]
    for username, action in (("a:chuyenvien.stc", "submit"), ("a:lanhdao.stc", "approve"),
                             ("a:vanthu.stc", "check_form")):
        assert step(people[username], document_id, action).status_code == 200, action
    signature = {}
    if digital:
        director = people["a:lanhdao.stc"]
        signature = {"certificate_id": next(
            c for c in director.get("/signing/certificates").json()["items"]
            if c["holder_kind"] == "person" and c["valid_now"])["id"]}
    steps = [("a:lanhdao.stc", "sign", signature), ("a:vanthu.stc", "number", {}),
             *([("a:vanthu.stc", "seal", {})] if digital else []),
             ("a:vanthu.stc", "issue", {})]
    for username, action, body in steps:
        response = step(people[username], document_id, action, **body)
        assert response.status_code == 200, (action, response.text)
    issued = response.json()
    assert [r["delivery"] for r in issued["recipients"]] == ["exchange"]
    return issued


def waiting_at_b(people, subject):
    clerk = people["b:vanthu.stc"]
    # .get: the exchange may be restarting (503) while this waits
    return wait_until(lambda: next((r for r in clerk.get("/exchange/received").json().get(
        "items", []) if r["fields"]["subject"] == subject), None), seconds=30)


def codes_at_a(people, document_id):
    deliveries = people["a:vanthu.stc"].get(f"/outgoing/{document_id}/deliveries").json()
    (delivery,) = deliveries["items"]
    return [s["code"] for s in delivery["statuses"]], delivery


def test_a_signed_document_goes_to_the_other_province_which_registers_and_handles_it_while_the_sender_sees_each_status(  # noqa: E501
        people):
    subject = "Quyết định phân bổ kinh phí liên thông năm 2026"
    issued = issue_to_b(people, subject, digital=True)
    received = waiting_at_b(people, subject)
    clerk = people["b:vanthu.stc"]
    assert received["state"] == "waiting"
    assert received["from"]["organ_id"] == organ_of(PROVINCE_A, "STC").organ_id
    assert received["fields"]["code_number"] == issued["code_number"]
    assert received["fields"]["code_notation"] == issued["code_notation"]
    assert received["fields"]["document_type"] == "QĐ"
    assert received["package_signature"]["status"] == "valid"
    # the signed PDF, verified by B's signing service: A's signer and A's seal, trusted
    # (.get: under load the exchange may answer the gateway late, a 504, while this waits)
    detail = wait_until(lambda: (lambda d: d if d.get("files") and all(
        f["signatures"] for f in d["files"]) else None)(clerk.get(
            f"/exchange/received/{received['id']}").json()), seconds=30)
    assert [f["signatures"]["status"] for f in detail["files"]] == ["valid"], detail["files"]
    assert wait_until(lambda: codes_at_a(people, issued["id"])[0] == ["01"], seconds=30)

    secret = clerk.post(f"/exchange/received/{received['id']}/accept",
                        json={"confidentiality": "confidential"})
    assert secret.status_code == 400 and "confidentiality" in secret.json()["details"]
    accepted = clerk.post(f"/exchange/received/{received['id']}/accept", json={})
    assert accepted.status_code == 200, accepted.text
    incoming = accepted.json()["incoming"]
    assert incoming["arrival_number"] >= 1 and incoming["state"] == "registered"
    assert incoming["issuer"]["organ_id"] == organ_of(PROVINCE_A, "STC").organ_id
    again = clerk.post(f"/exchange/received/{received['id']}/accept", json={})
    assert again.status_code == 409                                  # registered once
    assert wait_until(lambda: codes_at_a(people, issued["id"])[0] == ["01", "03"],
                      seconds=30)

    director, specialist = people["b:lanhdao.stc"], people["b:chuyenvien.stc"]
    submitted = clerk.post(f"/incoming/{incoming['id']}/submit",
                           json={"to_user_id": director.user["id"]})
    assert submitted.status_code == 200, submitted.text
    assigned = director.post(f"/incoming/{incoming['id']}/assign",
                             json={"lead": {"user_id": specialist.user["id"]}})
    assert assigned.status_code == 200, assigned.text
    assert wait_until(lambda: "04" in codes_at_a(people, issued["id"])[0], seconds=30)
    item = wait_until(lambda: next((i for i in specialist.get("/inbox").json()["items"]
                                    if i["document_id"] == incoming["id"]), None))
    progressed = specialist.post(f"/assignments/{item['id']}/progress",
                                 json={"percent": 50, "note": "Đang rà soát"})
    assert progressed.status_code == 200, progressed.text
    assert wait_until(lambda: "05" in codes_at_a(people, issued["id"])[0], seconds=30)
    done = specialist.post(f"/assignments/{item['id']}/complete", json={"note": "Xong"})
    assert done.status_code == 200, done.text
    codes, delivery = wait_until(lambda: (lambda c: c if c[0][-1:] == ["06"] else None)(
        codes_at_a(people, issued["id"])), seconds=30)
    assert codes == ["01", "03", "04", "05", "06"]
    assert delivery["state"] == "sent" and delivery["organ_id"] == \
        organ_of(PROVINCE_B, "STC").organ_id


def test_a_returned_document_tells_the_sender_why_and_registers_nothing(people):
    subject = "Công văn đề nghị đối chiếu số liệu (gửi nhầm nơi)"
    issued = issue_to_b(people, subject)
    received = waiting_at_b(people, subject)
    clerk = people["b:vanthu.stc"]
    assert clerk.post(f"/exchange/received/{received['id']}/return",
                      json={}).status_code == 400                   # a reason is required
    returned = clerk.post(f"/exchange/received/{received['id']}/return",
                          json={"reason": "Văn bản không thuộc thẩm quyền của Sở"})
    assert returned.status_code == 200, returned.text
    assert returned.json()["state"] == "returned"
    codes, delivery = wait_until(lambda: (lambda c: c if "02" in c[0] else None)(
        codes_at_a(people, issued["id"])), seconds=30)
    assert codes == ["01", "02"]
    assert delivery["statuses"][-1]["description"] == "Văn bản không thuộc thẩm quyền của Sở"
    incoming = clerk.get("/incoming").json()["items"]
    assert not any(i["subject"] == subject for i in incoming)
    # B's văn thư was told it arrived; A's văn thư is told it came back, and why
    arrived = notification_about(clerk, lambda n: n["received_id"] == received["id"])
    assert arrived["kind"] == "received_waiting" and subject in arrived["body"]
    alert = notification_about(people["a:vanthu.stc"],
                               lambda n: n["document_id"] == issued["id"])
    assert alert["kind"] == "delivery_status_alert"
    assert "từ chối" in alert["title"] and "Văn bản không thuộc thẩm quyền" in alert["body"]



def test_only_the_addressed_units_clerk_sees_a_received_document_and_a_stranger_cannot_act(
        people, federation):
    subject = "Thông báo lịch tiếp công dân (liên thông)"
    issue_to_b(people, subject)
    received = waiting_at_b(people, subject)
    clerk = people["b:vanthu.stc"]
    file_id = received["files"][0]["file_id"]
    link = clerk.get(f"/exchange/received/{received['id']}/files/{file_id}/link",
                     params={"view": "true"})
    assert link.status_code == 200, link.text
    assert link.json()["url"].endswith("&view=1")
    pdf = requests.get(link.json()["url"], timeout=30)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    outsider = Api(federation["b"].base_url, "vanthu.snv")
    assert outsider.get(f"/exchange/received/{received['id']}/files/{file_id}/link"
                        ).status_code == 403
    assert not any(r["id"] == received["id"]
                   for r in outsider.get("/exchange/received").json()["items"])
    assert outsider.get(f"/exchange/received/{received['id']}").status_code == 403
    assert outsider.post(f"/exchange/received/{received['id']}/accept",
                         json={}).status_code == 403
    specialist = people["b:chuyenvien.stc"]
    assert specialist.post(f"/exchange/received/{received['id']}/return",
                           json={"reason": "x"}).status_code == 403


def test_the_axis_stopped_for_a_minute_while_ten_documents_are_issued_loses_nothing_and_delivers_each_once(  # noqa: E501
        people, federation):
    axis = federation["axis"]
    axis.stop()
    stopped_at = time.monotonic()
    subjects = [f"Công văn số liệu tháng {n} (trục tạm dừng)" for n in range(1, 11)]
    issued = [issue_to_b(people, subject) for subject in subjects]
    time.sleep(max(2.0, 60 - (time.monotonic() - stopped_at)))  # a minute without the axis
    for document in issued:
        (delivery,) = people["a:vanthu.stc"].get(
            f"/outgoing/{document['id']}/deliveries").json()["items"]
        assert delivery["state"] == "pending" and delivery["error"]["code"] == \
            "axis_unavailable"
    axis.start()
    clerk = people["b:vanthu.stc"]
    for subject in subjects:
        waiting_at_b(people, subject)
    time.sleep(1)
    items = clerk.get("/exchange/received", params={"page_size": 200}).json()["items"]
    for subject in subjects:
        assert sum(r["fields"]["subject"] == subject for r in items) == 1


def test_a_recall_after_registration_is_agreed_the_document_leaves_the_receiver_and_the_sender_freezes(  # noqa: E501
        people):
    subject = "Quyết định điều chỉnh dự toán (sẽ thu hồi)"
    issued = issue_to_b(people, subject)
    received = waiting_at_b(people, subject)
    clerk = people["b:vanthu.stc"]
    accepted = clerk.post(f"/exchange/received/{received['id']}/accept", json={})
    assert accepted.status_code == 200, accepted.text
    incoming_id = accepted.json()["incoming_id"]
    assert wait_until(lambda: "03" in codes_at_a(people, issued["id"])[0], seconds=30)
    no_recall = clerk.post(f"/exchange/received/{received['id']}/recall-answer",
                           json={"agree": True})
    assert no_recall.status_code == 409                        # nothing asked yet

    sender = people["a:vanthu.stc"]
    recalled = step(sender, issued["id"], "recall", reason="Sai số liệu phụ lục")
    assert recalled.status_code == 200, recalled.text
    asked = wait_until(lambda: (lambda r: r if r["recall_request"] else None)(
        clerk.get(f"/exchange/received/{received['id']}").json()), seconds=30)
    assert asked["recall_request"]["reason"] == "Sai số liệu phụ lục"
    assert clerk.post(f"/exchange/received/{received['id']}/recall-answer",
                      json={"agree": False}).status_code == 400   # refusing needs a reason
    agreed = clerk.post(f"/exchange/received/{received['id']}/recall-answer",
                        json={"agree": True})
    assert agreed.status_code == 200, agreed.text
    assert agreed.json()["state"] == "recalled" and agreed.json()["files"] == []

    # gone from B's lists, reading and search; the recall log stays
    assert clerk.get(f"/incoming/{incoming_id}").status_code == 404
    assert not any(i["id"] == incoming_id for i in clerk.get("/incoming").json()["items"])
    assert wait_until(lambda: not any(
        i["document_id"] == incoming_id
        for i in clerk.get("/search", params={"q": "điều chỉnh dự toán"}).json()["items"]))
    log = clerk.get(f"/exchange/received/{received['id']}").json()
    assert log["recall_request"]["answer"] == "15"
    assert log["fields"]["code_notation"] == issued["code_notation"]
    assert "subject" not in log["fields"]

    codes, delivery = wait_until(lambda: (lambda c: c if "15" in c[0] else None)(
        codes_at_a(people, issued["id"])), seconds=30)
    assert codes == ["01", "03", "15"] and delivery["frozen"] is True


def test_a_refused_recall_leaves_the_document_and_tells_the_sender_why(people):
    subject = "Công văn góp ý dự thảo (thu hồi bị từ chối)"
    issued = issue_to_b(people, subject)
    received = waiting_at_b(people, subject)
    clerk = people["b:vanthu.stc"]
    assert step(people["a:vanthu.stc"], issued["id"], "recall",
                reason="Gửi nhầm").status_code == 200
    wait_until(lambda: clerk.get(f"/exchange/received/{received['id']}").json()[
        "recall_request"], seconds=30)
    for action, body in (("accept", {}), ("return", {"reason": "x"})):   # the recall first
        answered_first = clerk.post(f"/exchange/received/{received['id']}/{action}", json=body)
        assert answered_first.status_code == 409, answered_first.text
    refused = clerk.post(f"/exchange/received/{received['id']}/recall-answer",
                         json={"agree": False, "reason": "Văn bản đã được xử lý"})
    assert refused.status_code == 200, refused.text
    assert refused.json()["state"] == "waiting"
    codes, delivery = wait_until(lambda: (lambda c: c if "16" in c[0] else None)(
        codes_at_a(people, issued["id"])), seconds=30)
    assert codes == ["01", "16"] and delivery["frozen"] is False
    assert delivery["statuses"][-1]["description"] == "Văn bản đã được xử lý"
    asked = notification_about(clerk, lambda n: n["received_id"] == received["id"] and
                               n["kind"] == "received_change_requested")
    assert "đề nghị thu hồi" in asked["title"] and "Gửi nhầm" in asked["body"]
    alert = notification_about(people["a:vanthu.stc"], lambda n: n["document_id"] ==
                               issued["id"] and n["kind"] == "delivery_status_alert")
    assert "không đồng ý" in alert["title"] and "Văn bản đã được xử lý" in alert["body"]
    # the recall refused, the document is the văn thư's to accept as any other
    accepted = clerk.post(f"/exchange/received/{received['id']}/accept", json={})
    assert accepted.status_code == 200, accepted.text


def accepted_at_b(people, subject):
    """B's văn thư accepts what A sent under ``subject``: (received, incoming document)."""
    received = waiting_at_b(people, subject)
    accepted = people["b:vanthu.stc"].post(f"/exchange/received/{received['id']}/accept",
                                           json={})
    assert accepted.status_code == 200, accepted.text
    return accepted.json(), accepted.json()["incoming"]


def test_a_replacement_waits_at_b_naming_the_one_it_replaces_and_is_registered_linked_to_it(
        people):
    old_out = issue_to_b(people, "Quyết định giao dự toán bổ sung (sẽ thay thế)")
    old, old_incoming = accepted_at_b(people, old_out["subject"])
    subject = "Quyết định giao dự toán bổ sung (thay thế)"
    new_out = issue_to_b(people, subject, related={"kind": "replaces", "id": old_out["id"]})
    assert new_out["related"] == {"kind": "replaces", "id": old_out["id"]}
    assert people["a:vanthu.stc"].get(f"/outgoing/{old_out['id']}").json()[
        "replaced_by_id"] == new_out["id"]

    clerk = people["b:vanthu.stc"]
    waiting = waiting_at_b(people, subject)
    assert waiting["business_type"] == 3 and waiting["replaces_id"] == old["id"]
    detail = clerk.get(f"/exchange/received/{waiting['id']}").json()
    assert detail["earlier"]["kind"] == "replaces"
    assert detail["earlier"]["code"] == f"{old_out['code_number']}/{old_out['code_notation']}"
    assert detail["earlier"]["incoming_id"] == old_incoming["id"]
    accepted = clerk.post(f"/exchange/received/{waiting['id']}/accept", json={})
    assert accepted.status_code == 200, accepted.text
    new_incoming = accepted.json()["incoming"]
    assert new_incoming["related"] == {"kind": "replaces", "id": old_incoming["id"]}
    assert clerk.get(f"/incoming/{old_incoming['id']}").json()["replaced_by_id"] == \
        new_incoming["id"]
    assert clerk.get(f"/exchange/received/{old['id']}").json()["state"] == "accepted"


def test_a_correction_is_a_new_document_registered_linked_to_the_one_it_corrects(people):
    first = issue_to_b(people, "Quyết định phê duyệt kế hoạch (có lỗi thể thức)")
    old, old_incoming = accepted_at_b(people, first["subject"])
    subject = "Công văn đính chính quyết định phê duyệt kế hoạch"
    issue_to_b(people, subject, related={"kind": "corrects", "id": first["id"]})
    waiting = waiting_at_b(people, subject)
    assert waiting["business_type"] == 0 and waiting["corrects_id"] == old["id"]
    assert waiting["replaces_id"] is None
    accepted, new_incoming = accepted_at_b(people, subject)
    assert new_incoming["related"] == {"kind": "corrects", "id": old_incoming["id"]}
    assert people["b:vanthu.stc"].get(f"/incoming/{old_incoming['id']}").json()[
        "replaced_by_id"] is None
    assert people["a:vanthu.stc"].get(f"/outgoing/{first['id']}").json()[
        "replaced_by_id"] is None


def test_a_replacement_of_a_document_still_waiting_marks_it_replaced_and_registers_alone(
        people):
    first = issue_to_b(people, "Thông báo lịch họp (chưa tiếp nhận, sẽ thay thế)")
    old = waiting_at_b(people, first["subject"])
    subject = "Thông báo lịch họp (thay thế, trước khi tiếp nhận)"
    issue_to_b(people, subject, related={"kind": "replaces", "id": first["id"]})
    clerk = people["b:vanthu.stc"]
    replaced = wait_until(lambda: (lambda r: r if r["state"] == "replaced" else None)(
        clerk.get(f"/exchange/received/{old['id']}").json()), seconds=30)
    assert replaced["incoming_id"] is None
    assert clerk.post(f"/exchange/received/{old['id']}/accept", json={}).status_code == 409
    _, new_incoming = accepted_at_b(people, subject)
    assert new_incoming["related"] is None     # nothing registered to link to


def hostile_packages(a_stc: str, b_stc: str) -> dict[str, bytes]:
    """Packages no honest system sends, each addressed from A's Sở Tài chính to B's."""
    namespace = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
    entities = "".join(f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10))
    header = '<?xml version="1.0" encoding="UTF-8"?>'
    status = ('<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLEnvelope '
              'xmlns:edXML="http://www.mic.gov.vn/TBT/QCVN_102_2016"><edXML:edXMLHeader>'
              '<edXML:MessageHeader><edXML:From><edXML:OrganId>{a}</edXML:OrganId>'
              '</edXML:From><edXML:ResponseFor><edXML:OrganId>{b}</edXML:OrganId>'
              '<edXML:Code>9/X</edXML:Code><edXML:DocumentId>{doc}</edXML:DocumentId>'
              '</edXML:ResponseFor><edXML:StatusCode>{code}</edXML:StatusCode>'
              '<edXML:Description>x</edXML:Description><edXML:Timestamp>2026/12/07 09:00:00'
              '</edXML:Timestamp></edXML:MessageHeader></edXML:edXMLHeader>'
              '</edXML:edXMLEnvelope></edXML>')
    return {
        "malformed": b"<edXML><unclosed>",
        "dtd": (header + '<!DOCTYPE edXML SYSTEM "http://example.invalid/x.dtd"><edXML/>'
                ).encode(),
        "external_entity": (header + '<!DOCTYPE edXML [<!ENTITY x SYSTEM '
                            '"file:///etc/passwd">]><edXML>&x;</edXML>').encode(),
        "billion_laughs": (f'<?xml version="1.0"?><!DOCTYPE edXML [<!ENTITY lol0 "lol">'
                           f'{entities}]><edXML xmlns="{namespace}">&lol9;</edXML>').encode(),
        "wrong_namespace": b'<EdXMLEnvelope xmlns="http://www.go.vn/eDoc"><MessageHeader/>'
                           b'</EdXMLEnvelope>',
        "unknown_status": status.format(a=a_stc, b=b_stc, doc=f"{b_stc},2026/12/01,9/X",
                                        code="14").encode(),
        "status_for_unknown_document": status.format(
            a=a_stc, b=b_stc, doc=f"{b_stc},2026/12/01,9/X", code="05").encode(),
    }


def test_hostile_packages_are_refused_with_their_reason_and_nothing_is_registered(
        people, federation):
    from services.exchange.axis_client import AxisClient
    from tests.federation import SECRET_A
    a_stc, b_stc = organ_of(PROVINCE_A, "STC").organ_id, organ_of(PROVINCE_B, "STC").organ_id
    axis = AxisClient(federation["axis"].url, f"eoffice-{PROVINCE_A}", SECRET_A)
    clerk = people["b:vanthu.stc"]
    before = clerk.get("/exchange/received", params={"state": "all"}).json()["total"]
    sent = {}
    for name, package in hostile_packages(a_stc, b_stc).items():
        kind = "status" if "status" in name else "edoc"
        sent[name] = axis.send_edoc(a_stc, [b_stc], kind, package)
    admin = Api(federation["b"].base_url, "admin")
    refused = wait_until(lambda: (lambda items: items if len(items) >= len(sent) else None)(
        admin.get("/exchange/packages", params={"outcome": "rejected",
                                                "page_size": 200}).json()["items"]),
        seconds=30)
    codes = {p["problem"]["code"] for p in refused}
    assert {"not_xml", "dtd_forbidden", "wrong_namespace", "unknown_status",
            "unknown_document"} <= codes, codes
    assert all(p["problem"]["vi"] and p["problem"]["en"] for p in refused)
    assert clerk.get("/exchange/received", params={"state": "all"}).json()["total"] == before
    assert clerk.get("/exchange/packages").status_code == 403      # administrators only


def test_a_package_whose_pdf_signature_is_broken_is_returned_with_the_reason(people,
                                                                             federation):
    subject = "Quyết định bị sửa sau khi ký"
    issued = issue_to_b(people, subject, digital=True)
    received = waiting_at_b(people, subject)
    assert received["state"] == "waiting"
    # a changed copy of the same signed PDF, sent as another document of A's
    from services.exchange.axis_client import AxisClient
    from services.exchange.edxml import model
    from services.exchange.edxml.build import build_edoc
    from services.exchange.edxml.parse import parse_package
    from tests.federation import SECRET_A
    a_stc, b_stc = organ_of(PROVINCE_A, "STC").organ_id, organ_of(PROVINCE_B, "STC").organ_id
    signed_pdf = people["a:vanthu.stc"].http.get(
        f"{people['a:vanthu.stc'].base}/files/{issued['signed_file_id']}/content",
        timeout=30).content
    tampered = signed_pdf.replace(b"phan bo", b"PHAN BO", 1) if b"phan bo" in signed_pdf \
        else signed_pdf[:2000] + bytes([signed_pdf[2000] ^ 1]) + signed_pdf[2001:]
    from datetime import date, datetime
    from zoneinfo import ZoneInfo
    edoc = model.Edoc(
        document_id=model.document_id_of(a_stc, date.today(), "999", "QĐ-STC"),
        sender=model.Organ(a_stc, "Sở Tài chính tỉnh Tây Ninh"),
        recipients=[model.Organ(b_stc, "Sở Tài chính tỉnh Nghệ An")], code_number="999",
        code_notation="QĐ-STC", promulgation_date=date.today(), type_name="Quyết định",
        subject="Văn bản có chữ ký bị phá", traces=[model.TraceHeader(
            a_stc, datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")))],
        attachments=[model.Attachment("c1", "qd.pdf", "application/pdf", tampered)])
    package = build_edoc(edoc)
    assert parse_package(package).subject == "Văn bản có chữ ký bị phá"
    AxisClient(federation["axis"].url, f"eoffice-{PROVINCE_A}", SECRET_A).send_edoc(
        a_stc, [b_stc], "edoc", package)
    clerk = people["b:vanthu.stc"]
    returned = wait_until(lambda: next(
        (r for r in clerk.get("/exchange/received", params={"state": "returned"}).json()[
            "items"] if r["fields"]["subject"] == "Văn bản có chữ ký bị phá"), None), seconds=45)
    assert returned["answered"] == ["01", "02"]
    assert "Chữ ký số" in returned["reason"]
    assert not any(i["subject"] == "Văn bản có chữ ký bị phá"
                   for i in clerk.get("/incoming").json()["items"])


def test_a_package_whose_own_xml_signature_is_broken_is_returned_with_the_reason(people,
                                                                                 federation):
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    from services.exchange.axis_client import AxisClient
    from services.exchange.edxml import model
    from services.exchange.edxml.build import build_edoc
    from services.exchange.edxml.signature import sign_package, verify_package
    from tests.federation import SECRET_A
    from tests.xml_signer import make_signer
    a_stc, b_stc = organ_of(PROVINCE_A, "STC").organ_id, organ_of(PROVINCE_B, "STC").organ_id
    now = datetime.now(ZoneInfo("Asia/Ho_Chi_Minh"))
    edoc = model.Edoc(
        document_id=model.document_id_of(a_stc, date.today(), "998", "CV-STC"),
        sender=model.Organ(a_stc, "Sở Tài chính tỉnh Tây Ninh"),
        recipients=[model.Organ(b_stc, "Sở Tài chính tỉnh Nghệ An")], code_number="998",
        code_notation="CV-STC", promulgation_date=date.today(), type_name="Công văn",
        subject="Công văn về kinh phí 100 triệu đồng", traces=[model.TraceHeader(a_stc, now)],
        attachments=[model.Attachment("c1", "cv.pdf", "application/pdf",
                                      make_document(signer_name=DIRECTOR))])
    signer = make_signer(now.replace(year=now.year - 1), now.replace(year=now.year + 1))
    signed = sign_package(build_edoc(edoc), signer.hsm, signer.der)
    forged = signed.replace("100 triệu".encode(), "900 triệu".encode(), 1)  # after signing
    assert verify_package(forged).status == "invalid"
    AxisClient(federation["axis"].url, f"eoffice-{PROVINCE_A}", SECRET_A).send_edoc(
        a_stc, [b_stc], "edoc", forged)
    clerk = people["b:vanthu.stc"]
    returned = wait_until(lambda: next(
        (r for r in clerk.get("/exchange/received", params={"state": "returned"}).json()[
            "items"] if r["document_id"] == edoc.document_id), None), seconds=45)
    assert returned["answered"] == ["01", "02"]
    assert returned["package_signature"]["status"] == "invalid"
    assert "KHÔNG hợp lệ" in returned["reason"]
    assert returned["files"] == []                                  # nothing stored from it
    assert not any(i["subject"] == "Công văn về kinh phí 900 triệu đồng"
                   for i in clerk.get("/incoming").json()["items"])


def test_the_receiving_exchange_killed_mid_receive_loses_nothing_and_registers_nothing_twice(
        people, federation):
    import signal
    b = federation["b"]
    subjects = [f"Công văn thử dừng đột ngột số {n}" for n in range(1, 4)]
    for subject in subjects:
        issue_to_b(people, subject)
    b.processes["exchange"].send_signal(signal.SIGKILL)        # kill -9, mid-receive
    b.processes["exchange"].wait(10)
    time.sleep(1)
    b.start_service("exchange")
    clerk = people["b:vanthu.stc"]
    for subject in subjects:
        waiting_at_b(people, subject)
    time.sleep(1.5)                                            # a few more polls
    items = clerk.get("/exchange/received", params={"page_size": 200}).json()["items"]
    for subject in subjects:
        assert sum(r["fields"]["subject"] == subject for r in items) == 1


def test_the_agency_directory_comes_from_the_axis_and_is_searched_without_diacritics(people):
    author = people["b:vanthu.stc"]
    a_stc = organ_of(PROVINCE_A, "STC")
    found = wait_until(lambda: author.get("/exchange/agencies", params={
        "q": "so tai chinh tinh tay ninh"}).json()["items"], seconds=30)
    assert [a["organ_id"] for a in found] == [a_stc.organ_id]
    assert author.get("/exchange/agencies", params={"q": a_stc.organ_id[:9]}).json()["total"] >= 1
    agency = author.get(f"/exchange/agencies/{a_stc.organ_id}").json()
    assert agency["name"] == a_stc.name and agency["history"][0]["change"] == "created"


def update_at_b(people, received, subject):
    """The update of ``received``'s document waiting at B's văn thư (an edoc of type 2)."""
    clerk = people["b:vanthu.stc"]
    return wait_until(lambda: next((r for r in clerk.get("/exchange/received", params={
        "state": "requests"}).json().get("items", []) if r["business_type"] == 2
        and r["document_id"] == received["document_id"]
        and r["fields"]["changes"].get("subject") == subject), None), seconds=30)


def update_answers_at_a(people, document_id, count):
    (delivery,) = people["a:vanthu.stc"].get(
        f"/outgoing/{document_id}/deliveries").json()["items"]
    answers = [u["answer"] for u in delivery.get("updates") or [] if u["answer"]]
    return answers if len(answers) >= count else None


def test_an_update_agreed_by_the_receiving_clerk_changes_its_document_and_a_refused_one_tells_why(  # noqa: E501
        people):
    from datetime import timedelta

    from tests.clock import vietnam_today
    subject = "Quyết định giao chỉ tiêu thu ngân sách (sẽ cập nhật)"
    later = (vietnam_today() + timedelta(days=40)).isoformat()
    issued = issue_to_b(people, subject)
    received = waiting_at_b(people, subject)
    clerk, sender = people["b:vanthu.stc"], people["a:vanthu.stc"]
    accepted = clerk.post(f"/exchange/received/{received['id']}/accept", json={})
    assert accepted.status_code == 200, accepted.text
    incoming_id = accepted.json()["incoming_id"]

    new_subject = subject.replace("(sẽ cập nhật)", "(đã điều chỉnh hạn)")
    updated = step(sender, issued["id"], "update", reason="Điều chỉnh hạn báo cáo",
                   changes={"subject": new_subject, "due_date": later})
    assert updated.status_code == 200, updated.text
    asked = update_at_b(people, received, new_subject)
    assert asked["state"] == "waiting" and asked["request"] == "update"
    assert asked["fields"]["business_reason"] == "Điều chỉnh hạn báo cáo"
    assert asked["fields"]["changes"]["due_date"] == later
    assert clerk.get(f"/incoming/{incoming_id}").json()["subject"] == subject   # not by itself
    assert clerk.post(f"/exchange/received/{asked['id']}/accept",
                      json={}).status_code == 409             # an update is answered, not taken
    assert people["b:chuyenvien.stc"].post(f"/exchange/received/{asked['id']}/change-answer",
                                           json={"agree": True}).status_code == 403
    agreed = clerk.post(f"/exchange/received/{asked['id']}/change-answer", json={"agree": True})
    assert agreed.status_code == 200, agreed.text
    assert agreed.json()["state"] == "accepted" and agreed.json()["request"] is None
    changed = clerk.get(f"/incoming/{incoming_id}").json()
    assert changed["subject"] == new_subject and changed["due_date"] == later
    assert clerk.post(f"/exchange/received/{asked['id']}/change-answer",
                      json={"agree": True}).status_code == 409          # answered once
    (answer,) = wait_until(lambda: update_answers_at_a(people, issued["id"], 1), seconds=30)
    assert answer["code"] == "15"

    second = step(sender, issued["id"], "update", reason="Đổi độ khẩn",
                  changes={"subject": new_subject + " lần 2", "urgency": "flash"})
    assert second.status_code == 200, second.text
    asked_again = update_at_b(people, received, new_subject + " lần 2")
    assert asked_again["id"] != asked["id"]                    # a second update, its own
    assert clerk.post(f"/exchange/received/{asked_again['id']}/change-answer",
                      json={"agree": False}).status_code == 400  # refusing needs a reason
    refused = clerk.post(f"/exchange/received/{asked_again['id']}/change-answer",
                         json={"agree": False, "reason": "Độ khẩn không thay đổi"})
    assert refused.status_code == 200, refused.text
    assert refused.json()["state"] == "returned"
    assert clerk.get(f"/incoming/{incoming_id}").json()["urgency"] != "flash"
    answers = wait_until(lambda: update_answers_at_a(people, issued["id"], 2), seconds=30)
    assert [a["code"] for a in answers] == ["15", "16"]
    assert answers[1]["description"] == "Độ khẩn không thay đổi"
    codes, delivery = codes_at_a(people, issued["id"])
    assert codes[:2] == ["01", "03"] and delivery["latest_code"] == "03"
    assert delivery["frozen"] is False
