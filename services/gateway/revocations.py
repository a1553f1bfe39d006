"""The revoked sessions and token versions this gateway process knows, in memory, so
checking a token against them costs no call (docs/architecture.md, "Sessions and
sign-in"). Filled from documents' ``tokens_revoked`` broadcasts as they happen, and
from documents' list at start and every 30 s (a broadcast missed while the broker
was away is caught up then). An entry is kept for the access tokens' lifetime: any
token it could stop has expired by then."""
from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class RevocationSet:
    ttl_seconds: int
    started_at: float = field(default_factory=time.time)
    synced: bool = False
    _sessions: dict = field(default_factory=dict)       # sid -> when it can be forgotten
    _users: dict = field(default_factory=dict)          # user_id -> (min_version, forget at)
    _listeners: list = field(default_factory=list)

    def revoke_session(self, session_id: str) -> None:
        self._sessions[session_id] = time.time() + self.ttl_seconds
        self._tell(session_id=session_id)

    def revoke_user(self, user_id: str, min_version: int) -> None:
        version = max(int(min_version), self._users.get(user_id, (0, 0))[0])
        self._users[user_id] = (version, time.time() + self.ttl_seconds)
        self._tell(user_id=user_id, min_version=version)

    def apply(self, revocation: dict) -> None:
        """One ``tokens_revoked`` event's data."""
        if revocation.get("kind") == "session":
            self.revoke_session(str(revocation.get("subject")))
        elif revocation.get("kind") == "user":
            self.revoke_user(str(revocation.get("subject")),
                             int(revocation.get("min_version") or 0))

    def load(self, listing: dict) -> None:
        """documents' ``list_revocations`` answer."""
        for session_id in listing.get("sessions", []):
            if session_id not in self._sessions:
                self.revoke_session(session_id)
        for user_id, version in (listing.get("users") or {}).items():
            if self._users.get(user_id, (0, 0))[0] < version:
                self.revoke_user(user_id, version)
        self.synced = True
        self._forget_old()

    def is_revoked(self, user_id: str, session_id: str, token_version: int) -> bool:
        if session_id and session_id in self._sessions:
            return True
        entry = self._users.get(user_id)
        return entry is not None and int(token_version) < entry[0]

    def on_revoke(self, listener) -> None:
        """``listener(session_id=…)`` or ``listener(user_id=…, min_version=…)`` on each
        revocation (the live streams close theirs)."""
        self._listeners.append(listener)

    def _tell(self, **what) -> None:
        for listener in self._listeners:
            listener(**what)

    def _forget_old(self) -> None:
        now = time.time()
        self._sessions = {k: v for k, v in self._sessions.items() if v > now}
        self._users = {k: v for k, v in self._users.items() if v[1] > now}
