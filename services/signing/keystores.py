"""Where signing keys live, and how to get a pyHanko signer for one: in an HSM through PKCS#11
(the key never leaves the device; the demo and the tests use SoftHSM2) or in a PKCS#12 file
protected by a passphrase.

Remote signing ("ký số từ xa", a third kind, not built yet): the key stays with a trust
service provider and the signer confirms each signature on their phone. A provider
implements the same `signer(key_ref, chain)` and returns a pyHanko ``Signer`` whose
``async_sign_raw(data, digest_algorithm)`` sends the digest to the provider (key_ref names the
signer's account or credential there) and then waits, asynchronously and with a deadline of
a few minutes, for the signer's confirmation; the provider answers either a raw signature
(with the signing certificate and its chain, which the Signer exposes as ``signing_cert`` and
``cert_registry``) or a whole CMS SignedData, for which the Signer overrides
``async_sign`` / ``async_sign_general_data`` to embed the provider's CMS as is. Declining,
timing out or an unknown account become a SigningError the user can act on. It plugs in as
``kind = "remote"``: the service picks the store by the holder's key store kind, as for the
two kinds below, and signing as such runs unchanged, except that a signing request then
takes as long as the signer needs to confirm.
"""
from __future__ import annotations

import os
from typing import Protocol

from asn1crypto import x509
from pyhanko.sign import signers

from services.signing import softhsm
from services.signing.errors import SigningError

MAX_PKCS12_BYTES = 1024 * 1024


class KeyStore(Protocol):
    kind: str   # "pkcs11" | "pkcs12"

    def signer(self, key_ref: str, chain: list[bytes]) -> signers.Signer:
        """A pyHanko signer for the key `key_ref` (the token key label for pkcs11, the .p12
        path for pkcs12); `chain` holds the DER certificates of the issuers for the CMS."""


def _certificates(chain: list[bytes]) -> list[x509.Certificate]:
    return [x509.Certificate.load(der) for der in chain]


class Pkcs11KeyStore:
    """Keys in a PKCS#11 token (any PKCS#11 library: library path, token label, user PIN;
    for SoftHSM the token's config too). Keeps one logged-in session, opened on first use and
    reopened when it was closed; `close()` ends it."""

    kind = "pkcs11"

    def __init__(self, token: softhsm.Token):
        self.token = token
        self._session = None

    def _unavailable(self, error: Exception) -> SigningError:
        return SigningError(
            "key_store_unavailable",
            f"Không mở được thiết bị lưu khóa (HSM) “{self.token.label}”: "
            f"{type(error).__name__}",
            f"Cannot open the key store (HSM) “{self.token.label}”: {type(error).__name__}",
        )

    def _open(self):
        import pkcs11

        try:
            self._session = softhsm.open_session(self.token)
        except pkcs11.PKCS11Error as e:
            raise self._unavailable(e) from e
        return self._session

    def _find_key(self, session, key_label: str):
        from pkcs11 import Attribute, ObjectClass

        return list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                         Attribute.LABEL: key_label}))

    def session(self):
        """The store's open session, reopened if it was closed."""
        return self._session if self._session is not None else self._open()

    def signer(self, key_ref: str, chain: list[bytes]) -> signers.Signer:
        import pkcs11
        from pyhanko.sign.pkcs11 import PKCS11Signer

        try:
            found = self._find_key(self.session(), key_ref)
        except (pkcs11.SessionHandleInvalid, pkcs11.SessionClosed, pkcs11.DeviceRemoved,
                pkcs11.TokenNotPresent):
            found = None   # closed behind our back, or the token went away and came back
        if not found:
            # Also when the login was lost: private keys are invisible to a session then.
            self._session = None
            try:
                softhsm.login(self.token, again=True)
            except pkcs11.PKCS11Error as e:
                raise self._unavailable(e) from e
            found = self._find_key(self.session(), key_ref)
        if not found:
            raise SigningError(
                "key_not_found",
                f"Không tìm thấy khóa “{key_ref}” trong thiết bị lưu khóa.",
                f"No key “{key_ref}” in the key store.",
            )
        return PKCS11Signer(self._session, cert_label=key_ref, key_label=key_ref,
                            ca_chain=_certificates(chain))

    def close(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            try:
                session.close()
            except Exception:   # noqa: BLE001 — already closed or token gone: nothing to end
                pass


class Pkcs12KeyStore:
    """Keys in PKCS#12 files (key, certificate and chain), all under one passphrase. A file
    is decrypted once and its signer kept while the file is unchanged (decrypting it took
    50–300 ms of each signature); the key is in this process's memory either way."""

    kind = "pkcs12"

    def __init__(self, passphrase: bytes):
        self.passphrase = passphrase
        self._loaded: dict[tuple, signers.Signer] = {}

    def signer(self, key_ref: str, chain: list[bytes]) -> signers.Signer:
        try:
            info = os.stat(key_ref)
            if info.st_size > MAX_PKCS12_BYTES:
                raise ValueError("too large for a PKCS#12 key file")
            key = (key_ref, info.st_mtime_ns, info.st_size, tuple(chain))
            if key in self._loaded:
                return self._loaded[key]
            with open(key_ref, "rb") as f:
                data = f.read()
            # load_pkcs12_data is load_pkcs12 on bytes, but raises instead of returning None.
            loaded = signers.SimpleSigner.load_pkcs12_data(
                data, other_certs=_certificates(chain), passphrase=self.passphrase)
            self._loaded = {k: v for k, v in self._loaded.items() if k[0] != key_ref}
            self._loaded[key] = loaded
            return loaded
        except (OSError, ValueError) as e:
            raise SigningError(
                "key_file_unreadable",
                f"Không đọc được tệp khóa “{os.path.basename(key_ref)}” (sai mật khẩu hoặc "
                "tệp hỏng).",
                f"Cannot read the key file “{os.path.basename(key_ref)}” (wrong passphrase "
                "or damaged file).",
            ) from e
