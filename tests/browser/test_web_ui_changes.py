"""Recall and update within the system in a real browser (Debian's Chromium through
Playwright) against the whole running system; the scenario is in scenarios_changes.py,
run in a process of its own through runner.py (see test_web_ui.py for why).
Screenshots: /tmp/ui-changes-*.png."""

import pytest


pytestmark = pytest.mark.e2e


def test_an_internal_update_is_agreed_and_a_recall_refused_in_the_one_answer_form(
        run_scenario):
    """Sở Tài chính's văn thư updates an issued Thông báo's subject (a reason required);
    Sở Nội vụ's văn thư finds the request under Liên thông › Yêu cầu thu hồi / cập nhật,
    reads what changes and agrees: the new subject shows. The director recalls it; she
    refuses with a reason (required). The sender sees the update agreed and the recall
    refused with the reason."""
    run_scenario("internal_update_agreed_and_recall_refused", timeout=120)
