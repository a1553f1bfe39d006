"""Search on long real documents (issue 15's row "~100 real legal documents of 3–13 k
words"): a fresh system; ~100 documents made of consecutive articles of one real
Vietnamese law (bench/data/legal_articles.json.gz, see bench/data/SOURCE.md), 3–13 k
words each, uploaded as text files and registered as incoming documents as a clerk
would (storage extracts their text); once every one is findable by content, ~100
searches through the API as the web UI asks them (a page of 20 with snippets and
facets): single words, two-word ANDs and quoted phrases, half of them without
diacritics. Prints p50/p95 client-side and the server side of the searches (the
gateway's and search's own metrics).

    python bench/search_long.py [-n 100] [--queries 100] [--json out.json]  # a fresh system
    python bench/search_long.py --url http://127.0.0.1:8000 --clerk vanthu.ubnd

A benchmark: it prints figures and asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import statistics
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)

from bench import procstats, scrape  # noqa: E402
from bench.peer_workload import Session, Workload, server_side, summary  # noqa: E402
from services.common.text import fold  # noqa: E402

CORPUS = os.path.join(ROOT, "bench", "data", "legal_articles.json.gz")
MIN_WORDS, MAX_WORDS = 3000, 13000


def long_documents(count: int, rng: random.Random) -> list[dict]:
    """``count`` documents, each the next articles of one law up to a length drawn
    between MIN_WORDS and MAX_WORDS (a law too short for it gives what it has, if at
    least MIN_WORDS); the laws are gone through again, from a later article, when
    they run out."""
    with gzip.open(CORPUS, "rt", encoding="utf-8") as handle:
        corpus = json.load(handle)
    by_law: dict[int, list[str]] = {}
    for law, heading, text in corpus["articles"]:
        by_law.setdefault(law, []).append(f"{heading}\n{text}" if not text.startswith(heading)
                                          else text)
    out, round_ = [], 0
    while len(out) < count:
        for law, articles in sorted(by_law.items()):
            position = (round_ * 7) % len(articles)   # later rounds start elsewhere
            while position < len(articles) and len(out) < count:
                target, parts, words = rng.randint(MIN_WORDS, MAX_WORDS), [], 0
                while position < len(articles) and words < target:
                    parts.append(articles[position])
                    words += len(articles[position].split())
                    position += 1
                if words >= MIN_WORDS:
                    info = corpus["laws"][law]
                    out.append({"law": info, "text": "\n".join(parts), "words": words})
        round_ += 1
    return out


def queries(documents: list[dict], count: int, rng: random.Random) -> list[str]:
    """A third single words, a third two-word ANDs, a third quoted phrases of two or
    three words, drawn from the documents' own text (words a reader of laws would
    type: four letters or more); every other one without diacritics."""
    out = []
    for k in range(count):
        raw = rng.choice(documents)["text"].split()
        words = [w for w in raw if len(w) >= 4 and w.isalpha()]
        if k % 3 == 0:
            query = rng.choice(words).lower()
        elif k % 3 == 1:
            query = f"{rng.choice(words).lower()} {rng.choice(words).lower()}"
        else:
            length = rng.choice((2, 3))
            while True:   # words side by side in the text, none cut by punctuation
                start = rng.randrange(len(raw) - length)
                phrase = raw[start:start + length]
                if all(w.isalpha() for w in phrase) and max(map(len, phrase)) >= 4:
                    break
            query = '"' + " ".join(phrase).lower() + '"'
        out.append(fold(query) if k % 2 else query)
    return out


def register_all(work: Workload, run: str, documents: list[dict], threads: int) -> list[str]:
    def one(index):
        document = documents[index]
        data = (f"{run} {document['law']['title']}\n{document['text']}").encode("utf-8")
        created = work.check(work.clerk.post(
            "/uploads", {"filename": f"luat_{run}_{index:03d}.txt", "size": len(data),
                         "content_type": "text/plain"})).json()
        work.check(work.storage.put(created["upload_url"], data=data, timeout=120,
                                    headers={"Content-Type": "text/plain"}))
        law = document["law"]
        body = work.incoming_body(str(index + 1), "LUAT-" + run.upper(),
                                  f"{law['title']}, số {law['number']} (phần {index + 1})",
                                  [created["file_id"]])
        return work.check(work.clerk.post("/incoming", body)).json()["id"]

    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(one, range(len(documents))))


def run(base_url: str, options, system=None) -> dict:
    result = {"url": base_url, "started": procstats.now_utc(),
              "load_average_at_start": procstats.load_average()}
    options.upload_threads = options.threads
    work = Workload(base_url, options)
    run_id = "r" + uuid.uuid4().hex[:8]
    rng = random.Random(options.seed)
    documents = long_documents(options.docs, rng)
    words = [d["words"] for d in documents]
    result["documents"] = {"count": len(documents), "words_min": min(words),
                           "words_median": int(statistics.median(words)),
                           "words_max": max(words), "words_total": sum(words)}
    started = time.time()
    try:
        register_all(work, run_id, documents, options.threads)
    except Exception:
        print("\n".join(work.errors), file=sys.stderr)
        raise
    found = work.wait_count(run_id, len(documents), options.timeout, interval=1.0)
    result["registered_and_findable_s"] = round((found or time.time()) - started, 1)
    if found is None:
        result["error"] = f"only {work.search(run_id)} of {len(documents)} findable"
        return result
    asked = queries(documents, options.queries, rng)
    reader = Session(base_url, options.clerk)
    for query in asked[:5]:   # warm the caches (tokens, delegated units, the index files)
        reader.get("/search", q=query)
    result["load_average_at_searches"] = procstats.load_average()
    before = scrape.snapshot(system) if system else None
    latencies, hits, sizes, fuzzy = [], [], [], 0
    for query in asked:
        began = time.time()
        answer = reader.get("/search", q=query)
        latencies.append(time.time() - began)
        answer.raise_for_status()
        body = answer.json()
        hits.append(body["total"])
        sizes.append(len(answer.content))
        fuzzy += bool(body.get("fuzzy"))
    result["searches"] = summary(latencies) | {
        "mean_hits": round(statistics.mean(hits), 1), "no_hits": hits.count(0),
        "fuzzy_answers": fuzzy, "mean_answer_bytes": int(statistics.mean(sizes))}
    kinds = {"single words": 0, "two-word ANDs": 1, "phrases": 2}
    result["by_kind"] = {name: summary(latencies[k::3]) for name, k in kinds.items()}
    if system:
        calls = server_side(scrape.diff(before, scrape.snapshot(system)))
        result["server_side"] = {k: v for k, v in calls.items() if "search" in k}
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", help="a running system; default: start a fresh one")
    parser.add_argument("-n", "--docs", type=int, default=100)
    parser.add_argument("--queries", type=int, default=100)
    parser.add_argument("--threads", type=int, default=4, help="clients registering")
    parser.add_argument("--seed", type=int, default=15)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--clerk", default="vanthu.ubnd")
    parser.add_argument("--json", help="also write the figures to this file")
    options = parser.parse_args(argv)
    if options.url:
        result = run(options.url, options)
    else:
        from bench.harness import fresh_system
        with fresh_system() as system:
            result = run(system.base_url, options, system)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    if options.json:
        with open(options.json, "w", encoding="utf-8") as handle:
            json.dump(result, handle, ensure_ascii=False, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
