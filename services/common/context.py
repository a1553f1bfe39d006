"""The request id of the work in progress, for logs: the gateway puts it in the
nameko context data, nameko forwards it in message headers to every service the
request touches, and this provider exposes it to the log formatter."""
from __future__ import annotations

import json
import logging
import threading

from nameko.extensions import DependencyProvider

_current = threading.local()   # green-thread local once eventlet has patched threading


def current_request_id() -> str | None:
    return getattr(_current, "request_id", None)


def set_request_id(value: str | None) -> None:
    _current.request_id = value


class RequestContext(DependencyProvider):
    def worker_setup(self, worker_ctx):
        set_request_id(worker_ctx.data.get("request_id")
                       or (worker_ctx.call_id_stack or [None])[0])

    def worker_teardown(self, worker_ctx):
        set_request_id(None)

    def get_dependency(self, worker_ctx):
        return worker_ctx.data.get("request_id")


class JsonFormatter(logging.Formatter):
    """One JSON object a line, with the request id when there is one."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = current_request_id()
        if request_id:
            entry["request_id"] = request_id
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)
