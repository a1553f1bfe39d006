"""Browser scenario of search beyond the journey's first query: the direction filter,
a saved search rerun from its link and forgotten, and the hits exported to Excel.
Runs after the journey, whose registered document (with its PDF) it finds."""
from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.browser.scenarios import PDF_WORD, SUBJECT, login, screenshot


def scenario_search_saved_and_exported(make_page, pdf_path=None):
    page = make_page()
    login(page, "lanhdao.stc")
    page.goto(page.url.split("#")[0] + f"#/search?q={PDF_WORD}")
    result = page.locator(".result").first
    deadline = time.monotonic() + 45
    while not result.count() and time.monotonic() < deadline:   # indexed asynchronously
        page.wait_for_timeout(1000)
        page.reload()
    expect(result.locator(".result-title")).to_have_text(SUBJECT)
    expect(result.locator(".result-meta")).to_contain_text("Đã vào sổ")

    # outgoing only: the incoming document is not among the hits
    page.select_option("#search-direction", "outgoing")
    expect(page.locator(".search-results .empty")).to_be_visible()
    assert "direction=outgoing" in page.url
    page.select_option("#search-direction", "incoming")
    expect(page.locator(".result")).to_have_count(1)

    # save it, under a name; the saved list links back to the same search
    page.locator("#save-name").fill("Án lệ về hợp đồng")
    page.locator("#save-search button[type=submit]").click()
    expect(page.locator("#save-search [role=status]")).to_have_text("Đã lưu.")
    saved_link = page.locator("#saved-searches a", has_text="Án lệ về hợp đồng")
    expect(saved_link).to_be_visible()
    page.locator("#save-search button[type=submit]").click()      # the same name again
    expect(page.locator("#save-name-error")).to_be_visible()

    # the hits as a spreadsheet
    with page.expect_download() as download:
        page.locator("#search-export-xlsx").click()
    with open(download.value.path(), "rb") as handle:
        assert handle.read(2) == b"PK"
    screenshot(page, "search-saved")

    page.goto(page.url.split("#")[0] + "#/search")
    page.locator("#saved-searches a", has_text="Án lệ về hợp đồng").click()
    expect(page.locator(".result-title").first).to_have_text(SUBJECT)
    assert "direction=incoming" in page.url
    page.get_by_role("button", name="Xóa tìm kiếm đã lưu “Án lệ về hợp đồng”").click()
    expect(page.locator("#saved-searches")).to_be_hidden()

    # a narrow screen: no sideways scroll with the filters, actions and saved list
    narrow = make_page(360, 740)
    login(narrow, "lanhdao.stc")
    narrow.goto(narrow.url.split("#")[0] + f"#/search?q={PDF_WORD}")
    expect(narrow.locator(".result").first).to_be_visible()
    assert narrow.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    screenshot(narrow, "search-narrow")
