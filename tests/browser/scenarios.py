"""Browser scenarios of the web UI, run by tests/browser/runner.py in a process of
its own (see test_web_ui.py for why) against the whole running system.

The journey: a clerk (vanthu.stc) registers an incoming document with a real PDF and
sees it in the register with số đến 1; the head of the unit (lanhdao.stc) sees the
unread badge and the item in their inbox, and finds the document by a word that
occurs only inside the PDF, with the hit marked in the snippet. Then: validation
errors next to their fields, the duplicate confirmation, English, a narrow screen,
an expired session. Then an outgoing document from draft to issue through every step,
each taken by the role that may take it, delivered to another unit's incoming list.
Then workflow: an incoming document submitted, assigned (lead, co-handler, for
information), passed on, returned, passed on again and completed; an outgoing report
through its unit's approval chain set on the settings page, and notification
preferences. Screenshots of every main screen go to /tmp/ui-*.png."""
from __future__ import annotations

import glob
import os
import re
import time
from datetime import timedelta

from playwright.sync_api import expect
from tests.clock import vietnam_today


def day_text(day) -> str:
    """A day as the UI's date fields take it and show it: dd/mm/yyyy."""
    return day.strftime("%d/%m/%Y")

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
    # the app leaves the login route after the header shows; a click on the menu before
    # that would be overtaken by the move to the first page
    page.wait_for_function("location.hash && !location.hash.startsWith('#/login')")


def logout(page) -> None:
    page.locator("#logout").click()
    expect(page.locator("#login-username")).to_be_visible()


def fill_registration(page, *, code_number="57", code_notation="TANDTC-AL", urgency="urgent",
                      subject=SUBJECT, due_in_days=10) -> None:
    page.locator("#f-code_number").fill(code_number)
    page.locator("#f-code_notation").fill(code_notation)
    page.locator("#f-issued_date").fill("24/02/2023")
    page.locator("#f-document_type").select_option("CV")
    page.locator("#f-subject").fill(subject)
    page.locator("#f-page_amount").fill("8")
    page.locator("#f-issuer-name").fill(ISSUER)
    page.locator("#f-signer-position").fill("Chánh án")
    page.locator("#f-signer-full_name").fill("Nguyễn Hòa Bình")
    page.locator(f"#f-urgency-{urgency}").check()
    page.locator("#f-due_date").fill(day_text(vietnam_today() + timedelta(days=due_in_days)))


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
    expect(page.locator(".status-card.is-up")).to_have_count(7)   # with signing and exchange
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


# ---------------------------------------------------------------- outgoing documents

OUTGOING_SUBJECT = "Thông báo lịch tiếp công dân định kỳ của Sở Tài chính"
RETURN_REASON = "Đề nghị bổ sung căn cứ pháp lý và địa điểm tiếp công dân."
NO_HORIZONTAL_SCROLL = "document.documentElement.scrollWidth <= window.innerWidth + 1"


def open_outgoing(page, subject: str) -> None:
    """From anywhere: the unit's outgoing list, then the document with this subject."""
    page.get_by_role("link", name="Văn bản đi", exact=True).click()
    expect(page.locator("h1")).to_have_text("Văn bản đi")
    row = page.locator(".data-table tbody tr").filter(has_text=subject)
    expect(row).to_have_count(1)
    row.get_by_role("link", name=subject).click()
    expect(page.locator("h1")).to_have_text(subject)
    expect(page.locator("#doc-state")).to_be_visible()


def take_step(page, action: str, state: str) -> None:
    page.locator(f"#action-{action}").click()
    expect(page.locator("#doc-state")).to_have_text(state)
    expect(page.locator("#step-done")).to_be_visible()


def sign_on_paper(page) -> None:
    """The sign step without a digital signature: "Ký trên giấy" in its certificate
    picker (the signer's own certificate is chosen there when they have one)."""
    page.locator("#action-sign").click()
    expect(page.locator("#step-certificate")).to_be_enabled()
    page.locator("#step-certificate").select_option("paper")
    page.locator("#step-confirm").click()
    expect(page.locator("#doc-state")).to_have_text("Đã ký")
    expect(page.locator("#step-done")).to_have_text("Đã ký văn bản.")


def scenario_outgoing_draft_to_issue(make_page, pdf_path=None):
    started = time.monotonic()
    # Unique, so that the scenario finds its own document whatever else exists.
    subject = f"{OUTGOING_SUBJECT} (kiểm thử {time.strftime('%H%M%S')})"
    page = make_page()

    # --- The specialist drafts a Thông báo with an internal and an external recipient
    login(page, "chuyenvien.stc")
    page.get_by_role("link", name="Văn bản đi", exact=True).click()
    expect(page.locator("h1")).to_have_text("Văn bản đi")
    page.wait_for_selector(".data-table, .empty")
    expect(page.locator("#register-print")).to_have_count(0)   # a specialist prints no register
    page.locator("#draft-new").click()
    expect(page.locator("h1")).to_have_text("Soạn dự thảo văn bản đi")

    # Nothing filled in: the server's problems next to their fields
    page.locator("#draft-save").click()
    expect(page.locator(".error-summary")).to_be_focused()
    expect(page.locator("#f-subject-error")).to_have_text("Bắt buộc phải nhập.")
    expect(page.locator("#f-document_type")).to_have_attribute("aria-invalid", "true")

    page.locator("#f-document_type").select_option("TB")
    page.locator("#f-subject").fill(subject)
    page.locator("#f-page_amount").fill("2")
    page.locator("#f-urgency-urgent").check()
    page.locator("#f-issued_amount").fill("5")
    page.locator("#f-due_date").fill(day_text(vietnam_today() + timedelta(days=7)))
    page.locator("#f-keeper").fill("Lưu: VT, Văn phòng Sở")
    page.locator("#f-recipients").fill("Nội vụ")
    page.locator("#f-unit-search-button").click()
    found = page.locator("#f-unit-results li").filter(has_text="Sở Nội vụ tỉnh Tây Ninh")
    expect(found).to_have_count(1)
    found.get_by_role("button", name="Thêm Sở Nội vụ tỉnh Tây Ninh vào nơi nhận").click()
    expect(found.get_by_role("button")).to_be_disabled()
    page.locator("#f-ext-name").fill("Bộ Tài chính")
    page.locator("#f-ext-organ_id").fill("000.00.00.G12")
    page.locator("#f-ext-add").click()
    chosen = page.locator("#f-recipient-list .recipient")
    expect(chosen).to_have_count(2)
    expect(chosen.nth(0)).to_contain_text("Sở Nội vụ tỉnh Tây Ninh")
    expect(chosen.nth(0)).to_contain_text("Nội bộ")
    expect(chosen.nth(1)).to_contain_text("Liên thông")
    if pdf_path:
        page.locator("#f-files").set_input_files(pdf_path)
        item = page.locator(".file-item").filter(has_text=os.path.basename(pdf_path))
        expect(item).to_have_class(re.compile(r"\bis-done\b"), timeout=30_000)
    page.locator("#f-note").fill("Dự thảo lần đầu.")
    screenshot(page, "outgoing-form")
    page.locator("#draft-save").click()

    expect(page.locator("h1")).to_have_text(subject)
    expect(page.locator(".alert-success")).to_contain_text("phiên bản 1")
    expect(page.locator("#doc-state")).to_have_text("Dự thảo")
    expect(page.locator("#doc-code")).to_have_text("Chưa cấp số")
    expect(page.locator("#doc-recipients tbody tr")).to_have_count(2)
    take_step(page, "submit", "Trình duyệt")
    expect(page.locator("#doc-actions")).to_have_count(0)   # nothing more for the drafter now
    logout(page)

    # --- The head returns it with a reason (a reason is required)
    login(page, "lanhdao.stc")
    open_outgoing(page, subject)
    expect(page.locator("#action-approve")).to_be_visible()
    page.locator("#action-return").click()
    page.locator("#step-confirm").click()
    expect(page.locator("#step-reason-error")).to_have_text("Nhập lý do.")
    page.locator("#step-reason").fill(RETURN_REASON)
    page.locator("#step-confirm").click()
    expect(page.locator("#doc-state")).to_have_text("Trả lại")
    expect(page.locator("#doc-state-reason")).to_contain_text(RETURN_REASON)
    logout(page)

    # --- The specialist sees why, saves version 2 and submits again
    login(page, "chuyenvien.stc")
    open_outgoing(page, subject)
    expect(page.locator("#doc-state-reason")).to_contain_text(RETURN_REASON)
    page.locator("#new-version > summary").click()
    expect(page.locator("#v-subject")).to_have_value(subject)
    page.locator("#v-page_amount").fill("3")
    page.locator("#v-note").fill("Đã bổ sung căn cứ pháp lý và địa điểm.")
    page.locator("#version-save").click()
    expect(page.locator("#version-saved")).to_have_text("Đã lưu phiên bản 2.")
    expect(page.locator("#doc-version")).to_have_text("2")
    expect(page.locator("#doc-page-amount")).to_have_text("3")
    versions = page.locator("#doc-versions tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("Đã bổ sung căn cứ pháp lý")
    expect(versions.first).to_contain_text("Đặng Quốc Bảo")
    take_step(page, "submit", "Trình duyệt")
    logout(page)

    # --- Approve (head), check the form (clerk), sign (head)
    login(page, "lanhdao.stc")
    open_outgoing(page, subject)
    take_step(page, "approve", "Đã duyệt")
    logout(page)
    login(page, "vanthu.stc")
    open_outgoing(page, subject)
    expect(page.locator("#action-approve")).to_have_count(0)
    take_step(page, "check_form", "Đã kiểm tra thể thức")
    logout(page)
    login(page, "lanhdao.stc")
    open_outgoing(page, subject)
    sign_on_paper(page)
    expect(page.locator("#doc-signer")).to_have_text("Giám đốc Võ Văn Hùng")
    logout(page)

    # --- The clerk numbers it (…/TB-STC) and issues it; Sở Nội vụ receives it at once
    login(page, "vanthu.stc")
    open_outgoing(page, subject)
    page.locator("#action-number").click()
    expect(page.locator("#step-field_code")).to_have_count(0)   # only a công văn needs one
    page.locator("#step-confirm").click()
    expect(page.locator("#doc-state")).to_have_text("Đã cấp số")
    code = re.compile(r"^\d+/TB-STC$")
    expect(page.locator("#doc-code")).to_have_text(code)
    expect(page.locator("#step-done")).to_contain_text("/TB-STC")
    take_step(page, "issue", "Đã phát hành")
    internal = page.locator("#doc-recipients tbody tr").filter(has_text="Sở Nội vụ tỉnh Tây Ninh")
    expect(internal).to_contain_text(re.compile(r"Số đến \d+"))
    expect(internal.get_by_role("link")).to_have_count(0)   # another unit's register
    expect(page.locator("#doc-actions #action-recall")).to_be_visible()
    number = page.locator("#doc-code").inner_text()

    # History (every step, who took it) and its exports
    history = page.locator("#doc-history tbody tr")
    expect(history.filter(has_text="Phát hành")).to_have_count(1)
    expect(history.filter(has_text="Trả lại").first).to_contain_text(RETURN_REASON)
    with page.expect_download() as download_info:
        page.locator("#history-pdf").click()
    assert download_info.value.suggested_filename.endswith(".pdf")

    # A copy (sao y) numbered in the copy register
    page.locator("#copy-form-SY").check()
    page.locator("#copy-submit").click()
    expect(page.locator("#copy-made")).to_contain_text(re.compile(r"\d+/SY-STC"))
    expect(page.locator("#doc-copy tbody tr")).not_to_have_count(0)
    screenshot(page, "outgoing-document")

    # The list: the issued document first, and the register of the year prints
    page.get_by_role("link", name="Văn bản đi", exact=True).click()
    row = page.locator(".data-table tbody tr").filter(has_text=subject)
    expect(row).to_contain_text(number)
    expect(row.locator(".badge.state")).to_have_text("Đã phát hành")
    expect(row.locator(".badge.urgency-urgent")).to_have_text("KHẨN")
    with page.expect_download() as download_info:
        page.locator("#print-register-pdf").click()
    assert download_info.value.suggested_filename.endswith(".pdf")
    page.locator("#outgoing-state").select_option("issued")
    expect(page.locator(".data-table tbody tr").filter(has_text=subject)).to_have_count(1)
    page.locator("#outgoing-state").select_option("draft")
    expect(page.locator(".data-table tbody tr").filter(has_text=subject)).to_have_count(0)
    page.locator("#outgoing-state").select_option("")
    page.wait_for_selector(".data-table")
    screenshot(page, "outgoing-list")

    # --- A narrow screen (360 px): the document and the list scroll only vertically
    narrow = make_page(360, 780)
    login(narrow, "vanthu.stc")
    open_outgoing(narrow, subject)
    expect(narrow.locator("#doc-history tbody tr").first).to_be_visible()
    expect(narrow.locator("#doc-copy tbody tr").first).to_be_visible()
    screenshot(narrow, "narrow-outgoing-document")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the outgoing document"
    narrow.get_by_role("link", name="Văn bản đi", exact=True).click()
    narrow.wait_for_selector(".data-table")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the outgoing list"
    narrow.locator("#draft-new").click()
    narrow.locator("#f-recipients").fill("Nội vụ")
    narrow.locator("#f-unit-search-button").click()
    narrow.locator("#f-unit-results li button").first.click()
    expect(narrow.locator("#f-recipient-list .recipient")).to_have_count(1)
    screenshot(narrow, "narrow-outgoing-form")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the draft form"

    # --- Sở Nội vụ's clerk finds it among the incoming documents
    logout(page)
    login(page, "vanthu.snv")
    expect(page.locator("h1")).to_have_text("Văn bản đến")
    received = page.locator(".data-table tbody tr").filter(has_text=subject)
    expect(received).to_have_count(1)
    expect(received).to_contain_text(number)
    expect(received).to_contain_text("Sở Tài chính tỉnh Tây Ninh")
    received.get_by_role("link", name=subject).click()
    expect(page.locator("h1")).to_have_text(subject)
    expect(page.locator("#doc-copy")).to_be_visible()        # the clerk may copy it
    expect(page.locator("#history-xlsx")).to_be_visible()
    print(f"outgoing journey took {time.monotonic() - started:.1f} s")


# ---------------------------------------------------------------- workflow: processing

PROCESSING_SUBJECT = "Về việc rà soát tình hình thực hiện dự toán ngân sách năm 2026"
PROCESSING_INSTRUCTION = "Sở Tài chính chủ trì, phối hợp Sở Nội vụ tham mưu trả lời trước hạn."
PART_RETURN_REASON = "Nội dung thuộc lĩnh vực phòng Quản lý ngân sách, đề nghị giao lại."


def open_inbox_item(page, subject: str, kind: str | None = None, timeout: float = 30) -> None:
    """From anywhere: the inbox (filtered by kind of work), then the item with this
    subject — reloading while workflow has not given it yet."""
    page.locator("[data-nav=inbox]").click()
    expect(page.locator("h1")).to_have_text("Việc cần xử lý")
    if kind:
        page.locator("#inbox-kind").select_option(kind)
        expect(page.locator("#inbox-kind")).to_have_value(kind)
    row = page.locator(".data-table tbody tr").filter(has_text=subject)
    deadline = time.monotonic() + timeout
    page.wait_for_selector(".data-table, .empty")
    while not row.count() and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.reload()
        page.wait_for_selector(".data-table, .empty")
    expect(row).to_have_count(1)
    row.get_by_role("link", name=subject).click()
    expect(page.locator("h1")).to_have_text(subject)


def part_row(page, role: str, holder: str):
    return page.locator("#processing-items tbody tr").filter(has_text=role).filter(has_text=holder)


def forward_to_specialist(page, subject: str) -> None:
    """lanhdao.stc: the unit's lead part, passed on to Đặng Quốc Bảo."""
    open_inbox_item(page, subject, kind="lead")
    # another unit's document, opened in full by those given a part of it
    expect(page.locator("#doc-part-only")).to_have_count(0)
    expect(page.locator("#processing-state")).to_have_text("Đã phân công")
    page.locator("#work-forward").click()
    page.locator("#fw-user").select_option(label="Đặng Quốc Bảo — Chuyên viên")
    page.locator("#forward-confirm").click()
    expect(page.locator("#processing-done")).to_have_text("Đã giao cho Đặng Quốc Bảo.")
    expect(part_row(page, "Chủ trì", "Sở Tài chính tỉnh Tây Ninh")).to_contain_text(
        "Đã giao cán bộ")
    expect(page.locator("#work-forward")).to_have_count(0)


def scenario_incoming_processing(make_page, pdf_path=None):
    started = time.monotonic()
    stamp = time.strftime("%H%M%S")
    subject = f"{PROCESSING_SUBJECT} (kiểm thử {stamp})"
    page = make_page()

    # --- The clerk of UBND tỉnh registers it and submits it to the chairman
    login(page, "vanthu.ubnd")
    page.get_by_role("link", name="Vào sổ văn bản đến").first.click()
    fill_registration(page, code_number=str(int(stamp) + 1000), code_notation="BTC-NSNN",
                      urgency="normal", subject=subject, due_in_days=20)
    page.get_by_role("button", name="Vào sổ", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("số đến")
    page.locator(".data-table tbody tr").filter(has_text=subject).get_by_role(
        "link", name=subject).click()
    expect(page.locator("h1")).to_have_text(subject)
    expect(page.locator("#processing-state")).to_have_text("Chờ phân công", timeout=20_000)
    expect(page.locator("#proc-assign")).to_have_count(0)      # a clerk does not assign
    page.locator("#proc-submit").click()
    page.locator("#submit-to").select_option(label="Trần Văn Minh — Chủ tịch")
    page.locator("#submit-note").fill("Kính trình đồng chí Chủ tịch cho ý kiến phân công.")
    page.locator("#submit-confirm").click()
    expect(page.locator("#processing-done")).to_have_text("Đã trình lãnh đạo Trần Văn Minh.")
    expect(part_row(page, "Phân công xử lý", "Trần Văn Minh")).to_contain_text("Chờ phân công")
    screenshot(page, "processing-submitted")
    logout(page)

    # --- The chairman assigns it, on a 360 px screen: Sở Tài chính leads, Sở Nội vụ
    # co-handles, the commune is informed; a past deadline is refused next to its field
    narrow = make_page(360, 780)
    login(narrow, "lanhdao.ubnd")
    open_inbox_item(narrow, subject, kind="to_assign")
    narrow.locator("#proc-assign").click()
    narrow.locator("#as-lead-search").fill("Tài chính")
    narrow.locator("#as-lead-results").get_by_role(
        "button", name="Chọn làm chủ trì: Sở Tài chính tỉnh Tây Ninh", exact=True).click()
    expect(narrow.locator("#as-lead-chosen")).to_contain_text("Sở Tài chính tỉnh Tây Ninh")
    narrow.locator("#as-co-search").fill("Nội vụ")
    narrow.locator("#as-co-results").get_by_role(
        "button", name="Thêm phối hợp: Sở Nội vụ tỉnh Tây Ninh", exact=True).click()
    narrow.locator("#as-info-search").fill("Tân Ninh")
    narrow.locator("#as-info-results").get_by_role(
        "button", name="Thêm để biết: Ủy ban nhân dân Phường Tân Ninh", exact=True).click()
    expect(narrow.locator("#as-co-list .recipient")).to_have_count(1)
    expect(narrow.locator("#as-info-list .recipient")).to_have_count(1)
    narrow.locator("#as-lead-due").fill(day_text(vietnam_today() - timedelta(days=3)))
    narrow.locator("#as-instruction").fill(PROCESSING_INSTRUCTION)
    narrow.locator("#assign-confirm").click()
    expect(narrow.locator("#as-lead-due-error")).to_have_text("Hạn xử lý đã qua.")
    expect(narrow.locator("#as-lead-due")).to_have_attribute("aria-invalid", "true")
    expect(narrow.locator("#assign-form .error-summary")).to_be_focused()
    screenshot(narrow, "processing-assign-error")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the assign form"
    narrow.locator("#as-lead-due").fill(day_text(vietnam_today() + timedelta(days=10)))
    narrow.locator("#as-co-due-0").fill(day_text(vietnam_today() + timedelta(days=7)))
    narrow.locator("#assign-confirm").click()
    expect(narrow.locator("#processing-done")).to_have_text("Đã phân công xử lý văn bản.")
    expect(narrow.locator("#processing-state")).to_have_text("Đã phân công")
    expect(narrow.locator("#processing-instruction")).to_have_text(PROCESSING_INSTRUCTION)
    expect(part_row(narrow, "Chủ trì", "Sở Tài chính tỉnh Tây Ninh")).to_be_visible()
    expect(part_row(narrow, "Phối hợp", "Sở Nội vụ tỉnh Tây Ninh")).to_be_visible()
    expect(part_row(narrow, "Để biết", "Ủy ban nhân dân Phường Tân Ninh")).to_contain_text(
        "Chưa đọc")
    screenshot(narrow, "processing-assigned-narrow")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the processing panel"
    logout(narrow)

    # --- Sở Tài chính's head passes the lead part to a specialist, who returns it
    login(page, "lanhdao.stc")
    forward_to_specialist(page, subject)
    logout(page)
    login(page, "chuyenvien.stc")
    open_inbox_item(page, subject, kind="lead")
    page.locator("#work-return").click()
    page.locator("#return-confirm").click()
    expect(page.locator("#rt-reason-error")).to_have_text("Nhập lý do.")
    page.locator("#rt-reason").fill(PART_RETURN_REASON)
    page.locator("#return-confirm").click()
    expect(page.locator("#processing-done")).to_have_text("Đã trả lại phần việc.")
    expect(part_row(page, "Chủ trì", "Đặng Quốc Bảo")).to_contain_text(PART_RETURN_REASON)
    expect(page.locator("#processing-actions")).to_have_count(0)
    logout(page)

    # --- … the head passes it on again; the specialist records progress and completes
    login(page, "lanhdao.stc")
    forward_to_specialist(page, subject)
    logout(page)
    login(page, "chuyenvien.stc")
    open_inbox_item(page, subject, kind="lead")
    page.locator("#work-progress").click()
    page.locator("#pr-percent").fill("60")
    page.locator("#progress-confirm").click()
    expect(page.locator("#pr-note-error")).to_have_text("Nhập nội dung.")
    page.locator("#pr-note").fill("Đã tổng hợp số liệu của các đơn vị dự toán.")
    page.locator("#progress-confirm").click()
    expect(page.locator("#processing-done")).to_have_text("Đã cập nhật tiến độ.")
    expect(page.locator("#processing-state")).to_have_text("Đang xử lý")
    mine = page.locator("#processing-items tbody tr.part-mine")
    expect(mine).to_contain_text("60%")
    page.locator("#work-complete").click()
    page.locator("#cp-note").fill("Đã dự thảo văn bản trả lời để lãnh đạo Sở ký.")
    screenshot(page, "processing-complete-form")
    page.locator("#complete-confirm").click()
    expect(page.locator("#processing-done")).to_have_text("Đã hoàn thành phần việc.")
    expect(page.locator("#processing-state")).to_have_text("Hoàn thành")
    expect(part_row(page, "Phối hợp", "Sở Nội vụ tỉnh Tây Ninh")).to_contain_text("Đã đóng")
    expect(page.locator("#processing-actions")).to_have_count(0)
    logout(page)

    # --- UBND tỉnh sees it done, with every step in the history
    login(page, "vanthu.ubnd")
    page.locator(".data-table tbody tr").filter(has_text=subject).get_by_role(
        "link", name=subject).click()
    expect(page.locator("#processing-state")).to_have_text("Hoàn thành")
    deadline = time.monotonic() + 20   # documents follows workflow's events
    while page.locator("#doc-state").inner_text() != "Hoàn thành" and \
            time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.reload()
        expect(page.locator("#processing-state")).to_be_visible()
    expect(page.locator("#doc-state")).to_have_text("Hoàn thành")
    history = page.locator("#doc-history tbody tr")
    expect(history.filter(has_text="Trình lãnh đạo")).to_contain_text("Trần Văn Minh")
    expect(history.filter(has_text="Phân công xử lý").last).to_contain_text(PROCESSING_INSTRUCTION)
    given = history.filter(has_text="Giao chủ trì")
    expect(given.filter(has_text="Đặng Quốc Bảo")).to_have_count(2)   # passed on twice
    expect(history.filter(has_text="Trả lại")).to_contain_text(PART_RETURN_REASON)
    expect(history.filter(has_text="Cập nhật tiến độ")).to_contain_text("60%")
    expect(history.filter(has_text="Hoàn thành phần việc")).to_contain_text("Đặng Quốc Bảo")
    expect(history.filter(has_text="Văn bản hoàn thành")).to_have_count(1)
    screenshot(page, "processing-document")

    # --- The same on 360 px: nothing scrolls sideways
    narrow = make_page(360, 780)
    login(narrow, "vanthu.ubnd")
    narrow.locator(".data-table tbody tr").filter(has_text=subject).get_by_role(
        "link", name=subject).click()
    expect(narrow.locator("#processing-state")).to_have_text("Hoàn thành")
    expect(narrow.locator("#doc-history tbody tr").first).to_be_visible()
    screenshot(narrow, "processing-narrow")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the document"
    print(f"processing journey took {time.monotonic() - started:.1f} s")


# ---------------------------------------------------------------- approval chain, settings

CHAIN_SUBJECT = "Báo cáo kết quả thực hành tiết kiệm, chống lãng phí quý IV"


def scenario_approval_chain_and_preferences(make_page, pdf_path=None):
    started = time.monotonic()
    subject = f"{CHAIN_SUBJECT} (kiểm thử {time.strftime('%H%M%S')})"
    page = make_page()

    # --- Sở Tài chính's head: reports (BC) are approved by the head in one step
    login(page, "lanhdao.stc")
    page.locator("[data-nav=settings]").click()
    expect(page.locator("h1")).to_have_text("Cài đặt")
    page.locator("#chain-type").select_option("BC")
    step = page.locator("#chain-step-0")
    expect(step).to_be_visible()
    for box in step.locator("input[type=checkbox]:checked").all():   # a chain set before
        box.uncheck()
    page.locator("#chain-save").click()                     # nobody chosen
    expect(page.locator("#chain-step-0-error")).to_have_text("Chọn ít nhất một người duyệt.")
    step.get_by_label("Võ Văn Hùng").check()
    step.get_by_label("Tất cả người duyệt").check()
    page.locator("#chain-save").click()
    expect(page.locator("#chain-saved")).to_have_text("Đã lưu quy trình duyệt: Báo cáo (BC).")
    chain = page.locator("#chain-list .chain-card[data-type=BC]")
    expect(chain).to_contain_text("Võ Văn Hùng")
    expect(chain).to_contain_text("Tất cả người duyệt")
    screenshot(page, "settings")
    logout(page)

    # --- The specialist drafts a report and submits it: the chain starts
    login(page, "chuyenvien.stc")
    page.get_by_role("link", name="Văn bản đi", exact=True).click()
    page.locator("#draft-new").click()
    page.locator("#f-document_type").select_option("BC")
    page.locator("#f-subject").fill(subject)
    page.locator("#f-ext-name").fill("Bộ Tài chính")
    page.locator("#f-ext-add").click()
    page.locator("#draft-save").click()
    expect(page.locator("h1")).to_have_text(subject)
    take_step(page, "submit", "Trình duyệt")
    chain_panel = page.locator("#approval-chain")
    expect(chain_panel).to_be_visible(timeout=20_000)
    expect(chain_panel.locator(".chain-step")).to_have_count(1)
    expect(chain_panel).to_contain_text("Võ Văn Hùng")
    expect(page.locator("#chain-state")).to_have_text("Đang duyệt")
    expect(page.locator("#chain-approve")).to_have_count(0)   # not the drafter's turn
    logout(page)

    # --- The head finds it among the approvals in the inbox and approves it
    login(page, "lanhdao.stc")
    open_inbox_item(page, subject, kind="approve")
    expect(page.locator("#doc-state")).to_have_text("Trình duyệt")
    expect(page.locator("#chain-turn")).to_have_text("Đến lượt bạn duyệt (bước 1).")
    expect(page.locator("#action-approve")).to_have_count(0)  # only through the chain
    page.locator("#chain-approve").click()
    page.locator("#chain-comment").fill("Đồng ý ban hành.")
    screenshot(page, "processing-approval")
    page.locator("#chain-approve-confirm").click()
    expect(page.locator("#step-done")).to_have_text("Đã duyệt; dự thảo đã được duyệt xong.")
    expect(page.locator("#doc-state")).to_have_text("Đã duyệt")
    expect(page.locator("#chain-state")).to_have_text("Đã duyệt")
    expect(page.locator("#approval-chain .chain-step")).to_contain_text("Đồng ý ban hành.")
    expect(page.locator("#chain-approve")).to_have_count(0)
    page.locator("[data-nav=inbox]").click()
    page.locator("#inbox-kind").select_option("approve")
    page.wait_for_selector(".data-table, .empty")
    expect(page.locator(".data-table tbody tr").filter(has_text=subject)).to_have_count(0)
    logout(page)

    # --- The specialist's notification preferences: a bad address first
    login(page, "chuyenvien.stc")
    page.locator("[data-nav=settings]").click()
    expect(page.locator("#approval-chains")).to_have_count(0)   # not a leader
    page.locator("#pref-email-enabled").check()
    page.locator("#pref-email").fill("dang.quoc.bao@")
    page.locator("#pref-save").click()
    expect(page.locator("#pref-email-error")).to_contain_text("không hợp lệ")
    expect(page.locator("#pref-email")).to_have_attribute("aria-invalid", "true")
    page.locator("#pref-email").fill("dang.quoc.bao@stc.tayninh.gov.vn")
    page.locator("#pref-save").click()
    expect(page.locator("#pref-saved")).to_have_text(
        "Đã lưu: nhận thông báo qua e-mail dang.quoc.bao@stc.tayninh.gov.vn.")
    page.reload()
    expect(page.locator("#pref-email")).to_have_value("dang.quoc.bao@stc.tayninh.gov.vn")
    expect(page.locator("#pref-email-enabled")).to_be_checked()
    screenshot(page, "settings-preferences")

    # --- The settings page, with the chain editor, fits a 360 px screen
    narrow = make_page(360, 780)
    login(narrow, "lanhdao.stc")
    narrow.locator("[data-nav=settings]").click()
    expect(narrow.locator("#chain-list .chain-card[data-type=BC]")).to_be_visible()
    narrow.locator("#chain-add-step").click()
    expect(narrow.locator("#chain-step-1")).to_be_visible()
    screenshot(narrow, "settings-narrow")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the settings page"

    # --- The chain goes again: the system is shared with tests that draft reports here
    api = narrow.url.split("#")[0].rstrip("/") + "/api/v1"
    auth = {"Authorization": "Bearer " + narrow.evaluate("sessionStorage.getItem('eoffice.token')")}
    unit_id = narrow.request.get(f"{api}/me", headers=auth).json()["memberships"][0]["unit_id"]
    assert narrow.request.put(f"{api}/approval-chains", headers=auth, data={
        "unit_id": unit_id, "document_type": "BC", "steps": []}).ok
    print(f"approval journey took {time.monotonic() - started:.1f} s")
