"""Browser scenario of công việc (tasks), run by tests/browser/runner.py like those of
scenarios.py: the director of Sở Tài chính gives a specialist a task from an incoming
document and splits off a sub-task for him (a past deadline, and a sub-task due after
its task, are refused next to their fields); the specialist finds both in his tasks,
records progress, cannot complete the task while the sub-task is open, completes the
sub-task and then the task, then gives himself a task and cancels it; the director
finds his task done with its milestones; the task, the list and the form fit a 360 px
screen. Screenshots: /tmp/ui-tasks-*.png."""
from __future__ import annotations

import re
import time
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.scenarios import (NO_HORIZONTAL_SCROLL, fill_registration, login, logout,
                                     screenshot)

TASK_TITLE = "Tổng hợp số liệu quyết toán ngân sách quý IV"
TASK_DESCRIPTION = "Tổng hợp theo mẫu kèm văn bản, gửi Giám đốc Sở trước hạn."
SUB_TITLE = "Thu thập số liệu của các xã, phường"
DOC_SUBJECT = "Về việc quyết toán ngân sách địa phương quý IV"
PROGRESS_NOTE = "Đã có số liệu của 4/10 xã."
SUB_RESULT = "Đủ số liệu của 10 xã."
TASK_RESULT = "Đã gửi báo cáo quyết toán cho Giám đốc Sở."
OWN_TITLE = "Rà soát biểu mẫu báo cáo quyết toán"
CANCEL_REASON = "Trùng với việc Giám đốc Sở đã giao."


def vn(day: date) -> str:
    return day.strftime("%d/%m/%Y")


def open_tasks(page, view: str = "mine", state: str | None = None) -> None:
    page.locator("[data-nav=tasks]").click()
    expect(page.locator("h1")).to_have_text("Công việc")
    if view != "mine":
        page.locator(f"#tab-{view}").click()
        expect(page.locator(f"#tab-{view}")).to_have_attribute("aria-current", "page")
    if state:
        page.locator("#task-state-filter").select_option(state)
        expect(page.locator("#task-state-filter")).to_be_focused()
    page.wait_for_selector(".data-table, .empty")


def task_row(page, title: str):
    return page.locator(".data-table tbody tr").filter(
        has=page.get_by_role("link", name=title, exact=True))


def choose_assignee(page, prefix: str, search: str, name: str) -> None:
    page.locator(f"#{prefix}-search").fill(search)
    page.locator(f"#{prefix}-results").get_by_role("button", name=f"Chọn: {name}",
                                                   exact=True).click()
    expect(page.locator(f"#{prefix}-chosen")).to_contain_text(name)


def scenario_tasks(make_page, pdf_path=None):
    started = time.monotonic()
    stamp = time.strftime("%H%M%S")
    title = f"{TASK_TITLE} ({stamp})"
    subject = f"{DOC_SUBJECT} (kiểm thử {stamp})"
    soon, later = date.today() + timedelta(days=10), date.today() + timedelta(days=20)
    close = date.today() + timedelta(days=2)        # "due soon": within three days
    page = make_page()

    # --- The clerk registers the incoming document the task comes from
    login(page, "vanthu.stc")
    page.get_by_role("link", name="Vào sổ văn bản đến").first.click()
    fill_registration(page, code_number=str(int(stamp) + 3000), code_notation="STC-QTNS",
                      urgency="normal", subject=subject, due_in_days=20)
    page.get_by_role("button", name="Vào sổ", exact=True).click()
    expect(page.locator(".alert-success")).to_contain_text("số đến")
    logout(page)

    # --- The director gives the specialist a task from it; a past deadline is refused
    login(page, "lanhdao.stc")
    open_tasks(page, "created")
    expect(page.locator("#tab-unit")).to_be_visible()           # a leader sees the unit's
    page.locator("#task-new").click()
    expect(page.locator("#task-new")).to_have_attribute("aria-expanded", "true")
    expect(page.locator("#tn-title")).to_be_focused()
    page.locator("#task-new-confirm").click()                   # no assignee yet
    expect(page.locator("#tn-assignee-search-error")).to_have_text("Chọn người thực hiện.")
    page.locator("#tn-title").fill(title)
    page.locator("#tn-description").fill(TASK_DESCRIPTION)
    choose_assignee(page, "tn-assignee", "Bảo", "Đặng Quốc Bảo")
    # the document, found by the full-text search (indexed a moment after registration)
    page.locator("#tn-document-search").fill("quyết toán ngân sách địa phương")
    found = page.locator("#tn-document-results").get_by_role(
        "button", name=f"Gắn văn bản: {subject}", exact=True)
    deadline = time.monotonic() + 30
    while not found.count() and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.locator("#tn-document-search-button").click()
    found.click()
    expect(page.locator("#tn-document-chosen")).to_contain_text(subject)
    page.locator("#tn-due").fill((date.today() - timedelta(days=2)).isoformat())
    page.locator("#task-new-confirm").click()
    expect(page.locator("#tn-due-error")).to_have_text("Hạn đã qua.")
    expect(page.locator("#tn-due")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#task-new-form .error-summary")).to_be_focused()
    expect(page.locator("#tn-assignee-search-error")).to_be_hidden()
    screenshot(page, "tasks-give-error")
    page.locator("#tn-due").fill(soon.isoformat())
    page.locator("#task-new-confirm").click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#task-done")).to_have_text("Đã giao việc cho Đặng Quốc Bảo.")
    expect(page.locator("#task-state")).to_have_text("Đang thực hiện")
    expect(page.locator("#task-assignee")).to_contain_text("Đặng Quốc Bảo")
    expect(page.locator("#task-giver")).to_contain_text("Võ Văn Hùng")
    expect(page.locator("#task-due")).to_have_text(vn(soon))
    expect(page.locator("#task-description")).to_have_text(TASK_DESCRIPTION)
    expect(page.locator("#task-document")).to_contain_text(subject)
    expect(page.locator("#task-action-cancel")).to_be_visible()     # its giver may cancel it
    expect(page.locator("#task-action-complete")).to_have_count(0)  # … not complete it

    # --- … and splits off a sub-task for him, not due after the task
    page.locator("#task-add-sub").click()
    page.locator("#ts-title").fill(SUB_TITLE)
    expect(page.locator("#ts-assignee-chosen")).to_contain_text("Võ Văn Hùng")   # by default
    choose_assignee(page, "ts-assignee", "dang quoc", "Đặng Quốc Bảo")
    page.locator("#ts-due").fill(later.isoformat())
    page.locator("#task-sub-confirm").click()
    expect(page.locator("#ts-due-error")).to_have_text("Không được sau hạn của việc cha.")
    page.locator("#ts-due").fill(close.isoformat())
    page.locator("#task-sub-confirm").click()
    expect(page.locator("#task-done")).to_have_text(f"Đã giao việc con “{SUB_TITLE}”.")
    sub = page.locator("#task-sublist .task-sub")
    expect(sub).to_have_count(1)
    expect(sub).to_contain_text(SUB_TITLE)
    expect(sub).to_contain_text("Đặng Quốc Bảo")
    expect(sub).to_contain_text(f"{vn(close)} · Sắp đến hạn")
    screenshot(page, "tasks-given")

    # the list of tasks given, with the deadline as a Vietnamese date
    open_tasks(page, "created")
    row = task_row(page, title)
    expect(row).to_contain_text(vn(soon))
    expect(row).to_contain_text("Đặng Quốc Bảo")
    expect(row).to_contain_text("1/1 chưa xong")
    expect(task_row(page, SUB_TITLE)).to_contain_text("Việc con")
    expect(task_row(page, SUB_TITLE)).to_contain_text(f"{vn(close)} · Sắp đến hạn")
    expect(task_row(page, SUB_TITLE)).to_have_class(re.compile(r"\brow-soon\b"))
    expect(page.locator("#tab-created .count")).to_contain_text("2")
    screenshot(page, "tasks-list-created")
    logout(page)

    # --- The specialist: both in his tasks; progress; the task cannot end before its part
    login(page, "chuyenvien.stc")
    open_tasks(page)
    expect(page.locator("#tab-unit")).to_have_count(0)          # not a leader
    expect(page.locator("#tab-mine .count")).to_contain_text("2")
    expect(task_row(page, title)).to_contain_text("Võ Văn Hùng")
    expect(task_row(page, SUB_TITLE)).to_be_visible()
    screenshot(page, "tasks-list")
    task_row(page, title).get_by_role("link", name=title, exact=True).click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#task-action-cancel")).to_have_count(0)     # not its giver
    expect(page.locator("#task-open-subtasks")).to_contain_text("Còn 1 việc con chưa xong")
    page.locator("#task-action-progress").click()
    page.locator("#tp-percent").fill("40")
    page.locator("#tp-note").fill(PROGRESS_NOTE)
    page.locator("#task-progress-confirm").click()
    expect(page.locator("#task-done")).to_have_text("Đã cập nhật tiến độ.")
    expect(page.locator("#task-percent")).to_contain_text("40%")
    expect(page.locator("#task-note")).to_have_text(PROGRESS_NOTE)
    page.locator("#task-action-complete").click()
    page.locator("#tc-note").fill(TASK_RESULT)
    page.locator("#task-complete-confirm").click()
    refused = page.locator("#task-complete-form .error-summary")
    expect(refused).to_be_focused()
    expect(refused).to_contain_text("Còn việc con chưa xong.")
    expect(page.locator("#task-state")).to_have_text("Đang thực hiện")
    screenshot(page, "tasks-complete-refused")

    # the sub-task first, then the task
    page.locator("#task-sublist").get_by_role("link", name=SUB_TITLE, exact=True).click()
    expect(page.locator("h1")).to_have_text(SUB_TITLE)
    expect(page.locator("#task-parent")).to_contain_text(title)
    page.locator("#task-action-complete").click()
    page.locator("#tc-note").fill(SUB_RESULT)
    page.locator("#task-complete-confirm").click()
    expect(page.locator("#task-done")).to_have_text("Đã hoàn thành công việc.")
    expect(page.locator("#task-state")).to_have_text("Hoàn thành")
    expect(page.locator("#task-actions")).to_have_count(0)
    page.locator("#task-parent").get_by_role("link").click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#task-sublist .task-sub")).to_contain_text("Hoàn thành")
    page.locator("#task-action-complete").click()
    page.locator("#tc-note").fill(TASK_RESULT)
    page.locator("#task-complete-confirm").click()
    expect(page.locator("#task-done")).to_have_text("Đã hoàn thành công việc.")
    expect(page.locator("#task-state")).to_have_text("Hoàn thành")
    expect(page.locator("#task-percent")).to_contain_text("100%")
    open_tasks(page)
    expect(page.locator(".empty")).to_be_visible()               # nothing open is left

    # --- A task he gives himself (not a leader: to nobody else), and so may cancel
    page.locator("#task-new").click()
    expect(page.locator("#tn-assignee-chosen")).to_contain_text("Đặng Quốc Bảo")
    expect(page.locator("#tn-assignee-search")).to_have_count(0)
    page.locator("#tn-title").fill(OWN_TITLE)
    page.locator("#task-new-confirm").click()
    expect(page.locator("h1")).to_have_text(OWN_TITLE)
    expect(page.locator("#task-done")).to_have_text("Đã thêm công việc của bạn.")
    page.locator("#task-action-cancel").click()
    page.locator("#tx-note").fill(CANCEL_REASON)
    page.locator("#task-cancel-confirm").click()
    expect(page.locator("#task-done")).to_have_text("Đã hủy công việc.")
    expect(page.locator("#task-state")).to_have_text("Đã hủy")
    expect(page.locator("#task-history tbody tr").last).to_contain_text("Hủy việc")
    expect(page.locator("#task-history tbody tr").last).to_contain_text(CANCEL_REASON)
    screenshot(page, "tasks-cancelled")
    logout(page)

    # --- The director finds it done, with its milestones
    login(page, "lanhdao.stc")
    open_tasks(page, "created", state="done")
    task_row(page, title).get_by_role("link", name=title, exact=True).click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#task-state")).to_have_text("Hoàn thành")
    expect(page.locator("#task-note")).to_have_text(TASK_RESULT)
    expect(page.locator("#task-actions")).to_have_count(0)
    history = page.locator("#task-history tbody tr")
    expect(history).to_have_count(4)
    expect(history.nth(0)).to_contain_text("Giao việc")
    expect(history.nth(0)).to_contain_text("Đặng Quốc Bảo")
    expect(history.nth(1)).to_contain_text("Giao việc con")
    expect(history.nth(2)).to_contain_text("Việc con hoàn thành")
    expect(history.nth(2)).to_contain_text(SUB_RESULT)
    expect(history.nth(3)).to_contain_text(TASK_RESULT)
    # the document it comes from
    expect(page.locator("#task-document a")).to_contain_text(subject)
    screenshot(page, "tasks-done")
    task_url = page.url

    # --- 360 px: the task, the list and the form fit without sideways scrolling
    narrow = make_page(360, 780)
    narrow.goto(task_url)
    login(narrow, "lanhdao.stc")
    expect(narrow.locator("h1")).to_have_text(title)
    expect(narrow.locator("#task-history tbody tr")).to_have_count(4)
    screenshot(narrow, "tasks-narrow")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the task"
    narrow.locator("#lang-toggle").click()
    expect(narrow.locator("#task-state")).to_have_text("Done")
    expect(narrow.locator("#task-history-title")).to_have_text("Milestones")
    screenshot(narrow, "tasks-narrow-en")
    narrow.locator("#lang-toggle").click()
    expect(narrow.locator("#task-state")).to_have_text("Hoàn thành")
    open_tasks(narrow, "created", state="all")
    expect(task_row(narrow, title)).to_be_visible()
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the list"
    screenshot(narrow, "tasks-list-narrow")
    narrow.locator("#task-new").click()
    choose_assignee(narrow, "tn-assignee", "Bảo", "Đặng Quốc Bảo")
    narrow.locator("#tn-document-search").fill("quyết toán")
    narrow.locator("#tn-document-search-button").click()
    expect(narrow.locator("#tn-document-results li").first).to_be_visible()
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the form"
    screenshot(narrow, "tasks-give-narrow")
    print(f"tasks journey took {time.monotonic() - started:.1f} s")
