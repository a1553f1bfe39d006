"""Password hashing with argon2id. Hashing is deliberately slow CPU work, so it runs
in a real OS thread (eventlet.tpool) instead of stalling every green thread."""
from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from eventlet import tpool

_hasher = PasswordHasher()
# A hash of a random password, so an unknown username costs the same time as a wrong
# password and does not reveal which usernames exist.
_DUMMY_HASH = _hasher.hash("a-password-nobody-has-0d3f")


def hash_password(password: str) -> str:
    return tpool.execute(_hasher.hash, password)


def verify_password(password_hash: str | None, password: str) -> bool:
    def check():
        try:
            return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False
    return tpool.execute(check)
