"""The keys that sign and verify callers' tokens (identity.py), one Ed25519 pair per
signing party, so that no service can speak for another.

- The gateway alone holds the private key that signs *user* tokens (after login).
- Each service holds its own private key for its *system* tokens (acting on its own
  behalf); a system token names its service and must be signed by that service's key.
- Every process holds every public key, to verify.

Before, one HS256 secret shared by every process signed everything: a compromised
storage (or anything that read its environment) could mint a token saying "I am the
head of the province" or "I am documents".

Where keys come from (deploy/config.yml; README "Keys"):

- ``SIGNING_KEY`` (env ``EOFFICE_SIGNING_KEY``): this process's private key, the 32-byte
  Ed25519 seed in base64. Unset: the file ``<KEYS_DIR>/<service>.key``.
- ``PUBLIC_KEYS`` (env ``EOFFICE_PUBLIC_KEYS``): ``name=base64,name=base64,...``, the
  public key of every signing party. Unset: the files ``<KEYS_DIR>/<name>.pub``.
- ``KEYS_DIR`` (env ``EOFFICE_KEYS_DIR``): default ``<DATA_DIR>/keys``.

``python -m services.common.token_keys generate DIR`` writes a fresh set (what
``make run`` does in var/keys); ``... env DIR`` prints the set as environment lines for
a deployment's secrets (docker-compose.yml, deploy/k8s/secret.example.yaml).
"""
from __future__ import annotations

import argparse
import base64
import binascii
import hashlib
import hmac
import os
import sys
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (Ed25519PrivateKey,
                                                               Ed25519PublicKey)

#: Every party that signs tokens. The gateway signs user tokens; each one signs its own
#: system tokens.
SIGNERS = ("gateway", "documents", "workflow", "search", "notify", "storage", "signing",
           "exchange")
#: The only party whose key may sign a token for a person.
USER_TOKEN_SIGNER = "gateway"


class KeysUnusable(RuntimeError):
    """The keys are missing or malformed: the process must not start."""


@dataclass(frozen=True)
class TokenKeys:
    """What one process holds: its own private key (None for a verifier only) and the
    public key of every signing party."""
    service: str | None
    private_key: Ed25519PrivateKey | None
    public_keys: dict = field(default_factory=dict)

    def signer_for(self, caller) -> tuple[str, Ed25519PrivateKey]:
        """Who signs a token for ``caller`` here: always this process, with its key."""
        if self.private_key is None or not self.service:
            raise KeysUnusable(f"no private key to sign tokens with (service {self.service})")
        return self.service, self.private_key

    def public_key(self, signer: str) -> Ed25519PublicKey | None:
        return self.public_keys.get(signer)

    def derived_secret(self, purpose: str) -> bytes:
        """A MAC key only this process can compute (from its private key), for what it
        signs and checks itself — the gateway's sign-in cookies. Unlike SECRET_KEY, which
        every process holds, no other service can forge with it."""
        if self.private_key is None:
            raise KeysUnusable(f"no private key to derive a secret from ({self.service})")
        raw = self.private_key.private_bytes(serialization.Encoding.Raw,
                                             serialization.PrivateFormat.Raw,
                                             serialization.NoEncryption())
        return hmac.new(raw, f"eoffice:{purpose}".encode(), hashlib.sha256).digest()


def new_private_text() -> str:
    """A fresh private key: its 32-byte seed, base64."""
    key = Ed25519PrivateKey.generate()
    raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                            serialization.NoEncryption())
    return base64.b64encode(raw).decode("ascii")


def _key_from(text: str, what: str, kind: str, from_bytes):
    try:
        return from_bytes(base64.b64decode(text.strip(), validate=True))
    except (binascii.Error, ValueError) as exc:
        raise KeysUnusable(f"{what} is not a base64 Ed25519 {kind} key ({exc})") from None


def private_key_from(text: str, what: str) -> Ed25519PrivateKey:
    return _key_from(text, what, "private", Ed25519PrivateKey.from_private_bytes)


def public_key_from(text: str, what: str) -> Ed25519PublicKey:
    return _key_from(text, what, "public", Ed25519PublicKey.from_public_bytes)


def public_text_of(private_text: str) -> str:
    raw = private_key_from(private_text, "the private key").public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def parse_public_keys(text: str) -> dict:
    """``name=base64`` items separated by commas, spaces or new lines."""
    keys = {}
    for item in text.replace(",", " ").split():
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise KeysUnusable(f"PUBLIC_KEYS: {item[:20]!r} is not name=base64")
        # base64 padding is '=' too: only the first one separates the name
        keys[name] = public_key_from(value, f"the public key of {name}")
    return keys


def _read(path: str) -> str | None:
    try:
        with open(path, encoding="ascii") as handle:
            return handle.read().strip()
    except FileNotFoundError:
        return None


def load(service: str, keys_dir: str, signing_key: str = "",
         public_keys: str = "") -> TokenKeys:
    """This process's keys: KeysUnusable (stop the process) if its private key or any
    signer's public key is missing, or its private key does not match its public one."""
    private_text = signing_key.strip() or _read(os.path.join(keys_dir, f"{service}.key"))
    if not private_text:
        raise KeysUnusable(
            f"no signing key for {service}: set EOFFICE_SIGNING_KEY or create "
            f"{os.path.join(keys_dir, service + '.key')} "
            "(python -m services.common.token_keys generate DIR; `make run` does it)")
    private_key = private_key_from(private_text, f"the signing key of {service}")
    if public_keys.strip():
        publics = parse_public_keys(public_keys)
    else:
        publics = {}
        for name in SIGNERS:
            text = _read(os.path.join(keys_dir, f"{name}.pub"))
            if text:
                publics[name] = public_key_from(text, f"{name}.pub")
    missing = [name for name in SIGNERS if name not in publics]
    if missing:
        raise KeysUnusable(f"no public key for {', '.join(missing)} (EOFFICE_PUBLIC_KEYS or "
                        f"{keys_dir}/<name>.pub)")
    mine = private_key.public_key().public_bytes(serialization.Encoding.Raw,
                                                  serialization.PublicFormat.Raw)
    listed = publics[service].public_bytes(serialization.Encoding.Raw,
                                          serialization.PublicFormat.Raw) \
        if service in publics else None
    if listed != mine:
        raise KeysUnusable(f"the signing key of {service} does not match its public key")
    return TokenKeys(service, private_key, publics)


def generate(keys_dir: str, signers=SIGNERS) -> None:
    """A key pair per signer in ``keys_dir`` (private keys 0600); existing ones are kept,
    so tokens survive restarts."""
    os.makedirs(keys_dir, mode=0o700, exist_ok=True)
    for name in signers:
        private_path = os.path.join(keys_dir, f"{name}.key")
        if not os.path.exists(private_path):
            try:
                descriptor = os.open(private_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:     # another process made it meanwhile
                continue
            with open(descriptor, "w", encoding="ascii") as handle:
                handle.write(new_private_text() + "\n")
        public_path = os.path.join(keys_dir, f"{name}.pub")
        public = public_text_of(_read(private_path) or "")
        if _read(public_path) != public:
            with open(public_path, "w", encoding="ascii") as handle:
                handle.write(public + "\n")


def environment_lines(keys_dir: str) -> list[str]:
    """The key set as environment settings for a deployment: one signing key per
    service (give each container only its own, as EOFFICE_SIGNING_KEY) and the public
    keys every container gets."""
    lines = [f"EOFFICE_{name.upper()}_SIGNING_KEY={_read(os.path.join(keys_dir, name + '.key'))}"
             for name in SIGNERS]
    publics = ",".join(f"{name}={_read(os.path.join(keys_dir, name + '.pub'))}"
                       for name in SIGNERS)
    return lines + [f"EOFFICE_PUBLIC_KEYS={publics}"]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m services.common.token_keys",
                                     description="Token signing keys (Ed25519).")
    parser.add_argument("command", choices=["generate", "env"])
    parser.add_argument("directory")
    options = parser.parse_args(argv)
    generate(options.directory)
    if options.command == "env":
        print("\n".join(environment_lines(options.directory)))
    else:
        print(f"keys for {', '.join(SIGNERS)} in {options.directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
