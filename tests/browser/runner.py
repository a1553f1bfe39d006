"""Runs one browser scenario (tests/browser/scenarios*.py) against a running e-Office:

    python -m tests.browser.runner BASE_URL SCENARIO [--chromium /usr/bin/chromium]

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


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="tests.browser.runner")
    parser.add_argument("base_url")
    parser.add_argument("scenario")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    options = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from tests.browser import scenarios

    run = _find_scenario(options.scenario)
    if run is None:
        print(f"no scenario {options.scenario!r}", file=sys.stderr)
        return 2
    started = time.monotonic()
    errors: list[str] = []
    contexts = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=options.chromium,
                                             args=CHROMIUM_ARGS)

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
            page.goto(options.base_url.rstrip("/") + "/")
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
                    path = f"/tmp/ui-failed-{options.scenario}-{shots}.png"
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
        browser.close()
    print(f"scenario {options.scenario}: {'passed' if status == 0 else 'FAILED'} "
          f"in {time.monotonic() - started:.1f} s")
    return status


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    sys.exit(main())
