"""What the gateway serves from itself: the web UI's files (its script as one bundle when
``make web`` built it from the modules as they are: bundle.py), the OpenAPI document and
the vocabulary. The UI's files and the vocabulary carry an ETag with Cache-Control:
no-cache, so a browser keeps them and asks each time whether they changed (a 304 costs
no body); everything else from the API is never stored (http.ApiHandler)."""
from __future__ import annotations

import functools
import json
import mimetypes
import os

from werkzeug.utils import safe_join

from services.common import vocabulary
from services.common.errors import not_found
from services.common.http import json_response
from services.gateway import bundle, openapi
from services.gateway.http import http, validated_response

STATIC_DIR = bundle.STATIC_DIR
#: The vocabulary is code: its JSON (and so its ETag) is fixed for the process's life.
VOCABULARY_JSON = json.dumps(vocabulary.as_api(), ensure_ascii=False).encode("utf-8")


class WebRoutes:
    @http("GET", "/api/v1/openapi.json")
    def openapi_document(self, request):
        return json_response(openapi.build_document())

    @http("GET", "/api/v1/vocabulary")
    def vocabulary(self, request):
        """Every shared list (urgencies, confidentialities, roles, states, kinds of work,
        document types…) as ``{table: [{code, vi, en}]}``; needs no token (nothing in it
        is secret). 304 when If-None-Match names the current ETag."""
        return validated_response(request, VOCABULARY_JSON, "application/json")

    @http("GET", "/")
    def web_index(self, request):
        return self._static(request, "index.html")

    @http("GET", "/static/<path:filename>")
    def web_static(self, request, filename):
        return self._static(request, filename)

    @staticmethod
    def _static(request, filename):
        content = web_bundle().get(filename)
        if content is None:
            path = safe_join(STATIC_DIR, filename)
            if path is None or not os.path.isfile(path):
                raise not_found("tệp giao diện", "UI file", filename)
            with open(path, "rb") as handle:
                content = handle.read()
        mimetype = (mimetypes.guess_type(filename)[0]
                    or ("application/json" if filename.endswith(".map")
                        else "application/octet-stream"))
        if mimetype.startswith("text/") or mimetype == "application/javascript":
            mimetype += "; charset=utf-8"
        return validated_response(request, content, mimetype)


@functools.cache
def web_bundle() -> dict[str, bytes]:
    """The bundle's files (bundle.load), read once per process: the UI's files change
    with a deployment, which starts the gateway again."""
    return bundle.load()
