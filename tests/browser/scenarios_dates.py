"""Browser scenario of dates and times whatever the browser's locale and time zone, run
by tests/browser/runner.py like those of scenarios.py: in a browser set to en-US and
America/New_York (which would show a native date input as mm/dd/yyyy, and times 11 or
12 hours behind Vietnam), the web UI still shows days as dd/mm/yyyy and times as
Vietnam's (Asia/Ho_Chi_Minh), and its date fields read and take dd/mm/yyyy.
Screenshots: /tmp/ui-dates-*.png."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from playwright.sync_api import expect

from tests.browser.scenarios import login, screenshot
from tests.browser.scenarios_reports import Http, register
from tests.clock import VIETNAM, vietnam_today

ELSEWHERE = {"locale": "en-US", "timezone_id": "America/New_York"}


def detail(page, label: str):
    """The value of a detail list's row named `label`."""
    return page.locator(f"dt:text-is('{label}') + dd")


def in_vietnam(instant: str) -> datetime:
    """An instant from the API (UTC, with or without its zone) in Vietnam's time."""
    moment = datetime.fromisoformat(instant.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VIETNAM)


def scenario_dates_in_vietnam_whatever_the_browser(make_page, pdf_path=None):
    first = make_page()
    errors: list[str] = []
    context = first.context.browser.new_context(viewport={"width": 1280, "height": 800},
                                                **ELSEWHERE)
    context.set_default_timeout(15_000)
    page = context.new_page()
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(first.url)
    try:
        # the browser itself would say 3/5/2026 and New York's hour
        zone = page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone")
        shown = page.evaluate("new Date(Date.UTC(2026, 2, 5, 12)).toLocaleDateString()")
        assert (zone, shown) == ("America/New_York", "3/5/2026")

        clerk = Http(first, "vanthu.stc")
        subject = f"Về việc kiểm tra ngày giờ (kiểm thử {time.strftime('%H%M%S')})"
        doc = register(clerk, int(time.strftime("%H%M%S")), subject, notation="BTC-NGAY")
        login(page, "vanthu.stc")

        # --- a shown time is Vietnam's, a shown day dd/mm/yyyy
        page.evaluate(f"location.hash = '#/documents/{doc['id']}'")
        expect(page.locator("h1")).to_have_text(subject)
        arrived = in_vietnam(doc["arrival_date"])
        expect(detail(page, "Ngày đến")).to_have_text(arrived.strftime("%H:%M %d/%m/%Y"))
        issued = datetime.fromisoformat(doc["issued_date"]).date()
        expect(detail(page, "Ngày ban hành")).to_have_text(issued.strftime("%d/%m/%Y"))
        screenshot(page, "dates-document-new-york")

        # --- a date field reads dd/mm/yyyy (Vietnam's today) and takes it
        page.evaluate("location.hash = '#/reports'")
        today = vietnam_today()
        start, end = page.locator("#rp-from"), page.locator("#rp-to")
        expect(start).to_have_attribute("type", "text")
        expect(start).to_have_value(today.replace(day=1).strftime("%d/%m/%Y"))
        expect(end).to_have_value(today.strftime("%d/%m/%Y"))
        end.fill("5/1/" + str(today.year))          # typed loosely: 5 January
        end.blur()
        expect(end).to_have_value(f"05/01/{today.year}")
        end.fill(today.strftime("%d/%m/%Y"))
        start.fill("31/02/" + str(today.year))      # no such day: said at the field
        page.locator("#report-show").click()
        expect(page.locator("#rp-from-error")).to_contain_text("dd/mm/yyyy")
        expect(start).to_have_attribute("aria-invalid", "true")
        start.fill((today - timedelta(days=1)).strftime("%d/%m/%Y"))
        page.locator("#report-show").click()
        expect(page.locator("#report-subtitle")).to_contain_text(
            f"{today - timedelta(days=1):%d/%m/%Y}")
        assert f"from={today - timedelta(days=1):%Y-%m-%d}" in page.url   # the API's ISO day
        screenshot(page, "dates-report-new-york")
    finally:
        context.close()
    assert not errors, f"uncaught JavaScript errors: {errors}"
