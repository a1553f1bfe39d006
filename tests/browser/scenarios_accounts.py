"""Browser scenario of accounts (issue 11, points 6 and 7), run by
tests/browser/runner.py like those of scenarios.py: an administrator resets a
person's password (through the API); the person signs in with the temporary one and
can do nothing but choose a new one (another screen leads back to it; a short one is
refused); with the new one they work, the notification stream opens with a one-time
ticket (never a token in a URL), an access token about to expire is renewed with the
refresh token without the person noticing, and logging out revokes the token on the
server. Screenshots: /tmp/ui-accounts-*.png."""
from __future__ import annotations

import time
import uuid

import requests
from playwright.sync_api import expect

from tests.browser.scenarios import DEMO_PASSWORD, login, logout, screenshot

NEW_PASSWORD = "Mat-khau-rieng-2026"


def api_base(page) -> str:
    return page.url.split("#")[0].rstrip("/") + "/api/v1"


def scenario_accounts(make_page, pdf_bytes):
    page = make_page()
    base = api_base(page)
    admin = requests.Session()
    admin.headers["Authorization"] = "Bearer " + requests.post(
        f"{base}/auth/login", json={"username": "admin", "password": DEMO_PASSWORD},
        timeout=30).json()["access_token"]
    unit_id = requests.post(f"{base}/auth/login", timeout=30, json={
        "username": "vanthu.stc", "password": DEMO_PASSWORD}).json()["user"][
        "memberships"][0]["unit_id"]
    username = "tk.ui." + uuid.uuid4().hex[:8]
    user = admin.post(f"{base}/users", timeout=30, json={
        "username": username, "full_name": "Trần Thị Thử", "password": DEMO_PASSWORD,
        "memberships": [{"unit_id": unit_id, "role": "specialist"}]}).json()
    temporary = admin.post(f"{base}/users/{user['id']}/password-reset",
                           timeout=30).json()["temporary_password"]

    urls = []
    page.on("request", lambda r: urls.append(r.url))
    streams = []
    page.on("response", lambda r: streams.append(r.status)
            if "/notifications/stream?" in r.url else None)

    # --- the temporary password only leads to choosing a new one
    login(page, username, temporary)
    expect(page.locator("h1")).to_have_text("Đổi mật khẩu")
    expect(page.locator(".alert-warning")).to_contain_text("đặt lại")
    page.goto(page.url.split("#")[0] + "#/inbox")
    expect(page.locator("h1")).to_have_text("Đổi mật khẩu")
    page.locator("#password-old").fill(temporary)
    page.locator("#password-new").fill("ngan")
    page.locator("#password-again").fill("ngan")
    page.locator("#password-submit").click()
    expect(page.locator("#password-message .alert-error")).to_be_visible()
    screenshot(page, "accounts-forced-change")
    page.locator("#password-new").fill(NEW_PASSWORD)
    page.locator("#password-again").fill(NEW_PASSWORD)
    page.locator("#password-submit").click()
    expect(page.locator("h1")).to_have_text("Việc cần xử lý")
    assert page.url.endswith("#/inbox")

    # --- the stream opens with a ticket; no URL ever carries a token
    deadline = time.monotonic() + 15
    while 200 not in streams and time.monotonic() < deadline:
        page.wait_for_timeout(200)
    assert 200 in streams, f"the notification stream did not open: {streams}"
    token = page.evaluate("sessionStorage.getItem('eoffice.token')")
    assert not any("access_token" in u or token in u for u in urls), urls

    # --- an access token about to expire is renewed before the next request
    refresh = page.evaluate("sessionStorage.getItem('eoffice.refresh')")
    page.evaluate("sessionStorage.setItem('eoffice.expires', String(Date.now() + 5000))")
    with page.expect_response(lambda r: r.url.endswith("/auth/refresh")) as refreshed:
        page.locator("#bell").click()
    assert refreshed.value.status == 200
    expect(page.locator("h1")).to_have_text("Thông báo")
    renewed = page.evaluate("sessionStorage.getItem('eoffice.token')")
    assert renewed   # (the same text if minted within the same second)
    assert page.evaluate("sessionStorage.getItem('eoffice.refresh')") not in (refresh, None)
    assert int(page.evaluate("sessionStorage.getItem('eoffice.expires')")) > \
        time.time() * 1000 + 60_000

    # --- logging out revokes the token on the server
    logout(page)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        status = requests.get(f"{base}/me", timeout=30,
                              headers={"Authorization": "Bearer " + renewed}).status_code
        if status == 401:
            break
        time.sleep(0.2)
    assert status == 401, "the token still works after logging out"
    login(page, username, NEW_PASSWORD)
    expect(page.locator("h1")).not_to_have_text("Đổi mật khẩu")
    screenshot(page, "accounts-signed-in")
