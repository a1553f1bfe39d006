"""Browser scenarios of search beyond the journey's first query: the direction filter,
the order (newest first), a saved search rerun from its link and forgotten, the hits
exported to Excel, approximate matches of a misspelt word; and an administrator
rebuilding the search index from the settings page.

They run after the journey and the duplicate check (test_web_ui.py): the Sở Tài
chính holds the journey's document (số đến 1, with its PDF) and its duplicate (số đến
2, the same particulars, no file)."""
from __future__ import annotations

import re
import time
from urllib.parse import quote

from playwright.sync_api import expect

from tests.browser.scenarios import NO_HORIZONTAL_SCROLL, PDF_WORD, SUBJECT, login, screenshot
from tests.browser.scenarios_reports import Http

#: A typo of "cao" (tối cao): nothing matches as typed, both documents approximately.
MISSPELT = "Tòa án tối caoo"
FUZZY_NOTICE = ("Không có kết quả khớp chính xác; đang hiện các kết quả gần đúng "
                f"với “{MISSPELT}”.")


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

    # a later page asks for no facets: it shows those the first page brought
    with page.expect_request(lambda r: "/api/v1/search?" in r.url and "page=2" in r.url) as later:
        page.goto(page.url.split("#")[0] + f"#/search?q={PDF_WORD}&direction=incoming&page=2")
    assert "facets=false" in later.value.url
    expect(page.locator(".facet-btn").filter(has_text="Công văn")).to_contain_text("1")
    page.go_back()
    expect(page.locator(".result")).to_have_count(1)

    # newest first: in the URL, and the hit says when it came
    page.select_option("#search-sort", "date")
    expect(page).to_have_url(re.compile(r"sort=date"))
    expect(page.locator(".result-meta").first).to_contain_text(
        re.compile(r"Ngày đến \d{2}/\d{2}/\d{4}"))

    # save it, under a name; the saved list links back to the same search
    page.locator("#save-name").fill("Án lệ về hợp đồng")
    page.locator("#save-search button[type=submit]").click()
    expect(page.locator("#save-search [role=status]")).to_have_text("Đã lưu.")
    saved_link = page.locator("#saved-searches a", has_text="Án lệ về hợp đồng")
    expect(saved_link).to_be_visible()
    page.locator("#save-search button[type=submit]").click()      # the same name again
    expect(page.locator("#save-name-error")).to_be_visible()

    # the hits as a spreadsheet, in the same order
    with page.expect_download() as download, \
            page.expect_request(lambda r: "/search/export" in r.url) as export:
        page.locator("#search-export-xlsx").click()
    assert "sort=date" in export.value.url and "direction=incoming" in export.value.url
    with open(download.value.path(), "rb") as handle:
        assert handle.read(2) == b"PK"
    screenshot(page, "search-saved")

    page.goto(page.url.split("#")[0] + "#/search")
    page.locator("#saved-searches a", has_text="Án lệ về hợp đồng").click()
    expect(page.locator(".result-title").first).to_have_text(SUBJECT)
    assert "direction=incoming" in page.url and "sort=date" in page.url
    expect(page.locator("#search-sort")).to_have_value("date")
    page.get_by_role("button", name="Xóa tìm kiếm đã lưu “Án lệ về hợp đồng”").click()
    expect(page.locator("#saved-searches")).to_be_hidden()

    # The clerk, on a narrow screen, misspells a word: told the hits are approximate,
    # the journey's document (its PDF matches too) first; then newest first.
    narrow = make_page(360, 740)
    login(narrow, "vanthu.stc")
    narrow.goto(narrow.url.split("#")[0] + f"#/search?q={quote(MISSPELT)}")
    hits = narrow.locator(".result")
    deadline = time.monotonic() + 20   # the duplicate is indexed within a second or two
    while hits.count() < 2 and time.monotonic() < deadline:
        narrow.wait_for_timeout(500)
        narrow.reload()
        narrow.wait_for_selector(".result-count, .search-results .empty")
    expect(narrow.locator("#search-fuzzy")).to_have_text(FUZZY_NOTICE)
    expect(hits).to_have_count(2)
    expect(hits.first.locator(".result-title")).to_have_text(SUBJECT)
    expect(hits.first.locator(".result-meta")).to_contain_text(re.compile(r"Số đến 1\b"))
    expect(hits.first.locator(".snippet mark").first).to_be_visible()
    expect(narrow.locator("#search-hint")).to_contain_text("quyết*")
    narrow.select_option("#search-sort", "date")
    expect(narrow).to_have_url(re.compile(r"sort=date"))
    expect(hits.first.locator(".result-meta")).to_contain_text(re.compile(r"Số đến 2\b"))
    expect(hits.nth(1).locator(".result-meta")).to_contain_text(re.compile(r"Số đến 1\b"))
    expect(narrow.locator("#search-fuzzy")).to_be_visible()
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL)
    screenshot(narrow, "search-narrow")


def scenario_search_index_rebuilt(make_page, pdf_path=None):
    page = make_page()
    login(page, "admin")
    page.goto(page.url.split("#")[0] + "#/settings")
    panel = page.get_by_role("region", name="Chỉ mục tìm kiếm")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("tìm kiếm vẫn trả lời từ chỉ mục hiện tại")
    start = page.locator("#reindex-start")
    status = page.locator("#reindex-status")
    expect(start).to_be_enabled()

    # a rebuild from the button: no second one while it runs, then done at 100 %
    start.click()
    expect(start).to_be_disabled()
    expect(status).to_contain_text("100 %", timeout=60_000)
    expect(page.locator("#reindex-state")).to_have_text("Hoàn tất")
    expect(page.locator("#reindex-progress")).to_have_js_property("value", 100)
    expect(page.locator("#reindex-finished-at")).to_have_text(
        re.compile(r"\d{2}:\d{2} \d{2}/\d{2}/\d{4}"))
    expect(start).to_be_enabled()
    admin = Http(page, "admin")
    state = admin.get("/search/reindex").json()
    assert state["run"]["state"] == "done" and state["index_documents"] >= 2, state
    expect(page.locator("#index-documents")).to_have_text(str(state["index_documents"]))
    expect(status).to_contain_text(f"{state['run']['documents']} văn bản")
    screenshot(page, "search-index")

    # one already running (through the API): the button is refused with the reason,
    # and the page follows that run to its end
    started = admin.post("/search/reindex")
    assert started.status_code == 202, started.text
    start.click()
    expect(page.locator("#reindex-refused")).to_have_text(
        "Đang xây dựng lại chỉ mục tìm kiếm; hãy chờ lần này xong.")
    expect(page.locator("#reindex-run")).to_have_attribute("data-run", started.json()["id"])
    expect(page.locator("#reindex-state")).to_have_text("Hoàn tất", timeout=60_000)
    expect(start).to_be_enabled()


def scenario_unreadable_attachment_is_explained(make_page, pdf_path=None):
    """A clerk of UBND tỉnh attaches a password-protected PDF: the document's page
    says, next to the file, that it cannot be found by its content, and why."""
    import tempfile
    from pathlib import Path

    import requests

    from tests.browser.scenarios_reports import wait_until
    from tests.unit.storage.samples import encrypted_pdf

    page = make_page()
    clerk = Http(page, "vanthu.ubnd")
    with tempfile.TemporaryDirectory() as folder:
        data = encrypted_pdf(Path(folder) / "mat-khau.pdf").read_bytes()
    upload = clerk.post("/uploads", json={"filename": "to-trinh-co-mat-khau.pdf",
                                          "size": len(data), "content_type": "application/pdf"})
    assert upload.status_code == 201, upload.text
    put = requests.put(upload.json()["upload_url"], data=data, timeout=30,
                       headers={"Content-Type": "application/pdf"})
    assert put.status_code == 201, put.text
    file_id = upload.json()["file_id"]
    attached = clerk.post("/incoming", json={
        "unit_id": clerk.unit_id, "code_number": "9902", "code_notation": "BTC-KT",
        "issued_date": "2026-01-05", "issuer": {"name": "Bộ Tài chính",
                                                "organ_id": "000.00.00.G12"},
        "document_type": "CV", "subject": "Tờ trình kèm bản PDF có mật khẩu",
        "urgency": "normal", "confidentiality": "none", "page_amount": 1,
        "file_ids": [file_id]})
    assert attached.status_code == 201, attached.text
    assert wait_until(lambda: clerk.get(f"/files/{file_id}").json()["text_status"] == "failed")

    login(page, "vanthu.ubnd")
    page.goto(page.url.split("#")[0] + f"#/documents/{attached.json()['id']}")
    note = page.locator(".attachment .file-text-note.is-problem")
    expect(note).to_contain_text("Không tìm được theo nội dung: Tệp có mật khẩu")
    expect(page.locator(".attachment .file-name")).to_have_text("to-trinh-co-mat-khau.pdf")
    screenshot(page, "attachment-unreadable")
