"""The embedded search index at scale: N documents built from real Vietnamese law articles
(bench/data/legal_articles.json.gz) with generated metadata across ~2,000 units of real
provinces, indexed through TantivyBackend.upsert_many into a fresh folder; then search
latency over a fixed list of Vietnamese queries, with and without the permission filter.

    python bench/search_scale.py --count 100000
    python bench/search_scale.py --count 1000000 --index-dir /tmp/search-1m --keep
    python bench/search_scale.py --count 1000000 --index-dir /tmp/search-1m --keep --reuse
    python bench/search_scale.py --probe-batches 500,2000,10000,50000 --count 30000

Prints: index time and docs/s (documents generated vs written), the size of the index
on disk, the peak RSS of the process; then p50/p95/p99 latency of SearchBackend.search
(what the search RPC does besides parsing: hits, total, facets, snippets), run
single-threaded, for each case:

- acl: callers with 1-3 units (a clerk of a province office, a department, a commune
  office), the realistic case;
- no acl: the same query with the permission clause removed from the backend's filters
  (the unfiltered query through the backend itself, not a caller who has every unit);
- acl, all units: a caller whose unit_ids are every unit (a term set of ~2,000 units);
- acl + document_type + arrival date range; acl, page 2; acl, page 5 of 50 (offset 200);
- acl with 4 threads (throughput and latency);
- where the time goes, per query: top-20 without counting, top-20 with counting,
  facet aggregation, snippets (stored documents read, highlighted).

--reuse searches an index kept by an earlier run (--keep) with the same --count and
--seed without writing it again. --probe-batches indexes --count documents once per
batch size into throw-away folders and prints docs/s for each: how big a batch bulk
loading needs. A benchmark: it prints figures, it asserts nothing about speed.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import resource
import shutil
import statistics
import sys
import tempfile
import time
import uuid
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date, timedelta

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, ROOT)
warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")   # via the unit import

from bench.incoming_workload import percentile  # noqa: E402
from services.documents.directory_import import (build_units, read_communes,  # noqa: E402
                                                 unit_id)
from services.common.vocabulary import DOCUMENT_TYPES  # noqa: E402
from tantivy import Occur, Query  # noqa: E402
from services.search.backends.base import SearchQuery  # noqa: E402
from services.search.backends.tantivy_backend import (PHRASE_FILTER_MAX_UNITS,  # noqa: E402
                                                      TantivyBackend)

CORPUS = os.path.join(ROOT, "bench", "data", "legal_articles.json.gz")
PEOPLE = uuid.UUID("0b7e3c1a-55a4-4d0e-9f51-7c2a1e9d4b60")   # namespace of generated users

#: ~30 queries: very common words, phrases, without diacritics, rare words, numbers.
QUERIES = [
    "quyền", "quy định", "trách nhiệm", "cơ quan nhà nước", "hướng dẫn thực hiện",
    '"người lao động"', '"hợp đồng lao động"', '"quyền sử dụng đất"', '"bồi thường thiệt hại"',
    '"xử phạt vi phạm hành chính"', '"an ninh mạng"',
    "an ninh mang", "bao ve moi truong", "cai nghien ma tuy", "to tung hanh chinh",
    "trong tai vien", "quyen va nghia vu", "thanh nien",
    "côca", "lưu chiểu", "kiểm dịch thực vật", "giết mổ",
    "thời hiệu khởi kiện", "cấp giấy phép", "tàu biển thuyền viên", "ly hôn chia tài sản",
    "khiếu nại tố cáo", "biến đổi khí hậu",
    "24/2018/QH14", "Điều 15", "2019", "125/QĐ-UBND",
]

# Incoming documents mostly come from these (real bodies; abbreviations as in ký hiệu).
NATIONAL_ISSUERS = [
    ("Văn phòng Chính phủ", "VPCP"), ("Bộ Tài chính", "BTC"), ("Bộ Nội vụ", "BNV"),
    ("Bộ Tư pháp", "BTP"), ("Bộ Công an", "BCA"), ("Bộ Giáo dục và Đào tạo", "BGDĐT"),
    ("Bộ Y tế", "BYT"), ("Bộ Nông nghiệp và Môi trường", "BNNMT"),
    ("Bộ Văn hóa, Thể thao và Du lịch", "BVHTTDL"), ("Bộ Xây dựng", "BXD"),
    ("Bộ Công Thương", "BCT"), ("Bộ Khoa học và Công nghệ", "BKHCN"),
    ("Bộ Quốc phòng", "BQP"), ("Thanh tra Chính phủ", "TTCP"),
    ("Ngân hàng Nhà nước Việt Nam", "NHNN"), ("Bảo hiểm xã hội Việt Nam", "BHXH"),
]
#: Share of each document type (the rest split evenly among the other types of ND30).
TYPE_SHARES = {"CV": 0.42, "QĐ": 0.12, "TB": 0.07, "KH": 0.06, "BC": 0.07, "GM": 0.06,
               "TTr": 0.03, "HD": 0.03, "NQ": 0.01, "CT": 0.01, "L": 0.01, "NĐ": 0.015,
               "TT": 0.02}
URGENCY_SHARES = {"normal": 0.85, "urgent": 0.10, "very_urgent": 0.04, "flash": 0.01}
INCOMING_STATES = {"registered": 0.05, "to_assign": 0.05, "assigned": 0.10,
                   "in_progress": 0.20, "done": 0.58, "returned": 0.01, "recalled": 0.01}
FIRST_DAY, DAYS = date(2019, 1, 1), 7 * 365          # seven years of documents
#: How many documents a unit of each level holds, relatively (times a random factor).
LEVEL_WEIGHT = {"province": 1500.0, "department": 60.0, "commune": 10.0,
                "commune_office": 3.0}
STAFF = {"province": 40, "department": 30, "commune": 8, "commune_office": 4}
_DIEU = re.compile(r"^Điều \S+?\.\s*")


def _shares(table: dict, others: list[str]) -> tuple[list, list]:
    """Keys and weights: the table's, and what it leaves split evenly among the others."""
    rest = [key for key in others if key not in table]
    left = max(0.0, 1.0 - sum(table.values()))
    return list(table) + rest, list(table.values()) + [left / len(rest)] * len(rest)


def load_corpus(path: str = CORPUS) -> dict:
    with gzip.open(path, "rt", encoding="utf-8") as handle:
        return json.load(handle)


# -- the organisation -----------------------------------------------------------------------


@dataclass
class Unit:
    id: str
    name: str
    abbreviation: str
    level: str
    parent: str | None
    province: str
    people: list[str]


def organisation(wanted: int) -> list[Unit]:
    """Whole provinces of the 2025 map (UBND tỉnh, its departments, its communes and their
    offices, as the directory import builds them) until there are ``wanted`` units."""
    communes = read_communes()
    codes = list(dict.fromkeys(row["provinceCode"] for row in communes))
    chosen, size = [], 0
    for code in codes:
        chosen.append(code)
        size += 19 + 1 + 4 * sum(1 for row in communes if row["provinceCode"] == code)
        if size >= wanted:
            break
    rows = build_units([row for row in communes if row["provinceCode"] in chosen])
    units = []
    for row in rows:
        province = row.key.split(":")[0] if row.key.startswith("P") else None
        units.append(Unit(row.id, row.name, row.abbreviation, row.level,
                          unit_id(row.parent_key) if row.parent_key else None,
                          province or "", []))
    by_id = {unit.id: unit for unit in units}
    for unit in units:   # a commune's province is its parent's
        if not unit.province:
            parent = by_id.get(unit.parent)
            while parent is not None and not parent.province:
                parent = by_id.get(parent.parent)
            unit.province = parent.province if parent else ""
        unit.people = [str(uuid.uuid5(PEOPLE, f"{unit.id}:{n}"))
                       for n in range(STAFF[unit.level])]
    return units


def unit_weights(units: list[Unit], rng: random.Random) -> list[float]:
    """A few big units hold many documents: a weight per level, times a log-normal factor."""
    return [LEVEL_WEIGHT[unit.level] * rng.lognormvariate(0.0, 0.8) for unit in units]


# -- the documents --------------------------------------------------------------------------


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text else text


def _subject(kind: str, heading: str, law: dict, year: int) -> str:
    """A trích yếu in the manner of each type, from the article's heading and its law."""
    topic = _lower_first(_DIEU.sub("", heading)).rstrip(".")
    article = heading.split(".", 1)[0]
    templates = {
        "CV": f"V/v hướng dẫn thực hiện {article} {law['title']} về {topic}",
        "QĐ": f"Quyết định về việc {topic}",
        "TB": f"Thông báo về {topic}",
        "KH": f"Kế hoạch triển khai thi hành {law['title']} năm {year}",
        "BC": f"Báo cáo kết quả thực hiện {topic} năm {year}",
        "GM": f"Giấy mời dự hội nghị quán triệt {law['title']}",
        "TTr": f"Tờ trình về {topic}",
        "HD": f"Hướng dẫn {topic}",
        "NQ": f"Nghị quyết về {topic}",
        "CT": f"Chỉ thị về tăng cường {topic}",
        "L": law["title"],
        "NĐ": f"Nghị định quy định chi tiết {article} {law['title']}",
        "TT": f"Thông tư hướng dẫn {topic}",
    }
    return templates.get(kind, f"{DOCUMENT_TYPES[kind][0]} về {topic}")


class DocumentFactory:
    """Document ``n`` of the run: 1-3 consecutive articles of one law as its content,
    under a header with its own number and date, and metadata drawn with a fixed seed
    (the same --seed gives the same documents)."""

    def __init__(self, corpus: dict, units: list[Unit], seed: int):
        self.laws, self.articles = corpus["laws"], corpus["articles"]
        self.units = units
        self.by_id = {unit.id: unit for unit in units}
        rng = random.Random(seed)
        self.cumulative = list(_accumulate(unit_weights(units, rng)))
        self.types, self.type_weights = _shares(TYPE_SHARES, list(DOCUMENT_TYPES))
        self.seed = seed
        self.arrival_numbers: dict[tuple[str, int], int] = {}

    def document(self, n: int) -> dict:
        rng = random.Random(self.seed * 1_000_003 + n)
        unit = self.units[_pick(self.cumulative, rng.random() * self.cumulative[-1])]
        kind = rng.choices(self.types, self.type_weights)[0]
        first = rng.randrange(len(self.articles))
        law_index = self.articles[first][0]
        parts = [self.articles[first]]
        for _ in range(rng.choices((0, 1, 2), (0.5, 0.3, 0.2))[0]):
            following = first + len(parts)
            if following < len(self.articles) and self.articles[following][0] == law_index:
                parts.append(self.articles[following])
        law = self.laws[law_index]
        incoming = rng.random() < 0.75
        issued = FIRST_DAY + timedelta(days=rng.randrange(DAYS))
        if kind == "L":                       # the law itself, forwarded: its real metadata
            issuer, issuer_abbr = law["issuer"], "QH"
            number, notation = law["number"].split("/", 1)
            issued = date.fromisoformat(law["issued"])
        elif incoming:
            if rng.random() < 0.6:
                issuer, issuer_abbr = rng.choice(NATIONAL_ISSUERS)
            else:
                other = self.units[_pick(self.cumulative, rng.random() * self.cumulative[-1])]
                issuer, issuer_abbr = other.name, other.abbreviation
            number, notation = str(rng.randint(1, 2500)), _notation(kind, issuer_abbr, rng)
        else:
            issuer, issuer_abbr = unit.name, unit.abbreviation
            number, notation = str(rng.randint(1, 800)), _notation(kind, issuer_abbr, rng)
        subject = _subject(kind, parts[0][1], law, issued.year)
        arrival = issued + timedelta(days=rng.randint(1, 10)) if incoming else None
        arrival_number = None
        if arrival:
            key = (unit.id, arrival.year)
            arrival_number = self.arrival_numbers[key] = self.arrival_numbers.get(key, 0) + 1
        header = (f"{issuer.upper()}\nSố: {number}/{notation}\n"
                  f"Ngày {issued.day:02d} tháng {issued.month:02d} năm {issued.year}\n"
                  f"{subject}")
        body = "\n".join(f"{heading}\n{text}" for _, heading, text in parts)
        acl_units = [unit.id]
        if rng.random() < 0.2:                 # sent on to a second unit
            acl_units.append((self.by_id.get(unit.parent) or rng.choice(self.units)).id)
        acl_users = []
        if rng.random() < 0.3:                 # a person it was assigned to
            acl_users.append(rng.choice(unit.people if rng.random() < 0.8
                                        else rng.choice(self.units).people))
        type_name = DOCUMENT_TYPES[kind][0]
        return {
            "document_id": f"bench-{n}", "unit_id": unit.id,
            "direction": "incoming" if incoming else "outgoing",
            "state": rng.choices(list(INCOMING_STATES), list(INCOMING_STATES.values()))[0]
            if incoming else "issued",
            "subject": subject, "content": f"{header}\n{body}",
            "code_number": number, "code_notation": notation,
            "issuer_name": issuer, "document_type": kind, "document_type_name": type_name,
            "urgency": rng.choices(list(URGENCY_SHARES), list(URGENCY_SHARES.values()))[0],
            "confidentiality": "none",
            "arrival_number": arrival_number,
            "arrival_date": arrival.isoformat() if arrival else None,
            "issued_date": issued.isoformat(),
            "acl_units": acl_units, "acl_users": acl_users,
            "registered_at": f"{(arrival or issued).isoformat()}T08:00:00+07:00",
            "revision": 1,
        }


def _notation(kind: str, issuer: str, rng: random.Random) -> str:
    abbreviation = DOCUMENT_TYPES[kind][2]
    if not abbreviation:                       # Công văn: issuer and drafting office
        return f"{issuer}-{rng.choice(('VP', 'TH', 'KT', 'NC', 'VX', 'TCKH', 'QLĐT'))}"
    return f"{abbreviation}-{issuer}"


def _accumulate(values):
    total = 0.0
    for value in values:
        total += value
        yield total


def _pick(cumulative: list[float], point: float) -> int:
    low, high = 0, len(cumulative) - 1
    while low < high:
        middle = (low + high) // 2
        if cumulative[middle] < point:
            low = middle + 1
        else:
            high = middle
    return low


# -- indexing -------------------------------------------------------------------------------


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident memory of this process in MB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with open("/proc/self/status") as status:
        current = next(int(line.split()[1]) for line in status if line.startswith("VmRSS"))
    return current / 1024, peak


def folder_mb(path: str) -> float:
    return sum(os.path.getsize(os.path.join(folder, name))
               for folder, _, names in os.walk(path) for name in names) / 1e6


def index_documents(backend: TantivyBackend, factory: DocumentFactory, count: int,
                    batch: int, progress: bool = True) -> dict:
    generating = writing = 0.0
    written, started, last_report = 0, time.perf_counter(), time.perf_counter()
    for first in range(0, count, batch):
        t0 = time.perf_counter()
        docs = [factory.document(n) for n in range(first, min(count, first + batch))]
        t1 = time.perf_counter()
        written += backend.upsert_many(docs)
        t2 = time.perf_counter()
        generating, writing = generating + t1 - t0, writing + t2 - t1
        if progress and (t2 - last_report > 30 or written == count):
            last_report = t2
            current, peak = rss_mb()
            print(f"  {written:>9,} written, {t2 - started:7.1f} s, "
                  f"{written / (t2 - started):7.0f} docs/s, RSS {current:,.0f} MB "
                  f"(peak {peak:,.0f}), {backend.index.searcher().num_segments} segments",
                  flush=True)
    return {"written": written, "generating": generating, "writing": writing,
            "total": time.perf_counter() - started}


def probe_batches(corpus: dict, units: list[Unit], count: int, sizes: list[int],
                  seed: int) -> None:
    print(f"\nbulk loading {count:,} documents, one fresh index per batch size:")
    for size in sizes:
        folder = tempfile.mkdtemp(prefix="search-probe-")
        try:
            backend = TantivyBackend(folder)
            factory = DocumentFactory(corpus, units, seed)
            result = index_documents(backend, factory, count, size, progress=False)
            t0 = time.perf_counter()
            backend.close()
            closing = time.perf_counter() - t0
            print(f"  batch {size:>7,}: {count / result['writing']:7.0f} docs/s in upsert_many "
                  f"({result['writing']:.1f} s; generating {result['generating']:.1f} s), "
                  f"{count // size + bool(count % size)} commits, closing (merges) "
                  f"{closing:.1f} s, {folder_mb(folder):.0f} MB", flush=True)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


# -- searching ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Searcher:
    label: str
    user_id: str
    unit_ids: tuple[str, ...]


def callers(units: list[Unit]) -> list[Searcher]:
    """Two of each: a clerk of a province's Văn phòng (it and the UBND tỉnh: the biggest
    holders), a department's staffer (one unit), a commune office's staffer (the office,
    its UBND xã and the commune's other office: three units)."""
    provinces = [unit for unit in units if unit.level == "province"][:2]
    out = []
    for province in provinces:
        children = [unit for unit in units if unit.parent == province.id]
        office = next(unit for unit in children if unit.abbreviation == "VP")
        out.append(Searcher("province office (2 units)", office.people[0],
                            (office.id, province.id)))
        department = next(unit for unit in children if unit.abbreviation == "STC")
        out.append(Searcher("department (1 unit)", department.people[1], (department.id,)))
        commune = [unit for unit in children if unit.level == "commune"][3]
        offices = [unit for unit in units if unit.parent == commune.id]
        out.append(Searcher("commune office (3 units)", offices[0].people[0],
                            (offices[0].id, commune.id, offices[1].id)))
    return out


def without_acl(backend: TantivyBackend):
    """The backend's search with the permission clause taken out of its filters (the
    first filter _filters returns is the ACL); returns a function that puts it back."""
    original = backend._filters
    backend._filters = lambda query: original(query)[1:]
    return lambda: delattr(backend, "_filters")


def run_searches(backend, searchers: list[Searcher], repeats: int, threads: int = 1,
                 **extra) -> dict:
    """Every query for every caller, ``repeats`` times (after one unmeasured pass)."""
    jobs = [(text, who) for text in QUERIES for who in searchers]

    def one(job):
        text, who = job
        query = SearchQuery(text=text, user_id=who.user_id, unit_ids=who.unit_ids, **extra)
        started = time.perf_counter()
        result = backend.search(query)
        return text, who.label, time.perf_counter() - started, result.total

    for job in jobs:
        one(job)
    results = []
    started = time.perf_counter()
    if threads == 1:
        for _ in range(repeats):
            results.extend(one(job) for job in jobs)
    else:
        with ThreadPoolExecutor(threads) as pool:
            results = list(pool.map(one, jobs * repeats))
    wall = time.perf_counter() - started
    return {"latencies": [r[2] for r in results], "wall": wall, "results": results}


def describe(name: str, run: dict) -> str:
    values = run["latencies"]
    totals = [r[3] for r in run["results"]]
    return (f"  {name:<34} p50 {percentile(values, 0.5) * 1000:6.1f}  "
            f"p95 {percentile(values, 0.95) * 1000:6.1f}  "
            f"p99 {percentile(values, 0.99) * 1000:6.1f}  "
            f"max {max(values) * 1000:6.1f} ms  ({len(values)} searches, "
            f"{len(values) / run['wall']:.0f}/s, hits median {statistics.median(totals):,.0f})")


def by_query(run: dict, top: int = 8) -> list[str]:
    per: dict[str, list] = {}
    hits: dict[str, list] = {}
    for text, _, seconds, total in run["results"]:
        per.setdefault(text, []).append(seconds)
        hits.setdefault(text, []).append(total)
    worst = sorted(per, key=lambda text: -percentile(per[text], 0.95))[:top]
    return [f"    {text:<30} p50 {percentile(per[text], 0.5) * 1000:6.1f}  p95 "
            f"{percentile(per[text], 0.95) * 1000:6.1f} ms, hits {min(hits[text]):,}"
            f"–{max(hits[text]):,}" for text in worst]


def by_caller(run: dict) -> list[str]:
    per: dict[str, list] = {}
    for _, label, seconds, _ in run["results"]:
        per.setdefault(label, []).append(seconds)
    return [f"    {label:<30} p50 {percentile(values, 0.5) * 1000:6.1f}  p95 "
            f"{percentile(values, 0.95) * 1000:6.1f}  p99 {percentile(values, 0.99) * 1000:6.1f}"
            " ms" for label, values in per.items()]


def full_query(backend: TantivyBackend, query: SearchQuery):
    """The query TantivyBackend.search runs: the text, whose phrases carry the filters
    (for a caller of a few units), and the filters (score 0)."""
    filters = [Query.const_score_query(q, 0.0) for q in backend._filters(query)]
    in_phrases = filters if len(query.unit_ids) <= PHRASE_FILTER_MAX_UNITS else []
    return Query.boolean_query([(Occur.Must, backend._text_query(query, in_phrases))]
                               + [(Occur.Must, q) for q in filters])


def phases(backend: TantivyBackend, searchers: list[Searcher], repeats: int) -> dict:
    """Where a search's time goes, with the backend's own query building: the same steps
    as TantivyBackend.search, timed one by one (medians per query, then summed); "top 20
    + count" is what the page cost when it counted its hits (before this version) and
    "count only" what a later page without facets pays to count."""
    steps = ("build", "top 20", "count + facets", "snippets + docs", "top 20 + count",
             "count only")
    per_query = {}
    for text in QUERIES:
        samples = {step: [] for step in steps}
        for _ in range(repeats + 1):
            for who in searchers:
                query = SearchQuery(text=text, user_id=who.user_id, unit_ids=who.unit_ids)
                t0 = time.perf_counter()
                full = full_query(backend, query)
                searcher = backend.index.searcher()
                t1 = time.perf_counter()
                found = searcher.search(full, limit=20, count=False)
                t2 = time.perf_counter()
                backend._count(searcher, full, True)
                t3 = time.perf_counter()
                generators = backend._snippet_generators(searcher, full)
                for _, address in found.hits:
                    backend._snippet(generators, searcher.doc(address))
                t4 = time.perf_counter()
                searcher.search(full, limit=20, count=True)
                t5 = time.perf_counter()
                backend._count(searcher, full, False)
                t6 = time.perf_counter()
                for step, seconds in zip(steps, (t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4,
                                                 t6 - t5)):
                    samples[step].append(seconds)
        per_query[text] = {step: statistics.median(values[len(searchers):])
                           for step, values in samples.items()}
    return per_query


SEARCH_STEPS = ("build", "top 20", "count + facets", "snippets + docs")


def print_phases(per_query: dict) -> None:
    steps = list(next(iter(per_query.values())))
    print("  median per query, ms: " + " | ".join(steps))
    for text, medians in sorted(per_query.items(), key=lambda item: -sum(
            item[1][s] for s in SEARCH_STEPS))[:10]:
        print(f"    {text:<30} " + " | ".join(f"{medians[s] * 1000:6.1f}" for s in steps))
    sums = {step: sum(m[step] for m in per_query.values()) for step in steps}
    grand = sum(sums[step] for step in SEARCH_STEPS)
    print("  share of the time of a search: " + ", ".join(
        f"{step} {sums[step] / grand:.0%}" for step in SEARCH_STEPS)
        + f"; for comparison, top 20 with counting {sums['top 20 + count'] / grand:.0%}, "
        f"counting alone {sums['count only'] / grand:.0%}")


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--units", type=int, default=2000)
    parser.add_argument("--batch", type=int, default=10_000,
                        help="documents per upsert_many call (one commit each)")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--threads", type=int, default=4, help="0: skip the threaded run")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--index-dir", help="where the index goes (default: a temp folder)")
    parser.add_argument("--keep", action="store_true", help="keep the index folder")
    parser.add_argument("--reuse", action="store_true",
                        help="search the index in --index-dir, written by an earlier run")
    parser.add_argument("--probe-batches", help="comma-separated batch sizes to compare")
    parser.add_argument("--no-phases", action="store_true")
    options = parser.parse_args(argv)

    corpus = load_corpus()
    units = organisation(options.units)
    print(f"corpus: {len(corpus['articles']):,} articles of {len(corpus['laws'])} laws; "
          f"{len(units):,} units of {sum(u.level == 'province' for u in units)} provinces")
    if options.probe_batches:
        print(load())
        probe_batches(corpus, units, options.count,
                      [int(size) for size in options.probe_batches.split(",")], options.seed)
        return 0

    folder = options.index_dir or tempfile.mkdtemp(prefix="search-scale-")
    try:
        if options.reuse:
            backend = TantivyBackend(folder)
            if backend.count() != options.count:
                print(f"{folder} holds {backend.count():,} documents, not {options.count:,}")
                return 1
            print(f"reusing {backend.count():,} documents in {backend.path}")
        else:
            if os.path.exists(os.path.join(folder, "v2")) and os.listdir(folder):
                print(f"{folder} is not empty: give a fresh --index-dir, or --reuse")
                return 1
            factory = DocumentFactory(corpus, units, options.seed)
            sample = [factory.document(n) for n in range(2000)]
            print(f"documents: ~{statistics.mean(len(d['content']) for d in sample):,.0f} "
                  f"characters of content each (sample of 2,000)")
            factory = DocumentFactory(corpus, units, options.seed)
            print(f"\nindexing {options.count:,} documents in batches of {options.batch:,} "
                  f"into {folder} ({load()})", flush=True)
            backend = TantivyBackend(folder)
            result = index_documents(backend, factory, options.count, options.batch)
            t0 = time.perf_counter()
            backend.close()                     # waits for the merges
            closing = time.perf_counter() - t0
            total = result["total"] + closing
            print(f"indexed {result['written']:,} documents in {total:.1f} s: "
                  f"{result['written'] / total:.0f} docs/s overall; upsert_many "
                  f"{result['writing']:.1f} s ({result['written'] / result['writing']:.0f} "
                  f"docs/s), generating the documents {result['generating']:.1f} s, closing "
                  f"(waiting for merges) {closing:.1f} s")
            backend = TantivyBackend(folder)
        searcher = backend.index.searcher()
        current, peak = rss_mb()
        print(f"index: {backend.count():,} documents, {searcher.num_segments} segments, "
              f"{folder_mb(backend.path):,.0f} MB on disk; RSS now {current:,.0f} MB, "
              f"peak {peak:,.0f} MB")
        run_search_suite(backend, units, options)
        current, peak = rss_mb()
        print(f"\nRSS after searching {current:,.0f} MB, peak of the process {peak:,.0f} MB")
        backend.close()
    finally:
        if not options.keep:
            shutil.rmtree(folder, ignore_errors=True)
    return 0


def describe_data(backend: TantivyBackend, units: list[Unit], searchers: list[Searcher]) -> None:
    """How skewed the units are, and how many documents each caller may see."""
    searcher = backend.index.searcher()
    held = sorted((searcher.doc_freq("unit_id", unit.id) for unit in units), reverse=True)
    total = sum(held) or 1
    print(f"units: the 5 biggest hold {sum(held[:5]) / total:.0%} of the documents, the top 1% "
          f"{sum(held[:max(1, len(held) // 100)]) / total:.0%}; median "
          f"{statistics.median(held):,.0f} documents a unit, {held.count(0)} units with none")
    for who in searchers:
        query = SearchQuery(text="x", user_id=who.user_id, unit_ids=who.unit_ids)
        visible = searcher.search(backend._filters(query)[0], limit=1, count=True).count
        print(f"  caller {who.label:<28} may see {visible:>9,} documents "
              f"({visible / total:.1%})")


def run_search_suite(backend, units: list[Unit], options) -> None:
    searchers = callers(units)
    describe_data(backend, units, searchers)
    everyone = Searcher("all units", searchers[0].user_id, tuple(unit.id for unit in units))
    print(f"\nsearch latency, {len(QUERIES)} queries × {len(searchers)} callers × "
          f"{options.repeats} runs, single-threaded ({load()}):")
    acl = run_searches(backend, searchers, options.repeats)
    print(describe("acl (callers with 1-3 units)", acl))
    put_back = without_acl(backend)
    try:
        unfiltered = run_searches(backend, searchers, options.repeats)
    finally:
        put_back()
    print(describe("no acl (clause removed)", unfiltered))
    print(describe(f"acl, caller with all {len(units):,} units",
                   run_searches(backend, [everyone], options.repeats)))
    print(describe("acl + type CV + arrival 2023", run_searches(
        backend, searchers, options.repeats, document_type="CV",
        arrival_from=date(2023, 1, 1), arrival_to=date(2023, 12, 31))))
    print(describe("acl, page 2", run_searches(backend, searchers, options.repeats, page=2)))
    print(describe("acl, page 5 of 50 (offset 200)", run_searches(
        backend, searchers, options.repeats, page=5, page_size=50)))
    if options.threads > 1:
        print(describe(f"acl, {options.threads} threads", run_searches(
            backend, searchers, options.repeats, threads=options.threads)))
    print("  acl, by caller:")
    print("\n".join(by_caller(acl)))
    print("  acl, slowest queries:")
    print("\n".join(by_query(acl)))
    print("  no acl, slowest queries:")
    print("\n".join(by_query(unfiltered)))
    if not options.no_phases:
        print(f"\nwhere the time goes, acl ({load()}):")
        print_phases(phases(backend, searchers, options.repeats))
        put_back = without_acl(backend)
        try:
            print(f"where the time goes, no acl ({load()}):")
            print_phases(phases(backend, searchers[:1], options.repeats))
        finally:
            put_back()


if __name__ == "__main__":
    sys.exit(main())
