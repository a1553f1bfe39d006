"""Storage's scan of a stored PDF (services.common.pdf_signatures.scan_pdf_file) lets
signing skip fetching a file: it may say "certainly unsigned" only where signing's own
verification would answer exactly the unsigned report, and never of a signed file."""
from __future__ import annotations

import pytest

from services.common.pdf_signatures import scan_pdf_file
from services.signing.verification import TrustList, unsigned_report, verify_pdf
from tests.unit.signing.test_verification import (GAZETTE, encrypted_pdf, now,
                                                  pdf_with_signature_dictionary, plain_pdf,
                                                  raw_pdf, sign, signer_of)
from tests.unit.signing.test_verification_hostile import signature_dictionary

MIB = 1024 * 1024
NO_TRUST = TrustList([])


def scanned(tmp_path, pdf: bytes, **options):
    path = tmp_path / "file.pdf"
    path.write_bytes(pdf)
    return scan_pdf_file(str(path), **options)


def verified(pdf: bytes, at) -> dict:
    return verify_pdf(pdf, trust=NO_TRUST, now=at, online=False)


def unsigned_pdfs() -> dict[str, bytes]:
    return {"plain": plain_pdf(3),
            "encrypted": raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                                  b"<< /Type /Pages /Kids [] /Count 0 >>",
                                  b"<< /Encrypt << /Filter /Standard /V 5 >> >>"]),
            "with an annotation's hex contents": raw_pdf([
                b"<< /Type /Catalog /Pages 2 0 R >>",
                b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
                b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Annots [4 0 R] >>",
                b"<< /Type /Annot /Subtype /Text /Contents <FEFF0041> >>"])}


@pytest.mark.parametrize("name", sorted(unsigned_pdfs()))
def test_an_unsigned_pdf_is_certainly_unsigned_and_its_report_is_the_one_verification_gives(
        tmp_path, name):
    pdf = unsigned_pdfs()[name]
    at = now()
    scan = scanned(tmp_path, pdf)

    assert scan.might_be_signed is False
    assert scan.encrypted is (name == "encrypted")
    assert unsigned_report(now=at, encrypted=scan.encrypted) == verified(pdf, at)


def test_every_signed_pdf_might_be_signed(tmp_path, demo_pki):
    base = plain_pdf(2)
    by_signer = sign(base, signer_of(demo_pki, "person:signer"), field="chu_ky_nguoi_ky")
    both = sign(by_signer, signer_of(demo_pki, "organisation:org"), field="chu_ky_co_quan")
    with open(GAZETTE, "rb") as handle:
        gazette = handle.read()

    for pdf in (by_signer, both, gazette):
        assert scanned(tmp_path, pdf).might_be_signed is True


def test_a_file_verification_would_not_call_unsigned_is_left_to_signing(tmp_path):
    """Whatever verification refuses before it looks for /ByteRange — no header, no end,
    a signature value over 1 MiB — the scan leaves to signing, signature or not."""
    plain = plain_pdf()
    huge_hex = raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                        b"<< /Type /Pages /Kids [] /Count 0 >>",
                        b"<< /Contents <" + b"30" * (MIB + 10) + b"> >>"])
    cases = {
        "a signature dictionary": pdf_with_signature_dictionary(signature_dictionary()),
        "no header in the first 1024 bytes": b" " * 1024 + plain,
        "cut before its end": plain[:len(plain) // 2],
        "a hex run over 2 MiB, no signature": huge_hex,
    }
    for name, pdf in cases.items():
        assert scanned(tmp_path, pdf).might_be_signed is True, name
        assert verified(pdf, now())["status"] != "unsigned" or name == "cut before its end"


def test_a_mark_across_two_chunks_is_found(tmp_path):
    pdf = pdf_with_signature_dictionary(signature_dictionary())
    at = pdf.index(b"/ByteRange")
    for chunk in (7, 16, 64):
        # the mark starting just before a chunk's end
        padded = pdf[:at] + b" " * (chunk - at % chunk - 3) + pdf[at:]
        assert scanned(tmp_path, padded, chunk_size=chunk).might_be_signed is True
    encrypted = encrypted_pdf()
    assert scanned(tmp_path, encrypted, chunk_size=5).encrypted is True


def test_a_hex_run_over_the_limit_is_found_wherever_it_starts(tmp_path):
    """A run of more than 2 MiB of hex covers a whole 1 MiB chunk, wherever it begins."""
    plain = plain_pdf()
    for offset in (0, 1, 12345, MIB - 1):
        pdf = plain[:200] + b" " * offset + b"/Contents <" + b"a" * (2 * MIB + 2) + b">" \
            + plain[200:]
        assert scanned(tmp_path, pdf).might_be_signed is True
    short = plain[:200] + b"/Contents <" + b"a" * (MIB - 20) + b">" + plain[200:]
    assert scanned(tmp_path, short).might_be_signed is False


def test_a_chunk_too_big_to_find_a_long_hex_run_is_refused(tmp_path):
    with pytest.raises(ValueError):
        scanned(tmp_path, plain_pdf(), chunk_size=2 * MIB)
