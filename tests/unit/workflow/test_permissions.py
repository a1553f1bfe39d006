"""allowed_actions (services/workflow/permissions.py) over the whole matrix: who the caller
is (role in the unit, clearance, holder or not, delegate or not) × the processing's state
× the part's kind and state × the document's level. Each expected answer is written out
from the rules the entrypoints enforce, so a change of either shows here."""
import itertools

import pytest

from services.common.identity import Caller, Membership
from services.workflow import domain
from services.workflow.permissions import (ITEM_ACTIONS, PROCESSING_ACTIONS, TASK_ACTIONS,
                                           Part, ProcessingFacts, covering, held_by,
                                           item_actions, may_need_delegations,
                                           processing_actions, task_actions)

UNIT, CHILD, OTHER = "unit-1", "unit-2", "unit-9"
ME, BOSS, SOMEONE = "me", "boss", "someone"
ROLES = ("clerk", "head", "unit_head", "specialist", "admin", None)
LEVELS = ("none", "confidential", "secret", "top_secret")
STATES = (domain.AWAITING_ASSIGNMENT, domain.ASSIGNED, domain.IN_PROGRESS, domain.DONE,
          domain.IN_APPROVAL, domain.APPROVED, domain.RETURNED_DRAFT)
ITEM_STATES = (domain.OPEN, domain.FORWARDED, domain.DONE_ITEM, domain.RETURNED,
               domain.CLOSED)


def caller(role=None, unit=UNIT, clearance="none"):
    memberships = (Membership(unit, role),) if role else ()
    return Caller(user_id=ME, username=ME, memberships=memberships, clearance=clearance)


def delegation(action, unit=UNIT, types=(), from_user=BOSS, to_user=ME):
    return {"id": f"d-{action}-{unit}", "from_user_id": from_user, "to_user_id": to_user,
            "unit_id": unit, "actions": [action], "document_types": list(types),
            "kind": "TUQ"}


def facts(state=domain.AWAITING_ASSIGNMENT, level="none", document_type="CV"):
    return ProcessingFacts(UNIT, state, document_type, level)


# ------------------------------------------------------------------ the processing

@pytest.mark.parametrize("role,state", itertools.product(ROLES, STATES))
def test_submit_and_assign_follow_role_state_clearance_and_delegation(role, state):
    for level, clearance, delegated in itertools.product(
            LEVELS, LEVELS, (None, "assign", "approve")):
        who = caller(role, clearance=clearance)
        held = [delegation(delegated)] if delegated else []
        expected = []
        cleared = LEVELS.index(clearance) >= LEVELS.index(level)
        if state == domain.AWAITING_ASSIGNMENT and cleared:
            if role == "clerk":
                expected.append("submit")
            if role in ("head", "unit_head") or delegated == "assign":
                expected.append("assign")
        got = processing_actions(who, facts(state, level), [], held)
        assert got == sorted(expected), (level, clearance, delegated)


@pytest.mark.parametrize("item_state", ITEM_STATES)
def test_a_person_holding_the_document_to_assign_may_assign_it_while_open(item_state):
    held = [Part(domain.TO_ASSIGN, item_state, ME, None)]
    expected = ["assign"] if item_state == domain.OPEN else []
    assert processing_actions(caller("specialist"), facts(), held) == expected


def test_a_delegation_for_other_document_types_or_another_unit_gives_no_assign():
    assert processing_actions(caller(), facts(), [], [delegation("assign", types=["QĐ"])]) == []
    assert processing_actions(caller(), facts(), [], [delegation("assign", unit=OTHER)]) == []
    assert processing_actions(caller(), facts(), [],
                              [delegation("assign", types=["CV"])]) == ["assign"]


def test_only_the_delegations_the_caller_holds_to_assign_or_approve_are_kept():
    listed = [delegation("assign"), delegation("approve", to_user=SOMEONE),
              delegation("sign")]
    assert held_by(listed, ME) == [listed[0]]


# ------------------------------------------------------------------ parts of work

def expected_item_actions(role, kind, item_state, holder, level, clearance, delegated):
    """The rules, written out: what record_progress, return_assignment,
    complete_assignment, forward_assignment and approve_draft accept."""
    if item_state != domain.OPEN or LEVELS.index(clearance) < LEVELS.index(level):
        return []
    leader = role in ("head", "unit_head")
    user_id = {"me": ME, "boss": BOSS, "unit": None}[holder]
    mine = user_id == ME or (user_id is None and leader)
    if kind == domain.APPROVE:
        # a delegation from the step's approver (from anyone, for a step naming none)
        may = mine or (delegated == "approve" and user_id in (BOSS, None))
        return ["approve", "return"] if may else []
    out = []
    if mine and kind in domain.HANDLING:
        out += ["complete", "progress", "return"]
    if mine and kind == domain.FOR_INFO:
        out.append("complete")
    if kind in domain.HANDLING and user_id is None and (leader or delegated == "assign"):
        out.append("forward")
    return sorted(out)


@pytest.mark.parametrize("role,kind", itertools.product(ROLES, domain.KINDS))
def test_part_actions_follow_role_kind_state_holder_clearance_and_delegation(role, kind):
    for item_state, holder, level, clearance, delegated in itertools.product(
            ITEM_STATES, ("me", "boss", "unit"), LEVELS, LEVELS, (None, "assign", "approve")):
        user_id = {"me": ME, "boss": BOSS, "unit": None}[holder]
        part = Part(kind, item_state, user_id, UNIT if user_id is None else None)
        held = [delegation(delegated)] if delegated else []
        got = item_actions(caller(role, clearance=clearance), part,
                           facts(domain.IN_PROGRESS, level), held)
        assert got == expected_item_actions(role, kind, item_state, holder, level,
                                            clearance, delegated), \
            (item_state, holder, level, clearance, delegated)
        assert set(got) <= set(ITEM_ACTIONS)


def test_a_delegate_to_approve_sees_only_the_approvals_of_whoever_delegated():
    boss_step = Part(domain.APPROVE, domain.OPEN, BOSS, None)
    someone_step = Part(domain.APPROVE, domain.OPEN, SOMEONE, None)
    held = [delegation("approve")]
    assert item_actions(caller(), boss_step, facts(domain.IN_APPROVAL), held) == \
        ["approve", "return"]
    assert item_actions(caller(), someone_step, facts(domain.IN_APPROVAL), held) == []


def test_a_leader_of_a_unit_below_forwards_its_part_but_not_the_parent_units_part():
    child_part = Part(domain.LEAD, domain.OPEN, None, CHILD)
    assert item_actions(caller("unit_head", unit=CHILD), child_part, facts()) == \
        ["complete", "forward", "progress", "return"]
    assert item_actions(caller("head", unit=UNIT), child_part, facts()) == []
    assert item_actions(caller(), child_part, facts(),
                        [delegation("assign", unit=CHILD)]) == ["forward"]


def test_delegations_are_asked_for_only_where_one_could_add_an_action():
    leader, nobody = caller("head"), caller("specialist")
    unit_part = [Part(domain.LEAD, domain.OPEN, None, UNIT)]
    my_part = [Part(domain.LEAD, domain.OPEN, ME, None)]
    boss_step = [Part(domain.APPROVE, domain.OPEN, BOSS, None)]
    assert may_need_delegations(nobody, facts(), [])             # assign by delegation
    assert not may_need_delegations(leader, facts(), [])         # leads the unit anyway
    assert may_need_delegations(nobody, facts(domain.ASSIGNED), unit_part)
    assert not may_need_delegations(leader, facts(domain.ASSIGNED), unit_part)
    assert not may_need_delegations(nobody, facts(domain.ASSIGNED), my_part)
    assert may_need_delegations(nobody, facts(domain.IN_APPROVAL), boss_step)
    assert not may_need_delegations(nobody, facts(domain.IN_APPROVAL, "secret"), boss_step)


def test_covering_matches_documents_find_delegation():
    held = [delegation("approve", types=["QĐ"])]
    assert covering(held, "approve", UNIT, "QĐ", from_user_id=BOSS) == held[0]
    assert covering(held, "approve", UNIT, "QĐ", from_user_id=SOMEONE) is None
    assert covering(held, "approve", UNIT, None) is None     # a typed one needs the type
    assert covering(held, "assign", UNIT, "QĐ") is None


def test_every_processing_action_is_a_known_name():
    every = processing_actions(caller("clerk"), facts(), [Part(
        domain.TO_ASSIGN, domain.OPEN, ME, None)])
    assert set(every) == set(PROCESSING_ACTIONS)


# ------------------------------------------------------------------ tasks

@pytest.mark.parametrize("state,holder,giver,open_subtasks", itertools.product(
    (domain.TASK_OPEN, domain.TASK_DONE, domain.TASK_CANCELLED), (ME, SOMEONE),
    (ME, BOSS), (0, 2)))
def test_task_actions_follow_holder_giver_state_and_open_subtasks(state, holder, giver,
                                                                   open_subtasks):
    task = {"state": state, "assignee_id": holder, "created_by": giver,
            "subtasks_open": open_subtasks}
    expected = []
    if state == domain.TASK_OPEN:
        if holder == ME:
            expected += ["progress"] + ([] if open_subtasks else ["complete"])
        if giver == ME:
            expected.append("cancel")
        if ME in (holder, giver):
            expected.append("add_subtask")
    got = task_actions(caller(), task)
    assert got == sorted(expected)
    assert set(got) <= set(TASK_ACTIONS)
