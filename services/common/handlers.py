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


def handlers_of(source_service: str, event_types, handle: str, doc: str = "") -> type:
    """A mixin with one retried event handler per event type, each named
    ``on_<source>_<type>`` and calling ``self.<handle>(message, <its own name>)``.

    For a service that treats a family of events alike. The names are those a hand-written
    handler would have, and nameko names each handler's queue after its method, so events
    waiting in a queue are still consumed after an upgrade."""
    methods = {"__doc__": doc}
    for event_type in event_types:
        name = f"on_{source_service}_{event_type}"

        def handler(self, message, _name=name):
            return getattr(self, handle)(message, _name)

        handler.__name__ = handler.__qualname__ = name
        methods[name] = event_handler(source_service, event_type)(handler)
    return type(f"{source_service.title()}EventHandlers", (), methods)
