"""Reading a stored file and storing a new one, the way every service does it: bytes go over
storage's signed HTTP URLs, never over RabbitMQ (storage's rule). ``storage`` is a storage
RPC proxy and ``token`` a system token of the calling service; ``internal`` turns a URL
storage gives into one the caller can reach (``internal_url``)."""
from __future__ import annotations

import requests

HTTP_TIMEOUT = (5, 60)


def same(url: str) -> str:
    return url


def internal_url(public_base: str, internal_base: str, url: str) -> str:
    """A signed URL of storage's, reached from inside the deployment: the signature covers
    the method, the file and the expiry, not the host, so the base may change."""
    public = (public_base or "").rstrip("/")
    if internal_base and public and url.startswith(public + "/"):
        return internal_base.rstrip("/") + url[len(public):]
    return url


def read_bytes(storage, token: str, file_id: str, internal=same) -> bytes:
    """The stored bytes of ``file_id`` (the caller has checked its record and size)."""
    url = internal(storage.get_download_url(token, file_id)["url"])
    response = requests.get(url, timeout=HTTP_TIMEOUT)
    response.raise_for_status()
    return response.content


def store_bytes(storage, token: str, filename: str, content_type: str, data: bytes,
                internal=same) -> dict:
    """Store ``data`` as a new file; its record (``file_id``, ``sha256``, ``size``…)."""
    upload = storage.create_upload(token, {"filename": filename, "content_type": content_type,
                                           "size": len(data)})
    response = requests.put(internal(upload["upload_url"]), data=data, timeout=HTTP_TIMEOUT,
                            headers={"Content-Type": content_type})
    response.raise_for_status()
    return response.json()
