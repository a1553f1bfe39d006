"""The gateway's HTTP entrypoint: one JSON error envelope for every route, messages
in Vietnamese (default) or English by Accept-Language, and a request id on every
response that follows the request through every service it touches."""
from __future__ import annotations

import json
import logging
import re
import uuid
from functools import partial

from eventlet.event import Event
from nameko.web.handlers import HttpRequestHandler
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from services.common.errors import EofficeError, InvalidInput, TooLarge

log = logging.getLogger(__name__)
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
MAX_JSON_BYTES = 1024 * 1024


def language_of(request) -> str:
    header = (request.headers.get("Accept-Language") or "").lower()
    first = header.split(",")[0].strip()
    return "en" if first.startswith("en") else "vi"


def json_response(payload, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False, default=str), status=status,
                    mimetype="application/json", headers=headers)


def error_response(exc: Exception, language: str) -> Response:
    if isinstance(exc, EofficeError):
        details = {field: (problem.get(language, problem.get("en")) if isinstance(problem, dict)
                           else problem) for field, problem in (exc.details or {}).items()}
        return json_response({"error": exc.code, "message": exc.message(language),
                              "details": details}, exc.status)
    if isinstance(exc, HTTPException):
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.code, "BAD_REQUEST")
        return json_response({"error": code, "message": exc.description, "details": {}},
                             exc.code)
    log.exception("unexpected error in the gateway", exc_info=exc)
    message = ("Lỗi hệ thống không mong đợi; lỗi đã được ghi lại."
               if language == "vi" else "Unexpected error; it has been logged.")
    return json_response({"error": "UNEXPECTED_ERROR", "message": message, "details": {}}, 500)


def read_json(request) -> dict:
    """The request's JSON object body; 400/413 with a clear message otherwise."""
    if (request.content_length or 0) > MAX_JSON_BYTES:
        raise TooLarge("Nội dung yêu cầu quá lớn (tối đa 1 MB).",
                       "The request body is too large (1 MB at most).")
    raw = request.get_data(cache=True)
    if len(raw) > MAX_JSON_BYTES:
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


class ApiHandler(HttpRequestHandler):
    """``@http`` with the error envelope and request ids."""

    def handle_request(self, request):
        request.shallow = False
        incoming = request.headers.get("X-Request-Id", "")
        request_id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        language = language_of(request)
        try:
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            event = Event()
            self.container.spawn_worker(
                self, args, kwargs, context_data={"request_id": request_id},
                handle_result=partial(self.handle_result, event))
            response = self.response_from_result(event.wait())
        except Exception as exc:
            response = error_response(exc, language)
        response.headers["X-Request-Id"] = request_id
        response.headers.setdefault("Cache-Control", "no-store")
        return response


http = ApiHandler.decorator
