"""The gateway's HTTP entrypoint: the common JSON error envelope and request ids
(services/common/http.py), reading JSON bodies, and no caching of API answers."""
from __future__ import annotations

import json
import re

from services.common.errors import InvalidInput, TooLarge
from services.common.http import EnvelopeHttpHandler

MAX_JSON_BYTES = 1024 * 1024
IDEMPOTENCY_KEY_RE = re.compile(r"^[\x21-\x7e]{1,200}$")   # visible ASCII, no spaces


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


def idempotency_key(request) -> str | None:
    """The client's ``Idempotency-Key`` for a creating call (a retry with the same key
    gets the first answer); None without one, 400 for one that is not 1-200 visible
    ASCII characters."""
    value = request.headers.get("Idempotency-Key")
    if value is None:
        return None
    if not IDEMPOTENCY_KEY_RE.match(value):
        raise InvalidInput("Khóa chống trùng (Idempotency-Key) phải gồm 1–200 ký tự ASCII "
                           "nhìn thấy được.",
                           "The Idempotency-Key must be 1-200 visible ASCII characters.",
                           {"Idempotency-Key": {"vi": "Không hợp lệ.", "en": "Invalid."}})
    return value


class ApiHandler(EnvelopeHttpHandler):
    """``@http`` for the API: the envelope, request ids, and never cached."""

    def finish_response(self, response):
        response.headers.setdefault("Cache-Control", "no-store")
        return response


http = ApiHandler.decorator
