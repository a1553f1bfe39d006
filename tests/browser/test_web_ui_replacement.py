"""Thay thế in a real browser (Debian's Chromium through Playwright) against the whole
running system; the scenario is in scenarios_replacement.py, run in a process of its own
through runner.py (see test_web_ui.py for why). Screenshots: /tmp/ui-replacement-*.png."""

import pytest


pytestmark = pytest.mark.e2e


def test_a_draft_replaces_an_issued_notice_and_both_copies_link_to_each_other(run_scenario):
    """Sở Tài chính's specialist drafts a notice that replaces one issued to Sở Nội vụ,
    picking it by its ký hiệu in the draft form; once it is issued, Sở Nội vụ's văn thư
    sees "Thay thế văn bản …" on the new incoming document and "Đã bị thay thế bởi …" on
    the old one, each a link to the other."""
    run_scenario("replacement_drafted_in_the_form_and_linked_on_both_sides", timeout=90)
