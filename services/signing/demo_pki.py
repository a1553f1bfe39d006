"""A test and demo PKI for the signing service, built with certomancer: a root CA, an
intermediate CA, an OCSP responder, a time-stamping authority, a CRL of the intermediate, and
person and organisation certificates (subjects in Vietnamese, C=VN) for the holders asked for,
plus three fixed test holders: an expired certificate, a revoked one, and one from a second
root that nobody trusts.

``build_demo_pki`` writes everything into one directory (certomancer's YAML config, the RSA
keys, the certificates as PEM, PKCS#12 files, ``pki.json``); ``serve`` answers CRL, OCSP, TSA
and certificate-repository requests for it on 127.0.0.1 with certomancer's Animator. Keys are
RSA-2048 and certificates are signed with PKCS#1 v1.5, which is deterministic: the serving
process re-creates exactly the certificates the build wrote.

Holders on key store "pkcs11" never have a private key on disk: their key pair is generated
inside the SoftHSM token, certomancer only sees the public key (``public-only``), and the
issued certificate is imported into the token beside the key.

Command line (for ``make run``'s demo)::

    python -m services.signing.demo_pki build DIR --port N [--holders holders.json]
    python -m services.signing.demo_pki serve DIR --port N
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

import yaml
from asn1crypto import keys, pem
from certomancer import crypto_utils
from certomancer.crypto_utils import PycaCryptographyBackend
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

from services.signing import softhsm

ARCH = "eoffice"
MANIFEST = "pki.json"
CONFIG = "certomancer.yml"
PKCS12_PASSPHRASE = b"eoffice-demo"   # a demo PKI: the passphrase is no secret

# Validity windows of the contract (§1).
CA_VALIDITY = ("2020-01-01T00:00:00+0000", "2050-01-01T00:00:00+0000")
HOLDER_VALIDITY = ("2025-01-01T00:00:00+0000", "2035-01-01T00:00:00+0000")
EXPIRED_VALIDITY = ("2020-01-01T00:00:00+0000", "2021-01-01T00:00:00+0000")
REVOKED_SINCE = "2025-02-01T00:00:00+0000"

PKI_ORGANISATION = "Hệ thống e-Office (thử nghiệm)"
TEST_ORGANISATION = "Cơ quan thử nghiệm"


@dataclass(frozen=True)
class HolderSpec:
    label: str                 # unique: "person:<username>" or "organisation:<unit code>"
    common_name: str
    organisation: str          # O= of the subject
    kind: str                  # "person" | "organisation"
    key_store: str = "pkcs12"  # "pkcs12" | "pkcs11" (key generated inside the SoftHSM token)


@dataclass(frozen=True)
class Holder:
    label: str
    common_name: str
    kind: str
    key_store: str
    certificate_path: str      # PEM
    pkcs12_path: str | None    # key_store "pkcs12" (passphrase: DemoPki.pkcs12_passphrase)
    key_label: str | None      # key_store "pkcs11": label of the key and certificate in the token


@dataclass(frozen=True)
class DemoPki:
    directory: str
    base_url: str
    root_certificate_path: str
    intermediate_certificate_path: str
    tsa_url: str
    ocsp_url: str
    crl_url: str
    pkcs12_passphrase: bytes
    holders: dict[str, Holder]
    token: softhsm.Token | None


FIXED_HOLDERS = (
    HolderSpec("test:expired", "Người Ký Hết Hạn", TEST_ORGANISATION, "person"),
    HolderSpec("test:revoked", "Người Ký Bị Thu Hồi", TEST_ORGANISATION, "person"),
    HolderSpec("test:stranger", "Người Ký Lạ", "Tổ chức ngoài danh sách tin cậy", "person"),
)


def _slug(label: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-") or "holder"


def _write_pem(path: str, kind: str, der: bytes) -> None:
    with open(path, "wb") as f:
        f.write(pem.armor(kind, der))


def _new_private_key(path: str) -> rsa.RSAPrivateKey:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with open(path, "wb") as f:
        f.write(key.private_bytes(serialization.Encoding.PEM,
                                  serialization.PrivateFormat.PKCS8,
                                  serialization.NoEncryption()))
    os.chmod(path, 0o600)
    _backend().remember(key)
    return key


class _OwnKeysBackend(PycaCryptographyBackend):
    """certomancer parses the private key again for every signature, and OpenSSL 3 checks an
    RSA key's consistency at each parse (~0.1 s, the main cost of building and of each OCSP or
    TSA answer). The keys here are the ones this module generated: parse each once, without
    the check."""

    def __init__(self):
        self._keys: dict[bytes, object] = {}

    def remember(self, key) -> bytes:
        der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        self._keys[der] = key
        return der

    def load_private_key(self, key_bytes, password):
        load = (serialization.load_pem_private_key if pem.detect(key_bytes)
                else serialization.load_der_private_key)
        key = load(key_bytes, password=password, unsafe_skip_rsa_key_validation=True)
        der = self.remember(key)
        public = key.public_key().public_bytes(serialization.Encoding.DER,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
        return keys.PrivateKeyInfo.load(der), keys.PublicKeyInfo.load(public)

    def generic_sign(self, private_key, tbs_bytes, sd_algo):
        key = self._keys.get(private_key.dump())
        if key is None or sd_algo.signature_algo != "rsassa_pkcs1v15":
            return super().generic_sign(private_key, tbs_bytes, sd_algo)
        return key.sign(tbs_bytes, padding.PKCS1v15(),
                        getattr(hashes, sd_algo.hash_algo.upper())())


def _backend() -> _OwnKeysBackend:
    # certomancer's crypto backend is a module-level setting, read at each use.
    if not isinstance(crypto_utils.CRYPTO_BACKEND, _OwnKeysBackend):
        crypto_utils.CRYPTO_BACKEND = _OwnKeysBackend()
    return crypto_utils.CRYPTO_BACKEND


def _validity(window: tuple[str, str]) -> dict:
    return {"valid-from": window[0], "valid-to": window[1]}


def _key_usage(*usages: str, critical: bool = True) -> dict:
    return {"id": "key_usage", "critical": critical,
            "smart-value": {"schema": "key-usage", "params": list(usages)}}


def _crl_points(repo: str) -> dict:
    return {"id": "crl_distribution_points",
            "smart-value": {"schema": "crl-dist-url", "params": {"crl-repo-names": [repo]}}}


def _ocsp_aia(responder: str) -> dict:
    return {"id": "authority_information_access",
            "smart-value": {"schema": "aia-urls",
                            "params": {"ocsp-responder-names": [responder]}}}


def _ca_cert(issuer: str, path_len: int | None, extra: list) -> dict:
    constraints = {"ca": True}
    if path_len is not None:
        constraints["path-len-constraint"] = path_len
    return {
        "subject": None, "issuer": issuer, "validity": _validity(CA_VALIDITY),
        "extensions": [
            {"id": "basic_constraints", "critical": True, "value": constraints},
            _key_usage("digital_signature", "key_cert_sign", "crl_sign"),
            *extra,
        ],
    }


def _end_entity_cert(issuer: str, validity: tuple[str, str], extensions: list) -> dict:
    return {"issuer": issuer, "validity": _validity(validity), "extensions": extensions}


def _certomancer_config(base_url: str, keys: dict[str, dict],
                        holders: list[tuple[str, HolderSpec]], name: str = "") -> dict:
    """The certomancer config: one architecture; `holders` pairs a cert label with its spec.
    ``name`` tells this PKI's authorities from another demo PKI's (two deployments that
    exchange documents each have one, and a verifier must not mistake one root for the
    other by its name)."""
    suffix = f" ({name})" if name else ""
    entities = {
        "root": {"common-name": "E-Office Demo Root CA" + suffix,
                 "organization-name": PKI_ORGANISATION},
        "interm": {"common-name": "E-Office Demo Issuing CA" + suffix,
                   "organization-name": PKI_ORGANISATION},
        "ocsp": {"common-name": "E-Office Demo OCSP Responder" + suffix,
                 "organization-name": PKI_ORGANISATION},
        "tsa": {"common-name": "E-Office Demo Time-Stamping Authority" + suffix,
                "organization-name": PKI_ORGANISATION},
        "unknown-root": {"common-name": "Unknown Root CA",
                         "organization-name": "Tổ chức ngoài danh sách tin cậy"},
    }
    root = _ca_cert("root", None, [])
    root["subject"] = "root"
    interm = _ca_cert("root", 0, [_crl_points("root")])
    interm["subject"] = "interm"
    unknown_root = _ca_cert("unknown-root", None, [])
    unknown_root["subject"] = "unknown-root"
    certs = {
        "root": root,
        "interm": interm,
        "ocsp": _end_entity_cert("interm", CA_VALIDITY, [
            _key_usage("digital_signature"),
            {"id": "extended_key_usage", "critical": True, "value": ["ocsp_signing"]},
            {"id": "ocsp_no_check"},
        ]),
        "tsa": _end_entity_cert("interm", CA_VALIDITY, [
            _key_usage("digital_signature"),
            {"id": "extended_key_usage", "critical": True, "value": ["time_stamping"]},
            _crl_points("interm"), _ocsp_aia("interm"),
        ]),
        "unknown-root": unknown_root,
    }
    for cert_label, spec in holders:
        entities[cert_label] = {"common-name": spec.common_name,
                                "organization-name": spec.organisation}
        if spec.label == "test:stranger":
            certs[cert_label] = _end_entity_cert("unknown-root", HOLDER_VALIDITY, [
                _key_usage("digital_signature", "non_repudiation"),
            ])
            continue
        validity = EXPIRED_VALIDITY if spec.label == "test:expired" else HOLDER_VALIDITY
        certs[cert_label] = _end_entity_cert("interm", validity, [
            _key_usage("digital_signature", "non_repudiation"),
            _crl_points("interm"), _ocsp_aia("interm"),
        ])
        if spec.label == "test:revoked":
            certs[cert_label]["revocation"] = {"revoked-since": REVOKED_SINCE,
                                               "reason": "key_compromise"}
    return {
        "external-url-prefix": base_url,
        "keysets": {ARCH: {"path-prefix": "keys", "keys": keys}},
        "pki-architectures": {ARCH: {
            "keyset": ARCH,
            "entity-defaults": {"country-name": "VN"},
            "entities": entities,
            "certs": certs,
            "services": {
                "ocsp": {"interm": {"for-issuer": "interm", "responder-cert": "ocsp",
                                    "signing-key": "ocsp"}},
                "crl-repo": {
                    "root": {"for-issuer": "root", "signing-key": "root",
                             "simulated-update-schedule": "P90D"},
                    "interm": {"for-issuer": "interm", "signing-key": "interm",
                               "simulated-update-schedule": "P7D"},
                },
                "cert-repo": {
                    "root": {"for-issuer": "root", "publish-issued-certs": True},
                    "interm": {"for-issuer": "interm", "publish-issued-certs": True},
                },
                "time-stamping": {"tsa": {"signing-key": "tsa", "signing-cert": "tsa",
                                          "certs-to-embed": ["interm"]}},
            },
        }},
    }


def _load_arch(directory: str, config: dict | None = None):
    from certomancer.registry import CertomancerConfig

    _backend()
    if config is None:
        with open(os.path.join(directory, CONFIG), encoding="utf-8") as f:
            config = yaml.safe_load(f)
    # No external config files: the whole config is the one file written here.
    return CertomancerConfig(config, key_search_dir=directory).get_pki_arch(ARCH)


def _check_specs(holders: list[HolderSpec]) -> None:
    seen = {spec.label for spec in FIXED_HOLDERS}
    for spec in holders:
        if spec.label in seen:
            raise ValueError(f"duplicate holder label {spec.label!r}")
        seen.add(spec.label)
        if spec.kind not in ("person", "organisation"):
            raise ValueError(f"holder {spec.label!r}: kind must be person or organisation")
        if spec.key_store not in ("pkcs12", "pkcs11"):
            raise ValueError(f"holder {spec.label!r}: key_store must be pkcs12 or pkcs11")


def build_demo_pki(directory: str, holders: list[HolderSpec], *, port: int,
                   token: softhsm.Token | None = None, pki_name: str = "") -> DemoPki:
    """Builds the PKI into `directory` (created if needed; files of an earlier build there are
    overwritten). Keys of "pkcs11" holders go into `token`, or into a new token made in
    `<directory>/softhsm` when none is given."""
    _check_specs(holders)
    directory = os.path.abspath(directory)
    for sub in ("keys", "certs", "pkcs12"):
        os.makedirs(os.path.join(directory, sub), exist_ok=True)
    base_url = f"http://127.0.0.1:{int(port)}"

    specs = list(holders) + list(FIXED_HOLDERS)
    labelled: list[tuple[str, HolderSpec]] = []
    used = {"root", "interm", "ocsp", "tsa", "unknown-root"}
    for spec in specs:
        cert_label = _slug(spec.label)
        while cert_label in used:
            cert_label += "-x"
        used.add(cert_label)
        labelled.append((cert_label, spec))

    if token is None and any(spec.key_store == "pkcs11" for spec in specs):
        token_dir = os.path.join(directory, "softhsm")
        shutil.rmtree(token_dir, ignore_errors=True)
        token = softhsm.create_token(token_dir)

    key_files: dict[str, dict] = {}
    private_keys = {}
    for name in ("root", "interm", "ocsp", "tsa", "unknown-root"):
        _new_private_key(os.path.join(directory, "keys", f"{name}.key.pem"))
        key_files[name] = {"path": f"{name}.key.pem"}
    for cert_label, spec in labelled:
        if spec.key_store == "pkcs11":
            spki = softhsm.generate_key_pair(token, spec.label)
            _write_pem(os.path.join(directory, "keys", f"{cert_label}.pub.pem"),
                       "PUBLIC KEY", spki)
            key_files[cert_label] = {"path": f"{cert_label}.pub.pem", "public-only": True}
        else:
            private_keys[cert_label] = _new_private_key(
                os.path.join(directory, "keys", f"{cert_label}.key.pem"))
            key_files[cert_label] = {"path": f"{cert_label}.key.pem"}

    config = _certomancer_config(base_url, key_files, labelled, pki_name)
    with open(os.path.join(directory, CONFIG), "w", encoding="utf-8") as f:
        yaml.safe_dump(config, f, allow_unicode=True, sort_keys=False)
    arch = _load_arch(directory, config)

    def write_cert(cert_label: str, path: str) -> str:
        _write_pem(os.path.join(directory, path), "CERTIFICATE", arch.get_cert(cert_label).dump())
        return path

    manifest_holders = {}
    for cert_label, spec in labelled:
        cert_path = write_cert(cert_label, f"certs/{cert_label}.pem")
        pkcs12_path = key_label = None
        if spec.key_store == "pkcs11":
            softhsm.import_certificate(token, spec.label, arch.get_cert(cert_label).dump())
            key_label = spec.label
        else:
            pkcs12_path = f"pkcs12/{cert_label}.p12"
            chain = [x509.load_der_x509_certificate(arch.get_cert(label).dump())
                     for label in arch.get_chain(cert_label)]
            with open(os.path.join(directory, pkcs12_path), "wb") as f:
                f.write(pkcs12.serialize_key_and_certificates(
                    name=spec.label.encode("utf-8"), key=private_keys[cert_label],
                    cert=x509.load_der_x509_certificate(arch.get_cert(cert_label).dump()),
                    cas=chain,
                    encryption_algorithm=serialization.BestAvailableEncryption(
                        PKCS12_PASSPHRASE)))
            os.chmod(os.path.join(directory, pkcs12_path), 0o600)
        manifest_holders[spec.label] = {
            "label": spec.label, "common_name": spec.common_name, "kind": spec.kind,
            "key_store": spec.key_store, "certificate_path": cert_path,
            "pkcs12_path": pkcs12_path, "key_label": key_label,
        }

    services = arch.service_registry
    manifest = {
        "base_url": base_url,
        "root_certificate_path": write_cert("root", "root.pem"),
        "intermediate_certificate_path": write_cert("interm", "intermediate.pem"),
        "unknown_root_certificate_path": write_cert("unknown-root", "unknown-root.pem"),
        "tsa_certificate_path": write_cert("tsa", "tsa.pem"),
        "ocsp_certificate_path": write_cert("ocsp", "ocsp.pem"),
        "tsa_url": services.get_tsa_info("tsa").url,
        "ocsp_url": services.get_ocsp_info("interm").url,
        "crl_url": services.get_crl_repo_info("interm").latest_external_url,
        "pkcs12_passphrase": PKCS12_PASSPHRASE.decode(),
        "holders": manifest_holders,
        "token": asdict(token) if token is not None else None,
    }
    with open(os.path.join(directory, MANIFEST), "w", encoding="utf-8") as f:
        json.dump(manifest, f, ensure_ascii=False, indent=2)
    return load_demo_pki(directory)


def load_demo_pki(directory: str) -> DemoPki:
    """The PKI that `build_demo_pki` wrote into `directory`, read back from pki.json."""
    directory = os.path.abspath(directory)
    with open(os.path.join(directory, MANIFEST), encoding="utf-8") as f:
        manifest = json.load(f)

    def path(relative: str | None) -> str | None:
        return os.path.join(directory, relative) if relative else None

    holders = {
        label: Holder(**{**h, "certificate_path": path(h["certificate_path"]),
                         "pkcs12_path": path(h["pkcs12_path"])})
        for label, h in manifest["holders"].items()
    }
    token = softhsm.Token(**manifest["token"]) if manifest["token"] else None
    return DemoPki(
        directory=directory, base_url=manifest["base_url"],
        root_certificate_path=path(manifest["root_certificate_path"]),
        intermediate_certificate_path=path(manifest["intermediate_certificate_path"]),
        tsa_url=manifest["tsa_url"], ocsp_url=manifest["ocsp_url"], crl_url=manifest["crl_url"],
        pkcs12_passphrase=manifest["pkcs12_passphrase"].encode(), holders=holders, token=token,
    )


def make_app(directory: str):
    """The WSGI app answering for the PKI in `directory`: CRLs, OCSP, TSA, certificate
    repositories; no web UI (it would hand out the PKCS#12 files of the keys)."""
    from certomancer.integrations.animator import Animator, AnimatorArchStore

    arch = _load_arch(directory)
    # at_time None and no time-override header: OCSP, CRL and TSA answer with the real
    # current time.
    return Animator(AnimatorArchStore({arch.arch_label: arch}), at_time=None,
                    with_web_ui=False, allow_time_override=False)


def serve(directory: str, port: int) -> None:
    """Blocking: answers for the PKI in `directory` on 127.0.0.1:`port` (the port it was built
    for, since its URLs are written in the certificates)."""
    from werkzeug.serving import run_simple

    built_port = urlsplit(load_demo_pki(directory).base_url).port
    if built_port != int(port):
        raise ValueError(f"the PKI in {directory} was built for port {built_port}, not {port}")
    run_simple("127.0.0.1", int(port), make_app(directory), threaded=True)


def start_server(directory: str, port: int, timeout: float = 30) -> subprocess.Popen:
    """``serve`` in a process of its own (its output in ``<directory>/serve.log``), returned
    once it answers; RuntimeError with its log when it does not within ``timeout``."""
    import requests

    log_path = os.path.join(directory, "serve.log")
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "services.signing.demo_pki", "serve", directory,
             "--port", str(port)], stdout=log, stderr=subprocess.STDOUT,
            cwd=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    deadline = time.monotonic() + timeout
    while True:
        try:
            if requests.get(f"http://127.0.0.1:{port}/{ARCH}/certs/root/ca.crt",
                            timeout=5).ok:
                return process
        except (requests.ConnectionError, requests.Timeout):
            pass        # not listening yet, or listening but still loading (a busy machine)
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            with open(log_path, encoding="utf-8", errors="replace") as handle:
                raise RuntimeError(f"the demo PKI server did not start:\n{handle.read()}")
        time.sleep(0.1)


def _holder_specs(path: str | None) -> list[HolderSpec]:
    if not path:
        return []
    with open(path, encoding="utf-8") as f:
        return [HolderSpec(**item) for item in json.load(f)]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m services.signing.demo_pki",
                                     description="The demo PKI of the signing service.")
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="build the PKI into DIR")
    build.add_argument("directory")
    build.add_argument("--port", type=int, required=True)
    build.add_argument("--holders", help="JSON list of HolderSpec objects")
    serve_cmd = commands.add_parser("serve", help="serve CRL, OCSP, TSA of the PKI in DIR")
    serve_cmd.add_argument("directory")
    serve_cmd.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    if args.command == "build":
        pki = build_demo_pki(args.directory, _holder_specs(args.holders), port=args.port)
        print(f"demo PKI in {pki.directory}: {len(pki.holders)} holders, {pki.base_url}")
    else:
        serve(args.directory, args.port)


if __name__ == "__main__":
    main()
