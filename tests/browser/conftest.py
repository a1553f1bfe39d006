"""Browser tests of the web UI: the session's started system (tests/system.py, shared
with the end-to-end tests) driven by Debian's Chromium through the Python Playwright
package. The scenarios run in a process of their own, without eventlet (runner.py says
why): one serving runner and one Chromium for the session, a new browser context for
each scenario.

They need Debian's Chromium (Playwright's own browser download is not used);
`make test` installs it. Without it they fail, saying so: there is no switch to skip
them, so a suite that passes has run them."""
from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time

import pytest

from tests.browser.runner import DONE

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = os.environ.get("EOFFICE_TEST_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium_path():
    assert os.path.exists(CHROMIUM), (
        f"{CHROMIUM} is not installed: run `make machine` (apt-get install chromium)")
    import playwright.sync_api  # noqa: F401  (a pinned dev dependency: missing is an error)
    return CHROMIUM


class ScenarioRunner:
    """A serving tests.browser.runner (runner.py, ``--serve``): one process and one
    Chromium for the session's scenarios, each in browser contexts of its own. A
    scenario that does not finish in time kills it; the next scenario starts another."""

    def __init__(self, base_url: str, chromium: str):
        self.command = [sys.executable, "-m", "tests.browser.runner", base_url, "--serve",
                        "--chromium", chromium]
        self.process = None
        self.lines: queue.Queue = queue.Queue()

    def _start(self):
        self.process = subprocess.Popen(
            self.command, cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, bufsize=1,
            env=dict(os.environ, PYTHONUNBUFFERED="1"))
        self.lines = queue.Queue()
        threading.Thread(target=self._read, args=(self.process, self.lines),
                         daemon=True).start()

    @staticmethod
    def _read(process, lines):
        for line in process.stdout:
            lines.put(line)
        lines.put(None)   # the process ended

    def run(self, name: str, timeout: float) -> tuple[bool, str]:
        """(passed, output) of one scenario."""
        if self.process is None or self.process.poll() is not None:
            self._start()
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        deadline, output = time.monotonic() + timeout, []
        while True:
            try:
                line = self.lines.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                self.stop()
                return False, "".join(output) + f"\nscenario {name} did not finish in " \
                                               f"{timeout} s"
            if line is None:
                self.process = None
                return False, "".join(output) + "\nthe runner ended unexpectedly"
            if line.startswith(f"{DONE} {name} "):
                return line.split()[-1] == "0", "".join(output)
            output.append(line)

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.process = None


@pytest.fixture(scope="session")
def scenario_runner(system, chromium_path):
    runner = ScenarioRunner(system.base_url, chromium_path)
    yield runner
    if runner.process is not None and runner.process.poll() is None:
        runner.process.stdin.close()   # the runner ends at the end of its input
        try:
            runner.process.wait(15)
        except subprocess.TimeoutExpired:
            pass
    runner.stop()


@pytest.fixture
def run_scenario(scenario_runner):
    """run_scenario("name") runs scenarios.scenario_<name> in the session's runner (see
    runner.py) against the running system; the test fails with its output."""
    def run(name: str, timeout: float = 240) -> str:
        passed, output = scenario_runner.run(name, timeout)
        print(output)
        if not passed:
            pytest.fail(f"scenario {name} failed:\n{output}", pytrace=False)
        return output

    return run
