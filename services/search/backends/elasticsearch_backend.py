"""The production search index: Elasticsearch, through the official client.

The index is reached through an alias (``eoffice-documents`` → ``eoffice-documents-v1``)
so a reindex can build ``-v2`` beside it and swap the alias with no downtime; an
index template carries the settings and mapping, so every ``eoffice-documents-*``
index gets them. Searched texts have an exact sub-analysis and a folded one
(lowercase, đ → d, ASCII folding keeping the original), as the embedded backend does.

The request bodies are built by plain functions, tested as data.
"""
from __future__ import annotations

import threading
from contextlib import contextmanager

from elasticsearch import ApiError, BadRequestError, Elasticsearch, TransportError

from services.common.errors import ServiceUnavailable
from services.search.backends.base import (ADJACENT_BOOST, DISPLAY_FIELDS, EXACT_BOOST, FACETS,
                                           FIELD_WEIGHTS, SNIPPET_CHARS, SearchBackend,
                                           SearchQuery, SearchResult, display_of, fold,
                                           fuzzy_distance, is_indexable, meta_text,
                                           normalize_document)

DEFAULT_ALIAS = "eoffice-documents"
INDEX_VERSION = "v1"
MAX_FACET_BUCKETS = 200
#: Texts longer than this are highlighted on their first million characters only.
MAX_ANALYZED_OFFSET = 1_000_000


def index_settings() -> dict:
    return {
        "number_of_shards": 1,
        "analysis": {
            "char_filter": {
                # asciifolding folds đ too; the mapping says so explicitly
                "vi_d_to_d": {"type": "mapping", "mappings": ["đ => d", "Đ => D"]},
            },
            "filter": {
                "vi_ascii_folding": {"type": "asciifolding", "preserve_original": True},
            },
            "analyzer": {
                "vi_exact": {"type": "custom", "tokenizer": "standard",
                             "filter": ["lowercase"]},
                "vi_folded": {"type": "custom", "tokenizer": "standard",
                              "char_filter": ["vi_d_to_d"],
                              "filter": ["lowercase", "vi_ascii_folding"]},
            },
        },
    }


def _searched_text() -> dict:
    return {"type": "text", "analyzer": "vi_exact", "index_options": "offsets",
            "fields": {"folded": {"type": "text", "analyzer": "vi_folded",
                                  "index_options": "offsets"}}}


def index_mappings() -> dict:
    keyword = {"type": "keyword"}
    day = {"type": "date", "format": "yyyy-MM-dd"}
    return {
        "dynamic": "strict",
        "properties": {
            "document_id": keyword, "unit_id": keyword, "direction": keyword,
            "document_type": keyword, "urgency": keyword, "confidentiality": keyword,
            "state": keyword,
            "acl_units": keyword, "acl_users": keyword,
            "subject": _searched_text(), "content": _searched_text(),
            "meta": _searched_text(),   # number, notation, issuer, type name: searched
            "code_number": keyword, "code_notation": keyword,
            "issuer_name": {"type": "keyword", "index": False},
            "document_type_name": {"type": "keyword", "index": False},
            "arrival_number": {"type": "integer"},
            "arrival_date": day, "issued_date": day, "sort_at": {"type": "date"},
            "register_id": keyword, "issuer_organ_id": keyword,
            "registered_at": {"type": "date"},
            "revision": {"type": "long"},
        },
    }


def index_template(alias: str = DEFAULT_ALIAS) -> dict:
    """The body of ``PUT _index_template/<alias>``."""
    return {"index_patterns": [f"{alias}-*"], "priority": 100,
            "template": {"settings": index_settings(), "mappings": index_mappings()}}


def _fields() -> list[str]:
    exact = [f"{name}^{weight * EXACT_BOOST:g}" for name, weight in FIELD_WEIGHTS.items()]
    folded = [f"{name}.folded^{weight:g}" for name, weight in FIELD_WEIGHTS.items()]
    return exact + folded


def _text_clauses(query: SearchQuery) -> tuple[list, list]:
    """(must, should): every word or quoted phrase must match in some text; unquoted
    words side by side score extra. A prefix must begin a word of some text (folded,
    so "quyet*" and "quyết*" alike); with ``query.fuzzy`` a word may differ by an edit
    or two (fuzzy_distance), the word as typed still scoring best."""
    fields = _fields()
    must = []
    for unit in query.parsed.units:
        distance = fuzzy_distance(unit[0]) if query.fuzzy and len(unit) == 1 else 0
        if distance:
            folded = [f"{name}.folded^{weight:g}" for name, weight in FIELD_WEIGHTS.items()]
            must.append({"bool": {"should": [
                {"multi_match": {"query": unit[0], "type": "most_fields", "fields": fields}},
                {"multi_match": {"query": unit[0], "type": "most_fields", "fields": folded,
                                 "fuzziness": distance}}]}})
        elif len(unit) == 1:
            must.append({"multi_match": {"query": unit[0], "type": "most_fields",
                                         "operator": "and", "fields": fields}})
        else:
            must.append({"multi_match": {"query": " ".join(unit), "type": "phrase",
                                         "fields": fields}})
    for prefix in query.parsed.prefixes:
        must.append({"bool": {"should": [
            {"prefix": {f"{name}.folded": {"value": fold(prefix), "boost": weight}}}
            for name, weight in FIELD_WEIGHTS.items()]}})
    should = []
    if len(query.parsed.words) > 1:
        should.append({"multi_match": {"query": " ".join(query.parsed.words),
                                       "type": "phrase", "fields": fields,
                                       "boost": ADJACENT_BOOST}})
    return must, should


def _filters(query: SearchQuery) -> list:
    acl = []
    if query.unit_ids:
        acl.append({"terms": {"acl_units": list(query.unit_ids)}})
    acl.append({"term": {"acl_users": query.user_id}})
    filters = [{"bool": {"should": acl, "minimum_should_match": 1}}]
    for name, value in query.term_filters().items():
        filters.append({"term": {name: value}})
    for name, (low, high) in query.date_ranges().items():
        bounds = {}
        if low:
            bounds["gte"] = low.isoformat()
        if high:
            bounds["lte"] = high.isoformat()
        filters.append({"range": {name: bounds}})
    return filters


def build_search_body(query: SearchQuery) -> dict:
    """The body of ``POST <alias>/_search`` for this query."""
    must, should = _text_clauses(query)
    boolean = {"must": must, "filter": _filters(query)}
    if should:
        boolean["should"] = should
    body = {
        "query": {"bool": boolean},
        "from": query.offset,
        "size": query.page_size,
        "track_total_hits": True,
        "_source": list(DISPLAY_FIELDS),
        "highlight": {
            "pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html",
            "max_analyzed_offset": MAX_ANALYZED_OFFSET,
            "fields": {
                "content.folded": {"fragment_size": SNIPPET_CHARS, "number_of_fragments": 1,
                                   "no_match_size": SNIPPET_CHARS},
                "subject.folded": {"number_of_fragments": 0},
            },
        },
    }
    if query.with_facets:
        body["aggs"] = {name: {"terms": {"field": name, "size": MAX_FACET_BUCKETS}}
                        for name in FACETS}
    if query.sort == "date":   # newest first; missing dates last; then the best
        body["sort"] = [{"sort_at": {"order": "desc", "missing": "_last"}}, "_score"]
    return body


def source_of(doc: dict) -> dict:
    """The indexed ``_source`` of a normalized document."""
    source = {name: value for name, value in doc.items() if value is not None}
    source["meta"] = meta_text(doc)
    return source


def bulk_operations(docs: list[dict], alias: str = DEFAULT_ALIAS) -> list[dict]:
    """The body of ``POST _bulk``: index what may be indexed (versioned by the
    document's revision so an older state never overwrites a newer one), delete the
    rest."""
    operations = []
    for doc in map(normalize_document, docs):
        action = {"_index": alias, "_id": doc["document_id"]}
        if not is_indexable(doc):
            operations.append({"delete": action})
            continue
        if doc["revision"] is not None:
            action |= {"version": doc["revision"], "version_type": "external_gte"}
        operations.append({"index": action})
        operations.append(source_of(doc))
    return operations


def _snippet(highlight: dict) -> str:
    content = (highlight.get("content.folded") or [""])[0]
    if "<mark>" in content:
        return content
    subject = (highlight.get("subject.folded") or [""])[0]
    return subject if "<mark>" in subject else content


def parse_search_response(query: SearchQuery, response: dict) -> SearchResult:
    hits = response["hits"]
    items = []
    for hit in hits["hits"]:
        item = display_of(hit.get("_source") or {})
        item["snippet"] = _snippet(hit.get("highlight") or {})
        item["score"] = round(float(hit.get("_score") or 0.0), 4) \
            if query.sort == "relevance" else None
        items.append(item)
    facets = None
    if query.with_facets:
        aggregations = response.get("aggregations") or {}
        facets = {name: {bucket["key"]: bucket["doc_count"]
                         for bucket in aggregations.get(name, {}).get("buckets", [])}
                  for name in FACETS}
    return SearchResult(items, hits["total"]["value"], query.page, query.page_size, facets,
                        query.fuzzy)


class ElasticsearchBackend(SearchBackend):

    def __init__(self, url: str, alias: str = DEFAULT_ALIAS):
        self.alias = alias
        self.client = Elasticsearch(url, request_timeout=10, max_retries=2,
                                    retry_on_timeout=True)
        self._ready = False
        self._lock = threading.Lock()

    @property
    def index_name(self) -> str:
        return f"{self.alias}-{INDEX_VERSION}"

    def ensure_index(self) -> None:
        """The template, and the first index behind the alias unless one exists.
        Done on first use, so the service starts while Elasticsearch is still booting."""
        if self._ready:
            return
        with self._lock:
            if self._ready:
                return
            self.client.indices.put_index_template(name=self.alias,
                                                   body=index_template(self.alias))
            if not self.client.indices.exists_alias(name=self.alias):
                try:
                    self.client.indices.create(index=self.index_name,
                                               aliases={self.alias: {"is_write_index": True}})
                except BadRequestError as exc:   # another replica made it first
                    if exc.error != "resource_already_exists_exception":
                        raise
            else:   # an index made by an earlier version: fields added since are added
                self.client.indices.put_mapping(index=self.alias,
                                                properties=index_mappings()["properties"])
            self._ready = True

    def upsert_many(self, docs: list[dict]) -> int:
        return self._bulk(docs, self.alias)

    def _bulk(self, docs: list[dict], index: str) -> int:
        operations = bulk_operations(docs, index)
        if not operations:
            return 0
        self.ensure_index()
        response = self.client.bulk(operations=operations, refresh="wait_for")
        written = 0
        for item in response["items"]:
            (action, result), = item.items()
            status = result.get("status", 500)
            # 409: an older revision than the indexed one; 404: nothing to delete
            if status >= 300 and (action, status) not in (("index", 409), ("delete", 404)):
                raise RuntimeError(f"elasticsearch {action} of {result.get('_id')} failed: "
                                   f"{result.get('error')}")
            written += action == "index" and status < 300
        return written

    def delete(self, document_id: str) -> None:
        """Gone from every index of the alias's pattern: the live one and one being
        rebuilt (which may have read the document before it went)."""
        self.ensure_index()
        self.client.delete_by_query(index=f"{self.alias}-*",
                                    query={"ids": {"values": [str(document_id)]}},
                                    refresh=True, conflicts="proceed")

    def search(self, query: SearchQuery) -> SearchResult:
        with _unavailable_on_failure():
            self.ensure_index()
            response = self.client.search(index=self.alias, body=build_search_body(query))
        return parse_search_response(query, response.body)

    def count(self) -> int:
        with _unavailable_on_failure():
            self.ensure_index()
            return int(self.client.count(index=self.alias)["count"])

    def close(self) -> None:
        self.client.close()

    # -- rebuilding: a new index behind the alias ---------------------------------------

    def start_rebuild(self, generation: str) -> "RebuildIndex":
        """``<alias>-<generation>``, made by the template's settings and mapping."""
        self.ensure_index()
        name = f"{self.alias}-{generation}"
        self.client.indices.delete(index=name, ignore_unavailable=True)
        self.client.indices.create(index=name)
        return RebuildIndex(self, name)

    def finish_rebuild(self, target: "RebuildIndex") -> None:
        """One aliases request moves the alias (reads and writes) to the new index,
        atomically for every replica; then the old indices are deleted."""
        old = sorted(self.client.indices.get_alias(name=self.alias).body)
        actions = [{"remove": {"index": name, "alias": self.alias}} for name in old]
        actions.append({"add": {"index": target.name, "alias": self.alias,
                                "is_write_index": True}})
        self.client.indices.update_aliases(actions=actions)
        for name in old:
            if name != target.name:
                self.client.indices.delete(index=name, ignore_unavailable=True)

    def discard_rebuild(self, target: "RebuildIndex") -> None:
        self.client.indices.delete(index=target.name, ignore_unavailable=True)


class RebuildIndex:
    """An Elasticsearch index being filled beside the live one."""

    def __init__(self, backend: ElasticsearchBackend, name: str):
        self.backend, self.name = backend, name

    def upsert_many(self, docs: list[dict]) -> int:
        return self.backend._bulk(docs, self.name)

    def count(self) -> int:
        return int(self.backend.client.count(index=self.name)["count"])


@contextmanager
def _unavailable_on_failure():
    """Elasticsearch down, slow or failing → ServiceUnavailable (503), not a 500."""
    try:
        yield
    except (TransportError, ApiError) as exc:
        if isinstance(exc, ApiError) and exc.meta.status < 500:
            raise
        raise ServiceUnavailable(
            "Chức năng tìm kiếm tạm thời không hoạt động, vui lòng thử lại sau.",
            "Search is unavailable; please try again later.",
            {"service": "search"}) from exc
