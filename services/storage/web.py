"""HTTP plumbing of the storage service: JSON responses, the error envelope of
API.md, CORS for browsers uploading straight to a signed URL, and
``Content-Disposition`` for downloads.

``json_http`` is the common ``@http`` with the JSON error envelope
(services/common/http.py) plus CORS headers.
"""
from __future__ import annotations

import unicodedata
from urllib.parse import quote

from werkzeug.wrappers import Response

from services.common.http import EnvelopeHttpHandler

CORS_HEADERS = {
    # The signed URL is the credential, so any origin may use it.
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "PUT, GET, OPTIONS",
    "Access-Control-Allow-Headers": "Content-Type",
    "Access-Control-Expose-Headers": "Content-Disposition, Content-Length",
    "Access-Control-Max-Age": "600",
}


def with_cors(response: Response) -> Response:
    for name, value in CORS_HEADERS.items():
        response.headers.setdefault(name, value)
    return response


class JsonHttpHandler(EnvelopeHttpHandler):
    """``@http`` with the common JSON error envelope and CORS headers on every answer."""

    def finish_response(self, response):
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
