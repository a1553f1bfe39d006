"""The digital side of the outgoing steps as plain rules: how the date is written into
the document (ND30 Phụ lục I §II.4) and what recipients receive."""
from datetime import date
from types import SimpleNamespace

from services.documents.signing_steps import DigitalSigningSteps, date_text


def test_days_under_ten_and_january_and_february_take_a_leading_zero():
    assert date_text(date(2026, 12, 7)) == "ngày 07 tháng 12 năm 2026"
    assert date_text(date(2026, 2, 15)) == "ngày 15 tháng 02 năm 2026"
    assert date_text(date(2026, 3, 1)) == "ngày 01 tháng 3 năm 2026"


def test_recipients_get_the_signed_pdf_and_signed_attachments_of_a_digitally_signed_document():
    doc = SimpleNamespace(file_ids=["draft.pdf", "annex.pdf", "table.xlsx"],
                          signed_file_id="sealed.pdf",
                          signed_attachment_ids=["annex.signed.pdf", "table.xlsx"])
    assert DigitalSigningSteps.delivered_files(doc) == ["sealed.pdf", "annex.signed.pdf",
                                                        "table.xlsx"]


def test_a_paper_signed_document_goes_out_with_its_own_files():
    doc = SimpleNamespace(file_ids=["scan.pdf", "annex.docx"], signed_file_id=None,
                          signed_attachment_ids=[])
    assert DigitalSigningSteps.delivered_files(doc) == ["scan.pdf", "annex.docx"]
