"""The gateway's HTTP entrypoint: the common JSON error envelope and request ids
(services/common/http.py), reading JSON bodies, and no caching of API answers."""
from __future__ import annotations

import json

from services.common.errors import InvalidInput, TooLarge
from services.common.http import EnvelopeHttpHandler

MAX_JSON_BYTES = 1024 * 1024


def read_json(request) -> dict:
    """The request's JSON object body; 400/413 with a clear message otherwise."""
    raw = b"" if (request.content_length or 0) > MAX_JSON_BYTES else \
        request.get_data(cache=True)
    if (request.content_length or 0) > MAX_JSON_BYTES or len(raw) > MAX_JSON_BYTES:
        raise TooLarge("Nội dung yêu cầu quá lớn (tối đa 1 MB).",
                       "The request body is too large (1 MB at most).")
    try:
        body = json.loads(raw.decode("utf-8")) if raw else None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("Nội dung không phải JSON hợp lệ (UTF-8).",
                           "The body is not valid JSON (UTF-8).")
    if not isinstance(body, dict):
        raise InvalidInput("Nội dung phải là một đối tượng JSON.",
                           "The body must be a JSON object.")
    return body


class ApiHandler(EnvelopeHttpHandler):
    """``@http`` for the API: the envelope, request ids, and never cached."""

    def finish_response(self, response):
        response.headers.setdefault("Cache-Control", "no-store")
        return response


http = ApiHandler.decorator
