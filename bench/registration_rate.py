"""Registrations per second on one documents process: N incoming documents (metadata
only, no file) registered through the gateway by T client threads, against a fresh
system (SQLite by default; PostgreSQL with --postgres).

    python bench/registration_rate.py --count 2000 --threads 8 [--postgres]

Prints throughput and latency percentiles, and checks the numbers are 1..N without a
gap or a duplicate. A benchmark: it prints figures, it asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.incoming_workload import Client, percentile  # noqa: E402


def run(base_url: str, count: int, threads: int) -> None:
    local = threading.local()
    latencies, numbers = [], []
    lock = threading.Lock()

    def register(index):
        if not hasattr(local, "client"):
            local.client = Client(base_url, "vanthu.ubnd")
        c = local.client
        body = {"unit_id": c.unit_id, "code_number": str(index + 1), "code_notation": "BTC-NSNN",
                "issued_date": "2026-01-15", "document_type": "CV",
                "issuer": {"name": "Bộ Tài chính", "organ_id": "000.00.00.G12"},
                "subject": f"Hướng dẫn thực hiện dự toán ngân sách, văn bản số {index + 1}"}
        started = time.perf_counter()
        response = c.http.post(f"{c.base}/incoming", json=body, timeout=60)
        elapsed = time.perf_counter() - started
        with lock:
            latencies.append(elapsed)
            if response.status_code == 201:
                numbers.append(response.json()["arrival_number"])

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(register, range(count)))
    total = time.perf_counter() - started
    print(f"{len(numbers)} of {count} registered with {threads} client threads in {total:.1f} s: "
          f"{len(numbers) / total:.1f} registrations/s")
    print(f"latency median {statistics.median(latencies) * 1000:.1f} ms, "
          f"p95 {percentile(latencies, 0.95) * 1000:.1f} ms, "
          f"max {max(latencies) * 1000:.1f} ms")
    gapless = sorted(numbers) == list(range(1, len(numbers) + 1))
    print("arrival numbers 1..N with no gap or duplicate:", "yes" if gapless else "NO")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--postgres", action="store_true")
    options = parser.parse_args(argv)
    from bench.harness import fresh_system
    with fresh_system(options.postgres) as system:
        print("one documents process")
        run(system.base_url, options.count, options.threads)
    return 0


if __name__ == "__main__":
    sys.exit(main())
