"""Browser tests of the web UI: the session's started system (tests/system.py, shared
with the end-to-end tests) driven by Debian's Chromium through the Python Playwright
package, each scenario in a process of its own (runner.py says why).

They need Debian's Chromium (Playwright's own browser download is not used);
`make test` installs it. Without it they fail, saying so: there is no switch to skip
them, so a suite that passes has run them."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CHROMIUM = os.environ.get("EOFFICE_TEST_CHROMIUM", "/usr/bin/chromium")


@pytest.fixture(scope="session")
def chromium_path():
    assert os.path.exists(CHROMIUM), (
        f"{CHROMIUM} is not installed: run `make machine` (apt-get install chromium)")
    import playwright.sync_api  # noqa: F401  (a pinned dev dependency: missing is an error)
    return CHROMIUM


@pytest.fixture
def run_scenario(system, chromium_path):
    """run_scenario("name") runs scenarios.scenario_<name> in its own process (see
    runner.py) against the running system; the test fails with its output."""
    def run(name: str, timeout: float = 240) -> str:
        command = [sys.executable, "-m", "tests.browser.runner", system.base_url, name,
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
