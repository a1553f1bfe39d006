"""The rules of recall and update through the receiver's văn thư (services/documents/
changes.py): what an update may change and how each particular is checked, who answers a
request, how a later update folds into one still waiting, and what the sender's record
shows of each answer."""
from datetime import date
from types import SimpleNamespace

import pytest

from services.common.errors import InvalidInput
from services.common.identity import Caller, Membership, system_caller
from services.common.validation import parse_answer
from services.documents import changes, outgoing

TODAY = date(2026, 12, 7)


def clerk(unit="u-b", clearance="none", role="clerk"):
    return Caller(user_id="c", username="c", clearance=clearance,
                  memberships=(Membership(unit, role),))


def test_an_update_changes_only_the_whitelisted_particulars_each_checked():
    body = changes.parse_update_request({"reason": "Sai hạn", "changes": {
        "subject": "  Trích yếu mới ", "due_date": "2026-12-20", "urgency": "urgent",
        "page_amount": 3, "description": None}}, TODAY)
    assert body["changes"] == {"subject": "Trích yếu mới", "due_date": "2026-12-20",
                               "urgency": "urgent", "page_amount": 3, "description": None}
    assert body["reason"] == "Sai hạn"
    for forbidden in ("code_number", "code_notation", "issued_date", "issuer",
                      "confidentiality", "document_type", "signer", "file_ids"):
        with pytest.raises(InvalidInput) as refused:
            changes.parse_update_request({"reason": "x", "changes": {forbidden: "1"}})
        assert f"changes.{forbidden}" in refused.value.details


@pytest.mark.parametrize("body, field", [
    ({"changes": {"subject": "Mới"}}, "reason"),
    ({"reason": "x"}, "changes"),
    ({"reason": "x", "changes": {}}, "changes"),
    ({"reason": "x", "changes": {"subject": ""}}, "changes.subject"),
    ({"reason": "x", "changes": {"page_amount": 0}}, "changes.page_amount"),
    ({"reason": "x", "changes": {"urgency": "asap"}}, "changes.urgency"),
    ({"reason": "x", "changes": {"urgency": None}}, "changes.urgency"),
    ({"reason": "x", "changes": {"due_date": "2026-12-06"}}, "changes.due_date"),
    ({"reason": "x", "changes": {"due_date": "20/12/2026"}}, "changes.due_date"),
    ({"reason": "x", "changes": {"subject": "Mới"}, "extra": 1}, "extra"),
])
def test_a_bad_update_is_refused_naming_the_field(body, field):
    with pytest.raises(InvalidInput) as refused:
        changes.parse_update_request(body, TODAY)
    assert field in refused.value.details


def test_the_outgoing_step_update_takes_its_body_through_the_same_rule():
    body = outgoing.parse_step_request("update", {"reason": "r", "changes": {"urgency": "flash"}})
    assert body["changes"] == {"urgency": "flash"} and body["on_behalf_of"] is None
    with pytest.raises(InvalidInput):
        outgoing.parse_step_request("update", {"changes": {"urgency": "flash"}})
    assert outgoing.STEPS["update"].sources == (outgoing.ISSUED,)
    assert outgoing.STEPS["update"].target == outgoing.ISSUED


def test_an_answer_is_agree_or_refuse_and_a_refusal_needs_a_reason():
    assert parse_answer({"agree": True}) == {"agree": True, "reason": None}
    assert parse_answer({"agree": False, "reason": "Đã xử lý"})["reason"] == "Đã xử lý"
    for bad, field in (({"agree": False}, "reason"), ({}, "agree"), ({"agree": "yes"}, "agree"),
                       ({"agree": True, "why": 1}, "why")):
        with pytest.raises(InvalidInput) as refused:
            parse_answer(bad)
        assert field in refused.value.details
    with pytest.raises(InvalidInput):
        parse_answer(None)


def test_only_a_cleared_clerk_of_the_copys_unit_answers_and_never_a_service():
    assert changes.may_answer(clerk(), "u-b", "none")
    assert not changes.may_answer(clerk(unit="u-a"), "u-b", "none")
    assert not changes.may_answer(clerk(role="head"), "u-b", "none")
    assert not changes.may_answer(clerk(), "u-b", "secret")
    assert changes.may_answer(clerk(clearance="secret"), "u-b", "secret")
    assert not changes.may_answer(system_caller("exchange"), "u-b", "none")


def test_only_what_differs_is_applied_and_reported_before_and_after():
    doc = SimpleNamespace(subject="Cũ", description=None, page_amount=2,
                          due_date=date(2026, 12, 10), urgency="normal")
    before, after = changes.apply(doc, {"subject": "Cũ", "due_date": "2026-12-20",
                                        "urgency": "urgent"})
    assert before == {"due_date": "2026-12-10", "urgency": "normal"}
    assert after == {"due_date": "2026-12-20", "urgency": "urgent"}
    assert doc.due_date == date(2026, 12, 20) and doc.subject == "Cũ"
    assert changes.apply(doc, {"urgency": "urgent"}) == ({}, {})
    changes.apply(doc, {"due_date": None})
    assert doc.due_date is None


def test_a_later_update_folds_into_one_waiting_and_a_recall_replaces_it():
    first = changes.request("update", reason="a", from_outgoing_id="o", asked_by="u",
                            asked_at="t1", changes={"subject": "A", "urgency": "urgent"},
                            number=1)
    second = changes.request("update", reason="b", from_outgoing_id="o", asked_by="u",
                             asked_at="t2", changes={"subject": "B"}, number=2)
    folded = changes.pending_request(first, second)
    assert folded["changes"] == {"subject": "B", "urgency": "urgent"}
    assert folded["update"] == 2 and folded["folds"] == [1]
    recall = changes.request("recall", reason="c", from_outgoing_id="o", asked_by="u",
                             asked_at="t3")
    assert changes.pending_request(folded, recall) == recall
    assert "changes" not in recall


def test_the_senders_record_shows_each_recipients_request_and_answer():
    recipients = [{"unit_id": "u-b", "incoming_id": "i-b"}, {"unit_id": "u-c",
                                                             "incoming_id": "i-c"},
                  {"unit_id": None, "organ_id": "G22", "name": "VPCP"}]
    asked = changes.with_request(recipients, "update", "t1", 2)
    assert [r.get("request") for r in asked] == [{"kind": "update", "at": "t1", "update": 2}] \
        * 2 + [None]
    answered = changes.with_answer(asked, "i-c", {"kind": "update", "update": 2},
                                   agreed=False, reason="Không đúng", at="t2")
    assert answered[1]["answer"] == {"kind": "update", "agreed": False, "reason": "Không đúng",
                                     "at": "t2", "update": 2}
    assert "request" not in answered[1] and answered[0]["request"]
    updates = changes.updates_with_answer([{"number": 1}, {"number": 2}], [2, 1], "u-c",
                                          agreed=True, reason=None, at="t3")
    assert updates[0]["answers"] == updates[1]["answers"] == {
        "u-c": {"agreed": True, "reason": None, "at": "t3"}}
