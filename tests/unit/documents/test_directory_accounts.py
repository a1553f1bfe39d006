"""How an account of the organisation's directory becomes an e-Office user."""
from types import SimpleNamespace

import pytest

from services.common.directory_config import directory_settings_from
from services.common.errors import InvalidInput
from services.documents import directory_accounts as rules


def account(**fields):
    return rules.parse_account({"source": "ldap", "username": "An.NV ",
                                "email": "An.NV@TayNinh.gov.vn", "full_name": "Nguyễn Văn An",
                                "groups": ["phong-cntt"]} | fields)


def user(active=True, auth_source="local"):
    return SimpleNamespace(active=active, auth_source=auth_source)


def test_an_account_is_read_in_lower_case_and_matched_by_username_or_email():
    parsed = account()
    assert (parsed.username, parsed.email, parsed.groups) == (
        "an.nv", "an.nv@tayninh.gov.vn", ("phong-cntt",))
    assert rules.match_value(parsed, "username") == "an.nv"
    assert rules.match_value(parsed, "email") == "an.nv@tayninh.gov.vn"
    assert rules.match_value(account(email=None), "email") is None
    assert account(email="not-an-address").email is None


def test_an_account_from_an_unknown_source_is_refused_as_bad_input():
    with pytest.raises(InvalidInput):
        rules.parse_account({"source": "kerberos", "username": "an.nv"})
    with pytest.raises(InvalidInput):
        rules.parse_account(["ldap"])


def test_a_matched_active_user_is_used_and_a_local_one_becomes_a_directory_user():
    assert rules.decide(account(), user(auth_source="ldap"), "refuse", False) == \
        rules.Decision(rules.USE, link=False)
    assert rules.decide(account(), user(auth_source="local"), "refuse", False) == \
        rules.Decision(rules.USE, link=True)


def test_a_matched_inactive_user_is_refused_whatever_the_policy():
    assert rules.decide(account(), user(active=False), "create", False).action == rules.REFUSE


def test_an_unknown_account_is_refused_unless_the_administrator_chose_to_create_it():
    assert rules.decide(account(), None, "refuse", False) == rules.Decision(rules.REFUSE,
                                                                           "unknown")
    assert rules.decide(account(), None, "create", False).action == rules.NEW


def test_an_unknown_account_is_not_created_over_a_taken_or_invalid_username():
    assert rules.decide(account(), None, "create", True).reason == "username_taken"
    assert rules.decide(account(username="an nv@x"), None, "create", False).reason == \
        "username_not_valid_here"


def test_a_created_user_has_no_roles_no_clearance_and_no_usable_password():
    fields = rules.new_user_fields(account())
    assert fields["clearance"] == "none" and fields["password_hash"] == ""
    assert fields["auth_source"] == "ldap" and fields["email"] == "an.nv@tayninh.gov.vn"
    assert "memberships" not in fields


def test_the_settings_switch_ldap_and_oidc_on_and_refuse_unknown_choices():
    off = directory_settings_from({})
    assert (off.ldap, off.oidc, off.match_by, off.unknown_accounts) == (
        None, None, "username", "refuse")
    on = directory_settings_from({"LDAP_URL": "ldap://dir:389", "OIDC_ISSUER": "https://id/",
                                  "OIDC_CLIENT_ID": "eoffice", "PUBLIC_URL": "https://eo.vn/",
                                  "DIRECTORY_MATCH_BY": "Email",
                                  "DIRECTORY_UNKNOWN_ACCOUNTS": "create"})
    assert on.ldap.url == "ldap://dir:389" and on.oidc.issuer == "https://id"
    assert on.oidc.redirect_url == "https://eo.vn/api/v1/auth/oidc/callback"
    assert (on.match_by, on.unknown_accounts) == ("email", "create")
    with pytest.raises(ValueError):
        directory_settings_from({"DIRECTORY_UNKNOWN_ACCOUNTS": "admit"})
    with pytest.raises(ValueError):
        directory_settings_from({"DIRECTORY_MATCH_BY": "phone"})
