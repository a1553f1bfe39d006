"""HTTP plumbing of the storage service: JSON responses, the error envelope of
API.md, CORS for browsers uploading straight to a signed URL, and
``Content-Disposition`` for downloads.

``json_http`` is nameko's ``@http`` whose errors come back as
``{"error": CODE, "message": <vi|en by Accept-Language>, "details": {...}}`` with
the error's own status, instead of nameko's plain-text 400/500. The worker still
raises, so metrics count the call as rejected.
"""
from __future__ import annotations

import json
import logging
import unicodedata
from functools import partial
from urllib.parse import quote

from eventlet.event import Event
from nameko.web.handlers import HttpRequestHandler
from werkzeug.wrappers import Response

from services.common.errors import EXPECTED_ERRORS, EofficeError

log = logging.getLogger(__name__)

CORS_HEADERS = {
    # The signed URL is the credential, so any origin may use it.
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "PUT, GET, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Expose-Headers": "Content-Disposition, Content-Length",
    "Access-Control-Max-Age": "600",
}


def language_of(request) -> str:
    try:
        return request.accept_languages.best_match(["vi", "en"], default="vi") or "vi"
    except Exception:  # noqa: BLE001 - a malformed header falls back to Vietnamese
        return "vi"


def json_response(payload, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False, default=str), status=status,
                    headers=headers, mimetype="application/json")


def error_response(exc: EofficeError, language: str) -> Response:
    return json_response({"error": exc.code, "message": exc.message(language),
                          "details": exc.details}, status=exc.status)


def with_cors(response: Response) -> Response:
    for name, value in CORS_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


class JsonHttpHandler(HttpRequestHandler):
    """``@http`` with the JSON error envelope and CORS headers on every answer."""

    def __init__(self, method, url, **kwargs):
        kwargs.setdefault("expected_exceptions", EXPECTED_ERRORS)
        super().__init__(method, url, **kwargs)

    def handle_request(self, request):
        request.shallow = False
        language = language_of(request)
        try:
            context_data = self.server.context_data_from_headers(request)
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            event = Event()
            self.container.spawn_worker(self, args, kwargs, context_data=context_data,
                                        handle_result=partial(self.handle_result, event))
            result = event.wait()
            response = self.response_from_result(result)
        except EofficeError as exc:
            response = error_response(exc, language)
        except Exception:   # noqa: BLE001 - answer 500 in the envelope, log the cause
            log.exception("unexpected error in %s %s", request.method, request.path)
            response = error_response(EofficeError(), language)
        return with_cors(response)


json_http = JsonHttpHandler.decorator


class StreamBody:
    """A response body read chunk by chunk from a blob reader. The WSGI server
    calls ``close()`` when the response ends, is cut short, or is never iterated
    (HEAD), so the reader (an S3 connection) is always given back."""

    def __init__(self, reader, chunk_size: int = 1 << 16):
        self.reader = reader
        self.chunk_size = chunk_size
        self.closed = False

    def __iter__(self):
        while True:
            chunk = self.reader.read(self.chunk_size)
            if not chunk:
                break
            yield chunk

    def close(self):
        if not self.closed:
            self.closed = True
            self.reader.close()


def _ascii_fallback(filename: str) -> str:
    folded = filename.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFKD", folded).encode("ascii", "ignore").decode("ascii")
    cleaned = "".join(ch if ch.isprintable() and ch not in '"\\;' else "_" for ch in folded)
    return cleaned.strip() or "download"


def content_disposition(filename: str, disposition: str = "attachment") -> str:
    """``attachment; filename="ascii"; filename*=UTF-8''percent-encoded`` (RFC 6266/5987)."""
    return (f'{disposition}; filename="{_ascii_fallback(filename)}"; '
            f"filename*=UTF-8''{quote(filename, safe='')}")
