"""Sign-in through the organisation's directory, beside local passwords: the gateway's
routes for OpenID Connect and the LDAP step of the password login. Mixed into
GatewayService (which gives ``auth`` and ``documents_rpc``).

- LDAP: POST /auth/login tries the directory first when LDAP is configured (a simple
  bind as the person); an account it accepts is mapped to an e-Office user by the
  documents service. When the directory says no (or cannot be reached), the login goes on
  with local passwords, so local accounts such as the first administrator keep working.
- OpenID Connect: /auth/oidc/start → the provider → /auth/oidc/callback → the web UI
  POSTs /auth/oidc/session and receives what POST /auth/login returns.
"""
from __future__ import annotations

import logging

from nameko.extensions import DependencyProvider
from werkzeug.wrappers import Response

from services.common.config import settings_of
from services.common.directory_config import directory_settings_from
from services.common.errors import NotFound, ServiceUnavailable, Unauthenticated
from services.common.http import json_response
from services.gateway import ldap_sign_in, oidc
from services.gateway.http import http

log = logging.getLogger(__name__)
#: Where the web UI picks the sign-in up (a fragment: browsers never send it).
UI_SIGNED_IN = "/#/login?oidc=done"
UI_FAILED = "/#/login?oidc=failed"


class DirectoryProvider(DependencyProvider):
    """The directory settings and, when OpenID Connect is on, its provider (discovery
    and keys cached for the process)."""

    def setup(self):
        self.settings = directory_settings_from(self.container.config)
        self.provider = oidc.Provider(self.settings.oidc) if self.settings.oidc else None
        self.secure_cookies = settings_of(self.container).public_url.startswith("https:")

    def get_dependency(self, worker_ctx):
        return self


def _cookie(response: Response, name: str, value: str, max_age: int, secure: bool):
    # Lax: the provider's redirect back to the callback is a top-level GET from another
    # site, which must carry the state cookie; a cross-site POST never carries either.
    response.set_cookie(name, value, max_age=max_age, path=oidc.COOKIE_PATH, httponly=True,
                        secure=secure, samesite="Lax")


def _redirect(location: str) -> Response:
    return Response("", status=302, headers={"Location": location})


class DirectorySignInRoutes:
    directory = DirectoryProvider()

    def _ldap_login(self, body: dict, client_address: str = ""):
        """A new session of a person the LDAP directory accepts, or None (LDAP is off, or
        the directory said no: the caller goes on with local passwords)."""
        settings = self.directory.settings.ldap
        if settings is None:
            return None
        account = ldap_sign_in.authenticate(settings, body.get("username"),
                                            body.get("password"))
        if account is None:
            return None
        try:
            return self.documents_rpc.sign_in_directory(self.auth.system_token(), account,
                                                        client_address)
        except Unauthenticated:
            # Refused by the mapping (an account that matches nobody, an inactive user):
            # the same 401 follows from the local check, which also counts the failure.
            return None

    @http("GET", "/api/v1/auth/methods")
    def sign_in_methods(self, request):
        """How people sign in here, for the login screen: ``{password: true, ldap: bool,
        oidc: null | {start_url}}``. Needs no token."""
        settings = self.directory.settings
        return json_response({
            "password": True, "ldap": settings.ldap is not None,
            "oidc": {"start_url": "/api/v1/auth/oidc/start"}
            if settings.oidc else None})

    def _provider(self) -> oidc.Provider:
        if self.directory.provider is None:
            raise NotFound("Chưa cấu hình đăng nhập OpenID Connect.",
                           "OpenID Connect sign-in is not configured.")
        return self.directory.provider

    @http("GET", "/api/v1/auth/oidc/start")
    def oidc_start(self, request):
        """302 to the OpenID provider's authorization endpoint (code flow, PKCE S256,
        state, nonce), with the flow in a signed HttpOnly cookie for the callback.
        404 when OpenID Connect is not configured; 503 when the provider's discovery
        document cannot be read."""
        provider = self._provider()
        flow = oidc.new_flow()
        try:
            location = provider.authorize_url(flow)
        except oidc.OidcError as exc:
            log.warning("OpenID Connect start failed: %s", exc.reason)
            raise ServiceUnavailable("Không kết nối được máy chủ OpenID Connect.",
                                     "The OpenID provider cannot be reached.")
        response = _redirect(location)
        _cookie(response, oidc.STATE_COOKIE, oidc.seal_flow(self.auth.cookie_secret, flow),
                oidc.STATE_TTL_SECONDS, self.directory.secure_cookies)
        return response

    @http("GET", "/api/v1/auth/oidc/callback")
    def oidc_callback(self, request):
        """Where the provider sends the browser back (?code&state, or ?error). Checks the
        state against the signed cookie, exchanges the code with the PKCE verifier,
        verifies the ID token (the provider's keys, iss, aud, exp, nonce), then 302 to
        the web UI with the account in a one-minute signed HttpOnly cookie; any failure
        302s to the web UI's login with a failure note and no session."""
        provider = self._provider()
        try:
            if request.args.get("error"):
                raise oidc.OidcError("provider_error")
            flow = oidc.check_callback(self.auth.cookie_secret,
                                       request.cookies.get(oidc.STATE_COOKIE),
                                       request.args.get("state"))
            claims = provider.exchange(request.args.get("code"), flow)
            account = oidc.account_from_claims(claims, provider.settings.username_claim)
        except oidc.OidcError as exc:
            log.warning("OpenID Connect sign-in refused: %s", exc.reason)
            response = _redirect(UI_FAILED)
        else:
            response = _redirect(UI_SIGNED_IN)
            _cookie(response, oidc.SESSION_COOKIE,
                    oidc.seal_session(self.auth.cookie_secret, account),
                    oidc.SESSION_TTL_SECONDS, self.directory.secure_cookies)
        response.delete_cookie(oidc.STATE_COOKIE, path=oidc.COOKIE_PATH)
        return response

    @http("POST", "/api/v1/auth/oidc/session")
    def oidc_session(self, request):
        """The e-Office session of a finished OpenID Connect sign-in (the HttpOnly cookie
        the callback set, at most a minute old): the same answer as POST /auth/login,
        as login answers (with a refresh token); the cookie is cleared.
        401 (the wrong-password message) without a valid cookie, or for an account that
        maps to no e-Office user."""
        self._provider()
        try:
            account = oidc.unseal_session(self.auth.cookie_secret,
                                          request.cookies.get(oidc.SESSION_COOKIE))
        except oidc.OidcError:
            raise Unauthenticated("Sai tên đăng nhập hoặc mật khẩu.",
                                  "Wrong username or password.")
        answer = self.documents_rpc.sign_in_directory(self.auth.system_token(), account,
                                                      request.remote_addr or "")
        response = json_response(self.auth.signed_in(answer))
        response.delete_cookie(oidc.SESSION_COOKIE, path=oidc.COOKIE_PATH)
        return response
