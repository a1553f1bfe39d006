"""Fixtures of the signing tests, for every tier: a SoftHSM token and the demo PKI (built with
certomancer in a temporary directory, once per session, nothing cached between sessions),
served on a free local port by `python -m services.signing.demo_pki serve` in its own process
(CRL, OCSP, TSA), started when a test first asks for the PKI and stopped at the end.

A process serves one SoftHSM config (see services.signing.softhsm): use `softhsm_token`, not a
token of your own, in tests that touch PKCS#11."""
import os
import subprocess

import pytest

from tests.ports import free_port

# pyHanko, certomancer and python-pkcs11 are imported by the fixtures, not here: this plugin
# is loaded by every test process, most of which never sign.

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# HolderSpec fields: label, common name, organisation, kind, key store.
DEMO_HOLDERS = (
    ("person:signer", "Nguyễn Văn Ký", "Sở Nội vụ tỉnh Thử Nghiệm", "person", "pkcs12"),
    ("person:hsm-signer", "Trần Thị Hà", "Sở Nội vụ tỉnh Thử Nghiệm", "person", "pkcs11"),
    ("organisation:org", "Ủy ban nhân dân tỉnh Thử Nghiệm", "Ủy ban nhân dân tỉnh Thử Nghiệm",
     "organisation", "pkcs11"),
)


@pytest.fixture(scope="session")
def softhsm_token(tmp_path_factory):
    """A fresh SoftHSM token in a temporary directory (the one SoftHSM config of the test
    process)."""
    from services.signing import softhsm

    return softhsm.create_token(str(tmp_path_factory.mktemp("softhsm")), label="eoffice-test")


@pytest.fixture(scope="session")
def demo_pki(tmp_path_factory, softhsm_token):
    """The demo PKI (services.signing.demo_pki.DemoPki) with the holders of DEMO_HOLDERS and
    the fixed test ones, its CRL, OCSP and TSA answering at `demo_pki.base_url`."""
    from services.signing.demo_pki import HolderSpec, build_demo_pki, start_server

    port = free_port()
    pki = build_demo_pki(str(tmp_path_factory.mktemp("demo-pki")),
                         [HolderSpec(*holder) for holder in DEMO_HOLDERS], port=port,
                         token=softhsm_token)
    process = start_server(pki.directory, port)
    yield pki
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
