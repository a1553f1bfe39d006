"""Accounts in a real browser against the whole running system; the scenario is in
scenarios_accounts.py and runs in a process of its own through runner.py, like those
of test_web_ui.py. Screenshots: /tmp/ui-accounts-*.png."""

import pytest


pytestmark = pytest.mark.e2e


def test_a_reset_password_a_renewed_token_a_stream_ticket_and_a_logout_that_revokes(
        run_scenario):
    """An administrator resets a person's password; signed in with the temporary one,
    the person sees only the change-password screen (another address leads back; a
    short password is refused next to the form) and, once changed, works: the
    notification stream opens with a one-time ticket and no URL carries a token; an
    access token about to expire is renewed with the refresh token before the next
    request; logging out makes the token answer 401 on the server; the new password
    signs in."""
    run_scenario("accounts", timeout=240)
