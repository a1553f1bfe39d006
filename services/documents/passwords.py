"""Password hashing with argon2id. Hashing is deliberately slow CPU work, so it runs
in a real OS thread (eventlet.tpool) instead of stalling every green thread.

Memory is what a burst of sign-ins would exhaust: argon2-cffi's defaults take 64 MiB
per hash, and eight wrong-password sign-ins at once took the process from 77 to
526 MiB. So the parameters are OWASP's (argon2id, 19 MiB, 2 passes, 1 lane), and at
most ``CONCURRENT_HASHES`` hashes run at once in a process; others wait up to
``WAIT_SECONDS`` and are then told to come back (503). Hashes made with other
parameters still verify, and are replaced on the next successful sign-in
(``needs_rehash``).

The hashes run on eventlet's pool of OS threads. glibc would keep a freed 19 MiB block
in the heap of the thread that used it (its mmap threshold rises after the first such
free, up to 32 MiB), so each of the 20 pool threads would hold 19 MiB for good: the
benchmark saw 399 MiB. A fixed threshold keeps argon2's blocks mmapped, and returned
to the system when freed.
"""
from __future__ import annotations

import ctypes
import ctypes.util

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from eventlet import tpool
from eventlet.semaphore import Semaphore

from services.common.errors import ServiceUnavailable

MEMORY_COST_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1
CONCURRENT_HASHES = 2
WAIT_SECONDS = 10

M_MMAP_THRESHOLD = -3   # glibc's mallopt parameter


def _return_big_blocks_to_the_system() -> None:
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(M_MMAP_THRESHOLD, 1024 * 1024)
    except (OSError, AttributeError):   # not glibc: nothing to tune
        pass


_return_big_blocks_to_the_system()
HASHER = PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_COST_KIB,
                        parallelism=PARALLELISM, type=Type.ID)
_slots = Semaphore(CONCURRENT_HASHES)
# A hash of a random password, so an unknown username costs the same time as a wrong
# password and does not reveal which usernames exist.
_DUMMY_HASH = HASHER.hash("a-password-nobody-has-0d3f")


def _bounded(function, *args, first=None):
    if not _slots.acquire(timeout=WAIT_SECONDS):
        raise ServiceUnavailable("Hệ thống đang bận xác thực, vui lòng thử lại sau ít giây.",
                                 "Too many sign-ins at once; please try again in a moment.",
                                 {"retry_after": "5"})
    try:
        if first is not None:
            first()
        return tpool.execute(function, *args)
    finally:
        _slots.release()


def hash_password(password: str) -> str:
    return _bounded(HASHER.hash, password)


def verify_password(password_hash: str | None, password: str, first=None) -> bool:
    """Whether ``password`` matches. ``first()``, if given, runs once a hashing slot is
    held and may raise to give the slot up (the throttle, asked again: failures
    recorded while this call waited count)."""
    def check():
        try:
            return HASHER.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
        except (VerificationError, InvalidHashError):
            return False
    return _bounded(check, first=first)


def needs_rehash(password_hash: str) -> bool:
    """Whether a stored hash was made with other parameters than today's."""
    try:
        return HASHER.check_needs_rehash(password_hash)
    except InvalidHashError:
        return True
