"""Signing in with the organisation's LDAP directory: a simple bind as the person (their
DN from a template, or found by a search as a service account), then their e-mail, name
and groups. Groups are facts shown with the user; roles stay managed in e-Office.

Nothing here raises for a wrong password or an unreachable directory: the answer is
None and the login goes on with local passwords (so an administrator with a local
password still signs in while the directory is down)."""
from __future__ import annotations

import logging

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.utils.conv import escape_filter_chars
from ldap3.utils.dn import escape_rdn

from services.common.directory_config import LdapSettings

log = logging.getLogger(__name__)
MAX_GROUPS = 200


def _server(settings: LdapSettings) -> ldap3.Server:
    # ldap3 reads no trailing "/" (ldap://host:389/ is how OpenLDAP tools write it).
    return ldap3.Server(settings.url.rstrip("/"), connect_timeout=settings.timeout_seconds,
                        get_info=ldap3.NONE)


def _connection(settings: LdapSettings, user: str | None, password: str | None):
    """A bound connection, or None when the directory refuses the credentials."""
    connection = ldap3.Connection(_server(settings), user=user, password=password,
                                  receive_timeout=max(1, int(settings.timeout_seconds)),
                                  raise_exceptions=False, auto_bind=ldap3.AUTO_BIND_NONE)
    connection.open()
    if settings.start_tls:
        connection.start_tls()
    if not connection.bind():
        connection.unbind()
        return None
    return connection


def _first(entry_attributes: dict, name: str) -> str:
    value = entry_attributes.get(name)
    if isinstance(value, list):
        value = value[0] if value else ""
    return str(value or "").strip()


def _user_dn(settings: LdapSettings, username: str) -> str | None:
    """The person's DN: from the template, or searched as the service account (or
    anonymously) under base_dn; None when not exactly one entry matches."""
    if settings.user_dn_template:
        return settings.user_dn_template.format(username=escape_rdn(username))
    service = _connection(settings, settings.bind_dn or None, settings.bind_password or None)
    if service is None:
        log.warning("LDAP: the service account could not bind")
        return None
    try:
        service.search(settings.base_dn,
                       settings.user_filter.format(username=escape_filter_chars(username)),
                       search_scope=ldap3.SUBTREE, attributes=[], size_limit=2)
        entries = [e for e in service.response or [] if e.get("type") == "searchResEntry"]
        return entries[0]["dn"] if len(entries) == 1 else None
    finally:
        service.unbind()


def authenticate(settings: LdapSettings, username, password) -> dict | None:
    """The directory account of a username and password, as the documents service's
    sign_in_directory takes it ({source, username, email, full_name, groups}), or None
    for a wrong pair, an unknown person or a directory that cannot be reached."""
    if not isinstance(username, str) or not isinstance(password, str):
        return None
    username = username.strip().lower()
    # An empty password is an "unauthenticated bind" that LDAP servers accept for any
    # DN: it must never count as a sign-in.
    if not username or not password or len(username) > 256 or len(password) > 1024:
        return None
    try:
        dn = _user_dn(settings, username)
        if dn is None:
            return None
        connection = _connection(settings, dn, password)
        if connection is None:
            return None
        try:
            connection.search(dn, "(objectClass=*)", search_scope=ldap3.BASE,
                              attributes=[settings.email_attribute, settings.name_attribute])
            found = [e for e in connection.response or [] if e.get("type") == "searchResEntry"]
            attributes = found[0]["attributes"] if found else {}
            groups = []
            if settings.group_base_dn:
                connection.search(settings.group_base_dn, settings.group_filter.format(
                    dn=escape_filter_chars(dn), username=escape_filter_chars(username)),
                    search_scope=ldap3.SUBTREE, attributes=["cn"], size_limit=MAX_GROUPS)
                groups = sorted(_first(e["attributes"], "cn") or e["dn"]
                                for e in connection.response or []
                                if e.get("type") == "searchResEntry")
        finally:
            connection.unbind()
    except LDAPException as exc:
        log.warning("LDAP sign-in could not reach the directory: %s", type(exc).__name__)
        return None
    return {"source": "ldap", "username": username,
            "email": _first(attributes, settings.email_attribute) or None,
            "full_name": _first(attributes, settings.name_attribute), "groups": groups}
