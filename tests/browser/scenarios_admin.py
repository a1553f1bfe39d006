"""Browser scenario of administration per unit (run by tests/browser/runner.py, see
test_web_ui_admin.py).

- Alerts of changes of rights: the quản trị of phường Tân Ninh gives someone a role
  in an office below the ward (HTTP API); the ward's head is notified, follows the
  notification to the settings page, finds the change waiting for his confirmation
  with who made it, confirms it, and it no longer waits; the quản trị's settings
  page, with the panel, fits 360 px.
Screenshots: /tmp/ui-admin-*.png."""
from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.browser.scenarios import NO_HORIZONTAL_SCROLL, login, logout, screenshot
from tests.browser.scenarios_reports import Http, wait_until

PASSWORD = "mat-khau-dai-2026"


def scenario_rights_alert_confirmed(make_page, pdf_path=None):
    page = make_page()
    login(page, "lanhdao.tanninh")   # the page's URL gives the API's address
    commune_admin = Http(page, "quantri.tanninh")
    full_name = f"Người thử {uuid.uuid4().hex[:6]}"
    # in an office of its own below the ward (which has no head: the ward's is told)
    office = commune_admin.post("/units", json={
        "parent_id": commune_admin.unit_id, "name": f"Bộ phận thử {full_name[-6:]}",
        "level": "commune_office"})
    assert office.status_code == 201, office.text
    created = commune_admin.post("/users", json={
        "username": f"u{uuid.uuid4().hex[:10]}", "full_name": full_name,
        "password": PASSWORD, "memberships": [{"unit_id": office.json()["id"],
                                               "role": "clerk"}]})
    assert created.status_code == 201, created.text

    # the head is told (notify, from the rights_changed event); the note opens settings
    head = Http(page, "lanhdao.tanninh")
    assert wait_until(lambda: any(full_name in n["title"] for n in head.get(
        "/notifications").json()["items"]))
    page.locator("[data-nav=notifications]").click()
    note = page.locator("li.note", has_text=full_name)
    expect(note).to_contain_text("Cần xác nhận: tạo tài khoản")
    note.get_by_role("link", name="Cài đặt").click()
    expect(page.locator("h1")).to_have_text("Cài đặt")
    panel = page.locator("#rights-alerts")
    expect(panel).to_be_visible()
    alert = panel.locator("li.rights-alert", has_text=full_name)
    expect(alert).to_contain_text("Tạo tài khoản")
    expect(alert).to_contain_text("Lâm Văn Phúc")          # quantri.tanninh made it
    screenshot(page, "admin-rights-alert")
    alert.get_by_role("button", name="Xác nhận").click()
    expect(alert).to_contain_text("Đã xác nhận.")
    page.reload()
    expect(page.locator("#rights-alerts li.rights-alert", has_text=full_name)).to_have_count(0)
    logout(page)

    narrow = make_page(360, 780)
    login(narrow, "quantri.tanninh")
    narrow.locator("[data-nav=settings]").click()
    expect(narrow.locator("#rights-alerts")).to_be_visible()
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the settings page"
    screenshot(narrow, "admin-settings-narrow")
