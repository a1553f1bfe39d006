"""The gateway's HTTP entrypoint: the common JSON error envelope and request ids
(services/common/http.py), reading JSON bodies, input the stack cannot hold refused at
the edge, and no caching of API answers."""
from __future__ import annotations

import hashlib
import json
import re
from urllib.parse import urlsplit

from werkzeug.wrappers import Response

from services.common.config import settings_from
from services.common.errors import InvalidInput, TooLarge
from services.common.http import EnvelopeHttpHandler

MAX_JSON_BYTES = 1024 * 1024
IDEMPOTENCY_KEY_RE = re.compile(r"^[\x21-\x7e]{1,200}$")   # visible ASCII, no spaces
#: Deepest nesting of arrays and objects in a body: no request needs more than a few
#: levels, and a deep one (100,000 ``[``) broke the parser and the services after it.
MAX_JSON_DEPTH = 32
#: Largest integer magnitude in a body (JSON's safe integers); the services bound each
#: field more tightly, and nothing bigger may reach a database column.
MAX_JSON_INTEGER = 2 ** 53
#: Characters no text may hold: control characters other than tab and newline (NUL
#: cannot be stored in PostgreSQL at all), and lone surrogates (not encodable).
FORBIDDEN_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\ud800-\udfff]")


def refuse_bad_text(where: str, value: str) -> None:
    """400 naming ``where`` if ``value`` holds a forbidden character."""
    if FORBIDDEN_CHARS.search(value):
        raise InvalidInput(
            f"Dữ liệu không hợp lệ: {where}.", f"Invalid input: {where}.",
            {where: {"vi": "Chứa ký tự điều khiển không được phép.",
                     "en": "Contains a control character that is not allowed."}})


def check_json_value(body) -> None:
    """Walk a parsed body (without recursion): nesting depth, integer sizes, and no
    forbidden characters in any key or string."""
    stack = [(body, 1, "body")]
    while stack:
        value, depth, where = stack.pop()
        if isinstance(value, (dict, list)) and depth > MAX_JSON_DEPTH:
            raise InvalidInput(
                f"Dữ liệu lồng nhau quá sâu (tối đa {MAX_JSON_DEPTH} mức).",
                f"The body is nested too deeply ({MAX_JSON_DEPTH} levels at most).",
                {"body": {"vi": "Lồng nhau quá sâu.", "en": "Nested too deeply."}})
        if isinstance(value, dict):
            for key, item in value.items():
                refuse_bad_text(where, key)
                stack.append((item, depth + 1, key))
        elif isinstance(value, list):
            stack.extend((item, depth + 1, where) for item in value)
        elif isinstance(value, str):
            refuse_bad_text(where, value)
        elif isinstance(value, int) and not isinstance(value, bool) and \
                abs(value) > MAX_JSON_INTEGER:
            raise InvalidInput(
                f"Dữ liệu không hợp lệ: {where}.", f"Invalid input: {where}.",
                {where: {"vi": "Số quá lớn.", "en": "The number is too large."}})


STRINGS = re.compile(rb'"(?:[^"\\]|\\.)*"', re.DOTALL)
BRACKETS = re.compile(rb"[\[\]{}]")


def nesting_of(raw: bytes) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings skipped)."""
    depth = deepest = 0
    for bracket in BRACKETS.findall(STRINGS.sub(b"", raw)):
        depth += 1 if bracket in (b"[", b"{") else -1
        deepest = max(deepest, depth)
    return deepest


def _no_constant(name):
    raise ValueError(f"{name} is not JSON")


def read_json(request) -> dict:
    """The request's JSON object body; 400/413 with a clear message otherwise."""
    raw = b"" if (request.content_length or 0) > MAX_JSON_BYTES else \
        request.get_data(cache=True)
    if (request.content_length or 0) > MAX_JSON_BYTES or len(raw) > MAX_JSON_BYTES:
        raise TooLarge("Nội dung yêu cầu quá lớn (tối đa 1 MB).",
                       "The request body is too large (1 MB at most).")
    try:
        if nesting_of(raw) > MAX_JSON_DEPTH:   # before the parser recurses into it
            raise RecursionError
        body = json.loads(raw.decode("utf-8"), parse_constant=_no_constant) if raw else None
    except (UnicodeDecodeError, ValueError):
        raise InvalidInput("Nội dung không phải JSON hợp lệ (UTF-8).",
                           "The body is not valid JSON (UTF-8).")
    except RecursionError:
        raise InvalidInput(
            f"Dữ liệu lồng nhau quá sâu (tối đa {MAX_JSON_DEPTH} mức).",
            f"The body is nested too deeply ({MAX_JSON_DEPTH} levels at most).",
            {"body": {"vi": "Lồng nhau quá sâu.", "en": "Nested too deeply."}})
    if not isinstance(body, dict):
        raise InvalidInput("Nội dung phải là một đối tượng JSON.",
                           "The body must be a JSON object.")
    check_json_value(body)
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
def validated_response(request, content: bytes, content_type: str) -> Response:
    """``content`` with a strong ETag (its hash) and Cache-Control: no-cache — the
    browser keeps it but asks each time whether it changed; a 304 without the body when
    the request's If-None-Match names the ETag."""
    etag = hashlib.sha256(content).hexdigest()[:32]
    headers = {"ETag": f'"{etag}"', "Cache-Control": "no-cache"}
    if request.if_none_match.contains_weak(etag):
        return Response(status=304, headers=headers)
    return Response(content, headers={"Content-Type": content_type, **headers})


#: On every answer of the gateway (the web UI's pages and the API alike).
SECURITY_HEADERS = {"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY",
                    "Referrer-Policy": "no-referrer"}


def content_security_policy(storage_public_url: str) -> str:
    """The web UI's CSP: its own scripts and styles only (no inline ones, no eval), and
    requests to itself and to storage's upload URLs; never framed."""
    parts = urlsplit(storage_public_url)
    storage = f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
    return ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            f"connect-src 'self' {storage}".rstrip() + "; object-src 'none'; "
            "base-uri 'none'; form-action 'self'; frame-ancestors 'none'")


class ApiHandler(EnvelopeHttpHandler):
    """``@http`` for the API: the envelope, request ids, never cached (unless the answer
    says otherwise: validated_response), security headers
    and the web UI's CSP, and path and query values with forbidden characters refused
    before any service sees them."""

    def setup(self):
        super().setup()
        self.csp = content_security_policy(
            settings_from(self.container.config).storage_public_url)

    def get_entrypoint_parameters(self, request):
        args, kwargs = super().get_entrypoint_parameters(request)
        for name, value in kwargs.items():
            if isinstance(value, str):
                refuse_bad_text(name, value)
        for name, value in request.args.items(multi=True):
            refuse_bad_text(name, name)
            refuse_bad_text(name, value)
        return args, kwargs

    def finish_response(self, response):
        response.headers.setdefault("Cache-Control", "no-store")
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        response.headers.setdefault("Content-Security-Policy", self.csp)
        return response


http = ApiHandler.decorator
