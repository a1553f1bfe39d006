"""The documents service's entrypoints for accounts: signing in (with the throttle),
sessions and refresh tokens, logout, passwords, deactivation, revocations and the
live stream's tickets. Mixed into DocumentsService, whose providers and helpers these
use. The rules are in accounts.py; docs/architecture.md ("Sessions and sign-in")
tells the design."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone

from nameko.dependency_providers import Config
from sqlalchemy import delete, select, update

from services.common import events
from services.common.config import settings_from
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, InvalidInput,
                                    TooManyRequests, Unauthenticated)
from services.common.outbox import add_event
from services.common.rpc import rpc
from services.documents import accounts, administration, directory
from services.documents.accounts import REAL_TIME
from services.documents.models import (AuthSession, LoginFailure, RefreshToken,
                                       Revocation, StreamTicket, User, outbox)
from services.documents.passwords import hash_password, needs_rehash, verify_password

TICKET_SECONDS = 30


def _wrong_pair():
    return Unauthenticated("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password.")


class AccountEntrypoints:
    account_config = Config()

    def _require_system(self, token):
        # only the gateway's own key may ask (token_keys.py): no other service signs people in
        if self.identity.caller(token).service != "gateway":
            raise Unauthenticated("Chỉ cổng API được xác thực người dùng.",
                                  "Only the gateway may authenticate users.")

    @property
    def _settings(self):
        return settings_from(self.account_config)

    # ------------------------------------------------------------ signing in

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def authenticate(self, token, username, password, client_address=""):
        """Check a username and password (the gateway's login) and open a session.

        Args: token — the gateway's system token; username; password; client_address
        (the address the sign-in came from, for the throttle).
        Returns: {user: {id, username, full_name, clearance, memberships}, session_id,
        refresh_token, refresh_expires_in, token_version, must_change_password}.
        Errors: TooManyRequests (429, details.retry_after) while the account or the
        address is throttled (accounts.throttle; nothing is verified then);
        Unauthenticated (401) for a wrong pair or an inactive user (the failure is
        counted and audited); ServiceUnavailable (503) when too many passwords are
        being checked at once.
        """
        self._require_system(token)
        if not isinstance(username, str) or not isinstance(password, str) \
                or len(username) > 200 or len(password) > 1024:
            raise _wrong_pair()
        name = username.strip().lower()[:64]
        address = str(client_address or "")[:64]
        keys = (f"account:{name}", f"address:{address}")
        now = REAL_TIME.now()
        self._refuse_if_throttled(keys, now)
        with self.db.read() as session:
            user = session.execute(select(User).where(User.username == name)) \
                .scalar_one_or_none()
        # asked again once a hashing slot is ours: failures recorded while we waited count
        if not verify_password(user.password_hash if user else None, password,
                               first=lambda: self._refuse_if_throttled(
                                   keys, REAL_TIME.now())) \
                or not user.active:
            self._record_failure(keys, user, name, address,
                                 "inactive" if user and user.active is False else "password")
            raise _wrong_pair()
        new_hash = hash_password(password) if needs_rehash(user.password_hash) else None
        with self.db.transaction() as session:
            session.execute(delete(LoginFailure).where(LoginFailure.key == keys[0]))
            if new_hash:   # made with older argon2 parameters: replaced now
                session.execute(update(User).where(User.id == user.id)
                                .values(password_hash=new_hash))
            result = self._open_session(session, user, address, now)
            self._audit(session, "login", "user", user.id, user.id,
                        {"session_id": result["session_id"], "address": address})
        return result

    def _refuse_if_throttled(self, keys, now):
        since = now - accounts.WINDOW
        with self.db.read() as session:
            rows = session.execute(select(LoginFailure.key, LoginFailure.at).where(
                LoginFailure.key.in_(keys), LoginFailure.at > since)).all()
        decision = accounts.throttle([at for key, at in rows if key == keys[0]],
                                     [at for key, at in rows if key == keys[1]], now,
                                     self._settings.login_address_limit)
        if not decision.allowed:
            minutes = max(1, -(-decision.retry_after // 60))
            if decision.locked:
                raise TooManyRequests(
                    f"Đăng nhập sai quá nhiều lần; tạm khóa, thử lại sau {minutes} phút.",
                    f"Too many failed sign-ins; locked, try again in {minutes} min.",
                    {"retry_after": str(decision.retry_after)})
            raise TooManyRequests(
                f"Đăng nhập sai nhiều lần; thử lại sau {decision.retry_after} giây.",
                f"Several failed sign-ins; try again in {decision.retry_after} s.",
                {"retry_after": str(decision.retry_after)})

    def _record_failure(self, keys, user, name, address, reason):
        now = REAL_TIME.now()
        with self.db.transaction() as session:
            session.add_all(LoginFailure(key=key, at=now) for key in keys)
            # old failures are of no further use to the throttle
            session.execute(delete(LoginFailure).where(
                LoginFailure.at < now - 2 * accounts.WINDOW))
            self._audit(session, "login_failed", "user", user.id if user else "-",
                        "anonymous", {"username": name, "address": address,
                                      "reason": reason})

    def _open_session(self, session, user, address, now):
        settings = self._settings
        sid = str(uuid.uuid4())
        refresh = accounts.new_secret()
        expires = now + timedelta(seconds=settings.refresh_ttl_seconds)
        session.add(AuthSession(id=sid, user_id=user.id, client_address=address,
                                created_at=now, expires_at=expires, revoked_reason=""))
        session.flush()
        session.add(RefreshToken(token_hash=accounts.secret_hash(refresh), session_id=sid,
                                 issued_at=now, expires_at=expires))
        return self._session_answer(session, user, sid, refresh, expires, now)

    def _session_answer(self, session, user, sid, refresh, expires, now):
        return {"user": self._profiles(session, [user])[0], "session_id": sid,
                "refresh_token": refresh,
                "refresh_expires_in": int((expires - now).total_seconds()),
                "token_version": user.token_version or 0,
                "must_change_password": bool(user.must_change_password)}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def refresh_session(self, token, refresh_token):
        """Exchange a refresh token for the next one (rotation) and the user as they are
        now (current roles and clearance). Args: the gateway's system token; the
        refresh token. Returns: as authenticate. Errors: Unauthenticated (401) for an
        unknown, expired or revoked token, an inactive user, or a token already used —
        which revokes its whole session (it was copied). Events: tokens_revoked."""
        self._require_system(token)
        if not isinstance(refresh_token, str) or not 20 <= len(refresh_token) <= 200:
            raise self._session_over()
        now = REAL_TIME.now()
        reused = False
        with self.db.transaction() as session:
            row = session.get(RefreshToken, accounts.secret_hash(refresh_token))
            auth_session = session.get(AuthSession, row.session_id) if row else None
            user = session.get(User, auth_session.user_id) if auth_session else None
            check = accounts.check_refresh(row, auth_session, bool(user and user.active),
                                           now)
            if check.reuse and auth_session.revoked_at is None:
                reused = True
                self._revoke_sessions(session, [auth_session], "refresh_reused", now)
                self._audit(session, "refresh_reused", "user", user.id, user.id,
                            {"session_id": auth_session.id})
            if check.ok:
                row.used_at = now
                refresh = accounts.new_secret()
                session.add(RefreshToken(token_hash=accounts.secret_hash(refresh),
                                         session_id=auth_session.id, issued_at=now,
                                         expires_at=auth_session.expires_at))
                result = self._session_answer(session, user, auth_session.id, refresh,
                                              auth_session.expires_at, now)
        if reused:
            self.flush_outbox()
        if not check.ok:
            raise self._session_over()
        return result

    @staticmethod
    def _session_over():
        return Unauthenticated("Phiên đăng nhập đã kết thúc, vui lòng đăng nhập lại.",
                               "The session is over; please sign in again.")

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def end_session(self, token):
        """Logout: revoke the caller's session (its refresh token and every access token
        of it). Returns {revoked: true}. Events: tokens_revoked."""
        caller = self.identity.caller(token)
        now = REAL_TIME.now()
        with self.db.transaction() as session:
            auth_session = session.get(AuthSession, caller.session_id) \
                if caller.session_id else None
            if auth_session is not None and auth_session.user_id == caller.user_id:
                self._revoke_sessions(session, [auth_session], "logout", now)
                self._audit(session, "logout", "user", caller.user_id, caller.user_id,
                            {"session_id": auth_session.id})
        self.flush_outbox()
        return {"revoked": True}

    def _revoke_sessions(self, session, auth_sessions, reason, now):
        for auth_session in auth_sessions:
            if auth_session.revoked_at is None:
                auth_session.revoked_at, auth_session.revoked_reason = now, reason
            self._publish_revocation(session, "session", auth_session.id,
                                     auth_session.user_id, 0, now)

    def _publish_revocation(self, session, kind, subject, user_id, min_version, now):
        session.add(Revocation(kind=kind, subject=subject, user_id=user_id,
                               min_version=min_version, at=now))
        add_event(session, outbox, events.TOKENS_REVOKED,
                  {"kind": kind, "subject": subject, "user_id": user_id,
                   "min_version": min_version, "at": now.isoformat()})

    def _revoke_user_tokens(self, session, user, reason, end_sessions=False):
        """Every access token the user holds stops working at once (their token version
        goes up); with ``end_sessions`` their refresh tokens too (deactivation, a
        password reset or change). A change of roles or clearance keeps the sessions:
        the next refresh carries the new rights. The caller flushes the outbox."""
        now = REAL_TIME.now()
        user.token_version = (user.token_version or 0) + 1
        if end_sessions:
            for auth_session in session.execute(select(AuthSession).where(
                    AuthSession.user_id == user.id, AuthSession.revoked_at.is_(None))
                    ).scalars():
                auth_session.revoked_at, auth_session.revoked_reason = now, reason
        self._publish_revocation(session, "user", user.id, user.id, user.token_version, now)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_revocations(self, token, max_age_seconds):
        """The revocations of the last ``max_age_seconds`` (at most a day), for a
        gateway starting or catching up: {sessions: [id], users: {user_id:
        min_version}}. Only services may ask."""
        self._require_system(token)
        seconds = max(1, min(int(max_age_seconds or 0), 86400))
        since = REAL_TIME.now() - timedelta(seconds=seconds)
        sessions, users = [], {}
        with self.db.read() as session:
            for row in session.execute(select(Revocation).where(Revocation.at >= since)
                                       .order_by(Revocation.id)).scalars():
                if row.kind == "session":
                    sessions.append(row.subject)
                else:
                    users[row.subject] = max(users.get(row.subject, 0), row.min_version)
        return {"sessions": sessions, "users": users}

    # ------------------------------------------------------------ passwords

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def change_password(self, token, payload, client_address=""):
        """A person changes their own password: {old_password, new_password} (policy:
        accounts.password_problems). Every session of theirs ends and a new one opens.
        Returns: as authenticate. Errors: InvalidInput (a wrong old password — counted
        by the throttle like a failed sign-in — or a weak new one); TooManyRequests.
        Events: tokens_revoked."""
        caller = self.identity.caller(token)
        if caller.system or not caller.session_id:
            raise Forbidden("Chỉ người dùng đã đăng nhập được đổi mật khẩu của mình.",
                            "Only a signed-in person may change their password.")
        payload = payload if isinstance(payload, dict) else {}
        old, new = payload.get("old_password"), payload.get("new_password")
        address = str(client_address or "")[:64]
        keys = (f"account:{caller.username}", f"address:{address}")
        now = REAL_TIME.now()
        self._refuse_if_throttled(keys, now)
        with self.db.read() as session:
            user = session.get(User, caller.user_id)
        if user is None or not user.active:
            raise self._session_over()
        if not isinstance(old, str) or not verify_password(user.password_hash, old):
            self._record_failure(keys, user, user.username, address, "old_password")
            raise InvalidInput("Mật khẩu hiện tại không đúng.",
                               "The current password is wrong.",
                               {"old_password": {"vi": "Không đúng.", "en": "Wrong."}})
        problems = accounts.password_problems(new, user.username)
        if not problems.details and new == old:
            problems.add("new_password", "Mật khẩu mới phải khác mật khẩu cũ.",
                         "The new password must differ from the old one.")
        problems.raise_if_any()
        new_hash = hash_password(new)
        with self.db.transaction() as session:
            user = session.get(User, caller.user_id)
            user.password_hash, user.must_change_password = new_hash, False
            self._revoke_user_tokens(session, user, "password_changed", end_sessions=True)
            result = self._open_session(session, user, address, now)
            self._audit(session, "change_password", "user", user.id, user.id, {})
        self.flush_outbox()
        return result

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def reset_password(self, token, user_id):
        """An administrator resets a person's password: a temporary one is made, every
        session of theirs ends, and their next sign-in may only change it.
        Returns {user_id, temporary_password} (shown once, to hand over).
        Errors: Forbidden (not an administrator of every unit the person belongs to);
        NotFound. Events: tokens_revoked, rights_changed."""
        caller = self._require_admin(token)
        temporary = accounts.temporary_password()
        new_hash = hash_password(temporary)
        with self.db.transaction() as session:
            user = self._user_to_administer(session, caller, user_id)
            user.password_hash, user.must_change_password = new_hash, True
            self._revoke_user_tokens(session, user, "password_reset", end_sessions=True)
            self._audit(session, "reset_password", "user", user.id, caller.user_id, {})
            self.raise_rights_alert(session, user.id, "password_reset", caller.user_id, {})
        self.flush_outbox()
        return {"user_id": user_id, "temporary_password": temporary}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def set_user_active(self, token, user_id, active):
        """Deactivate (``active`` false) or reactivate a user (administrators). A
        deactivated user cannot sign in, and their tokens and sessions stop at once.
        Returns the profile. Errors: Forbidden; NotFound; Conflict for deactivating
        oneself. Events: tokens_revoked, rights_changed."""
        caller = self._require_admin(token)
        if not isinstance(active, bool):
            raise InvalidInput("active phải là true hoặc false.", "active must be a boolean.")
        if not active and user_id == caller.user_id:
            raise Conflict("Không thể tự khóa tài khoản của mình.",
                           "You cannot deactivate your own account.")
        with self.db.transaction() as session:
            user = self._user_to_administer(session, caller, user_id)
            if user.active != active:
                user.active = active
                if not active:
                    self._revoke_user_tokens(session, user, "deactivated", end_sessions=True)
                self._audit(session, "reactivate" if active else "deactivate", "user",
                            user.id, caller.user_id, {})
                self.raise_rights_alert(session, user.id,
                                        "reactivated" if active else "deactivated",
                                        caller.user_id, {})
        self.flush_outbox()
        return self._user_profile(user_id)

    def _user_to_administer(self, session, caller, user_id):
        """The user, if the caller administers every unit they belong to
        (administration.may_manage_person)."""
        user = self._user_or_404(session, user_id)
        units = [m["unit_id"] for m in self._roles_of(session, user.id)]
        if not administration.may_manage_person(caller, units, bool(user.system_admin),
                                                directory.parents_of(session, units)):
            raise Forbidden("Người này không thuộc các đơn vị bạn quản trị.",
                            "This person is not within the units you administer.")
        return user

    # ------------------------------------------------------------ stream tickets

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_stream_ticket(self, token, access_expires_at):
        """A one-time ticket (valid TICKET_SECONDS) that opens the caller's live
        notification stream in place of their token. Args: the caller's token; when
        that access token expires (epoch seconds: the stream ends then).
        Returns {ticket, expires_in}."""
        caller = self.identity.caller(token)
        if caller.system or not caller.session_id or caller.password_change_only:
            raise Forbidden("Chỉ người dùng đã đăng nhập được mở luồng thông báo.",
                            "Only a signed-in person may open the notification stream.")
        now = REAL_TIME.now()
        ticket = accounts.new_secret()
        with self.db.transaction() as session:
            session.execute(delete(StreamTicket).where(
                StreamTicket.expires_at < now - timedelta(minutes=5)))
            session.add(StreamTicket(
                ticket_hash=accounts.secret_hash(ticket), user_id=caller.user_id,
                session_id=caller.session_id, token_version=caller.token_version,
                access_expires_at=datetime.fromtimestamp(float(access_expires_at),
                                                         timezone.utc),
                expires_at=now + timedelta(seconds=TICKET_SECONDS)))
        return {"ticket": ticket, "expires_in": TICKET_SECONDS}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def redeem_stream_ticket(self, token, ticket):
        """Use a stream ticket (once). Args: the gateway's system token; the ticket.
        Returns {user, session_id, token_version, access_expires_at (epoch seconds)}.
        Errors: Unauthenticated for an unknown, used or expired ticket, or a user no
        longer active."""
        self._require_system(token)
        refused = Unauthenticated("Vé mở luồng thông báo không hợp lệ hoặc đã dùng.",
                                  "The stream ticket is invalid, expired or used.")
        if not isinstance(ticket, str) or not 20 <= len(ticket) <= 200:
            raise refused
        now = REAL_TIME.now()
        with self.db.transaction() as session:
            # one UPDATE decides, so two gateways redeeming at once cannot both win
            won = session.execute(update(StreamTicket).where(
                StreamTicket.ticket_hash == accounts.secret_hash(ticket),
                StreamTicket.used_at.is_(None), StreamTicket.expires_at > now)
                .values(used_at=now)).rowcount
            row = session.get(StreamTicket, accounts.secret_hash(ticket)) if won else None
            user = session.get(User, row.user_id) if row else None
            if user is None or not user.active:
                raise refused
            return {"user": self._profiles(session, [user])[0],
                    "session_id": row.session_id, "token_version": row.token_version,
                    "access_expires_at": row.access_expires_at.timestamp()}
