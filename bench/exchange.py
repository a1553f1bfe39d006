"""Liên thông between two deployments on this machine (issue 14): how many documents per second
go from A to B through the reference axis, and how long one takes from A's issue to B's
"đã đến" (01).

    python bench/exchange.py [--documents 20] [--attachment-bytes 1000000]

Starts the reference axis and two deployments (tests/federation.py: Tây Ninh and Nghệ An, each
with its own vhost, SQLite data and demo PKI; the exchange's send and poll timers at 0.3 s, as
in the tests). A's Sở Tài chính prepares N decisions, each a signed PDF with a PDF attachment of
about 1 MB, up to the organisation's signature (sealed); then they are all issued at once, by 4
client threads, to B's Sở Tài chính. Prints, per document, issue → waiting at B and issue → A
sees 01, and for the batch: documents per second from the first issue until all N wait at B
(sent and received), and until A holds all N 01s."""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from tests.e2e.helpers import Api, draft, step  # noqa: E402
from tests.federation import DIRECTOR, PROVINCE_B, federation, organ_of  # noqa: E402
from tests.fixtures.signing.make_fixtures import make_document  # noqa: E402

CLIENTS = 4


def attachment_pdf(size: int) -> bytes:
    """A one-page appendix carrying ``size`` bytes of incompressible data (an embedded
    file): what a scanned annex weighs."""
    from pypdf import PdfWriter
    writer = PdfWriter()
    writer.add_blank_page(595, 842)
    writer.add_attachment("so-lieu.bin", os.urandom(size))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def sealed(people, n: int, annex: bytes) -> str:
    """A decision of A's Sở Tài chính for B's, signed, numbered and sealed; its id."""
    author, director, clerk = (people[k] for k in ("chuyenvien", "lanhdao", "vanthu"))
    _, pdf_id = author.upload("quyet-dinh.pdf", make_document(signer_name=DIRECTOR))
    _, annex_id = author.upload("phu-luc.pdf", annex)
    b_stc = organ_of(PROVINCE_B, "STC")
    created = draft(author, [{"organ_id": b_stc.organ_id, "name": b_stc.name}],
                    document_type="QD", subject=f"Quyết định liên thông số {n} (đo hiệu năng)",
                    file_ids=[pdf_id, annex_id])
    document_id = created.json()["id"]
    certificate = next(c for c in director.get("/signing/certificates").json()["items"]
                       if c["holder_kind"] == "person" and c["valid_now"])
    for api, action, body in ((author, "submit", {}), (director, "approve", {}),
                              (clerk, "check_form", {}),
                              (director, "sign", {"certificate_id": certificate["id"]}),
                              (clerk, "number", {}), (clerk, "seal", {})):
        response = step(api, document_id, action, **body)
        if response.status_code != 200:
            raise RuntimeError(f"{action}: {response.text}")
    return document_id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--documents", type=int, default=20)
    parser.add_argument("--attachment-bytes", type=int, default=1_000_000)
    options = parser.parse_args()
    annex = attachment_pdf(options.attachment_bytes)
    # uploads of the attachment must pass the test systems' 1 MiB upload cap
    env = {"MAX_UPLOAD_BYTES": str(max(1_048_576, len(annex) + 65_536))}
    with federation(env) as running:
        a, b = running["a"], running["b"]
        people = {role: Api(a.base_url, f"{role}.stc")
                  for role in ("chuyenvien", "lanhdao", "vanthu")}
        b_clerk = Api(b.base_url, "vanthu.stc")
        started = time.monotonic()
        ids = [sealed(people, n, annex) for n in range(1, options.documents + 1)]
        print(f"prepared {len(ids)} sealed decisions with a {len(annex):,}-byte attachment in "
              f"{time.monotonic() - started:.1f} s")

        issued_at, arrived_at, answered_at = {}, {}, {}
        lock = threading.Lock()

        def issue(document_id):
            clerk = Api(a.base_url, "vanthu.stc")
            at = time.monotonic()
            response = step(clerk, document_id, "issue")
            if response.status_code != 200:
                raise RuntimeError(response.text)
            with lock:
                issued_at[document_id] = at

        first = time.monotonic()
        with ThreadPoolExecutor(CLIENTS) as pool:
            list(pool.map(issue, ids))
        subjects = {f"Quyết định liên thông số {n} (đo hiệu năng)": ids[n - 1]
                    for n in range(1, len(ids) + 1)}
        deadline = time.monotonic() + 300
        while (len(arrived_at) < len(ids) or len(answered_at) < len(ids)) and \
                time.monotonic() < deadline:
            now = time.monotonic()
            for item in b_clerk.get("/exchange/received",
                                    params={"page_size": 200}).json()["items"]:
                document_id = subjects.get(item["fields"].get("subject"))
                if document_id and document_id not in arrived_at:
                    arrived_at[document_id] = now
            for document_id in ids:
                if document_id in answered_at:
                    continue
                (delivery,) = people["vanthu"].get(
                    f"/outgoing/{document_id}/deliveries").json()["items"]
                if any(s["code"] == "01" for s in delivery["statuses"]):
                    answered_at[document_id] = now
            time.sleep(0.1)
        if len(arrived_at) < len(ids) or len(answered_at) < len(ids):
            print(f"only {len(arrived_at)} arrived and {len(answered_at)} answered in 300 s")
            return 1
        to_b = [arrived_at[d] - issued_at[d] for d in ids]
        to_01 = [answered_at[d] - issued_at[d] for d in ids]
        received_all = max(arrived_at.values()) - first
        answered_all = max(answered_at.values()) - first
        print(f"{len(ids)} documents issued by {CLIENTS} clients, each a signed PDF and a "
              f"{len(annex):,}-byte signed attachment:")
        print(f"  issue → waiting at B: p50 {statistics.median(to_b):.2f} s, "
              f"p95 {percentile(to_b, 0.95):.2f} s")
        print(f"  issue → A sees 01 (đã đến): p50 {statistics.median(to_01):.2f} s, "
              f"p95 {percentile(to_01, 0.95):.2f} s")
        print(f"  sent and received: {len(ids) / received_all:.2f} documents/s "
              f"({received_all:.1f} s for all)")
        print(f"  with 01 back at A: {len(ids) / answered_all:.2f} documents/s "
              f"({answered_all:.1f} s for all)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
