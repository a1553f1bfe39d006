"""Two e-Office deployments and one reference axis between them (liên thông, issue 14):
Tỉnh Tây Ninh (A) and Tỉnh Nghệ An (B), each with its own RabbitMQ vhost, data and demo PKI,
as two provinces would be — for tests/e2e/test_federation.py and bench/exchange.py."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import contextmanager

import requests

from services.documents import directory_import
from services.launcher import PORT_OFFSETS, ROOT
from tests.polling import wait_until
from tests.system import free_ports, release_ports, start_system

PROVINCE_A, PROVINCE_B = "80", "40"          # Tây Ninh, Nghệ An (the 2025 map)
SECRET_A, SECRET_B = "secret-of-tay-ninh-0123456789", "secret-of-nghe-an-0123456789"
DIRECTOR = "Võ Văn Hùng"


def units_of(province):
    return directory_import.build_units(directory_import.read_communes(provinces={province}),
                                        commune_offices=False)


def organ_of(province, department):
    key = directory_import.department_key(province, department)
    return next(u for u in units_of(province) if u.key == key)


class Axis:
    """The reference axis as its own process, with both deployments' systems."""

    def __init__(self):
        self.base = free_ports()
        self.port = self.base + PORT_OFFSETS["axis"]
        self.data = tempfile.mkdtemp(prefix="eoffice-axis-")
        self.systems = os.path.join(self.data, "systems.json")
        systems = []
        agencies = []
        for province, secret in ((PROVINCE_A, SECRET_A), (PROVINCE_B, SECRET_B)):
            units = units_of(province)
            systems.append({"system_id": f"eoffice-{province}", "secret_key": secret,
                            "organ_ids": [u.organ_id for u in units]})
            agencies += [{"organ_id": u.organ_id, "name": u.name} for u in units]
        with open(self.systems, "w", encoding="utf-8") as handle:
            json.dump({"systems": systems, "agencies": agencies}, handle, ensure_ascii=False)
        self.process = None

    @property
    def url(self):
        return f"http://127.0.0.1:{self.port}"

    def start(self):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "services.axis", "--port", str(self.port), "--data",
             os.path.join(self.data, "store"), "--systems", self.systems],
            cwd=ROOT, stdout=open(os.path.join(self.data, "axis.log"), "ab"),
            stderr=subprocess.STDOUT)
        wait_until(self._up, seconds=20)

    def _up(self):
        try:
            return requests.get(f"{self.url}/health", timeout=1).status_code == 200
        except requests.RequestException:
            return False

    def stop(self):
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(10)

    def env(self, province, secret):
        return {"EXCHANGE_AXIS_URL": self.url, "EXCHANGE_SYSTEM_ID": f"eoffice-{province}",
                "EXCHANGE_SECRET_KEY": secret, "EOFFICE_DEMO_PROVINCE": province,
                # sends tried again 1, 2, 4 … s after the axis went away (5, 10, 20 … in
                # production), so a minute's outage ends in seconds, not in a minute more
                "EXCHANGE_RETRY_FIRST_SECONDS": "1"}


@contextmanager
def federation(extra_env: dict | None = None):
    """The axis, A and B, started; ``{"axis", "a", "b"}``; all stopped and removed after."""
    axis = Axis()
    axis.start()

    def trust_a(b):
        # both provinces' certificates chain to one national root in real life; here B
        # trusts A's demo root beside its own
        trust = os.path.join(b.data_dir, "pki", "trust")
        shutil.copyfile(os.path.join(a.data_dir, "pki", "trust", "root.pem"),
                        os.path.join(trust, "tay-ninh-root.pem"))

    try:
        with start_system("eoffice-fed-a-", axis.env(PROVINCE_A, SECRET_A) | (extra_env or {})
                          ) as a, \
                start_system("eoffice-fed-b-", axis.env(PROVINCE_B, SECRET_B) | (extra_env or {}),
                             before_start=trust_a) as b:
            yield {"axis": axis, "a": a, "b": b}
    finally:
        axis.stop()
        release_ports(axis.base)
        shutil.rmtree(axis.data, ignore_errors=True)
