"""Browser scenario of recall and update within the system, answered by the receiving
văn thư in the same form as another agency's (run by tests/browser/runner.py like those of
scenarios.py). Sở Tài chính issues a Thông báo to Sở Nội vụ (an internal unit) through
the API; in the browser its văn thư (vanthu.stc) updates the subject with "Cập nhật thông
tin" (a reason required, said next to the field) and sees the request waiting under Nơi
nhận. Sở Nội vụ's văn thư (vanthu.snv) finds it under Liên thông › "Yêu cầu thu hồi / cập
nhật" among the requests of this system, opens the incoming document, reads what changes
and agrees (confirmed): the new subject shows. Sở Tài chính's director then recalls it
(API); vanthu.snv refuses with a reason (required). vanthu.stc sees on the outgoing
document the update agreed and the recall refused, with the reason.
Screenshots: /tmp/ui-changes-*.png."""
from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.browser.scenarios import login, logout, screenshot
from tests.e2e.helpers import Api, draft, step

UPDATE_REASON = "Đổi địa điểm tập huấn sang Hội trường tầng 3."
REFUSE_REASON = "Văn bản đã được phân công xử lý, đề nghị ban hành văn bản thay thế."


def shot(page, name: str) -> str:
    return screenshot(page, f"changes-{name}")


def issue_internally(people: dict, subject: str) -> tuple[dict, str]:
    """Sở Tài chính's Thông báo to Sở Nội vụ (a unit of the system), taken through every
    step to issue by the API; (the issued document, Sở Nội vụ's incoming copy id)."""
    created = draft(people["chuyenvien.stc"], [{"unit_id": people["vanthu.snv"].unit_id}],
                    subject=subject)
    assert created.status_code == 201, created.text
    document_id = created.json()["id"]
    for username, action in (("chuyenvien.stc", "submit"), ("lanhdao.stc", "approve"),
                             ("vanthu.stc", "check_form"), ("lanhdao.stc", "sign"),
                             ("vanthu.stc", "number"), ("vanthu.stc", "issue")):
        response = step(people[username], document_id, action)
        assert response.status_code == 200, (action, response.text)
    issued = response.json()
    return issued, issued["recipients"][0]["incoming_id"]


def update_in_the_browser(page, base: str, issued: dict, new_subject: str) -> None:
    page.goto(f"{base}/#/outgoing/{issued['id']}")
    expect(page.locator("h1")).to_have_text(issued["subject"])
    page.locator("#action-update").click()
    expect(page.locator("#update-form")).to_be_visible()
    page.locator("#f-update-subject").fill(new_subject)
    page.locator("#update-confirm").click()
    expect(page.locator("#update-form")).to_contain_text("Nhập lý do.")       # required
    page.locator("#f-update-reason").fill(UPDATE_REASON)
    shot(page, "update-form")
    page.locator("#update-confirm").click()
    expect(page.locator("#step-done")).to_contain_text("Đã cập nhật thông tin văn bản")
    expect(page.locator("h1")).to_have_text(new_subject)
    expect(page.locator("#doc-updates")).to_contain_text("Cập nhật lần 1")
    expect(page.locator("#doc-updates")).to_contain_text(new_subject)
    expect(page.locator("#doc-recipients .change-waiting")).to_have_text(
        "Chờ văn thư trả lời yêu cầu cập nhật")


def agree_in_the_browser(page, subject: str, new_subject: str) -> None:
    page.locator('.nav-link[data-nav="exchange"]').click()
    page.locator("#tab-requests").click()
    # listed as the copy is now: its subject changes once agreed
    row = page.locator(".requests-table tbody tr").filter(has_text=subject)
    expect(row).to_contain_text("Cập nhật")
    expect(row).to_contain_text("Trong hệ thống")
    expect(row).to_contain_text(UPDATE_REASON)
    shot(page, "requests")
    row.locator("a.doc-link").click()
    panel = page.locator("#change-actions")
    expect(panel).to_contain_text("Trả lời yêu cầu cập nhật thông tin")
    expect(panel.locator(".change-list")).to_contain_text(new_subject)
    page.locator("#change-agree").click()
    page.locator("#change-agree-dialog-confirm").click()
    expect(page.locator("#step-done")).to_contain_text("Đã đồng ý cập nhật")
    expect(page.locator("h1")).to_have_text(new_subject)
    expect(page.locator("#change-actions")).to_have_count(0)
    expect(page.locator("#doc-change-answers")).to_contain_text("Đồng ý cập nhật")
    shot(page, "update-agreed")


def refuse_in_the_browser(page, base: str, incoming_id: str) -> None:
    page.goto(f"{base}/#/documents/{incoming_id}")
    page.reload()        # the same address: read the document again, with the recall
    expect(page.locator("#change-actions")).to_contain_text("Trả lời yêu cầu thu hồi")
    page.locator("#change-refuse").click()
    page.locator("#change-refuse-confirm").click()
    expect(page.locator("#change-refuse-form")).to_contain_text("Bắt buộc ghi lý do từ chối.")
    page.locator("#f-change-refuse-reason").fill(REFUSE_REASON)
    page.locator("#change-refuse-confirm").click()
    expect(page.locator("#step-done")).to_contain_text("Đã từ chối")
    expect(page.locator("#change-actions")).to_have_count(0)
    answers = page.locator("#doc-change-answers")
    expect(answers).to_contain_text("Từ chối thu hồi")
    expect(answers).to_contain_text(REFUSE_REASON)
    shot(page, "recall-refused")


def scenario_internal_update_agreed_and_recall_refused(make_page, pdf_path=None):
    page = make_page()
    base = page.url.split("#")[0].rstrip("/")
    people = {name: Api(base, name) for name in (
        "chuyenvien.stc", "lanhdao.stc", "vanthu.stc", "vanthu.snv")}
    stamp = time.strftime("%H%M%S")
    subject = f"Thông báo lịch tập huấn nghiệp vụ văn thư ({stamp})"
    new_subject = f"Thông báo lịch tập huấn nghiệp vụ văn thư — đổi địa điểm ({stamp})"
    issued, incoming_id = issue_internally(people, subject)

    login(page, "vanthu.stc")
    update_in_the_browser(page, base, issued, new_subject)
    logout(page)

    login(page, "vanthu.snv")
    agree_in_the_browser(page, subject, new_subject)
    recalled = step(people["lanhdao.stc"], issued["id"], "recall", reason="Phát hành nhầm")
    assert recalled.status_code == 200, recalled.text
    refuse_in_the_browser(page, base, incoming_id)
    logout(page)

    login(page, "vanthu.stc")
    page.goto(f"{base}/#/outgoing/{issued['id']}")
    answer = page.locator("#doc-recipients .change-answer.is-refused")
    expect(answer).to_contain_text("Từ chối thu hồi")
    expect(answer).to_contain_text(REFUSE_REASON)
    expect(page.locator("#doc-updates .change-answer.is-agreed")).to_contain_text(
        "Đồng ý cập nhật")
    shot(page, "sender-sees-answers")
