"""Workflow transitions per second on one workflow process: N incoming documents are
registered in Sở Tài chính first (not timed), then T client threads take each through
three transitions over HTTP — the director assigns it to a specialist, the specialist
records progress, then completes it — against a fresh system (SQLite by default;
PostgreSQL with --postgres).

    python bench/workflow_transitions.py --count 300 --threads 8 [--postgres]

Prints throughput and latency percentiles per transition and checks every document
ended done. A benchmark: it prints figures, it asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.incoming_workload import Client, percentile  # noqa: E402


def register_all(base_url: str, count: int, threads: int) -> list[str]:
    local = threading.local()

    def register(index):
        if not hasattr(local, "client"):
            local.client = Client(base_url, "vanthu.stc")
        c = local.client
        response = c.http.post(f"{c.base}/incoming", json={
            "unit_id": c.unit_id, "code_number": str(index + 1), "code_notation": "UBND-KT",
            "issued_date": "2026-01-15", "document_type": "CV",
            "issuer": {"name": "UBND tỉnh Tây Ninh"},
            "subject": f"Về việc báo cáo số liệu, văn bản {index + 1}"}, timeout=60)
        response.raise_for_status()
        return response.json()["id"]

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(register, range(count)))


def run(base_url: str, document_ids: list[str], threads: int) -> None:
    local = threading.local()
    latencies: dict[str, list[float]] = {"assign": [], "progress": [], "complete": []}
    lock = threading.Lock()
    done, failures = [], []
    due = (date.today() + timedelta(days=30)).isoformat()

    def clients():
        if not hasattr(local, "director"):
            local.director = Client(base_url, "lanhdao.stc")
            local.specialist = Client(base_url, "chuyenvien.stc")
            local.specialist_id = local.specialist.http.get(
                f"{local.specialist.base}/me", timeout=30).json()["id"]
        return local.director, local.specialist, local.specialist_id

    def timed(kind, function):
        started = time.perf_counter()
        response = function()
        with lock:
            latencies[kind].append(time.perf_counter() - started)
        if response.status_code != 200:
            failures.append((kind, response.status_code, response.text[:200]))
            raise RuntimeError(kind)
        return response.json()

    def handle(document_id):
        director, specialist, specialist_id = clients()
        for _ in range(200):     # the processing opens when workflow has the event
            if director.http.get(f"{director.base}/incoming/{document_id}/processing",
                                 timeout=30).json().get("state"):
                break
            time.sleep(0.05)
        try:
            out = timed("assign", lambda: director.http.post(
                f"{director.base}/incoming/{document_id}/assign", timeout=60,
                json={"lead": {"user_id": specialist_id, "due_date": due}}))
            lead = next(i for i in out["items"] if i["kind"] == "lead")
            timed("progress", lambda: specialist.http.post(
                f"{specialist.base}/assignments/{lead['id']}/progress", timeout=60,
                json={"percent": 50, "note": "Đang tổng hợp"}))
            out = timed("complete", lambda: specialist.http.post(
                f"{specialist.base}/assignments/{lead['id']}/complete", timeout=60,
                json={"note": "Xong"}))
        except RuntimeError:
            return
        with lock:
            done.append(out["state"] == "done")

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(handle, document_ids))
    total = time.perf_counter() - started
    transitions = sum(len(v) for v in latencies.values())
    print(f"{transitions} transitions on {len(document_ids)} documents with {threads} client "
          f"threads in {total:.1f} s: {transitions / total:.1f} transitions/s")
    for kind, values in latencies.items():
        if values:
            print(f"  {kind:9s} median {statistics.median(values) * 1000:6.1f} ms, "
                  f"p95 {percentile(values, 0.95) * 1000:6.1f} ms")
    print(f"documents done: {sum(done)} of {len(document_ids)}; failures: {len(failures)}")
    for failure in failures[:5]:
        print("  ", failure)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--postgres", action="store_true")
    options = parser.parse_args(argv)
    from bench.harness import fresh_system
    with fresh_system(options.postgres) as system:
        print("one workflow process; registering the documents first (not timed)")
        document_ids = register_all(system.base_url, options.count, options.threads)
        run(system.base_url, document_ids, options.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
