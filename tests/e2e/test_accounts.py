"""Accounts through the gateway (issue 11, points 6–8): sessions with short access
tokens and rotating refresh tokens, logout, deactivation, role changes and password
resets that take effect at once, the live stream opened with a one-time ticket and
closed when its session ends, no token or signature in a log line, and the sign-in
throttle."""
import json
import os
import time
import uuid

import pytest
import requests
from tests.e2e.helpers import PASSWORD, Api



@pytest.fixture(scope="module")
def admin(system):
    return Api(system.base_url, "admin", language="en")


@pytest.fixture(scope="module")
def stc_unit(system):
    return Api(system.base_url, "vanthu.stc").unit_id


def new_user(admin, unit_id, role="specialist"):
    username = "tk." + uuid.uuid4().hex[:10]
    created = admin.post("/users", json={
        "username": username, "full_name": "Người thử " + username, "password": PASSWORD,
        "memberships": [{"unit_id": unit_id, "role": role}]})
    assert created.status_code == 201, created.text
    return created.json()


def sign_in(system, username, password=PASSWORD):
    return requests.post(f"{system.base_url}/api/v1/auth/login", timeout=30,
                         json={"username": username, "password": password})


def bearer(token):
    return {"Authorization": "Bearer " + token, "Accept-Language": "en"}


def get(system, path, token):
    return requests.get(f"{system.base_url}/api/v1{path}", headers=bearer(token), timeout=30)


def post(system, path, token=None, **kwargs):
    headers = bearer(token) if token else {"Accept-Language": "en"}
    return requests.post(f"{system.base_url}/api/v1{path}", headers=headers, timeout=30,
                         **kwargs)


def test_sign_in_gives_a_short_access_token_and_a_refresh_token_that_rotates(system,
                                                                            admin, stc_unit):
    user = new_user(admin, stc_unit)
    signed = sign_in(system, user["username"]).json()
    assert signed["refresh_token"] and signed["must_change_password"] is False
    assert signed["expires_in"] <= 3600 and signed["refresh_expires_in"] > signed["expires_in"]

    rotated = post(system, "/auth/refresh", json={"refresh_token": signed["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    assert rotated.json()["refresh_token"] != signed["refresh_token"]
    assert get(system, "/me", rotated.json()["access_token"]).status_code == 200


def test_a_refresh_token_used_twice_revokes_its_whole_session(system, admin, stc_unit):
    user = new_user(admin, stc_unit)
    signed = sign_in(system, user["username"]).json()
    first = post(system, "/auth/refresh", json={"refresh_token": signed["refresh_token"]})
    assert first.status_code == 200

    again = post(system, "/auth/refresh", json={"refresh_token": signed["refresh_token"]})
    assert again.status_code == 401 and again.json()["error"] == "UNAUTHENTICATED"
    # the thief's copy and the owner's newer tokens alike are dead now
    assert post(system, "/auth/refresh",
                json={"refresh_token": first.json()["refresh_token"]}).status_code == 401
    assert get(system, "/me", first.json()["access_token"]).status_code == 401
    assert get(system, "/me", signed["access_token"]).status_code == 401


def test_logout_revokes_the_access_and_refresh_tokens_at_once(system, admin, stc_unit):
    user = new_user(admin, stc_unit)
    signed = sign_in(system, user["username"]).json()
    assert get(system, "/me", signed["access_token"]).status_code == 200

    assert post(system, "/auth/logout", signed["access_token"]).status_code == 200
    refused = get(system, "/me", signed["access_token"])
    assert refused.status_code == 401 and refused.json()["error"] == "UNAUTHENTICATED"
    assert post(system, "/auth/refresh",
                json={"refresh_token": signed["refresh_token"]}).status_code == 401


def test_a_deactivated_user_is_refused_at_once_and_cannot_sign_in_until_reactivated(
        system, admin, stc_unit):
    user = new_user(admin, stc_unit)
    signed = sign_in(system, user["username"]).json()
    assert get(system, "/inbox", signed["access_token"]).status_code == 200

    closed = admin.post(f"/users/{user['id']}/deactivate")
    assert closed.status_code == 200 and closed.json()["active"] is False
    assert get(system, "/inbox", signed["access_token"]).status_code == 401
    assert post(system, "/auth/refresh",
                json={"refresh_token": signed["refresh_token"]}).status_code == 401
    assert sign_in(system, user["username"]).status_code == 401

    assert admin.post(f"/users/{user['id']}/reactivate").status_code == 200
    assert sign_in(system, user["username"]).status_code == 200


def test_only_an_administrator_deactivates_and_not_himself(system, admin, stc_unit):
    user = new_user(admin, stc_unit)
    clerk = Api(system.base_url, "vanthu.stc", language="en")
    assert clerk.post(f"/users/{user['id']}/deactivate").status_code == 403
    assert admin.post(f"/users/{admin.user['id']}/deactivate").status_code == 409


def test_a_change_of_roles_stops_the_old_token_and_the_refresh_carries_the_new_roles(
        system, admin, stc_unit):
    user = new_user(admin, stc_unit, role="specialist")
    signed = sign_in(system, user["username"]).json()
    assert get(system, "/me", signed["access_token"]).status_code == 200

    changed = admin.http.put(f"{admin.base}/users/{user['id']}/memberships", timeout=30,
                             json={"memberships": [{"unit_id": stc_unit, "role": "clerk"}]})
    assert changed.status_code == 200, changed.text
    assert get(system, "/me", signed["access_token"]).status_code == 401

    fresh = post(system, "/auth/refresh", json={"refresh_token": signed["refresh_token"]})
    assert fresh.status_code == 200
    assert [m["role"] for m in fresh.json()["user"]["memberships"]] == ["clerk"]
    assert get(system, "/me", fresh.json()["access_token"]).status_code == 200


def test_a_reset_password_must_be_changed_at_the_next_sign_in(system, admin, stc_unit):
    user = new_user(admin, stc_unit)
    before = sign_in(system, user["username"]).json()

    reset = admin.post(f"/users/{user['id']}/password-reset")
    assert reset.status_code == 200, reset.text
    temporary = reset.json()["temporary_password"]
    assert get(system, "/me", before["access_token"]).status_code == 401
    assert sign_in(system, user["username"]).status_code == 401   # the old password is gone

    signed = sign_in(system, user["username"], temporary).json()
    assert signed["must_change_password"] is True
    blocked = get(system, "/inbox", signed["access_token"])
    assert blocked.status_code == 403 and blocked.json()["error"] == "PASSWORD_CHANGE_REQUIRED"

    weak = post(system, "/auth/password", signed["access_token"],
                json={"old_password": temporary, "new_password": "short"})
    assert weak.status_code == 400 and "new_password" in weak.json()["details"]
    mine = "Mat-khau-moi-2026"
    changed = post(system, "/auth/password", signed["access_token"],
                   json={"old_password": temporary, "new_password": mine})
    assert changed.status_code == 200, changed.text
    assert changed.json()["must_change_password"] is False
    assert get(system, "/inbox", changed.json()["access_token"]).status_code == 200
    assert get(system, "/me", signed["access_token"]).status_code == 401
    assert sign_in(system, user["username"], mine).status_code == 200


def test_a_person_changes_their_own_password_under_the_policy(system, admin, stc_unit):
    user = new_user(admin, stc_unit)
    token = sign_in(system, user["username"]).json()["access_token"]
    wrong_old = post(system, "/auth/password", token,
                     json={"old_password": "not-my-password", "new_password": "Hop-le-2026-x"})
    assert wrong_old.status_code == 400 and "old_password" in wrong_old.json()["details"]
    with_name = post(system, "/auth/password", token,
                     json={"old_password": PASSWORD,
                           "new_password": user["username"] + "-2026"})
    assert with_name.status_code == 400 and "new_password" in with_name.json()["details"]
    assert sign_in(system, user["username"]).status_code == 200   # nothing changed


def read_events(lines, until, seconds=20):
    """(event, data) pairs from the lines of a server-sent-events response (one
    iterator for the whole response) until ``until`` is seen."""
    seen, event, deadline = [], None, time.monotonic() + seconds
    for line in lines:
        if line.startswith("event: "):
            event = line[7:]
        elif line.startswith("data: "):
            seen.append((event, json.loads(line[6:])))
            if event == until:
                return seen
        if time.monotonic() > deadline:
            break
    return seen


def test_the_stream_opens_with_a_one_time_ticket_and_never_with_a_token_in_the_url(
        system, admin, stc_unit):
    user = new_user(admin, stc_unit)
    token = sign_in(system, user["username"]).json()["access_token"]
    ticket = post(system, "/notifications/stream-ticket", token)
    assert ticket.status_code == 201 and ticket.json()["expires_in"] <= 30
    stream_url = f"{system.base_url}/api/v1/notifications/stream"

    with requests.get(stream_url, params={"ticket": ticket.json()["ticket"]}, stream=True,
                      timeout=30) as opened:
        assert opened.status_code == 200
        lines = opened.iter_lines(chunk_size=1, decode_unicode=True)
        assert read_events(lines, "unread")[-1][0] == "unread"

    again = requests.get(stream_url, params={"ticket": ticket.json()["ticket"]}, timeout=30)
    assert again.status_code == 401
    in_url = requests.get(stream_url, params={"access_token": token}, timeout=30)
    assert in_url.status_code == 401 and in_url.json()["error"] == "UNAUTHENTICATED"


def test_the_stream_ends_when_its_session_is_revoked(system, admin, stc_unit):
    user = new_user(admin, stc_unit)
    token = sign_in(system, user["username"]).json()["access_token"]
    ticket = post(system, "/notifications/stream-ticket", token).json()["ticket"]
    with requests.get(f"{system.base_url}/api/v1/notifications/stream",
                      params={"ticket": ticket}, stream=True, timeout=30) as opened:
        lines = opened.iter_lines(chunk_size=1, decode_unicode=True)
        assert read_events(lines, "unread")
        started = time.monotonic()
        assert post(system, "/auth/logout", token).status_code == 200
        events = read_events(lines, "end", seconds=10)
    assert events and events[-1] == ("end", {"reason": "revoked"})
    assert time.monotonic() - started < 10


def test_no_token_or_signature_reaches_a_log_line(system, pdf_bytes):
    clerk = Api(system.base_url, "vanthu.stc")
    put, file_id = clerk.upload("giay-moi.pdf", pdf_bytes)
    assert put.status_code in (200, 201), put.text
    link = clerk.http.get(f"{clerk.base}/files/{file_id}/content", allow_redirects=False,
                          timeout=30)
    assert link.status_code == 302
    signature = requests.utils.urlparse(link.headers["Location"]).query
    signature = dict(p.split("=", 1) for p in signature.split("&"))["signature"]
    assert requests.get(link.headers["Location"], timeout=30).status_code == 200
    token = clerk.http.headers["Authorization"].split()[1]
    # a token in a URL is refused, and not written down either
    requests.get(f"{system.base_url}/api/v1/notifications/stream",
                 params={"access_token": token}, timeout=30)
    time.sleep(1)

    logs = ""
    for name in ("gateway", "storage"):
        with open(os.path.join(system.data_dir, "logs", f"{name}.log"), errors="replace") as f:
            logs += f.read()
    assert f"/files/{file_id}/content" in logs   # the request lines are logged …
    assert "signature=[redacted]" in logs and "access_token=[redacted]" in logs
    assert signature not in logs and token not in logs   # … without their secrets


def test_repeated_failures_get_429_with_retry_after_then_a_lockout_and_are_audited(
        system, admin, stc_unit):
    user = new_user(admin, stc_unit)
    for _ in range(3):
        assert sign_in(system, user["username"], "sai-mat-khau").status_code == 401
    slowed = sign_in(system, user["username"], "sai-mat-khau")
    assert slowed.status_code == 429 and slowed.json()["error"] == "TOO_MANY_REQUESTS"
    assert 1 <= int(slowed.headers["Retry-After"]) <= 2

    time.sleep(int(slowed.headers["Retry-After"]) + 0.2)
    assert sign_in(system, user["username"], "sai-mat-khau").status_code == 401
    wait = int(sign_in(system, user["username"], "sai-mat-khau").headers["Retry-After"])
    time.sleep(wait + 0.2)
    assert sign_in(system, user["username"], "sai-mat-khau").status_code == 401   # the 5th

    locked = sign_in(system, user["username"])   # even the right password waits now
    assert locked.status_code == 429
    assert 14 * 60 <= int(locked.headers["Retry-After"]) <= 15 * 60
    # another account from the same address is not locked by this one
    assert sign_in(system, "vanthu.snv").status_code == 200

    audit = admin.get("/audit", params={"action": "login_failed", "object_id": user["id"]})
    assert audit.status_code == 200
    assert audit.json()["total"] == 5
    assert "sai-mat-khau" not in audit.text
