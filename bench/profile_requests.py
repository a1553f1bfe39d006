"""The profile of issue 15 (docs/performance.md): what one registration with a file
(create upload + PUT + register) and one workflow transition (submit, assign,
complete) cost the whole system — RPC round trips, database transactions, events and
child processes, CPU per service, and where the time goes (gateway, nameko's RPC,
SQLAlchemy, the extractor).

    python bench/profile_requests.py [--count 30] [--strace] [--json out.json]

It starts a fresh system whose processes load bench/profiling/sitecustomize.py (counters
that change no behaviour; see there) and, for each kind of request, sends ``--count`` of
them one after the other from one client, waits until everything they set off has
finished (the documents findable, RabbitMQ's queues empty), then diffs:
- the services' own metrics (services/common/metrics.py): entrypoint calls by kind
  (rpc, event, http, timer) and their server time;
- the counters: RPCs made and their wall time, transactions and statements with their
  time in the driver, events dispatched, child processes started, extractions;
- /proc: each process's CPU-seconds (its own, and its children's: finished, and
  living with theirs, e.g. storage's extraction fork server and what it forked).
The system's idle cost (timers: outbox relays, retries; measured first for
``--idle-seconds``) is taken off at its rate over each batch's duration. ``--strace``
also counts the programs every process executes (children's children included) during
three registrations, under strace (slow: not part of the timed batches); ``--py-spy
PATH`` samples where each process spends its CPU during another batch of each kind
(py-spy is not a dependency of the project: give its binary).

A measurement, not a test: it prints figures and asserts nothing.
"""
from __future__ import annotations

import argparse
import glob
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter, defaultdict
from contextlib import contextmanager, nullcontext
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench import procstats, scrape  # noqa: E402
from bench.peer_workload import Session, backlog, document_lines, one_page_pdf  # noqa: E402

HOOK = os.path.join(ROOT, "bench", "profiling")


class Probe:
    """Everything the profile reads from the running system at one moment."""

    def __init__(self, system, directory: str):
        self.system, self.directory = system, directory
        self.pids = {name: p.pid for name, p in system.processes.items()}
        self.vhost = system.env["AMQP_URI"].rsplit("/", 1)[1]

    def counters(self) -> dict[str, dict]:
        """Each process's counters (bench/profiling/sitecustomize.py), asked for by
        SIGUSR2 and read from the file it writes."""
        asked = time.time()
        for pid in self.pids.values():
            os.kill(pid, signal.SIGUSR2)
        out = {}
        deadline = time.time() + 10
        for name, pid in self.pids.items():
            path = os.path.join(self.directory, f"{pid}.json")
            while time.time() < deadline:
                if os.path.exists(path) and os.path.getmtime(path) >= asked - 0.01:
                    with open(path) as handle:
                        out[name] = json.load(handle)
                    break
                time.sleep(0.05)
        return out

    def snapshot(self) -> dict:
        return {"time": time.time(), "metrics": scrape.snapshot(self.system),
                "counters": self.counters(),
                "cpu": {name: procstats.tree_cpu_parts(pid) or (0.0, 0.0)
                        for name, pid in self.pids.items()}}

    def quiet(self, timeout: float = 120) -> None:
        """Until RabbitMQ holds nothing for the system's consumers twice in a row (its
        management API refreshes its counts every few seconds)."""
        deadline, zeros = time.time() + timeout, 0
        time.sleep(1)
        while time.time() < deadline and zeros < 2:
            zeros = zeros + 1 if backlog(self.vhost) == 0 else 0
            time.sleep(2.5)


def difference(before: dict, after: dict) -> dict:
    """What happened between two snapshots, as raw totals."""
    counts: dict[str, Counter] = defaultdict(Counter)
    seconds: dict[str, Counter] = defaultdict(Counter)
    for name, new in after["counters"].items():
        old = before["counters"].get(name, {"counts": {}, "seconds": {}})
        for key, value in new["counts"].items():
            if value - old["counts"].get(key, 0):
                counts[name][key] = value - old["counts"].get(key, 0)
        for key, value in new["seconds"].items():
            if value - old["seconds"].get(key, 0.0) > 0:
                seconds[name][key] = value - old["seconds"].get(key, 0.0)
    cpu = {name: (after["cpu"][name][0] - before["cpu"][name][0],
                  after["cpu"][name][1] - before["cpu"][name][1]) for name in after["cpu"]}
    return {"elapsed": after["time"] - before["time"],
            "entrypoints": scrape.diff(before["metrics"], after["metrics"]),
            "counts": counts, "seconds": seconds, "cpu": cpu}


def per_request(raw: dict, idle: dict | None, count: int) -> dict:
    """Totals divided by the requests, the idle rate over the same time taken off first
    (never below zero)."""
    def net(value, idle_value):
        if idle is None:
            return value / count
        return max(value - idle_value / idle["elapsed"] * raw["elapsed"], 0.0) / count

    def idle_of(section, name, key):
        if idle is None:
            return 0.0
        return idle[section].get(name, {}).get(key, 0.0)

    out = {"elapsed_s": round(raw["elapsed"], 2), "requests": count,
           "entrypoints": {}, "counts": {}, "seconds_ms": {}, "cpu_ms": {}}
    idle_entry = idle["entrypoints"] if idle else {}
    for key, value in raw["entrypoints"].items():
        if key[1] == "metrics_endpoint":
            continue
        base = idle_entry.get(key, {"count": 0.0, "seconds": 0.0})
        calls = net(value["count"], base["count"])
        if calls >= 0.05:
            out["entrypoints"][".".join(key[:2]) + f" ({key[2]})"] = {
                "calls": round(calls, 2),
                "server_ms_each": round(value["seconds"] / value["count"] * 1000, 1)}
    for name, counts in raw["counts"].items():
        for key, value in counts.items():
            per = net(value, idle_of("counts", name, key))
            if per >= 0.05:
                out["counts"].setdefault(name, {})[key] = round(per, 2)
    for name, seconds in raw["seconds"].items():
        for key, value in seconds.items():
            per = net(value, idle_of("seconds", name, key)) * 1000
            if per >= 0.05:
                out["seconds_ms"].setdefault(name, {})[key] = round(per, 2)
    for name, (own, children) in raw["cpu"].items():
        idle_own, idle_children = idle["cpu"].get(name, (0.0, 0.0)) if idle else (0.0, 0.0)
        own_ms = net(own, idle_own) * 1000
        children_ms = net(children, idle_children) * 1000
        if own_ms + children_ms >= 0.05:
            out["cpu_ms"][name] = {"own": round(own_ms, 1), "children": round(children_ms, 1)}
    return out


# ------------------------------------------------------------------ the requests

def registrations(probe: Probe, clerk: Session, count: int, run: str) -> dict:
    """``count`` one-page PDFs (the peer workload's) uploaded and registered one after
    the other; then until each is findable by its content and the queues are empty."""
    import random
    import requests
    rng = random.Random(run)
    storage = requests.Session()
    documents = [one_page_pdf(document_lines(run, i, rng)) for i in range(count)]
    latencies = defaultdict(list)
    before = probe.snapshot()
    for index, data in enumerate(documents):
        started = time.perf_counter()
        created = clerk.post("/uploads", {"filename": f"profile_{run}_{index}.pdf",
                                          "size": len(data), "content_type": "application/pdf"})
        created.raise_for_status()
        latencies["create_upload"].append(time.perf_counter() - started)
        started = time.perf_counter()
        storage.put(created.json()["upload_url"], data=data, timeout=60,
                    headers={"Content-Type": "application/pdf"}).raise_for_status()
        latencies["put_bytes"].append(time.perf_counter() - started)
        started = time.perf_counter()
        clerk.post("/incoming", incoming(clerk, str(index + 1), "PROFILE-" + run.upper(),
                                         [created.json()["file_id"]])).raise_for_status()
        latencies["register"].append(time.perf_counter() - started)
    deadline = time.time() + 300
    while time.time() < deadline:
        answer = clerk.get("/search", q="r" + run, page_size=1).json()
        if not answer.get("fuzzy") and answer["total"] >= count:
            break
        time.sleep(0.5)
    probe.quiet()
    raw = difference(before, probe.snapshot())
    raw["client_ms"] = {k: round(sorted(v)[len(v) // 2] * 1000, 1) for k, v in latencies.items()}
    return raw


def incoming(clerk: Session, code_number: str, notation: str, file_ids: list[str]) -> dict:
    return {"unit_id": clerk.unit_id, "code_number": code_number, "code_notation": notation,
            "issued_date": date.today().isoformat(),
            "issuer": {"organ_id": "000.00.00.G22", "name": "Văn phòng Chính phủ"},
            "document_type": "CV", "subject": f"Profile {notation} {code_number}",
            "urgency": "normal", "confidentiality": "none", "page_amount": 1,
            "signer": {"position": "Chánh Văn phòng", "full_name": "Nguyễn Văn A"},
            "file_ids": file_ids}


def transitions(probe: Probe, base_url: str, clerk: Session, count: int, run: str,
                around=None) -> dict:
    """``count`` documents (no file) registered and their processing opened first, not
    counted; then each kind of transition, ``count`` of them one after the other, each
    batch followed by quiet; the batches inside the context manager ``around``."""
    leader, assignee = Session(base_url, "lanhdao.ubnd"), Session(base_url, "chuyenvien.ubnd")
    ids = []
    for index in range(count):
        answer = clerk.post("/incoming", incoming(clerk, str(index + 1), "WF-" + run.upper(), []))
        answer.raise_for_status()
        ids.append(answer.json()["id"])
    for document_id in ids:
        for _ in range(300):
            if clerk.get(f"/incoming/{document_id}/processing").json().get("state"):
                break
            time.sleep(0.05)
    probe.quiet()
    due = (date.today() + timedelta(days=30)).isoformat()
    leads = {}

    def submit(document_id):
        return clerk.post(f"/incoming/{document_id}/submit",
                          {"to_user_id": leader.user["id"], "note": "Kính trình"})

    def assign(document_id):
        answer = leader.post(f"/incoming/{document_id}/assign", {
            "lead": {"user_id": assignee.user["id"], "due_date": due},
            "instruction": "Giao chủ trì xử lý (profile)"})
        if answer.status_code == 200:
            leads[document_id] = next(i["id"] for i in answer.json()["items"]
                                      if i["kind"] == "lead")
        return answer

    def complete(document_id):
        return assignee.post(f"/assignments/{leads[document_id]}/complete", {"note": "Xong"})

    out = {}
    with around or nullcontext():
        for label, request in (("submit", submit), ("assign", assign), ("complete", complete)):
            latencies = []
            before = probe.snapshot()
            for document_id in ids:
                started = time.perf_counter()
                request(document_id).raise_for_status()
                latencies.append(time.perf_counter() - started)
            probe.quiet()
            out[label] = difference(before, probe.snapshot())
            out[label]["client_ms"] = {
                label: round(sorted(latencies)[len(latencies) // 2] * 1000, 1)}
    return out


def traced_registrations(probe: Probe, clerk: Session, run: str, count: int = 3) -> dict:
    """The programs every process of the system executes (children's children too)
    while ``count`` registrations are made and processed, counted by strace."""
    if shutil.which("strace") is None:
        return {"error": "strace is not installed"}
    out_dir = tempfile.mkdtemp(prefix="eoffice-strace-")
    command = ["strace", "-f", "-qq", "-e", "trace=execve", "-ff", "-o",
               os.path.join(out_dir, "trace")]
    for name, pid in probe.pids.items():
        if name not in ("pki", "axis"):
            command += ["-p", str(pid)]
    tracer = subprocess.Popen(command, stderr=subprocess.DEVNULL)
    time.sleep(2)
    try:
        registrations(probe, clerk, count, run)
    finally:
        tracer.send_signal(signal.SIGINT)
        tracer.wait(30)
    programs = Counter()
    for path in glob.glob(os.path.join(out_dir, "trace.*")):
        with open(path, errors="replace") as handle:
            for line in handle:
                if line.startswith("execve(") and "= 0" in line.rsplit(")", 1)[-1]:
                    argv = line.split("[", 1)[1].split("]", 1)[0]
                    args = [a.strip().strip('"') for a in argv.split(",")]
                    name = (args[2] if len(args) > 2 and args[1] == "-m"
                            else os.path.basename(line.split('"', 2)[1]))
                    programs[name] += 1
    shutil.rmtree(out_dir, ignore_errors=True)
    return {"registrations": count, "programs_per_registration": {
        name: round(n / count, 2) for name, n in programs.most_common()}}


#: What a sampled stack is counted under when one of its frames is in one of these
#: (py-spy names a frame ``function (package/module.py:line)``); inclusive: a stack can
#: count under several.
LAYERS = (("SQLAlchemy", ("(sqlalchemy/",)),
          ("sqlite3/psycopg2 driver", ("(sqlite3/", "(psycopg2/")),
          ("nameko/kombu/amqp (RPC, events)", ("(nameko/", "(kombu/", "(amqp/")),
          ("eventlet", ("(eventlet/",)), ("werkzeug (HTTP)", ("(werkzeug/",)),
          ("JSON", ("(json/",)), ("JWT/cryptography", ("(jwt/", "(cryptography/")),
          ("tantivy (index)", ("tantivy",)), ("pypdf/pyhanko", ("(pypdf/", "(pyhanko/")),
          ("prometheus_client", ("(prometheus_client/",)), ("subprocess", ("(subprocess.py",)),
          ("the project's code", ("(services/",)))


@contextmanager
def sampled(py_spy: str, probe: Probe, into: dict):
    """Where each process spends its CPU inside the block, sampled by py-spy
    (--nonblocking, 200 a second; idle threads not sampled): per process, the samples
    and the share of them under each of LAYERS and in the project's own code."""
    out_dir = tempfile.mkdtemp(prefix="eoffice-pyspy-")
    spies = {}
    for name, pid in probe.pids.items():
        if name in ("pki", "axis"):
            continue
        spies[name] = subprocess.Popen(
            [py_spy, "record", "-p", str(pid), "-r", "200", "--nonblocking", "-f", "raw",
             "-o", os.path.join(out_dir, f"{name}.txt")],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(out_dir, f"{name}.log"), "w"))
    time.sleep(2)
    try:
        yield
    finally:
        for spy in spies.values():
            spy.send_signal(signal.SIGINT)
        for spy in spies.values():
            spy.wait(60)
    result = into
    for name in spies:
        path = os.path.join(out_dir, f"{name}.txt")
        if not os.path.exists(path):
            with open(os.path.join(out_dir, f"{name}.log"), errors="replace") as handle:
                result[name] = {"samples": 0, "error": handle.read()[-500:],
                                "inclusive_share": {}, "leaf_share": {}}
            continue
        total, waiting, layers, leaves, frames = 0, 0, Counter(), Counter(), Counter()
        with open(path, errors="replace") as handle:
            for line in handle:
                stack, _, samples = line.rstrip().rpartition(" ")
                if not samples.isdigit():
                    continue
                n = int(samples)
                leaf = stack.rsplit(";", 1)[-1]
                if "(eventlet/hubs/" in leaf:
                    # the hub waiting for I/O or a timer: py-spy's idle detection does not
                    # see it as idle, so it is counted apart, not as work
                    waiting += n
                    continue
                total += n
                for layer, marks in LAYERS:
                    if any(mark in stack for mark in marks):
                        layers[layer] += n
                leaves[next((layer for layer, marks in LAYERS
                             if any(mark in leaf for mark in marks)), "other")] += n
                frames[leaf] += n
        if total:
            result[name] = {"samples": total, "hub_waiting_samples": waiting,
                            "inclusive_share": {k: round(v / total, 3)
                                                for k, v in layers.most_common()},
                            "leaf_share": {k: round(v / total, 3) for k, v in leaves.most_common()},
                            "top_frames": {k: round(v / total, 3)
                                           for k, v in frames.most_common(8)}}
    shutil.rmtree(out_dir, ignore_errors=True)


# ------------------------------------------------------------------ the report

def report(title: str, figures: dict) -> str:
    lines = [f"== {title}: per request, over {figures['requests']} requests "
             f"({figures['elapsed_s']} s with the quiet after), idle cost taken off"]
    if figures.get("client_ms"):
        lines.append("  client p50 ms: " + ", ".join(f"{k} {v}" for k, v in
                                                     figures["client_ms"].items()))
    kinds = Counter()
    for key, value in figures["entrypoints"].items():
        kinds[key.rsplit("(", 1)[1].rstrip(")")] += value["calls"]
    lines.append("  entrypoint calls: " + ", ".join(f"{k} {v:.2f}" for k, v in kinds.items()))
    for key, value in sorted(figures["entrypoints"].items()):
        lines.append(f"    {key:58s} {value['calls']:6.2f} × {value['server_ms_each']:7.1f} ms")
    lines.append("  counters (per request):")
    for name, counts in sorted(figures["counts"].items()):
        lines.append(f"    {name:10s} " + ", ".join(f"{k} {v:g}"
                                                   for k, v in sorted(counts.items())))
    lines.append("  time (ms per request):")
    for name, seconds in sorted(figures["seconds_ms"].items()):
        lines.append(f"    {name:10s} " + ", ".join(f"{k} {v:g}"
                                                   for k, v in sorted(seconds.items())))
    lines.append("  CPU ms per request (own + children): " + ", ".join(
        f"{name} {v['own']:.1f}" + (f"+{v['children']:.1f}" if v["children"] else "")
        for name, v in sorted(figures["cpu_ms"].items(), key=lambda kv: -kv[1]["own"]))
        + f"; total {sum(v['own'] + v['children'] for v in figures['cpu_ms'].values()):.1f}")
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=30, help="requests of each kind")
    parser.add_argument("--idle-seconds", type=float, default=15)
    parser.add_argument("--strace", action="store_true",
                        help="also count the programs executed, under strace")
    parser.add_argument("--py-spy", metavar="PATH",
                        help="a py-spy binary: also sample where each process spends its CPU "
                             "during --count more registrations and transitions (not counted "
                             "above; py-spy is not a dependency of the project)")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args(argv)
    directory = tempfile.mkdtemp(prefix="eoffice-profile-")
    env = {"EOFFICE_PROFILE_DIR": directory,
           "PYTHONPATH": os.pathsep.join(p for p in (HOOK, os.environ.get("PYTHONPATH")) if p)}
    from bench.harness import fresh_system
    result = {"started": procstats.now_utc(), "load_average_at_start": procstats.load_average(),
              "count": options.count}
    try:
        with fresh_system(extra_env=env) as system:
            probe = Probe(system, directory)
            clerk = Session(system.base_url, "vanthu.ubnd")
            run = uuid.uuid4().hex[:8]
            registrations(probe, clerk, 3, run + "w")     # warm-up: first-call costs
            probe.quiet()
            before = probe.snapshot()
            time.sleep(options.idle_seconds)
            idle = difference(before, probe.snapshot())
            result["idle_per_second"] = per_request(
                dict(idle, elapsed=1.0, **{k: _scaled(idle[k], 1 / idle["elapsed"])
                                           for k in ("counts", "seconds", "cpu", "entrypoints")}),
                None, 1)
            result["load_average_registrations"] = procstats.load_average()
            raw = registrations(probe, clerk, options.count, run)
            result["registration"] = per_request(raw, idle, options.count)
            result["registration"]["client_ms"] = raw["client_ms"]
            print(report("registration with a file", result["registration"]), flush=True)
            result["load_average_transitions"] = procstats.load_average()
            for label, raw in transitions(probe, system.base_url, clerk, options.count,
                                          run).items():
                result[f"transition_{label}"] = per_request(raw, idle, options.count)
                result[f"transition_{label}"]["client_ms"] = raw["client_ms"]
                print(report(f"transition: {label}", result[f"transition_{label}"]), flush=True)
            if options.py_spy:
                result["py_spy_registration"], result["py_spy_transitions"] = {}, {}
                with sampled(options.py_spy, probe, result["py_spy_registration"]):
                    registrations(probe, clerk, options.count, run + "p")
                transitions(probe, system.base_url, clerk, options.count, run + "p",
                            around=sampled(options.py_spy, probe, result["py_spy_transitions"]))
                for key in ("py_spy_registration", "py_spy_transitions"):
                    print(f"== {key} (share of each process's samples):")
                    for name, spied in result[key].items():
                        print(f"  {name:9s} {spied['samples']:5d} samples "
                              f"(+{spied.get('hub_waiting_samples', 0)} hub waiting); under: "
                              + ", ".join(
                            f"{k} {v:.0%}" for k, v in spied["inclusive_share"].items())
                            + "; innermost frame: " + ", ".join(
                            f"{k} {v:.0%}" for k, v in spied["leaf_share"].items()), flush=True)
            if options.strace:
                result["strace"] = traced_registrations(probe, clerk, run + "s")
                print("programs executed per registration (strace):",
                      result["strace"], flush=True)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print(f"started {result['started']}, load average at start {result['load_average_at_start']}")
    if options.json:
        with open(options.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, ensure_ascii=False, indent=2, default=str)
    return 0


def _scaled(section, factor):
    """A difference's section multiplied by ``factor`` (an idle total made a rate)."""
    if isinstance(section, dict) and section and isinstance(next(iter(section.values())), tuple):
        return {k: (v[0] * factor, v[1] * factor) for k, v in section.items()}
    out = {}
    for key, value in section.items():
        if isinstance(value, dict):
            out[key] = {k: v * factor for k, v in value.items()}
        else:
            out[key] = value * factor
    return out


if __name__ == "__main__":
    sys.exit(main())
