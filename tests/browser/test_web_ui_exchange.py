"""Liên thông (issue 14) in a real browser (Debian's Chromium through Playwright) against
the whole running system and its own reference axis; the scenario is in
scenarios_exchange.py, run in a process of its own through runner.py (see test_web_ui.py
for why). Screenshots: /tmp/ui-exchange-*.png."""

import pytest


pytestmark = pytest.mark.e2e


def test_a_clerk_accepts_returns_and_gives_back_received_documents_and_the_sender_sees_it(
        run_scenario):
    """Sở Tài chính issues three documents to Sở Nội vụ named by its mã định danh, so they
    go out and come back through the axis, and recalls the third once it has arrived.
    Sở Nội vụ's văn thư finds them waiting under "Liên thông" (counted), sees the
    package's and the PDF's signature checks, opens the PDF before accepting it, accepts
    the signed one through the registration form filled from the package (an emptied
    field refused next to it), sees its số đến and opens the incoming document, returns
    the second with a reason, and agrees to the recall of the third, which shows "Đã thu
    hồi" and only its recall log; Sở Tài chính's văn thư sees 01, 03 on the first, 01,
    02 with the reason on the second and 01, 15 "Đồng ý thu hồi — đã khóa" on the
    third."""
    run_scenario("exchange_received_accepted_returned_and_recalled", timeout=120)
