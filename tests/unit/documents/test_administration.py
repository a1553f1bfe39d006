"""Administration per unit, alerts of changes of rights and delegations in force: the
rules as pure functions over a units tree."""
from datetime import date
from types import SimpleNamespace

import pytest

from services.common.errors import Forbidden
from services.common.identity import Caller, Membership
from services.documents import administration, delegations, rights_alerts

# province ─┬─ department ── division
#           └─ commune ── commune_office
#  other_province
PARENTS = {"province": None, "department": "province", "division": "department",
           "commune": "province", "commune_office": "commune", "other_province": None}


def person(*memberships, clearance="none", system_admin=False, user_id="u-admin"):
    return Caller(user_id=user_id, username=user_id,
                  memberships=tuple(Membership(u, r) for u, r in memberships),
                  clearance=clearance, system_admin=system_admin)


COMMUNE_ADMIN = person(("commune", "admin"))
PROVINCE_ADMIN = person(("province", "admin"), clearance="secret")
SYSTEM_ADMIN = person(system_admin=True)


def test_a_unit_admin_administers_their_unit_and_those_below_it_only():
    assert administration.administers(COMMUNE_ADMIN, "commune", PARENTS)
    assert administration.administers(COMMUNE_ADMIN, "commune_office", PARENTS)
    for outside in ("province", "department", "division", "other_province"):
        assert not administration.administers(COMMUNE_ADMIN, outside, PARENTS)


def test_the_deployment_wide_administrator_administers_every_unit_even_another_tree():
    assert administration.administers(SYSTEM_ADMIN, "other_province", PARENTS)
    assert not administration.administers(PROVINCE_ADMIN, "other_province", PARENTS)


def test_a_head_or_clerk_administers_nothing():
    clerk = person(("commune", "clerk"), ("commune", "head"))
    assert not administration.is_administrator(clerk)
    assert not administration.administers(clerk, "commune", PARENTS)


def test_a_commune_admin_may_not_give_anyone_a_role_in_the_province():
    with pytest.raises(Forbidden):
        administration.check_person_change(
            COMMUNE_ADMIN, PARENTS, units_before=[], units_after=["province"],
            clearance_before="none", clearance_after="none")


def test_a_commune_admin_may_not_make_anyone_admin_above_the_commune():
    with pytest.raises(Forbidden):
        administration.check_person_change(
            COMMUNE_ADMIN, PARENTS, units_before=["commune"],
            units_after=["commune", "province"], clearance_before="none",
            clearance_after="none")


def test_a_commune_admin_may_not_touch_a_person_who_also_holds_a_role_above():
    with pytest.raises(Forbidden):   # removing the province role is a change outside
        administration.check_person_change(
            COMMUNE_ADMIN, PARENTS, units_before=["commune", "province"],
            units_after=["commune"], clearance_before="none", clearance_after="none")


def test_a_commune_admin_gives_roles_within_the_commune():
    administration.check_person_change(
        COMMUNE_ADMIN, PARENTS, units_before=["commune"],
        units_after=["commune", "commune_office"], clearance_before="none",
        clearance_after="none")


@pytest.mark.parametrize("before, after", [("none", "confidential"), ("none", "top_secret"),
                                           ("top_secret", "none")])
def test_an_uncleared_admin_may_neither_grant_nor_take_a_clearance(before, after):
    with pytest.raises(Forbidden) as refused:
        administration.check_person_change(
            COMMUNE_ADMIN, PARENTS, units_before=["commune"], units_after=["commune"],
            clearance_before=before, clearance_after=after)
    assert "clearance" in refused.value.details


def test_an_admin_grants_a_clearance_up_to_their_own_and_no_higher():
    administration.check_person_change(
        PROVINCE_ADMIN, PARENTS, units_before=["division"], units_after=["division"],
        clearance_before="none", clearance_after="secret")
    with pytest.raises(Forbidden):
        administration.check_person_change(
            PROVINCE_ADMIN, PARENTS, units_before=["division"], units_after=["division"],
            clearance_before="none", clearance_after="top_secret")


def test_keeping_a_clearance_above_ones_own_is_not_granting_it():
    administration.check_person_change(
        COMMUNE_ADMIN, PARENTS, units_before=["commune"], units_after=["commune_office"],
        clearance_before="secret", clearance_after="secret")


def test_only_the_deployment_wide_administrator_makes_or_manages_one():
    with pytest.raises(Forbidden):
        administration.check_person_change(
            PROVINCE_ADMIN, PARENTS, units_before=[], units_after=["division"],
            clearance_before="none", clearance_after="none", system_admin_after=True)
    with pytest.raises(Forbidden):
        administration.check_person_change(
            PROVINCE_ADMIN, PARENTS, units_before=["province"], units_after=["province"],
            clearance_before="none", clearance_after="none", system_admin_before=True)
    administration.check_person_change(
        SYSTEM_ADMIN, PARENTS, units_before=["other_province"], units_after=["province"],
        clearance_before="none", clearance_after="top_secret", system_admin_after=True)


def test_units_are_created_under_a_unit_in_scope_and_top_units_by_the_deployment_admin():
    administration.check_new_unit(COMMUNE_ADMIN, "commune_office", PARENTS)
    with pytest.raises(Forbidden):
        administration.check_new_unit(COMMUNE_ADMIN, "province", PARENTS)
    with pytest.raises(Forbidden):
        administration.check_new_unit(PROVINCE_ADMIN, None, PARENTS)
    administration.check_new_unit(SYSTEM_ADMIN, None, PARENTS)


def test_a_merge_needs_every_unit_involved_in_scope():
    administration.check_units(PROVINCE_ADMIN, ["division", "commune"], PARENTS)
    with pytest.raises(Forbidden):
        administration.check_units(COMMUNE_ADMIN, ["commune_office", "department"], PARENTS)


def test_a_person_with_no_role_or_a_deployment_admin_is_managed_by_the_deployment_admin_only():
    assert administration.may_manage_person(PROVINCE_ADMIN, ["division"], False, PARENTS)
    assert not administration.may_manage_person(PROVINCE_ADMIN, [], False, PARENTS)
    assert not administration.may_manage_person(PROVINCE_ADMIN, ["province"], True, PARENTS)
    assert administration.may_manage_person(SYSTEM_ADMIN, [], False, PARENTS)


def test_a_cycle_in_the_tree_does_not_loop_forever():
    assert administration.lineage("a", {"a": "b", "b": "a"}) == ["a", "b"]


# ---------------------------------------------------------------- rights alerts

def test_an_alert_goes_to_the_heads_of_the_unit_and_not_to_the_changer_or_the_person():
    leaders = {"commune": ["head-1", "changer", "subject"], "province": ["governor"]}
    assert rights_alerts.heads_to_tell(["commune"], leaders, PARENTS,
                                       exclude={"changer", "subject"}) == ["head-1"]


def test_a_unit_without_a_head_has_its_alert_go_up_to_the_nearest_unit_that_has_one():
    leaders = {"commune": ["commune-head"], "province": ["governor"]}
    assert rights_alerts.heads_to_tell(["commune_office", "division"], leaders, PARENTS,
                                       exclude=set()) == ["commune-head", "governor"]


def alert(**kw):
    return SimpleNamespace(**({"user_id": "subject", "changed_by": "u-admin",
                              "unit_ids": ["commune"], "head_user_ids": ["head-1"]} | kw))


def test_the_head_told_confirms_an_alert_but_not_the_changer_nor_the_person_changed():
    head = person(("commune", "head"), user_id="head-1")
    assert rights_alerts.may_confirm(head, alert(), PARENTS)
    assert not rights_alerts.may_confirm(COMMUNE_ADMIN, alert(), PARENTS)
    assert rights_alerts.may_see(COMMUNE_ADMIN, alert(), PARENTS)
    subject = person(("commune", "head"), user_id="subject")
    assert not rights_alerts.may_confirm(subject, alert(), PARENTS)


def test_an_administrator_above_confirms_and_an_outsider_neither_sees_nor_confirms():
    assert rights_alerts.may_confirm(PROVINCE_ADMIN, alert(changed_by="someone"), PARENTS)
    outsider = person(("department", "head"), user_id="dept-head")
    assert not rights_alerts.may_see(outsider, alert(), PARENTS)
    assert not rights_alerts.may_confirm(outsider, alert(), PARENTS)


# ---------------------------------------------------------------- delegations in force

def delegation(id, from_user, to_user, via=None, revoked=False):
    return SimpleNamespace(id=id, unit_id="commune", from_user_id=from_user,
                           to_user_id=to_user, via_id=via, actions=["sign"],
                           document_types=[], valid_from=date(2026, 1, 1),
                           valid_to=date(2026, 12, 31),
                           revoked_at="2026-06-01" if revoked else None)


DAY = date(2026, 6, 2)


def test_a_delegation_ends_when_its_giver_is_no_longer_head_of_the_unit():
    given = delegation("d1", "head", "deputy")
    assert delegations.in_force(given, DAY, lambda u, unit: u == "head", {}.get)
    assert not delegations.in_force(given, DAY, lambda u, unit: False, {}.get)


def test_a_delegation_passed_on_ends_with_the_one_it_was_passed_on_from():
    first = delegation("d1", "head", "deputy")
    passed = delegation("d2", "deputy", "specialist", via="d1")
    held = {"d1": first}
    assert delegations.in_force(passed, DAY, lambda u, unit: u == "head", held.get)
    assert not delegations.in_force(passed, DAY, lambda u, unit: False, held.get)
    held["d1"] = delegation("d1", "head", "deputy", revoked=True)
    assert not delegations.in_force(passed, DAY, lambda u, unit: u == "head", held.get)


def test_a_delegation_passed_on_by_someone_who_did_not_hold_its_source_is_not_in_force():
    first = delegation("d1", "head", "deputy")
    forged = delegation("d2", "intruder", "specialist", via="d1")
    assert not delegations.in_force(forged, DAY, lambda u, unit: True, {"d1": first}.get)
