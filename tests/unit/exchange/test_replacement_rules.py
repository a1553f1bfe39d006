"""Replacement (thay thế, BussinessDocType 3) and correction (đính chính: a new document
whose ResponseFor names the corrected one) between agencies (DOMAIN.md §2.8): the edoc
built for each parses back naming the earlier document, and the receiver links what it
receives to what it received before from the same sender."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from zoneinfo import ZoneInfo


from services.exchange import receiving, translate
from services.exchange.edxml import model
from services.exchange.edxml.build import build_edoc
from services.exchange.edxml.parse import parse_package
from services.exchange.models import (ACCEPTED, REPLACED, WAITING, ReceivedDocument)

VN = ZoneInfo("Asia/Ho_Chi_Minh")
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=VN)
A_STC, B_STC, OTHER = "000.00.11.H53", "VN.40.S03", "000.00.99.H01"
B = {"organ_id": B_STC, "name": "Sở Tài chính tỉnh Nghệ An"}
OLD_ID = f"{A_STC},2026/12/01,12/QĐ-STC"


def issued(number="15", related=None, recipients=None) -> dict:
    """documents' document_issued for a decision of Sở Tài chính Tây Ninh to B (and C)."""
    return {"id": f"out-{number}", "unit_id": "unit-a",
            "issuer": {"organ_id": A_STC, "name": "Sở Tài chính tỉnh Tây Ninh"},
            "code_number": number, "code_notation": "QĐ-STC", "issued_date": "2026-12-07",
            "document_type": "QD", "subject": f"Quyết định số {number}",
            "recipients": recipients or [B | {"unit_id": None, "delivery": "exchange"}],
            "related": related}


def earlier(kind: str) -> dict:
    return {"kind": kind, "id": "out-12", "code_number": "12", "code_notation": "QĐ-STC",
            "issued_date": "2026-12-01", "organ_id": A_STC}


def sent(document: dict) -> model.Edoc:
    return parse_package(build_edoc(translate.edoc_of_issued(document, B, [], NOW)))


def test_a_replacement_goes_as_type_3_naming_the_replaced_document_and_the_agencies():
    recipients = [B | {"unit_id": None, "delivery": "exchange"},
                  {"unit_id": None, "organ_id": OTHER, "name": "C", "delivery": "exchange"},
                  {"unit_id": "unit-x", "organ_id": None, "name": "Nội bộ",
                   "delivery": "internal"}]
    edoc = sent(issued(related=earlier("replaces"), recipients=recipients))
    assert edoc.business.doc_type == model.REPLACE
    assert edoc.business.replacements == [model.Replacement(OLD_ID, [B_STC, OTHER])]
    assert "12/QĐ-STC" in edoc.business.reason
    assert edoc.document_id == f"{A_STC},2026/12/07,15/QĐ-STC" and edoc.response_for == []


def test_a_correction_goes_as_a_new_document_whose_response_for_names_the_corrected_one():
    edoc = sent(issued(related=earlier("corrects")))
    assert edoc.business.doc_type == model.NEW and edoc.business.replacements == []
    assert edoc.response_for == [model.ResponseFor(
        organ_id=A_STC, code="12/QĐ-STC", promulgation_date=date(2026, 12, 1),
        document_id=OLD_ID)]


def test_a_document_without_a_relation_stays_a_plain_new_document():
    edoc = sent(issued())
    assert edoc.business.doc_type == model.NEW and edoc.response_for == []


def receive(db, edoc, package_id):
    with db.transaction() as session:
        return receiving.receive_edoc(
            session, edoc, to_organ_id=B_STC, unit={"id": "unit-b-stc"},
            package_id=package_id, files=[], package_signature={"status": "valid"},
            today=date(2026, 12, 7), now=NOW).received_id


def old_one(db, state=WAITING, sender=A_STC):
    """The earlier document as B received it (12/QĐ-STC), in ``state``."""
    edoc = replace(sent(issued(number="12")), document_id=OLD_ID,
                   sender=model.Organ(sender, "Sở"))
    received_id = receive(db, edoc, "p-old")
    with db.transaction() as session:
        row = session.get(ReceivedDocument, received_id)
        row.state = state
        row.incoming_id = "incoming-old" if state == ACCEPTED else None
    return received_id


def test_a_replacement_received_names_the_old_one_and_a_waiting_old_one_is_marked_replaced(db):
    old_id = old_one(db)
    new_id = receive(db, sent(issued(related=earlier("replaces"))), "p-new")
    with db.read() as session:
        new, old = session.get(ReceivedDocument, new_id), session.get(ReceivedDocument, old_id)
        assert new.replaces_id == old_id and new.state == WAITING
        assert old.state == REPLACED
        # nothing to link in documents: the old one was never registered
        assert receiving.related_for_registration(session, new) is None
        assert receiving.earlier_out(session, new)["code"] == "12/QĐ-STC"


def test_an_accepted_old_one_is_linked_when_the_replacement_or_correction_is_registered(db):
    old_one(db, state=ACCEPTED)
    replacing = receive(db, sent(issued(related=earlier("replaces"))), "p-3")
    correcting = receive(db, sent(issued(number="16", related=earlier("corrects"))), "p-0")
    with db.read() as session:
        assert session.get(ReceivedDocument, replacing).state == WAITING
        for received_id, kind in ((replacing, "replaces"), (correcting, "corrects")):
            received = session.get(ReceivedDocument, received_id)
            assert receiving.related_for_registration(session, received) == {
                "kind": kind, "id": "incoming-old"}
            assert receiving.earlier_out(session, received)["kind"] == kind
        assert receiving.received_out(session.get(ReceivedDocument, correcting))[
            "corrects_id"] is not None


def test_only_its_sender_replaces_or_corrects_a_document(db):
    old_one(db, sender=OTHER)          # 12/QĐ-STC came from another agency
    replacing = receive(db, sent(issued(related=earlier("replaces"))), "p-3")
    correcting = receive(db, sent(issued(number="16", related=earlier("corrects"))), "p-0")
    with db.read() as session:
        assert session.get(ReceivedDocument, replacing).replaces_id is None
        assert session.get(ReceivedDocument, correcting).corrects_id is None
        assert all(r.state == WAITING for r in session.query(ReceivedDocument))
