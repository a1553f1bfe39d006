"""How an account of the organisation's directory (LDAP, OpenID Connect) becomes an
e-Office user: the rules, without a database.

- The gateway has already authenticated the account with the directory; what arrives is
  {source, username, email?, full_name?, groups?}.
- The account matches the e-Office user with the same username, or the same e-mail
  (DIRECTORY_MATCH_BY), compared in lower case.
- A matched user that is inactive is refused. A matched user that still signs in with a
  local password becomes a directory user: the directory decides who they are from then
  on, and their local password is removed (a directory user has none).
- An account that matches nobody is refused, or, if the administrator chose so
  (DIRECTORY_UNKNOWN_ACCOUNTS=create), becomes a new user with no roles (an
  administrator gives them memberships) and no clearance. Its username must be a valid
  e-Office username that nobody holds.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.common.directory_config import CREATE, MATCH_BY, UNKNOWN_ACCOUNTS
from services.common.errors import InvalidInput
from services.documents.directory import USERNAME_RE

SOURCES = ("ldap", "oidc")
USE, NEW, REFUSE = "use", "create", "refuse"
MAX_GROUPS = 200


@dataclass(frozen=True)
class Account:
    source: str
    username: str
    email: str | None
    full_name: str
    groups: tuple[str, ...] = ()


@dataclass(frozen=True)
class Decision:
    action: str            # USE, NEW or REFUSE
    reason: str = ""       # why it was refused (audited, never shown to the person)
    link: bool = False     # USE of a local user who becomes a directory user


def parse_account(data) -> Account:
    """The account the gateway sends; anything else is a programming error of the
    gateway (400)."""
    if not isinstance(data, dict) or data.get("source") not in SOURCES:
        raise InvalidInput("Tài khoản thư mục không hợp lệ.", "Invalid directory account.")

    def text(key, limit):
        value = data.get(key)
        return value.strip()[:limit] if isinstance(value, str) else ""

    username = text("username", 256).lower()
    email = text("email", 254).lower() or None
    if email is not None and "@" not in email:
        email = None
    groups = data.get("groups") or []
    if not isinstance(groups, list):
        groups = []
    return Account(source=data["source"], username=username, email=email,
                   full_name=text("full_name", 100),
                   groups=tuple(str(g)[:256] for g in groups[:MAX_GROUPS]))


def match_value(account: Account, match_by: str) -> str | None:
    """What the account is matched by: its username or its e-mail (lower case), or None
    when it has none."""
    if match_by not in MATCH_BY:
        raise ValueError(match_by)
    value = account.username if match_by == "username" else account.email
    return value or None


def decide(account: Account, user, unknown_accounts: str, username_taken: bool) -> Decision:
    """What to do with a signed-in directory account. ``user`` is the matched e-Office
    user (an object with ``active`` and ``auth_source``) or None; ``username_taken``
    whether another user holds the account's username (when none matched)."""
    if unknown_accounts not in UNKNOWN_ACCOUNTS:
        raise ValueError(unknown_accounts)
    if user is not None:
        if not user.active:
            return Decision(REFUSE, "inactive")
        return Decision(USE, link=user.auth_source != account.source)
    if unknown_accounts != CREATE:
        return Decision(REFUSE, "unknown")
    if not USERNAME_RE.match(account.username or ""):
        return Decision(REFUSE, "username_not_valid_here")
    if username_taken:
        return Decision(REFUSE, "username_taken")
    return Decision(NEW)


def new_user_fields(account: Account) -> dict:
    """A user created from a directory account: no roles, no clearance, no password."""
    return {"username": account.username, "full_name": account.full_name or account.username,
            "position": "", "email": account.email, "clearance": "none",
            "auth_source": account.source, "password_hash": "", "active": True}
