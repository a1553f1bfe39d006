"""Search backends, chosen by SEARCH_URL: ``tantivy:///path`` (embedded, the default
under DATA_DIR/index) or ``http(s)://host:9200`` (Elasticsearch)."""
from __future__ import annotations

import os

from services.search.backends.base import SearchBackend


def open_backend(search_url: str, data_dir: str) -> SearchBackend:
    if search_url.startswith(("http://", "https://")):
        from services.search.backends.elasticsearch_backend import ElasticsearchBackend
        return ElasticsearchBackend(search_url)
    if search_url.startswith("tantivy://") or not search_url:
        from services.search.backends.tantivy_backend import TantivyBackend
        path = search_url[len("tantivy://"):] or os.path.join(data_dir, "index")
        return TantivyBackend(os.path.abspath(path))
    raise ValueError(f"SEARCH_URL must be tantivy:///path or http(s)://host:port, "
                     f"not {search_url!r}")
