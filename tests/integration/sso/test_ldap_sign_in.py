"""The gateway's LDAP step against a real OpenLDAP server (slapd) the test starts."""
import pytest

from services.common.directory_config import LdapSettings
from services.gateway import ldap_sign_in
from tests.directory_servers import (LDAP_ADMIN_DN, LDAP_ADMIN_PASSWORD, LDAP_GROUPS,
                                     LDAP_PEOPLE, LDAP_USERS, Slapd)


@pytest.fixture(scope="module")
def slapd():
    server = Slapd().start()
    yield server
    server.stop()


@pytest.fixture
def by_template(slapd):
    return LdapSettings(url=slapd.url, user_dn_template=f"uid={{username}},{LDAP_PEOPLE}",
                        group_base_dn=LDAP_GROUPS)


@pytest.fixture
def by_search(slapd):
    return LdapSettings(url=slapd.url, bind_dn=LDAP_ADMIN_DN, bind_password=LDAP_ADMIN_PASSWORD,
                        base_dn=LDAP_PEOPLE, group_base_dn=LDAP_GROUPS)


def test_a_person_signs_in_with_the_directory_password_and_brings_name_mail_and_groups(
        by_template):
    account = ldap_sign_in.authenticate(by_template, "Binh.TT", LDAP_USERS["binh.tt"][2])
    assert account == {"source": "ldap", "username": "binh.tt",
                       "email": "binh.tt@tayninh.gov.vn", "full_name": "Trần Thị Bình",
                       "groups": ["phong-cntt", "van-thu"]}


def test_search_then_bind_as_a_service_account_finds_the_same_person(by_search):
    account = ldap_sign_in.authenticate(by_search, "an.nv", LDAP_USERS["an.nv"][2])
    assert account["username"] == "an.nv" and account["groups"] == ["phong-cntt"]
    assert account["full_name"] == "Nguyễn Văn An"


@pytest.mark.parametrize("mode", ["by_template", "by_search"])
@pytest.mark.parametrize("username, password", [
    ("an.nv", "wrong-password"),
    ("an.nv", ""),                       # an unauthenticated bind must never count
    ("nobody", "mat-khau-an-2026"),
    ("*", "mat-khau-an-2026"),           # no filter injection in search mode
    ("an.nv,ou=people", "mat-khau-an-2026"),   # nor DN injection in template mode
    (None, "x"),
])
def test_a_wrong_pair_an_empty_password_or_an_injection_is_no_account(
        request, mode, username, password):
    assert ldap_sign_in.authenticate(request.getfixturevalue(mode), username, password) is None


def test_a_directory_that_cannot_be_reached_is_no_account_not_an_error():
    settings = LdapSettings(url="ldap://127.0.0.1:1/", user_dn_template="uid={username},o=x",
                            timeout_seconds=1)
    assert ldap_sign_in.authenticate(settings, "an.nv", "whatever-password") is None
