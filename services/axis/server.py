"""Running the reference axis: ``serve`` (blocking, what the command line does) and
``start_server`` (a process of its own, returned once it answers: for tests and demos).

Command line::

    python -m services.axis --port N --data DIR [--systems FILE.json] [--host H]
                            [--max-size BYTES]

``--port 0`` takes a free port; the port actually bound is written to ``DIR/axis.port`` once
the axis listens. SIGTERM or Ctrl-C stops it.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass

from services.axis.app import DEFAULT_MAX_SIZE, make_app
from services.axis.errors import AxisProblem
from services.axis.store import AxisStore

PORT_FILE = "axis.port"
LOG_FILE = "axis.log"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _interrupt(signum, frame):
    raise KeyboardInterrupt   # serve_forever stops on it and closes the socket


def serve(data_dir: str, port: int, systems: str | None = None, host: str = "127.0.0.1",
          max_size: int = DEFAULT_MAX_SIZE) -> None:
    """Blocking: the axis on ``host:port`` with its data in ``data_dir``; ``systems`` is the
    JSON file of connected systems and agencies, applied at start."""
    from werkzeug.serving import make_server

    store = AxisStore(data_dir)
    port_path = os.path.join(store.directory, PORT_FILE)
    try:
        if systems:
            with open(systems, encoding="utf-8") as f:
                store.apply_config(json.load(f))
        server = make_server(host, port, make_app(store, max_size), threaded=True)
        temporary = f"{port_path}.tmp"
        with open(temporary, "w") as f:
            f.write(str(server.server_port))
        os.replace(temporary, port_path)
        signal.signal(signal.SIGTERM, _interrupt)
        logging.getLogger("services.axis").info(
            "axis: serving %s on http://%s:%d", store.directory, host, server.server_port)
        server.serve_forever()   # returns on KeyboardInterrupt, socket closed
    finally:
        if os.path.exists(port_path):
            os.unlink(port_path)
        store.close()


@dataclass
class AxisProcess:
    process: subprocess.Popen
    base_url: str
    data_dir: str

    def stop(self, timeout: float = 10) -> None:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_server(data_dir: str, *, systems: str | None = None, port: int = 0,
                 max_size: int | None = None, timeout: float = 30) -> AxisProcess:
    """``serve`` in a process of its own (its output appended to ``DIR/axis.log``), returned
    once /health answers; RuntimeError with the log when it does not within ``timeout``."""
    import requests

    os.makedirs(data_dir, exist_ok=True)
    port_path = os.path.join(data_dir, PORT_FILE)
    if os.path.exists(port_path):
        os.unlink(port_path)    # a stale one from a process that was killed
    command = [sys.executable, "-m", "services.axis", "--port", str(port), "--data", data_dir]
    if systems:
        command += ["--systems", systems]
    if max_size is not None:
        command += ["--max-size", str(max_size)]
    log_path = os.path.join(data_dir, LOG_FILE)
    with open(log_path, "ab") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, cwd=REPO)
    deadline = time.monotonic() + timeout
    while True:
        if os.path.exists(port_path):
            with open(port_path) as f:
                base_url = f"http://127.0.0.1:{int(f.read())}"
            try:
                if requests.get(f"{base_url}/health", timeout=1).ok:
                    return AxisProcess(process, base_url, data_dir)
            except requests.RequestException:
                pass
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            process.wait()
            with open(log_path, encoding="utf-8", errors="replace") as handle:
                raise RuntimeError(f"the axis did not start:\n{handle.read()}")
        time.sleep(0.05)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m services.axis",
        description="A reference national document exchange axis (VPCP VXP SDK wire format).")
    parser.add_argument("--port", type=int, required=True, help="0 takes a free port")
    parser.add_argument("--data", required=True, help="directory of the SQLite file and edocs")
    parser.add_argument("--systems", help="JSON file of connected systems and agencies")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--max-size", type=int, default=DEFAULT_MAX_SIZE,
                        help=f"largest edXML package in bytes (default {DEFAULT_MAX_SIZE})")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    try:
        serve(args.data, args.port, args.systems, args.host, args.max_size)
    except AxisProblem as problem:
        parser.exit(2, f"{parser.prog}: {problem.message_en}\n")
    except (OSError, ValueError) as error:
        parser.exit(2, f"{parser.prog}: {error}\n")
