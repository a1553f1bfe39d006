"""The first workload: N incoming documents, each with an attachment, registered
through the gateway by 4 client threads (create upload → PUT bytes → register).

Prints: registration throughput; median/p95 latency of each kind of request; the
time until every document is findable by a word of its attachment's content; and
search latency median/p95 over a fixed list of queries.

    python bench/incoming_workload.py --count 1000 [--postgres]   # starts its own system
    python bench/incoming_workload.py --url http://127.0.0.1:8000 --count 200

It is a benchmark, not a test: it prints figures and asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

PASSWORD = "eoffice@2026"
QUERIES = ["báo cáo", "quyet dinh", "tài chính", "\"trách nhiệm hình sự\"", "dat dai",
           "xử phạt vi phạm", "hợp đồng", "bench"]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def corpus_texts():
    """Real Vietnamese legal text (the search fixtures), cut into attachment-sized parts."""
    path = os.path.join(ROOT, "tests", "fixtures", "search", "articles.json")
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    texts = []
    for item in data if isinstance(data, list) else data.values():
        text = item.get("text") if isinstance(item, dict) else str(item)
        if text:
            texts.append(text)
    return texts or ["Văn bản thử nghiệm về quản lý tài chính và đất đai."]


class Client:
    def __init__(self, base_url, username):
        self.base = base_url.rstrip("/") + "/api/v1"
        self.http = requests.Session()
        login = self.http.post(f"{self.base}/auth/login",
                               json={"username": username, "password": PASSWORD}, timeout=30)
        login.raise_for_status()
        self.http.headers["Authorization"] = "Bearer " + login.json()["access_token"]
        self.unit_id = login.json()["user"]["memberships"][0]["unit_id"]


def timed(latencies, kind, function):
    started = time.perf_counter()
    response = function()
    latencies.setdefault(kind, []).append(time.perf_counter() - started)
    return response


def run(base_url, count, threads):
    texts = corpus_texts()
    local = threading.local()
    latencies: dict[str, list[float]] = {}
    lock = threading.Lock()
    failures = []

    def client():
        if not hasattr(local, "client"):
            local.client = Client(base_url, "vanthu.stc")
        return local.client

    def register_one(index):
        c = client()
        token = f"benchtoken{index:06d}x"
        content = f"{token}\n{texts[index % len(texts)]}\n".encode("utf-8")
        mine = {}
        created = timed(mine, "create_upload", lambda: c.http.post(
            f"{c.base}/uploads", json={"filename": f"tai-lieu-{index}.txt",
                                       "size": len(content), "content_type": "text/plain"},
            timeout=60))
        if created.status_code != 201:
            failures.append(created.text)
            return
        put = timed(mine, "put_bytes", lambda: c.http.put(
            created.json()["upload_url"], data=content, timeout=60))
        if put.status_code != 201:
            failures.append(put.text)
            return
        body = {"unit_id": c.unit_id, "code_number": str(100000 + index),
                "code_notation": "BENCH-VP", "issued_date": "2026-01-15",
                "issuer": {"name": "Văn phòng Chính phủ", "organ_id": "000.00.00.G22"},
                "document_type": "CV", "subject": f"Công văn thử tải số {index}",
                "file_ids": [created.json()["file_id"]]}
        registered = timed(mine, "register_incoming", lambda: c.http.post(
            f"{c.base}/incoming", json=body, timeout=60))
        if registered.status_code != 201:
            failures.append(registered.text)
        with lock:
            for kind, values in mine.items():
                latencies.setdefault(kind, []).extend(values)

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(register_one, range(count)))
    elapsed = time.perf_counter() - started
    registered_at = time.perf_counter()

    searcher = Client(base_url, "vanthu.stc")
    pending = set(range(count))
    while pending and time.perf_counter() - registered_at < 600:
        for index in list(pending)[:50]:
            result = searcher.http.get(f"{searcher.base}/search",
                                       params={"q": f"benchtoken{index:06d}x"}, timeout=60)
            if result.status_code == 200 and result.json()["total"] >= 1:
                pending.discard(index)
        if pending:
            time.sleep(0.2)
    findable_after = time.perf_counter() - registered_at

    search_latencies = []
    for _ in range(10):
        for query in QUERIES:
            started_q = time.perf_counter()
            searcher.http.get(f"{searcher.base}/search", params={"q": query}, timeout=60)
            search_latencies.append(time.perf_counter() - started_q)

    print(f"documents registered: {count - len(failures)} of {count} "
          f"({len(failures)} failures) with {threads} client threads")
    print(f"registration throughput: {count / elapsed:.1f} documents/s "
          f"({elapsed:.1f} s in all; each = create upload + PUT + register)")
    for kind in ("create_upload", "put_bytes", "register_incoming"):
        values = latencies.get(kind, [])
        if values:
            print(f"  {kind:18s} median {statistics.median(values) * 1000:7.1f} ms   "
                  f"p95 {percentile(values, 0.95) * 1000:7.1f} ms")
    print(f"all findable by content {findable_after:.1f} s after the last registration"
          + (f" ({len(pending)} still not found)" if pending else ""))
    print(f"search ({len(search_latencies)} queries): median "
          f"{statistics.median(search_latencies) * 1000:.1f} ms, p95 "
          f"{percentile(search_latencies, 0.95) * 1000:.1f} ms")
    if failures:
        print("first failure:", failures[0][:300])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--url", help="a running system; default: start a fresh one")
    parser.add_argument("--postgres", action="store_true",
                        help="the fresh system on PostgreSQL instead of SQLite")
    options = parser.parse_args(argv)
    if options.url:
        run(options.url, options.count, options.threads)
        return 0
    from bench.harness import fresh_system
    with fresh_system(options.postgres) as system:
        run(system.base_url, options.count, options.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
