"""Gateway providers: turning a bearer token into the caller, and minting tokens."""
from __future__ import annotations

import jwt
from nameko.extensions import DependencyProvider

from services.common.config import settings_of
from services.common.errors import PasswordChangeRequired, ServiceUnavailable, Unauthenticated
from services.common.identity import Caller, CallerIdentity, Membership, mint_token
from services.common.identity_provider import load_token_keys
from services.gateway.revocations import RevocationSet

#: This process's revocations (one per gateway process, like live.CHANNELS).
REVOCATIONS = RevocationSet(ttl_seconds=300)


class Auth:
    """``secret`` is the deployment's SECRET_KEY (for any HMAC the gateway needs);
    tokens are signed and verified with ``keys`` (token_keys.py): the gateway's own
    private key signs people's tokens, which no other service can do."""

    def __init__(self, secret: str, ttl_seconds: int, keys=None,
                 revocations: RevocationSet = REVOCATIONS):
        self.secret = secret
        self.ttl_seconds = ttl_seconds
        self.keys = keys
        # The OpenID sign-in's state and hand-over cookies: a key only the gateway holds
        # (any service holds SECRET_KEY, and could otherwise forge a hand-over).
        self.cookie_secret = keys.derived_secret("sign-in-cookies") if keys else secret
        self.revocations = revocations
        # verifies tokens (kept until they expire) and mints the gateway's own, as every
        # service's does
        self.identity = CallerIdentity(keys, "gateway")
        revocations.ttl_seconds = max(revocations.ttl_seconds, ttl_seconds)

    def token_of(self, request, allow_password_change: bool = False) -> str:
        """The request's bearer token, verified here first (401 at the edge) and then
        again by every service it reaches. Tokens travel only in the Authorization
        header, never in a URL. A token whose session was revoked, or issued before
        the user's roles, clearance or active state changed, is refused at once
        (revocations.py). A token given after a password reset only serves to change
        the password (``allow_password_change``); elsewhere it gets 403."""
        header = request.headers.get("Authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("Cần đăng nhập (thiếu Authorization: Bearer).",
                                  "Log in first (missing Authorization: Bearer).")
        token = token.strip()
        caller = self.check(token)
        if caller.password_change_only and not allow_password_change:
            raise PasswordChangeRequired(
                "Cần đổi mật khẩu trước khi làm việc khác.",
                "You must change your password before anything else.")
        return token

    def check(self, token: str) -> Caller:
        """The caller of a genuine, unexpired and unrevoked user token."""
        caller = self.identity.caller(token)
        if caller.system:
            return caller
        if not caller.session_id:   # issued before sessions existed
            raise self.session_over()
        if not self.revocations.synced and self.issued_at(token) < self.revocations.started_at:
            # revoked before this process started listening? not known until the first
            # load from documents (seconds after start)
            raise ServiceUnavailable("Cổng API đang khởi động, vui lòng thử lại.",
                                     "The gateway is starting; please try again.",
                                     {"retry_after": "2"})
        if self.revocations.is_revoked(caller.user_id, caller.session_id,
                                       caller.token_version):
            raise self.session_over()
        return caller

    @staticmethod
    def session_over() -> Unauthenticated:
        return Unauthenticated("Phiên đăng nhập đã kết thúc, vui lòng đăng nhập lại.",
                               "The session is over; please sign in again.")

    @staticmethod
    def _claims(token: str) -> dict:
        # only after verify_token has checked the signature
        return jwt.decode(token, options={"verify_signature": False})

    def issued_at(self, token: str) -> float:
        return float(self._claims(token).get("iat") or 0)

    def expires_at(self, token: str) -> float:
        return float(self._claims(token).get("exp") or 0)

    def caller_of(self, request) -> Caller:
        return self.check(self.token_of(request))

    def caller_of_token(self, token: str) -> Caller:
        return self.check(token)

    def issue(self, user: dict, session_id: str = "", token_version: int = 0,
              password_change_only: bool = False, ttl_seconds: int | None = None) -> str:
        """An access token for a user in a session. One that only allows changing the
        password carries no roles and no clearance, so no service lets it do more."""
        memberships = () if password_change_only else tuple(
            Membership(m["unit_id"], m["role"]) for m in user.get("memberships", []))
        caller = Caller(user_id=user["id"], username=user["username"],
                        full_name=user.get("full_name", ""), memberships=memberships,
                        clearance="none" if password_change_only
                        else user.get("clearance", "none"),
                        session_id=session_id, token_version=int(token_version or 0),
                        password_change_only=password_change_only,
                        system_admin=not password_change_only
                        and bool(user.get("system_admin", False)))
        ttl = self.ttl_seconds if ttl_seconds is None else ttl_seconds
        return mint_token(caller, self.keys, max(1, int(ttl)))

    def signed_in(self, answer: dict) -> dict:
        """The login/refresh/password answer from documents' session answer."""
        must_change = bool(answer.get("must_change_password"))
        return {"access_token": self.issue(answer["user"], answer["session_id"],
                                           answer["token_version"], must_change),
                "token_type": "Bearer", "expires_in": self.ttl_seconds,
                "refresh_token": answer["refresh_token"],
                "refresh_expires_in": answer["refresh_expires_in"],
                "must_change_password": must_change, "user": answer["user"]}

    def system_token(self) -> str:
        return self.identity.system_token()


class AuthProvider(DependencyProvider):
    def setup(self):
        settings = settings_of(self.container)
        self.auth = Auth(settings.secret_key, settings.token_ttl_seconds,
                         load_token_keys(self.container))

    def get_dependency(self, worker_ctx):
        return self.auth
