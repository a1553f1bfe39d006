"""Who is calling: the caller travels as a signed token in the first argument of
every RPC, so each service verifies it itself (defence in depth) instead of
trusting whatever the gateway forwards.

The token is a short-lived HS256 JWT minted by the gateway after login. Services
calling each other on their own behalf (an event handler that needs another
service) mint a *system* caller for themselves with the same key.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import jwt

from services.common.errors import Unauthenticated

# Roles per unit (API.md, "Enumerations").
CLERK = "clerk"            # văn thư
HEAD = "head"              # lãnh đạo cơ quan
UNIT_HEAD = "unit_head"    # lãnh đạo đơn vị
SPECIALIST = "specialist"  # chuyên viên
ADMIN = "admin"            # quản trị
ROLES = (CLERK, HEAD, UNIT_HEAD, SPECIALIST, ADMIN)
LEADER_ROLES = (HEAD, UNIT_HEAD)

# Clearance levels, lowest first (DOMAIN.md §1.9).
CONFIDENTIALITY_LEVELS = ("none", "confidential", "secret", "top_secret")

TOKEN_ALGORITHM = "HS256"


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
        }

    @classmethod
    def from_claims(cls, claims: dict) -> "Caller":
        return cls(
            user_id=claims["sub"],
            username=claims["username"],
            full_name=claims.get("name", ""),
            memberships=tuple(Membership(u, r) for u, r in claims.get("memberships", [])),
            clearance=claims.get("clearance", "none"),
            system=bool(claims.get("system", False)),
            system_admin=bool(claims.get("system_admin", False)),
        )


def mint_token(caller: Caller, secret: str, ttl_seconds: int) -> str:
    now = int(time.time())
    claims = caller.to_claims() | {"iat": now, "exp": now + int(ttl_seconds)}
    return jwt.encode(claims, secret, algorithm=TOKEN_ALGORITHM)


def verify_token(token: str, secret: str) -> Caller:
    """The caller a token names; Unauthenticated if it is forged, malformed or expired."""
    if not isinstance(token, str) or not token:
        raise Unauthenticated("Thiếu thông tin xác thực.", "Missing credentials.")
    try:
        claims = jwt.decode(token, secret, algorithms=[TOKEN_ALGORITHM],
                            options={"require": ["exp", "sub"]})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated("Phiên đăng nhập đã hết hạn, vui lòng đăng nhập lại.",
                              "The session has expired; please log in again.")
    except jwt.PyJWTError:
        raise Unauthenticated("Thông tin xác thực không hợp lệ.", "Invalid credentials.")
    return Caller.from_claims(claims)


def system_caller(service_name: str) -> Caller:
    """A service acting on its own behalf (event handlers, relays, the gateway's login)."""
    return Caller(user_id=f"system:{service_name}", username=service_name,
                  full_name=service_name, clearance="none", system=True)


class CallerIdentity:
    """Per-service helper: verify the caller's token, or mint a system token."""

    def __init__(self, secret: str, service_name: str, ttl_seconds: int = 300):
        self.secret = secret
        self.service_name = service_name
        self.ttl_seconds = ttl_seconds

    def caller(self, token: str) -> Caller:
        return verify_token(token, self.secret)

    def system_token(self) -> str:
        return mint_token(system_caller(self.service_name), self.secret, self.ttl_seconds)
