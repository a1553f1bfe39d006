"""Browser scenario of thay thế (ND30 Điều 18.3; DOMAIN.md §2.8), run by
tests/browser/runner.py like those of scenarios.py: Sở Tài chính has issued a notice to Sở
Nội vụ (through the API); its specialist drafts, in the browser, a notice that replaces it,
choosing "Thay thế văn bản đã ban hành" and picking the notice by its ký hiệu among the
unit's issued documents; the draft shows "Thay thế văn bản 12/TB-STC — …" as a link. Once
it is issued (through the API), Sở Nội vụ's văn thư opens the new incoming document, sees
what it replaces, follows the link and finds the old one "Đã bị thay thế bởi" the new one.
Screenshots: /tmp/ui-replacement-*.png."""
from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.browser.scenarios import login, logout, screenshot
from tests.e2e.helpers import Api, draft, step, through_signature


def issue(people: dict, doc_id: str) -> dict:
    through_signature(people, doc_id)
    assert step(people["vanthu.stc"], doc_id, "number").status_code == 200
    issued = step(people["vanthu.stc"], doc_id, "issue")
    assert issued.status_code == 200, issued.text
    return issued.json()


def scenario_replacement_drafted_in_the_form_and_linked_on_both_sides(make_page, pdf_path=None):
    stamp = time.strftime("%H%M%S")
    page = make_page()
    base = page.url.split("#")[0].rstrip("/")
    people = {name: Api(base, name) for name in (
        "chuyenvien.stc", "lanhdao.stc", "vanthu.stc", "vanthu.snv")}
    to_snv = [{"unit_id": people["vanthu.snv"].unit_id}]
    old = issue(people, draft(people["chuyenvien.stc"], to_snv,
                              subject=f"Thông báo lịch trực Tết ({stamp})").json()["id"])
    old_code = f"{old['code_number']}/{old['code_notation']}"
    subject = f"Thông báo lịch trực Tết, thay thế ({stamp})"

    login(page, "chuyenvien.stc")
    page.get_by_role("link", name="Văn bản đi", exact=True).click()
    page.wait_for_selector(".data-table, .empty")
    page.locator("#draft-new").click()
    expect(page.locator("h1")).to_have_text("Soạn dự thảo văn bản đi")
    page.locator("#f-document_type").select_option("TB")
    page.locator("#f-subject").fill(subject)
    page.locator("#f-recipients").fill("Nội vụ")
    page.locator("#f-unit-search-button").click()
    found = page.locator("#f-unit-results li").filter(has_text="Sở Nội vụ tỉnh Tây Ninh")
    found.get_by_role("button", name="Thêm Sở Nội vụ tỉnh Tây Ninh vào nơi nhận").click()
    expect(page.locator("#f-related-doc")).to_be_hidden()      # no relation until chosen
    page.locator("#f-related-kind").select_option("replaces")
    expect(page.locator(f"#f-related-doc option[value='{old['id']}']")).to_have_count(1)
    page.locator("#f-related-filter").fill(old_code)
    options = page.locator("#f-related-doc option")
    expect(options).to_have_count(2)                            # "Chọn văn bản" and the one
    page.locator("#f-related-doc").select_option(old["id"])
    screenshot(page, "replacement-form")
    page.locator("#draft-save").click()
    expect(page.locator("h1")).to_have_text(subject)
    expect(page.locator("#doc-related")).to_contain_text(old_code)
    new_id = page.url.split("#/outgoing/")[1]
    logout(page)

    issued = issue(people, new_id)
    new_incoming = issued["recipients"][0]["incoming_id"]
    login(page, "vanthu.snv")
    page.goto(f"{base}/#/documents/{new_incoming}")
    expect(page.locator("h1")).to_have_text(subject)
    expect(page.locator("#doc-related")).to_contain_text("Thông báo lịch trực Tết")
    expect(page.locator("#doc-related-link")).to_contain_text(old_code)
    screenshot(page, "replacement-incoming")
    page.locator("#doc-related-link").click()
    expect(page.locator("h1")).to_have_text(f"Thông báo lịch trực Tết ({stamp})")
    expect(page.locator("#doc-replaced-by")).to_contain_text(subject)
    screenshot(page, "replacement-replaced")
