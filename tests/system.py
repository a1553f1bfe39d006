"""The one started system of a test session, shared by the end-to-end tests (tests/e2e)
and the browser tests (tests/browser): the seven services, the demo PKI, the reference axis
and the gateway as processes (services.launcher.System) on a throw-away RabbitMQ vhost, data
dir and free ports, migrated and seeded with the demo organisation.

A pytest plugin (tests/conftest.py loads it). The ``system`` fixture is session-scoped
and lazy: a run of the unit and integration tiers only (``make test-fast``) never
starts it; the first e2e or browser test starts it, and every later one shares it.
Sharing means no test may count on fresh seed data: each test makes its own (unique
names and numbers, see tests/e2e/helpers.py) and undoes changes it makes to shared
settings of the demo organisation.

Periodic jobs run on short timers here (config TIMERS, deploy/config.yml) so that tests
wait for the outcome with a deadline instead of sleeping for a job's interval."""
from __future__ import annotations

import fcntl
import os
import random
import shutil
import tempfile
from contextlib import contextmanager

import pytest

from services.common import token_keys
from services.launcher import PORT_OFFSETS, System
from tests.conftest import RABBIT_AMQP, create_vhost, delete_vhost
from tests.ports import port_is_free
from tests.run_parallel import NO_GREEN_DNS

FIXTURES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures")

#: Timers of the shared system (env TIMER_<NAME>, read by deploy/config.yml), seconds.
#: Every round of a timer costs CPU in every started system of a test run, idle or not,
#: so only those the tests wait on are shortened. Those a service wakes itself when it
#: makes their work keep their deployment defaults (e-mails queued, a reindex
#: requested, a message queued for the axis, and the poll of the axis after a send:
#: services/common/timers.py); the revocations' sync backs up a broadcast; no test of
#: a started system waits for a deadline reminder (tests/integration/core/
#: test_deadlines.py runs its own timer), for a file's extraction retried (only a
#: minute after it was stored) or for the index caught up with the database (rebuilds
#: are requested, and woken). The poll of the axis paces what comes from another
#: deployment (the federation's tests).
TIMERS = {"revocations_sync": 10, "exchange_poll": 2, "exchange_directory_sync": 5}

#: The environment every started system of the tests gets.
SYSTEM_ENV = {
    "RPC_TIMEOUT_SECONDS": "3", "MAX_UPLOAD_BYTES": "1048576",
    "EOFFICE_SECRET_KEY": "e2e-secret-0123456789abcdef0123456789",
    # the tests' Api objects keep one access token for a whole module, which may
    # outlast the 5-minute default
    "TOKEN_TTL_SECONDS": "3600",
    # every test signs in from 127.0.0.1: the per-address lock is tested in
    # tests/unit/documents/test_accounts.py
    "LOGIN_ADDRESS_LIMIT": "1000",
    **{f"TIMER_{name.upper()}": str(seconds) for name, seconds in TIMERS.items()},
    # eventlet's green DNS resolver: not used by the tests, and 0.35–0.5 s of CPU to
    # import in each process (tests/run_parallel.py says more)
    **NO_GREEN_DNS,
}


#: Where test systems reserve their block of ports (one lock file per base).
PORT_LOCKS = os.path.join(tempfile.gettempdir(), "eoffice-test-ports")
_reserved: dict[int, object] = {}


def free_ports() -> int:
    """A base port such that every process's port (base + PORT_OFFSETS, all under 150) is
    free, reserved for this process until it exits: several systems start at once (the
    e2e and browser processes, modules with systems of their own) and a port checked free
    is only bound seconds later, after migrations and the seed. The lock on the base's
    file is the reservation; the kernel drops it when the process ends, even killed. Bases
    stay below the kernel's ephemeral range (32768 up), which outgoing connections use."""
    os.makedirs(PORT_LOCKS, exist_ok=True)
    for _ in range(200):
        base = random.randrange(20000, 32000, 150)
        if base in _reserved:
            continue
        handle = open(os.path.join(PORT_LOCKS, f"{base}.lock"), "w")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            handle.close()
            continue
        if all(port_is_free(base + o) for o in PORT_OFFSETS.values()):
            _reserved[base] = handle
            return base
        handle.close()
    raise RuntimeError("no free ports")


def release_ports(base: int) -> None:
    handle = _reserved.pop(base, None)
    if handle is not None:
        handle.close()


def log_tails(data_dir: str, lines: int = 30) -> str:
    """The last lines of every process's log: a start that failed says why."""
    logs = os.path.join(data_dir, "logs")
    out = []
    for name in sorted(os.listdir(logs)) if os.path.isdir(logs) else []:
        with open(os.path.join(logs, name), errors="replace") as handle:
            tail = handle.read().splitlines()[-lines:]
        out.append(f"--- {name}\n" + "\n".join(tail))
    return "\n".join(out)


@contextmanager
def start_system(prefix: str, extra_env: dict | None = None, before_start=None):
    """A prepared and started System on its own vhost, data dir and ports; stopped and
    removed on exit (EOFFICE_KEEP_E2E_DATA=1 keeps the data dir). ``before_start(system)``
    runs between preparing and starting it (to add to its data dir)."""
    vhost = create_vhost()
    data_dir = tempfile.mkdtemp(prefix=prefix)
    base = free_ports()
    running = System(data_dir, port=base, amqp_uri=f"{RABBIT_AMQP}/{vhost}",
                     service_port_base=base, extra_env={**SYSTEM_ENV, **(extra_env or {})})
    try:
        try:
            running.prepare()
            if before_start is not None:
                before_start(running)
            running.start(timeout=120)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{log_tails(data_dir)}") from exc
        yield running
    finally:
        running.stop()
        release_ports(base)
        delete_vhost(vhost)
        if os.environ.get("EOFFICE_KEEP_E2E_DATA") != "1":
            shutil.rmtree(data_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def system():
    """The session's running system (see the module's docstring)."""
    with start_system("eoffice-e2e-") as running:
        yield running


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
