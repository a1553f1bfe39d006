"""Sign-in through the organisation's directory, over HTTP: the gateway and documents
run as processes with LDAP pointing at a throw-away OpenLDAP server (slapd) and OpenID
Connect at a real OpenID provider (oidc-provider on Node), both started here."""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from urllib.parse import parse_qs, urlencode, urlparse, urlunparse

import pytest
import requests

from services.launcher import System
from tests.system import free_ports, release_ports
from tests.e2e.helpers import PASSWORD, Api
from tests.conftest import RABBIT_AMQP, create_vhost, delete_vhost
from tests.directory_servers import LDAP_GROUPS, LDAP_PEOPLE, LDAP_USERS, OidcProvider, Slapd

pytestmark = pytest.mark.e2e

CLIENT_ID, CLIENT_SECRET = "eoffice-gateway", "client-secret-0123456789"
OIDC_ACCOUNTS = {
    "sub-dung": {"preferred_username": "dung.pt", "name": "Phạm Thị Dung",
                 "email": "dung.pt@tayninh.gov.vn", "email_verified": True},
    "sub-stranger": {"preferred_username": "nguoi.la", "name": "Người Lạ",
                     "email": "nguoi.la@example.vn", "email_verified": True},
}


@pytest.fixture(scope="module")
def directory_system():
    """documents and the gateway (all a sign-in needs), configured for both directories,
    with unknown accounts refused and accounts matched by username. A system of its own:
    directories are configured at start-up, and the shared system's login screen (the
    browser scenarios) must not offer them."""
    slapd = Slapd().start()
    vhost = create_vhost()
    data_dir = tempfile.mkdtemp(prefix="eoffice-e2e-sso-")
    base = free_ports()
    callback = f"http://127.0.0.1:{base}/api/v1/auth/oidc/callback"
    provider = OidcProvider(CLIENT_ID, CLIENT_SECRET, [callback], OIDC_ACCOUNTS).start()
    running = System(data_dir, port=base, amqp_uri=f"{RABBIT_AMQP}/{vhost}",
                     service_port_base=base, extra_env={
                         "RPC_TIMEOUT_SECONDS": "5", "PUBLIC_URL": f"http://127.0.0.1:{base}",
                         "EOFFICE_SECRET_KEY": "e2e-sso-secret-0123456789abcdef0123456789",
                         "LDAP_URL": slapd.url,
                         "LDAP_USER_DN_TEMPLATE": f"uid={{username}},{LDAP_PEOPLE}",
                         "LDAP_GROUP_BASE_DN": LDAP_GROUPS,
                         "OIDC_ISSUER": provider.issuer, "OIDC_CLIENT_ID": CLIENT_ID,
                         "OIDC_CLIENT_SECRET": CLIENT_SECRET,
                         "DIRECTORY_MATCH_BY": "username",
                         "DIRECTORY_UNKNOWN_ACCOUNTS": "refuse",
                         # every test signs in from 127.0.0.1: the address rule has its
                         # own unit test
                         "LOGIN_ADDRESS_LIMIT": "1000"})
    try:
        # Only documents holds what a sign-in needs: its database alone is migrated.
        running._python("-m", "services.common.migrations", "upgrade", "documents")
        running._python("-m", "services.documents.seed")
        start_sign_in_services(running)
        yield running
    finally:
        running.stop()
        release_ports(base)
        provider.stop()
        slapd.stop()
        delete_vhost(vhost)
        shutil.rmtree(data_dir, ignore_errors=True)


def start_sign_in_services(running: System, timeout: float = 60):
    for name in ("documents", "gateway"):
        if name not in running.processes:
            running.start_service(name)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for name, process in running.processes.items():
            assert process.poll() is None, f"{name} exited; see {running.data_dir}/logs"
        try:
            if requests.post(f"{running.base_url}/api/v1/auth/login", timeout=5, json={
                    "username": "admin", "password": PASSWORD}).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise RuntimeError("documents and the gateway did not answer a login")


def login(system, username, password):
    return requests.post(f"{system.base_url}/api/v1/auth/login", timeout=30,
                         json={"username": username, "password": password})


def create_user(admin: Api, username, email=None):
    body = {"username": username, "full_name": username, "password": "mat-khau-cuc-bo-01",
            "memberships": [{"unit_id": admin.unit_id, "role": "specialist"}]}
    if email:
        body["email"] = email
    response = admin.post("/users", json=body)
    assert response.status_code == 201, response.text
    return response.json()


def test_the_login_screen_is_told_which_directories_are_configured(directory_system):
    methods = requests.get(f"{directory_system.base_url}/api/v1/auth/methods", timeout=10)
    assert methods.json() == {"password": True, "ldap": True,
                              "oidc": {"start_url": "/api/v1/auth/oidc/start"}}


def test_a_person_signs_in_with_the_directory_password_as_their_e_office_user(
        directory_system):
    admin = Api(directory_system.base_url, "admin")
    created = create_user(admin, "an.nv")
    response = login(directory_system, "AN.NV", LDAP_USERS["an.nv"][2])
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token",
                         "refresh_expires_in", "must_change_password", "user"}
    assert body["user"]["id"] == created["id"]
    assert body["user"]["memberships"][0]["role"] == "specialist"
    assert body["user"]["auth_source"] == "ldap"
    assert body["user"]["directory_groups"] == ["phong-cntt"]
    me = requests.get(f"{directory_system.base_url}/api/v1/me", timeout=10,
                      headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == "an.nv"
    # A directory user has no usable local password any more.
    assert login(directory_system, "an.nv", "mat-khau-cuc-bo-01").status_code == 401


def test_a_wrong_directory_password_gets_the_same_401_as_a_wrong_local_password(
        directory_system):
    wrong_directory = login(directory_system, "an.nv", "not-the-password")
    wrong_local = login(directory_system, "vanthu.stc", "not-the-password")
    assert wrong_directory.status_code == wrong_local.status_code == 401
    assert wrong_directory.json() == wrong_local.json()
    assert login(directory_system, "an.nv", "").status_code == 401


def test_an_unknown_directory_account_is_refused_when_the_administrator_says_so(
        directory_system):
    refused = login(directory_system, "binh.tt", LDAP_USERS["binh.tt"][2])
    assert refused.status_code == 401
    assert refused.json() == login(directory_system, "nobody", "x" * 12).json()


def test_a_locked_account_stays_locked_for_its_directory_password_too(directory_system):
    admin = Api(directory_system.base_url, "admin")
    create_user(admin, "giang.ht")
    failures = 0
    deadline = time.monotonic() + 60
    while failures < 5 and time.monotonic() < deadline:
        wrong = login(directory_system, "giang.ht", "not-the-password")
        if wrong.status_code == 429:     # the throttle's pause between tries
            time.sleep(int(wrong.headers.get("Retry-After", "1")))
            continue
        assert wrong.status_code == 401, wrong.text
        failures += 1
    assert failures == 5
    locked = login(directory_system, "giang.ht", LDAP_USERS["giang.ht"][2])
    assert locked.status_code == 429, locked.text
    assert int(locked.headers["Retry-After"]) > 60


def test_local_accounts_keep_signing_in_with_their_password_beside_the_directory(
        directory_system):
    assert login(directory_system, "vanthu.stc", PASSWORD).status_code == 200


def walk_to_callback(http: requests.Session, url: str, login_as: str, gateway: str) -> str:
    """Follow the provider's redirects and post its login and consent forms, as a
    browser would, up to the redirect to the gateway's callback (returned, not
    followed)."""
    response = http.get(url, allow_redirects=False, timeout=10)
    for _ in range(20):
        if response.is_redirect:
            location = requests.compat.urljoin(response.url, response.headers["Location"])
            if location.startswith(gateway):
                return location
            response = http.get(location, allow_redirects=False, timeout=10)
            continue
        form = re.search(r'action="([^"]+)"', response.text)
        prompt = re.search(r'name="prompt" value="([^"]+)"', response.text)
        assert form and prompt, response.text[:500]
        data = {"prompt": prompt.group(1)}
        if prompt.group(1) == "login":
            data |= {"login": login_as, "password": "any"}
        response = http.post(requests.compat.urljoin(response.url, form.group(1)), data=data,
                             allow_redirects=False, timeout=10)
    raise AssertionError("the provider never sent the browser back")


def oidc_start(system, http):
    start = http.get(f"{system.base_url}/api/v1/auth/oidc/start", allow_redirects=False,
                     timeout=10)
    assert start.status_code == 302
    query = parse_qs(urlparse(start.headers["Location"]).query)
    assert query["code_challenge_method"] == ["S256"] and query["code_challenge"][0]
    assert query["state"][0] and query["nonce"][0]
    assert "code_verifier" not in start.headers["Location"]
    return start.headers["Location"]


def test_openid_connect_code_flow_with_pkce_gives_a_working_e_office_token(directory_system):
    admin = Api(directory_system.base_url, "admin")
    created = create_user(admin, "dung.pt")
    http = requests.Session()
    gateway = directory_system.base_url
    callback = walk_to_callback(http, oidc_start(directory_system, http), "sub-dung",
                                gateway + "/api/v1/auth/oidc/callback")
    back = http.get(callback, allow_redirects=False, timeout=30)
    assert back.status_code == 302 and back.headers["Location"].endswith("oidc=done")
    assert "access_token" not in back.headers["Location"]
    session_cookie = back.headers["Set-Cookie"]
    assert "HttpOnly" in session_cookie and "Path=/api/v1/auth/oidc" in session_cookie
    session = http.post(f"{gateway}/api/v1/auth/oidc/session", timeout=30)
    assert session.status_code == 200, session.text
    body = session.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token",
                         "refresh_expires_in", "must_change_password", "user"}
    assert body["user"]["id"] == created["id"] and body["user"]["auth_source"] == "oidc"
    me = requests.get(f"{gateway}/api/v1/me", timeout=10,
                      headers={"Authorization": f"Bearer {body['access_token']}"})
    assert me.status_code == 200 and me.json()["username"] == "dung.pt"
    # The session is picked up once: the cookie is cleared.
    assert http.post(f"{gateway}/api/v1/auth/oidc/session", timeout=30).status_code == 401


def test_a_tampered_state_is_refused_and_gives_no_session(directory_system):
    http = requests.Session()
    gateway = directory_system.base_url
    callback = walk_to_callback(http, oidc_start(directory_system, http), "sub-dung",
                                gateway + "/api/v1/auth/oidc/callback")
    parts = urlparse(callback)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    query["state"] = query["state"][::-1]
    back = http.get(urlunparse(parts._replace(query=urlencode(query))), allow_redirects=False,
                    timeout=30)
    assert back.status_code == 302 and back.headers["Location"].endswith("oidc=failed")
    assert "eoffice_oidc_session=" not in back.headers.get("Set-Cookie", "")
    assert http.post(f"{gateway}/api/v1/auth/oidc/session", timeout=30).status_code == 401


def test_a_callback_without_the_browsers_state_cookie_is_refused(directory_system):
    http = requests.Session()
    gateway = directory_system.base_url
    callback = walk_to_callback(http, oidc_start(directory_system, http), "sub-dung",
                                gateway + "/api/v1/auth/oidc/callback")
    # Another browser (no state cookie) replaying the callback URL gets no session.
    stranger = requests.Session()
    back = stranger.get(callback, allow_redirects=False, timeout=30)
    assert back.headers["Location"].endswith("oidc=failed")
    assert stranger.post(f"{gateway}/api/v1/auth/oidc/session", timeout=30).status_code == 401


def test_an_openid_account_matching_nobody_is_refused_under_the_refuse_policy(
        directory_system):
    http = requests.Session()
    gateway = directory_system.base_url
    callback = walk_to_callback(http, oidc_start(directory_system, http), "sub-stranger",
                                gateway + "/api/v1/auth/oidc/callback")
    assert http.get(callback, allow_redirects=False, timeout=30).headers[
        "Location"].endswith("oidc=done")
    assert http.post(f"{gateway}/api/v1/auth/oidc/session", timeout=30).status_code == 401


def test_with_create_and_match_by_email_unknown_accounts_become_users_without_roles(
        directory_system):
    admin = Api(directory_system.base_url, "admin")
    known = create_user(admin, "lecuong", email="Cuong.LV@tayninh.gov.vn")
    running = directory_system
    running.stop_service("documents")
    running.env.update({"DIRECTORY_UNKNOWN_ACCOUNTS": "create",
                        "DIRECTORY_MATCH_BY": "email"})
    start_sign_in_services(running)

    matched = login(running, "cuong.lv", LDAP_USERS["cuong.lv"][2])
    assert matched.status_code == 200, matched.text
    assert matched.json()["user"]["id"] == known["id"]

    created = login(running, "binh.tt", LDAP_USERS["binh.tt"][2])
    assert created.status_code == 200, created.text
    user = created.json()["user"]
    assert (user["username"], user["full_name"], user["email"]) == (
        "binh.tt", "Trần Thị Bình", "binh.tt@tayninh.gov.vn")
    assert user["memberships"] == [] and user["clearance"] == "none"
    assert user["directory_groups"] == ["phong-cntt", "van-thu"]
    me = requests.get(f"{running.base_url}/api/v1/me", timeout=10, headers={
        "Authorization": f"Bearer {created.json()['access_token']}"})
    assert me.status_code == 200 and me.json()["memberships"] == []
    # The same person signing in again is the same user, not a second one.
    again = login(running, "binh.tt", LDAP_USERS["binh.tt"][2])
    assert again.json()["user"]["id"] == user["id"]


def test_the_web_ui_signs_in_through_ldap_and_openid_connect(directory_system):
    """Debian's Chromium (tests/browser/scenarios_directory.py, in a process of its own
    as every browser scenario), after the test above: the LDAP hint and the password
    form (a user created without roles), the OpenID Connect button through the
    provider's forms, and a sign-in cancelled at the provider."""
    chromium = os.environ.get("EOFFICE_TEST_CHROMIUM", "/usr/bin/chromium")
    result = subprocess.run(
        [sys.executable, "-m", "tests.browser.runner", directory_system.base_url,
         "directory_sign_in", "--chromium", chromium], capture_output=True, text=True,
        timeout=180, cwd=os.path.dirname(os.path.dirname(os.path.dirname(__file__))))
    assert result.returncode == 0, f"{result.stdout}\n{result.stderr}"
