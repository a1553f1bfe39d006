"""The peer workload of issue 15, the same one Mayan EDMS is measured with (the shared
peer-bench kit), against our API: N one-page text PDFs (a unique token, a run token and
120 words from the kit's vocabulary each — 42 words, though the kit says 45) uploaded and
registered as incoming documents by 4 client threads (create upload → PUT the bytes →
register); the time until all of
them are findable by content; single documents registered → found on an idle system;
100 searches (unique tokens, single words, two-word ANDs); one submit / assign /
complete; then workflow transitions per second with 8 clients (as
bench/workflow_transitions.py: assign, progress, complete); the CPU-seconds of the whole
system and each process's resident memory, idle and under the workload.

    python bench/peer_workload.py [-n 300] [--postgres] [--json out.json]  # a fresh system
    python bench/peer_workload.py --url http://127.0.0.1:8000              # a running one

It prints the rows of the issue's table. The measurement is the kit's, step for step
(same documents for the same run id, same polling intervals, a ``fuzzy`` answer counts
as no hit); CPU and memory need the fresh system (it knows its processes). A benchmark:
it prints figures and asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from io import BytesIO

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench import procstats, scrape  # noqa: E402

PASSWORD = "eoffice@2026"
#: The kit's vocabulary, in its order: with the same run id the documents and the queries
#: are the same words as the kit's (random.Random(run) draws from it in this order).
VOCABULARY = ("invoice contract payment supplier customer warranty shipment delivery "
              "receipt budget audit compliance insurance policy claim report quarterly "
              "annual summary proposal agreement license renewal maintenance service "
              "project milestone deadline approval signature review archive ledger "
              "account balance transfer tax refund order purchase vendor catalog").split()
WORDS_PER_DOCUMENT = 120


# ------------------------------------------------------------------ the documents

def document_lines(run: str, index: int, rng: random.Random) -> list[str]:
    """The text of document ``index``: a title, its unique token, the run token, then
    120 vocabulary words twelve to a line."""
    words = [rng.choice(VOCABULARY) for _ in range(WORDS_PER_DOCUMENT)]
    return [f"Benchmark document {index} run {run}",
            f"Unique token: {unique_token(run, index)}",
            f"Run token: r{run}",
            *(" ".join(words[k:k + 12]) for k in range(0, WORDS_PER_DOCUMENT, 12))]


def unique_token(run: str, index: int) -> str:
    return f"u{run}x{index:06d}"


def one_page_pdf(lines: list[str]) -> bytes:
    """An A4 page with a real text layer (Helvetica 11 pt, 14 pt leading), drawn with
    reportlab, which the project already depends on."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas
    out = BytesIO()
    page = canvas.Canvas(out, pagesize=A4, invariant=1)
    text = page.beginText(50, 790)
    text.setFont("Helvetica", 11, leading=14)
    for line in lines:
        text.textLine(line)
    page.drawText(text)
    page.showPage()
    page.save()
    return out.getvalue()


# ------------------------------------------------------------------ figures

def percentile(values: list[float], p: float) -> float:
    """Linear interpolation between closest ranks (the kit's ``pct``)."""
    ordered = sorted(values)
    k = (len(ordered) - 1) * p / 100.0
    low = int(k)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (k - low)


def summary(seconds: list[float]) -> dict:
    if not seconds:
        return {"n": 0}
    return {"n": len(seconds), "median_ms": round(statistics.median(seconds) * 1000, 1),
            "p95_ms": round(percentile(seconds, 95) * 1000, 1),
            "min_ms": round(min(seconds) * 1000, 1), "max_ms": round(max(seconds) * 1000, 1)}


# ------------------------------------------------------------------ the API

class Session:
    """One signed-in person's HTTP session on /api/v1."""

    def __init__(self, base_url: str, username: str):
        self.api = base_url.rstrip("/") + "/api/v1"
        self.http = requests.Session()
        self.http.headers["Accept"] = "application/json"
        answer = self.http.post(f"{self.api}/auth/login", timeout=30,
                                json={"username": username, "password": PASSWORD})
        answer.raise_for_status()
        self.http.headers["Authorization"] = "Bearer " + answer.json()["access_token"]
        self.user = answer.json()["user"]
        self.unit_id = self.user["memberships"][0]["unit_id"]

    def post(self, path: str, body: dict, timeout: float = 120):
        return self.http.post(self.api + path, json=body, timeout=timeout)

    def get(self, path: str, timeout: float = 60, **params):
        return self.http.get(self.api + path, params=params, timeout=timeout)


class Workload:
    def __init__(self, base_url: str, options):
        self.base_url, self.options = base_url, options
        self.clerk = Session(base_url, options.clerk)
        self.storage = requests.Session()   # PUTs to the signed upload URL: no token
        self.lock = threading.Lock()
        self.step_latency: dict[str, list[float]] = {"create_upload": [], "put_bytes": [],
                                                     "register": []}
        self.fuzzy_answers = 0
        self.errors: list[str] = []

    def check(self, response):
        if response.status_code >= 400:
            with self.lock:
                self.errors.append(f"{response.request.method} "
                                   f"{response.url.split('?')[0]} -> {response.status_code}: "
                                   f"{response.text[:300]}")
        response.raise_for_status()
        return response

    def timed_step(self, step: str, call):
        started = time.time()
        response = self.check(call())
        with self.lock:
            self.step_latency[step].append(time.time() - started)
        return response

    def incoming_body(self, code_number: str, notation: str, subject: str,
                      file_ids: list[str]) -> dict:
        return {"unit_id": self.clerk.unit_id, "code_number": code_number,
                "code_notation": notation, "issued_date": date.today().isoformat(),
                "issuer": {"organ_id": "000.00.00.G22", "name": "Văn phòng Chính phủ"},
                "document_type": "CV", "subject": subject, "urgency": "normal",
                "confidentiality": "none", "page_amount": 1,
                "signer": {"position": "Chánh Văn phòng", "full_name": "Nguyễn Văn A"},
                "file_ids": file_ids}

    def upload(self, run: str, index: int, name: str, data: bytes) -> str:
        """What makes a document exist here: the bytes uploaded (create the upload, PUT
        them to storage) and registered as an incoming document. Its id."""
        created = self.timed_step("create_upload", lambda: self.clerk.post(
            "/uploads", {"filename": name, "size": len(data),
                         "content_type": "application/pdf"})).json()
        self.timed_step("put_bytes", lambda: self.storage.put(
            created["upload_url"], data=data, timeout=120,
            headers={"Content-Type": "application/pdf"}))
        body = self.incoming_body(str(index + 1), "BENCH-" + run.upper(),
                                  f"Benchmark upload {index}", [created["file_id"]])
        return self.timed_step("register", lambda: self.clerk.post("/incoming", body)).json()["id"]

    def search(self, query: str, page_size: int = 1) -> int:
        answer = self.check(self.clerk.get("/search", q=query, page_size=page_size)).json()
        if answer.get("fuzzy"):
            # Nothing matched as typed and the typo fallback answered near words: those
            # are not hits of the query (Mayan has no such fallback).
            with self.lock:
                self.fuzzy_answers += 1
            return 0
        return answer["total"]

    def wait_count(self, query: str, expected: int, timeout: float,
                   interval: float = 0.25) -> float | None:
        started = time.time()
        while time.time() - started < timeout:
            if self.search(query) >= expected:
                return time.time()
            time.sleep(interval)
        return None

    def processing_open(self, session: Session, document_id: str, timeout: float = 120):
        """Wait until the workflow service has opened the document's processing (from
        the registration's event)."""
        started = time.time()
        while time.time() - started < timeout:
            answer = session.get(f"/incoming/{document_id}/processing", timeout=30)
            if answer.status_code == 200 and answer.json().get("state"):
                return
            time.sleep(0.1)
        raise RuntimeError(f"processing of {document_id} never opened")


# ------------------------------------------------------------------ the phases

def bulk_upload(work: Workload, run: str, documents: list[bytes]) -> tuple[list[str], dict, float]:
    latencies = []

    def one(index):
        started = time.time()
        document_id = work.upload(run, index, f"bench_{run}_{index:06d}.pdf", documents[index])
        return document_id, time.time() - started

    started = time.time()
    ids = []
    with ThreadPoolExecutor(work.options.upload_threads) as pool:
        for document_id, latency in pool.map(one, range(len(documents))):
            ids.append(document_id)
            latencies.append(latency)
    elapsed = time.time() - started
    return ids, {"seconds": round(elapsed, 2), "docs_per_s": round(len(documents) / elapsed, 2),
                 "threads": work.options.upload_threads, "request_latency": summary(latencies),
                 "steps": {step: summary(values) for step, values in work.step_latency.items()}
                 }, started


def single_documents(work: Workload, run: str, rng: random.Random) -> dict:
    """Registered → found by its unique token, one at a time on an otherwise idle system."""
    time.sleep(2)
    samples = []
    for k in range(work.options.single_samples):
        index = work.options.docs + k
        data = one_page_pdf(document_lines(run, index, rng))
        started = time.time()
        work.upload(run, index, f"single_{run}_{index}.pdf", data)
        found = work.wait_count(unique_token(run, index), 1, 300, interval=0.1)
        if found:
            samples.append(found - started)
        time.sleep(1)
    return summary(samples) if samples else {"error": "timeout"}


def searches(work: Workload, run: str, rng: random.Random) -> dict:
    """A third unique tokens (1 hit), a third single words (most documents), a third
    two-word ANDs; ten to a page."""
    queries = []
    for k in range(work.options.queries):
        if k % 3 == 0:
            queries.append(unique_token(run, rng.randrange(work.options.docs)))
        elif k % 3 == 1:
            queries.append(rng.choice(VOCABULARY))
        else:
            queries.append(rng.choice(VOCABULARY) + " " + rng.choice(VOCABULARY))
    latencies, hits = [], []
    for query in queries:
        started = time.time()
        hits.append(work.search(query, page_size=10))
        latencies.append(time.time() - started)
    out = summary(latencies)
    out["mean_hits"] = round(statistics.mean(hits), 1)
    out["unique_tokens_found_once"] = all(h == 1 for q, h in zip(queries, hits)
                                          if q.startswith("u"))
    return out


def one_workflow(work: Workload, document_id: str) -> dict:
    """The clerk submits the document to the leader (trình), the leader assigns a
    person to lead it (phân công), that person completes it (hoàn thành): each
    request's latency. ``launch_to_instance_s``: a new registration's return → its
    processing readable (the workflow service opens it from the event)."""
    options = work.options
    leader = Session(work.base_url, options.leader)
    assignee = Session(work.base_url, options.assignee)
    out = {}
    body = work.incoming_body(str(900000 + random.randrange(99999)), "BENCH-WF",
                              "Benchmark workflow launch", [])
    new_id = work.check(work.clerk.post("/incoming", body, timeout=30)).json()["id"]
    started = time.time()
    work.processing_open(work.clerk, new_id)
    out["launch_to_instance_s"] = round(time.time() - started, 3)
    work.processing_open(work.clerk, document_id)
    due = (date.today() + timedelta(days=30)).isoformat()
    steps = (("submit", work.clerk, lambda: (f"/incoming/{document_id}/submit", {
                 "to_user_id": leader.user["id"], "note": "Kính trình"})),
             ("assign", leader, lambda: (f"/incoming/{document_id}/assign", {
                 "lead": {"user_id": assignee.user["id"], "due_date": due},
                 "instruction": "Giao chủ trì xử lý (bench)"})),
             ("complete", assignee, lambda: (
                 f"/assignments/{open_lead_item(work, assignee, document_id)}/complete",
                 {"note": "bench"})))
    for label, session, request in steps:
        path, payload = request()
        started = time.time()
        answer = session.post(path, payload, timeout=30)
        elapsed = time.time() - started
        work.check(answer)
        state = work.check(work.clerk.get(f"/incoming/{document_id}/processing")).json()
        out[f"transition_{label}_ms"] = round(elapsed * 1000, 1)
        out[f"state_after_{label}"] = state.get("state")
    return out


def open_lead_item(work: Workload, session: Session, document_id: str) -> str:
    """The assignee's open lead item, from their inbox."""
    started = time.time()
    while time.time() - started < 30:
        items = work.check(session.get("/inbox", page_size=200)).json()["items"]
        for item in items:
            if (item["document_id"] == document_id and item.get("kind") == "lead"
                    and item.get("state", "open") in ("open", "in_progress")):
                return item["id"]
        time.sleep(0.1)
    raise RuntimeError("the assignee never saw the lead item in their inbox")


def transitions_per_second(base_url: str, count: int, threads: int) -> dict:
    """bench/workflow_transitions.py's measurement: ``count`` documents registered in Sở
    Tài chính first (not timed), then ``threads`` clients take each through assign →
    progress → complete."""
    from bench.workflow_transitions import register_all
    document_ids = register_all(base_url, count, min(threads, 4))
    local = threading.local()
    lock = threading.Lock()
    latencies: dict[str, list[float]] = {"assign": [], "progress": [], "complete": []}
    outcome = {"done": 0, "failures": []}
    due = (date.today() + timedelta(days=30)).isoformat()

    def people():
        if not hasattr(local, "director"):
            local.director = Session(base_url, "lanhdao.stc")
            local.specialist = Session(base_url, "chuyenvien.stc")
        return local.director, local.specialist

    def timed(kind, call):
        started = time.perf_counter()
        answer = call()
        with lock:
            latencies[kind].append(time.perf_counter() - started)
        if answer.status_code != 200:
            with lock:
                outcome["failures"].append(f"{kind} {answer.status_code} {answer.text[:200]}")
            raise RuntimeError(kind)
        return answer.json()

    def handle(document_id):
        director, specialist = people()
        for _ in range(200):
            if director.get(f"/incoming/{document_id}/processing", timeout=30).json().get("state"):
                break
            time.sleep(0.05)
        try:
            out = timed("assign", lambda: director.post(
                f"/incoming/{document_id}/assign",
                {"lead": {"user_id": specialist.user["id"], "due_date": due}}, timeout=60))
            lead = next(i for i in out["items"] if i["kind"] == "lead")
            timed("progress", lambda: specialist.post(
                f"/assignments/{lead['id']}/progress", {"percent": 50, "note": "Đang tổng hợp"},
                timeout=60))
            out = timed("complete", lambda: specialist.post(
                f"/assignments/{lead['id']}/complete", {"note": "Xong"}, timeout=60))
        except RuntimeError:
            return
        with lock:
            outcome["done"] += out["state"] == "done"

    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        list(pool.map(handle, document_ids))
    elapsed = time.perf_counter() - started
    total = sum(len(values) for values in latencies.values())
    return {"documents": count, "threads": threads, "transitions": total,
            "seconds": round(elapsed, 2), "per_s": round(total / elapsed, 1),
            "latency": {kind: summary(values) for kind, values in latencies.items()},
            "documents_done": outcome["done"], "failures": outcome["failures"][:5]}


def backlog(vhost: str) -> int | None:
    """Messages waiting for or held by the system's consumers in its RabbitMQ vhost (the
    management API refreshes these counts every few seconds)."""
    from urllib.parse import quote

    from tests.conftest import RABBIT_API
    try:
        queues = requests.get(f"{RABBIT_API}/queues/{quote(vhost, safe='')}", timeout=10,
                              params={"columns": "name,consumers,messages_ready,"
                                                 "messages_unacknowledged"}).json()
    except (requests.RequestException, ValueError):
        return None
    return sum((q.get("messages_ready") or 0) + (q.get("messages_unacknowledged") or 0)
               for q in queues if q.get("consumers", 0) > 0
               and not q["name"].startswith("rpc.reply"))


def server_side(calls: dict) -> dict:
    """Mean server time of the entrypoints the uploads called (from the services' own
    metrics): {"service.entrypoint": {"calls": n, "mean_ms": m}}."""
    out = {}
    for (service, entrypoint, kind, outcome), value in sorted(calls.items()):
        if entrypoint == "metrics_endpoint":     # our own scrapes
            continue
        out[f"{service}.{entrypoint} ({kind}{'' if outcome == 'ok' else ', ' + outcome})"] = {
            "calls": int(value["count"]),
            "mean_ms": round(value["seconds"] / value["count"] * 1000, 1)}
    return out


# ------------------------------------------------------------------ the run

def run(base_url: str, options, system=None) -> dict:
    result = {"system": "e-office", "url": base_url, "docs": options.docs,
              "started": procstats.now_utc(), "load_average_at_start": procstats.load_average()}
    processes = procstats.Processes.of(system) if system else None
    if processes:
        result["rss_idle_mib"] = {k: round(v, 1) for k, v in processes.rss().items()}
    work = Workload(base_url, options)
    run_id = uuid.uuid4().hex[:8]
    rng = random.Random(run_id)
    documents = [one_page_pdf(document_lines(run_id, i, rng)) for i in range(options.docs)]
    result["avg_doc_bytes"] = int(sum(map(len, documents)) / len(documents))
    cpu_before = processes.cpu() if processes else None
    metrics_before = scrape.snapshot(system) if system else None
    sampler = procstats.MemorySampler(processes) if processes else None
    if sampler:
        sampler.__enter__()
    try:
        ids, result["upload"], started = bulk_upload(work, run_id, documents)
        uploaded = time.time() - started
        if system:
            result["upload"]["server_side"] = server_side(
                scrape.diff(metrics_before, scrape.snapshot(system)))
        print(f"uploaded {options.docs} documents in {uploaded:.1f} s", flush=True)
        done = work.wait_count("r" + run_id, options.docs, options.timeout, interval=1.0)
        if done is None:
            result["bulk_searchable"] = {"error": "timeout", "found": work.search("r" + run_id)}
        else:
            result["bulk_searchable"] = {
                "seconds_after_upload_start": round(done - started, 2),
                "seconds_after_upload_end": round(done - started - uploaded, 2),
                "docs_per_s_end_to_end": round(options.docs / (done - started), 2)}
        print("all findable:", result["bulk_searchable"], flush=True)
        if system:
            vhost = system.env["AMQP_URI"].rsplit("/", 1)[1]
            while time.time() - started < options.timeout:
                if backlog(vhost) == 0:
                    result["all_messages_drained_s_after_upload_start"] = round(
                        time.time() - started, 1)
                    break
                time.sleep(2)
        result["single_time_to_searchable"] = single_documents(work, run_id, rng)
        print("single:", result["single_time_to_searchable"], flush=True)
        result["search_latency"] = searches(work, run_id, rng)
        print("search:", result["search_latency"], flush=True)
        try:
            result["workflow"] = one_workflow(work, ids[0])
        except Exception as exc:  # keep the other figures
            result["workflow"] = {"error": repr(exc)[:500]}
        print("workflow:", result["workflow"], flush=True)
        if processes:
            result["cpu_seconds_workload"] = procstats.cpu_delta(cpu_before, processes.cpu())
        if options.transition_docs:
            cpu_before_transitions = processes.cpu() if processes else None
            result["transitions"] = transitions_per_second(
                base_url, options.transition_docs, options.transition_threads)
            if processes:
                result["transitions"]["cpu_seconds"] = procstats.cpu_delta(
                    cpu_before_transitions, processes.cpu())
            print("transitions:", {k: v for k, v in result["transitions"].items()
                                   if k != "latency"}, flush=True)
    finally:
        if sampler:
            sampler.__exit__(None, None, None)
    if processes:
        result["rss_peak_mib"] = {k: round(v, 1) for k, v in sampler.peak.items()}
        result["rss_peak_total_mib"] = round(sampler.peak_total, 1)
        result["rss_idle_total_mib"] = round(sum(result["rss_idle_mib"].values()), 1)
    result["adapter"] = {"fuzzy_answers_counted_as_0": work.fuzzy_answers,
                         "http_errors": len(work.errors), "first_http_errors": work.errors[:5]}
    return result


def table(result: dict) -> str:
    """The issue's rows for this run."""
    def ms(summary_, key="median_ms"):
        return f"{summary_.get(key, float('nan')):.1f} ms" if summary_.get("n") else "—"

    upload = result["upload"]
    steps = upload["steps"]
    bulk = result["bulk_searchable"]
    workflow = result.get("workflow", {})
    rows = [
        ("documents uploaded and registered per second "
         f"({upload['threads']} clients)",
         f"{upload['docs_per_s']:.1f}/s: p50 {ms(upload['request_latency'])} for create-upload "
         f"+ PUT + register, which take {ms(steps['create_upload'])}, {ms(steps['put_bytes'])} "
         f"and {ms(steps['register'])} (client p50)"),
        (f"all {result['docs']} findable by content, end to end",
         f"{bulk['docs_per_s_end_to_end']:.1f} docs/s ({bulk['seconds_after_upload_end']:.1f} s "
         "after the last upload)" if "error" not in bulk else f"timeout ({bulk['found']} found)"),
        ("one document, registered → found by content",
         f"p50 {ms(result['single_time_to_searchable'])} "
         f"(n={result['single_time_to_searchable'].get('n', 0)})"),
        (f"search through the API, {result['docs']} small documents",
         f"p50 {ms(result['search_latency'])}, p95 {ms(result['search_latency'], 'p95_ms')}"),
        ("search through the API, ~100 real legal documents of 3–13 k words",
         "— (not in this workload)"),
        ("one workflow transition (submit / assign / complete)",
         " / ".join(f"{workflow.get(f'transition_{s}_ms', float('nan')):.1f}"
                    for s in ("submit", "assign", "complete")) + " ms"
         if "error" not in workflow else workflow["error"][:80]),
    ]
    transitions = result.get("transitions")
    if transitions:
        rows.append((f"workflow transitions per second, {transitions['threads']} clients",
                     f"{transitions['per_s']:.1f}/s ({transitions['transitions']} transitions, "
                     f"{transitions['documents_done']} of {transitions['documents']} done)"))
    if "cpu_seconds_workload" in result:
        cpu = result["cpu_seconds_workload"]
        rows.append(("CPU-seconds of the whole system for the workload",
                     f"{sum(cpu.values()):.1f} (" + ", ".join(
                         f"{k} {v:.1f}" for k, v in sorted(cpu.items(), key=lambda kv: -kv[1])
                         if v >= 0.05) + ")"))
        rows.append(("resident memory, whole system, idle → peak under the workload",
                     f"{result['rss_idle_total_mib']:.0f} → "
                     f"{result['rss_peak_total_mib']:.0f} MiB"))
        rows.append(("resident memory per process, idle → peak (MiB)", ", ".join(
            f"{k} {result['rss_idle_mib'][k]:.0f}→{result['rss_peak_mib'].get(k, 0):.0f}"
            for k in sorted(result["rss_idle_mib"]))))
    width = max(len(label) for label, _ in rows)
    lines = [f"peer workload, started {result['started']}, load average at start "
             f"{result['load_average_at_start']}"]
    lines += [f"  {label:<{width}}  {value}" for label, value in rows]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running system; default: start a fresh one")
    parser.add_argument("--postgres", action="store_true",
                        help="the fresh system on PostgreSQL instead of SQLite")
    parser.add_argument("-n", "--docs", type=int, default=300)
    parser.add_argument("--upload-threads", type=int, default=4)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--single-samples", type=int, default=5)
    parser.add_argument("--timeout", type=float, default=1800,
                        help="the longest wait for all documents to be findable (s)")
    parser.add_argument("--transition-docs", type=int, default=300,
                        help="documents taken through 3 transitions each by "
                             "--transition-threads clients (0: skip)")
    parser.add_argument("--transition-threads", type=int, default=8)
    parser.add_argument("--clerk", default="vanthu.ubnd")
    parser.add_argument("--leader", default="lanhdao.ubnd")
    parser.add_argument("--assignee", default="chuyenvien.ubnd")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args(argv)
    if options.url:
        result = run(options.url, options)
    else:
        from bench.harness import fresh_system
        with fresh_system(options.postgres) as system:
            result = run(system.base_url, options, system)
    print(table(result))
    if options.json:
        with open(options.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, ensure_ascii=False, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
