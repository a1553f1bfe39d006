"""Event handlers that never lose an event. Delivery is at-least-once and handlers are
idempotent (inbox.py), so a handler that fails — its database or a service it asks is
down — puts the event back on its queue instead of acknowledging it. It first waits a
moment, so that a dependency that is down is not hammered in a tight redelivery loop."""
from __future__ import annotations

import eventlet
from nameko.events import EventHandler

REQUEUE_DELAY_SECONDS = 2


class RetriedEventHandler(EventHandler):
    def __init__(self, source_service, event_type, **kwargs):
        kwargs.setdefault("requeue_on_error", True)
        super().__init__(source_service, event_type, **kwargs)

    def handle_result(self, message, worker_ctx, result=None, exc_info=None):
        if exc_info is not None:
            eventlet.sleep(REQUEUE_DELAY_SECONDS)
        return super().handle_result(message, worker_ctx, result, exc_info)


event_handler = RetriedEventHandler.decorator
