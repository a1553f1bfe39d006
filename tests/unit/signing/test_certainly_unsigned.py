"""Which file_stored events let signing record "unsigned" without fetching the PDF."""
from services.signing.service import SigningService
from services.signing.transfer import MAX_PDF_BYTES


def event(**data):
    return {"file_id": "f", "sha256": "0" * 64, "size": 5000,
            "content_type": "application/pdf", "filename": "a.pdf"} | data


def test_only_a_pdf_storage_scanned_and_found_unsigned_is_taken_as_unsigned():
    assert SigningService._certainly_unsigned(event(might_be_signed=False)) is True
    assert SigningService._certainly_unsigned(event(might_be_signed=True)) is False


def test_an_event_from_before_storage_scanned_pdfs_takes_the_usual_path():
    assert SigningService._certainly_unsigned(event()) is False
    assert SigningService._certainly_unsigned(event(might_be_signed=None)) is False


def test_a_pdf_over_what_verification_reads_takes_the_usual_path_which_says_so():
    assert SigningService._certainly_unsigned(
        event(might_be_signed=False, size=MAX_PDF_BYTES + 1)) is False
    assert SigningService._certainly_unsigned(event(might_be_signed=False, size=None)) is False
