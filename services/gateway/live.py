"""Live delivery to browsers: each open server-sent-events stream of this gateway
process has a queue; notify's ``notification_created`` broadcasts put each new
notification on the queues of its user. Best effort by design — the notifications
inbox is the record, the stream only saves the browser a poll."""
from __future__ import annotations

import json
import logging
from collections import defaultdict

from eventlet.queue import Empty, LightQueue

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 15
QUEUE_LIMIT = 100          # a stalled browser loses old pushes, never the gateway's memory


class LiveChannels:
    def __init__(self):
        self._queues: dict[str, set] = defaultdict(set)

    def subscribe(self, user_id: str) -> LightQueue:
        queue = LightQueue(QUEUE_LIMIT)
        self._queues[user_id].add(queue)
        return queue

    def unsubscribe(self, user_id: str, queue) -> None:
        self._queues[user_id].discard(queue)
        if not self._queues[user_id]:
            del self._queues[user_id]

    def publish(self, user_id: str, payload: dict) -> int:
        delivered = 0
        for queue in list(self._queues.get(user_id, ())):
            if queue.full():
                continue
            queue.put_nowait(payload)
            delivered += 1
        return delivered

    def listeners(self) -> int:
        return sum(len(q) for q in self._queues.values())


def event_stream(channels: LiveChannels, user_id: str, unread: int):
    """The text/event-stream body for one browser: the unread count first, then each
    new notification as it comes, and a comment line now and then to keep proxies from
    closing the connection."""
    queue = channels.subscribe(user_id)
    try:
        yield "retry: 3000\n\n".encode()
        yield _frame("unread", {"unread": unread})
        while True:
            try:
                payload = queue.get(timeout=KEEPALIVE_SECONDS)
            except Empty:
                yield b": keepalive\n\n"
                continue
            yield _frame("notification", payload)
    finally:
        channels.unsubscribe(user_id, queue)


def _frame(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


CHANNELS = LiveChannels()
