"""Login storm (issue 11, point 8): what a burst of wrong-password sign-ins costs the
documents service, and everyone else.

    python bench/login_storm.py [--storm 100] [--postgres]
    make bench-login BENCH_ARGS="--storm 200"

It starts its own system (bench/harness.py: a throw-away RabbitMQ vhost, data dir and
ports; SQLite, or a PostgreSQL database per service with --postgres). A clerk signs in
first and then, as an ordinary client, keeps making requests one after another
(GET /me and GET /inbox, which reach documents and workflow) before, during and after
the storm. The storm is --storm sign-ins with a wrong password, all started at once
(one thread each), spread over the demo organisation's usernames, from the same
client address.

Printed: the documents process's resident memory before the storm, its peak (the
kernel's VmHWM, and the highest VmRSS sampled every 20 ms), and after; the answers
the storm got (401 wrong password, 429 throttled, 503 busy…) and how long it took;
the ordinary client's request latency (p50, p95, max) during the storm against the
same figure before it. It asserts nothing.
"""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import threading
import time
from collections import Counter

import requests

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench.harness import fresh_system  # noqa: E402

PASSWORD = "eoffice@2026"
USERNAMES = ("vanthu.ubnd", "lanhdao.ubnd", "chuyenvien.ubnd", "vanthu.stc", "lanhdao.stc",
             "chuyenvien.stc", "vanthu.snv", "lanhdao.snv", "vanthu.tanninh",
             "lanhdao.tanninh")


def memory_kib(pid: int) -> dict:
    """VmRSS and VmHWM (peak RSS) of a process, in KiB."""
    values = {}
    with open(f"/proc/{pid}/status") as handle:
        for line in handle:
            name, _, rest = line.partition(":")
            if name in ("VmRSS", "VmHWM"):
                values[name] = int(rest.split()[0])
    return values


class Sampler(threading.Thread):
    def __init__(self, pid: int):
        super().__init__(daemon=True)
        self.pid, self.peak_rss, self.running = pid, 0, True

    def run(self):
        while self.running:
            try:
                self.peak_rss = max(self.peak_rss, memory_kib(self.pid)["VmRSS"])
            except (OSError, KeyError):
                return
            time.sleep(0.02)


class OrdinaryClient(threading.Thread):
    """One signed-in clerk making requests back to back; each latency is kept with the
    time it started."""

    def __init__(self, base: str, token: str):
        super().__init__(daemon=True)
        self.base, self.running, self.samples, self.errors = base, True, [], Counter()
        self.http = requests.Session()
        self.http.headers["Authorization"] = "Bearer " + token

    def run(self):
        paths = ("/me", "/inbox")
        turn = 0
        while self.running:
            started = time.monotonic()
            try:
                status = self.http.get(self.base + paths[turn % 2], timeout=30).status_code
            except requests.RequestException:
                status = "error"
            self.samples.append((started, time.monotonic() - started))
            if status != 200:
                self.errors[status] += 1
            turn += 1


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def storm(base: str, count: int) -> tuple[Counter, float]:
    answers: Counter = Counter()
    start = threading.Event()
    lock = threading.Lock()

    def one(index):
        start.wait()
        try:
            status = requests.post(f"{base}/auth/login", timeout=120, json={
                "username": USERNAMES[index % len(USERNAMES)],
                "password": f"wrong-password-{index}"}).status_code
        except requests.RequestException:
            status = "error"
        with lock:
            answers[status] += 1

    threads = [threading.Thread(target=one, args=(i,), daemon=True) for i in range(count)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    start.set()
    for thread in threads:
        thread.join()
    return answers, time.monotonic() - began


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--storm", type=int, default=100, help="wrong-password sign-ins")
    parser.add_argument("--postgres", action="store_true")
    args = parser.parse_args(argv)

    with fresh_system(postgres=args.postgres) as system:
        base = system.base_url + "/api/v1"
        pid = system.processes["documents"].pid
        login = requests.post(f"{base}/auth/login", timeout=60,
                              json={"username": "vanthu.stc", "password": PASSWORD})
        login.raise_for_status()
        client = OrdinaryClient(base, login.json()["access_token"])
        client.start()
        time.sleep(5)   # latency before the storm, for comparison
        before = memory_kib(pid)
        sampler = Sampler(pid)
        sampler.start()
        storm_began = time.monotonic()
        answers, took = storm(base, args.storm)
        storm_ended = time.monotonic()
        time.sleep(2)
        client.running = sampler.running = False
        client.join(35)
        sampler.join(1)
        after = memory_kib(pid)

        quiet = [d for t, d in client.samples if t < storm_began]
        during = [d for t, d in client.samples if storm_began <= t <= storm_ended]
        mib = 1024
        print(f"\nlogin storm: {args.storm} concurrent wrong-password sign-ins, "
              f"{'PostgreSQL' if args.postgres else 'SQLite'}, {os.cpu_count()} cores, "
              f"load average {os.getloadavg()[0]:.1f}")
        print(f"  storm answers: {dict(sorted(answers.items(), key=str))} in {took:.1f} s")
        print(f"  documents RSS: before {before['VmRSS'] / mib:.0f} MiB, "
              f"peak {max(after['VmHWM'], sampler.peak_rss) / mib:.0f} MiB "
              f"(VmHWM {after['VmHWM'] / mib:.0f}, sampled {sampler.peak_rss / mib:.0f}), "
              f"after {after['VmRSS'] / mib:.0f} MiB")
        for label, values in (("before the storm", quiet), ("during the storm", during)):
            print(f"  other requests {label}: n={len(values)} "
                  f"p50 {percentile(values, .5) * 1000:.0f} ms, "
                  f"p95 {percentile(values, .95) * 1000:.0f} ms, "
                  f"max {max(values, default=float('nan')) * 1000:.0f} ms"
                  + (f", mean {statistics.mean(values) * 1000:.0f} ms" if values else ""))
        if client.errors:
            print(f"  other requests not answered 200: {dict(client.errors)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
