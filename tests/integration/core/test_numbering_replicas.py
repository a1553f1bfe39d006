"""Three documents processes on one database, 50 registrations at once: every
arrival number from 1 to 50 exactly once (SQLite and PostgreSQL)."""
import os
import signal
import subprocess
import sys
import time

import eventlet
import pytest
import requests
from nameko.standalone.rpc import ServiceRpcProxy

from services.launcher import CONFIG, ROOT
from tests.conftest import RABBIT_API
from tests.system import free_ports, release_ports
from tests.integration.core.helpers import SECRET, incoming, prepared_config, token

REPLICAS = 3
REGISTRATIONS = 50


@pytest.fixture
def replicas(service_config, db_url_factory, tmp_path):
    config = prepared_config(service_config, db_url_factory, "documents", seeded=True)
    env = dict(os.environ, AMQP_URI=config["AMQP_URI"], EOFFICE_SECRET_KEY=SECRET,
               EOFFICE_KEYS_DIR=config["KEYS_DIR"],
               DOCUMENTS_DB_URL=config["DB_URLS"]["documents"],
               EOFFICE_DATA_DIR=str(tmp_path / "data"), LOG_LEVEL="WARNING")
    # never two processes on one port (nameko's SO_REUSEPORT would share it, and another
    # test's process would answer for one of these): a block reserved across test processes
    base = free_ports()
    processes, ports = [], [base + 101 + index for index in range(REPLICAS)]
    for port in ports:
        log = open(tmp_path / f"documents-{port}.log", "wb")
        processes.append(subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config", CONFIG,
             "services.documents.service:DocumentsService"],
            cwd=ROOT, env=dict(env, WEB_SERVER_ADDRESS=f"127.0.0.1:{port}"),
            stdout=log, stderr=subprocess.STDOUT))
    vhost = config["AMQP_URI"].rsplit("/", 1)[1]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        queue = requests.get(f"{RABBIT_API}/queues/{vhost}/rpc-documents", timeout=5)
        if queue.ok and queue.json().get("consumers", 0) == REPLICAS:
            break
        time.sleep(0.3)
    else:
        raise RuntimeError("the documents replicas did not start")
    yield config, ports
    for process in processes:
        process.send_signal(signal.SIGTERM)
    for process in processes:
        process.wait(20)
    release_ports(base)


def test_fifty_concurrent_registrations_on_three_processes_take_numbers_1_to_50(replicas):
    config, ports = replicas

    def register(number):
        with ServiceRpcProxy("documents", config, timeout=60) as proxy:
            return proxy.register_incoming(token(), incoming(number))

    results = list(eventlet.GreenPool(REGISTRATIONS).imap(register, range(REGISTRATIONS)))
    numbers = sorted(r["arrival_number"] for r in results)
    assert numbers == list(range(1, REGISTRATIONS + 1))
    admin = token("u-admin", memberships=(("UBND", "admin"),))
    with ServiceRpcProxy("documents", config, timeout=60) as proxy:
        assert proxy.verify_audit(admin)["intact"]
    served = [registrations_served(port) for port in ports]
    assert sum(served) == REGISTRATIONS and sum(1 for n in served if n) >= 2, served


def registrations_served(port):
    metrics = requests.get(f"http://127.0.0.1:{port}/metrics", timeout=10).text
    for line in metrics.splitlines():
        if line.startswith("eoffice_entrypoint_calls_total{") and \
                'entrypoint="register_incoming"' in line and 'outcome="ok"' in line:
            return int(float(line.rsplit(" ", 1)[1]))
    return 0
