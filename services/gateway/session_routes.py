"""Signing in and out: the gateway mints the access tokens of the sessions documents
keeps, and refuses revoked ones at once (revocations.py). Mixed into GatewayService,
which gives ``auth``, ``documents_rpc`` and ``_ldap_login`` (directory_sign_in.py)."""
from __future__ import annotations

import logging

from nameko.events import BROADCAST
from nameko.events import event_handler as nameko_event_handler

from services.common import events
from services.common.errors import EofficeError
from services.common.http import json_response
from services.common.timers import configured_timer
from services.gateway.dependencies import REVOCATIONS
from services.gateway.http import http, read_json

log = logging.getLogger(__name__)


class SessionRoutes:
    @http("POST", "/api/v1/auth/login")
    def login(self, request):
        """``{username, password}`` → ``{access_token, token_type, expires_in (s),
        refresh_token, refresh_expires_in, must_change_password, user}``. 401 for a
        wrong pair (the same answer whether or not the user exists); 429 with
        Retry-After while the account or the client address is throttled; 503 when
        too many passwords are being checked at once. With must_change_password the
        access token only allows POST /auth/password (and logout)."""
        body = read_json(request)
        address = request.remote_addr or ""
        # The organisation's LDAP directory first when it is configured (None: local).
        answer = self._ldap_login(body, address) or self.documents_rpc.authenticate(
            self.auth.system_token(), body.get("username"), body.get("password"), address)
        return json_response(self.auth.signed_in(answer))

    @http("POST", "/api/v1/auth/refresh")
    def refresh(self, request):
        """``{refresh_token}`` → a new access token and a new refresh token (the one
        given is used up), with the user's current roles; as login. 401 when the
        refresh token is unknown, expired, revoked or already used (then its whole
        session is revoked: it was copied)."""
        body = read_json(request)
        answer = self.documents_rpc.refresh_session(self.auth.system_token(),
                                                    body.get("refresh_token"))
        return json_response(self.auth.signed_in(answer))

    @http("POST", "/api/v1/auth/logout")
    def logout(self, request):
        """End the caller's session: its access and refresh tokens stop working at once."""
        token = self.auth.token_of(request, allow_password_change=True)
        session_id = self.auth.check(token).session_id
        result = self.documents_rpc.end_session(token)
        REVOCATIONS.revoke_session(session_id)   # here at once, even before the broadcast
        return json_response(result)

    @http("POST", "/api/v1/auth/password")
    def change_password(self, request):
        """``{old_password, new_password}`` (at least 10 characters, not holding the
        username): every session of the caller ends and a new one starts → as login."""
        token = self.auth.token_of(request, allow_password_change=True)
        answer = self.documents_rpc.change_password(token, read_json(request),
                                                    request.remote_addr or "")
        self._sync_revocations()
        return json_response(self.auth.signed_in(answer))

    @configured_timer("revocations_sync", default=30, eager=True)
    def sync_revocations(self):
        """At start and every TIMERS["revocations_sync"] seconds: the revocations
        documents keeps, in case a tokens_revoked broadcast was missed."""
        self._sync_revocations()

    def _sync_revocations(self):
        try:
            REVOCATIONS.load(self.documents_rpc.with_timeout(5).list_revocations(
                self.auth.system_token(), REVOCATIONS.ttl_seconds + 60))
        except EofficeError as exc:
            log.warning("could not load revocations from documents: %s", exc)

    @nameko_event_handler("documents", events.TOKENS_REVOKED, handler_type=BROADCAST,
                          reliable_delivery=False)
    def on_documents_tokens_revoked(self, message):
        """Every gateway process hears every revocation and refuses those tokens at
        once (and ends their live streams)."""
        REVOCATIONS.apply(message.get("data") or {})
