"""Gateway providers: turning a bearer token into the caller, and minting tokens."""
from __future__ import annotations

from nameko.extensions import DependencyProvider

from services.common.config import settings_of
from services.common.errors import Unauthenticated
from services.common.identity import (Caller, Membership, mint_token, system_caller,
                                      verify_token)


class Auth:
    def __init__(self, secret: str, ttl_seconds: int):
        self.secret = secret
        self.ttl_seconds = ttl_seconds

    def token_of(self, request, allow_query: bool = False) -> str:
        """The request's bearer token, verified here first (401 at the edge) and then
        again by every service it reaches. ``allow_query`` also takes ?access_token=
        (only for event streams, which browsers open without headers)."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" and allow_query:
            scheme, token = "bearer", request.args.get("access_token", "")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Cần đăng nhập (thiếu Authorization: Bearer).",
                                  "Log in first (missing Authorization: Bearer).")
        verify_token(token.strip(), self.secret)
        return token.strip()

    def caller_of(self, request) -> Caller:
        return verify_token(self.token_of(request), self.secret)

    def caller_of_token(self, token: str) -> Caller:
        return verify_token(token, self.secret)

    def issue(self, user: dict) -> str:
        caller = Caller(user_id=user["id"], username=user["username"],
                        full_name=user.get("full_name", ""),
                        memberships=tuple(Membership(m["unit_id"], m["role"])
                                          for m in user.get("memberships", [])),
                        clearance=user.get("clearance", "none"),
                        system_admin=bool(user.get("system_admin", False)))
        return mint_token(caller, self.secret, self.ttl_seconds)

    def system_token(self) -> str:
        return mint_token(system_caller("gateway"), self.secret, 300)


class AuthProvider(DependencyProvider):
    def setup(self):
        settings = settings_of(self.container)
        self.auth = Auth(settings.secret_key, settings.token_ttl_seconds)

    def get_dependency(self, worker_ctx):
        return self.auth
