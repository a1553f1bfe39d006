"""Who is calling: the caller travels as a signed token in the first argument of
every RPC, so each service verifies it itself (defence in depth) instead of
trusting whatever the gateway forwards.

The token is a short-lived EdDSA (Ed25519) JWT. Only the gateway's key signs tokens
for people (after login); a service calling another on its own behalf (an event
handler that needs another service) signs a *system* token naming itself with its own
key, and a system token is valid only if signed by the key of the service it names
(token_keys.py). So no service can mint a token for a person, or for another service.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import jwt

from services.common import vocabulary
from services.common.errors import Unauthenticated
from services.common.token_keys import USER_TOKEN_SIGNER, TokenKeys

# Roles per unit (API.md, "Enumerations"; their names: vocabulary.ROLE_NAMES).
CLERK = "clerk"            # văn thư
HEAD = "head"              # lãnh đạo cơ quan
UNIT_HEAD = "unit_head"    # lãnh đạo đơn vị
SPECIALIST = "specialist"  # chuyên viên
ADMIN = "admin"            # quản trị
ROLES = vocabulary.ROLES
LEADER_ROLES = (HEAD, UNIT_HEAD)

# Clearance levels, lowest first (DOMAIN.md §1.9): the confidentialities.
CONFIDENTIALITY_LEVELS = vocabulary.CONFIDENTIALITIES


def clearance_covers(clearance: str | None, level: str | None) -> bool:
    """Whether someone cleared for ``clearance`` may know a document of ``level`` (an
    unknown clearance counts as none, an unknown level as the highest)."""
    held = clearance if clearance in CONFIDENTIALITY_LEVELS else "none"
    level = level or "none"
    needed = level if level in CONFIDENTIALITY_LEVELS else CONFIDENTIALITY_LEVELS[-1]
    return CONFIDENTIALITY_LEVELS.index(held) >= CONFIDENTIALITY_LEVELS.index(needed)


TOKEN_ALGORITHM = "EdDSA"


@dataclass(frozen=True)
class Membership:
    unit_id: str
    role: str


@dataclass(frozen=True)
class Caller:
    user_id: str
    username: str
    full_name: str = ""
    memberships: tuple[Membership, ...] = field(default_factory=tuple)
    clearance: str = "none"
    system: bool = False
    # Sessions (docs/architecture.md, "Sessions and sign-in"): the sign-in a token
    # belongs to, the user's token version when it was issued (raised when roles,
    # clearance or the active state change), and whether it only allows changing a
    # password an administrator reset.
    session_id: str = ""
    token_version: int = 0
    password_change_only: bool = False
    # The deployment-wide administrator (quản trị hệ thống), held by few: administers
    # every unit. A unit's own quản trị is the ADMIN role in that unit (its subtree).
    system_admin: bool = False

    @property
    def unit_ids(self) -> set[str]:
        return {m.unit_id for m in self.memberships}

    def roles_in(self, unit_id: str) -> set[str]:
        return {m.role for m in self.memberships if m.unit_id == unit_id}

    def has_role(self, unit_id: str, *roles: str) -> bool:
        return bool(self.roles_in(unit_id) & set(roles))

    def has_role_anywhere(self, *roles: str) -> bool:
        return any(m.role in roles for m in self.memberships)

    def is_member(self, unit_id: str) -> bool:
        return unit_id in self.unit_ids

    @property
    def service(self) -> str | None:
        """The service a system caller is (verified: its token was signed by that
        service's key), so an entrypoint can say which services may call it."""
        return self.user_id.removeprefix("system:") if self.system else None

    def cleared_for(self, level: str) -> bool:
        return (CONFIDENTIALITY_LEVELS.index(self.clearance)
                >= CONFIDENTIALITY_LEVELS.index(level))

    def to_claims(self) -> dict:
        return {
            "sub": self.user_id,
            "username": self.username,
            "name": self.full_name,
            "memberships": [[m.unit_id, m.role] for m in self.memberships],
            "clearance": self.clearance,
            "system": self.system,
            "system_admin": self.system_admin,
        } | ({"sid": self.session_id, "ver": self.token_version} if self.session_id else {}) \
          | ({"pwc": True} if self.password_change_only else {})

    @classmethod
    def from_claims(cls, claims: dict) -> "Caller":
        return cls(
            user_id=claims["sub"],
            username=claims["username"],
            full_name=claims.get("name", ""),
            memberships=tuple(Membership(u, r) for u, r in claims.get("memberships", [])),
            clearance=claims.get("clearance", "none"),
            system=bool(claims.get("system", False)),
            session_id=str(claims.get("sid") or ""),
            token_version=int(claims.get("ver") or 0),
            password_change_only=bool(claims.get("pwc", False)),
            system_admin=bool(claims.get("system_admin", False)),
        )


def mint_token(caller: Caller, keys: TokenKeys, ttl_seconds: int) -> str:
    """A token for ``caller``, signed with this process's key (``keys``): the issuer
    (``iss``, and ``kid`` in the header) is the signing service."""
    if not hasattr(keys, "signer_for"):
        raise TypeError("mint_token needs the process's TokenKeys (token_keys.py), not a "
                        "shared secret")
    signer, private_key = keys.signer_for(caller)
    now = int(time.time())
    claims = caller.to_claims() | {"iat": now, "exp": now + int(ttl_seconds), "iss": signer}
    return jwt.encode(claims, private_key, algorithm=TOKEN_ALGORITHM,
                      headers={"kid": signer})


def verify_token(token: str, keys: TokenKeys) -> Caller:
    """The caller a token names; Unauthenticated if it is forged, malformed or expired,
    signed by an unknown key, a person's token not signed by the gateway, or a system
    token not signed by the service it names."""
    return _verified(token, keys)[0]


def _verified(token: str, keys: TokenKeys) -> tuple[Caller, float, str, object]:
    """verify_token's caller, with the token's expiry, its signer and the signer's key."""
    if not isinstance(token, str) or not token:
        raise Unauthenticated("Thiếu thông tin xác thực.", "Missing credentials.")
    invalid = Unauthenticated("Thông tin xác thực không hợp lệ.", "Invalid credentials.")
    try:
        signer = jwt.get_unverified_header(token).get("kid")
        public_key = keys.public_key(signer) if isinstance(signer, str) else None
        if public_key is None:
            raise invalid
        claims = jwt.decode(token, public_key, algorithms=[TOKEN_ALGORITHM],
                            options={"require": ["exp", "sub", "iss"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.",
                              "The session has expired; please log in again.")
    except jwt.PyJWTError:
        raise invalid
    if claims.get("iss") != signer:
        raise invalid
    try:
        caller = Caller.from_claims(claims)
    except (KeyError, TypeError, ValueError):
        raise invalid
    if caller.system:
        if caller.user_id != f"system:{signer}":
            raise invalid      # a service speaks only for itself
    elif signer != USER_TOKEN_SIGNER:
        raise invalid          # only the gateway speaks for people
    return caller, float(claims["exp"]), signer, public_key


class VerifiedTokens:
    """The tokens this process has verified, kept until they expire: a session sends the
    same token with every request, and each service it reaches verified it each time
    (≈ 0.15 ms of CPU, 6–10 % of the gateway's and workflow's per transition). A token is
    taken from here only while unexpired and while its signer's key is still the very key
    that verified it (a key replaced or removed makes it verified again, or refused).
    Revocation is not decided here: the gateway checks it after (Auth.check)."""

    def __init__(self, size: int = 4096, clock=time.time):
        self.size = size
        self.clock = clock
        self._entries: dict[str, tuple[Caller, float, str, object]] = {}

    def verify(self, token: str, keys: TokenKeys) -> Caller:
        entry = self._entries.get(token) if isinstance(token, str) else None
        if entry is not None:
            caller, expires, signer, public_key = entry
            if self.clock() < expires and keys.public_key(signer) is public_key:
                return caller
            self._entries.pop(token, None)
        entry = _verified(token, keys)
        if len(self._entries) >= self.size:
            self._entries.clear()     # simple bound; a busy process re-verifies once
        self._entries[token] = entry
        return entry[0]


def system_caller(service_name: str) -> Caller:
    """A service acting on its own behalf (event handlers, relays, the gateway's login)."""
    return Caller(user_id=f"system:{service_name}", username=service_name,
                  full_name=service_name, clearance="none", system=True)


class CallerIdentity:
    """Per-service helper: verify the caller's token, or mint a system token signed with
    this service's own key."""

    def __init__(self, keys: TokenKeys, service_name: str, ttl_seconds: int = 300,
                 clock=time.time):
        self.keys = keys
        self.clock = clock
        self.service_name = service_name
        self.ttl_seconds = ttl_seconds
        self.verified = VerifiedTokens()
        self._system_token: str | None = None
        self._system_token_renew_at = 0.0

    def caller(self, token: str) -> Caller:
        return self.verified.verify(token, self.keys)

    def system_token(self) -> str:
        """This service's own token: one is reused until half its life is gone, so the
        services it calls find it verified already (VerifiedTokens)."""
        now = self.clock()
        if self._system_token is None or now >= self._system_token_renew_at:
            self._system_token = mint_token(system_caller(self.service_name), self.keys,
                                            self.ttl_seconds)
            self._system_token_renew_at = now + self.ttl_seconds / 2
        return self._system_token
