"""Runs the test suite as several pytest processes at once, for the wall time of a 2-core
machine: the tiers wait mostly on RabbitMQ, PostgreSQL and the services, not on the CPU.

    python -m tests.run_parallel [--shards N] [--no-system] [pytest options…]

The unit and integration tests are dealt out to N processes, a module at a time, by their
usual times (``deal``, from tests/durations.json), so that the processes end together;
each process is given its modules' paths, so it collects only those; each test makes its
own vhost and databases, so they do not meet. ``--record-durations`` writes the times of
this run to tests/durations.json (commit it when tests were added or became slower). The
end-to-end tests are dealt out the same way to E2E_SHARDS processes, and the browser
tests and the federation's run in one more process each, each process with its own
started system (tests/system.py): a system starts in about 6 s and idles cheaply, while
the end-to-end tests in one process were the longest path.
pytest-xdist is not used: its workers hang under eventlet's monkey patching, which nameko
needs.

Each process writes its output to var/test-logs/<name>.log; this prints each one's summary,
the whole output of any that failed, and exits with the first failure's code."""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
LOGS = os.path.join(ROOT, "var", "test-logs")
FAST_TIERS = ("tests/unit", "tests/integration")
#: The tiers that start a system: a process of its own each, longest first (the
#: federation's two deployments and axis are their own process too).
FEDERATION = "tests/e2e/test_federation.py"
#: The end-to-end tests (but the federation's) are dealt out, a module at a time, to this
#: many processes, each with its own started system: in one process they were the longest
#: path, the tail of the run with one core idle.
E2E_SHARDS = 2
E2E = "tests/e2e"
LONGEST_PATH = (*(f"e2e-{i}" for i in range(1, E2E_SHARDS + 1)), "browser")
#: Each test's usual time (setup, call and teardown, in seconds) where it is 0.1 s or
#: more, written by ``--record-durations``: the shards are dealt by it.
DURATIONS = os.path.join(ROOT, "tests", "durations.json")
#: what a module adds to its tests' usual times: its quick tests, which the file does not
#: name, and its import; a new module counts this much alone
QUICK_MODULE_SECONDS = 0.3
#: eventlet's green DNS resolver (dnspython) costs every process that monkey-patches
#: 0.35–0.5 s of CPU to import, and a test run starts about a hundred such processes
#: (test processes, the started systems' services): the tests name their servers by
#: address or as localhost, which the blocking resolver answers from /etc/hosts at
#: once. Deployments keep the green resolver (a slow DNS server must not block a
#: service's other green threads). tests/system.py sets it too, for a plain pytest.
NO_GREEN_DNS = {"EVENTLET_NO_GREENDNS": "yes"}
#: The tests whose usual times tests/durations.json keeps: those dealt out to shards.
DEALT_TIERS = (*FAST_TIERS, "tests/e2e/")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shards", type=int, default=3,
                        help="processes for the unit and integration tests (default 3)")
    parser.add_argument("--no-system", action="store_true",
                        help="only the tiers that start no system (unit, integration)")
    parser.add_argument("--record-durations", action="store_true",
                        help="write this run's test times to tests/durations.json")
    options, pytest_args = parser.parse_known_args()
    os.makedirs(LOGS, exist_ok=True)
    started = time.monotonic()
    # Bytecode is cached, whatever the caller's PYTHONDONTWRITEBYTECODE: each test
    # process and each service process of a started system would otherwise compile the
    # project again (pytest's rewritten test modules included: 3.5 s of the 8 s that
    # collecting the fast tiers costs each process). Compiled once here, beforehand, so
    # the processes started together do not each compile the same modules.
    environment = {name: value for name, value in os.environ.items()
                   if name != "PYTHONDONTWRITEBYTECODE"} | NO_GREEN_DNS
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", "services", "tests",
                    "bench"], cwd=ROOT, env=environment, stdout=subprocess.DEVNULL, check=False)
    durations = usual_durations()
    runs = {}
    if not options.no_system:
        e2e = deal(module_times(modules_under([E2E], ignore=(FEDERATION,)), durations),
                   E2E_SHARDS)
        runs |= {f"e2e-{i}": modules for i, modules in enumerate(e2e, start=1) if modules}
        runs |= {"browser": ["tests/browser"], "federation": [FEDERATION]}
    fast = deal(module_times(modules_under(FAST_TIERS), durations), options.shards)
    runs |= {f"fast-{i}": modules for i, modules in enumerate(fast, start=1) if modules}
    processes = {}
    recorded = {name: os.path.join(LOGS, f"{name}.durations.json") for name in runs}
    for name, targets in runs.items():
        if options.record_durations:
            targets = [f"--record-durations={recorded[name]}", *targets]
        log = open(os.path.join(LOGS, f"{name}.log"), "w")
        # The e2e and browser tiers are the longest path: their services keep the CPU first
        # and the others (the fast shards, the federation's two systems) fill the time they
        # wait (a niceness of 10 for theirs, inherited by the systems they start).
        nice = [] if name in LONGEST_PATH else ["nice", "-n", "10"]
        processes[name] = (subprocess.Popen(
            [*nice, sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
             *pytest_args, *targets], cwd=ROOT, env=environment, stdout=log,
            stderr=subprocess.STDOUT), log)
        shown = targets if len(targets) <= 3 else [f"{len(targets)} modules"]
        print(f"{name}: {' '.join(shown)} → var/test-logs/{name}.log", flush=True)
    failed = 0
    for name, (process, log) in processes.items():
        code = process.wait()
        log.close()
        with open(log.name, encoding="utf-8", errors="replace") as handle:
            output = handle.read()
        summary = output.strip().splitlines()[-1] if output.strip() else "(no output)"
        print(f"{name}: {summary}", flush=True)
        if code != 0:
            sys.stdout.write(f"\n===== {name} failed (exit {code}) =====\n{output}\n")
            failed = failed or code
    if options.record_durations and not failed:
        write_durations([recorded[name] for name in runs])
    print(f"all: {'failed' if failed else 'passed'} in {time.monotonic() - started:.0f} s")
    return failed


def usual_durations() -> dict[str, float]:
    if not os.path.exists(DURATIONS):
        return {}
    with open(DURATIONS, encoding="utf-8") as handle:
        return json.load(handle)


def modules_under(targets, ignore=()) -> list[str]:
    """The test modules (pytest's ``test_*.py``) under ``targets``, as paths from the
    project's root, sorted, without those in ``ignore``."""
    found = []
    for target in targets:
        for folder, _, names in os.walk(os.path.join(ROOT, target)):
            found += [os.path.relpath(os.path.join(folder, name), ROOT) for name in names
                      if name.startswith("test_") and name.endswith(".py")]
    return sorted(path for path in found if path not in ignore)


def module_times(modules: list[str], durations: dict[str, float]) -> dict[str, float]:
    """Each module's usual time: its tests' times in ``durations`` (test id → seconds),
    and QUICK_MODULE_SECONDS."""
    times = {module: QUICK_MODULE_SECONDS for module in modules}
    for nodeid, seconds in durations.items():
        module = nodeid.split("::", 1)[0]
        if module in times:
            times[module] += seconds
    return times


def deal(times: dict[str, float], count: int) -> list[list[str]]:
    """The modules of ``times`` (module → usual seconds) dealt to ``count`` processes, a
    whole module to one: its fixtures (a PKI built, a system started, databases
    migrated) are then made once, not in every process that runs one of its tests. The
    longest go first, each to the process with the least time so far (ties to the
    first), so that the processes end together; each process's modules in path order."""
    loads = [0.0] * count
    dealt: list[list[str]] = [[] for _ in range(count)]
    for module, seconds in sorted(times.items(), key=lambda item: (-item[1], item[0])):
        shard = min(range(count), key=lambda k: (loads[k], k))
        dealt[shard].append(module)
        loads[shard] += seconds
    return [sorted(modules) for modules in dealt]


def write_durations(paths: list[str]) -> None:
    """Merges the shards' recorded times into tests/durations.json (those of the tests
    dealt out to shards: the fast tiers and the end-to-end tests but the federation's)."""
    durations = {}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            durations |= {nodeid: seconds for nodeid, seconds in json.load(handle).items()
                          if nodeid.startswith(DEALT_TIERS)
                          and not nodeid.startswith(FEDERATION)}
    with open(DURATIONS, "w", encoding="utf-8") as out:
        json.dump(dict(sorted(durations.items())), out, indent=0, ensure_ascii=False)
        out.write("\n")
    print(f"durations: {len(durations)} tests of 0.1 s or more → tests/durations.json")


if __name__ == "__main__":
    raise SystemExit(main())
