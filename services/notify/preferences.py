"""Each user's notification channels: in-app always, e-mail when they ask for it and
give an address. Plain rules, no nameko: validating a change and showing the result.

    changes = validate_changes(payload, current)   # InvalidInput, naming each bad field
"""
from __future__ import annotations

import re

from services.common.validation import Problems

#: What ``set_preferences`` accepts. ``in_app`` may only be true (it is always on), so
#: that a client may send back what it read.
FIELDS = {"in_app", "email_enabled", "email"}
EMAIL_MAX = 254      # RFC 5321: the longest path
LOCAL_MAX = 64
_LOCAL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
_LABEL_RE = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")

DEFAULTS = {"email_enabled": False, "email": None}


def normalise_email(value: str) -> str | None:
    """The address with its domain in lower case, or None if it is not a plain ASCII
    address (local@domain.tld; no display name, no IP literal, no quoting)."""
    if not isinstance(value, str) or len(value) > EMAIL_MAX or value.count("@") != 1:
        return None
    local, domain = value.split("@")
    labels = domain.split(".")
    if not (0 < len(local) <= LOCAL_MAX and _LOCAL_RE.match(local)):
        return None
    if len(labels) < 2 or not all(_LABEL_RE.match(label) for label in labels) \
            or labels[-1].isdigit():
        return None
    return f"{local}@{domain.lower()}"


def validate_changes(payload, current: dict) -> dict:
    """The preferences after applying ``payload`` to ``current`` ({email_enabled, email}).

    Fields left out keep their value; ``email`` null or "" removes the address, which
    e-mail on does not allow. Raises InvalidInput (every problem in Vietnamese and
    English) on a field it does not know, a value of the wrong type or a bad address.
    """
    problems = Problems()
    data = problems.object(payload, "payload")
    problems.only(data, FIELDS)
    if "in_app" in data and data["in_app"] is not True:
        problems.add("in_app", "Thông báo trong hệ thống luôn được bật.",
                     "In-app notifications are always on.")
    enabled = current["email_enabled"]
    if "email_enabled" in data:
        enabled = problems.boolean(data, "email_enabled", default=enabled)
    email = current["email"]
    if "email" in data:
        email = problems.text(data, "email", max_length=EMAIL_MAX)
        if email is not None:
            email = normalise_email(email)
            if email is None:
                problems.add("email", "Địa chỉ e-mail không hợp lệ (dạng ten@co-quan.gov.vn).",
                             "Not a valid e-mail address (like name@agency.gov.vn).")
    if enabled and not email and "email" not in problems.details:
        problems.add("email", "Cần một địa chỉ e-mail để nhận thông báo qua e-mail.",
                     "An e-mail address is needed to receive notifications by e-mail.")
    problems.raise_if_any()
    return {"email_enabled": enabled, "email": email}


def preferences_out(user_id: str, row, email_available: bool) -> dict:
    """What ``get_preferences`` and ``set_preferences`` return. ``email_available`` is
    false when this deployment sends no e-mail (no SMTP server is set)."""
    return {"user_id": user_id, "in_app": True,
            "email_enabled": bool(row.email_enabled) if row else DEFAULTS["email_enabled"],
            "email": row.email if row else DEFAULTS["email"],
            "email_available": email_available,
            "updated_at": row.updated_at.isoformat() if row else None}
