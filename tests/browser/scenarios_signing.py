"""Browser scenarios of digital signatures (ký số), run by tests/browser/runner.py like
those of scenarios.py: an outgoing Thông báo with a PDF goes from draft through approval
and the form check; the head of Sở Tài chính (lanhdao.stc, who holds a demo certificate)
signs it with his certificate, chosen for him in the sign step's picker; the văn thư
(vanthu.stc) numbers it, is offered the organisation's signature instead of issuing,
and applies it with the unit's own certificate; the document then lists both digital
signatures, links to the signed PDF and shows its verification: two signatures, valid.
And a clerk registering an incoming PDF that carries no signature sees the verification
under the file before registering ("Không có chữ ký số": a warning, not a refusal), and
again on the document's page. Screenshots: /tmp/ui-signing-*.png."""
from __future__ import annotations

import os
import re
import tempfile
import time

from playwright.sync_api import expect

from tests.browser.scenarios import (NO_HORIZONTAL_SCROLL, OUTGOING_SUBJECT, fill_registration,
                                     login, logout, open_outgoing, screenshot, take_step,
                                     upload)
from tests.fixtures.signing.make_fixtures import make_document

SIGNER = "Võ Văn Hùng"                       # lanhdao.stc's demo certificate
ORGANISATION = "Sở Tài chính tỉnh Tây Ninh"  # the unit's demo seal
VERIFIED_WITHIN_S = 60                       # a stored PDF is verified in a child process
UNSIGNED_PDF = "anle_57_2023.pdf"


def draft_pdf() -> str:
    """A draft laid out like ND30 Phụ lục I whose signer block names the signer (the
    signature goes over the name; the number and date are left blank for văn thư)."""
    path = os.path.join(tempfile.mkdtemp(prefix="ui-signing-"), "thong-bao-ky-so.pdf")
    with open(path, "wb") as handle:
        handle.write(make_document(signer_name=SIGNER))
    return path


def shot(page, name: str) -> str:
    return screenshot(page, f"signing-{name}")


def verified_panel(page, scope: str, file_id: str | None = None):
    """The verification panel in `scope` (of the file `file_id`, or the first), once
    the check has a result. The panel asks for about 30 s, then offers to ask again:
    that button is pressed (or the page read again) if the signing service took longer."""
    selector = f"{scope} .sig-panel" + (f'[data-file-id="{file_id}"]' if file_id else "")
    panel = page.locator(selector).first
    deadline = time.monotonic() + VERIFIED_WITHIN_S
    while True:
        expect(panel).to_be_attached()
        try:
            expect(panel).not_to_have_attribute("data-status", re.compile("^(pending|error)$"),
                                                timeout=35_000)
            return panel
        except AssertionError:
            if time.monotonic() > deadline:
                raise
            retry = panel.locator(".sig-retry")
            if retry.count():
                retry.click()
            else:
                page.reload()


def draft_with_pdf(page, subject: str, pdf_path: str) -> None:
    """chuyenvien.stc: a Thông báo to Sở Nội vụ with the PDF, saved and submitted."""
    login(page, "chuyenvien.stc")
    page.get_by_role("link", name="Văn bản đi", exact=True).click()
    page.wait_for_selector(".data-table, .empty")
    page.locator("#draft-new").click()
    page.locator("#f-document_type").select_option("TB")
    page.locator("#f-subject").fill(subject)
    page.locator("#f-page_amount").fill("1")
    page.locator("#f-keeper").fill("Lưu: VT, Văn phòng Sở")
    page.locator("#f-recipients").fill("Nội vụ")
    page.locator("#f-unit-search-button").click()
    page.locator("#f-unit-results li").filter(has_text="Sở Nội vụ tỉnh Tây Ninh").get_by_role(
        "button").click()
    expect(page.locator("#f-recipient-list .recipient")).to_have_count(1)
    page.locator("#f-files").set_input_files(pdf_path)
    item = page.locator(".file-item").filter(has_text=os.path.basename(pdf_path))
    expect(item).to_have_class(re.compile(r"\bis-done\b"), timeout=30_000)
    page.locator("#draft-save").click()
    expect(page.locator("h1")).to_have_text(subject)
    expect(page.locator("#doc-state")).to_have_text("Dự thảo")
    take_step(page, "submit", "Trình duyệt")
    logout(page)


def sign_with_certificate(page, subject: str) -> None:
    """lanhdao.stc: the picker offers his certificate (chosen) and paper; he signs."""
    login(page, "lanhdao.stc")
    open_outgoing(page, subject)
    page.locator("#action-sign").click()
    picker = page.locator("#step-certificate")
    expect(picker).to_be_enabled()
    expect(picker.locator("option", has_text="Ký trên giấy (không ký số)")).to_have_count(1)
    expect(picker.locator("option:checked")).to_contain_text(SIGNER)
    expect(picker).not_to_have_value("paper")
    # only his own certificates: not the unit's seal
    expect(picker.locator("option", has_text=ORGANISATION)).to_have_count(0)
    shot(page, "sign-form")
    page.locator("#step-confirm").click()
    expect(page.locator("#doc-state")).to_have_text("Đã ký", timeout=60_000)
    expect(page.locator("#step-done")).to_have_text("Đã ký số văn bản.")
    signatures = page.locator("#doc-digital-signatures li")
    expect(signatures).to_have_count(1)
    expect(signatures.first).to_contain_text(f"Ký số: {SIGNER}")
    expect(page.locator("#signed-pdf-link")).to_be_visible()
    logout(page)


def number_and_seal(page, subject: str) -> None:
    """vanthu.stc: numbers it; issuing waits for the organisation's signature, which
    she applies with the unit's own certificate."""
    login(page, "vanthu.stc")
    open_outgoing(page, subject)
    page.locator("#action-number").click()
    page.locator("#step-confirm").click()
    expect(page.locator("#doc-state")).to_have_text("Đã cấp số", timeout=60_000)
    expect(page.locator("#doc-code")).to_have_text(re.compile(r"^\d+/TB-STC$"))
    expect(page.locator("#action-issue")).to_have_count(0)
    page.locator("#action-seal").click()
    picker = page.locator("#step-certificate")
    expect(picker).to_be_enabled()
    expect(picker).to_have_value("")
    expect(picker.locator("option", has_text="Chứng thư số của đơn vị (mặc định)")).to_have_count(1)
    expect(picker.locator("option", has_text="Ký trên giấy")).to_have_count(0)
    page.locator("#step-confirm").click()
    expect(page.locator("#doc-state")).to_have_text("Đã ký số cơ quan", timeout=60_000)
    expect(page.locator("#action-issue")).to_be_visible()


def scenario_outgoing_signed_digitally(make_page, pdf_path=None):
    started = time.monotonic()
    subject = f"{OUTGOING_SUBJECT} — ký số (kiểm thử {time.strftime('%H%M%S')})"
    page = make_page()
    draft_with_pdf(page, subject, draft_pdf())

    login(page, "lanhdao.stc")
    open_outgoing(page, subject)
    take_step(page, "approve", "Đã duyệt")
    logout(page)
    login(page, "vanthu.stc")
    open_outgoing(page, subject)
    take_step(page, "check_form", "Đã kiểm tra thể thức")
    logout(page)

    sign_with_certificate(page, subject)
    number_and_seal(page, subject)

    # Both signatures listed, the signed PDF linked, and its verification: 2, valid
    signatures = page.locator("#doc-digital-signatures li")
    expect(signatures).to_have_count(2)
    expect(signatures.nth(0)).to_contain_text(f"Ký số: {SIGNER}")
    expect(signatures.nth(1)).to_contain_text(f"Ký số: {ORGANISATION}")
    link = page.locator("#signed-pdf-link")
    expect(link).to_have_text("Xem văn bản đã ký số")
    expect(link).to_have_attribute("target", "_blank")
    href = link.get_attribute("href")
    assert re.fullmatch(r"/api/v1/files/[0-9a-f-]{36}/content", href), href
    signed_id = href.split("/")[4]
    # it opens a tab on storage's short-lived link, which shows the PDF inline (the API
    # wants the session's token, which a plain link cannot send)
    with page.expect_response(re.compile(r"/view-link$")) as answer, \
            page.expect_popup() as popup_info:
        link.click()
    url = answer.value.json()["url"]
    shown = page.request.get(url)
    assert shown.ok and shown.body().startswith(b"%PDF")
    assert shown.headers["content-type"] == "application/pdf"
    assert shown.headers["content-disposition"].startswith("inline;")
    popup_info.value.close()
    panel = verified_panel(page, "#doc-signatures", signed_id)
    expect(panel).to_have_attribute("data-status", "valid")
    expect(panel.locator(".sig-overall")).to_have_text("Hợp lệ")
    items = panel.locator(".sig-item")
    expect(items).to_have_count(2)
    expect(items.nth(0).locator(".sig-signer")).to_have_text(SIGNER)
    expect(items.nth(1).locator(".sig-signer")).to_have_text(ORGANISATION)
    expect(panel.locator("[data-fact=integrity]").first).not_to_have_text("")
    shot(page, "outgoing-sealed")
    # the history tells both digital signatures
    history = page.locator("#doc-history tbody tr")
    expect(history.filter(has_text="Ký số cơ quan")).to_have_count(1)

    # The same on a narrow screen, without horizontal scrolling
    narrow = make_page(360, 780)
    login(narrow, "vanthu.stc")
    open_outgoing(narrow, subject)
    expect(verified_panel(narrow, "#doc-signatures", signed_id)).to_have_attribute(
        "data-status", "valid")
    shot(narrow, "narrow-outgoing-sealed")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the signatures"
    print(f"digital signing journey took {time.monotonic() - started:.1f} s")


def scenario_registration_shows_signature_check(make_page, pdf_path=None):
    stamp = time.strftime("%H%M%S")
    subject = f"Về việc phổ biến án lệ — kiểm tra chữ ký số (kiểm thử {stamp})"
    unsigned = os.path.join(os.path.dirname(pdf_path), UNSIGNED_PDF)
    page = make_page()
    login(page, "vanthu.stc")
    page.get_by_role("link", name="Vào sổ văn bản đến").first.click()
    expect(page.locator("h1")).to_have_text("Vào sổ văn bản đến")
    upload(page, unsigned)

    # Under the file, before registering: no signature, said as a warning
    panel = verified_panel(page, ".file-item")
    expect(panel).to_have_attribute("data-status", "unsigned")
    expect(panel.locator(".sig-overall")).to_have_text("Không có chữ ký số")
    expect(panel.locator("[role=status]")).to_be_visible()
    shot(page, "register-unsigned")
    fill_registration(page, code_number=str(int(stamp) + 2000), code_notation="TANDTC-KS",
                      urgency="normal", subject=subject)
    page.get_by_role("button", name="Vào sổ", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("số đến")

    # The document's page shows the same check
    page.locator(".data-table tbody tr").filter(has_text=subject).get_by_role(
        "link", name=subject).click()
    expect(page.locator("h1")).to_have_text(subject)
    panel = verified_panel(page, "#doc-signatures")
    expect(panel).to_have_attribute("data-status", "unsigned")
    expect(panel.locator(".sig-title")).to_contain_text(UNSIGNED_PDF)
    shot(page, "incoming-unsigned")
