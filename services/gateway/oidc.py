"""OpenID Connect: the gateway as relying party (authorization code flow with PKCE S256,
state and nonce).

The gateway keeps no state, so what must survive from /auth/oidc/start to the callback
(state, nonce, PKCE verifier) travels in a short-lived HttpOnly cookie signed with the
deployment's secret key: any gateway process can read it, nobody can forge or change it.
After the callback the browser holds, for a minute, another signed HttpOnly cookie with
the verified account; the web UI exchanges it by POST for the e-Office token, so no
token ever appears in a URL (which would land in logs and browser history).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading
import time
from urllib.parse import urlencode

import jwt
import requests

from services.common.directory_config import OidcSettings

STATE_COOKIE = "eoffice_oidc_state"
SESSION_COOKIE = "eoffice_oidc_session"
COOKIE_PATH = "/api/v1/auth/oidc"
STATE_TTL_SECONDS = 600      # time to sign in at the provider
SESSION_TTL_SECONDS = 60     # time for the web UI to pick the session up
_STATE_AUDIENCE = "eoffice-oidc-state"
_SESSION_AUDIENCE = "eoffice-oidc-session"
DISCOVERY_TTL_SECONDS = 3600
ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256",
                       "ES384", "ES512", "EdDSA"]


class OidcError(Exception):
    """A sign-in that cannot go on; ``reason`` is logged and audited, not shown."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


# ------------------------------------------------------------------ PKCE, state, nonce

def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def pkce_challenge(verifier: str) -> str:
    """RFC 7636 S256: BASE64URL(SHA256(verifier)) without padding."""
    return _b64url(hashlib.sha256(verifier.encode("ascii")).digest())


def new_flow() -> dict:
    """A fresh state, nonce and PKCE verifier (43+ characters of [A-Za-z0-9-_])."""
    return {"state": secrets.token_urlsafe(24), "nonce": secrets.token_urlsafe(24),
            "verifier": secrets.token_urlsafe(48)}


def seal(secret: str | bytes, data: dict, audience: str, ttl_seconds: int) -> str:
    now = int(time.time())
    return jwt.encode({**data, "aud": audience, "iat": now, "exp": now + ttl_seconds},
                      secret, algorithm="HS256")


def unseal(secret: str | bytes, sealed: str | None, audience: str) -> dict:
    """What ``seal`` signed, or OidcError if it is missing, changed or expired."""
    if not sealed:
        raise OidcError("cookie_missing")
    try:
        return jwt.decode(sealed, secret, algorithms=["HS256"], audience=audience,
                          options={"require": ["exp", "aud"]})
    except jwt.PyJWTError as exc:
        raise OidcError(f"cookie_invalid:{type(exc).__name__}")


def seal_flow(secret: str | bytes, flow: dict) -> str:
    return seal(secret, flow, _STATE_AUDIENCE, STATE_TTL_SECONDS)


def check_callback(secret: str | bytes, sealed_flow: str | None, state: str | None) -> dict:
    """The flow this callback belongs to: the signed cookie must be intact and its state
    equal to the ``state`` the provider sent back (else a forged or replayed callback)."""
    flow = unseal(secret, sealed_flow, _STATE_AUDIENCE)
    if not isinstance(state, str) or not hmac.compare_digest(
            state.encode(), str(flow.get("state", "")).encode()):
        raise OidcError("state_mismatch")
    return flow


def seal_session(secret: str | bytes, account: dict) -> str:
    return seal(secret, {"account": account}, _SESSION_AUDIENCE, SESSION_TTL_SECONDS)


def unseal_session(secret: str | bytes, sealed: str | None) -> dict:
    return unseal(secret, sealed, _SESSION_AUDIENCE)["account"]


def account_from_claims(claims: dict, username_claim: str) -> dict:
    """The directory account of verified ID token claims, as the documents service's
    sign_in_directory takes it. The e-mail counts only when the provider says it is
    verified (otherwise anyone could claim a colleague's address)."""
    username = claims.get(username_claim)
    if not isinstance(username, str) or not username.strip():
        raise OidcError("no_username_claim")
    email = claims.get("email") if claims.get("email_verified") is True else None
    groups = claims.get("groups")
    return {"source": "oidc", "username": username.strip().lower(),
            "email": email if isinstance(email, str) else None,
            "full_name": claims.get("name") if isinstance(claims.get("name"), str) else "",
            "groups": [str(g) for g in groups] if isinstance(groups, list) else []}


# ------------------------------------------------------------------ the provider

class Provider:
    """One OpenID provider: its discovery document and keys, cached in the process."""

    def __init__(self, settings: OidcSettings):
        self.settings = settings
        self._lock = threading.Lock()
        self._discovery: dict | None = None
        self._discovered_at = 0.0
        self._jwks: jwt.PyJWKClient | None = None

    def metadata(self) -> dict:
        with self._lock:
            if self._discovery is None or \
                    time.monotonic() - self._discovered_at > DISCOVERY_TTL_SECONDS:
                try:
                    response = requests.get(
                        self.settings.issuer + "/.well-known/openid-configuration",
                        timeout=self.settings.timeout_seconds)
                    response.raise_for_status()
                    document = response.json()
                except (requests.RequestException, ValueError):
                    raise OidcError("discovery_failed")
                if document.get("issuer", "").rstrip("/") != self.settings.issuer:
                    raise OidcError("discovery_issuer_mismatch")
                self._discovery, self._discovered_at = document, time.monotonic()
                self._jwks = jwt.PyJWKClient(document["jwks_uri"], cache_keys=True,
                                             timeout=int(self.settings.timeout_seconds))
            return self._discovery

    def authorize_url(self, flow: dict) -> str:
        query = {"response_type": "code", "client_id": self.settings.client_id,
                 "redirect_uri": self.settings.redirect_url, "scope": self.settings.scopes,
                 "state": flow["state"], "nonce": flow["nonce"],
                 "code_challenge": pkce_challenge(flow["verifier"]),
                 "code_challenge_method": "S256"}
        return self.metadata()["authorization_endpoint"] + "?" + urlencode(query)

    def exchange(self, code: str, flow: dict) -> dict:
        """The verified ID token claims for an authorization code."""
        if not isinstance(code, str) or not code or len(code) > 2048:
            raise OidcError("no_code")
        form = {"grant_type": "authorization_code", "code": code,
                "redirect_uri": self.settings.redirect_url,
                "code_verifier": flow["verifier"]}
        auth = None
        if self.settings.client_secret:
            auth = (self.settings.client_id, self.settings.client_secret)
        else:
            form["client_id"] = self.settings.client_id
        try:
            response = requests.post(self.metadata()["token_endpoint"], data=form, auth=auth,
                                     timeout=self.settings.timeout_seconds)
            tokens = response.json() if response.ok else {}
        except (requests.RequestException, ValueError):
            raise OidcError("token_request_failed")
        if not response.ok or not isinstance(tokens.get("id_token"), str):
            raise OidcError(f"token_refused:{response.status_code}")
        return self.verify_id_token(tokens["id_token"], flow["nonce"])

    def verify_id_token(self, id_token: str, nonce: str) -> dict:
        """Signature by the provider's published keys, issuer, audience, expiry, nonce."""
        self.metadata()
        try:
            key = self._jwks.get_signing_key_from_jwt(id_token)
            claims = jwt.decode(id_token, key.key, algorithms=ID_TOKEN_ALGORITHMS,
                                audience=self.settings.client_id,
                                issuer=self._discovery["issuer"], leeway=30,
                                options={"require": ["exp", "iat", "iss", "aud", "sub"]})
        except (jwt.PyJWTError, jwt.PyJWKClientError) as exc:
            raise OidcError(f"id_token_invalid:{type(exc).__name__}")
        if not hmac.compare_digest(str(claims.get("nonce", "")).encode(), nonce.encode()):
            raise OidcError("nonce_mismatch")
        return claims
