"""Counters for the profile (bench/profile_requests.py), loaded into every process of a
system it starts (this folder first on PYTHONPATH) and active only where
EOFFICE_PROFILE_DIR is set — the extraction child's scrubbed environment drops it.

It changes no behaviour, it only counts, as modules are imported:
- ``services.common.rpc``: each RPC a process makes (``service.method``) and the wall
  time until its answer;
- ``services.common.db``: on every engine, transactions begun (writes: SQLite's
  ``BEGIN IMMEDIATE``), committed, rolled back, statements and the time in the driver,
  and each transaction's time from begin to its end;
- ``nameko.events``: events dispatched, by type;
- ``eventlet.green.subprocess`` and ``subprocess``: child processes started, by command;
- ``services.storage.extraction``: extractions and their wall time, and the children
  the extraction fork server forked (not started by Popen).

On SIGUSR2 a process writes its counters to EOFFICE_PROFILE_DIR/<pid>.json (with its
command line), which the profile reads before and after a batch of requests.
"""
from __future__ import annotations

import importlib.abc
import json
import os
import signal
import sys
import time
from collections import Counter

COUNTS: Counter = Counter()
SECONDS: Counter = Counter()
_DIRECTORY = os.environ.get("EOFFICE_PROFILE_DIR")


def _dump(_signum=None, _frame=None):
    with open("/proc/self/cmdline", "rb") as handle:
        command = handle.read().replace(b"\0", b" ").decode(errors="replace").strip()
    path = os.path.join(_DIRECTORY, f"{os.getpid()}.json")
    with open(path + ".tmp", "w") as handle:
        json.dump({"pid": os.getpid(), "command": command, "counts": dict(COUNTS),
                   "seconds": dict(SECONDS)}, handle)
    os.replace(path + ".tmp", path)


# ------------------------------------------------------------------ the patches

def _patch_rpc(module):
    original = module.TimedServiceProxy.__getattr__

    def __getattr__(self, method_name):
        call = original(self, method_name)
        key = f"rpc_out:{self._service}.{method_name}"

        def counted(*args, **kwargs):
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                COUNTS[key] += 1
                SECONDS[key] += time.perf_counter() - started
        return counted

    module.TimedServiceProxy.__getattr__ = __getattr__


def _patch_db(module):
    original = module.make_engine

    def make_engine(url):
        engine = original(url)
        from sqlalchemy import event

        @event.listens_for(engine, "begin")
        def on_begin(conn):
            write = conn.info.get("sqlite_begin") == "BEGIN IMMEDIATE"
            COUNTS["db:transactions_write" if write else "db:transactions_read"] += 1
            conn.info["profile_began"] = time.perf_counter()

        def ended(conn, how):
            COUNTS[f"db:{how}"] += 1
            began = conn.info.pop("profile_began", None)
            if began is not None:
                SECONDS["db:transaction_open"] += time.perf_counter() - began

        event.listen(engine, "commit", lambda conn: ended(conn, "commits"))
        event.listen(engine, "rollback", lambda conn: ended(conn, "rollbacks"))

        @event.listens_for(engine, "before_cursor_execute")
        def before(conn, cursor, statement, parameters, context, executemany):
            conn.info.setdefault("profile_statements", []).append(time.perf_counter())

        @event.listens_for(engine, "after_cursor_execute")
        def after(conn, cursor, statement, parameters, context, executemany):
            started = conn.info["profile_statements"].pop()
            COUNTS["db:statements"] += 1
            SECONDS["db:statements"] += time.perf_counter() - started

        return engine

    module.make_engine = make_engine


def _patch_events(module):
    original = module.EventDispatcher.get_dependency

    def get_dependency(self, worker_ctx):
        dispatch = original(self, worker_ctx)

        def counted(event_type, event_data):
            COUNTS[f"event_out:{event_type}"] += 1
            return dispatch(event_type, event_data)
        return counted

    module.EventDispatcher.get_dependency = get_dependency


def _command_name(args) -> str:
    argv = args if isinstance(args, (list, tuple)) else [args]
    argv = [str(a) for a in argv]
    # python [flags such as -S] -m MODULE: the module names it
    if "-m" in argv[1:-1] and all(a.startswith("-") for a in argv[1:argv.index("-m")]):
        return argv[argv.index("-m") + 1]
    return os.path.basename(argv[0]) if argv else "?"


def _patch_popen(module):
    original = module.Popen.__init__

    def __init__(self, args, *rest, **kwargs):
        if not getattr(self, "_profile_counted", False):
            self._profile_counted = True
            COUNTS[f"child:{_command_name(args)}"] += 1
        return original(self, args, *rest, **kwargs)

    module.Popen.__init__ = __init__


def _patch_extraction(module):
    original = module.run_extraction
    start_child = module.ForkServer.start_child

    def counted_start_child(self, *args, **kwargs):
        child = start_child(self, *args, **kwargs)
        if child is not None:       # a child forked by the fork server (no Popen)
            COUNTS["child:services.storage.extract_worker (forked)"] += 1
        return child

    module.ForkServer.start_child = counted_start_child

    def run_extraction(*args, **kwargs):
        started = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            COUNTS["extraction"] += 1
            SECONDS["extraction"] += time.perf_counter() - started

    module.run_extraction = run_extraction


PATCHES = {"services.common.rpc": _patch_rpc, "services.common.db": _patch_db,
           "nameko.events": _patch_events, "eventlet.green.subprocess": _patch_popen,
           "subprocess": _patch_popen, "services.storage.extraction": _patch_extraction}


class _AfterImport(importlib.abc.MetaPathFinder):
    """Applies a patch right after its module has run, before anyone imports from it."""

    def find_spec(self, name, path, target=None):
        if name not in PATCHES:
            return None
        for finder in sys.meta_path:
            if finder is self:
                continue
            spec = finder.find_spec(name, path, target) if hasattr(finder, "find_spec") else None
            if spec is not None and spec.loader is not None:
                break
        else:
            return None
        loader, patch = spec.loader, PATCHES[name]
        run = loader.exec_module

        class Loader(importlib.abc.Loader):
            def create_module(self, spec):
                return loader.create_module(spec)

            def exec_module(self, module):
                run(module)
                patch(module)

        spec.loader = Loader()
        return spec


if _DIRECTORY:
    os.makedirs(_DIRECTORY, exist_ok=True)
    sys.meta_path.insert(0, _AfterImport())
    if "subprocess" in sys.modules:
        _patch_popen(sys.modules["subprocess"])
    signal.signal(signal.SIGUSR2, _dump)
