"""Delegated work, units' deadline rules and approval steps in a real browser (Debian's
Chromium through Playwright) against the whole running system; the scenarios are in
scenarios_delegated.py, each run in a process of its own through runner.py (see
test_web_ui.py for why). Screenshots: /tmp/ui-delegated-*.png."""

import pytest


pytestmark = pytest.mark.e2e


def test_a_chief_of_office_assigns_for_the_chairman_from_delegated_work(run_scenario):
    """lanhdao.ubnd lets a chief of office (made by the administrator) assign incoming
    documents for him (TL); a document submitted to the chairman (HTTP API) waits
    under the chief's "Được ủy quyền" marked "Thay Trần Văn Minh (TL)"; the chief opens
    it, assigns it in the UI, and the history shows him acting for the chairman; 360 px
    fits."""
    run_scenario("delegated_assignment", timeout=300)


def test_a_unit_sets_its_deadlines_and_a_flash_document_gets_a_minute(run_scenario):
    """lanhdao.snv sets Sở Nội vụ's default deadlines on the settings page (0 working
    days refused next to its field; Hỏa tốc in 4 office hours); a flash document he
    assigns without a deadline shows "HH:MM dd/mm/yyyy" (Vietnam time) in the processing
    panel and the holder's inbox; a specialist reads the rules only; 360 px fits."""
    run_scenario("unit_rules", timeout=300)


def test_a_draft_shows_its_chains_steps_and_a_delegate_approves_a_step(run_scenario):
    """A two-step chain for Sở Nội vụ's reports (TTr): the submitted draft shows both
    steps with their approvers, modes and where it stands; the first approver approves,
    then approves step 2 for the director under his KT delegation from "Được ủy quyền";
    the history shows "KT. Thay mặt: Bùi Văn Đức"."""
    run_scenario("approval_steps", timeout=300)
