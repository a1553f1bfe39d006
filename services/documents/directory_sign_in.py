"""The documents service's entrypoint for signing in through the organisation's
directory (LDAP, OpenID Connect): the gateway has authenticated the account, this maps
it to an e-Office user (rules in directory_accounts). Mixed into DocumentsService."""
from __future__ import annotations

import uuid

from nameko.extensions import DependencyProvider
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from services.common.directory_config import directory_settings_from
from services.common.errors import EXPECTED_ERRORS, Unauthenticated
from services.common.rpc import rpc
from services.documents import directory_accounts as rules
from services.documents.accounts import REAL_TIME
from services.documents.models import User


class DirectoryPolicy(DependencyProvider):
    """The deployment's DIRECTORY_MATCH_BY and DIRECTORY_UNKNOWN_ACCOUNTS."""

    def setup(self):
        self.settings = directory_settings_from(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.settings


def refused() -> Unauthenticated:
    # The same answer as a wrong password: a stranger learns nothing about who exists.
    return Unauthenticated("Sai tên đăng nhập hoặc mật khẩu.", "Wrong username or password.")


class DirectorySignInEntrypoints:
    directory_policy = DirectoryPolicy()

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def sign_in_directory(self, token, account, client_address=""):
        """Map an account the gateway authenticated with the directory to a user.

        Args: token — the gateway's system token; account {source: "ldap"|"oidc",
        username, email?, full_name?, groups?: [name]}.
        Returns: a new session as authenticate returns it ({user, session_id,
        refresh_token, refresh_expires_in, token_version, must_change_password}), the
        user with ``directory_groups`` (the account's groups, shown, not turned into roles).
        Errors: TooManyRequests (429) for an LDAP account or address the sign-in throttle
        holds; Unauthenticated (401, the wrong-password message) for a caller that is not
        a service, an account that matches nobody (unless unknown accounts are created),
        an inactive user. Every outcome is audited ("login", "login_refused",
        "create" and "link_directory" on the user).
        """
        if self.identity.caller(token).service != "gateway":
            raise Unauthenticated("Chỉ cổng API được xác thực người dùng.",
                                  "Only the gateway may authenticate users.")
        account = rules.parse_account(account)
        address = str(client_address or "")[:64]
        if account.source == "ldap":
            # A locked account or address stays locked for the directory's password too
            # (its wrong passwords are counted by the local check the gateway falls to).
            self._refuse_if_throttled((f"account:{account.username[:64]}",
                                       f"address:{address}"), REAL_TIME.now())
        try:
            return self._sign_in_directory(account, address)
        except IntegrityError:
            # Two first sign-ins of the same new account at once: the other one created
            # the user; this one now finds it.
            return self._sign_in_directory(account, address)

    def _sign_in_directory(self, account: rules.Account, address: str) -> dict:
        policy = self.directory_policy
        key = rules.match_value(account, policy.match_by)
        column = User.username if policy.match_by == "username" else User.email
        with self.db.transaction() as session:
            # Whether the username is taken is read first, the match second: on
            # PostgreSQL each statement sees what was committed before it, so a user that
            # the same account's concurrent first sign-in creates in between is then
            # found (USE), rather than seen only as a taken username (refused as a wrong
            # password, as it was in the other order).
            taken = bool(session.execute(select(User.id).where(
                User.username == account.username)).first())
            user = None
            if key:
                # Both are kept in lower case. Several users may share an e-mail: take
                # none rather than a guess.
                found = session.execute(select(User).where(
                    column == key).limit(2)).scalars().all()
                user = found[0] if len(found) == 1 else None
            taken = user is None and taken
            decision = rules.decide(account, user, policy.unknown_accounts, taken)
            details = {"source": account.source, "account": account.username,
                       "groups": list(account.groups)}
            if decision.action == rules.REFUSE:
                who = user.id if user else f"{account.source}:{account.username}"[:64]
                self._audit(session, "login_refused", "user", who, who,
                            details | {"reason": decision.reason})
        if decision.action == rules.REFUSE:
            raise refused()
        with self.db.transaction() as session:
            if decision.action == rules.NEW:
                user = User(id=str(uuid.uuid4()), **rules.new_user_fields(account))
                session.add(user)
                session.flush()
                self._audit(session, "create", "user", user.id, user.id,
                            details | {"after": {"username": user.username,
                                                 "full_name": user.full_name,
                                                 "email": user.email, "memberships": []}})
            else:
                user = session.get(User, user.id)
                if decision.link:
                    self._audit(session, "link_directory", "user", user.id, user.id,
                                details | {"before": user.auth_source})
                    user.auth_source = account.source
                    user.password_hash = ""   # a directory user has no local password
                if account.email and not user.email:
                    user.email = account.email
            self._audit(session, "login", "user", user.id, user.id, details)
            user.must_change_password = False   # no local password to change
            answer = self._open_session(session, user, address, REAL_TIME.now())
        answer["user"]["directory_groups"] = list(account.groups)
        return answer
