"""Browser scenarios of the web UI, run by tests/browser/runner.py in a process of
its own (see test_web_ui.py for why) against the whole running system.

The journey: a clerk (vanthu.stc) registers an incoming document with a real PDF and
sees it in the register with số đến 1; the head of the unit (lanhdao.stc) sees the
unread badge and the item in their inbox, and finds the document by a word that
occurs only inside the PDF, with the hit marked in the snippet. Then: validation
errors next to their fields, the duplicate confirmation, English, a narrow screen,
an expired session. Screenshots of every main screen go to /tmp/ui-*.png."""
from __future__ import annotations

import glob
import os
import re
import time
from datetime import date, timedelta

from playwright.sync_api import expect

DEMO_PASSWORD = "eoffice@2026"
SCREENSHOT_DIR = os.environ.get("EOFFICE_UI_SCREENSHOTS", "/tmp")
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PDF_WORD = "Iphone"   # occurs in the PDF's text, nowhere in the document's particulars
SUBJECT = "Về việc phổ biến Án lệ số 57/2023/AL của Tòa án nhân dân tối cao"
ISSUER = "Tòa án nhân dân tối cao"


def fixture_pdf() -> str | None:
    found = sorted(glob.glob(os.path.join(ROOT, "tests", "fixtures", "docs", "*.pdf")))
    return found[0] if found else None


def screenshot(page, name: str, full_page: bool = True) -> str:
    path = os.path.join(SCREENSHOT_DIR, f"ui-{name}.png")
    page.screenshot(path=path, full_page=full_page)
    return path


def login(page, username: str, password: str = DEMO_PASSWORD) -> None:
    page.locator("#login-username").fill(username)
    page.locator("#login-password").fill(password)
    page.get_by_role("button", name=re.compile("^(Đăng nhập|Log in)$")).click()
    expect(page.locator("#user-name")).to_be_visible()


def logout(page) -> None:
    page.locator("#logout").click()
    expect(page.locator("#login-username")).to_be_visible()


def fill_registration(page, *, code_number="57", code_notation="TANDTC-AL", urgency="urgent",
                      subject=SUBJECT, due_in_days=10) -> None:
    page.locator("#f-code_number").fill(code_number)
    page.locator("#f-code_notation").fill(code_notation)
    page.locator("#f-issued_date").fill("2023-02-24")
    page.locator("#f-document_type").select_option("CV")
    page.locator("#f-subject").fill(subject)
    page.locator("#f-page_amount").fill("8")
    page.locator("#f-issuer-name").fill(ISSUER)
    page.locator("#f-signer-position").fill("Chánh án")
    page.locator("#f-signer-full_name").fill("Nguyễn Hòa Bình")
    page.locator(f"#f-urgency-{urgency}").check()
    page.locator("#f-due_date").fill((date.today() + timedelta(days=due_in_days)).isoformat())


def upload(page, path: str) -> None:
    page.locator("#f-files").set_input_files(path)
    item = page.locator(".file-item").filter(has_text=os.path.basename(path))
    expect(item).to_have_class(re.compile(r"\bis-done\b"), timeout=30_000)


def scenario_clerk_registers_and_leader_finds_it(make_page, pdf_path):
    started = time.monotonic()
    page = make_page()

    # --- Login screen
    expect(page.locator("h1")).to_have_text("Đăng nhập")
    expect(page.locator("label[for=login-username]")).to_have_text("Tên đăng nhập")
    screenshot(page, "login", full_page=False)

    # --- The clerk: header with the user, the unit and the role
    login(page, "vanthu.stc")
    expect(page.locator("#user-name")).to_have_text("Phạm Thị Lan")
    expect(page.locator("#user-unit")).to_contain_text("Sở Tài chính tỉnh Tây Ninh")
    expect(page.locator("#user-unit")).to_contain_text("Văn thư")
    expect(page.locator("h1")).to_have_text("Văn bản đến")
    assert page.evaluate("sessionStorage.getItem('eoffice.token')")
    expect(page.locator(".empty")).to_be_visible()

    # --- Vào sổ văn bản đến: upload the PDF (reserve, PUT with progress), register
    page.get_by_role("link", name="Vào sổ văn bản đến").first.click()
    expect(page.locator("h1")).to_have_text("Vào sổ văn bản đến")
    upload(page, pdf_path)
    fill_registration(page)
    screenshot(page, "register")
    page.get_by_role("button", name="Vào sổ", exact=True).click()

    # --- Back in the list: số đến 1, newest first
    expect(page.locator(".alert-success")).to_contain_text("số đến 1")
    first_row = page.locator(".data-table tbody tr").first
    expect(first_row.locator("td").first).to_have_text("1")
    expect(first_row).to_contain_text(SUBJECT)
    expect(first_row).to_contain_text("57/TANDTC-AL")
    expect(first_row.locator(".badge.urgency-urgent")).to_have_text("KHẨN")
    screenshot(page, "incoming")

    # --- Detail with the attachment; the download goes through the 302 to storage
    first_row.get_by_role("link", name=SUBJECT).click()
    expect(page.locator("h1")).to_have_text(SUBJECT)
    expect(page.locator("#doc-arrival-number")).to_have_text("1")
    expect(page.locator(".attachment .file-name")).to_have_text(os.path.basename(pdf_path))
    with page.expect_download() as download_info:
        page.locator(".download-link").click()
    download = download_info.value
    assert download.suggested_filename == os.path.basename(pdf_path)
    with open(download.path(), "rb") as got, open(pdf_path, "rb") as want:
        assert got.read() == want.read()
    screenshot(page, "document")
    logout(page)

    # --- The head of the unit: the unread badge and the item in the inbox
    login(page, "lanhdao.stc")
    expect(page.locator("#user-unit")).to_contain_text("Lãnh đạo cơ quan")
    expect(page.locator("h1")).to_have_text("Việc cần xử lý")
    deadline = time.monotonic() + 30
    while not page.locator("#unread-badge").is_visible() and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.reload()
    expect(page.locator("#unread-badge")).to_have_text("1")
    item = page.locator(".data-table tbody tr").filter(has_text=SUBJECT)
    deadline = time.monotonic() + 20
    while not item.count() and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.reload()
    expect(item).to_have_count(1)
    expect(item.locator(".badge.urgency-urgent")).to_have_text("KHẨN")
    expect(item).to_contain_text("57/TANDTC-AL")
    screenshot(page, "inbox")

    # --- Notifications: listed unread, then all marked read
    page.locator("#bell").click()
    expect(page.locator("h1")).to_have_text("Thông báo")
    note = page.locator(".note.is-unread")
    expect(note).to_have_count(1)
    expect(note).to_contain_text("Văn bản đến số 1")
    screenshot(page, "notifications")
    page.locator("#mark-all-read").click()
    expect(page.locator(".note.is-unread")).to_have_count(0)
    expect(page.locator("#unread-badge")).to_be_hidden()

    # --- Search a word found only inside the PDF: the hit is marked in the snippet
    page.get_by_role("link", name="Tìm kiếm", exact=True).click()
    expect(page.locator("h1")).to_have_text("Tìm kiếm văn bản")
    page.get_by_label("Từ khóa").fill(PDF_WORD)
    page.get_by_label("Từ khóa").press("Enter")
    marks = page.locator(".snippet mark")
    deadline = time.monotonic() + 45   # the PDF's text is extracted and indexed asynchronously
    while True:
        page.wait_for_selector(".result-count, .search-results .empty, .search-results .alert")
        if marks.count() or time.monotonic() > deadline:
            break
        page.wait_for_timeout(1000)
        page.get_by_role("button", name="Tìm", exact=True).click()
    expect(marks.first).to_be_visible()
    assert marks.first.inner_text().lower() == PDF_WORD.lower()
    result = page.locator(".result").first
    expect(result.locator(".result-title")).to_have_text(SUBJECT)
    expect(result.locator(".badge.urgency-urgent")).to_have_text("KHẨN")
    expect(page.locator(".facet-btn").filter(has_text="Công văn")).to_contain_text("1")
    # the snippet holds text and <mark> only
    assert page.locator(".snippet *:not(mark)").count() == 0
    screenshot(page, "search")

    # --- System status from /health
    page.get_by_role("link", name="Hệ thống", exact=True).click()
    expect(page.locator("h1")).to_have_text("Tình trạng hệ thống")
    expect(page.locator(".status-card.is-up")).to_have_count(5)
    expect(page.locator(".alert-success")).to_be_visible()
    screenshot(page, "status")
    print(f"journey took {time.monotonic() - started:.1f} s")


def scenario_validation_errors_and_duplicate_confirmation(make_page, pdf_path):
    page = make_page()
    login(page, "vanthu.stc")
    page.get_by_role("link", name="Vào sổ văn bản đến").first.click()

    # Nothing filled in: every problem from `details` next to its field, and a summary
    page.get_by_role("button", name="Vào sổ", exact=True).click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary).to_be_focused()
    for field in ("f-code_number", "f-code_notation", "f-issued_date", "f-document_type",
                  "f-subject", "f-issuer-name"):
        expect(page.locator(f"#{field}-error")).to_be_visible()
        expect(page.locator(f"#{field}")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#f-subject-error")).to_have_text("Bắt buộc phải nhập.")

    # A notation with a space and a number with letters: the server's own words
    fill_registration(page, code_number="12a", code_notation="STC BCTC")
    page.get_by_role("button", name="Vào sổ", exact=True).click()
    expect(page.locator("#f-code_notation-error")).to_contain_text("khoảng trắng")
    expect(page.locator("#f-code_number-error")).to_have_text("Số văn bản chỉ gồm chữ số.")
    expect(page.locator("#f-subject-error")).to_be_hidden()
    screenshot(page, "register-errors")

    # The same document again (the journey registered it): 409 → confirm → registered
    page.locator("#f-code_number").fill("57")
    page.locator("#f-code_notation").fill("TANDTC-AL")
    page.get_by_role("button", name="Vào sổ", exact=True).click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("đã được vào sổ")
    screenshot(page, "duplicate", full_page=False)
    dialog.get_by_role("button", name="Vẫn vào sổ").click()
    expect(page.locator(".alert-success")).to_contain_text("số đến")
    expect(page.locator(".data-table tbody tr")).to_have_count(2)


def scenario_english_toggle_sends_accept_language(make_page, pdf_path=None):
    page = make_page()
    page.locator("#lang-toggle").click()
    expect(page.locator("h1")).to_have_text("Log in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    page.locator("#login-username").fill("vanthu.stc")
    page.locator("#login-password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#login-message .alert-error")).to_have_text("Wrong username or password.")
    login(page, "vanthu.stc")
    expect(page.locator("h1")).to_have_text("Incoming documents")
    expect(page.locator("#user-unit")).to_contain_text("Clerk")
    page.locator("#lang-toggle").click()
    expect(page.locator("h1")).to_have_text("Văn bản đến")


def scenario_narrow_screen_has_no_horizontal_scroll(make_page, pdf_path=None):
    page = make_page(390, 844)
    screenshot(page, "narrow-login", full_page=False)
    login(page, "lanhdao.stc")
    expect(page.locator("h1")).to_have_text("Việc cần xử lý")
    page.wait_for_selector(".data-table, .empty")
    screenshot(page, "narrow-inbox")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.get_by_role("link", name="Văn bản đến", exact=True).click()
    page.wait_for_selector(".data-table, .empty")
    screenshot(page, "narrow-incoming")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


def scenario_rejected_token_goes_back_to_login(make_page, pdf_path=None):
    page = make_page()
    login(page, "vanthu.stc")
    page.evaluate("sessionStorage.setItem('eoffice.token', 'not-a-valid-token')")
    page.get_by_role("link", name="Tìm kiếm", exact=True).click()
    expect(page.locator("#login-username")).to_be_visible()
    expect(page.locator("#login-message")).to_contain_text("hết hạn")
    assert page.evaluate("sessionStorage.getItem('eoffice.token')") is None
