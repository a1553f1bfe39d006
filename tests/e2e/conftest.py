"""The whole system as separate processes (five services and the gateway) on a
throw-away RabbitMQ vhost and data dir, driven over HTTP only."""
import os
import random
import shutil
import socket
import tempfile

import pytest
import requests

from services.common import token_keys
from services.launcher import PORT_OFFSETS, System
from tests.conftest import RABBIT_AMQP, create_vhost, delete_vhost

FIXTURES = os.path.join(os.path.dirname(os.path.dirname(__file__)), "fixtures")
PASSWORD = "eoffice@2026"


def _free(port):
    with socket.socket() as sock:
        try:
            sock.bind(("127.0.0.1", port))
            return True
        except OSError:
            return False


def free_ports():
    for _ in range(100):
        base = random.randrange(20000, 60000, 1000)
        if all(_free(base + o) for o in PORT_OFFSETS.values()):
            return base
    raise RuntimeError("no free ports")


class Api:
    """A logged-in user of the HTTP API."""

    def __init__(self, base_url, username=None, language="vi"):
        self.base = base_url + "/api/v1"
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = language
        self.user = None
        if username:
            self.login(username)

    def login(self, username, password=PASSWORD):
        response = self.http.post(f"{self.base}/auth/login",
                                  json={"username": username, "password": password})
        response.raise_for_status()
        self.http.headers["Authorization"] = "Bearer " + response.json()["access_token"]
        self.user = response.json()["user"]
        return self

    @property
    def unit_id(self):
        return self.user["memberships"][0]["unit_id"]

    def get(self, path, **kwargs):
        return self.http.get(self.base + path, timeout=30, **kwargs)

    def post(self, path, **kwargs):
        return self.http.post(self.base + path, timeout=30, **kwargs)

    def upload(self, filename, data, content_type="application/pdf"):
        """Create an upload at the gateway, then PUT the bytes to storage."""
        created = self.post("/uploads", json={"filename": filename, "size": len(data),
                                              "content_type": content_type})
        if created.status_code != 201:
            return created, None
        put = requests.put(created.json()["upload_url"], data=data, timeout=30,
                           headers={"Content-Type": content_type,
                                    "Accept-Language": self.http.headers["Accept-Language"]})
        return put, created.json()["file_id"]


@pytest.fixture(scope="session")
def system():
    vhost = create_vhost()
    data_dir = tempfile.mkdtemp(prefix="eoffice-e2e-")
    base = free_ports()
    running = System(data_dir, port=base, amqp_uri=f"{RABBIT_AMQP}/{vhost}",
                     service_port_base=base,
                     extra_env={"RPC_TIMEOUT_SECONDS": "3", "MAX_UPLOAD_BYTES": "1048576",
                                "EOFFICE_SECRET_KEY": "e2e-secret-0123456789abcdef0123456789",
                                # the tests' Api objects keep one access token for a
                                # whole module, which may outlast the 5-minute default
                                "TOKEN_TTL_SECONDS": "3600",
                                # every test signs in from 127.0.0.1: the per-address
                                # lock is tested in tests/unit/documents/test_accounts.py
                                "LOGIN_ADDRESS_LIMIT": "1000"})
    try:
        running.prepare()
        running.start()
        yield running
    finally:
        running.stop()
        delete_vhost(vhost)
        if os.environ.get("EOFFICE_KEEP_E2E_DATA") != "1":
            shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def system_keys(system):
    """The running system's token keys, by signer (the launcher made them in its data
    dir): for tests that mint or forge tokens as one party would."""
    keys_dir = os.path.join(system.data_dir, "keys")
    return {name: token_keys.load(name, keys_dir) for name in token_keys.SIGNERS}


@pytest.fixture(scope="session")
def pdf_bytes():
    with open(os.path.join(FIXTURES, "docs", "anle_57_2023.pdf"), "rb") as handle:
        return handle.read()
