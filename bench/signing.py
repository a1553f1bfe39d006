"""Digital signatures (issue 13): how many PAdES signatures one process makes per second, and
how long verifying a signed document takes.

    python bench/signing.py [--count 50]
    make bench-signing BENCH_ARGS="--count 100"

It builds its own demo PKI (services.signing.demo_pki, certomancer) in a temporary directory,
with a fresh SoftHSM2 token, and serves its CRL, OCSP and TSA with
``python -m services.signing.demo_pki serve`` in a subprocess. A plain process (no eventlet),
one signature at a time, as pades does (PYHANKO_LOCK).

Measured, --count times each:
- the signer's signature (pades.sign_as_signer, visible image, the empty number and date
  fields) on a one-page ND30 document, with a PKCS#12 key and with a key inside the SoftHSM2
  token (PKCS#11): without a timestamp (PAdES B-B), with the TSA's timestamp (B-T), and with
  the timestamp plus the chain's revocation data embedded (B-LT, what the service does with
  ``online_revocation`` on);
- the organisation's signature (pades.sign_as_organisation, the seal; it first checks the
  signer's signature is intact) on the numbered, signer-signed document, likewise;
- verification of a 10-page PDF with two timestamped signatures (signer and organisation):
  verify_pdf in this process online (OCSP/CRL from the demo PKI) and offline, and
  verify_in_child (a fresh Python process per file, as the service verifies every stored PDF).

Signers are made once per key; what asking the store for one costs per request is printed
too (a PKCS#12 file is decrypted once and kept while unchanged; a SoftHSM2 key is looked up
in the open session). It asserts nothing.
"""
from __future__ import annotations

import argparse
import io
import logging
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import warnings
from datetime import datetime
from zoneinfo import ZoneInfo


ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
# pyHanko's signer module imports cryptography's deprecated DSA: not a figure of this bench.
warnings.filterwarnings("ignore", message="DSA is deprecated")

from services.signing import pades, softhsm  # noqa: E402
from services.signing.demo_pki import HolderSpec, build_demo_pki, start_server  # noqa: E402
from services.signing.images import demo_seal_png, demo_signature_png  # noqa: E402
from services.signing.keystores import Pkcs11KeyStore, Pkcs12KeyStore  # noqa: E402
from services.signing.trust import validation_context  # noqa: E402
from services.signing.verification import (Limits, TrustList, verify_in_child,  # noqa: E402
                                           verify_pdf)
from tests.fixtures.signing.make_fixtures import SIGNER_NAME, make_document  # noqa: E402

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")
ORGANISATION = "Ủy ban nhân dân tỉnh Thử Nghiệm"
DEPARTMENT = "Sở Nội vụ tỉnh Thử Nghiệm"
HOLDERS = (
    HolderSpec("person:p12", SIGNER_NAME, DEPARTMENT, "person", "pkcs12"),
    HolderSpec("person:hsm", SIGNER_NAME, DEPARTMENT, "person", "pkcs11"),
    HolderSpec("organisation:p12", ORGANISATION, ORGANISATION, "organisation", "pkcs12"),
    HolderSpec("organisation:hsm", ORGANISATION, ORGANISATION, "organisation", "pkcs11"),
)
NUMBER, DATE = "15/QĐ-UBND", "ngày 07 tháng 12 năm 2026"


def now() -> datetime:
    return datetime.now(VIETNAM)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pem_to_der(path: str) -> bytes:
    from asn1crypto import pem
    with open(path, "rb") as f:
        return pem.unarmor(f.read())[2]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def timed(count: int, action) -> list[float]:
    """Seconds of each of ``count`` calls of ``action`` (one warm-up call first)."""
    action()
    samples = []
    for _ in range(count):
        began = time.perf_counter()
        action()
        samples.append(time.perf_counter() - began)
    return samples


def ten_page_document() -> bytes:
    """The one-page ND30 document followed by nine pages of text (an annex in the same
    file): the signer block and the number and date lines stay on page 1."""
    from pypdf import PdfReader, PdfWriter
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4, invariant=1)
    for page in range(2, 11):
        c.setFont("Times-Roman", 12)
        c.drawString(72, 780, f"Phu luc - trang {page}")
        for line in range(34):
            c.drawString(72, 750 - 20 * line,
                         f"Dieu {line + 1}. Noi dung quy dinh chi tiet cua trang {page}, "
                         "dong thu nghiem de do thoi gian kiem tra chu ky.")
        c.showPage()
    c.save()
    writer = PdfWriter()
    for source in (make_document(), out.getvalue()):
        for page in PdfReader(io.BytesIO(source)).pages:
            writer.add_page(page)
    result = io.BytesIO()
    writer.write(result)
    return result.getvalue()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50,
                        help="signatures per variant, and verifications per way")
    args = parser.parse_args(argv)
    count = max(1, args.count)
    # The organisation's signature first checks the signer's one with the signer's own
    # certificate as the only anchor (pades._intact_signer_box); over a timestamped
    # signature pyHanko then logs, each time, a traceback for the TSA's certificate it
    # cannot chain to that anchor. The check passes; the tracebacks are left out here.
    logging.getLogger("pyhanko.sign.validation.generic_cms").setLevel(logging.CRITICAL)

    workdir = tempfile.mkdtemp(prefix="eoffice-bench-signing-")
    server = None
    try:
        began = time.monotonic()
        token = softhsm.create_token(os.path.join(workdir, "softhsm"), label="bench")
        port = free_port()
        pki = build_demo_pki(os.path.join(workdir, "pki"), list(HOLDERS), port=port,
                             token=token)
        server = start_server(pki.directory, port)
        print(f"demo PKI built and served in {time.monotonic() - began:.1f} s "
              f"({pki.base_url}, SoftHSM2 token in {workdir})")

        chain = [pem_to_der(pki.intermediate_certificate_path),
                 pem_to_der(pki.root_certificate_path)]
        roots = [pem_to_der(pki.root_certificate_path)]
        p12_store = Pkcs12KeyStore(pki.pkcs12_passphrase)
        hsm_store = Pkcs11KeyStore(pki.token)

        def signer_of(label):
            holder = pki.holders[label]
            if holder.key_store == "pkcs12":
                return p12_store.signer(holder.pkcs12_path, chain)
            return hsm_store.signer(holder.key_label, chain)

        loads = {kind: timed(min(count, 20), lambda kind=kind: signer_of(f"person:{kind}"))
                 for kind in ("p12", "hsm")}
        keys = {("signer", kind): signer_of(f"person:{kind}") for kind in ("p12", "hsm")}
        keys |= {("organisation", kind): signer_of(f"organisation:{kind}")
                 for kind in ("p12", "hsm")}

        signature_png = demo_signature_png(SIGNER_NAME)
        seal_png = demo_seal_png(ORGANISATION)
        document = make_document()
        no_stamp = pades.Timestamping(url=None)
        stamp = pades.Timestamping(url=pki.tsa_url)
        variants = (("no timestamp (B-B)", no_stamp, False),
                    ("TSA timestamp (B-T)", stamp, False),
                    ("TSA + revocation data (B-LT)", stamp, True))

        def context(lt):
            return validation_context(roots, online=True) if lt else None

        def sign_signer(key, timestamping, lt, pdf=document):
            return pades.sign_as_signer(pdf, key, signer_name=SIGNER_NAME,
                                        image_png=signature_png, timestamping=timestamping,
                                        validation_context=context(lt), now=now())

        def sign_organisation(key, pdf, timestamping, lt):
            return pades.sign_as_organisation(pdf, key, seal_png=seal_png,
                                              seal_diameter_mm=36, timestamping=timestamping,
                                              validation_context=context(lt), now=now())

        # The organisation signs a numbered, signer-signed document (signed with the same
        # kind of key, once per variant).
        results = []
        for role in ("signer", "organisation"):
            for kind, kind_label in (("p12", "PKCS#12"), ("hsm", "SoftHSM2 PKCS#11")):
                key = keys[(role, kind)]
                for variant, timestamping, lt in variants:
                    if role == "signer":
                        samples = timed(count, lambda: sign_signer(key, timestamping, lt))
                    else:
                        numbered = pades.write_number_and_date(
                            sign_signer(keys[("signer", kind)], timestamping, lt),
                            number_text=NUMBER, date_text=DATE)
                        samples = timed(count, lambda: sign_organisation(
                            key, numbered, timestamping, lt))
                    results.append((role, kind_label, variant, samples))
                    print(f"  {role:<12} {kind_label:<17} {variant:<29} "
                          f"{count / sum(samples):6.1f}/s", flush=True)

        # Verification: a 10-page document, signer then number then organisation, B-T.
        pdf = ten_page_document()
        signed = sign_signer(keys[("signer", "hsm")], stamp, False, pdf)
        numbered = pades.write_number_and_date(signed, number_text=NUMBER, date_text=DATE)
        sealed = sign_organisation(keys[("organisation", "hsm")], numbered, stamp, False)
        trust = TrustList(roots)
        limits = Limits(seconds=60)
        checks = (
            ("verify_pdf, in process, online", lambda: verify_pdf(
                sealed, trust=trust, now=now(), online=True, limits=limits)),
            ("verify_pdf, in process, offline", lambda: verify_pdf(
                sealed, trust=trust, now=now(), online=False, limits=limits)),
            ("verify_in_child, online", lambda: verify_in_child(
                sealed, trust=trust, now=now(), online=True, limits=limits)),
            ("verify_in_child, offline", lambda: verify_in_child(
                sealed, trust=trust, now=now(), online=False, limits=limits)),
        )
        verified = []
        for label, check in checks:
            report = check()
            samples = timed(count, check)
            verified.append((label, report, samples))
            print(f"  {label:<34} median {statistics.median(samples) * 1000:6.0f} ms",
                  flush=True)

        print(f"\nsigning benchmark: {os.cpu_count()} CPUs, load average "
              f"{os.getloadavg()[0]:.1f}, {count} runs each, one at a time, "
              f"Python {sys.version.split()[0]}")
        print(f"\n{'signature':<13}{'key':<18}{'variant':<30}{'per second':>11}"
              f"{'median ms':>11}{'p95 ms':>9}")
        for role, kind_label, variant, samples in results:
            print(f"{role:<13}{kind_label:<18}{variant:<30}{count / sum(samples):>11.1f}"
                  f"{statistics.median(samples) * 1000:>11.0f}"
                  f"{percentile(samples, .95) * 1000:>9.0f}")
        print("\nasking the store for a signer (once per request): "
              + ", ".join(f"{name} median {statistics.median(s) * 1000:.1f} ms"
                          for name, s in (("PKCS#12 file", loads["p12"]),
                                          ("SoftHSM2 key lookup", loads["hsm"]))))
        print(f"\nverification of a {len(sealed) // 1024} KiB, 10-page PDF with two "
              "timestamped signatures (signer, organisation)")
        print(f"{'way':<36}{'status':<9}{'median ms':>10}{'p95 ms':>9}")
        for label, report, samples in verified:
            print(f"{label:<36}{report['status']:<9}{statistics.median(samples) * 1000:>10.0f}"
                  f"{percentile(samples, .95) * 1000:>9.0f}")
        hsm_store.close()
    finally:
        if server is not None:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        shutil.rmtree(workdir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
