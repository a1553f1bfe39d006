"""Signed upload/download URLs: only the genuine, unexpired signature opens them, at
the moment the service's clock gives (``now``, epoch seconds)."""
from urllib.parse import parse_qs, urlsplit

import pytest

from services.common.errors import Forbidden
from services.storage import signing

SECRET = "test-secret"
FILE_ID = "6f1c2a3e-0000-4000-8000-000000000001"
NOW = 1_780_000_000          # 2026-05-28, the moment the checks run at


def test_a_genuine_unexpired_signature_is_accepted():
    expires = NOW + 60
    signature = signing.sign(SECRET, "PUT", FILE_ID, expires)
    assert signing.verify(SECRET, "PUT", FILE_ID, str(expires), signature,
                          now=NOW) == expires


def test_a_signed_url_carries_its_expiry_and_signature():
    expires = NOW + 60
    url = signing.signed_url("http://127.0.0.1:8105/", f"/uploads/{FILE_ID}", SECRET, "PUT",
                             FILE_ID, expires)
    parts = urlsplit(url)
    assert parts.path == f"/uploads/{FILE_ID}"
    query = {k: v[0] for k, v in parse_qs(parts.query).items()}
    assert signing.verify(SECRET, "PUT", FILE_ID, query["expires"], query["signature"],
                          now=NOW)


@pytest.mark.parametrize("tamper", ["file_id", "method", "expires", "signature", "secret"])
def test_a_tampered_signature_is_refused(tamper):
    """Changing any signed part (or the key) makes the URL worthless: 403."""
    expires = NOW + 60
    args = {"secret": SECRET, "method": "PUT", "file_id": FILE_ID, "expires": expires}
    signature = signing.sign(**args)
    if tamper == "file_id":
        args["file_id"] = FILE_ID[:-1] + "2"
    elif tamper == "method":
        args["method"] = "GET"
    elif tamper == "expires":
        args["expires"] = expires + 3600
    elif tamper == "signature":
        signature = signature[:-1] + ("0" if signature[-1] != "0" else "1")
    else:
        args["secret"] = "another-secret"
    with pytest.raises(Forbidden) as caught:
        signing.verify(signature=signature, now=NOW, **args)
    assert caught.value.details["signature"] == "invalid"


def test_an_expired_signature_is_refused():
    expires = NOW - 1
    signature = signing.sign(SECRET, "GET", FILE_ID, expires)
    with pytest.raises(Forbidden) as caught:
        signing.verify(SECRET, "GET", FILE_ID, expires, signature, now=NOW)
    assert caught.value.details["signature"] == "expired"


@pytest.mark.parametrize("expires,signature", [(None, "abc"), ("123", None), ("soon", "abc"),
                                               ("", ""), ("123", "chữ ký")])
def test_a_missing_or_malformed_signature_is_refused(expires, signature):
    with pytest.raises(Forbidden):
        signing.verify(SECRET, "PUT", FILE_ID, expires, signature, now=NOW)


def test_a_signature_is_judged_by_the_clock_it_is_given_not_the_machines():
    """A frozen service clock decides: valid up to and including its expiry second."""
    expires = NOW + 60
    signature = signing.sign(SECRET, "GET", FILE_ID, expires)
    assert signing.verify(SECRET, "GET", FILE_ID, expires, signature, now=expires) == expires
    with pytest.raises(Forbidden):
        signing.verify(SECRET, "GET", FILE_ID, expires, signature, now=expires + 1)
