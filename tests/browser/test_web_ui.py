"""The web UI in a real browser (Debian's Chromium through Playwright) against the
whole running system. The scenarios themselves are in scenarios.py; each runs in a
process of its own through runner.py, because Playwright's sync API can deadlock
under the eventlet monkey-patching that tests/conftest.py applies to this process.

Order matters: the journey runs first on the fresh system, so its document gets
số đến 1, and the duplicate check re-registers that document (số đến 2, no file): the
search scenario then finds both, the journey's first by relevance, the duplicate first
by date.
Screenshots of every main screen: /tmp/ui-*.png."""

import pytest


pytestmark = pytest.mark.e2e


def test_clerk_registers_and_leader_finds_it_by_pdf_text(run_scenario):
    """vanthu.stc uploads a PDF and registers it (số đến 1, listed first, downloadable);
    lanhdao.stc sees the unread badge, the KHẨN item in the inbox, the notification
    (then marks all read), finds the document by a word only inside the PDF with a
    <mark> in the snippet, and sees every service up."""
    run_scenario("clerk_registers_and_leader_finds_it")


def test_validation_errors_next_to_fields_and_duplicate_confirmation(run_scenario):
    run_scenario("validation_errors_and_duplicate_confirmation")


def test_search_by_direction_sorted_saved_rerun_forgotten_and_exported(run_scenario):
    """lanhdao.stc finds the journey's document by a word of its PDF, filters by
    direction (a later page keeps the first page's facets without asking for them),
    orders the hits newest first, saves the search with its order (a repeated name is
    refused), exports the hits as XLSX in that order, reruns it from the saved list and
    forgets it; vanthu.stc, on a 360 px screen, misspells a word and is told the hits
    are close matches, the journey's document (with its PDF) first, then orders them
    newest first: the URL says so and the duplicate registered after it comes first."""
    run_scenario("search_saved_and_exported")


def test_an_administrator_rebuilds_the_search_index(run_scenario):
    """admin opens Settings: the search index panel shows the live index's documents;
    the rebuild started there runs to 100 % (the button off meanwhile) and the count
    is the index's; a rebuild already running (started through the API) refuses the
    button with the service's message, and the page follows that run instead."""
    run_scenario("search_index_rebuilt")


def test_english_toggle_sends_accept_language(run_scenario):
    run_scenario("english_toggle_sends_accept_language")


def test_narrow_screen_has_no_horizontal_scroll(run_scenario):
    run_scenario("narrow_screen_has_no_horizontal_scroll")


def test_rejected_token_goes_back_to_login(run_scenario):
    run_scenario("rejected_token_goes_back_to_login")


def test_outgoing_document_from_draft_to_issue(run_scenario):
    """chuyenvien.stc drafts a Thông báo to Sở Nội vụ (found by the unit search) and to
    an outside body, and submits it; lanhdao.stc returns it with a reason, shown on the
    document; a second version is saved and submitted again; approved, form-checked,
    signed on paper (as Giám đốc Võ Văn Hùng, who has a certificate), numbered …/TB-STC and
    issued by the right roles, with the history exported, a copy made and the register
    printed; the document and the list fit a 360 px screen; vanthu.snv finds it in the
    incoming list."""
    run_scenario("outgoing_draft_to_issue", timeout=360)


def test_incoming_processing_from_submission_to_done(run_scenario):
    """vanthu.ubnd registers an incoming document and submits it to the chairman, who
    assigns it on a 360 px screen (a past deadline is refused next to its field):
    Sở Tài chính leads, Sở Nội vụ co-handles, the commune is informed. Sở Tài chính's
    head passes the lead to a specialist, who returns it with a reason; passed on again,
    the specialist records progress and completes it; UBND tỉnh sees it done with every
    step in the history, and the document fits 360 px."""
    run_scenario("incoming_processing", timeout=360)


def test_approval_chain_and_notification_preferences(run_scenario):
    """lanhdao.stc sets a one-step chain for reports (BC) on the settings page; a report
    drafted and submitted by chuyenvien.stc enters it, lanhdao.stc finds it among the
    approvals in the inbox and approves it through the chain (Đã duyệt); chuyenvien.stc
    saves an e-mail address for notifications after a bad one is refused."""
    run_scenario("approval_chain_and_preferences", timeout=300)


def test_an_attachment_whose_text_cannot_be_read_says_why(run_scenario):
    """A password-protected PDF: the document's page says it cannot be found by its
    content because of the password."""
    run_scenario("unreadable_attachment_is_explained")


def test_dates_and_times_are_vietnams_whatever_the_browsers_locale_and_zone(run_scenario):
    """In a browser set to en-US and America/New_York, a document's arrival time reads
    as Vietnam's (HH:MM dd/mm/yyyy) and its issue day as dd/mm/yyyy; the report's date
    fields read dd/mm/yyyy (Vietnam's today), take a day typed loosely, say at the field
    when a text is no day, and send the API YYYY-MM-DD."""
    run_scenario("dates_in_vietnam_whatever_the_browser")
