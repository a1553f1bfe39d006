from datetime import date

import pytest

from services.common import vocabulary
from services.common.errors import InvalidInput
from services.common.identity import Caller, Membership
from services.common.validation import Problems
from services.documents import outgoing
from services.gateway import openapi

TODAY = date(2026, 11, 25)


def caller(*memberships, clearance="none"):
    return Caller(user_id="u", username="u", clearance=clearance,
                  memberships=tuple(Membership(unit, role) for unit, role in memberships))


@pytest.mark.parametrize("document_type, abbreviation, normative, field, expected", [
    ("QĐ", "UBND", False, None, "QĐ-UBND"),
    ("TTr", "SNV", False, None, "TTr-SNV"),
    ("QyĐ", "STC", False, None, "QyĐ-STC"),
    ("QĐ", "UBND", True, None, "2026/QĐ-UBND"),
    ("CV", "UBND", False, "VX", "UBND-VX"),
    ("CV", "VPCP", False, "TTĐT", "VPCP-TTĐT"),
    ("CV", "UBND", False, None, None),
    ("TB", "", False, None, None),
])
def test_the_notation_is_composed_from_the_type_and_the_issuers_abbreviation(
        document_type, abbreviation, normative, field, expected):
    assert outgoing.compose_notation(document_type, abbreviation, 2026, normative,
                                     field) == expected


def test_a_draft_needs_a_unit_a_type_and_a_subject():
    with pytest.raises(InvalidInput) as caught:
        outgoing.parse_draft({}, TODAY, creating=True)
    assert set(caught.value.details) == {"unit_id", "document_type", "subject"}


def test_a_new_version_changes_only_the_fields_it_names():
    fields = outgoing.parse_draft({"page_amount": 4, "note": "thêm số liệu"}, TODAY,
                                  creating=False)
    assert fields == {"page_amount": 4, "note": "thêm số liệu"}


def test_a_new_version_cannot_move_the_draft_to_another_unit():
    with pytest.raises(InvalidInput) as caught:
        outgoing.parse_draft({"unit_id": "x"}, TODAY, creating=False)
    assert "unit_id" in caught.value.details


def test_recipients_are_internal_units_or_named_bodies_without_duplicates():
    problems = Problems()
    parsed = outgoing.parse_recipients(problems, [
        {"unit_id": "a"}, {"organ_id": "000.00.00.G12", "name": "TANDTC"},
        {"name": "Báo Tây Ninh"}, {"unit_id": "a"}, {"organ_id": "X" * 36, "name": "Y"}])
    assert [r.get("unit_id") or r["name"] for r in parsed] == ["a", "TANDTC", "Báo Tây Ninh"]
    assert set(problems.details) == {"recipients[3]", "recipients[4].organ_id"}


def test_secret_documents_never_go_out_by_the_exchange():
    recipients = [{"unit_id": "a", "organ_id": None, "name": "A"},
                  {"unit_id": None, "organ_id": "000.00.00.G12", "name": "B"},
                  {"unit_id": None, "organ_id": None, "name": "C"}]
    assert [r["delivery"] for r in outgoing.with_delivery(recipients, "none")] == \
        ["internal", "exchange", "paper"]
    assert [r["delivery"] for r in outgoing.with_delivery(recipients, "secret")] == \
        ["internal", "paper", "paper"]


@pytest.mark.parametrize("action, roles, allowed", [
    ("submit", ["specialist"], True),
    ("approve", ["specialist"], False),
    ("approve", ["unit_head"], True),
    ("sign", ["unit_head"], False),
    ("sign", ["head"], True),
    ("check_form", ["head"], False),
    ("number", ["clerk"], True),
    ("recall", ["specialist"], False),
    ("submit", ["admin"], False),
])
def test_each_step_is_taken_by_the_roles_the_rules_name(action, roles, allowed):
    person = caller(*[("unit", role) for role in roles])
    assert outgoing.may_take(person, action, "unit", "none") is allowed
    assert outgoing.may_take(caller(*[("other", r) for r in roles]), action, "unit",
                             "none") is False


def test_a_step_on_a_secret_document_needs_clearance():
    assert not outgoing.may_take(caller(("unit", "clerk")), "number", "unit", "confidential")
    assert outgoing.may_take(caller(("unit", "clerk"), clearance="secret"), "number", "unit",
                             "confidential")


def test_reasons_are_required_to_return_recall_or_cancel():
    for action in ("return", "recall", "cancel"):
        with pytest.raises(InvalidInput):
            outgoing.parse_step_request(action, {})
        assert outgoing.parse_step_request(action, {"reason": "sai"})["reason"] == "sai"
    assert outgoing.parse_step_request("approve", {}) == {"reason": None, "comment": None,
                                                          "on_behalf_of": None,
                                                          "delegation_id": None}


def test_a_draft_is_submitted_with_recipients_and_numbered_with_a_signer():
    assert "recipients" in outgoing.problems_before("submit", {"recipients": []})
    assert "signer" in outgoing.problems_before("number", {"signer_full_name": "A"})
    assert not outgoing.problems_before("number", {"signer_full_name": "A",
                                                   "signer_position": "Giám đốc"})


def test_every_state_is_reachable_and_the_openapi_lists_the_same_states_and_steps():
    reachable, frontier = {outgoing.DRAFT}, [outgoing.DRAFT]
    while frontier:
        state = frontier.pop()
        for step in outgoing.STEPS.values():
            if state in step.sources and step.target not in reachable:
                reachable.add(step.target)
                frontier.append(step.target)
    assert reachable == set(vocabulary.OUTGOING_STATES)
    assert openapi.OUTGOING_STATES == vocabulary.OUTGOING_STATES
    assert openapi.OUTGOING_ACTIONS == outgoing.ACTIONS
    assert openapi.INCOMING_STATES == vocabulary.INCOMING_STATES


LEVELS = ("none", "confidential", "secret", "top_secret")


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("clearance", LEVELS)
def test_a_chain_step_is_the_real_persons_and_needs_their_clearance(level, clearance):
    cleared = LEVELS.index(clearance) >= LEVELS.index(level)
    head = caller(("unit", "head"), clearance=clearance)
    assert outgoing.may_take_in_chain(head, "approve", "unit", level, False) is cleared
    assert outgoing.may_take_in_chain(head, "return", "unit", level, False) is cleared
    delegate = caller(("unit", "specialist"), clearance=clearance)
    assert outgoing.may_take_in_chain(delegate, "approve", "unit", level, True) is cleared


def test_the_chains_last_approval_needs_a_role_that_approves_or_a_delegation():
    specialist = caller(("unit", "specialist"), clearance="top_secret")
    assert not outgoing.may_take_in_chain(specialist, "approve", "unit", "none", False)
    assert outgoing.may_take_in_chain(specialist, "approve", "unit", "none", True)
    leader_elsewhere = caller(("other", "head"), clearance="top_secret")
    assert not outgoing.may_take_in_chain(leader_elsewhere, "approve", "unit", "none", False)


def test_a_service_takes_no_chain_step_for_itself_and_the_chain_only_approves_or_returns():
    service = Caller(user_id="system:workflow", username="workflow", system=True)
    assert not outgoing.may_take_in_chain(service, "approve", "unit", "none", True)
    head = caller(("unit", "head"), clearance="top_secret")
    for action in ("sign", "number", "issue", "submit"):
        assert not outgoing.may_take_in_chain(head, action, "unit", "none", True)
