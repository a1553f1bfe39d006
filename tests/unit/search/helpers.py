"""Documents and searches for the search tests: real Vietnamese law articles
(tests/fixtures/search/articles.json) as documents of unit A."""
import json
import os
import pathlib

import pytest

from services.search.backends.base import SearchQuery

FIXTURES = pathlib.Path(__file__).resolve().parents[2] / "fixtures" / "search"
ARTICLES = json.loads((FIXTURES / "articles.json").read_text(encoding="utf-8"))
ELASTICSEARCH_URL = os.environ.get("ELASTICSEARCH_URL", "")

UNIT_A, UNIT_B = "unit-a", "unit-b"
ALICE, BOB = "user-alice", "user-bob"     # alice works in unit A, bob in unit B

needs_elasticsearch = pytest.mark.skipif(
    not ELASTICSEARCH_URL,
    reason="no Elasticsearch server here: set ELASTICSEARCH_URL=http://host:9200 to run")


def article_doc(index: int, **overrides) -> dict:
    """Article ``index`` of articles.json as a document of unit A: its title is the
    subject (trích yếu), its body the extracted content."""
    article = ARTICLES[index]
    subject, _, body = article["text"].partition("\n")
    doc = {
        "document_id": f"doc-{index}", "unit_id": UNIT_A, "direction": "incoming",
        "subject": subject.strip(), "content": body.strip(),
        "code_number": str(100 + index), "code_notation": "UBND-VP",
        "issuer_name": "Ủy ban nhân dân tỉnh Nghệ An",
        "document_type": "CV", "document_type_name": "Công văn",
        "urgency": "normal", "confidentiality": "none",
        "arrival_number": index + 1, "arrival_date": f"2024-03-0{index + 1}",
        "issued_date": f"2024-02-0{index + 1}",
        "acl_units": [UNIT_A], "acl_users": [],
        "registered_at": "2024-03-01T08:00:00+07:00",
    }
    return doc | overrides


def ask(backend, text, user=ALICE, units=(UNIT_A,), **filters):
    return backend.search(SearchQuery(text=text, user_id=user, unit_ids=units, **filters))


def ids(result) -> list[str]:
    return [item["document_id"] for item in result.items]
