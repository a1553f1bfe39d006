"""The Elasticsearch backend as data: the index template, the mapping, the search and
bulk bodies, the parsing of answers; then the same bodies on the wire, sent by the
official client to a recording HTTP server (no Elasticsearch can run here; the
contract tests run against a real one when ELASTICSEARCH_URL is set)."""
import json
import threading
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest

from services.common.errors import ServiceUnavailable
from services.search.backends import open_backend
from services.search.backends.base import SearchQuery
from services.search.backends.elasticsearch_backend import (ElasticsearchBackend,
                                                            build_search_body, bulk_operations,
                                                            index_mappings, index_settings,
                                                            index_template,
                                                            parse_search_response)
from tests.unit.search.helpers import ALICE, UNIT_A, UNIT_B, article_doc

FIELDS = ["subject^6", "meta^4", "content^2", "subject.folded^3", "meta.folded^2",
          "content.folded^1"]


def test_the_folding_analyzer_lowercases_maps_đ_and_folds_keeping_the_original():
    assert index_settings()["analysis"] == {
        "char_filter": {"vi_d_to_d": {"type": "mapping", "mappings": ["đ => d", "Đ => D"]}},
        "filter": {"vi_ascii_folding": {"type": "asciifolding", "preserve_original": True}},
        "analyzer": {
            "vi_exact": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
            "vi_folded": {"type": "custom", "tokenizer": "standard",
                          "char_filter": ["vi_d_to_d"],
                          "filter": ["lowercase", "vi_ascii_folding"]},
        },
    }


def test_searched_texts_have_an_exact_and_a_folded_field_and_the_rest_is_keywords():
    properties = index_mappings()["properties"]
    for name in ("subject", "content", "meta"):
        assert properties[name] == {
            "type": "text", "analyzer": "vi_exact", "index_options": "offsets",
            "fields": {"folded": {"type": "text", "analyzer": "vi_folded",
                                  "index_options": "offsets"}}}
    for name in ("document_id", "unit_id", "direction", "document_type", "urgency",
                 "confidentiality", "acl_units", "acl_users", "code_number", "code_notation"):
        assert properties[name] == {"type": "keyword"}
    assert properties["arrival_date"] == properties["issued_date"] == {
        "type": "date", "format": "yyyy-MM-dd"}
    assert index_mappings()["dynamic"] == "strict"


def test_the_template_covers_every_version_behind_the_alias():
    template = index_template("eoffice-documents")
    assert template["index_patterns"] == ["eoffice-documents-*"]
    assert template["template"] == {"settings": index_settings(), "mappings": index_mappings()}


def test_the_search_body_matches_every_word_with_acl_filters_facets_and_highlights():
    query = SearchQuery(text='quyet dinh "đương sự"', user_id=ALICE, unit_ids=(UNIT_B, UNIT_A),
                        unit_id=UNIT_A, document_type="CV", urgency="urgent",
                        arrival_from=date(2024, 1, 1), arrival_to=date(2024, 12, 31),
                        issued_to=date(2024, 6, 30), page=3, page_size=10)
    assert build_search_body(query) == {
        "query": {"bool": {
            "must": [
                {"multi_match": {"query": "quyet", "type": "most_fields", "operator": "and",
                                 "fields": FIELDS}},
                {"multi_match": {"query": "dinh", "type": "most_fields", "operator": "and",
                                 "fields": FIELDS}},
                {"multi_match": {"query": "đương sự", "type": "phrase", "fields": FIELDS}},
            ],
            "should": [{"multi_match": {"query": "quyet dinh", "type": "phrase",
                                        "fields": FIELDS, "boost": 2.0}}],
            "filter": [
                {"bool": {"should": [{"terms": {"acl_units": [UNIT_A, UNIT_B]}},
                                     {"term": {"acl_users": ALICE}}],
                          "minimum_should_match": 1}},
                {"term": {"unit_id": UNIT_A}},
                {"term": {"document_type": "CV"}},
                {"term": {"urgency": "urgent"}},
                {"range": {"issued_date": {"lte": "2024-06-30"}}},
                {"range": {"arrival_date": {"gte": "2024-01-01", "lte": "2024-12-31"}}},
            ],
        }},
        "from": 20, "size": 10, "track_total_hits": True,
        "_source": ["document_id", "subject", "code_number", "code_notation", "arrival_number",
                    "arrival_date", "issued_date", "issuer_name", "document_type",
                    "document_type_name", "urgency", "unit_id", "direction", "state"],
        "aggs": {"document_type": {"terms": {"field": "document_type", "size": 200}},
                 "urgency": {"terms": {"field": "urgency", "size": 200}}},
        "highlight": {
            "pre_tags": ["<mark>"], "post_tags": ["</mark>"], "encoder": "html",
            "max_analyzed_offset": 1_000_000,
            "fields": {"content.folded": {"fragment_size": 200, "number_of_fragments": 1,
                                          "no_match_size": 200},
                       "subject.folded": {"number_of_fragments": 0}},
        },
    }


def test_a_caller_without_units_is_filtered_by_name_only():
    body = build_search_body(SearchQuery(text="đường", user_id=ALICE, unit_ids=()))
    assert body["query"]["bool"]["filter"] == [
        {"bool": {"should": [{"term": {"acl_users": ALICE}}], "minimum_should_match": 1}}]
    assert "should" not in body["query"]["bool"]


def test_bulk_indexes_by_revision_and_deletes_secret_documents():
    doc = article_doc(1, revision=7, content="  nội dung  ", register_id="reg-1",
                      issuer_organ_id="000.00.00.H41")
    operations = bulk_operations([doc, article_doc(2, confidentiality="secret"),
                                  article_doc(3)], alias="eoffice-documents")
    assert operations[0] == {"index": {"_index": "eoffice-documents", "_id": "doc-1",
                                       "version": 7, "version_type": "external_gte"}}
    assert operations[1] == {
        "document_id": "doc-1", "unit_id": UNIT_A, "direction": "incoming",
        "subject": "Mắc đường dây tải điện, thông tin liên lạc qua bất động sản khác",
        "content": "  nội dung  ", "code_number": "101", "code_notation": "UBND-VP",
        "issuer_name": "Ủy ban nhân dân tỉnh Nghệ An", "document_type": "CV",
        "document_type_name": "Công văn", "urgency": "normal", "confidentiality": "none",
        "arrival_number": 2, "arrival_date": "2024-03-02", "issued_date": "2024-02-02",
        "sort_at": "2024-03-01T17:00:00+00:00", "register_id": "reg-1",
        "issuer_organ_id": "000.00.00.H41",
        "acl_units": [UNIT_A], "acl_users": [], "registered_at": "2024-03-01T08:00:00+07:00",
        "revision": 7,
        "meta": "101 UBND-VP Ủy ban nhân dân tỉnh Nghệ An Công văn"}
    assert operations[2] == {"delete": {"_index": "eoffice-documents", "_id": "doc-2"}}
    assert operations[3] == {"index": {"_index": "eoffice-documents", "_id": "doc-3"}}
    assert len(operations) == 5


def test_an_answer_becomes_items_with_snippets_and_facets():
    query = SearchQuery(text="đường", user_id=ALICE, unit_ids=(UNIT_A,), page=2, page_size=1)
    source = {k: v for k, v in article_doc(1).items() if k in (
        "document_id", "subject", "code_number", "unit_id", "urgency")}
    answer = {
        "hits": {"total": {"value": 3, "relation": "eq"}, "hits": [
            {"_id": "doc-1", "_score": 2.345678, "_source": source,
             "highlight": {"content.folded": ["mắc <mark>đường</mark> dây"],
                           "subject.folded": ["Mắc <mark>đường</mark> dây tải điện"]}},
            {"_id": "doc-9", "_score": 1.0, "_source": {"document_id": "doc-9"},
             "highlight": {"content.folded": ["Phần đầu &lt;nội dung&gt;"],
                           "subject.folded": ["<mark>Đường</mark> số 9"]}},
            {"_id": "doc-8", "_score": 0.5, "_source": {"document_id": "doc-8"},
             "highlight": {"content.folded": ["Phần đầu"]}},
        ]},
        "aggregations": {
            "document_type": {"buckets": [{"key": "CV", "doc_count": 2},
                                          {"key": "QD", "doc_count": 1}]},
            "urgency": {"buckets": [{"key": "normal", "doc_count": 3}]}},
    }
    result = parse_search_response(query, answer)
    assert (result.total, result.page, result.page_size) == (3, 2, 1)
    assert result.items[0]["snippet"] == "mắc <mark>đường</mark> dây"
    assert result.items[0]["score"] == 2.3457
    assert result.items[0]["subject"] == source["subject"]
    assert result.items[0]["issued_date"] is None
    assert result.items[1]["snippet"] == "<mark>Đường</mark> số 9"   # matched in the subject
    assert result.items[2]["snippet"] == "Phần đầu"                   # matched on its number
    assert result.facets == {"document_type": {"CV": 2, "QD": 1}, "urgency": {"normal": 3}}


def test_search_url_selects_the_backend(tmp_path):
    backend = open_backend("https://search.internal:9200", str(tmp_path))
    assert isinstance(backend, ElasticsearchBackend) and backend.alias == "eoffice-documents"
    backend.close()
    with pytest.raises(ValueError):
        open_backend("solr://somewhere", str(tmp_path))


# -- on the wire ---------------------------------------------------------------------------

class RecordingElasticsearch(BaseHTTPRequestHandler):
    """Answers the few calls the backend makes, as Elasticsearch 9 would, and
    records each request (method, path, query, body)."""
    requests: list = []
    aliases: set = set()

    def _answer(self, status: int, body=None):
        payload = json.dumps(body if body is not None else {}).encode()
        self.send_response(status)
        self.send_header("X-Elastic-Product", "Elasticsearch")
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload) if self.command != "HEAD" else 0))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)

    def _handle(self):
        url = urlsplit(self.path)
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        if "ndjson" in (self.headers.get("Content-Type") or ""):
            body = [json.loads(line) for line in raw.splitlines() if line]
        else:
            body = json.loads(raw) if raw else None
        self.requests.append((self.command, url.path, url.query, body))
        parts = url.path.strip("/").split("/")
        if self.command == "HEAD" and parts[0] == "_alias":
            return self._answer(200 if parts[1] in self.aliases else 404)
        if self.command == "PUT" and parts[0] == "_index_template":
            return self._answer(200, {"acknowledged": True})
        if parts[-1] == "_bulk":
            items = [{next(iter(op)): {"_id": op[next(iter(op))]["_id"], "status": 201}}
                     for op in body if next(iter(op)) in ("index", "delete")]
            return self._answer(200, {"errors": False, "items": items})
        if self.command == "PUT" and parts[-1] == "_mapping":
            return self._answer(200, {"acknowledged": True})
        if self.command == "PUT" and len(parts) == 1:
            self.aliases.update((body or {}).get("aliases", {}))
            return self._answer(200, {"acknowledged": True, "index": parts[0]})
        if parts[-1] == "_search" and "broken" in parts[0]:
            return self._answer(503, {"error": {"type": "search_phase_execution_exception",
                                                "reason": "all shards failed"}})
        if parts[-1] == "_search":
            return self._answer(200, {"hits": {"total": {"value": 0}, "hits": []},
                                      "aggregations": {}})
        if parts[-1] == "_count":
            return self._answer(200, {"count": 1})
        if parts[-1] == "_delete_by_query":
            return self._answer(200, {"deleted": 1, "failures": []})
        if self.command == "GET" and parts[0] == "_alias":
            return self._answer(200, {"eoffice-documents-v1": {
                "aliases": {parts[1]: {"is_write_index": True}}}})
        if self.command == "POST" and parts[0] == "_aliases":
            return self._answer(200, {"acknowledged": True})
        if self.command == "DELETE" and len(parts) == 1:
            return self._answer(200, {"acknowledged": True})
        if self.command == "DELETE":
            return self._answer(404, {"_id": parts[-1], "result": "not_found"})
        return self._answer(400, {"error": {"type": "unexpected", "reason": self.path}})

    do_GET = do_POST = do_PUT = do_DELETE = do_HEAD = _handle

    def log_message(self, *args):
        pass


@pytest.fixture
def recording_server():
    RecordingElasticsearch.requests = []
    RecordingElasticsearch.aliases = set()
    server = ThreadingHTTPServer(("127.0.0.1", 0), RecordingElasticsearch)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", RecordingElasticsearch.requests
    server.shutdown()
    server.server_close()


def test_the_official_client_sends_these_bodies_to_the_alias(recording_server):
    """Template first, the v1 index behind the alias once, bulk with refresh so a
    document is searchable on return, searches through the alias, deletes in every
    index of the alias's pattern (one being rebuilt too)."""
    url, requests = recording_server
    backend = ElasticsearchBackend(url)
    query = SearchQuery(text="đường", user_id=ALICE, unit_ids=(UNIT_A,))
    assert backend.upsert_many([article_doc(1), article_doc(2, confidentiality="secret")]) == 1
    assert backend.search(query).total == 0
    assert backend.count() == 1
    backend.delete("doc-1")
    backend.close()
    assert [(method, path, params) for method, path, params, _ in requests] == [
        ("PUT", "/_index_template/eoffice-documents", ""),
        ("HEAD", "/_alias/eoffice-documents", ""),
        ("PUT", "/eoffice-documents-v1", ""),
        ("PUT", "/_bulk", "refresh=wait_for"),
        ("POST", "/eoffice-documents/_search", ""),
        ("POST", "/eoffice-documents/_count", ""),
        ("POST", "/eoffice-documents-*/_delete_by_query", "conflicts=proceed&refresh=true"),
    ]
    assert requests[0][3] == index_template()
    assert requests[2][3] == {"aliases": {"eoffice-documents": {"is_write_index": True}}}
    assert requests[3][3] == bulk_operations([article_doc(1),
                                              article_doc(2, confidentiality="secret")])
    assert requests[4][3] == build_search_body(query)


def test_a_rebuild_fills_a_new_index_then_moves_the_alias_in_one_request(recording_server):
    """start: a new index by the template; fill: bulk into it by name; finish: one
    _aliases request removes the alias from the old index and adds it to the new, as
    the write index; then the old index is deleted."""
    url, requests = recording_server
    RecordingElasticsearch.aliases.add("eoffice-documents")
    backend = ElasticsearchBackend(url)
    target = backend.start_rebuild("r1")
    target.upsert_many([article_doc(1)])
    backend.finish_rebuild(target)
    backend.close()
    calls = [(method, path) for method, path, _, _ in requests[3:]]
    assert calls == [("DELETE", "/eoffice-documents-r1"), ("PUT", "/eoffice-documents-r1"),
                     ("PUT", "/_bulk"), ("GET", "/_alias/eoffice-documents"),
                     ("POST", "/_aliases"), ("DELETE", "/eoffice-documents-v1")]
    assert requests[5][3] == bulk_operations([article_doc(1)], "eoffice-documents-r1")
    assert requests[7][3] == {"actions": [
        {"remove": {"index": "eoffice-documents-v1", "alias": "eoffice-documents"}},
        {"add": {"index": "eoffice-documents-r1", "alias": "eoffice-documents",
                 "is_write_index": True}}]}


def test_an_index_made_by_an_earlier_version_gets_the_fields_added_since(recording_server):
    """The alias exists already: no new index, the current mapping is put on it (adding
    a field such as state is allowed on a live index)."""
    url, requests = recording_server
    RecordingElasticsearch.aliases.add("eoffice-documents")
    backend = ElasticsearchBackend(url)
    backend.count()
    backend.close()
    assert [(method, path) for method, path, _, _ in requests[:3]] == [
        ("PUT", "/_index_template/eoffice-documents"), ("HEAD", "/_alias/eoffice-documents"),
        ("PUT", "/eoffice-documents/_mapping")]
    assert requests[2][3] == {"properties": index_mappings()["properties"]}
    assert requests[2][3]["properties"]["state"] == {"type": "keyword"}


def test_elasticsearch_failing_or_unreachable_is_service_unavailable(recording_server):
    """A failing cluster (5xx) or no cluster at all: 503 for the caller, not a 500."""
    url, _ = recording_server
    query = SearchQuery(text="đường", user_id=ALICE, unit_ids=(UNIT_A,))
    failing = ElasticsearchBackend(url, alias="broken")
    with pytest.raises(ServiceUnavailable):
        failing.search(query)
    failing.close()
    unreachable = ElasticsearchBackend("http://127.0.0.1:9")
    with pytest.raises(ServiceUnavailable):
        unreachable.search(query)
    with pytest.raises(ServiceUnavailable):
        unreachable.count()
    unreachable.close()
