"""Browser scenario of công việc (tasks), run by tests/browser/runner.py like those of
scenarios.py: the director of Sở Tài chính gives a specialist a task from an incoming
document and splits off a sub-task for him (a past deadline, and a sub-task due after
its task, are refused next to their fields); the document's "Công việc" section lists
both, and its "Giao việc từ văn bản này" opens the form with the document chosen; the
tab counts come with the list (one request for the specialist); the specialist's
notification of the task opens the task; he records progress, is not offered
completing the task while the sub-task is open, completes the sub-task and then the task (the
director, signed in meanwhile, gets a toast opening the task), then gives himself a
task and cancels it; the director finds his task done with its real history (given,
sub-task added, progress 40 % with its note, completed, each by whom); the task, the
list and the form fit a 360 px screen. Screenshots: /tmp/ui-tasks-*.png."""
from __future__ import annotations

import re
import time
from datetime import date, timedelta

from playwright.sync_api import expect

from tests.browser.scenarios import (NO_HORIZONTAL_SCROLL, fill_registration, login, logout,
                                     screenshot)
from tests.clock import vietnam_today

TASK_TITLE = "Tổng hợp số liệu quyết toán ngân sách quý IV"
TASK_DESCRIPTION = "Tổng hợp theo mẫu kèm văn bản, gửi Giám đốc Sở trước hạn."
SUB_TITLE = "Thu thập số liệu của các xã, phường"
DOC_SUBJECT = "Về việc quyết toán ngân sách địa phương quý IV"
PROGRESS_NOTE = "Đã có số liệu của 4/10 xã."
SUB_RESULT = "Đủ số liệu của 10 xã."
TASK_RESULT = "Đã gửi báo cáo quyết toán cho Giám đốc Sở."
OWN_TITLE = "Rà soát biểu mẫu báo cáo quyết toán"
CANCEL_REASON = "Trùng với việc Giám đốc Sở đã giao."


LIVE_LIMIT_S = 20


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


def history_row(page, action: str):
    return page.locator("#task-history tbody tr").filter(
        has=page.locator("strong", has_text=re.compile(f"^{re.escape(action)}$")))


def task_requests(page) -> list[str]:
    """The GET /api/v1/tasks (list) requests the page makes from now on."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url) if r.method == "GET"
            and re.search(r"/api/v1/tasks(\?|$)", r.url) else None)
    return seen


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
    soon, later = vietnam_today() + timedelta(days=10), vietnam_today() + timedelta(days=20)
    close = vietnam_today() + timedelta(days=2)        # "due soon": within three days
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
    page.locator("#tn-due").fill(vn(vietnam_today() - timedelta(days=2)))
    page.locator("#task-new-confirm").click()
    expect(page.locator("#tn-due-error")).to_have_text("Hạn đã qua.")
    expect(page.locator("#tn-due")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#task-new-form .error-summary")).to_be_focused()
    expect(page.locator("#tn-assignee-search-error")).to_be_hidden()
    screenshot(page, "tasks-give-error")
    page.locator("#tn-due").fill(vn(soon))
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
    task_id = page.url.split("#/tasks/", 1)[1]
    expect(page.locator("#task-history tbody tr")).to_have_count(1)
    expect(history_row(page, "Giao việc")).to_contain_text("Võ Văn Hùng")
    expect(history_row(page, "Giao việc")).to_contain_text(TASK_DESCRIPTION)
    expect(page.get_by_text("chỉ lưu lần cập nhật mới nhất")).to_have_count(0)

    # --- … and splits off a sub-task for him, not due after the task
    page.locator("#task-add-sub").click()
    page.locator("#ts-title").fill(SUB_TITLE)
    expect(page.locator("#ts-assignee-chosen")).to_contain_text("Võ Văn Hùng")   # by default
    choose_assignee(page, "ts-assignee", "dang quoc", "Đặng Quốc Bảo")
    page.locator("#ts-due").fill(vn(later))
    page.locator("#task-sub-confirm").click()
    expect(page.locator("#ts-due-error")).to_have_text("Không được sau hạn của việc cha.")
    page.locator("#ts-due").fill(vn(close))
    page.locator("#task-sub-confirm").click()
    expect(page.locator("#task-done")).to_have_text(f"Đã giao việc con “{SUB_TITLE}”.")
    sub = page.locator("#task-sublist .task-sub")
    expect(sub).to_have_count(1)
    expect(sub).to_contain_text(SUB_TITLE)
    expect(sub).to_contain_text("Đặng Quốc Bảo")
    expect(sub).to_contain_text(f"{vn(close)} · Sắp đến hạn")
    expect(history_row(page, "Thêm việc con")).to_contain_text(SUB_TITLE)
    expect(history_row(page, "Thêm việc con")).to_contain_text("Võ Văn Hùng")
    screenshot(page, "tasks-given")

    # --- The document's "Công việc" section: the task and its sub-task (which inherits
    # the document), and giving another task from it
    page.locator("#task-document a").click()
    expect(page.locator("h1")).to_have_text(subject)
    section = page.locator("#doc-tasks")
    expect(section).to_be_visible()
    expect(section.locator("#doc-task-list .task-sub")).to_have_count(2)
    expect(section.get_by_role("link", name=title, exact=True)).to_have_attribute(
        "href", f"#/tasks/{task_id}")
    from_doc = section.locator(".task-sub").filter(
        has=page.get_by_role("link", name=SUB_TITLE, exact=True))
    expect(from_doc).to_contain_text("Việc con")
    expect(from_doc).to_have_class(re.compile(r"\bdoc-task-child\b"))   # under its task
    expect(section.locator(".task-sub").first).to_contain_text(title)
    expect(from_doc).to_contain_text("Đặng Quốc Bảo")
    expect(section.locator("#doc-tasks-count")).to_have_text(re.compile(r"\(2\)"))
    section.scroll_into_view_if_needed()
    screenshot(page, "tasks-document")
    page.locator("#doc-task-new").click()
    expect(page.locator("h1")).to_have_text("Công việc")
    expect(page.locator("#tn-title")).to_be_focused()
    expect(page.locator("#tn-document-chosen")).to_contain_text(subject)
    expect(page.locator("#task-doc-filter")).to_contain_text(subject)
    screenshot(page, "tasks-from-document")
    page.locator("#task-new").click()                            # closes the form
    expect(page.locator("#task-new-form")).to_have_count(0)

    # the list of tasks given, with the deadline as a Vietnamese date
    open_tasks(page, "created")
    row = task_row(page, title)
    expect(row).to_contain_text(vn(soon))
    expect(row).to_contain_text("Đặng Quốc Bảo")
    expect(row).to_contain_text("1/1 chưa xong")
    expect(task_row(page, SUB_TITLE)).to_contain_text("Việc con")
    expect(task_row(page, SUB_TITLE)).to_contain_text(f"{vn(close)} · Sắp đến hạn")
    expect(task_row(page, SUB_TITLE)).to_have_class(re.compile(r"\brow-soon\b"))
    expect(page.locator("#tab-created .count")).to_have_text(re.compile(r"^2 "))
    expect(page.locator("#tab-unit .count")).to_have_text(re.compile(r"^2 "))
    expect(page.locator("#tab-mine .count")).to_have_count(0)    # none given to him
    screenshot(page, "tasks-list-created")
    logout(page)

    # --- The specialist: both in his tasks; progress; the task cannot end before its part
    login(page, "chuyenvien.stc")
    listed = task_requests(page)
    open_tasks(page)
    expect(page.locator("#tab-unit")).to_have_count(0)          # not a leader
    expect(page.locator("#tab-mine .count")).to_have_text(re.compile(r"^2 "))
    expect(page.locator("#tab-mine-overdue")).to_have_count(0)  # nothing overdue
    expect(task_row(page, title)).to_contain_text("Võ Văn Hùng")
    expect(task_row(page, SUB_TITLE)).to_be_visible()
    page.wait_for_timeout(500)
    assert len(listed) == 1, f"the tasks list and its counts took {listed}"
    screenshot(page, "tasks-list")
    # the counts stay on another tab
    page.locator("#tab-created").click()
    expect(page.locator(".empty")).to_be_visible()
    expect(page.locator("#tab-mine .count")).to_have_text(re.compile(r"^2 "))

    # his notification of the task opens the task, not the document
    page.locator("#bell").click()
    expect(page.locator("h1")).to_have_text("Thông báo")
    given = page.locator(".note").filter(has_text="Đồng chí được giao công việc").filter(
        has_text=title)
    expect(given).to_have_count(1, timeout=LIVE_LIMIT_S * 1000)
    expect(given.locator(".note-open-task")).to_have_attribute("href", f"#/tasks/{task_id}")
    expect(given.locator(".note-open-task")).to_have_text("Xem công việc")
    screenshot(page, "tasks-notification")
    given.locator(".note-open-task").click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page).to_have_url(re.compile(f"#/tasks/{task_id}$"))
    expect(page.locator("#task-action-cancel")).to_have_count(0)     # not its giver
    expect(page.locator("#task-open-subtasks")).to_contain_text("Còn 1 việc con chưa xong")
    page.locator("#task-action-progress").click()
    page.locator("#tp-percent").fill("40")
    page.locator("#tp-note").fill(PROGRESS_NOTE)
    page.locator("#task-progress-confirm").click()
    expect(page.locator("#task-done")).to_have_text("Đã cập nhật tiến độ.")
    expect(page.locator("#task-percent")).to_contain_text("40%")
    expect(page.locator("#task-note")).to_have_text(PROGRESS_NOTE)
    # the API does not offer completing it while the sub-task is open (allowed_actions);
    # the hint above says why
    expect(page.locator("#task-action-complete")).to_have_count(0)
    expect(page.locator("#task-open-subtasks")).to_be_visible()
    expect(page.locator("#task-state")).to_have_text("Đang thực hiện")
    screenshot(page, "tasks-complete-not-yet")

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

    # the director is signed in meanwhile: the task's completion comes as a toast
    lead = make_page()
    streams = []
    lead.on("response", lambda r: streams.append(r.status)
            if "/notifications/stream" in r.url else None)
    login(lead, "lanhdao.stc")
    lead.wait_for_selector(".data-table, .empty")
    deadline = time.monotonic() + 10
    while 200 not in streams and time.monotonic() < deadline:
        lead.wait_for_timeout(200)
    assert 200 in streams, f"the notification stream did not open: {streams}"

    page.locator("#task-action-complete").click()
    page.locator("#tc-note").fill(TASK_RESULT)
    page.locator("#task-complete-confirm").click()
    expect(page.locator("#task-done")).to_have_text("Đã hoàn thành công việc.")
    expect(page.locator("#task-state")).to_have_text("Hoàn thành")
    expect(page.locator("#task-percent")).to_contain_text("100%")
    toast = lead.locator("#toast-region .toast").filter(has_text=title)
    expect(toast).to_be_visible(timeout=LIVE_LIMIT_S * 1000)
    toast.hover()                                               # a hovered toast stays
    expect(toast.locator(".toast-open")).to_have_attribute("href", f"#/tasks/{task_id}")
    screenshot(lead, "tasks-toast", full_page=False)
    toast.locator(".toast-open").click()
    expect(lead.locator("h1")).to_have_text(title)
    expect(lead.locator("#task-state")).to_have_text("Hoàn thành")
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
    expect(page.locator("#task-history tbody tr")).to_have_count(2)
    expect(page.locator("#task-history tbody tr").last).to_contain_text("Hủy việc")
    expect(page.locator("#task-history tbody tr").last).to_contain_text(CANCEL_REASON)
    expect(page.locator("#task-history tbody tr").last).to_contain_text("Đặng Quốc Bảo")
    screenshot(page, "tasks-cancelled")
    logout(page)

    # --- The director (still signed in) finds it done, with its history
    page = lead
    open_tasks(page, "created", state="done")
    task_row(page, title).get_by_role("link", name=title, exact=True).click()
    expect(page.locator("h1")).to_have_text(title)
    expect(page.locator("#task-state")).to_have_text("Hoàn thành")
    expect(page.locator("#task-note")).to_have_text(TASK_RESULT)
    expect(page.locator("#task-actions")).to_have_count(0)
    expect(page.locator("#task-giver")).to_have_text("Võ Văn Hùng")
    expect(page.locator("#task-assignee")).to_have_text("Đặng Quốc Bảo")
    history = page.locator("#task-history tbody tr")
    expect(history).to_have_count(4)            # the refused completion left no trace
    expect(history.nth(0)).to_contain_text("Giao việc")
    expect(history.nth(0)).to_contain_text("Võ Văn Hùng")
    expect(history.nth(0)).to_contain_text("Người thực hiện: Đặng Quốc Bảo")
    expect(history.nth(1)).to_contain_text("Thêm việc con")
    expect(history.nth(1)).to_contain_text("Võ Văn Hùng")
    expect(history.nth(1)).to_contain_text(SUB_TITLE)
    expect(history.nth(2)).to_contain_text("Cập nhật tiến độ")
    expect(history.nth(2)).to_contain_text("Đặng Quốc Bảo")
    expect(history.nth(2)).to_contain_text("40%")
    expect(history.nth(2)).to_contain_text(PROGRESS_NOTE)
    expect(history.nth(3)).to_contain_text("Hoàn thành")
    expect(history.nth(3)).to_contain_text("Đặng Quốc Bảo")
    expect(history.nth(3)).to_contain_text("100%")
    expect(history.nth(3)).to_contain_text(f"Kết quả: {TASK_RESULT}")
    expect(page.get_by_text(SUB_RESULT)).to_have_count(0)   # the sub-task's own history
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
