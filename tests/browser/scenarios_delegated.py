"""Browser scenarios of delegated work, units' deadline rules and approval steps (run by
tests/browser/runner.py, see test_web_ui_delegated.py).

- Delegated assignment: the chairman of UBND tỉnh lets his chief of office (made by the
  administrator) assign incoming documents in his place (TL, "assign"); a document is
  registered and submitted to the chairman through the HTTP API; the chief finds it
  under "Được ủy quyền" (Thay Trần Văn Minh (TL)), opens it, assigns it in the UI, and
  the history shows him acting for the chairman; 360 px fits.
- Unit rules: the director of Sở Nội vụ sets its default deadlines on the settings page
  (a bad number refused next to its field; Hỏa tốc in 4 office hours); a flash document
  he assigns without a deadline shows a deadline at a minute (Vietnam time) in the
  processing panel and in the holder's inbox; a specialist reads the rules; 360 px fits.
- Approval steps: Sở Nội vụ's reports (TTr) go through two steps; the draft shows both
  steps, their approvers and modes and where it stands; the first approver approves;
  holding the director's delegation to approve, she then approves step 2 for him from
  "Được ủy quyền", and the history says so.
Screenshots: /tmp/ui-delegated-*.png."""
from __future__ import annotations

import re
import time
from datetime import datetime, timedelta, timezone

import requests
from playwright.sync_api import expect

from tests.browser.scenarios import NO_HORIZONTAL_SCROLL, day_text, login, logout, screenshot
from tests.browser.scenarios_reports import Http, register, wait_until
from tests.clock import vietnam_today

PASSWORD = "mat-khau-dai-2026"
CHIEF = ("chanhvanphong.ubnd", "Phan Văn Chánh", "Chánh Văn phòng")
HEAD_OF_DIVISION = ("truongphong.snv", "Kiều Thị Trưởng", "Trưởng phòng")
SPECIALIST = ("chuyenvien.snv", "Mạc Văn Viên", "Chuyên viên")
VIETNAM = timezone(timedelta(hours=7))
NEXT_WEEK = (vietnam_today() + timedelta(days=7)).isoformat()
DEADLINE_AT = re.compile(r"^\d{2}:\d{2} \d{2}/\d{2}/\d{4}")


def shot(page, name: str, full_page: bool = True) -> str:
    return screenshot(page, f"delegated-{name}", full_page=full_page)


def ensure_user(page, username: str, full_name: str, position: str, *, unit_of: str,
                role: str) -> Http:
    """A user made by the administrator once, in the unit of the demo user `unit_of`."""
    try:
        return Http(page, username, PASSWORD)
    except requests.HTTPError:
        pass
    admin = Http(page, "admin")
    unit_id = Http(page, unit_of).unit_id
    created = admin.post("/users", json={
        "username": username, "full_name": full_name, "position": position,
        "password": PASSWORD, "memberships": [{"unit_id": unit_id, "role": role}]})
    assert created.status_code == 201, created.text
    return Http(page, username, PASSWORD)


def revoke_given(giver: Http, to_user_id: str) -> None:
    """A clean slate: the giver's delegations in force to this person are revoked."""
    for old in giver.get("/delegations").json()["items"]:
        if old["from_user_id"] == giver.user["id"] and old["to_user_id"] == to_user_id \
                and not old["revoked_at"]:
            giver.post(f"/delegations/{old['id']}/revoke")


def as_vietnam_time(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return f"{moment.astimezone(VIETNAM):%H:%M %d/%m/%Y}"


def open_delegated(page, subject: str, timeout: float = 20):
    """The inbox's "Được ủy quyền" tab and the row of this subject (reloading while
    workflow has not given it yet)."""
    page.locator("[data-nav=inbox]").click()
    expect(page.locator("h1")).to_have_text("Việc cần xử lý")
    tab = page.locator("#tab-delegated")
    expect(tab).to_have_text(re.compile("^Được ủy quyền"))
    tab.click()
    expect(tab).to_have_attribute("aria-current", "page")
    row = page.locator(".data-table tbody tr").filter(has_text=subject)
    deadline = time.monotonic() + timeout
    page.wait_for_selector(".data-table, .empty")
    while not row.count() and time.monotonic() < deadline:
        page.wait_for_timeout(1000)
        page.reload()
        page.wait_for_selector(".data-table, .empty")
    expect(row).to_have_count(1)
    return row


# ---------------------------------------------------------------- delegated assignment

def scenario_delegated_assignment(make_page, pdf_path=None):
    started = time.monotonic()
    stamp = time.strftime("%H%M%S")
    subject = f"Đề nghị hỗ trợ kinh phí phòng chống lụt bão (kiểm thử {stamp})"
    page = make_page()
    chief = ensure_user(page, *CHIEF, unit_of="chuyenvien.ubnd", role="unit_head")
    chairman, clerk = Http(page, "lanhdao.ubnd"), Http(page, "vanthu.ubnd")
    revoke_given(chairman, chief.user["id"])

    # --- The chairman lets his chief of office assign incoming documents for him (TL)
    given = chairman.post("/delegations", json={
        "unit_id": chairman.unit_id, "to_user_id": chief.user["id"], "kind": "TL",
        "actions": ["assign"], "valid_to": NEXT_WEEK,
        "note": "Trong thời gian đồng chí Chủ tịch đi công tác."})
    assert given.status_code == 201, given.text

    # --- A document registered and submitted to the chairman (HTTP API)
    doc = register(clerk, int(stamp) + 3000, subject, urgency="urgent", notation="BNN-PCTT")
    assert wait_until(lambda: clerk.get(f"/incoming/{doc['id']}/processing").json()["state"])
    submitted = clerk.post(f"/incoming/{doc['id']}/submit",
                           json={"to_user_id": chairman.user["id"]})
    assert submitted.status_code == 200, submitted.text

    # --- The chief sees it received, the step named plainly
    login(page, CHIEF[0], PASSWORD)
    page.evaluate("location.hash = '#/delegations'")
    received = page.locator("#delegations-received tbody tr").filter(
        has=page.locator(f"[data-delegation='{given.json()['id']}']"))
    expect(received).to_contain_text("Phân công xử lý văn bản đến")
    expect(received).to_contain_text("Trần Văn Minh")

    # --- ... finds the document under "Được ủy quyền", for the chairman
    row = open_delegated(page, subject)
    expect(row.locator(".delegated-for")).to_have_text("Thay Trần Văn Minh (TL)")
    expect(row.locator(".badge.kind")).to_have_text("Phân công xử lý")
    expect(page.locator("#tab-delegated .count")).to_be_visible()
    shot(page, "inbox")

    # --- ... opens it and assigns it in the chairman's place
    row.get_by_role("link", name=subject).click()
    expect(page.locator("h1")).to_have_text(subject)
    expect(page.locator("#doc-part-only")).to_have_count(0)        # he reads the document
    expect(page.locator("#processing-state")).to_have_text("Chờ phân công", timeout=20_000)
    expect(page.locator("#processing-acting-for")).to_have_text(
        "Bạn thực hiện thay Trần Văn Minh theo ủy quyền (TL)")
    expect(page.locator("#proc-assign")).to_have_text("Phân công thay Trần Văn Minh")
    page.locator("#proc-assign").click()
    page.locator("#as-lead-search").fill("Tài chính")
    page.locator("#as-lead-results").get_by_role(
        "button", name="Chọn làm chủ trì: Sở Tài chính tỉnh Tây Ninh", exact=True).click()
    expect(page.locator("#as-lead-chosen")).to_contain_text("Sở Tài chính tỉnh Tây Ninh")
    page.locator("#as-lead-due").fill(day_text(vietnam_today() + timedelta(days=12)))
    page.locator("#as-instruction").fill("Giao Sở Tài chính chủ trì tham mưu.")
    shot(page, "assign-form")
    page.locator("#assign-confirm").click()
    expect(page.locator("#processing-done")).to_have_text("Đã phân công xử lý văn bản.")
    expect(page.locator("#processing-state")).to_have_text("Đã phân công")
    expect(page.locator("#processing-items tbody tr").filter(has_text="Chủ trì")
           .filter(has_text="Sở Tài chính tỉnh Tây Ninh")).to_be_visible()

    # --- The history names both: the chief did it, for the chairman (TL)
    assigned = page.locator("#doc-history tbody tr").filter(has_text="TL. Thay mặt: Trần Văn Minh")
    expect(assigned.first).to_be_visible(timeout=10_000)
    expect(assigned.first).to_contain_text("Phan Văn Chánh")
    shot(page, "history")
    history = chairman.get(f"/documents/{doc['id']}/history").json()["events"]
    event = next(e for e in history if e["action"] == "assigned")
    assert event["details"]["on_behalf_of_name"] == "Trần Văn Minh", event

    # --- Nothing waits for the chairman any more
    page.locator("[data-nav=inbox]").click()
    page.locator("#tab-delegated").click()
    page.wait_for_selector(".data-table, .empty")
    expect(page.locator(".data-table tbody tr").filter(has_text=subject)).to_have_count(0)
    logout(page)

    # --- 360 px: the delegated view scrolls only vertically
    other = submitted_other(clerk, chairman, stamp)
    narrow = make_page(360, 780)
    login(narrow, CHIEF[0], PASSWORD)
    row = open_delegated(narrow, other)
    expect(row.locator(".delegated-for")).to_have_text("Thay Trần Văn Minh (TL)")
    shot(narrow, "inbox-narrow")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the delegated inbox"
    chairman.post(f"/delegations/{given.json()['id']}/revoke")
    print(f"delegated assignment took {time.monotonic() - started:.1f} s")


def submitted_other(clerk: Http, chairman: Http, stamp: str) -> str:
    subject = f"Báo cáo tình hình thiệt hại do mưa lớn kéo dài (kiểm thử {stamp})"
    doc = register(clerk, int(stamp) + 4000, subject, notation="BNN-PCTT")
    assert wait_until(lambda: clerk.get(f"/incoming/{doc['id']}/processing").json()["state"])
    submitted = clerk.post(f"/incoming/{doc['id']}/submit",
                           json={"to_user_id": chairman.user["id"]})
    assert submitted.status_code == 200, submitted.text
    return subject


# ---------------------------------------------------------------- unit rules

def scenario_unit_rules(make_page, pdf_path=None):
    started = time.monotonic()
    stamp = time.strftime("%H%M%S")
    subject = f"Công điện hỏa tốc về ứng phó bão số 3 (kiểm thử {stamp})"
    page = make_page()
    specialist = ensure_user(page, *SPECIALIST, unit_of="vanthu.snv", role="specialist")
    director, clerk = Http(page, "lanhdao.snv"), Http(page, "vanthu.snv")
    reset = director.http.put(f"{director.base}/units/{director.unit_id}/processing-rules",
                              json={}, timeout=30)     # a clean slate: the defaults
    assert reset.status_code == 200, reset.text

    # --- The director sets the rules: a bad number first, refused next to its field
    login(page, "lanhdao.snv")
    page.locator("[data-nav=settings]").click()
    expect(page.locator("h1")).to_have_text("Cài đặt")
    panel = page.locator("#unit-rules")
    expect(panel.locator("h2")).to_have_text("Thời hạn xử lý mặc định")
    expect(page.locator("#rules-days-normal")).to_have_value("10")
    expect(page.locator("#rules-hours-flash")).to_have_value("")
    expect(page.locator("#rules-hours-normal")).to_have_count(0)   # normal is in days only
    page.locator("#rules-days-normal").fill("0")
    page.locator("#rules-hours-flash").fill("4")
    page.locator("#rules-save").click()
    expect(page.locator("#rules-days-normal-error")).to_contain_text("từ 1 đến 90")
    expect(page.locator("#rules-days-normal")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#rules-form .error-summary")).to_be_focused()
    shot(page, "rules-error")
    assert director.get(f"/units/{director.unit_id}/processing-rules").json()["hours"] == {}
    page.locator("#rules-days-normal").fill("7")
    page.locator("#rules-save").click()
    expect(page.locator("#rules-saved")).to_have_text(
        "Đã lưu thời hạn xử lý mặc định; tính theo giờ: Hỏa tốc: 4 giờ làm việc.")
    expect(page.locator("#rules-days-normal")).to_have_value("7")
    expect(page.locator("#rules-hours-flash")).to_have_value("4")
    rules = director.get(f"/units/{director.unit_id}/processing-rules").json()
    assert rules["hours"] == {"flash": 4.0} and rules["working_days"]["normal"] == 7, rules
    shot(page, "rules")

    # --- A flash document, assigned in the UI without a deadline: a deadline at a minute
    doc = register(clerk, int(stamp) + 5000, subject, urgency="flash", notation="CĐ-TTg")
    assert wait_until(lambda: director.get(f"/incoming/{doc['id']}/processing").json()["state"])
    page.evaluate(f"location.hash = '#/documents/{doc['id']}'")
    expect(page.locator("h1")).to_have_text(subject)
    expect(page.locator("#processing-state")).to_have_text("Chờ phân công", timeout=20_000)
    page.locator("#proc-assign").click()
    page.locator("#as-lead-search").fill(SPECIALIST[1])
    page.locator("#as-lead-results").get_by_role(
        "button", name=f"Chọn làm chủ trì: {SPECIALIST[1]}", exact=True).click()
    expect(page.locator("#as-lead-chosen")).to_contain_text(SPECIALIST[1])
    page.locator("#assign-confirm").click()
    expect(page.locator("#processing-done")).to_have_text("Đã phân công xử lý văn bản.")
    processing = director.get(f"/incoming/{doc['id']}/processing").json()
    lead = next(i for i in processing["items"] if i["kind"] == "lead")
    assert lead["due_at"], lead
    expected = as_vietnam_time(lead["due_at"])
    row = page.locator("#processing-items tbody tr").filter(has_text="Chủ trì").filter(
        has_text=SPECIALIST[1])
    expect(row.locator(".due-at")).to_have_text(expected)
    expect(page.locator("#processing-due")).to_have_text(expected)
    assert DEADLINE_AT.match(expected)
    shot(page, "processing-due-at")
    logout(page)

    # --- The holder's inbox shows the time too; a specialist reads the rules only
    login(page, SPECIALIST[0], PASSWORD)
    row = page.locator(".data-table tbody tr").filter(has_text=subject)
    expect(row).to_have_count(1, timeout=20_000)
    expect(row.locator(".due-at")).to_have_text(expected)
    expect(page.locator("#tab-delegated")).to_have_count(0)       # holds no delegation
    shot(page, "inbox-due-at")
    page.locator("[data-nav=settings]").click()
    expect(page.locator("#rules-value-flash")).to_have_text("4 giờ làm việc")
    expect(page.locator("#rules-value-normal")).to_have_text("7 ngày làm việc")
    expect(page.locator("#rules-form")).to_have_count(0)
    expect(page.locator("#rules-readonly")).to_be_visible()
    assert specialist.user["id"] == lead["user_id"]
    logout(page)

    # --- 360 px: the settings page and the inbox scroll only vertically
    narrow = make_page(360, 780)
    login(narrow, "lanhdao.snv")
    narrow.wait_for_selector(".data-table, .empty")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the inbox"
    narrow.locator("[data-nav=settings]").click()
    expect(narrow.locator("#rules-form")).to_be_visible()
    shot(narrow, "rules-narrow")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the settings page"
    print(f"unit rules journey took {time.monotonic() - started:.1f} s")


# ---------------------------------------------------------------- approval steps

def scenario_approval_steps(make_page, pdf_path=None):
    started = time.monotonic()
    stamp = time.strftime("%H%M%S")
    subject = f"Tờ trình kiện toàn tổ chức bộ máy (kiểm thử {stamp})"
    page = make_page()
    head = ensure_user(page, *HEAD_OF_DIVISION, unit_of="vanthu.snv", role="specialist")
    drafter = ensure_user(page, *SPECIALIST, unit_of="vanthu.snv", role="specialist")
    director = Http(page, "lanhdao.snv")
    revoke_given(director, head.user["id"])
    chain = director.http.put(f"{director.base}/approval-chains", timeout=30, json={
        "unit_id": director.unit_id, "document_type": "TTr",
        "steps": [{"approvers": [head.user["id"]], "mode": "all"},
                  {"approvers": [director.user["id"]], "mode": "any"}]})
    assert chain.status_code == 200, chain.text
    draft = drafter.post("/outgoing", json={
        "unit_id": drafter.unit_id, "document_type": "TTr", "subject": subject,
        "recipients": [{"organ_id": "000.00.00.G12", "name": "Tòa án nhân dân tối cao"}]})
    assert draft.status_code == 201, draft.text
    doc_id = draft.json()["id"]
    submitted = drafter.post(f"/outgoing/{doc_id}/submit", json={})
    assert submitted.status_code == 200 and submitted.json()["in_approval_chain"], submitted.text

    # --- The first approver sees both steps, their modes and where the draft is
    login(page, HEAD_OF_DIVISION[0], PASSWORD)
    page.evaluate(f"location.hash = '#/outgoing/{doc_id}'")
    expect(page.locator("h1")).to_have_text(subject)
    panel = page.locator("#approval-chain")
    expect(panel).to_be_visible(timeout=20_000)
    expect(page.locator("#chain-position")).to_have_text("Dự thảo đang ở bước 1/2.", timeout=20_000)
    steps = panel.locator(".chain-step")
    expect(steps).to_have_count(2)
    expect(steps.nth(0).locator(".chain-step-head")).to_contain_text(
        "Bước 1/2 · tất cả phải duyệt · Đang chờ duyệt")
    expect(steps.nth(0)).to_contain_text(HEAD_OF_DIVISION[1])
    expect(steps.nth(1).locator(".chain-step-head")).to_contain_text(
        "Bước 2/2 · một người duyệt là đủ · Chưa đến lượt")
    expect(steps.nth(1)).to_contain_text("Bùi Văn Đức — Chưa đến lượt")
    expect(page.locator("#chain-turn")).to_have_text("Đến lượt bạn duyệt (bước 1).")
    shot(page, "approval-steps")
    page.locator("#chain-approve").click()
    page.locator("#chain-approve-confirm").click()
    expect(page.locator("#step-done")).to_have_text("Đã duyệt; dự thảo chuyển sang bước tiếp theo.")
    expect(page.locator("#chain-position")).to_have_text("Dự thảo đang ở bước 2/2.")
    expect(page.locator("#chain-approve")).to_have_count(0)       # the director's turn

    # --- Holding the director's delegation to approve, she approves step 2 for him
    given = director.post("/delegations", json={
        "unit_id": director.unit_id, "to_user_id": head.user["id"], "kind": "KT",
        "actions": ["approve"], "document_types": ["TTr"], "valid_to": NEXT_WEEK})
    assert given.status_code == 201, given.text
    page.reload()     # the delegations held are kept a little while: read them afresh
    expect(page.locator("h1")).to_have_text(subject)
    row = open_delegated(page, subject)
    expect(row.locator(".delegated-for")).to_have_text("Thay Bùi Văn Đức (KT)")
    expect(row.locator(".badge.kind")).to_have_text("Duyệt dự thảo")
    row.get_by_role("link", name=subject).click()
    expect(page.locator("h1")).to_have_text(subject)
    expect(page.locator("#chain-turn")).to_have_text(
        "Đến lượt Bùi Văn Đức duyệt (bước 2); bạn duyệt thay theo ủy quyền (KT).")
    page.locator("#chain-approve").click()
    page.locator("#chain-comment").fill("Đồng ý (thay Giám đốc đi công tác).")
    shot(page, "approval-delegated")
    page.locator("#chain-approve-confirm").click()
    expect(page.locator("#step-done")).to_have_text("Đã duyệt; dự thảo đã được duyệt xong.")
    expect(page.locator("#doc-state")).to_have_text("Đã duyệt")
    expect(page.locator("#chain-position")).to_have_text("Dự thảo đã được duyệt qua cả 2 bước.")
    on_behalf = page.locator("#doc-history tbody tr").filter(has_text="KT. Thay mặt: Bùi Văn Đức")
    expect(on_behalf.first).to_be_visible(timeout=10_000)
    expect(on_behalf.first).to_contain_text(HEAD_OF_DIVISION[1])
    shot(page, "approval-history")
    director.post(f"/delegations/{given.json()['id']}/revoke")
    director.http.put(f"{director.base}/approval-chains", timeout=30, json={
        "unit_id": director.unit_id, "document_type": "TTr", "steps": []})
    print(f"approval steps journey took {time.monotonic() - started:.1f} s")
