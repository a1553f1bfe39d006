"""The reports and delegations screens and live notifications in a real browser
(Debian's Chromium through Playwright) against the whole running system; the
scenarios are in scenarios_reports.py, each run in a process of its own through
runner.py (see test_web_ui.py for why). Screenshots: /tmp/ui-reports-*.png."""

import pytest


pytestmark = pytest.mark.e2e


def test_a_live_notification_reaches_the_open_inbox_at_once(run_scenario):
    """lanhdao.ubnd has the inbox open; vanthu.ubnd registers an urgent document and
    submits it to him (HTTP API): a toast marked KHẨN, the unread badge and the item
    appear without a reload within seconds (the fallback poll is 120 s); a toast closes
    and opens the document; once signed out, no stream and no toast."""
    run_scenario("live_notification")


def test_the_processing_report_drills_down_and_exports(run_scenario):
    """Two documents given to Lê Thị Thu (one completed) through the API; lanhdao.ubnd's
    report of this month shows them by unit and by person with totals, each number
    opens its documents (which open), XLSX and PDF download, a period ending before it
    starts is refused next to its field; 360 px fits; a specialist sees no report."""
    run_scenario("processing_report", timeout=300)


def test_a_delegation_is_given_listed_received_and_revoked(run_scenario):
    """lanhdao.stc delegates KT signing of plans to a deputy (a missing end date refused
    next to its field), sees it listed; the deputy sees it received, and a TUQ that
    cannot be passed on; the director revokes the KT after confirming; 360 px fits."""
    run_scenario("delegations", timeout=300)
