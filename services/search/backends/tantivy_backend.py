"""The embedded search index: tantivy in a folder under the data dir.

Each searched text is indexed twice: as written (lowercased, accents kept) and
folded (lowercased, accents and đ removed), so "quyet dinh" finds "Quyết định" while
the exact accented form scores higher. Snippets show the original text (the subject's
folded field stores it; the content's is stored apart, as UTF-8 bytes: see _schema) and
highlight what the folded query matched.

One process writes (tantivy allows one writer per index): run one replica of the
search service with this backend, or use Elasticsearch.

Layout: ``<path>/<SCHEMA_VERSION>/<generation>/``, and ``<path>/<SCHEMA_VERSION>/CURRENT``
naming the generation searches use. A rebuild writes a new generation beside the live
one while searches go on answering from it, then CURRENT is replaced (an atomic rename)
and the old generation is removed.
"""
from __future__ import annotations

import json
import logging
import os
import re
import shutil
import threading
import time

from eventlet import patcher
from tantivy import (Document, FieldType, Filter, Index, Occur, Order, Query, SchemaBuilder,
                     SnippetGenerator, TextAnalyzerBuilder, Tokenizer)

from services.search.backends.base import (ADJACENT_BOOST, EXACT_BOOST, FACETS, FIELD_WEIGHTS,
                                           APPROXIMATE_SNIPPETS_PER_PAGE,
                                           approximate_snippet,
                                           SNIPPET_CHARS, SearchBackend, SearchQuery,
                                           SearchResult, day_number, display_of, empty_facets,
                                           epoch_millis,
                                           fold, folded_patterns, fuzzy_distance,
                                           is_indexable, mark_ranges, meta_text,
                                           normalize_document, plain_snippet,
                                           SNIPPET_WINDOW_CHARS, utf8_prefix,
                                           utf8_window_of_matches)

log = logging.getLogger(__name__)
_os_threading = patcher.original("threading")   # real threads even under monkey patching

#: A schema change bumps this: the new index is built beside the old one (then reindex).
SCHEMA_VERSION = "v4"   # v2: the state field; v3: register, issuer, sort_at; v4: content_source
EXACT, FOLDED = "vi_exact", "vi_folded"
KEYWORDS = ("unit_id", "direction", "document_type", "urgency", "state", "register_id",
            "issuer_organ_id")
ACLS = ("acl_units", "acl_users")
WRITER_HEAP_BYTES = 64_000_000
MAX_FACET_BUCKETS = 200
CURRENT = "CURRENT"
FIRST_GENERATION = "g1"
_GENERATION = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
_SCHEMA_FOLDER = re.compile(r"^v[0-9]+$")
#: A prefix's words are those of the folded dictionary: only these letters can follow.
_FOLDED_WORD = re.compile(r"^[a-z0-9]+$")


def _analyzer(fold: bool):
    builder = (TextAnalyzerBuilder(Tokenizer.simple())
               .filter(Filter.remove_long(40)).filter(Filter.lowercase()))
    if fold:
        builder = builder.filter(Filter.ascii_fold())
    return builder.build()


def _schema():
    builder = SchemaBuilder()
    builder.add_text_field("document_id", stored=True, tokenizer_name="raw")
    for name in KEYWORDS:
        builder.add_text_field(name, tokenizer_name="raw", fast=name in FACETS)
    for name in ACLS:
        builder.add_text_field(name, tokenizer_name="raw")
    for name in FIELD_WEIGHTS:   # subject, meta, content
        builder.add_text_field(name, tokenizer_name=EXACT)
        # the subject's folded field keeps the original text: snippets come from it
        builder.add_text_field(f"{name}_folded", stored=name == "subject",
                               tokenizer_name=FOLDED)
    # The content's original text, for snippets, as UTF-8 bytes: fetching a page of 20
    # laws of ≈ 34 k characters cost 3.4–3.9 ms stored as text (tantivy's copies and
    # Python's decoding of all of it) and 0.8 ms as bytes; only the part a snippet
    # needs is decoded then (utf8_window_of_matches).
    builder.add_bytes_field("content_source", stored=True)
    builder.add_integer_field("issued_day", indexed=True, fast=True)
    builder.add_integer_field("arrival_day", indexed=True, fast=True)
    builder.add_integer_field("sort_at", fast=True)   # milliseconds since 1970 (UTC)
    # fast: counting the hits reads it (see search)
    builder.add_integer_field("revision", stored=True, fast=True)
    builder.add_bytes_field("payload", stored=True)   # what a hit shows, as JSON
    return builder.build()


#: Up to this many units, a caller's filters go inside each phrase too (_alternatives).
PHRASE_FILTER_MAX_UNITS = 10
#: How long a commit waits for concurrent changes to join it (group commit).
GROUP_COMMIT_SECONDS = 0.02


class _Beside:
    """A call run in an OS thread of its own (not a green thread, even where eventlet
    patched threading: the point is a second core); ``result`` waits for it."""

    def __init__(self, call, *args):
        self._call, self._args = call, args
        self._value = self._error = None
        self._thread = _os_threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        try:
            self._value = self._call(*self._args)
        except BaseException as exc:   # raised again to the caller in result()
            self._error = exc

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value



class IndexFolder:
    """One generation of the index in one folder: its single writer, and the group
    commit that makes changes searchable."""

    def __init__(self, path: str, schema, analyzers: dict):
        self.path = path
        os.makedirs(path, exist_ok=True)
        self.schema = schema
        try:
            self.index = Index(schema, path=path, reuse=True)
        except ValueError as exc:
            raise RuntimeError(f"search index at {path} has another schema ({exc}); "
                               "move it away and reindex") from exc
        for name, analyzer in analyzers.items():   # after every open, or nothing works
            self.index.register_tokenizer(name, analyzer)
        try:
            self.writer = self.index.writer(heap_size=WRITER_HEAP_BYTES, num_threads=1)
        except ValueError as exc:
            raise RuntimeError(f"search index at {path} is being written by another "
                               "process; run one search replica with the embedded index "
                               f"({exc})") from exc
        self.lock = threading.Lock()   # guards the writer (green once eventlet patched it)
        self.commit_lock = threading.Lock()   # one group commit at a time
        self._added = 0        # ticket of the last change handed to the writer
        self._committed = 0    # every ticket up to this one is committed and searchable
        self._failed = 0       # tickets up to this one were lost by a failed commit
        self._pending_revisions: dict[str, int] = {}
        self.index.reload()

    def upsert_many(self, docs: list[dict]) -> int:
        latest: dict[str, dict] = {}
        for doc in map(normalize_document, docs):
            seen = latest.get(doc["document_id"])
            if seen is None or (doc["revision"] or 0) >= (seen["revision"] or 0):
                latest[doc["document_id"]] = doc
        written = 0
        with self.lock:
            if self.writer is None:
                raise RuntimeError(f"the search index at {self.path} was closed")
            searcher = self.index.searcher()
            for document_id, doc in latest.items():
                known = max(self._pending_revisions.get(document_id, 0),
                            self._indexed_revision(searcher, document_id) or 0)
                if doc["revision"] is not None and known > doc["revision"]:
                    continue   # a newer state was indexed (or is about to be) already
                self.writer.delete_documents_by_term("document_id", document_id)
                if is_indexable(doc):
                    self.writer.add_document(self._document(doc))
                    written += 1
                self._pending_revisions[document_id] = doc["revision"] or 0
            ticket = self._next_ticket()
        self._commit_through(ticket)
        return written

    def delete(self, document_id: str) -> None:
        with self.lock:
            if self.writer is None:
                raise RuntimeError(f"the search index at {self.path} was closed")
            self.writer.delete_documents_by_term("document_id", str(document_id))
            ticket = self._next_ticket()
        self._commit_through(ticket)

    def _next_ticket(self) -> int:
        self._added += 1
        return self._added

    def _commit_through(self, ticket: int) -> None:
        """Return once the change with ``ticket`` is committed and searchable.

        Group commit: a commit (and reader reload) costs tens of milliseconds whatever
        its size, and blocks the process meanwhile, so the first waiter waits a moment
        for the changes of concurrent handlers and commits them all at once; the others
        find their ticket already committed. A failed commit rolls every pending change
        back and raises to each of their callers."""
        with self.commit_lock:
            if self._committed >= ticket:
                return
            if self._failed >= ticket:
                raise RuntimeError("the search index commit failed; the change was lost")
            time.sleep(GROUP_COMMIT_SECONDS)
            with self.lock:
                through = self._added
                try:
                    self.writer.commit()
                except BaseException:
                    self.writer.rollback()
                    self._failed = through
                    self._pending_revisions.clear()
                    raise
                self._pending_revisions.clear()
                self.index.reload()   # now, not when the reader next polls
                self._committed = through

    def _indexed_revision(self, searcher, document_id: str) -> int | None:
        found = searcher.search(Query.term_query(self.schema, "document_id", document_id),
                                limit=1, count=False)
        if not found.hits:
            return None
        return searcher.fast_field_values("revision", [found.hits[0][1]])[0]

    def _document(self, doc: dict) -> Document:
        out = Document()
        out.add_text("document_id", doc["document_id"])
        for name in KEYWORDS:
            if doc[name]:
                out.add_text(name, doc[name])
        for name in ACLS:
            for value in doc[name]:
                out.add_text(name, value)
        texts = {"subject": doc["subject"], "content": doc["content"], "meta": meta_text(doc)}
        for name, text in texts.items():
            out.add_text(name, text)
            out.add_text(f"{name}_folded", text)
        if doc["content"]:
            out.add_bytes("content_source", doc["content"].encode("utf-8"))
        for name in ("issued", "arrival"):
            day = day_number(doc[f"{name}_date"])
            if day is not None:
                out.add_integer(f"{name}_day", day)
        if doc["sort_at"]:
            out.add_integer("sort_at", epoch_millis(doc["sort_at"]))
        out.add_integer("revision", doc["revision"] or 0)
        out.add_bytes("payload", json.dumps(display_of(doc), ensure_ascii=False).encode())
        return out

    def count(self) -> int:
        return self.index.searcher().num_docs

    def close(self) -> None:
        with self.lock:
            writer, self.writer = self.writer, None
            if writer is not None:
                writer.wait_merging_threads()   # consumes the writer, releases the lock file


class TantivyBackend(SearchBackend):
    searches_in_threads = True

    def __init__(self, path: str):
        self.root = os.path.join(path, SCHEMA_VERSION)
        os.makedirs(self.root, exist_ok=True)
        self.schema = _schema()
        self.analyzers = {EXACT: _analyzer(fold=False), FOLDED: _analyzer(fold=True)}
        generation = self._current_generation()
        self.live = IndexFolder(os.path.join(self.root, generation), self.schema,
                                self.analyzers)
        if not os.path.exists(os.path.join(self.root, CURRENT)):
            self._write_current(generation)
        self._remove_other_generations(keep={generation})
        self._remove_older_schemas(path)
        self._rebuilding: IndexFolder | None = None

    @staticmethod
    def _remove_older_schemas(path: str) -> None:
        """An index of an older schema is never read again once this one is open (the
        catch-up fills this one from the database): its folder would only take disk."""
        for name in os.listdir(path):
            if _SCHEMA_FOLDER.match(name) and name != SCHEMA_VERSION:
                log.info("removing the search index of an older schema: %s", name)
                shutil.rmtree(os.path.join(path, name), ignore_errors=True)

    @property
    def path(self) -> str:
        """The folder of the generation searches use."""
        return self.live.path

    @property
    def index(self):
        return self.live.index

    def _current_generation(self) -> str:
        try:
            with open(os.path.join(self.root, CURRENT), encoding="ascii") as current:
                name = current.read().strip()
        except FileNotFoundError:
            return FIRST_GENERATION
        if not _GENERATION.match(name):
            raise RuntimeError(f"{self.root}/{CURRENT} names no generation: {name!r}")
        return name

    def _write_current(self, generation: str) -> None:
        temporary = os.path.join(self.root, CURRENT + ".new")
        with open(temporary, "w", encoding="ascii") as current:
            current.write(generation + "\n")
            current.flush()
            os.fsync(current.fileno())
        os.replace(temporary, os.path.join(self.root, CURRENT))

    def _remove_other_generations(self, keep: set[str]) -> None:
        """Folders of an abandoned rebuild (the process stopped midway) or of a
        replaced generation."""
        for entry in os.scandir(self.root):
            if entry.is_dir() and entry.name not in keep:
                log.info("removing search index folder %s (not the live one)", entry.path)
                shutil.rmtree(entry.path, ignore_errors=True)

    # -- writing -----------------------------------------------------------------------

    def upsert_many(self, docs: list[dict]) -> int:
        return self.live.upsert_many(docs)

    def delete(self, document_id: str) -> None:
        """Gone from the live index and from one being rebuilt (which may have read
        the document before it went)."""
        rebuilding = self._rebuilding
        self.live.delete(document_id)
        if rebuilding is not None:
            rebuilding.delete(document_id)

    # -- rebuilding --------------------------------------------------------------------

    def start_rebuild(self, generation: str) -> IndexFolder:
        if not _GENERATION.match(generation) or \
                os.path.join(self.root, generation) == self.live.path:
            raise ValueError(f"not a new generation name: {generation!r}")
        if self._rebuilding is not None:
            self.discard_rebuild(self._rebuilding)
        path = os.path.join(self.root, generation)
        shutil.rmtree(path, ignore_errors=True)
        self._rebuilding = IndexFolder(path, self.schema, self.analyzers)
        return self._rebuilding

    def finish_rebuild(self, target: IndexFolder) -> None:
        if target is not self._rebuilding:
            raise ValueError("not the index being rebuilt")
        self._write_current(os.path.basename(target.path))
        old, self.live, self._rebuilding = self.live, target, None
        old.close()
        shutil.rmtree(old.path, ignore_errors=True)   # open searchers keep their files

    def discard_rebuild(self, target: IndexFolder) -> None:
        if target is self._rebuilding:
            self._rebuilding = None
        target.close()
        shutil.rmtree(target.path, ignore_errors=True)

    # -- searching ---------------------------------------------------------------------

    def search(self, query: SearchQuery) -> SearchResult:
        filters = [Query.const_score_query(q, 0.0) for q in self._filters(query)]
        in_phrases = filters if len(query.unit_ids) <= PHRASE_FILTER_MAX_UNITS else []
        text_query = self._text_query(query, in_phrases)
        if text_query is None:   # every word was dropped by the analyzer (too long)
            return SearchResult([], 0, query.page, query.page_size,
                                empty_facets() if query.with_facets else None, query.fuzzy)
        full = Query.boolean_query([(Occur.Must, text_query)]
                                   + [(Occur.Must, q) for q in filters])
        searcher = self.index.searcher()
        order = {"order_by_field": "sort_at", "order": Order.Desc} \
            if query.sort == "date" else {}
        # One aggregation counts every hit and its facets, unscored, in a thread of its
        # own beside the scoring of the page: tantivy lets go of the GIL, so on two
        # cores a search takes about the longer of the two instead of their sum.
        counting = _Beside(self._count, searcher, full, query.with_facets)
        found = searcher.search(full, limit=query.page_size, offset=query.offset, count=False,
                                **order)
        snippets = self._snippet_generators(searcher, full) if found.hits else None
        where = self._match_patterns(query) if found.hits else []
        items = []
        for rank, (key, address) in enumerate(found.hits):
            stored = searcher.doc(address)
            item = json.loads(stored.get_first("payload"))
            item["snippet"] = self._snippet(
                snippets, stored, query if rank < APPROXIMATE_SNIPPETS_PER_PAGE else None,
                where)
            item["score"] = round(float(key), 4) if query.sort == "relevance" else None
            items.append(item)
        total, facets = counting.result()
        return SearchResult(items, total, query.page, query.page_size, facets, query.fuzzy)

    def _tokens(self, analyzer: str, words) -> list[str]:
        return [token for word in words for token in self.analyzers[analyzer].analyze(word)]

    def _text_query(self, query: SearchQuery, filters=()):
        """Every unit (a word or a quoted phrase) must match in some text; within a
        unit, the exact form outscores the folded one and the subject the content.
        Unquoted words found side by side score extra (Vietnamese words are often
        two syllables: "quyết định"). Each phrase carries ``filters`` (score 0, so
        scores do not change): see _alternatives. Each prefix must begin a word; with
        ``query.fuzzy`` a single word may differ by an edit or two (fuzzy_distance)."""
        clauses = []
        for words in query.parsed.units:
            if query.fuzzy and len(words) == 1 and fuzzy_distance(words[0]):
                alternatives = self._fuzzy(words[0])
            else:
                alternatives = self._alternatives(words, filters)
            if alternatives is None:
                continue
            clauses.append((Occur.Must, alternatives))
        for prefix in query.parsed.prefixes:
            alternatives = self._prefix(prefix)
            if alternatives is not None:
                clauses.append((Occur.Must, alternatives))
        if not clauses:
            return None
        if len(query.parsed.words) > 1:
            together = self._alternatives(query.parsed.words, filters)
            if together is not None:
                clauses.append((Occur.Should, Query.boost_query(together, ADJACENT_BOOST)))
        return Query.boolean_query(clauses)

    def _alternatives(self, words, filters=()):
        """The words, in this order, in any searched text, exact or folded.

        A phrase is matched only on documents that pass ``filters`` (the caller's ACL
        first). Checking word positions is the dear part of a search, and tantivy fills
        a union of phrases 4,096 documents at a time, so a filter outside the union
        does not spare it: a caller who may see 3 % of 1 M documents paid for the
        positions of all of them (bench/search_scale.py: p95 256 → 76 ms). Each copy
        of the filters is built anew, so a caller of many units (a big, unselective
        term set) keeps them outside: search passes none then."""
        alternatives = []
        for analyzer, boost, suffix in ((EXACT, EXACT_BOOST, ""), (FOLDED, 1.0, "_folded")):
            tokens = self._tokens(analyzer, words)
            if not tokens:
                continue
            for name, weight in FIELD_WEIGHTS.items():
                field = name + suffix
                if len(tokens) == 1:
                    match = Query.term_query(self.schema, field, tokens[0])
                else:
                    match = Query.phrase_query(self.schema, field, tokens)
                    if filters:
                        match = Query.boolean_query([(Occur.Must, match)]
                                                    + [(Occur.Must, f) for f in filters])
                alternatives.append((Occur.Should, Query.boost_query(match, weight * boost)))
        return Query.boolean_query(alternatives) if alternatives else None

    def _prefix(self, prefix: str):
        """Words beginning with ``prefix`` (folded: "quyet*" and "quyết*" alike), in
        any searched text; every match scores alike, by field weight."""
        folded = fold(prefix)
        if not _FOLDED_WORD.match(folded):
            return self._alternatives([prefix])   # a script tantivy does not fold: as typed
        return Query.boolean_query([
            (Occur.Should, Query.boost_query(Query.const_score_query(
                Query.regex_query(self.schema, f"{name}_folded", folded + "[a-z0-9]*"), 1.0),
                weight))
            for name, weight in FIELD_WEIGHTS.items()])

    def _fuzzy(self, word: str):
        """``word`` within fuzzy_distance edits of a folded word, in any searched text;
        the word as typed still scores best."""
        tokens = self._tokens(FOLDED, [word])
        if len(tokens) != 1:
            return self._alternatives([word])
        distance = fuzzy_distance(word)
        clauses = [(Occur.Should, Query.boost_query(Query.fuzzy_term_query(
            self.schema, f"{name}_folded", tokens[0], distance=distance), weight))
            for name, weight in FIELD_WEIGHTS.items()]
        exact = self._alternatives([word])
        if exact is not None:
            clauses.append((Occur.Should, exact))
        return Query.boolean_query(clauses)

    def _filters(self, query: SearchQuery) -> list:
        acl = []
        if query.unit_ids:
            acl.append((Occur.Should, Query.term_set_query(self.schema, "acl_units",
                                                           list(query.unit_ids))))
        acl.append((Occur.Should, Query.term_query(self.schema, "acl_users", query.user_id)))
        filters = [Query.boolean_query(acl)]
        for name, value in query.term_filters().items():
            filters.append(Query.term_query(self.schema, name, value))
        for name, (low, high) in query.date_ranges().items():
            filters.append(Query.range_query(
                self.schema, name.replace("_date", "_day"), FieldType.Integer,
                day_number(low.isoformat()) if low else None,
                day_number(high.isoformat()) if high else None))
        return filters

    def _count(self, searcher, full, with_facets: bool):
        """(hits, facets or None): one pass over every hit, none of them scored."""
        spec = {"hits": {"value_count": {"field": "revision"}}}
        if with_facets:
            spec |= {name: {"terms": {"field": name, "size": MAX_FACET_BUCKETS}}
                     for name in FACETS}
        result = searcher.aggregate(full, spec)
        total = int(result.get("hits", {}).get("value") or 0)
        if not with_facets:
            return total, None
        return total, {name: {bucket["key"]: bucket["doc_count"]
                              for bucket in result.get(name, {}).get("buckets", [])}
                       for name in FACETS}

    def _snippet_generators(self, searcher, full) -> dict:
        generators = {}
        for name, chars in (("content_folded", SNIPPET_CHARS), ("subject_folded", 1000)):
            generator = SnippetGenerator.create(searcher, full, self.schema, name)
            generator.set_max_num_chars(chars)
            generators[name] = generator
        return generators

    def _match_patterns(self, query: SearchQuery) -> list:
        """Where a hit's words are in a text as written (see utf8_window_of_matches)."""
        units = [self._tokens(FOLDED, unit) for unit in query.parsed.units]
        return folded_patterns(units, [fold(prefix) for prefix in query.parsed.prefixes])

    def _snippet(self, generators: dict, stored, query: SearchQuery | None = None,
                 where=()) -> str:
        """Where the hit is: in the content if it matched there, else in the subject;
        tantivy cannot highlight a prefix's or an approximate word's matches, so
        those are found in the text here; else the start of the content (it matched on
        its number or issuer). The highlighter reads a window of a long content around
        where the query's words are (``where``: folded_patterns), not the whole
        text: it tokenizes all it is given."""
        content = stored.get_first("content_source") or b""
        window = None   # the part of the content the highlighter reads, found once
        if query is not None and (query.parsed.prefixes or query.fuzzy):
            # the regex finds a prefix's words: the word by word scan reads their window
            # only (an approximate word it must look for in the whole text)
            if query.fuzzy:
                scanned = content.decode("utf-8", "replace")
            else:
                scanned = window = utf8_window_of_matches(content, where)
            for text in (scanned, stored.get_first("subject_folded") or ""):
                snippet = approximate_snippet(text, query.parsed, query.fuzzy)
                if snippet:
                    return snippet
        for name, generator in generators.items():
            source = stored
            if name == "content_folded":
                if not content:
                    continue
                if window is None:
                    window = utf8_window_of_matches(content, where)
                source = Document()
                source.add_text(name, window)
            snippet = generator.snippet_from_doc(source)
            if snippet.highlighted():
                return mark_ranges(snippet.fragment(),
                                   [(r.start, r.end) for r in snippet.highlighted()]).strip()
        return plain_snippet(utf8_prefix(content, SNIPPET_WINDOW_CHARS))

    # -- the rest ----------------------------------------------------------------------

    def count(self) -> int:
        return self.live.count()

    def close(self) -> None:
        if self._rebuilding is not None:
            self.discard_rebuild(self._rebuilding)
        self.live.close()
