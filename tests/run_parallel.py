"""Runs the test suite as several pytest processes at once, for the wall time of a 2-core
machine: the tiers wait mostly on RabbitMQ, PostgreSQL and the services, not on the CPU.

    python -m tests.run_parallel [--shards N] [--no-system] [pytest options…]

The unit and integration tests are dealt out test by test to N processes (``--shard I/N``,
see tests/conftest.py; each test makes its own vhost and databases, so they do not meet);
the end-to-end tests and the browser tests run in one more process each, each process with
its one started system (tests/system.py): a system starts in about 6 s and idles cheaply,
while the two tiers, run one after the other in one process, were the longest path.
pytest-xdist is not used: its workers hang under eventlet's monkey patching, which nameko
needs.

Each process writes its output to var/test-logs/<name>.log; this prints each one's summary,
the whole output of any that failed, and exits with the first failure's code."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOGS = os.path.join(ROOT, "var", "test-logs")
FAST_TIERS = ("tests/unit", "tests/integration")
#: The tiers that start a system: a process of its own each, longest first.
SYSTEM_TIERS = {"e2e": "tests/e2e", "browser": "tests/browser"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, default=3,
                        help="processes for the unit and integration tests (default 3)")
    parser.add_argument("--no-system", action="store_true",
                        help="only the tiers that start no system (unit, integration)")
    options, pytest_args = parser.parse_known_args()
    os.makedirs(LOGS, exist_ok=True)
    started = time.monotonic()
    runs = {} if options.no_system else {name: [tier] for name, tier in SYSTEM_TIERS.items()}
    runs |= {f"fast-{i}": [f"--shard={i}/{options.shards}", *FAST_TIERS]
            for i in range(1, options.shards + 1)}
    processes = {}
    for name, targets in runs.items():
        log = open(os.path.join(LOGS, f"{name}.log"), "w")
        # The system tiers are the longest path: their services keep the CPU first and
        # the fast tiers fill the time they wait (a niceness of 10 for theirs).
        nice = [] if name in SYSTEM_TIERS else ["nice", "-n", "10"]
        processes[name] = (subprocess.Popen(
            [*nice, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             *pytest_args, *targets], cwd=ROOT, stdout=log, stderr=subprocess.STDOUT), log)
        print(f"{name}: {' '.join(targets)} → var/test-logs/{name}.log", flush=True)
    failed = 0
    for name, (process, log) in processes.items():
        code = process.wait()
        log.close()
        with open(log.name, encoding="utf-8", errors="replace") as handle:
            output = handle.read()
        summary = output.strip().splitlines()[-1] if output.strip() else "(no output)"
        print(f"{name}: {summary}", flush=True)
        if code != 0:
            sys.stdout.write(f"\n===== {name} failed (exit {code}) =====\n{output}\n")
            failed = failed or code
    print(f"all: {'failed' if failed else 'passed'} in {time.monotonic() - started:.0f} s")
    return failed


if __name__ == "__main__":
    raise SystemExit(main())
