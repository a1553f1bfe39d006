"""Settings of sign-in through the organisation's directory (LDAP, OpenID Connect) and of
how a directory account becomes an e-Office user. Read from the nameko config like
services.common.config (each key from an environment variable, see deploy/config.yml).

The gateway talks to the directory (it binds to LDAP, it is OpenID Connect's relying
party); the documents service maps a signed-in directory account to a user by the
policy below (``match_by``, ``unknown_accounts``).
"""
from __future__ import annotations

from dataclasses import dataclass

MATCH_BY = ("username", "email")
#: What happens to a directory account that matches no e-Office user.
REFUSE, CREATE = "refuse", "create"
UNKNOWN_ACCOUNTS = (REFUSE, CREATE)


@dataclass(frozen=True)
class LdapSettings:
    #: ldap://host:389 or ldaps://host:636
    url: str
    #: The user's DN from their username, e.g. uid={username},ou=people,dc=tayninh,dc=gov,dc=vn.
    #: Empty: search for the user under ``base_dn`` with ``user_filter`` (as ``bind_dn``, or
    #: anonymously), then bind as what was found.
    user_dn_template: str = ""
    bind_dn: str = ""
    bind_password: str = ""
    base_dn: str = ""
    user_filter: str = "(uid={username})"
    #: Groups the user is in: searched under ``group_base_dn`` with ``group_filter``
    #: ({dn} the user's DN, {username}); empty base: no group lookup.
    group_base_dn: str = ""
    group_filter: str = "(|(member={dn})(uniqueMember={dn})(memberUid={username}))"
    email_attribute: str = "mail"
    name_attribute: str = "cn"
    start_tls: bool = False
    timeout_seconds: float = 5.0


@dataclass(frozen=True)
class OidcSettings:
    #: The provider's issuer URL; its /.well-known/openid-configuration is read.
    issuer: str
    client_id: str
    client_secret: str = ""
    scopes: str = "openid profile email"
    #: The ID token claim that is the account's username.
    username_claim: str = "preferred_username"
    #: The provider sends the browser back here: PUBLIC_URL/api/v1/auth/oidc/callback.
    redirect_url: str = ""
    timeout_seconds: float = 10.0


@dataclass(frozen=True)
class DirectorySettings:
    ldap: LdapSettings | None = None
    oidc: OidcSettings | None = None
    match_by: str = "username"
    unknown_accounts: str = REFUSE


def directory_settings_from(config: dict) -> DirectorySettings:
    """The settings from the nameko config. LDAP is on when LDAP_URL is set, OpenID
    Connect when OIDC_ISSUER and OIDC_CLIENT_ID are; a value outside the choices of
    DIRECTORY_MATCH_BY / DIRECTORY_UNKNOWN_ACCOUNTS stops the process at start-up."""
    def text(key, default=""):
        value = config.get(key)
        return default if value is None or str(value).strip() == "" else str(value).strip()

    ldap = None
    if text("LDAP_URL"):
        ldap = LdapSettings(
            url=text("LDAP_URL"), user_dn_template=text("LDAP_USER_DN_TEMPLATE"),
            bind_dn=text("LDAP_BIND_DN"),
            bind_password=str(config.get("LDAP_BIND_PASSWORD") or ""),
            base_dn=text("LDAP_BASE_DN"),
            user_filter=text("LDAP_USER_FILTER", LdapSettings.user_filter),
            group_base_dn=text("LDAP_GROUP_BASE_DN"),
            group_filter=text("LDAP_GROUP_FILTER", LdapSettings.group_filter),
            email_attribute=text("LDAP_EMAIL_ATTRIBUTE", "mail"),
            name_attribute=text("LDAP_NAME_ATTRIBUTE", "cn"),
            start_tls=text("LDAP_START_TLS").lower() in ("1", "true", "yes", "on"))
    oidc = None
    if text("OIDC_ISSUER") and text("OIDC_CLIENT_ID"):
        public_url = text("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/")
        oidc = OidcSettings(
            issuer=text("OIDC_ISSUER").rstrip("/"), client_id=text("OIDC_CLIENT_ID"),
            client_secret=str(config.get("OIDC_CLIENT_SECRET") or ""),
            scopes=text("OIDC_SCOPES", OidcSettings.scopes),
            username_claim=text("OIDC_USERNAME_CLAIM", OidcSettings.username_claim),
            redirect_url=text("OIDC_REDIRECT_URL",
                              f"{public_url}/api/v1/auth/oidc/callback"))
    match_by = text("DIRECTORY_MATCH_BY", "username").lower()
    unknown = text("DIRECTORY_UNKNOWN_ACCOUNTS", REFUSE).lower()
    if match_by not in MATCH_BY:
        raise ValueError(f"DIRECTORY_MATCH_BY must be one of {MATCH_BY}, not {match_by!r}")
    if unknown not in UNKNOWN_ACCOUNTS:
        raise ValueError(f"DIRECTORY_UNKNOWN_ACCOUNTS must be one of {UNKNOWN_ACCOUNTS}, "
                         f"not {unknown!r}")
    return DirectorySettings(ldap=ldap, oidc=oidc, match_by=match_by,
                             unknown_accounts=unknown)
