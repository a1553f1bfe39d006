"""Browser scenarios of the reports and delegations screens and of live notifications
(run by tests/browser/runner.py, see test_web_ui_reports.py).

- Live: the chairman of UBND tỉnh has his inbox open; the clerk registers an urgent
  document and submits it to him through the HTTP API; without a reload the chairman
  sees a toast (role=status, marked KHẨN), the unread badge rise and the item appear,
  within seconds — long before the 120 s fallback poll.
- Reports: work given and done through the HTTP API, then the chairman's processing
  report: the figures, the documents behind a number, the document itself, the XLSX
  and PDF exports, by person, a bad period next to its field; 360 px fits.
- Delegations: the director of Sở Tài chính lets a deputy sign plans for him (KT) —
  a missing end date is refused next to its field — sees it listed, the deputy sees it
  received (and a TUQ, which cannot be passed on), the director revokes it after
  confirming; 360 px fits.
Screenshots: /tmp/ui-reports-*.png."""
from __future__ import annotations

import re
import time
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from playwright.sync_api import expect

from tests.polling import wait_until  # noqa: F401  (scenarios import it from here)
from tests.browser.scenarios import DEMO_PASSWORD, NO_HORIZONTAL_SCROLL, login, logout, screenshot
from tests.clock import vietnam_today

LIVE_LIMIT_S = 15          # the fallback poll runs every 120 s; the stream must beat it by far
DEPUTY = ("phogiamdoc.stc", "Lâm Thị Phó", "Phó Giám đốc", "mat-khau-dai-2026")


class Http:
    """A signed-in user of the HTTP API, for setting the scene quickly."""

    def __init__(self, page_or_url, username: str, password: str = DEMO_PASSWORD):
        url = page_or_url if isinstance(page_or_url, str) else page_or_url.url
        parts = urlsplit(url)
        self.base = f"{parts.scheme}://{parts.netloc}/api/v1"
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = "vi"
        response = self.http.post(f"{self.base}/auth/login", timeout=30,
                                  json={"username": username, "password": password})
        response.raise_for_status()
        self.http.headers["Authorization"] = "Bearer " + response.json()["access_token"]
        self.user = response.json()["user"]

    @property
    def unit_id(self) -> str:
        return self.user["memberships"][0]["unit_id"]

    def get(self, path: str, **kwargs):
        return self.http.get(self.base + path, timeout=30, **kwargs)

    def post(self, path: str, **kwargs):
        return self.http.post(self.base + path, timeout=30, **kwargs)


def register(clerk: Http, number: int, subject: str, urgency: str = "normal",
             notation: str = "BTC-KT") -> dict:
    response = clerk.post("/incoming", json={
        "unit_id": clerk.unit_id, "code_number": str(number), "code_notation": notation,
        "issued_date": (vietnam_today() - timedelta(days=2)).isoformat(),
        "issuer": {"name": "Bộ Tài chính", "organ_id": "000.00.00.G12"},
        "document_type": "CV", "subject": subject, "urgency": urgency,
        "confidentiality": "none", "page_amount": 2, "file_ids": []})
    assert response.status_code == 201, response.text
    return response.json()


def unread_badge(page) -> int:
    text = page.locator("#unread-badge").text_content() or ""
    return int(text.rstrip("+") or 0)


# ---------------------------------------------------------------- live notifications

def scenario_live_notification(make_page, pdf_path=None):
    stamp = time.strftime("%H%M%S")
    subject = f"Về việc kiểm tra thông báo tức thời (kiểm thử {stamp})"
    page = make_page()
    streams = []
    page.on("response", lambda r: streams.append(r.status)
            if "/notifications/stream" in r.url else None)
    login(page, "lanhdao.ubnd")
    expect(page.locator("h1")).to_have_text("Việc cần xử lý")
    page.wait_for_selector(".data-table, .empty")
    # Playwright records responses only while it is called: wait in the page, not asleep
    deadline = time.monotonic() + 10
    while 200 not in streams and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    assert 200 in streams, f"the notification stream did not open: {streams}"
    expect(page.locator("#toast-region")).to_have_attribute("role", "status")
    before = unread_badge(page)
    page.evaluate("window.__sameDocument = true")     # gone if the page reloads

    # --- The clerk registers an urgent document and submits it to the chairman (API)
    clerk = Http(page, "vanthu.ubnd")
    chairman_id = Http(page, "lanhdao.ubnd").user["id"]
    started = time.monotonic()
    doc = register(clerk, int(stamp), subject, urgency="urgent", notation="BTC-TB")
    assert wait_until(lambda: clerk.get(f"/incoming/{doc['id']}/processing").status_code == 200)
    submitted = clerk.post(f"/incoming/{doc['id']}/submit",
                           json={"to_user_id": chairman_id, "note": "Kính trình"})
    assert submitted.status_code == 200, submitted.text

    # --- The chairman's open page: a toast, the badge up, the item in the list
    toast = page.locator("#toast-region .toast").filter(has_text="Văn bản đến số")
    expect(toast).to_be_visible(timeout=LIVE_LIMIT_S * 1000)
    elapsed = time.monotonic() - started
    assert elapsed < LIVE_LIMIT_S, f"the toast took {elapsed:.1f} s"
    expect(toast).to_have_class(re.compile(r"\btoast-urgent\b"))
    expect(toast.locator(".badge.urgency-urgent")).to_have_text("KHẨN")
    expect(toast).to_contain_text(subject)
    submitted_toast = page.locator("#toast-region .toast").filter(has_text="Văn bản được trình")
    expect(submitted_toast).to_be_visible(timeout=LIVE_LIMIT_S * 1000)
    toast.hover()                                          # a hovered toast stays
    expect(page.locator("#unread-badge")).to_be_visible()
    wait_until(lambda: unread_badge(page) >= before + 2, 10)
    assert unread_badge(page) >= before + 2, (before, unread_badge(page))   # registered, submitted
    row = page.locator(".data-table tbody tr").filter(has_text=subject)
    expect(row).to_have_count(1, timeout=10_000)
    expect(row.locator(".badge.urgency-urgent")).to_have_text("KHẨN")
    assert page.evaluate("window.__sameDocument === true"), "the page was reloaded"
    print(f"live notification shown {elapsed:.1f} s after the registration")
    screenshot(page, "reports-live-toast", full_page=False)

    # --- A toast closes with its button; "Xem" opens the document
    submitted_toast.locator(".toast-close").click()
    expect(submitted_toast).to_have_count(0)
    toast.locator(".toast-open").click()
    expect(page.locator("h1")).to_have_text(subject)
    expect(toast).to_have_count(0)
    expect(page.locator("#doc-history tbody tr").first).to_be_visible()

    # --- Signed out: the stream is closed, no toast for the next notification
    logout(page)
    closed_at = len(streams)
    register(clerk, int(stamp) + 1, f"{subject} (sau khi đăng xuất)", notation="BTC-TB")
    page.wait_for_timeout(3000)
    expect(page.locator("#toast-region .toast")).to_have_count(0)
    assert len(streams) == closed_at, "a stream was opened while signed out"


# ---------------------------------------------------------------- reports

def scenario_processing_report(make_page, pdf_path=None):
    started = time.monotonic()
    stamp = time.strftime("%H%M%S")
    done_subject = f"Về việc quyết toán kinh phí đã xong (kiểm thử {stamp})"
    open_subject = f"Về việc rà soát định mức còn đang xử lý (kiểm thử {stamp})"
    page = make_page()

    # --- Work given and done through the API: one part completed, one still open
    clerk = Http(page, "vanthu.ubnd")
    chairman = Http(page, "lanhdao.ubnd")
    helper = Http(page, "chuyenvien.ubnd")                 # Lê Thị Thu
    due = (vietnam_today() + timedelta(days=15)).isoformat()
    docs = {}
    for offset, subject in enumerate((done_subject, open_subject)):
        doc = register(clerk, int(stamp) * 10 + offset, subject, notation="BTC-BC")
        assert wait_until(lambda d=doc: chairman.get(
            f"/incoming/{d['id']}/processing").status_code == 200)
        assigned = chairman.post(f"/incoming/{doc['id']}/assign", json={
            "lead": {"user_id": helper.user["id"], "due_date": due},
            "instruction": "Đồng chí Thu chủ trì tham mưu."})
        assert assigned.status_code == 200, assigned.text
        docs[subject] = doc
    part = wait_until(lambda: next((i for i in helper.get("/inbox").json()["items"]
                                    if i["document_id"] == docs[done_subject]["id"]), None))
    completed = helper.post(f"/assignments/{part['id']}/complete", json={"note": "Đã xong."})
    assert completed.status_code == 200, completed.text

    # --- The chairman's report of this month, by unit: Lê Thị Thu's row
    login(page, "lanhdao.ubnd")
    page.locator("[data-nav=reports]").click()
    expect(page.locator("h1")).to_have_text("Báo cáo tình hình giải quyết văn bản đến")
    today = vietnam_today()
    expect(page.locator("#rp-from")).to_have_value(f"{today.replace(day=1):%d/%m/%Y}")
    expect(page.locator("#rp-to")).to_have_value(f"{today:%d/%m/%Y}")
    expect(page.locator("#rp-by-unit")).to_be_checked()
    expect(page.locator("#rp-unit-name")).to_contain_text("Tây Ninh")
    row = page.locator(".report-table tbody tr").filter(has_text="Lê Thị Thu")
    expect(row).to_have_count(1)
    received = int(row.locator("td.col-received").inner_text())
    assert received >= 2, received
    on_time = row.locator("button[data-column=done_on_time]")
    assert int(on_time.inner_text()) >= 1
    assert int(row.locator("button[data-column=open]").inner_text()) >= 1
    totals = page.locator(".report-table tfoot tr")
    expect(totals).to_contain_text("Tổng cộng")
    assert int(totals.locator("td.col-received").inner_text()) >= received
    assert row.locator("td.col-received").evaluate("td => getComputedStyle(td).textAlign") \
        == "right"
    expect(page.locator("#report-subtitle")).to_contain_text(
        f"từ 01/{today:%m/%Y} đến {today:%d/%m/%Y} · theo đơn vị")
    screenshot(page, "reports-report")

    # --- A number opens its documents; a document opens from there
    on_time.click()
    drill = page.locator("#report-drill")
    expect(page.locator("#report-drill-title")).to_have_text("Xong đúng hạn: Lê Thị Thu")
    expect(page.locator("#report-drill-title")).to_be_focused()
    expect(on_time).to_have_attribute("aria-expanded", "true")
    expect(drill.locator("tbody tr").filter(has_text=done_subject)).to_have_count(1)
    expect(drill.locator("tbody tr").filter(has_text=open_subject)).to_have_count(0)
    expect(drill.locator("tbody tr").filter(has_text=done_subject)).to_contain_text("Chủ trì")
    screenshot(page, "reports-drill")
    row.locator("button[data-column=open]").click()
    expect(page.locator("#report-drill-title")).to_have_text("Đang xử lý: Lê Thị Thu")
    expect(on_time).to_have_attribute("aria-expanded", "false")
    link = drill.get_by_role("link", name=open_subject)
    expect(link).to_have_attribute("href", f"#/documents/{docs[open_subject]['id']}")
    link.click()
    expect(page.locator("h1")).to_have_text(open_subject)
    page.go_back()
    expect(page.locator("h1")).to_have_text("Báo cáo tình hình giải quyết văn bản đến")
    expect(page.locator(".report-table tbody tr").filter(has_text="Lê Thị Thu")).to_have_count(1)

    # --- Exports: XLSX (a zip: PK) and PDF
    for format_, magic in (("xlsx", b"PK"), ("pdf", b"%PDF")):
        with page.expect_download() as download_info:
            page.locator(f"#report-export-{format_}").click()
        download = download_info.value
        assert download.suggested_filename.endswith(f".{format_}"), download.suggested_filename
        with open(download.path(), "rb") as handle:
            assert handle.read(len(magic)) == magic, format_
    expect(page.locator(".export-status")).to_contain_text("Đã tải xuống")

    # --- By person, the address keeps the choice; a period ending before it starts
    page.locator("#rp-by-person").check()
    page.locator("#report-show").click()
    expect(page.locator(".report-table thead")).to_contain_text("Cán bộ")
    expect(page.locator("#report-subtitle")).to_contain_text("theo cán bộ")
    expect(page.locator(".report-table tbody tr").filter(has_text="Lê Thị Thu")).to_have_count(1)
    assert "by=person" in page.url
    page.locator("#rp-from").fill(f"{today:%d/%m/%Y}")
    page.locator("#rp-to").fill(f"{today - timedelta(days=30):%d/%m/%Y}")
    page.locator("#report-show").click()
    expect(page.locator("#rp-to-error")).to_have_text("Ngày kết thúc trước ngày bắt đầu.")
    expect(page.locator("#rp-to")).to_have_attribute("aria-invalid", "true")
    page.locator("#rp-period-month").click()
    expect(page.locator("#rp-to-error")).to_be_hidden()
    expect(page.locator(".report-table")).to_be_visible()

    # --- 360 px: no sideways scroll, with a list open
    narrow = make_page(360, 780)
    login(narrow, "lanhdao.ubnd")
    narrow.locator("[data-nav=reports]").click()
    narrow_row = narrow.locator(".report-table tbody tr").filter(has_text="Lê Thị Thu")
    expect(narrow_row).to_have_count(1)
    screenshot(narrow, "reports-narrow")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the report"
    narrow_row.locator("button[data-column=done_on_time]").click()
    expect(narrow.locator("#report-drill tbody tr").filter(has_text=done_subject)).to_be_visible()
    screenshot(narrow, "reports-narrow-drill")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the report's list"

    # --- A specialist has no report to see
    logout(narrow)
    login(narrow, "chuyenvien.stc")
    narrow.locator("[data-nav=reports]").click()
    expect(narrow.locator("#report-not-allowed")).to_be_visible()
    print(f"report journey took {time.monotonic() - started:.1f} s")


# ---------------------------------------------------------------- delegations

def ensure_deputy(page) -> Http:
    """A deputy director (unit_head) of Sở Tài chính, made by the administrator once."""
    username, full_name, position, password = DEPUTY
    try:
        return Http(page, username, password)
    except requests.HTTPError:
        pass
    admin = Http(page, "admin")
    stc = Http(page, "vanthu.stc").unit_id
    created = admin.post("/users", json={
        "username": username, "full_name": full_name, "position": position,
        "password": password, "memberships": [{"unit_id": stc, "role": "unit_head"}]})
    assert created.status_code == 201, created.text
    return Http(page, username, password)


def scenario_delegations(make_page, pdf_path=None):
    started = time.monotonic()
    page = make_page()
    deputy = ensure_deputy(page)
    director = Http(page, "lanhdao.stc")
    for old in director.get("/delegations").json()["items"]:      # a clean slate
        if old["from_user_id"] == director.user["id"] and not old["revoked_at"]:
            director.post(f"/delegations/{old['id']}/revoke")
    next_week = vietnam_today() + timedelta(days=7)

    # --- From the settings page to the delegations screen
    login(page, "lanhdao.stc")
    page.locator("[data-nav=settings]").click()
    page.locator("#delegations-link").click()
    expect(page.locator("h1")).to_have_text("Ủy quyền")
    expect(page.locator("[data-nav=settings]")).to_have_attribute("aria-current", "page")
    expect(page.locator("#delegations-given-title")).to_be_visible()
    expect(page.locator("#delegations-given tr.dl-active")).to_have_count(0)

    # --- KT for plans, signing only: first without an end date (refused by the API)
    page.locator("#dl-to").select_option(label=f"{DEPUTY[1]} — {DEPUTY[2]}")
    expect(page.locator("#dl-kind-KT")).to_be_checked()
    expect(page.locator("#dl-action-sign")).to_be_checked()
    page.locator("#dl-type-KH").check()
    page.locator("#dl-note").fill("Trong thời gian đồng chí Giám đốc đi công tác.")
    page.locator("#delegation-save").click()
    expect(page.locator("#dl-to-date-error")).to_be_visible()
    expect(page.locator("#dl-to-date")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#delegation-form .error-summary")).to_be_focused()
    screenshot(page, "reports-delegation-error")
    page.locator("#dl-to-date").fill(f"{next_week:%d/%m/%Y}")
    page.locator("#delegation-save").click()
    expect(page.locator("#delegation-saved")).to_have_text("Đã ủy quyền ký thay cho Lâm Thị Phó.")
    given = page.locator("#delegations-given tbody tr.dl-active")
    expect(given).to_have_count(1)
    for text in ("KT", "Ký thay", "Ký", "Kế hoạch (KH)", "Đang hiệu lực",
                 f"{vietnam_today():%d/%m/%Y} – {next_week:%d/%m/%Y}"):
        expect(given).to_contain_text(text)
    kt_id = given.locator("[data-delegation]").get_attribute("data-delegation")
    screenshot(page, "reports-delegations")

    def row_of(on_page, section: str):
        return on_page.locator(f"#{section} tbody tr").filter(
            has=on_page.locator(f"[data-delegation='{kt_id}']"))

    # --- The deputy sees it received; a TUQ the director gives cannot be passed on
    tuq = director.post("/delegations", json={
        "unit_id": director.unit_id, "to_user_id": deputy.user["id"], "kind": "TUQ",
        "actions": ["sign"], "document_types": ["BC"], "valid_to": next_week.isoformat()})
    assert tuq.status_code == 201, tuq.text
    other = make_page()
    login(other, DEPUTY[0], DEPUTY[3])
    other.evaluate("location.hash = '#/delegations'")
    received = other.locator("#delegations-received tbody tr.dl-active")
    expect(received).to_have_count(2)
    kt_row = received.filter(has_text="Kế hoạch (KH)")
    expect(kt_row).to_contain_text("Võ Văn Hùng")
    expect(kt_row.locator(".dl-pass-on")).to_be_visible()
    expect(received.filter(has_text="TUQ")).to_contain_text("Không được ủy quyền lại")
    expect(received.filter(has_text="TUQ").locator(".dl-pass-on")).to_have_count(0)
    expect(other.locator("#dl-via option")).to_have_count(1)        # only the KT to pass on
    expect(other.locator("#dl-type-KH")).to_be_checked()           # within what it covers
    expect(other.locator("#dl-to-date")).to_have_value(f"{next_week:%d/%m/%Y}")
    screenshot(other, "reports-delegations-received")

    # --- The director revokes the KT: cancel first, then confirm
    page.reload()
    given = row_of(page, "delegations-given")
    given.locator(".dl-revoke").click()
    dialog = page.locator("dialog[open]")
    expect(dialog).to_contain_text("Thu hồi ủy quyền ký thay của Lâm Thị Phó")
    screenshot(page, "reports-delegation-revoke", full_page=False)
    page.locator("#revoke-cancel").click()
    expect(dialog).to_have_count(0)
    expect(given).to_contain_text("Đang hiệu lực")
    expect(given.locator(".dl-revoke")).to_be_focused()
    given.locator(".dl-revoke").click()
    page.locator("#revoke-confirm").click()
    expect(page.locator("#delegation-revoked")).to_have_text(
        "Đã thu hồi ủy quyền ký thay của Lâm Thị Phó.")
    expect(given).to_contain_text("Đã thu hồi")
    expect(given.locator(".dl-revoke")).to_have_count(0)
    page.locator("#dl-active-only").check()
    expect(given).to_have_count(0)
    other.reload()
    expect(row_of(other, "delegations-received")).to_contain_text("Đã thu hồi")

    # --- 360 px: the lists and the form scroll only vertically
    narrow = make_page(360, 780)
    login(narrow, "lanhdao.stc")
    narrow.evaluate("location.hash = '#/delegations'")
    expect(narrow.locator("#delegations-given tbody tr").first).to_be_visible()
    expect(narrow.locator("#delegation-form")).to_be_visible()
    screenshot(narrow, "reports-delegations-narrow")
    assert narrow.evaluate(NO_HORIZONTAL_SCROLL), "horizontal scroll on the delegations screen"
    director.post(f"/delegations/{tuq.json()['id']}/revoke")
    print(f"delegation journey took {time.monotonic() - started:.1f} s")
