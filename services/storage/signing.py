"""Short-lived signed URLs for uploading and downloading bytes (like S3 presigned
URLs): the URL itself is the credential, so the HTTP endpoints need no token.

signature = HMAC-SHA256(key, "METHOD\\nfile_id\\nexpires"), hex; the key is derived
from SECRET_KEY for this one purpose, so a signature can never pass for a token.
"""
from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlencode

from services.common.errors import Forbidden

UPLOAD_TTL_SECONDS = 15 * 60
DOWNLOAD_TTL_SECONDS = 5 * 60
_PURPOSE = b"eoffice-storage-url-v1"


def _key(secret: str) -> bytes:
    return hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).digest()


def sign(secret: str, method: str, file_id: str, expires: int) -> str:
    message = f"{method.upper()}\n{file_id}\n{int(expires)}".encode()
    return hmac.new(_key(secret), message, hashlib.sha256).hexdigest()


def signed_url(base_url: str, path: str, secret: str, method: str, file_id: str,
               expires: int) -> str:
    query = urlencode({"expires": int(expires),
                       "signature": sign(secret, method, file_id, expires)})
    return f"{base_url.rstrip('/')}{path}?{query}"


def _refused(reason: str) -> Forbidden:
    return Forbidden("Đường dẫn không hợp lệ hoặc đã hết hạn.",
                     "The link is invalid or has expired.", {"signature": reason})


def verify(secret: str, method: str, file_id: str, expires, signature, *,
           now: float) -> int:
    """The expiry (epoch seconds) if the signature is genuine and unexpired at ``now``
    (epoch seconds, the service's clock); Forbidden otherwise. The comparison takes
    constant time."""
    if not isinstance(signature, str) or not signature or expires in (None, ""):
        raise _refused("missing")
    try:
        expires = int(expires)
    except (TypeError, ValueError):
        raise _refused("invalid")
    expected = sign(secret, method, file_id, expires)
    if not hmac.compare_digest(expected.encode(), signature.encode("utf-8", "replace")):
        raise _refused("invalid")
    if expires < now:
        raise _refused("expired")
    return expires
