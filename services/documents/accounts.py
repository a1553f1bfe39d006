"""Rules of accounts and sign-in, with no nameko or database in them: the password
policy, the sign-in throttle, refresh tokens and temporary passwords.

Sessions (docs/architecture.md, "Sessions and sign-in"): a sign-in opens a session (its id
``sid`` travels in every access token) and gives a refresh token, long-lived, kept
only as its SHA-256 here, and replaced by a new one each time it is used. A refresh
token used twice means it was copied: the whole session is revoked.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from services.common.clock import VietnamClock
from services.common.validation import Problems

#: Sessions, throttles, tickets and revocations keep real time, never the service's
#: clock (which config may freeze for a demo or a test): the gateway signs and checks
#: access tokens by real time, and a revocation dated in the past would not revoke.
REAL_TIME = VietnamClock()

PASSWORD_MIN_LENGTH = 10
PASSWORD_MAX_LENGTH = 256

# The throttle (docs/architecture.md, "Sessions and sign-in"). Failures count within WINDOW.
WINDOW = timedelta(minutes=15)
#: From this many failures of one account, each new try must wait a little longer…
ACCOUNT_SLOWDOWN_AFTER = 3
#: … and from this many, the account is locked for LOCKOUT after its last failure.
ACCOUNT_LOCK_AFTER = 5
#: One client address may fail this often, over any accounts, before it is locked.
ADDRESS_LOCK_AFTER = 20
LOCKOUT = timedelta(minutes=15)


def password_problems(password, username: str = "", field: str = "new_password") -> Problems:
    """The policy: 10 to 256 characters, not the username, not all one character."""
    problems = Problems()
    if not isinstance(password, str) or not password:
        problems.add(field, "Cần mật khẩu mới.", "A new password is required.")
    elif len(password) < PASSWORD_MIN_LENGTH:
        problems.add(field, f"Mật khẩu cần ít nhất {PASSWORD_MIN_LENGTH} ký tự.",
                     f"The password needs at least {PASSWORD_MIN_LENGTH} characters.")
    elif len(password) > PASSWORD_MAX_LENGTH:
        problems.add(field, f"Mật khẩu dài tối đa {PASSWORD_MAX_LENGTH} ký tự.",
                     f"The password is at most {PASSWORD_MAX_LENGTH} characters.")
    elif username and username.strip().lower() in password.lower():
        problems.add(field, "Mật khẩu không được chứa tên đăng nhập.",
                     "The password must not contain the username.")
    elif len(set(password)) < 4:
        problems.add(field, "Mật khẩu quá đơn giản (cần ít nhất 4 ký tự khác nhau).",
                     "The password is too simple (it needs at least 4 different characters).")
    return problems


@dataclass(frozen=True)
class ThrottleDecision:
    allowed: bool
    retry_after: int = 0        # seconds, when not allowed
    locked: bool = False        # a lockout rather than a short slow-down


def throttle(account_failures: list[datetime], address_failures: list[datetime],
             now: datetime, address_limit: int = ADDRESS_LOCK_AFTER) -> ThrottleDecision:
    """Whether a sign-in may be tried now, given the times of the recent failures of
    the account (by username, whether or not it exists, so the answer says nothing
    about which usernames do) and of the client address.

    - ``ACCOUNT_LOCK_AFTER`` failures of the account within ``WINDOW``: locked until
      ``LOCKOUT`` after the last one;
    - from ``ACCOUNT_SLOWDOWN_AFTER`` failures: the next try waits 2, 4, … seconds
      after the last failure;
    - ``address_limit`` (by default ``ADDRESS_LOCK_AFTER``; a deployment's
      LOGIN_ADDRESS_LIMIT) failures from the address within ``WINDOW``: the address is
      locked until ``LOCKOUT`` after the last one.
    """
    since = now - WINDOW
    account = sorted(t for t in account_failures if t > since)
    address = sorted(t for t in address_failures if t > since)
    waits = []
    if len(address) >= address_limit:
        waits.append((address[-1] + LOCKOUT - now, True))
    if len(account) >= ACCOUNT_LOCK_AFTER:
        waits.append((account[-1] + LOCKOUT - now, True))
    elif len(account) >= ACCOUNT_SLOWDOWN_AFTER:
        pause = timedelta(seconds=2 ** (len(account) - ACCOUNT_SLOWDOWN_AFTER + 1))
        waits.append((account[-1] + pause - now, False))
    waits = [(wait, locked) for wait, locked in waits if wait.total_seconds() > 0]
    if not waits:
        return ThrottleDecision(True)
    wait, locked = max(waits, key=lambda w: w[0])
    return ThrottleDecision(False, max(1, int(-(-wait.total_seconds() // 1))), locked)


def new_secret() -> str:
    """A refresh token or stream ticket: 256 random bits, URL-safe."""
    return secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """What is stored of a refresh token or ticket: its SHA-256 (they are random, so
    no salt or slow hash is needed)."""
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKMNPQRSTUVWXYZ23456789"


def temporary_password() -> str:
    """A password an administrator hands over: 14 characters without look-alikes
    (about 80 bits), valid until the person sets their own."""
    return "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(14))


@dataclass(frozen=True)
class RefreshCheck:
    """The outcome of presenting a refresh token: ``ok``, or why not; ``reuse`` means a
    token already exchanged came back, so its session must be revoked."""
    ok: bool
    reuse: bool = False
    reason: str = ""


def check_refresh(token_row, session_row, user_active: bool, now: datetime) -> RefreshCheck:
    """The rotation rule. ``token_row`` has used_at and expires_at, ``session_row``
    revoked_at and expires_at (None when not found)."""
    if token_row is None or session_row is None:
        return RefreshCheck(False, reason="unknown")
    if token_row.used_at is not None:
        return RefreshCheck(False, reuse=True, reason="reused")
    if session_row.revoked_at is not None:
        return RefreshCheck(False, reason="revoked")
    if token_row.expires_at <= now or session_row.expires_at <= now:
        return RefreshCheck(False, reason="expired")
    if not user_active:
        return RefreshCheck(False, reason="inactive")
    return RefreshCheck(True)
