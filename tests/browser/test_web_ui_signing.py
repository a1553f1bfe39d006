"""Digital signatures (ký số) in a real browser (Debian's Chromium through Playwright)
against the whole running system; the scenarios are in scenarios_signing.py, each run in
a process of its own through runner.py (see test_web_ui.py for why). Screenshots:
/tmp/ui-signing-*.png."""

import pytest


pytestmark = pytest.mark.e2e


def test_an_outgoing_document_signed_by_its_signer_and_its_organisation(run_scenario):
    """A Thông báo with a PDF, approved and form-checked, is signed by lanhdao.stc with
    his certificate (chosen for him in the sign step; paper offered too); vanthu.stc
    numbers it, is offered the organisation's signature before issuing and applies it
    with the unit's certificate; the document lists both signatures, links to the signed
    PDF, and its verification shows two valid signatures, on a 360 px screen too."""
    run_scenario("outgoing_signed_digitally", timeout=360)


def test_a_clerk_sees_an_unsigned_pdf_before_registering_it(run_scenario):
    """vanthu.stc uploads a PDF without signatures on the registration screen: under the
    file, "Không có chữ ký số" (a warning: registering goes ahead); the document's page
    shows the same check."""
    run_scenario("registration_shows_signature_check")
