"""Runs browser scenarios (tests/browser/scenarios*.py) against a running e-Office:

    python -m tests.browser.runner BASE_URL SCENARIO [--chromium /usr/bin/chromium]
    python -m tests.browser.runner BASE_URL --serve   (names on stdin, one a line)

The browser tests keep one serving runner for the session (tests/browser/conftest.py):
one Chromium, a new browser context (own cookies, storage, pages) for each scenario.

A process of its own, without eventlet: the test session monkey-patches everything
(tests/conftest.py), and Playwright's sync API, which drives its own event loop in
greenlets, can deadlock against eventlet's hub there. Exit 0 when the scenario
passed; 1 with the traceback (and a screenshot of each open page in
/tmp/ui-failed-SCENARIO-N.png) when it failed, or when a page threw an uncaught
JavaScript error."""
from __future__ import annotations

import argparse
import os
import sys
import time
import traceback

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--disable-quic"]


def _find_scenario(name: str):
    """scenario_NAME from scenarios.py or from any scenarios_*.py beside it (one
    module per subject, so the scenario files stay readable)."""
    import importlib
    import pkgutil

    import tests.browser as package

    modules = ["scenarios"] + sorted(
        info.name for info in pkgutil.iter_modules(package.__path__)
        if info.name.startswith("scenarios_"))
    for module_name in modules:
        module = importlib.import_module(f"tests.browser.{module_name}")
        run = getattr(module, f"scenario_{name}", None)
        if run is not None:
            return run
    return None


DONE = "@@scenario-done"   # serve mode: the line that ends a scenario's output


def run_one(browser, base_url: str, name: str) -> int:
    """One scenario in contexts of its own (cookies, storage and pages are not shared
    with any other scenario), closed afterwards; 0 when it passed."""
    from tests.browser import scenarios

    run = _find_scenario(name)
    if run is None:
        print(f"no scenario {name!r}", file=sys.stderr)
        return 2
    started = time.monotonic()
    errors: list[str] = []
    contexts = []

    def make_page(width: int = 1280, height: int = 800):
        context = browser.new_context(viewport={"width": width, "height": height},
                                      accept_downloads=True, locale="vi-VN")
        context.set_default_timeout(15_000)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.on("console", lambda msg: print(f"  [console.{msg.type}] {msg.text}")
                if msg.type in ("error", "warning") else None)
        # the UI must work under its Content-Security-Policy: a refusal is a failure
        page.on("console", lambda msg: errors.append(msg.text)
                if "Content Security Policy" in msg.text else None)
        page.goto(base_url.rstrip("/") + "/")
        return page

    status = 0
    try:
        run(make_page, scenarios.fixture_pdf())
    except Exception:   # noqa: BLE001 - reported with its traceback
        traceback.print_exc()
        status = 1
        shots = 0
        for context in contexts:
            for page in context.pages:
                shots += 1
                path = f"/tmp/ui-failed-{name}-{shots}.png"
                try:
                    page.screenshot(path=path, full_page=True)
                    print(f"screenshot of the failing page: {path} ({page.url})",
                          file=sys.stderr)
                except Exception:   # noqa: BLE001
                    pass
    if errors:
        print(f"uncaught JavaScript errors: {errors}", file=sys.stderr)
        status = 1
    for context in contexts:
        context.close()
    print(f"scenario {name}: {'passed' if status == 0 else 'FAILED'} "
          f"in {time.monotonic() - started:.1f} s")
    return status


def serve(launch, base_url: str) -> int:
    """Serve mode: one scenario name a line on stdin, each run as run_one does; after
    its output, a line "DONE NAME STATUS". Starting Chromium (and this process) once
    for every scenario saves a few seconds each; the contexts keep them apart."""
    browser = launch()
    for line in sys.stdin:
        name = line.strip()
        if not name:
            continue
        if not browser.is_connected():   # a scenario that crashed it: a new one
            browser = launch()
        status = run_one(browser, base_url, name)
        sys.stderr.flush()
        print(f"{DONE} {name} {status}", flush=True)
    browser.close()
    return 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tests.browser.runner")
    parser.add_argument("base_url")
    parser.add_argument("scenario", nargs="?", help="the scenario to run (without --serve)")
    parser.add_argument("--serve", action="store_true",
                        help="run the scenarios named on stdin, one a line")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    options = parser.parse_args(argv)
    if not options.serve and not options.scenario:
        parser.error("a scenario, or --serve")

    from playwright.sync_api import expect, sync_playwright

    # The whole suite runs its tiers side by side on two cores: an assertion waits as
    # long as an action does (15 s) for the page to get there, not Playwright's 5 s.
    expect.set_options(timeout=15_000)

    with sync_playwright() as playwright:
        def launch():
            return playwright.chromium.launch(executable_path=options.chromium,
                                              args=CHROMIUM_ARGS)
        if options.serve:
            return serve(launch, options.base_url)
        browser = launch()
        try:
            return run_one(browser, options.base_url, options.scenario)
        finally:
            browser.close()


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    sys.exit(main())
