"""Live notifications: a one-time ticket, then a server-sent-events stream fed by
notify's broadcasts (live.py). Mixed into GatewayService, which gives ``auth``,
``documents_rpc`` and ``notify_rpc``."""
from __future__ import annotations

import time

from nameko.events import BROADCAST
from nameko.events import event_handler as nameko_event_handler
from werkzeug.wrappers import Response

from services.common import events
from services.common.errors import Unauthenticated
from services.common.http import json_response
from services.gateway import live
from services.gateway.dependencies import REVOCATIONS
from services.gateway.http import http

# a revoked session's or user's open streams end at once
REVOCATIONS.on_revoke(lambda **what: live.CHANNELS.close(**what))


class NotificationStreamRoutes:
    @http("POST", "/api/v1/notifications/stream-ticket")
    def notification_stream_ticket(self, request):
        """A one-time ticket, valid 30 s, to open the stream with (browsers' EventSource
        sends no headers, and tokens never travel in a URL) → {ticket, expires_in}."""
        token = self.auth.token_of(request)
        return json_response(self.documents_rpc.create_stream_ticket(
            token, self.auth.expires_at(token)), 201)

    @http("GET", "/api/v1/notifications/stream")
    def notification_stream(self, request):
        """Server-sent events for the caller: "unread" {unread} at once, then each new
        "notification" {id, kind, title, body, document_id, urgency, created_at} as
        notify creates it, and "end" {reason} when the access token the ticket was
        made with expires or its session is revoked. Opened with ?ticket= (POST
        /notifications/stream-ticket; single use); ?access_token= is refused."""
        ticket = request.args.get("ticket", "")
        if not ticket:
            raise Unauthenticated("Cần vé mở luồng (?ticket=, từ POST "
                                  "/notifications/stream-ticket).",
                                  "A stream ticket is required (?ticket=, from POST "
                                  "/notifications/stream-ticket).")
        opened = self.documents_rpc.redeem_stream_ticket(self.auth.system_token(), ticket)
        user, session_id = opened["user"], opened["session_id"]
        # a token's expiry, not a domain decision: the process's own clock
        if REVOCATIONS.is_revoked(user["id"], session_id, opened["token_version"]) or \
                opened["access_expires_at"] <= time.time():
            raise self.auth.session_over()
        token = self.auth.issue(user, session_id, opened["token_version"], ttl_seconds=60)
        unread = self.notify_rpc.list_notifications(token, {"page_size": 1})["unread"]
        # eventlet's server holds output back until 4 kB have gathered; events are small
        request.environ["eventlet.minimum_write_chunk_size"] = 0
        return Response(live.event_stream(live.CHANNELS, user["id"], unread, session_id,
                                          opened["token_version"],
                                          opened["access_expires_at"]),
                        headers={"Content-Type": "text/event-stream; charset=utf-8",
                                 "Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @nameko_event_handler("notify", events.NOTIFICATION_CREATED, handler_type=BROADCAST,
                          reliable_delivery=False)
    def on_notify_notification_created(self, message):
        """Every gateway process hears every new notification and pushes it to the
        streams its user has open here (nothing to do if none)."""
        for note in (message.get("data") or {}).get("notifications", []):
            live.CHANNELS.publish(note["user_id"], {k: v for k, v in note.items()
                                                    if k != "user_id"})
