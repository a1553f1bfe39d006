"""Hostile and malformed PDFs given to the verification (services.signing.verification): each
gets a clear answer — "unreadable" or "invalid" with the reason — in bounded time, in this
process and in the child process, and nothing raises."""
from __future__ import annotations

import pytest

from services.signing.verification import Limits, TrustList, verify_in_child, verify_pdf
from tests.cpu_clock import CpuClock
from tests.unit.signing.test_verification import (now, pdf_with_signature_dictionary,
                                                  plain_pdf, raw_pdf, sign, signer_of, trust_of)

MIB = 1024 * 1024
NO_TRUST = TrustList([])


def signature_dictionary(byte_range: bytes = b"[0 10 20 30]",
                         contents: bytes = b"<3082000a>") -> bytes:
    return (b"<< /Type /Sig /Filter /Adobe.PPKLite /SubFilter /ETSI.CAdES.detached "
            b"/ByteRange " + byte_range + b" /Contents " + contents + b" >>")


def answered(verify, pdf: bytes, limits: Limits = Limits(), within: float = 10.0) -> dict:
    """The report of ``verify`` (verify_pdf or verify_in_child) on ``pdf``, offline,
    checked to cost less than ``within`` CPU seconds (here and in the child): bounded
    work, whatever else the machine is doing."""
    with CpuClock() as cpu:
        report = verify(pdf, trust=NO_TRUST, now=now(), online=False, limits=limits)
    assert cpu.seconds < within
    return report


def only_problem(report: dict) -> dict:
    (signature,) = report["signatures"]
    (problem,) = signature["problems"]
    assert signature["valid"] is False and signature["intact"] is False
    return problem


both_ways = pytest.mark.parametrize("verify", [verify_pdf, verify_in_child],
                                    ids=["in-process", "in-child"])


@both_ways
def test_a_huge_signature_value_is_refused_before_it_is_parsed(verify):
    contents = b"<" + b"30" * (2 * MIB) + b">"        # 2 MiB of signature value
    report = answered(verify, pdf_with_signature_dictionary(signature_dictionary(
        contents=contents)))

    assert report["status"] == "unreadable"
    assert report["problems"][0]["code"] == "signature_too_large"
    assert "1 MB" in report["summary"]["en"]


@both_ways
def test_ten_thousand_signature_fields_are_refused(verify):
    pdf = pdf_with_signature_dictionary(signature_dictionary(), fields=10_000)
    report = answered(verify, pdf)

    assert report["status"] == "unreadable"
    assert report["problems"][0]["code"] == "too_many_signatures"
    assert "20" in report["problems"][0]["vi"]


@both_ways
def test_a_byte_range_with_absurd_numbers_is_a_damaged_signature(verify):
    report = answered(verify, pdf_with_signature_dictionary(signature_dictionary(
        byte_range=b"[0 99999999999999999999 -7 3]")))

    assert report["status"] == "invalid"
    problem = only_problem(report)
    assert problem["code"] == "signature_damaged" and "absurd" in problem["en"]


def test_a_byte_range_that_is_not_an_array_is_a_damaged_signature():
    report = answered(verify_pdf, pdf_with_signature_dictionary(signature_dictionary(
        byte_range=b"(0 10 20 30)")))

    assert report["status"] == "invalid"
    assert "/ByteRange" in only_problem(report)["en"]


def test_contents_that_are_not_a_string_are_a_damaged_signature():
    report = answered(verify_pdf, pdf_with_signature_dictionary(signature_dictionary(
        contents=b"42")))

    assert report["status"] == "invalid"
    problem = only_problem(report)
    assert problem["code"] == "signature_damaged"
    assert "cannot be read" in problem["en"]


def test_contents_that_are_not_a_cms_signature_are_a_damaged_signature():
    pdf = pdf_with_signature_dictionary(signature_dictionary(
        contents=b"<" + b"de4d" * 50 + b">"))
    report = answered(verify_pdf, pdf)

    assert report["status"] == "invalid"
    assert only_problem(report)["code"] == "signature_damaged"


def test_a_file_over_the_size_limit_is_refused_unread():
    report = answered(verify_pdf, plain_pdf(), limits=Limits(max_bytes=1000))

    assert report["status"] == "unreadable"
    assert report["problems"][0]["code"] == "too_large"


def test_a_page_tree_that_loops_is_answered():
    pdf = raw_pdf([b"<< /Type /Catalog /Pages 2 0 R >>",
                   b"<< /Type /Pages /Kids [2 0 R 3 0 R] /Count 2 >>",
                   b"<< /Type /Pages /Kids [2 0 R] /Count 1 >>"])
    report = answered(verify_pdf, pdf)

    assert report["status"] in ("unsigned", "unreadable")


@both_ways
def test_a_signed_pdf_cut_in_the_middle_is_answered(demo_pki, verify):
    signed = sign(plain_pdf(3), signer_of(demo_pki, "person:signer"), field="chu_ky")
    report = verify(signed[: len(signed) * 2 // 3], trust=trust_of(demo_pki), now=now(),
                    online=False, limits=Limits())

    assert report["status"] in ("invalid", "unreadable")
    assert report["summary"]["vi"] and report["summary"]["en"]


def test_random_bytes_after_a_pdf_header_are_unreadable():
    report = answered(verify_in_child, b"%PDF-1.7\n" + bytes(range(256)) * 400)

    assert report["status"] == "unreadable"
    assert report["problems"][0]["code"] == "malformed"


def test_the_child_runs_with_a_memory_and_a_cpu_limit():
    import subprocess
    import sys

    from services.signing.verification import CHILD_MEMORY_BYTES, _child_limits

    done = subprocess.run(
        [sys.executable, "-c", "import resource; print(resource.getrlimit(resource.RLIMIT_AS)"
         "[0], resource.getrlimit(resource.RLIMIT_CPU)[0])"],
        capture_output=True, text=True, timeout=30, preexec_fn=_child_limits(20))

    assert done.stdout.split() == [str(CHILD_MEMORY_BYTES), "22"]
