"""CPU of one text extraction, a fresh process per file against a child forked by the
extraction fork server (docs/performance.md), on the peer workload's one-page PDF.

    python -m bench.extraction_cpu [--rounds 10] [--per-round 10] [--kind pdf]

Runs ``run_extraction`` in this process as storage does (eventlet, the scrubbed
environment), alternating a round of each way. What one extraction costs, all of it:

- fresh: this process's own CPU (``RUSAGE_SELF``) and its finished children's
  (``RUSAGE_CHILDREN``: the worker and the tools it ran);
- forked: this process's own CPU, and the fork server's own and finished children's
  (``/proc/<pid>/stat``: the forked children and their tools, which it reaps) — and,
  as a check, the children's CPU as the server reports it (``wait4``'s rusage).

The fork server's start-up (once per storage process) is measured apart. A
measurement, not a test: it prints figures (and the load average) and asserts nothing.
"""
from __future__ import annotations

import eventlet

eventlet.monkey_patch()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench import procstats  # noqa: E402
from bench.peer_workload import document_lines, one_page_pdf  # noqa: E402
from services.storage import extraction  # noqa: E402


def _self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _children() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _server() -> float:
    process = extraction.FORK_SERVER.process
    return sum(procstats.cpu_parts(process.pid)) if process is not None else 0.0


def one_round(path: str, kind: str, count: int, forked: bool) -> dict:
    reported = []
    original_wait = extraction.ForkedChild.wait

    def wait(child, timeout=None):
        known = child.returncode is not None
        code = original_wait(child, timeout)
        if not known and child.cpu_seconds is not None:
            reported.append(child.cpu_seconds)
        return code

    extraction.ForkedChild.wait = wait
    try:
        before = (_self(), _children(), _server())
        for _ in range(count):
            result = extraction.run_extraction(path, kind, timeout=60, use_fork_server=forked)
            assert result.status == "ok", result.error
        after = (_self(), _children(), _server())
    finally:
        extraction.ForkedChild.wait = original_wait
    own, children, server = ((b - a) / count * 1000 for a, b in zip(before, after))
    return {"own_ms": own, "children_ms": children, "server_ms": server,
            "total_ms": own + children + server,
            "reported_child_ms": sum(reported) / count * 1000 if reported else None}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--per-round", type=int, default=10)
    parser.add_argument("--json", help="write the figures there too")
    options = parser.parse_args(argv)
    folder = tempfile.mkdtemp(prefix="eoffice-extraction-cpu-")
    path = os.path.join(folder, "one_page.pdf")
    with open(path, "wb") as handle:
        handle.write(one_page_pdf(document_lines("cpu", 1, random.Random(1))))
    started, load_at_start = procstats.now_utc(), procstats.load_average()

    before = _self()
    extraction.run_extraction(path, "pdf", timeout=60)      # starts the fork server
    start_up = {"server_ms": _server() * 1000, "own_ms": (_self() - before) * 1000}

    figures = {"fresh": [], "forked": []}
    for index in range(options.rounds):
        order = ("fresh", "forked") if index % 2 == 0 else ("forked", "fresh")
        for way in order:
            figures[way].append(one_round(path, "pdf", options.per_round, way == "forked"))
    extraction.stop_fork_server()

    result = {"started": started, "load_average_at_start": load_at_start,
              "load_average_at_end": procstats.load_average(),
              "rounds": options.rounds, "per_round": options.per_round,
              "fork_server_start_up_ms": {k: round(v, 1) for k, v in start_up.items()},
              "per_extraction_ms": {}}
    for way, rounds in figures.items():
        summary = {}
        for key in ("total_ms", "own_ms", "children_ms", "server_ms", "reported_child_ms"):
            values = [r[key] for r in rounds if r[key] is not None]
            if values:
                summary[key] = {"median": round(statistics.median(values), 1),
                                "min": round(min(values), 1), "max": round(max(values), 1)}
        result["per_extraction_ms"][way] = summary
    print(json.dumps(result, indent=2))
    if options.json:
        with open(options.json, "w") as handle:
            json.dump(result, handle, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
