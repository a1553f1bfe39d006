"""The signing service's nameko providers: its settings (config SIGNING in
deploy/config.yml) and the key stores that hold the private keys — an HSM through PKCS#11
(SoftHSM2 on a developer's machine, the agency's HSM or USB token in production) and
PKCS#12 files for a small deployment. Keys never leave their store: the service asks the
store to sign a digest."""
from __future__ import annotations

import glob
import os
import threading
from dataclasses import dataclass, field

from nameko.extensions import DependencyProvider

from services.common.config import settings_from, settings_of
from services.common.file_transfer import internal_url
from services.signing.errors import SigningError

DEFAULT_VERIFY_SECONDS = 20.0


@dataclass(frozen=True)
class SigningSettings:
    data_dir: str
    #: The PKCS#11 library of the HSM (empty: no HSM) and the token holding the keys.
    pkcs11_library: str = ""
    pkcs11_token: str = ""
    pkcs11_pin: str = ""
    #: SoftHSM2's configuration file (only SoftHSM reads it; empty for a real HSM).
    softhsm_conf: str = ""
    pkcs12_passphrase: str = ""
    #: The RFC 3161 time-stamping authority (empty: signatures carry no timestamp).
    tsa_url: str = ""
    #: PEM files of the trusted roots (the trust list) that verification accepts.
    trust_roots: tuple[str, ...] = field(default_factory=tuple)
    #: Whether signing and verification fetch CRLs and OCSP answers (B-LT, revocation).
    online_revocation: bool = True
    verify_seconds: float = DEFAULT_VERIFY_SECONDS
    #: storage's public base URL, and where this service reaches the same port itself.
    storage_public_url: str = ""
    storage_url: str = ""

    @staticmethod
    def from_config(config: dict) -> "SigningSettings":
        data_dir = settings_from(config).data_dir
        section = dict(config.get("SIGNING") or {})
        roots = str(section.get("trust_roots") or "")
        paths = tuple(p.strip() for p in roots.split(",") if p.strip()) if roots else \
            tuple(sorted(glob.glob(os.path.join(data_dir, "pki", "trust", "*.pem"))))
        return SigningSettings(
            data_dir=data_dir,
            pkcs11_library=str(section.get("pkcs11_library") or ""),
            pkcs11_token=str(section.get("pkcs11_token") or ""),
            pkcs11_pin=str(section.get("pkcs11_pin") or ""),
            softhsm_conf=str(section.get("softhsm_conf") or ""),
            pkcs12_passphrase=str(section.get("pkcs12_passphrase") or ""),
            tsa_url=str(section.get("tsa_url") or ""),
            trust_roots=paths,
            online_revocation=str(section.get("online_revocation", "true")).lower()
            not in ("false", "0", "no", "off"),
            verify_seconds=float(section.get("verify_seconds") or DEFAULT_VERIFY_SECONDS),
            storage_public_url=settings_from(config).storage_public_url,
            storage_url=str(section.get("storage_url") or ""))

    def internal(self, url: str) -> str:
        """A signed URL of storage's, reached from inside the deployment."""
        return internal_url(self.storage_public_url, self.storage_url, url)

    def trust_roots_der(self) -> list[bytes]:
        from cryptography import x509
        from cryptography.hazmat.primitives.serialization import Encoding
        roots = []
        for path in self.trust_roots:
            with open(path, "rb") as handle:
                data = handle.read()
            roots += [cert.public_bytes(Encoding.DER)
                      for cert in x509.load_pem_x509_certificates(data)]
        return roots


class Signing(DependencyProvider):
    """The settings and the key stores, opened once per process (an HSM session is kept
    open; PKCS#11 libraries allow one initialisation per process)."""

    def setup(self):
        settings_of(self.container)   # the common checks (config readable)
        self.settings = SigningSettings.from_config(self.container.config)
        # the trust list, read once: every signature (B-LT) and verification uses it
        self.trust_roots = self.settings.trust_roots_der()
        self._stores: dict = {}
        self._lock = threading.Lock()

    def stop(self):
        for store in self._stores.values():
            close = getattr(store, "close", None)
            if close:
                close()

    def get_dependency(self, worker_ctx):
        return self

    def key_store(self, kind: str):
        """The store of ``kind`` (pkcs11 or pkcs12), opened on first use."""
        from services.signing import keystores
        with self._lock:
            if kind not in self._stores:
                if kind == "pkcs11":
                    if not self.settings.pkcs11_library:
                        raise SigningError(
                            "no_hsm", "Hệ thống chưa cấu hình thiết bị ký số (HSM).",
                            "No HSM is configured (SIGNING.pkcs11_library).")
                    from services.signing import softhsm
                    self._stores[kind] = keystores.Pkcs11KeyStore(softhsm.Token(
                        library_path=self.settings.pkcs11_library,
                        config_path=self.settings.softhsm_conf,
                        label=self.settings.pkcs11_token, user_pin=self.settings.pkcs11_pin))
                else:
                    self._stores[kind] = keystores.Pkcs12KeyStore(
                        self.settings.pkcs12_passphrase.encode())
            return self._stores[kind]

    def validation_context(self):
        """What B-LT signatures embed is fetched through this: the trust list, online."""
        from services.signing import trust
        return trust.validation_context(self.trust_roots,
                                        online=self.settings.online_revocation)
