"""Live delivery to browsers: each open server-sent-events stream of this gateway
process has a queue; notify's ``notification_created`` broadcasts put each new
notification on the queues of its user. Best effort by design — the notifications
inbox is the record, the stream only saves the browser a poll.

A stream belongs to one session and lasts no longer than the access token it was
opened for: it ends (an "end" event, then the connection closes) when that token
expires or its session or token version is revoked (``close``)."""
from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from dataclasses import dataclass, field

from eventlet.queue import Empty, Full, LightQueue

log = logging.getLogger(__name__)

KEEPALIVE_SECONDS = 15
QUEUE_LIMIT = 100          # a stalled browser loses old pushes, never the gateway's memory


@dataclass(eq=False)
class Subscription:
    user_id: str
    session_id: str = ""
    token_version: int = 0
    expires_at: float = float("inf")
    queue: LightQueue = field(default_factory=lambda: LightQueue(QUEUE_LIMIT))
    ended: str = ""            # why the stream must end: "revoked"


class LiveChannels:
    def __init__(self):
        self._subscriptions: dict[str, set] = defaultdict(set)

    def subscribe(self, user_id: str, session_id: str = "", token_version: int = 0,
                  expires_at: float = float("inf")) -> Subscription:
        subscription = Subscription(user_id, session_id, token_version, expires_at)
        self._subscriptions[user_id].add(subscription)
        return subscription

    def unsubscribe(self, subscription: Subscription) -> None:
        self._subscriptions[subscription.user_id].discard(subscription)
        if not self._subscriptions[subscription.user_id]:
            del self._subscriptions[subscription.user_id]

    def publish(self, user_id: str, payload: dict) -> int:
        delivered = 0
        for subscription in list(self._subscriptions.get(user_id, ())):
            if subscription.queue.full():
                continue
            subscription.queue.put_nowait(payload)
            delivered += 1
        return delivered

    def close(self, session_id: str = "", user_id: str = "", min_version: int = 0) -> int:
        """End the streams of a revoked session, or a user's streams opened with a token
        version below ``min_version``. Returns how many."""
        closed = 0
        for subscriptions in list(self._subscriptions.values()):
            for subscription in list(subscriptions):
                if (session_id and subscription.session_id == session_id) or \
                        (user_id and subscription.user_id == user_id
                         and subscription.token_version < min_version):
                    subscription.ended = "revoked"
                    try:
                        subscription.queue.put_nowait(None)   # wake the stream
                    except Full:
                        pass   # it wakes anyway: its queue holds something
                    closed += 1
        return closed

    def listeners(self) -> int:
        return sum(len(s) for s in self._subscriptions.values())


def event_stream(channels: LiveChannels, user_id: str, unread: int, session_id: str = "",
                 token_version: int = 0, expires_at: float = float("inf")):
    """The text/event-stream body for one browser: the unread count first, then each
    new notification as it comes, and a comment line now and then to keep proxies from
    closing the connection; an "end" event {reason: "expired" | "revoked"} last."""
    subscription = channels.subscribe(user_id, session_id, token_version, expires_at)
    try:
        yield "retry: 3000\n\n".encode()
        yield _frame("unread", {"unread": unread})
        while True:
            left = expires_at - time.time()
            if subscription.ended or left <= 0:
                yield _frame("end", {"reason": subscription.ended or "expired"})
                return
            try:
                payload = subscription.queue.get(timeout=min(KEEPALIVE_SECONDS, left))
            except Empty:
                if time.time() < expires_at:
                    yield b": keepalive\n\n"
                continue
            if payload is not None and not subscription.ended:
                yield _frame("notification", payload)
    finally:
        channels.unsubscribe(subscription)


def _frame(event: str, data: dict) -> bytes:
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n".encode()


CHANNELS = LiveChannels()
