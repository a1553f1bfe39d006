"""The demo's digital signatures: a test PKI (demo_pki: root, issuing CA, CRL, OCSP, TSA),
a throw-away SoftHSM token holding the keys marked for the HSM, a certificate with a
signature image for each demo signer and with a seal for each demo organisation,
registered in the signing database; and the settings the services need to use them.

    python -m services.signing.seed --holders FILE --port PORT [--config deploy/config.yml]

FILE lists the holders: [{label, common_name, organisation, kind (person | organisation),
key_store (pkcs11 | pkcs12), user_id, unit_id}] (the launcher writes it from the demo
organisation). The PKI is built once, in DATA_DIR/pki, for the port its CRL, OCSP and TSA
will answer on (written into the certificates); running again registers what is missing.
Prints the settings as JSON ({SIGNING_*, SOFTHSM2_CONF}) for the launcher to pass on."""
from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import uuid

from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.clock import clock_from_config
from services.common.config import settings_from
from services.common.db import make_engine
from services.common.migrations import DEFAULT_CONFIG, load_config
from services.signing import certificates, demo_pki, images
from services.signing.models import ORGANISATION, Certificate

#: The seal's actual diameter on the demo's documents (a provincial seal is about 36 mm).
SEAL_DIAMETER_MM = 36.0


def prepare_pki(data_dir: str, holders: list[dict], port: int,
                name: str = "") -> demo_pki.DemoPki:
    """The demo PKI of DATA_DIR/pki, built on first use; its root is the trust list."""
    directory = os.path.join(data_dir, "pki")
    if os.path.exists(os.path.join(directory, demo_pki.MANIFEST)):
        pki = demo_pki.load_demo_pki(directory)
    else:
        specs = [demo_pki.HolderSpec(h["label"], h["common_name"], h["organisation"],
                                     h["kind"], h["key_store"]) for h in holders]
        pki = demo_pki.build_demo_pki(directory, specs, port=port, pki_name=name)
    trust = os.path.join(directory, "trust")
    os.makedirs(trust, exist_ok=True)
    shutil.copyfile(pki.root_certificate_path, os.path.join(trust, "root.pem"))
    return pki


def services_env(pki: demo_pki.DemoPki) -> dict:
    """What the signing service needs to reach the keys and the time-stamping authority."""
    env = {"SIGNING_PKCS12_PASSPHRASE": pki.pkcs12_passphrase.decode(),
           "SIGNING_TSA_URL": pki.tsa_url}
    if pki.token is not None:
        env |= {"SIGNING_PKCS11_LIBRARY": pki.token.library_path,
                "SIGNING_PKCS11_TOKEN": pki.token.label,
                "SIGNING_PKCS11_PIN": pki.token.user_pin,
                "SOFTHSM2_CONF": pki.token.config_path}
    return env


def _pem_to_der(path: str) -> bytes:
    with open(path, "rb") as handle:
        return x509.load_pem_x509_certificate(handle.read()).public_bytes(Encoding.DER)


def register(session: Session, pki: demo_pki.DemoPki, holders: list[dict], now) -> int:
    """A certificate row for each holder not registered yet; how many were added."""
    chain = [base64.b64encode(_pem_to_der(p)).decode()
             for p in (pki.intermediate_certificate_path, pki.root_certificate_path)]
    added = 0
    for spec in holders:
        holder = pki.holders[spec["label"]]
        der = _pem_to_der(holder.certificate_path)
        facts = certificates.read_certificate(der)
        if session.execute(select(Certificate.id).where(
                Certificate.fingerprint == facts.fingerprint)).first():
            continue
        organisation = spec["kind"] == ORGANISATION
        session.add(Certificate(
            id=str(uuid.uuid4()), holder_kind=spec["kind"],
            user_id=None if organisation else spec["user_id"], unit_id=spec.get("unit_id"),
            common_name=facts.common_name, organisation=facts.organisation,
            issuer=facts.issuer, serial=facts.serial, fingerprint=facts.fingerprint,
            not_before=facts.not_before, not_after=facts.not_after, certificate=der,
            chain=chain, key_store=holder.key_store,
            key_ref=holder.key_label if holder.key_store == "pkcs11" else holder.pkcs12_path,
            image_png=images.demo_seal_png(spec["common_name"], SEAL_DIAMETER_MM)
            if organisation else images.demo_signature_png(spec["common_name"]),
            image_width_mm=SEAL_DIAMETER_MM if organisation else None,
            active=True, registered_by="system:signing-seed", created_at=now))
        added += 1
    return added


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="signing-seed")
    parser.add_argument("--config", default=DEFAULT_CONFIG)
    parser.add_argument("--holders", required=True)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--name", default="",
                        help="told apart from other demo PKIs by this (the organisation)")
    options = parser.parse_args(argv)
    config = load_config(options.config)
    settings = settings_from(config)
    with open(options.holders, encoding="utf-8") as handle:
        holders = json.load(handle)
    pki = prepare_pki(settings.data_dir, holders, options.port, options.name)
    engine = make_engine(settings.db_url("signing"))
    with Session(engine) as session, session.begin():
        added = register(session, pki, holders, clock_from_config(config).now())
    engine.dispose()
    print(json.dumps({"certificates_added": added, "env": services_env(pki)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
