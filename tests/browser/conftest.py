"""Browser tests of the web UI: the whole system as processes (services.launcher.System
on a throw-away RabbitMQ vhost, data dir and free ports) driven by Debian's Chromium
through the Python Playwright package, each scenario in a process of its own
(runner.py says why).

They need Debian's Chromium (Playwright's own browser download is not used);
`make test` installs it. Without it they fail, saying so: there is no switch to skip
them, so a suite that passes has run them."""
from __future__ import annotations

import os
import random
import socket
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = os.environ.get("EOFFICE_TEST_CHROMIUM", "/usr/bin/chromium")
SERVICE_OFFSETS = range(101, 106)


def _port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _service_port_base(avoid: int) -> int:
    """A base such that base+101..105 are free (and not the gateway's port)."""
    for _ in range(500):
        base = random.randint(20000, 30000)
        ports = [base + offset for offset in SERVICE_OFFSETS]
        if avoid not in ports and all(_port_is_free(p) for p in ports):
            return base
    raise RuntimeError("no free block of service ports found")


def _log_tails(data_dir: str, lines: int = 30) -> str:
    logs = os.path.join(data_dir, "logs")
    out = []
    for name in sorted(os.listdir(logs)) if os.path.isdir(logs) else []:
        with open(os.path.join(logs, name), errors="replace") as handle:
            tail = handle.read().splitlines()[-lines:]
        out.append(f"--- {name}\n" + "\n".join(tail))
    return "\n".join(out)


@pytest.fixture(scope="module")
def chromium_path():
    assert os.path.exists(CHROMIUM), (
        f"{CHROMIUM} is not installed: run `make machine` (apt-get install chromium)")
    import playwright.sync_api  # noqa: F401  (a pinned dev dependency: missing is an error)
    return CHROMIUM


@pytest.fixture(scope="module")
def ui_system(chromium_path, tmp_path_factory):
    """The whole e-Office (five services and the gateway), migrated and seeded."""
    from services.launcher import System
    from tests.conftest import RABBIT_AMQP, create_vhost, delete_vhost

    vhost = create_vhost()
    data_dir = str(tmp_path_factory.mktemp("ui-system"))
    port = _free_port()
    system = System(data_dir, port=port, amqp_uri=f"{RABBIT_AMQP}/{vhost}",
                    service_port_base=_service_port_base(port))
    try:
        try:
            system.prepare()
            system.start(timeout=120)
        except RuntimeError as exc:
            raise RuntimeError(f"{exc}\n{_log_tails(data_dir)}") from exc
        yield system
    finally:
        system.stop()
        delete_vhost(vhost)


@pytest.fixture
def run_scenario(ui_system, chromium_path):
    """run_scenario("name") runs scenarios.scenario_<name> in its own process (see
    runner.py) against the running system; the test fails with its output."""
    def run(name: str, timeout: float = 240) -> str:
        command = [sys.executable, "-m", "tests.browser.runner", ui_system.base_url, name,
                   "--chromium", chromium_path]
        try:
            result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True,
                                    timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            pytest.fail(f"scenario {name} did not finish in {timeout} s:\n"
                        f"{exc.stdout or ''}\n{exc.stderr or ''}")
        output = f"{result.stdout}\n{result.stderr}".strip()
        print(output)
        if result.returncode != 0:
            pytest.fail(f"scenario {name} failed:\n{output}", pytrace=False)
        return output

    return run
