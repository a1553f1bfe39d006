"""allowed_actions as a pure function over the whole matrix: role (in the document's
unit, in another unit, none) × state × confidentiality and clearance × delegations in
force × the approval chain. The expected answer comes from SPEC below, the rule as
DOMAIN.md §1.6 states it, written out independently of outgoing.STEPS."""
import itertools
from types import SimpleNamespace
from datetime import date

import pytest

from services.common import vocabulary
from services.common.identity import Caller, Membership, system_caller
from services.documents import delegations, outgoing, permissions

UNIT = "unit"
TODAY = date(2026, 12, 7)
DRAFTERS = {"specialist", "unit_head", "head", "clerk"}
# action → (the states it leads out of, the roles in the unit that take it)
SPEC = {
    "submit": ({"draft", "returned"}, DRAFTERS),
    "return": ({"submitted", "approved", "form_checked", "signed"},
               {"head", "unit_head", "clerk"}),
    "approve": ({"submitted"}, {"head", "unit_head"}),
    "check_form": ({"approved"}, {"clerk"}),
    "sign": ({"form_checked"}, {"head"}),
    "number": ({"signed"}, {"clerk"}),
    "seal": ({"numbered"}, {"clerk"}),
    "issue": ({"numbered", "sealed"}, {"clerk"}),
    "recall": ({"issued"}, {"head", "clerk"}),
    "update": ({"issued"}, {"head", "clerk"}),
    "cancel": ({"draft", "returned"}, DRAFTERS),
}
DELEGABLE = {"sign", "approve"}          # steps of a draft a delegation may cover
ROLES = ["clerk", "head", "unit_head", "specialist", "admin", "head@other", None]
LEVELS = [("none", "none"), ("secret", "none"), ("confidential", "top_secret")]
DELEGATED = [frozenset(), frozenset({"sign"}), frozenset({"approve", "assign"})]


def person(role, clearance="none"):
    if role is None:
        return Caller(user_id="p", username="p", clearance=clearance)
    unit = UNIT
    if "@" in role:
        role, unit = role.split("@")
    return Caller(user_id="p", username="p", clearance=clearance,
                  memberships=(Membership(unit, role),))


def expected(role, state, level, clearance, delegated, in_chain, digitally_signed=False):
    cleared = Caller(user_id="x", username="x", clearance=clearance).cleared_for(level)
    own_role = role if role and "@" not in role else None
    out = set()
    for action, (sources, roles) in SPEC.items():
        by_role = own_role in roles
        by_delegation = action in delegated & DELEGABLE
        chain_holds = in_chain and state == "submitted" and action in {"approve", "return"}
        # the organisation's signature goes over a signer's digital one; such a
        # document goes out only with both (ND30 Điều 5.1, 33)
        if action == "seal" and not digitally_signed or \
                action == "issue" and state == "numbered" and digitally_signed:
            continue
        if state in sources and cleared and (by_role or by_delegation) and not chain_holds:
            out.add(action)
    if state in {"draft", "returned"} and cleared and own_role in DRAFTERS:
        out.add("edit")
    return sorted(out)


@pytest.mark.parametrize("role, state", list(itertools.product(ROLES,
                                                                vocabulary.OUTGOING_STATES)))
def test_allowed_actions_on_an_outgoing_document_follow_role_state_clearance_delegation_and_chain(
        role, state):
    # every combination of level and clearance, delegations, chain and digital signature,
    # each checked (one test item per role and state keeps the suite's collection short)
    for (level, clearance), delegated, in_chain, signed in itertools.product(
            LEVELS, DELEGATED, (False, True), (False, True)):
        got = permissions.outgoing_actions(person(role, clearance), state=state, unit_id=UNIT,
                                           confidentiality=level, in_approval_chain=in_chain,
                                           delegated=delegated, digitally_signed=signed)
        assert got == expected(role, state, level, clearance, delegated, in_chain, signed), (
            level, clearance, sorted(delegated), in_chain, signed)


@pytest.mark.parametrize("action", sorted(outgoing.STEPS))
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("delegated", [False, True])
@pytest.mark.parametrize("signed", [False, True])
def test_a_listed_step_is_exactly_a_step_the_enforcing_rule_allows(action, role, delegated,
                                                                   signed):
    # act_on_outgoing decides with may_take_step, step_open and held_by_chain: an action
    # is listed iff those three let it through, in every state
    caller = person(role)
    for state in vocabulary.OUTGOING_STATES:
        listed = action in permissions.outgoing_actions(
            caller, state=state, unit_id=UNIT, confidentiality="none",
            in_approval_chain=False, delegated=frozenset({action}) if delegated else frozenset(),
            digitally_signed=signed)
        assert listed == (permissions.step_open(action, state, signed) and
                          permissions.may_take_step(caller, action, UNIT, "none", delegated))


def test_a_delegate_may_sign_a_checked_draft_they_could_not_sign_by_role():
    deputy = person("unit_head")
    assert "sign" not in permissions.outgoing_actions(
        deputy, state="form_checked", unit_id=UNIT, confidentiality="none",
        in_approval_chain=False)
    assert permissions.outgoing_actions(
        deputy, state="form_checked", unit_id=UNIT, confidentiality="none",
        in_approval_chain=False, delegated=frozenset({"sign"})) == ["return", "sign"]


def test_a_delegation_does_not_lift_the_need_for_clearance():
    assert permissions.outgoing_actions(
        person("specialist"), state="form_checked", unit_id=UNIT, confidentiality="secret",
        in_approval_chain=False, delegated=frozenset({"sign"})) == []


def test_a_draft_in_its_approval_chain_is_approved_there_not_directly():
    leader = person("unit_head")
    assert permissions.outgoing_actions(leader, state="submitted", unit_id=UNIT,
                                        confidentiality="none", in_approval_chain=True) == []
    assert permissions.outgoing_actions(leader, state="submitted", unit_id=UNIT,
                                        confidentiality="none",
                                        in_approval_chain=False) == ["approve", "return"]


def test_a_service_may_take_every_step_open_from_the_state_even_in_the_chain():
    assert permissions.outgoing_actions(
        system_caller("workflow"), state="submitted", unit_id=UNIT, confidentiality="secret",
        in_approval_chain=True) == ["approve", "return"]
    assert permissions.outgoing_actions(
        system_caller("workflow"), state="draft", unit_id=UNIT, confidentiality="none",
        in_approval_chain=False) == ["cancel", "edit", "submit"]


def test_only_delegations_of_the_documents_unit_and_type_in_their_window_count():
    held = [SimpleNamespace(unit_id=UNIT, actions=["sign"], document_types=["QĐ"],
                            revoked_at=None, valid_from=TODAY, valid_to=TODAY),
            SimpleNamespace(unit_id="other", actions=["approve"], document_types=[],
                            revoked_at=None, valid_from=TODAY, valid_to=TODAY),
            SimpleNamespace(unit_id=UNIT, actions=["approve", "assign"], document_types=[],
                            revoked_at=None, valid_from=TODAY, valid_to=TODAY)]
    assert delegations.actions_held(held, UNIT, "QĐ", TODAY) == {"sign", "approve", "assign"}
    assert delegations.actions_held(held, UNIT, "CV", TODAY) == {"approve", "assign"}
    assert delegations.actions_held(held, UNIT, "QĐ", date(2026, 12, 8)) == set()


@pytest.mark.parametrize("role, state, allowed", [
    ("clerk", "registered", ["copy", "file"]),
    ("clerk", "done", ["copy", "file"]),
    ("clerk", "recalled", ["file"]),
    ("clerk@other", "in_progress", ["copy", "file"]),
    ("head", "assigned", ["file"]),
    ("specialist", "recalled", ["file"]),
    (None, "registered", []),
])
def test_allowed_actions_on_an_incoming_document_are_copy_for_clerks_and_file_for_members(
        role, state, allowed):
    assert permissions.incoming_actions(person(role), state=state) == allowed
