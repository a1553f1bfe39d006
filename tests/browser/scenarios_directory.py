"""Browser scenario of signing in through the organisation's directory. It runs against
the system tests/e2e/test_directory_sign_in.py starts (LDAP at a throw-away slapd,
OpenID Connect at a local oidc-provider), not the browser tests' own system: only that
one has directories configured. Its accounts are that module's."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.browser.scenarios import screenshot
from tests.directory_servers import LDAP_USERS

OIDC_BUTTON = "Đăng nhập bằng tài khoản cơ quan (OpenID Connect)"


def signed_in_as(page) -> str:
    expect(page.locator("#user-name")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('eoffice.token')")
    return page.evaluate("JSON.parse(sessionStorage.getItem('eoffice.user')).username")


def scenario_directory_sign_in(make_page, pdf_path=None):
    # LDAP through the ordinary form: the screen says the directory's password works.
    # binh.tt was created at their first sign-in, without roles: the UI still works.
    page = make_page()
    expect(page.locator("#login-ldap-hint")).to_contain_text("LDAP")
    expect(page.get_by_role("link", name=OIDC_BUTTON)).to_be_visible()
    screenshot(page, "login-directory")
    page.locator("#login-username").fill("binh.tt")
    page.locator("#login-password").fill(LDAP_USERS["binh.tt"][2])
    page.get_by_role("button", name=re.compile("^Đăng nhập$")).click()
    assert signed_in_as(page) == "binh.tt"
    expect(page.locator("#user-name")).to_contain_text("Trần Thị Bình")
    screenshot(page, "signed-in-ldap-no-roles")

    # OpenID Connect: the button, the provider's own login and consent forms, back
    # signed in; no token in the address, the one-minute session cookie gone.
    page = make_page()
    page.get_by_role("link", name=OIDC_BUTTON).click()
    page.locator("input[name=login]").fill("sub-dung")
    page.locator("input[name=password]").fill("any")
    page.get_by_role("button", name="Sign-in").click()
    page.get_by_role("button", name="Continue").click()
    assert signed_in_as(page) == "dung.pt"
    assert "token" not in page.url and "code=" not in page.url
    assert not [c for c in page.context.cookies() if c["name"].startswith("eoffice_oidc")]
    screenshot(page, "signed-in-oidc")

    # A sign-in cancelled at the provider comes back to the login screen with a message.
    page = make_page()
    page.get_by_role("link", name=OIDC_BUTTON).click()
    page.get_by_role("link", name="[ Cancel ]").click()
    expect(page.locator("#login-message")).to_contain_text("không thành công")
    assert not page.evaluate("sessionStorage.getItem('eoffice.token')")
