"""Each search backend on a throw-away index. Elasticsearch runs only when
ELASTICSEARCH_URL names a server (none can run here); its tests are skipped otherwise."""
import uuid

import pytest

from services.search.backends.tantivy_backend import TantivyBackend
from tests.unit.search.helpers import (ARTICLES, ELASTICSEARCH_URL, article_doc,
                                        needs_elasticsearch)


@pytest.fixture
def tantivy_backend(tmp_path):
    backend = TantivyBackend(str(tmp_path / "index"))
    yield backend
    backend.close()


@pytest.fixture(params=[
    "tantivy", pytest.param("elasticsearch", marks=needs_elasticsearch)])
def backend(request):
    """Each backend, empty, on its own index."""
    if request.param == "tantivy":
        yield request.getfixturevalue("tantivy_backend")
        return
    from services.search.backends.elasticsearch_backend import ElasticsearchBackend
    alias = f"eoffice-test-{uuid.uuid4().hex[:10]}"
    backend = ElasticsearchBackend(ELASTICSEARCH_URL, alias=alias)
    yield backend
    backend.client.indices.delete(index=f"{alias}-*", ignore_unavailable=True)
    backend.client.indices.delete_index_template(name=alias)
    backend.close()


@pytest.fixture
def corpus(backend):
    """The backend holding the five articles (all of unit A)."""
    backend.upsert_many([article_doc(i) for i in range(len(ARTICLES))])
    return backend
