"""The exchange service's rules without the service: an issued document becomes the edoc
of each external recipient (and reads back as the incoming document's fields), what goes
to the axis is queued once and claimed by one replica, and what comes from it is kept once,
applied once and answered once (services/exchange: translate, sending, receiving)."""
from __future__ import annotations

import threading
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from services.common.db import WAKE_TIMERS
from services.exchange import receiving, sending, translate
from services.exchange.edxml import model
from services.exchange.edxml.build import build_edoc, build_status
from services.exchange.edxml.parse import parse_package
from services.exchange.models import (PENDING, RECALLED, WAITING, AxisMessage, Delivery,
                                      ReceivedDocument)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=VN)
A_STC, B_STC = "000.00.11.H53", "VN.40.S03"


def issued(**changes) -> dict:
    """The data of documents' document_issued for a decision of Sở Tài chính Tây Ninh."""
    data = {"id": "out-1", "unit_id": "unit-a", "issuer": {"organ_id": A_STC,
                                                           "name": "Sở Tài chính tỉnh Tây Ninh"},
            "code_number": "15", "code_notation": "QĐ-STC", "issued_date": "2026-12-07",
            "document_type": "QĐ", "document_type_name": "Quyết định",
            "subject": "Quyết định phân bổ kinh phí", "urgency": "very_urgent",
            "due_date": "2026-12-20", "page_amount": 2, "issued_amount": 3,
            "signer": {"position": "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC", "full_name": "Võ Văn Hùng"},
            "signed_file_id": "file-signed", "signed_attachment_ids": ["file-annex"],
            "file_ids": ["file-draft"],
            "recipients": [
                {"unit_id": "unit-b", "organ_id": None, "name": "Sở Nội vụ",
                 "delivery": "internal"},
                {"unit_id": None, "organ_id": B_STC, "name": "Sở Tài chính tỉnh Nghệ An",
                 "delivery": "exchange"},
                {"unit_id": None, "organ_id": None, "name": "Báo Tây Ninh",
                 "delivery": "paper"}]}
    return data | changes


def attachments():
    return [model.Attachment(content_id="c1", name="quyet-dinh.ky-so.pdf",
                             content_type="application/pdf", data=b"%PDF-1.7 signed"),
            model.Attachment(content_id="c2", name="phu-luc.ky-so.pdf",
                             content_type="application/pdf", data=b"%PDF-1.7 annex")]


# ---------------------------------------------------------------- translation

def test_an_issued_document_becomes_an_edoc_that_reads_back_as_the_incoming_documents_fields():
    recipient = {"organ_id": B_STC, "name": "Sở Tài chính tỉnh Nghệ An"}
    edoc = translate.edoc_of_issued(issued(), recipient, attachments(), NOW)
    parsed = parse_package(build_edoc(edoc))

    assert parsed.document_id == f"{A_STC},2026/12/07,15/QĐ-STC"
    assert [r.organ_id for r in parsed.recipients] == [B_STC]
    assert parsed.priority == 2 and parsed.signer_competence == "KT."
    assert parsed.to_places == ["Sở Nội vụ", "Sở Tài chính tỉnh Nghệ An", "Báo Tây Ninh"]
    assert [a.name for a in parsed.attachments] == ["quyet-dinh.ky-so.pdf",
                                                     "phu-luc.ky-so.pdf"]
    assert parsed.appendixes == ["phu-luc.ky-so.pdf"]
    fields = translate.register_fields(parsed, today=date(2026, 12, 8))
    assert fields == {
        "code_number": "15", "code_notation": "QĐ-STC", "issued_date": "2026-12-07",
        "issuer": {"organ_id": A_STC, "name": "Sở Tài chính tỉnh Tây Ninh"},
        "document_type": "QĐ", "subject": "Quyết định phân bổ kinh phí",
        "urgency": "very_urgent", "due_date": "2026-12-20", "page_amount": 2,
        "signer": {"position": "KT. GIÁM ĐỐC PHÓ GIÁM ĐỐC", "full_name": "Võ Văn Hùng"},
        "to_places": "Sở Nội vụ; Sở Tài chính tỉnh Nghệ An; Báo Tây Ninh"}


def test_fields_the_register_would_refuse_are_left_for_the_clerk_rather_than_guessed():
    edoc = translate.edoc_of_issued(issued(due_date="2026-12-01"),
                                    {"organ_id": B_STC, "name": "x"}, attachments(), NOW)
    fields = translate.register_fields(parse_package(build_edoc(edoc)),
                                       today=date(2026, 12, 5))
    assert fields["issued_date"] is None            # after "today" at the receiver
    assert fields["due_date"] is None               # already passed


@pytest.mark.parametrize("type_name, notation, expected", [
    ("Công văn", "STC-BCTC", "CV"), ("Cong van", "STC-BCTC", "CV"),
    ("QUYẾT ĐỊNH", "QĐ-UBND", "QĐ"), ("", "TB-VPCP", "TB"), ("Văn bản khác", "UBND-KT", "CV"),
    ("Tờ trình", "", "TTr")])
def test_a_received_type_is_read_by_its_name_then_by_its_notation(type_name, notation,
                                                                   expected):
    assert translate.document_type_of(type_name, notation) == expected


def test_a_send_the_axis_did_not_take_waits_longer_each_time_up_to_ten_minutes():
    waits = [translate.retry_after(n).total_seconds() for n in range(1, 12)]
    assert waits[:4] == [5, 10, 20, 40]
    assert waits == sorted(waits) and max(waits) == 600


def test_the_first_wait_is_a_setting_and_still_doubles_up_to_ten_minutes():
    waits = [translate.retry_after(n, first_seconds=1).total_seconds() for n in range(1, 14)]
    assert waits[:5] == [1, 2, 4, 8, 16] and max(waits) == 600


# ---------------------------------------------------------------- sending

def test_only_recipients_by_exchange_get_a_delivery_and_an_edoc_and_only_once(db):
    with db.transaction() as session:
        made = sending.queue_deliveries(session, issued(), NOW)
        again = sending.queue_deliveries(session, issued(), NOW)
    assert [d.organ_id for d in made] == [B_STC] and again == []
    with db.read() as session:
        (message,) = session.execute(select(AxisMessage)).scalars().all()
        (delivery,) = session.execute(select(Delivery)).scalars().all()
    assert message.key == f"edoc:{A_STC},2026/12/07,15/QĐ-STC:{B_STC}"
    assert (message.kind, message.state, message.to_organ_id) == ("edoc", PENDING, B_STC)
    assert delivery.state == PENDING and delivery.edoc_document_id.endswith("15/QĐ-STC")


def test_a_status_for_a_document_and_agency_is_queued_once(db):
    with db.transaction() as session:
        first = sending.queue_status(session, document_id="D", from_organ_id=B_STC,
                                     to_organ_id=A_STC, code="01", spec={}, now=NOW)
        twice = sending.queue_status(session, document_id="D", from_organ_id=B_STC,
                                     to_organ_id=A_STC, code="01", spec={}, now=NOW)
        other = sending.queue_status(session, document_id="D", from_organ_id=B_STC,
                                     to_organ_id=A_STC, code="03", spec={}, now=NOW)
    assert (first, twice, other) == (True, False, True)


def test_every_message_queued_for_the_axis_wakes_the_send_timer_once_committed(db):
    """The timer sends at once what was queued (sending.SEND_TIMER); its interval only
    paces retries."""
    with db.transaction() as session:
        sending.queue_deliveries(session, issued(), NOW)
        assert session.info[WAKE_TIMERS] == {sending.SEND_TIMER}
    with db.transaction() as session:
        sending.queue_status(session, document_id="D", from_organ_id=B_STC,
                             to_organ_id=A_STC, code="01", spec={}, now=NOW)
        assert session.info[WAKE_TIMERS] == {sending.SEND_TIMER}
    with db.transaction() as session:
        message = session.execute(select(AxisMessage)).scalars().first()
        sending.due_again(session, message, NOW)
        assert session.info[WAKE_TIMERS] == {sending.SEND_TIMER}
    with db.transaction() as session:     # nothing new to send: no wake
        sending.queue_status(session, document_id="D", from_organ_id=B_STC,
                             to_organ_id=A_STC, code="01", spec={}, now=NOW)
        assert WAKE_TIMERS not in session.info


def test_two_replicas_claiming_at_once_never_take_the_same_message(db):
    with db.transaction() as session:
        for n in range(12):
            sending.queue_status(session, document_id=f"D{n}", from_organ_id=B_STC,
                                 to_organ_id=A_STC, code="01", spec={}, now=NOW)
    claims = []
    threads = [threading.Thread(target=lambda: claims.append(sending.claim_due(db, NOW)))
               for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    taken = [m for claim in claims for m in claim]
    assert len(taken) == len(set(taken)) == 12
    assert sending.claim_due(db, NOW + timedelta(seconds=60)) == []   # still claimed
    assert len(sending.claim_due(db, NOW + timedelta(seconds=sending.CLAIM_SECONDS))) == 12


def test_a_failed_send_is_retried_later_and_a_refused_one_waits_for_a_person(db):
    with db.transaction() as session:
        sending.queue_deliveries(session, issued(), NOW)
    with db.transaction() as session:
        message = session.execute(select(AxisMessage)).scalar_one()
        sending.mark_retry(session, message, {"code": "axis_unavailable"}, NOW)
        assert message.state == PENDING and message.next_attempt_at == NOW + timedelta(
            seconds=5)
        delivery = session.get(Delivery, message.delivery_id)
        assert delivery.state == PENDING and delivery.error["retrying"] is True
        sending.mark_failed(session, message, {"code": "axis_refused"}, NOW)
        assert (message.state, delivery.state) == ("failed", "failed")
        sending.mark_sent(session, message, "axis-1", NOW)
        assert (message.state, delivery.state, delivery.error) == ("sent", "sent", None)


# ---------------------------------------------------------------- receiving

def edoc_for_b(**business) -> model.Edoc:
    recipient = {"organ_id": B_STC, "name": "Sở Tài chính tỉnh Nghệ An"}
    edoc = parse_package(build_edoc(translate.edoc_of_issued(issued(), recipient,
                                                             attachments(), NOW)))
    if business:
        from dataclasses import replace
        edoc = replace(edoc, business=replace(edoc.business, **business))
    return edoc


def receive(db, edoc, unit={"id": "unit-b-stc"}, package_id="p1"):
    with db.transaction() as session:
        return receiving.receive_edoc(
            session, edoc, to_organ_id=B_STC, unit=unit, package_id=package_id, files=[],
            package_signature={"status": "valid"}, today=date(2026, 12, 7), now=NOW)


def test_a_package_given_twice_by_the_axis_is_kept_once(db):
    with db.transaction() as session:
        kept = [receiving.keep(session, axis_doc_id="ax-1", message_type="edoc",
                               from_organ_id=A_STC, to_organ_id=B_STC, payload=b"<x/>",
                               now=NOW) for _ in range(2)]
    assert kept == [True, False]


def test_an_edoc_waits_for_the_clerk_and_arrival_is_answered_once_even_if_it_comes_again(db):
    first = receive(db, edoc_for_b())
    again = receive(db, edoc_for_b(), package_id="p2")
    assert first.outcome == again.outcome == "done" and first.received_id == again.received_id
    with db.read() as session:
        received = session.get(ReceivedDocument, first.received_id)
        (status,) = session.execute(select(AxisMessage)).scalars().all()
    assert received.state == WAITING and received.answered == ["01"]
    assert received.fields["subject"] == "Quyết định phân bổ kinh phí"
    assert (status.kind, status.to_organ_id, status.spec["code"]) == ("status", A_STC, "01")
    package = sending.build_status_package(status.spec, model.Organ(B_STC, "Sở Tài chính"),
                                           NOW, None)
    answer = parse_package(package)
    assert answer.code == "01" and answer.response_for.document_id == received.edoc_document_id
    assert answer.response_for.code == "15/QĐ-STC"


def test_an_edoc_for_an_agency_that_is_not_ours_is_refused_with_the_reason(db):
    outcome = receive(db, edoc_for_b(), unit=None)
    assert outcome.outcome == "rejected" and outcome.problem["code"] == "wrong_recipient"
    assert B_STC in outcome.problem["vi"]


def test_statuses_join_the_delivery_in_order_once_and_a_stranger_status_is_refused(db):
    with db.transaction() as session:
        (delivery,) = sending.queue_deliveries(session, issued(), NOW)
        document_id = delivery.edoc_document_id

    def status(code, minute, sender=B_STC, document=document_id):
        return parse_package(build_status(translate.status_package(
            code, original={"document_id": document, "organ_id": A_STC, "code": "15/QĐ-STC",
                            "promulgation_date": "2026-12-07"},
            sender=model.Organ(sender, "Sở Tài chính tỉnh Nghệ An"), description="",
            now=NOW + timedelta(minutes=minute))))

    with db.transaction() as session:
        outcomes = [receiving.apply_status(session, status(code, n), NOW).outcome
                    for n, code in enumerate(("01", "03", "03", "04"))]
        repeated = receiving.apply_status(session, status("03", 1), NOW)
        stranger = receiving.apply_status(session, status("05", 9, sender="000.00.00.G22"),
                                          NOW)
        unknown = receiving.apply_status(session, status("05", 9, document="X,2026/01/01,1/A"),
                                         NOW)
    assert outcomes == ["done"] * 4 and repeated.outcome == "done"
    assert stranger.outcome == unknown.outcome == "rejected"
    with db.read() as session:
        delivery = session.get(Delivery, delivery.id)
    assert [s["code"] for s in delivery.statuses] == ["01", "03", "03", "04"]
    assert delivery.latest_code == "04" and not delivery.frozen


def test_a_recall_request_marks_every_copy_received_and_an_agreed_recall_freezes_the_sender(db):
    outcome = receive(db, edoc_for_b())
    with db.transaction() as session:
        asked = receiving.request_recall(session, outcome.received_id and
                                         session.get(ReceivedDocument, outcome.received_id)
                                         .edoc_document_id, A_STC, "Sai thẩm quyền", NOW)
        never = receiving.request_recall(session, "X,2026/01/01,1/A", A_STC, "", NOW)
    assert asked.outcome == "done" and never.outcome == "rejected"
    with db.read() as session:
        received = session.get(ReceivedDocument, outcome.received_id)
    assert received.recall_request["reason"] == "Sai thẩm quyền"
    assert received.state != RECALLED          # the văn thư answers first (15 or 16)

    with db.transaction() as session:
        (delivery,) = sending.queue_deliveries(session, issued(id="out-2"), NOW)
        delivery.recall = {"reason": "Sai thẩm quyền", "asked_at": NOW.isoformat()}
        agreed = parse_package(build_status(translate.status_package(
            "15", original={"document_id": delivery.edoc_document_id, "organ_id": A_STC,
                            "code": "15/QĐ-STC", "promulgation_date": "2026-12-07"},
            sender=model.Organ(B_STC, "Sở Tài chính"), description="", now=NOW)))
        receiving.apply_status(session, agreed, NOW)
        assert delivery.frozen is True


# ---------------------------------------------------------------- the agency directory

def test_the_directory_keeps_what_the_axis_says_with_each_change_in_its_history(db):
    from services.exchange import directory
    from services.exchange.axis_client import Agency
    later = NOW + timedelta(hours=1)
    with db.transaction() as session:
        first = directory.apply_agencies(session, [
            Agency("000.00.00.G22", "Văn phòng Chính phủ", changed_at=NOW),
            Agency("H01.151.01", "Văn phòng HĐND và UBND xã Mỹ Hòa Hưng", "H01.151",
                   changed_at=NOW),
            Agency("A" * 35, "Cơ quan có mã định danh dài", changed_at=NOW)], NOW)
        again = directory.apply_agencies(session, [
            Agency("000.00.00.G22", "Văn phòng Chính phủ", changed_at=NOW)], NOW)
        changed = directory.apply_agencies(session, [
            Agency("000.00.00.G22", "Văn phòng Chính phủ (mới)", changed_at=later),
            Agency("H01.151.01", "x", "H01.151", deleted=True, changed_at=later)], later)
    assert first == {"created": 3, "changed": 0, "deleted": 0}
    assert again == {"created": 0, "changed": 0, "deleted": 0}
    assert changed == {"created": 0, "changed": 1, "deleted": 1}
    with db.read() as session:
        assert directory.last_change(session) == later
        total, found = directory.search(session, "van phong chinh", 1, 20)
        assert total == 1 and found[0]["name"] == "Văn phòng Chính phủ (mới)"
        assert directory.search(session, "h01.151", 1, 20)[0] == 0      # removed
        assert directory.search(session, "AAAA", 1, 20)[1][0]["organ_id"] == "A" * 35
        assert [c["change"] for c in directory.history(session, "000.00.00.G22")] == [
            "created", "renamed"]
        assert [c["change"] for c in directory.history(session, "H01.151.01")] == [
            "created", "deleted"]
