"""The HTTP side of the error contract, for every service that serves HTTP (the
gateway's API, storage's upload and download URLs): one JSON envelope
``{error, message, details}``, messages in Vietnamese (default) or English by
Accept-Language, and a request id on every response that follows the request through
every service it touches."""
from __future__ import annotations

import io
import json
import logging
import re
import uuid
from functools import partial

import eventlet
from eventlet import wsgi
from eventlet.event import Event
from nameko.web.handlers import HttpRequestHandler
from nameko.web.server import HttpOnlyProtocol, WebServer
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from services.common.errors import EXPECTED_ERRORS, EofficeError, TooLarge

log = logging.getLogger(__name__)
REQUEST_ID_RE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")


def language_of(request) -> str:
    try:
        return request.accept_languages.best_match(["vi", "en"], default="vi") or "vi"
    except Exception:  # noqa: BLE001 - a malformed header falls back to Vietnamese
        return "vi"


def json_response(payload, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(payload, ensure_ascii=False, default=str), status=status,
                    mimetype="application/json", headers=headers)


def error_response(exc: Exception, language: str) -> Response:
    if isinstance(exc, EofficeError):
        details = {field: (problem.get(language, problem.get("en")) if isinstance(problem, dict)
                           else problem) for field, problem in (exc.details or {}).items()}
        retry_after = str(details.get("retry_after", ""))
        headers = {"Retry-After": retry_after} \
            if retry_after.isdigit() and exc.status in (429, 503) else None
        return json_response({"error": exc.code, "message": exc.message(language),
                              "details": details}, exc.status, headers)
    if isinstance(exc, HTTPException):
        code = {404: "NOT_FOUND", 405: "METHOD_NOT_ALLOWED"}.get(exc.code, "BAD_REQUEST")
        return json_response({"error": code, "message": exc.description, "details": {}},
                             exc.code)
    log.exception("unexpected error answering an HTTP request", exc_info=exc)
    message = ("Lỗi hệ thống không mong đợi; lỗi đã được ghi lại."
               if language == "vi" else "Unexpected error; it has been logged.")
    return json_response({"error": "UNEXPECTED_ERROR", "message": message, "details": {}}, 500)


#: Longest request line served. eventlet's default (8 KB) refused a search of 1,000
#: Vietnamese characters (about 9 KB once percent-encoded) with a bare 414 before any
#: of our code could answer; the search service itself names a query over 1,000
#: characters in a 400.
MAX_REQUEST_LINE = 32 * 1024


#: Query parameters whose values are secrets: signed URLs' signatures, tickets, tokens.
_SECRET_QUERY = re.compile(
    r"([?&;](?:[\w.-]*?(?:signature|sig|token|ticket|secret|password|credential)[\w.-]*)=)"
    r"[^&;\s\"']*", re.IGNORECASE)
_BEARER = re.compile(r"\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_AUTH_HEADER = re.compile(r"((?:Authorization|Cookie|X-Api-Key)['\"]?\s*[:=]\s*['\"]?)"
                          r"[^'\"\s]+(?:[ \t]+[^'\"\s]+)?", re.IGNORECASE)
_JWT = re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+")
REDACTED = "[redacted]"


def redact(text: str) -> str:
    """``text`` with secrets replaced: secret query values, Authorization (and Cookie)
    header values, bearer credentials and anything shaped like a JWT."""
    text = _SECRET_QUERY.sub(lambda m: m.group(1) + REDACTED, text)
    text = _AUTH_HEADER.sub(lambda m: m.group(1) + REDACTED, text)
    text = _BEARER.sub(lambda m: m.group(1) + " " + REDACTED, text)
    return _JWT.sub(REDACTED, text)


class RedactingFilter(logging.Filter):
    """Keeps tokens and signatures out of log lines (eventlet's access log prints each
    request line, query string included): the record's message is redacted in place."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:   # noqa: BLE001 - a badly formatted record is left as it is
            return True
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:   # tracebacks may quote a URL
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        return True


#: The logger the web servers write their access lines and errors to, redacted.
ACCESS_LOG = logging.getLogger(__name__ + ".access")
ACCESS_LOG.addFilter(RedactingFilter())
log.addFilter(RedactingFilter())


class LongRequestLineWebServer(WebServer):
    """nameko's web server with room for long query strings (MAX_REQUEST_LINE); its
    log lines go through RedactingFilter."""

    def get_wsgi_server(self, sock, wsgi_app, protocol=HttpOnlyProtocol, debug=False):
        return wsgi.Server(sock, sock.getsockname(), wsgi_app, protocol=protocol, debug=debug,
                           log=ACCESS_LOG, url_length_limit=MAX_REQUEST_LINE)


#: Largest request body an entrypoint is handed (the API's JSON bodies). Storage's
#: upload PUT opts out and streams its bytes itself, bounded by the reservation.
MAX_BODY_BYTES = 1024 * 1024
#: After a body is refused, at most this much more of it (and for at most this long)
#: is read and dropped before the connection is closed, so that a client still
#: sending sees the 413 rather than a reset; the rest is never read.
LINGER_BYTES = 64 * 1024 * 1024
LINGER_SECONDS = 10


def body_too_large(limit: int) -> TooLarge:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} byte"
    return TooLarge(f"Nội dung yêu cầu quá lớn (tối đa {size}).",
                    f"The request body is too large ({size} at most).", {"limit": limit})


def cap_body(request, limit: int | None) -> None:
    """Refuse a body over ``limit`` bytes before anything reads it or checks a token:
    by its Content-Length, or, for a chunked body, by reading at most ``limit + 1``
    bytes (kept in memory for the entrypoint). None: the entrypoint streams it."""
    if limit is None:
        return
    environ = request.environ
    if environ.get("HTTP_TRANSFER_ENCODING", "").lower() == "chunked":
        data = environ["wsgi.input"].read(limit + 1)
        if len(data) > limit:
            raise body_too_large(limit)
        environ["wsgi.input"] = io.BytesIO(data)
        environ["CONTENT_LENGTH"] = str(len(data))
        del environ["HTTP_TRANSFER_ENCODING"]   # werkzeug reads no length from chunked
        return
    if (request.content_length or 0) > limit:
        raise body_too_large(limit)


def hang_up_after_response(environ) -> bool:
    """The rest of a refused body is not read in full (eventlet would read it all to
    keep the connection): a bounded part is dropped, then the connection is closed.
    False if the whole body was read (the connection may stay)."""
    stream = environ.get("eventlet.input")
    if stream is None or not (stream.chunked_input or
                              stream.position < (stream.content_length or 0)):
        return False
    stream.chunked_input = False
    stream.content_length = stream.position   # eventlet: nothing left to discard

    def linger(environ):
        dropped = 0
        try:
            with eventlet.Timeout(LINGER_SECONDS, False):
                while dropped < LINGER_BYTES:
                    chunk = stream.rfile.read1(1 << 16)
                    if not chunk:
                        break
                    dropped += len(chunk)
        except (OSError, ValueError):
            pass
        stream.rfile.close()   # eventlet then ends the connection

    environ["eventlet.posthooks"].append((linger, (), {}))
    return True


class EnvelopeHttpHandler(HttpRequestHandler):
    """nameko's ``@http`` with the error envelope and request ids. The worker still
    raises, so metrics count a refused call as rejected. Subclasses may adjust every
    response in ``finish_response``. Every HTTP entrypoint of a service must use this
    handler (or a subclass): they share one web server, which is this class's."""

    server = LongRequestLineWebServer()

    def __init__(self, method, url, max_body_bytes: int | None = MAX_BODY_BYTES, **kwargs):
        kwargs.setdefault("expected_exceptions", EXPECTED_ERRORS)
        self.max_body_bytes = max_body_bytes
        super().__init__(method, url, **kwargs)

    def handle_request(self, request):
        request.shallow = False
        incoming = request.headers.get("X-Request-Id", "")
        request_id = incoming if REQUEST_ID_RE.match(incoming) else uuid.uuid4().hex
        language = language_of(request)
        try:
            cap_body(request, self.max_body_bytes)
            args, kwargs = self.get_entrypoint_parameters(request)
            self.check_signature(args, kwargs)
            event = Event()
            self.container.spawn_worker(
                self, args, kwargs, context_data={"request_id": request_id},
                handle_result=partial(self.handle_result, event))
            response = self.response_from_result(event.wait())
        except Exception as exc:
            response = error_response(exc, language)
            if isinstance(exc, TooLarge) and hang_up_after_response(request.environ):
                response.headers["Connection"] = "close"   # the client must not reuse it
        response.headers["X-Request-Id"] = request_id
        return self.finish_response(response)

    def finish_response(self, response: Response) -> Response:
        return response


envelope_http = EnvelopeHttpHandler.decorator
