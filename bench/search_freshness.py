"""Search freshness (issue 5, item 4): how soon a registered document is findable —
by its metadata after registration, and by its content after its text extraction
finished. The target is 1 s for each; this script measures and prints, it asserts
nothing about speed.

    python bench/search_freshness.py [--count 50] [--concurrency 1] [--postgres]
    python bench/search_freshness.py --url http://127.0.0.1:8000 --count 20
    make bench-freshness BENCH_ARGS="--count 30 --concurrency 4"

Without --url it starts its own system (bench/harness.py: a throw-away RabbitMQ
vhost, data dir and ports; SQLite, or a PostgreSQL database per service with
--postgres; the embedded index), as the other benchmarks do.

Each document, as the clerk vanthu.stc does it through the gateway: a DOCX made from
the real fixture tests/fixtures/docs/anle_17_2018.docx with one paragraph added that
holds a made-up word (the *content word*) is uploaded (POST /uploads, PUT the bytes),
then an incoming document is registered (POST /incoming) with that file and a subject
holding another made-up word (the *subject word*). Both words are random letters,
new for every document, so a search for one finds exactly that document (a hit is
counted only if the document's id is among the results). Right after the 201 the
same clerk (logged in once; a keep-alive connection per poller) runs three pollers
side by side, each starting a request every --poll seconds (default 0.02, or as soon
as its previous request returned if that took longer; the real cadence is printed):

  1. GET /search?q=<subject word>, until the document is among the hits;
  2. GET /files/<file id>, until its text_status is no longer "pending";
  3. GET /search?q=<content word>, until the document is among the hits.

A time is taken when the response that shows the change arrives, so each time is
late by up to one poll interval plus one request. The pollers add load of their own
(up to three requests in flight per clerk), which if anything makes the figures
worse, not better.

What is measured:

- metadata freshness: the registration's 201 response → the first search by the
  subject word that returns the document;
- content freshness: extraction finished → the first search by the content word that
  returns the document. "Extraction finished" is, when the benchmark started the
  system itself, storage's own record of it: the file's ``extracted_at``, stamped in
  the transaction that stores the text (committed right after, then the
  ``text_extracted`` event goes out), read from storage's database once the run is
  over. The storage API does not report that time (GET /files/<id> gives
  ``text_status`` only), so the second signal, and the only one with --url, is the
  moment the gateway first reported the file's text_status as done (``ok``): later
  than the real finish by up to one poll interval and request, so it flatters the
  figure by that much.
  If the extraction finished before the registration's 201 (the document did not
  exist yet), the 201 is the start instead; how often that happened is printed;
- registration 201 → findable by content, the clerk's view of the whole path.

Context rows (from storage's database, own system only): file stored → extraction
finished (storage's queue and its run), the extraction run itself, and
registration 201 → extraction finished. Then, own system only, the mean wall time of
the service entrypoints on these paths over the whole run, from each service's
/metrics: the registration RPC (which publishes document_registered at once, not by
the 1 s outbox relay timer), search's handlers of document_registered and
text_extracted (index, with the embedded index's group commit), storage's extraction
and the search request itself, so a slow figure can be traced to its step.

The pollers share the machine with the system: the load average is printed, and a
busy machine (another test run, or --concurrency above the core count) shows up in
every figure.

--concurrency N runs N clerks' sessions at once (documents are shared out among
them), each doing the above for one document at a time; 1 (default) is sequential.
One extra document is registered and measured first to warm the system up and is not
counted (--warmup 0 to count everything).
"""
from __future__ import annotations

import argparse
import io
import os
import platform
import random
import statistics
import string
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import requests

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench.incoming_workload import Client, percentile  # noqa: E402

FIXTURE = os.path.join(ROOT, "tests", "fixtures", "docs", "anle_17_2018.docx")
DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CLERK = "vanthu.stc"
TARGET_SECONDS = 1.0
DONE = ("ok", "empty", "failed", "none")


@dataclass
class Probe:
    """One document's timeline (wall-clock seconds, time.time())."""
    index: int
    subject_word: str
    content_word: str
    file_id: str | None = None
    document_id: str | None = None
    uploaded: float | None = None        # PUT's 201 received
    registered: float | None = None      # POST /incoming's 201 received
    meta_found: float | None = None
    text_seen: float | None = None       # gateway first reported text_status done
    text_status: str | None = None
    content_found: float | None = None
    polls: int = 0                       # requests of the three pollers
    poll_busy: float = 0.0               # seconds spent in them
    poll_spread: float = 0.0             # first poll's start → last poll's start, summed
    poll_gaps: int = 0                   # ... over this many intervals
    poll_errors: int = 0                 # polling requests that failed
    last_poll_error: str | None = None
    # from storage's database (own system only)
    stored_at: float | None = None
    extraction_started_at: float | None = None
    extracted_at: float | None = None
    error: str | None = None


def made_up_word(rng: random.Random, prefix: str) -> str:
    """Letters only (the tokenizers split at anything else), far apart from each other
    (12 random letters), so neither an exact nor a near match finds another document."""
    return prefix + "".join(rng.choice(string.ascii_lowercase) for _ in range(12))


def unique_docx(template: bytes, word: str) -> bytes:
    """The fixture with a paragraph holding ``word`` added after its first few."""
    import docx

    document = docx.Document(io.BytesIO(template))
    paragraphs = document.paragraphs
    paragraphs[min(4, len(paragraphs) - 1)].insert_paragraph_before(
        f"Mã lưu trữ nội bộ của bản sao: {word}.")
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def found(client: Client, session, word: str, document_id: str) -> bool:
    response = session.get(f"{client.base}/search", params={"q": word}, timeout=30)
    if response.status_code != 200:
        raise RuntimeError(f"search {response.status_code}: {response.text[:200]}")
    return any(item["document_id"] == document_id for item in response.json()["items"])


def measure(client: Client, sessions, probe: Probe, template: bytes, poll: float,
            timeout: float) -> Probe:
    data = unique_docx(template, probe.content_word)
    created = client.http.post(f"{client.base}/uploads", json={
        "filename": f"ban-sao-an-le-{probe.index}.docx", "size": len(data),
        "content_type": DOCX_MIME}, timeout=30)
    if created.status_code != 201:
        probe.error = f"create upload {created.status_code}: {created.text[:200]}"
        return probe
    probe.file_id = created.json()["file_id"]
    put = requests.put(created.json()["upload_url"], data=data, timeout=30,
                       headers={"Content-Type": DOCX_MIME})
    if put.status_code != 201:
        probe.error = f"PUT {put.status_code}: {put.text[:200]}"
        return probe
    probe.uploaded = time.time()
    body = {"unit_id": client.unit_id, "code_number": str(700000 + probe.index),
            "code_notation": "TANDTC-AL", "issued_date": "2026-01-15",
            "issuer": {"name": "Tòa án nhân dân tối cao", "organ_id": "000.00.00.G12"},
            "document_type": "CV",
            "subject": f"Gửi bản sao án lệ để nghiên cứu, tham khảo ({probe.subject_word})",
            "file_ids": [probe.file_id]}
    registered = client.http.post(f"{client.base}/incoming", json=body, timeout=30)
    probe.registered = time.time()
    if registered.status_code != 201:
        probe.error = f"register {registered.status_code}: {registered.text[:200]}"
        return probe
    probe.document_id = registered.json()["id"]

    deadline = probe.registered + timeout
    meta, files, content = sessions

    def meta_check():
        return found(client, meta, probe.subject_word, probe.document_id)

    def text_check():
        answer = files.get(f"{client.base}/files/{probe.file_id}", timeout=30)
        status = answer.json().get("text_status") if answer.status_code == 200 else None
        if status in DONE:
            probe.text_status = status
        return status in DONE

    def content_check():
        return found(client, content, probe.content_word, probe.document_id)

    def no_content():
        return probe.text_status in ("empty", "failed", "none")

    results = {}

    def poller(name, check, give_up=None):
        results[name] = poll_until(check, poll, deadline, give_up)

    pollers = [threading.Thread(target=poller, args=("meta", meta_check)),
               threading.Thread(target=poller, args=("text", text_check)),
               threading.Thread(target=poller, args=("content", content_check, no_content))]
    for thread in pollers:
        thread.start()
    for thread in pollers:
        thread.join()
    probe.meta_found, probe.text_seen, probe.content_found = (
        results[name].found for name in ("meta", "text", "content"))
    for result in results.values():
        probe.polls += result.polls
        probe.poll_busy += result.busy
        probe.poll_spread += result.spread
        probe.poll_gaps += result.polls - 1
        probe.poll_errors += len(result.errors)
        probe.last_poll_error = result.errors[-1] if result.errors else probe.last_poll_error
    return probe


@dataclass
class Polled:
    found: float | None      # when the answer that showed it arrived
    polls: int               # requests made
    busy: float              # seconds spent in them
    spread: float            # first request's start → last one's
    errors: list[str]        # requests that failed (counted as "not yet")


def poll_until(check, poll: float, deadline: float, give_up=None) -> Polled:
    """Call ``check`` at the start of every ``poll`` seconds (or as soon as the last
    call returned, if it took longer) until it is true, ``deadline`` has passed or
    ``give_up()`` is true. A call that raises counts as "not yet"."""
    polls, busy, first, errors = 0, 0.0, time.time(), []
    while True:
        started = time.time()
        try:
            answer = check()
        except Exception as exc:  # noqa: BLE001 - reported, and polling goes on
            answer = False
            errors.append(f"{type(exc).__name__}: {exc}"[:300])
        now = time.time()
        polls, busy = polls + 1, busy + now - started
        if answer:
            return Polled(now, polls, busy, started - first, errors)
        if now > deadline or (give_up is not None and give_up()):
            return Polled(None, polls, busy, started - first, errors)
        time.sleep(max(0.0, poll - (now - started)))


def read_storage_times(system, probes: list[Probe]) -> None:
    """extracted_at (and stored_at, extraction_started_at) of the run's files, from
    storage's own database: the API does not report them."""
    from sqlalchemy import create_engine, select

    from services.storage.models import files

    url = system.env.get("STORAGE_DB_URL") or \
        f"sqlite:///{os.path.join(system.data_dir, 'storage.db')}"
    by_file = {p.file_id: p for p in probes if p.file_id}
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(select(files.c.file_id, files.c.stored_at,
                                       files.c.extraction_started_at, files.c.extracted_at)
                                .where(files.c.file_id.in_(list(by_file)))).all()
    finally:
        engine.dispose()
    for row in rows:
        probe = by_file[row.file_id]
        probe.stored_at = row.stored_at.timestamp() if row.stored_at else None
        probe.extraction_started_at = (row.extraction_started_at.timestamp()
                                       if row.extraction_started_at else None)
        probe.extracted_at = row.extracted_at.timestamp() if row.extracted_at else None


#: The services' own timings that make up the paths measured (their /metrics).
PATH_ENTRYPOINTS = (
    ("documents", "register_incoming", "the registration (RPC), outbox flushed inline"),
    ("search", "on_documents_document_registered", "index the registered document"),
    ("storage", "on_storage_file_stored", "extract the text and record it"),
    ("search", "on_storage_text_extracted", "fetch the text and index it"),
    ("search", "search", "a search (RPC)"),
    ("gateway", "search", "a search (HTTP at the gateway)"),
    ("gateway", "get_file", "a file's record (HTTP at the gateway)"),
)


def service_timings(system) -> list[str]:
    """Mean wall time of the entrypoints on the measured paths, over the whole run
    (warm-up included), from each service's Prometheus histograms."""
    from prometheus_client.parser import text_string_to_metric_families

    wanted = {(service, entrypoint) for service, entrypoint, _ in PATH_ENTRYPOINTS}
    sums: dict[tuple, list[float]] = {}
    for service in {service for service, _ in wanted}:
        try:
            text = requests.get(system.metrics_url(service),
                                timeout=10).text
        except requests.RequestException as exc:
            return [f"(metrics of {service} unavailable: {exc})"]
        for family in text_string_to_metric_families(text):
            for sample in family.samples:
                labels = sample.labels
                if sample.name in ("eoffice_storage_extraction_seconds_sum",
                                   "eoffice_storage_extraction_seconds_count"):
                    key = ("storage", "extraction child process")
                elif (sample.name in ("eoffice_entrypoint_latency_seconds_sum",
                                      "eoffice_entrypoint_latency_seconds_count")
                      and labels.get("outcome") == "ok"
                      and (service, labels.get("entrypoint")) in wanted):
                    key = (service, labels["entrypoint"])
                else:
                    continue
                slot = sums.setdefault(key, [0.0, 0.0])
                slot[0 if sample.name.endswith("_sum") else 1] += sample.value
    lines = []
    described = list(PATH_ENTRYPOINTS)
    described.insert(3, ("storage", "extraction child process",
                         "its child process alone"))
    for service, entrypoint, what in described:
        total, count = sums.get((service, entrypoint), (0.0, 0.0))
        if count:
            lines.append(f"  {service + ' ' + entrypoint:44s} {int(count):>5d} calls, mean "
                         f"{total / count * 1000:7.1f} ms  ({what})")
    return lines


def machine(load_before_start, load_before_run) -> list[str]:
    model = ""
    try:
        with open("/proc/cpuinfo") as handle:
            model = next((line.split(":", 1)[1].strip() for line in handle
                          if line.startswith("model name")), "")
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo") as handle:
            kb = int(next(line.split()[1] for line in handle if line.startswith("MemTotal")))
            memory = f", {kb / 1024 / 1024:.1f} GB RAM"
    except (OSError, StopIteration, ValueError):
        pass

    def load(values):
        return "/".join(f"{v:.2f}" for v in values) if values else "?"

    return [f"machine: {os.cpu_count()} cores{f' ({model})' if model else ''}{memory}, "
            f"{platform.system()} {platform.release()}, Python {platform.python_version()}",
            f"load average (1/5/15 min): {load(load_before_start)} at the start, "
            f"{load(load_before_run)} before the run, {load(os.getloadavg())} after it"]


def stats_row(label: str, values: list[float | None], target: bool = True) -> str:
    got = [v for v in values if v is not None]
    missing = len(values) - len(got)
    if not got:
        return f"{label:58s} {0:>4d}        -        -        -        -"
    within = sum(1 for v in got if v <= TARGET_SECONDS)
    share = f"{100.0 * within / len(values):5.0f} %" if target else "      -"
    row = (f"{label:58s} {len(got):>4d} {percentile(got, 0.5) * 1000:8.0f} "
           f"{percentile(got, 0.95) * 1000:8.0f} {max(got) * 1000:8.0f} {share:>8s}")
    return row + (f"   ({missing} not found in time)" if missing else "")


def report(probes: list[Probe], options, own_system: bool, timeout: float) -> None:
    ok = [p for p in probes if p.error is None]
    for p in probes:
        if p.error:
            print(f"document {p.index}: {p.error}")

    def since(end, start):
        return None if end is None or start is None else end - start

    def extraction_reference(p, finished):
        # the document must exist to be found: a start before its 201 is the 201
        return None if finished is None else max(finished, p.registered)

    rows = [stats_row("metadata: registration 201 → found by subject word",
                      [since(p.meta_found, p.registered) for p in ok])]
    if own_system:
        rows.append(stats_row("content: extraction finished (storage extracted_at) → found",
                              [since(p.content_found, extraction_reference(p, p.extracted_at))
                               for p in ok]))
    rows.append(stats_row("content: extraction done per gateway (text_status) → found",
                          [since(p.content_found, p.text_seen) for p in ok]))
    rows.append(stats_row("content: registration 201 → found by content word",
                          [since(p.content_found, p.registered) for p in ok]))
    context = [stats_row("registration 201 → gateway reports text_status done",
                         [since(p.text_seen, p.registered) for p in ok], target=False)]
    if own_system:
        context += [
            stats_row("file stored → extraction finished (storage)",
                      [since(p.extracted_at, p.stored_at) for p in ok], target=False),
            stats_row("extraction run (extraction_started_at → extracted_at)",
                      [since(p.extracted_at, p.extraction_started_at) for p in ok],
                      target=False),
            stats_row("registration 201 → extraction finished (storage)",
                      [since(p.extracted_at, p.registered) for p in ok], target=False)]
    header = (f"{'measure':58s} {'n':>4s} {'p50 ms':>8s} {'p95 ms':>8s} {'max ms':>8s} "
              f"{'≤ 1 s':>8s}")
    print()
    print(header)
    print("-" * len(header))
    for row in rows:
        print(row)
    print("context:")
    for row in context:
        print(row)
    print("-" * len(header))
    polls, gaps = sum(p.polls for p in ok), sum(p.poll_gaps for p in ok)
    if polls and gaps:
        print(f"polling: {polls} requests, {sum(p.poll_busy for p in ok) / polls * 1000:.1f} ms "
              f"each on average; each poller's requests started every "
              f"{sum(p.poll_spread for p in ok) / gaps * 1000:.1f} ms on average "
              f"(--poll {options.poll * 1000:.0f} ms)")
    errors = sum(p.poll_errors for p in ok)
    if errors:
        last = next(p.last_poll_error for p in reversed(ok) if p.last_poll_error)
        print(f"{errors} polling requests failed (counted as not found yet); last: {last}")
    statuses = {}
    for p in ok:
        statuses[p.text_status] = statuses.get(p.text_status, 0) + 1
    print("text_status reported:", ", ".join(f"{k}: {v}" for k, v in sorted(
        statuses.items(), key=lambda kv: str(kv[0]))))
    if own_system:
        early = sum(1 for p in ok if p.extracted_at is not None and p.extracted_at < p.registered)
        print(f"extraction finished before the registration's 201 for {early} of {len(ok)} "
              "documents (their content freshness counts from the 201)")
    late = [p for p in ok if p.meta_found is None or p.content_found is None]
    if late:
        print(f"{len(late)} document(s) not fully findable within {timeout:g} s")
    if ok:
        print(f"registration round trip: median "
              f"{statistics.median(p.registered - p.uploaded for p in ok) * 1000:.0f} ms")


def run(base_url: str, options, system=None, load_before_start=None) -> None:
    with open(FIXTURE, "rb") as handle:
        template = handle.read()
    rng = random.Random(options.seed)
    local = threading.local()

    def client() -> tuple[Client, list]:
        """This worker's clerk, logged in once, and a session for each poller."""
        if not hasattr(local, "client"):
            local.client = Client(base_url, CLERK)
            local.sessions = []
            for _ in range(3):
                session = requests.Session()
                session.headers.update(local.client.http.headers)
                local.sessions.append(session)
        return local.client, local.sessions

    def one(index: int) -> Probe:
        probe = Probe(index, made_up_word(rng, "tieude"), made_up_word(rng, "noidung"))
        try:
            return measure(*client(), probe, template, options.poll, options.timeout)
        except Exception as exc:  # noqa: BLE001 - a benchmark reports and goes on
            probe.error = f"{type(exc).__name__}: {exc}"
            return probe

    for index in range(options.warmup):
        warm = one(-1 - index)
        print(f"warm-up document: {'ok' if warm.error is None else warm.error}")
    load_before_run = os.getloadavg()
    started = time.time()
    with ThreadPoolExecutor(options.concurrency) as pool:
        probes = list(pool.map(one, range(options.count)))
    elapsed = time.time() - started
    if system is not None:
        read_storage_times(system, probes)

    print()
    for line in machine(load_before_start, load_before_run):
        print(line)
    database = "(a running system)" if system is None else \
        ("PostgreSQL" if options.postgres else "SQLite") + ", embedded index"
    print(f"system: {database}; {options.count} documents (DOCX, "
          f"{len(template):,}-byte fixture + one paragraph) registered by {CLERK} with "
          f"concurrency {options.concurrency} in {elapsed:.1f} s; target {TARGET_SECONDS:g} s")
    report(probes, options, system is not None, options.timeout)
    if system is not None:
        print("services' own timings over the whole run (their /metrics, warm-up included):")
        for line in service_timings(system):
            print(line)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=50)
    parser.add_argument("--concurrency", type=int, default=1,
                        help="clerks registering and polling at once (default 1: sequential)")
    parser.add_argument("--poll", type=float, default=0.02,
                        help="seconds between the starts of polling rounds (default 0.02)")
    parser.add_argument("--timeout", type=float, default=30.0,
                        help="give up on a document this long after its registration")
    parser.add_argument("--warmup", type=int, default=1,
                        help="documents measured first and not counted (default 1)")
    parser.add_argument("--seed", type=int, default=None, help="for the made-up words")
    parser.add_argument("--url", help="a running system; default: start a fresh one")
    parser.add_argument("--postgres", action="store_true",
                        help="the fresh system on PostgreSQL instead of SQLite")
    options = parser.parse_args(argv)
    load_before_start = os.getloadavg()
    if options.url:
        run(options.url, options, None, load_before_start)
        return 0
    from bench.harness import fresh_system
    with fresh_system(options.postgres) as system:
        run(system.base_url, options, system, load_before_start)
    return 0


if __name__ == "__main__":
    sys.exit(main())
