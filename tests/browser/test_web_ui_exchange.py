"""Liên thông (issue 14) in a real browser (Debian's Chromium through Playwright) against
the whole running system and its own reference axis; the scenario is in
scenarios_exchange.py, run in a process of its own through runner.py (see test_web_ui.py
for why). Screenshots: /tmp/ui-exchange-*.png."""

import pytest


pytestmark = pytest.mark.e2e


def test_a_clerk_accepts_one_received_document_and_returns_another_and_the_sender_sees_why(
        run_scenario):
    """Sở Tài chính issues two documents to Sở Nội vụ named by its mã định danh, so they
    go out and come back through the axis. Sở Nội vụ's văn thư finds both waiting under
    "Liên thông" (counted), sees the package's and the PDF's signature checks, accepts
    the signed one through the registration form filled from the package (an emptied
    field refused next to it), sees its số đến, opens its PDF and the incoming document,
    and returns the other with a reason; Sở Tài chính's văn thư sees 01, 03 on the
    first and 01, 02 with the reason on the second."""
    run_scenario("exchange_received_accepted_and_returned", timeout=120)
