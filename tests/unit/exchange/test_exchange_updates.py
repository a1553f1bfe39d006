"""Updates (cập nhật, BussinessDocType 2) through the exchange without the service: an
update becomes an edoc of type 2 with its flags that parses back, goes to every agency
the document went to except one that agreed to its recall, once per update; the agency's
15 or 16 is the update's answer unless a recall waits; a received update waits for the
văn thư (never applied by itself), two updates of one document are two requests, and its
answer goes back under a key of its own (services/exchange: translate, sending,
receiving)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from services.common import events
from services.exchange import receiving, sending, translate
from services.exchange.edxml import model
from services.exchange.edxml.build import build_status
from services.exchange.edxml.parse import parse_package
from services.exchange.models import (EDOC, WAITING, AxisMessage, Delivery, ReceivedDocument,
                                      outbox)
from tests.unit.exchange.test_exchange_rules import A_STC, B_STC, NOW, issued

B_RECIPIENT = {"organ_id": B_STC, "name": "Sở Tài chính tỉnh Nghệ An"}


def updated(number=1, **changes) -> dict:
    """The data of documents' outgoing_updated for the decision of test_exchange_rules."""
    changes = changes or {"subject": "Quyết định phân bổ kinh phí (sửa đổi)",
                          "due_date": "2026-12-28"}
    return {"id": "out-1", "unit_id": "unit-a", "number": number, "changes": changes,
            "before": {}, "reason": "Sai hạn trả lời", "updated_by": "u-1",
            "at": NOW.isoformat(), "document": issued(**changes)}


def status(code, document_id, minute=0, description=""):
    return parse_package(build_status(translate.status_package(
        code, original={"document_id": document_id, "organ_id": A_STC, "code": "15/QĐ-STC",
                        "promulgation_date": "2026-12-07"},
        sender=model.Organ(B_STC, "Sở Tài chính tỉnh Nghệ An"), description=description,
        now=NOW + timedelta(minutes=minute))))


def update_edoc(number=1, **changes) -> tuple[bytes, model.Edoc]:
    data = updated(number, **changes)
    package = sending.build_edoc_package(
        {"document": data["document"], "unit_id": "unit-a", "update": {
            "number": number, "changes": data["changes"], "reason": data["reason"]}},
        B_RECIPIENT, read_file=None, now=NOW + timedelta(minutes=number), staff=None)
    return package, parse_package(package)


def receive_kept(db, package: bytes, edoc, axis_id: str):  # noqa: F811
    with db.transaction() as session:
        receiving.keep(session, axis_doc_id=axis_id, message_type="edoc",
                       from_organ_id=A_STC, to_organ_id=B_STC, payload=package, now=NOW)
        kept = session.execute(select(receiving.ReceivedPackage).where(
            receiving.ReceivedPackage.axis_doc_id == axis_id)).scalar_one()
        return receiving.receive_edoc(
            session, edoc, to_organ_id=B_STC, unit={"id": "unit-b-stc"}, package_id=kept.id,
            files=[], package_signature={"status": "valid"}, today=date(2026, 12, 7),
            now=NOW)


def test_an_update_is_an_edoc_of_type_2_with_its_flags_no_file_and_the_new_particulars():
    _, parsed = update_edoc()
    assert parsed.business.doc_type == model.UPDATE
    assert parsed.business.reason == "Sai hạn trả lời"
    assert parsed.business.document_info_changed is True
    assert parsed.business.receivers_changed is False
    assert parsed.business.document_id == parsed.document_id == f"{A_STC},2026/12/07,15/QĐ-STC"
    assert parsed.attachments == []
    assert translate.update_changes(parsed, date(2026, 12, 7)) == {
        "subject": "Quyết định phân bổ kinh phí (sửa đổi)", "due_date": "2026-12-28",
        "urgency": "very_urgent", "page_amount": 2}


def test_an_update_goes_once_to_each_agency_but_not_to_one_that_agreed_to_a_recall(db):  # noqa: F811
    with db.transaction() as session:
        (delivery,) = sending.queue_deliveries(session, issued(), NOW)
        (other,) = sending.queue_deliveries(session, issued(recipients=[{
            "unit_id": None, "organ_id": "000.00.00.G22", "name": "Văn phòng Chính phủ",
            "delivery": "exchange"}]), NOW)
        other.frozen = True
        first = sending.queue_updates(session, updated(), NOW)
        again = sending.queue_updates(session, updated(), NOW)
        second = sending.queue_updates(session, updated(2, urgency="flash"), NOW)
    assert (first, again, second) == (1, 0, 1)
    with db.read() as session:
        keys = sorted(m.key for m in session.execute(select(AxisMessage).where(
            AxisMessage.kind == EDOC)).scalars())
        delivery = session.get(Delivery, delivery.id)
    document_id = delivery.edoc_document_id
    assert keys == sorted([f"edoc:{document_id}:{B_STC}", f"edoc:{document_id}:{B_STC}:update:1",
                           f"edoc:{document_id}:{B_STC}:update:2",
                           f"edoc:{document_id}:000.00.00.G22"])
    assert [(u["number"], u["state"], u["answer"]) for u in delivery.updates] == \
        [(1, "pending", None), (2, "pending", None)]
    assert sending.delivery_out(delivery)["updates"][1]["changes"] == {"urgency": "flash"}


def test_a_sent_update_is_marked_on_its_delivery_and_not_on_the_documents_own_edoc(db):  # noqa: F811
    with db.transaction() as session:
        (delivery,) = sending.queue_deliveries(session, issued(), NOW)
        sending.queue_updates(session, updated(), NOW)
        message = session.execute(select(AxisMessage).where(
            AxisMessage.key.like("%:update:1"))).scalar_one()
        assert message.delivery_id is None and message.spec["delivery_id"] == delivery.id
        sending.mark_sent(session, message, "ax-9", NOW)
    with db.read() as session:
        delivery = session.get(Delivery, delivery.id)
    assert delivery.updates[0]["state"] == "sent" and delivery.state == "pending"


def test_a_15_or_16_answers_the_oldest_update_unless_a_recall_waits(db):  # noqa: F811
    with db.transaction() as session:
        (delivery,) = sending.queue_deliveries(session, issued(), NOW)
        sending.queue_updates(session, updated(), NOW)
        sending.queue_updates(session, updated(2, urgency="flash"), NOW)
        document_id = delivery.edoc_document_id
        receiving.apply_status(session, status("03", document_id, 1), NOW)
        receiving.apply_status(session, status("15", document_id, 2), NOW)
        receiving.apply_status(session, status("16", document_id, 3, "Không đúng"), NOW)
        assert [u["answer"]["code"] for u in delivery.updates] == ["15", "16"]
        assert delivery.updates[1]["answer"]["description"] == "Không đúng"
        assert delivery.latest_code == "03" and not delivery.frozen

        sending.queue_updates(session, updated(3, urgency="normal"), NOW)
        delivery.recall = {"reason": "Sai thẩm quyền", "asked_at": NOW.isoformat()}
        receiving.apply_status(session, status("16", document_id, 4, "Đã xử lý"), NOW)
        assert delivery.recall["answer"]["code"] == "16"
        assert delivery.updates[2]["answer"] is None      # the recall's answer, not this
        receiving.apply_status(session, status("15", document_id, 5), NOW)
        assert delivery.updates[2]["answer"]["code"] == "15" and not delivery.frozen


def test_a_received_update_waits_for_the_clerk_two_updates_are_two_and_a_resend_is_one(db):  # noqa: F811
    first_package, first = update_edoc()
    second_package, second = update_edoc(2, urgency="flash")
    outcomes = [receive_kept(db, first_package, first, "ax-1"),
                receive_kept(db, first_package, first, "ax-1b"),     # the sender's retry
                receive_kept(db, second_package, second, "ax-2")]
    assert outcomes[0].received_id == outcomes[1].received_id != outcomes[2].received_id
    with db.read() as session:
        rows = session.execute(select(ReceivedDocument)).scalars().all()
        statuses = session.execute(select(AxisMessage)).scalars().all()
        told = [e for e in session.execute(select(outbox)).mappings()]
    assert [(r.business_type, r.state) for r in rows] == [(2, WAITING), (2, WAITING)]
    assert all(receiving.request_of(r) == "update" for r in rows)
    assert rows[0].fields["changes"]["subject"] == "Quyết định phân bổ kinh phí (sửa đổi)"
    assert statuses == []          # no 01 for an update: its answer is 15 or 16
    assert [e["event_type"] for e in told] == [events.RECEIVED_CHANGE_REQUESTED] * 2


def test_each_updates_answer_goes_back_under_a_key_of_its_own(db):  # noqa: F811
    first_package, first = update_edoc()
    second_package, second = update_edoc(2, urgency="flash")
    ids = [receive_kept(db, first_package, first, "ax-1").received_id,
           receive_kept(db, second_package, second, "ax-2").received_id]
    with db.transaction() as session:
        for received_id in ids:
            received = session.get(ReceivedDocument, received_id)
            assert receiving.answer(session, received, "15", NOW) is True
            assert receiving.answer(session, received, "15", NOW) is False   # once
    with db.read() as session:
        keys = sorted(m.key for m in session.execute(select(AxisMessage)).scalars())
    assert len(keys) == 2 and all(":update:" in k for k in keys)


def test_a_recall_asks_every_copy_but_an_update_and_tells_the_clerk(db):  # noqa: F811
    from tests.unit.exchange.test_exchange_rules import edoc_for_b, receive
    original = receive(db, edoc_for_b())
    package, update = update_edoc()
    receive_kept(db, package, update, "ax-1")
    with db.transaction() as session:
        receiving.request_recall(session, update.document_id, A_STC, "Sai thẩm quyền", NOW)
    with db.read() as session:
        rows = {r.business_type: r for r in session.execute(select(ReceivedDocument)).scalars()}
        told = [e for e in session.execute(select(outbox)).mappings()]
    assert rows[0].id == original.received_id and receiving.request_of(rows[0]) == "recall"
    assert rows[2].recall_request is None
    data = [e["payload"]["data"] for e in told]
    assert [d["kind"] for d in data] == ["update", "recall"]
    assert data[1]["reason"] == "Sai thẩm quyền" and data[1]["code"] == "15/QĐ-STC"
    assert data[1]["id"] == original.received_id and data[1]["unit_id"] == "unit-b-stc"


def test_an_agreed_update_sets_the_particulars_of_an_original_still_waiting():
    fields = {"subject": "Cũ", "urgency": "normal", "code_number": "15"}
    assert receiving.fields_updated(fields, {"subject": "Mới", "code_number": "99"}) == {
        "subject": "Mới", "urgency": "normal", "code_number": "15"}
