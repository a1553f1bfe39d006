"""SoftHSM2 tokens for the demo and the tests: a throw-away token directory with its own
softhsm2.conf, RSA key pairs generated inside the token and never extractable, certificates
stored beside their keys. Production uses a real HSM through the same PKCS#11 calls
(keystores.Pkcs11KeyStore); only this module knows SoftHSM.

One process serves ONE SoftHSM configuration: the SoftHSM library reads SOFTHSM2_CONF when it
is initialised, which python-pkcs11 does the first time the library is loaded in the process.
`load_library` therefore sets SOFTHSM2_CONF before that first load and refuses a token of
another configuration afterwards. (Hardware HSM libraries have no such limit: their tokens
are slots of the device.)
"""
from __future__ import annotations

import os
import secrets
import subprocess
from dataclasses import dataclass

LIBRARY = "/usr/lib/softhsm/libsofthsm2.so"

_loaded: dict[str, tuple[object, str]] = {}   # library path -> (pkcs11.lib, config path)
_logins: dict[tuple[str, str], object] = {}   # (library path, token label) -> session


@dataclass(frozen=True)
class Token:
    library_path: str
    config_path: str     # SOFTHSM2_CONF of the token's directory; "" for a hardware HSM
    label: str
    user_pin: str


def create_token(directory: str, label: str = "eoffice", user_pin: str | None = None,
                 so_pin: str | None = None) -> Token:
    """Initialises a new SoftHSM token in `directory` (its own softhsm2.conf, tokens in
    `<directory>/tokens`). PINs not given are generated."""
    directory = os.path.abspath(directory)
    token_dir = os.path.join(directory, "tokens")
    os.makedirs(token_dir, exist_ok=True)
    config_path = os.path.join(directory, "softhsm2.conf")
    with open(config_path, "w", encoding="utf-8") as f:
        f.write(f"directories.tokendir = {token_dir}\n"
                "objectstore.backend = file\n"
                "log.level = ERROR\n")
    user_pin = user_pin or secrets.token_hex(8)
    so_pin = so_pin or secrets.token_hex(8)
    subprocess.run(
        ["softhsm2-util", "--init-token", "--free", "--label", label,
         "--pin", user_pin, "--so-pin", so_pin],
        env={**os.environ, "SOFTHSM2_CONF": config_path},
        check=True, capture_output=True, timeout=30,
    )
    return Token(library_path=LIBRARY, config_path=config_path, label=label, user_pin=user_pin)


def load_library(token: Token):
    """The loaded PKCS#11 library of `token` (python-pkcs11 `pkcs11.lib`), loaded once per
    process; for SoftHSM, with SOFTHSM2_CONF set to the token's config first."""
    import pkcs11

    loaded = _loaded.get(token.library_path)
    if loaded is not None:
        lib, config_path = loaded
        if token.config_path and token.config_path != config_path:
            raise RuntimeError(
                f"this process already uses the SoftHSM config {config_path}; a process "
                f"serves one SoftHSM config, not also {token.config_path}")
        return lib
    if token.config_path:
        os.environ["SOFTHSM2_CONF"] = token.config_path
    lib = pkcs11.lib(token.library_path)
    _loaded[token.library_path] = (lib, token.config_path)
    return lib


def login(token: Token, *, again: bool = False) -> None:
    """Logs the process in to `token`, once. PKCS#11 keeps the login per process and token,
    not per session, and python-pkcs11 logs out when the session that logged in is closed
    (logging every session out): one session is kept open here only to hold the login, and
    the sessions handed out are opened without a PIN. `again` drops that session first, for
    when the login was lost (the token went away, or someone else logged out)."""
    import pkcs11

    key = (token.library_path, token.label)
    anchor = _logins.get(key)
    if anchor is not None and not again:
        return
    if anchor is not None:
        del _logins[key]
        try:
            anchor.close()
        except pkcs11.PKCS11Error:
            pass   # already logged out or closed
    slot_token = load_library(token).get_token(token_label=token.label)
    try:
        _logins[key] = slot_token.open(rw=True, user_pin=token.user_pin)
    except pkcs11.UserAlreadyLoggedIn:
        pass   # logged in by a session of someone else in this process


def open_session(token: Token):
    """A read-write session on `token`, of the logged-in user (see `login`). The caller
    closes it; closing it does not log the process out."""
    login(token)
    return load_library(token).get_token(token_label=token.label).open(rw=True)


def generate_key_pair(token: Token, key_label: str) -> bytes:
    """Generates an RSA-2048 key pair inside the token under `key_label` (label and id): the
    private key is sensitive, private and never extractable. Returns the public key as DER
    SubjectPublicKeyInfo."""
    from asn1crypto import keys
    from pkcs11 import Attribute, KeyType, ObjectClass
    from pkcs11.util.rsa import encode_rsa_public_key

    key_id = key_label.encode("utf-8")
    with open_session(token) as session:
        if list(session.get_objects({Attribute.CLASS: ObjectClass.PRIVATE_KEY,
                                     Attribute.LABEL: key_label})):
            raise ValueError(f"the token already holds a key labelled {key_label!r}")
        public, _private = session.generate_keypair(
            KeyType.RSA, 2048, store=True, label=key_label, id=key_id,
            public_template={Attribute.TOKEN: True, Attribute.VERIFY: True,
                             Attribute.PRIVATE: False},
            private_template={Attribute.TOKEN: True, Attribute.PRIVATE: True,
                              Attribute.SENSITIVE: True, Attribute.EXTRACTABLE: False,
                              Attribute.SIGN: True, Attribute.DECRYPT: False,
                              Attribute.UNWRAP: False},
        )
        rsa_public = keys.RSAPublicKey.load(encode_rsa_public_key(public))
    return keys.PublicKeyInfo({"algorithm": {"algorithm": "rsa"},
                               "public_key": rsa_public}).dump()


def import_certificate(token: Token, key_label: str, certificate_der: bytes) -> None:
    """Stores the certificate of the key `key_label` in the token, with the key's label and
    id (how PKCS#11 signers find a key's certificate)."""
    from asn1crypto import x509
    from pkcs11 import Attribute, CertificateType, ObjectClass

    cert = x509.Certificate.load(certificate_der)
    with open_session(token) as session:
        session.create_object({
            Attribute.CLASS: ObjectClass.CERTIFICATE,
            Attribute.CERTIFICATE_TYPE: CertificateType.X_509,
            Attribute.TOKEN: True,
            Attribute.PRIVATE: False,
            Attribute.LABEL: key_label,
            Attribute.ID: key_label.encode("utf-8"),
            Attribute.SUBJECT: cert.subject.dump(),
            Attribute.ISSUER: cert.issuer.dump(),
            Attribute.SERIAL_NUMBER: cert["tbs_certificate"]["serial_number"].dump(),
            Attribute.VALUE: certificate_der,
        })
