"""Administration per unit in a real browser (Debian's Chromium through Playwright)
against the whole running system; the scenario is in scenarios_admin.py, run in a
process of its own through runner.py (see test_web_ui.py for why)."""

import pytest


pytestmark = pytest.mark.e2e


def test_the_head_follows_the_notification_and_confirms_a_change_of_rights(run_scenario):
    """The quản trị of phường Tân Ninh creates an account in an office below the ward
    (HTTP API); the ward's head is notified, follows the note to the settings page,
    finds it waiting with who made it and confirms it; it waits no more; the settings
    page fits 360 px."""
    run_scenario("rights_alert_confirmed")
