"""Runs the whole system on one machine: migrates every database, seeds the demo
organisation (with its test PKI and SoftHSM token), starts the seven services and the
gateway as separate ``nameko run`` processes (each with its own HTTP port), the demo PKI's
CRL/OCSP/TSA server and a reference axis for liên thông (services.axis; unless
EXCHANGE_AXIS_URL points at another), waits until /api/v1/health is ok, and stops
everything cleanly on Ctrl-C. `make run` calls it; the end-to-end tests use System.

    python -m services.launcher [--data-dir var] [--port 8000] [--amqp-uri URI]
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request

from services.common import token_keys
from services.common.migrations import SERVICES_WITH_DATABASE as SERVICES

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
CONFIG = os.path.join(ROOT, "deploy", "config.yml")
SERVICE_CLASSES = {"documents": "DocumentsService", "workflow": "WorkflowService",
                   "search": "SearchService", "notify": "NotifyService",
                   "storage": "StorageService", "signing": "SigningService",
                   "exchange": "ExchangeService", "gateway": "GatewayService"}
PORT_OFFSETS = {"gateway": 0, "documents": 101, "workflow": 102, "search": 103, "notify": 104,
                "storage": 105, "signing": 106, "pki": 107, "exchange": 108, "axis": 109,
                "gateway_metrics": 100}


class System:
    """The services as child processes, with one data dir and one RabbitMQ vhost."""

    def __init__(self, data_dir: str, port: int = 8000, amqp_uri: str | None = None,
                 extra_env: dict | None = None, service_port_base: int | None = None):
        self.data_dir = os.path.abspath(data_dir)
        self.port = port
        base = service_port_base if service_port_base is not None else 8000
        self.ports = {name: (port if name == "gateway" else base + offset)
                      for name, offset in PORT_OFFSETS.items()}
        self.env = dict(os.environ)
        self.env.update({"EOFFICE_DATA_DIR": self.data_dir,
                         "STORAGE_PUBLIC_URL": f"http://127.0.0.1:{self.ports['storage']}",
                         "PYTHONUNBUFFERED": "1"})
        if amqp_uri:
            self.env["AMQP_URI"] = amqp_uri
        if not self.env.get("EOFFICE_SECRET_KEY"):
            self.env["EOFFICE_SECRET_KEY"] = self._local_secret()
        self.env.update(extra_env or {})
        # Each process signs with its own key, read from its own file: one signing key
        # for all, from the environment, would let any of them speak for another.
        self.env.pop("EOFFICE_SIGNING_KEY", None)
        if not self.env.get("EOFFICE_PUBLIC_KEYS"):
            token_keys.generate(self.env.get("EOFFICE_KEYS_DIR")
                                or os.path.join(self.data_dir, "keys"))
        self.processes: dict[str, subprocess.Popen] = {}
        os.makedirs(os.path.join(self.data_dir, "logs"), exist_ok=True)

    def _local_secret(self) -> str:
        """A random signing key kept in the data dir, so tokens survive restarts but no
        two installations share one."""
        path = os.path.join(self.data_dir, "secret.key")
        if not os.path.exists(path):
            os.makedirs(self.data_dir, exist_ok=True)
            with open(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as handle:
                handle.write(secrets.token_hex(32))
        with open(path) as handle:
            return handle.read().strip()

    def metrics_url(self, name: str) -> str:
        """Where a process serves /metrics: the gateway on its private metrics port,
        the others on their own port."""
        port = self.ports["gateway_metrics" if name == "gateway" else name]
        return f"http://127.0.0.1:{port}/metrics"

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def prepare(self, seed: bool = True) -> None:
        """Migrate every database and (optionally) seed the demo organisation, with its
        digital signatures: a test PKI, a SoftHSM token and the signers' certificates."""
        self._python("-m", "services.common.migrations", "upgrade")
        self.prepare_axis()
        if seed:
            self._python("-m", "services.documents.seed")
            self._seed_signing()

    def _seed_signing(self) -> None:
        """The demo PKI and certificates (services.signing.seed); the settings it gives
        (keys, TSA) go to every service started after."""
        from services.documents.seed import demo_province, demo_signers
        holders = os.path.join(self.data_dir, "signers.json")
        signers = demo_signers(self.env.get("EOFFICE_DEMO_PROVINCE") or demo_province())
        with open(holders, "w", encoding="utf-8") as handle:
            json.dump(signers, handle, ensure_ascii=False)
        organisation = next(s["organisation"] for s in signers
                            if s["label"] == "organisation:UBND")
        out = self._python("-m", "services.signing.seed", "--holders", holders,
                           "--port", str(self.ports["pki"]), "--name", organisation)
        self.env.update(json.loads(out.strip().splitlines()[-1])["env"])

    @property
    def pki_dir(self) -> str:
        return os.path.join(self.data_dir, "pki")

    def start_pki(self) -> None:
        """The demo PKI's CRL, OCSP and time-stamping authority, on its own port."""
        if not os.path.exists(os.path.join(self.pki_dir, "pki.json")):
            return
        log = open(os.path.join(self.data_dir, "logs", "pki.log"), "ab")
        self.processes["pki"] = subprocess.Popen(
            [sys.executable, "-m", "services.signing.demo_pki", "serve", self.pki_dir,
             "--port", str(self.ports["pki"])],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)

    # ------------------------------------------------------------ the reference axis

    @property
    def own_axis(self) -> bool:
        """Whether this system runs its own reference axis (services.axis): unless it was
        pointed at another one (EXCHANGE_AXIS_URL, as a federation of deployments is)."""
        return not self.env.get("EXCHANGE_AXIS_URL") or bool(self.env.get("EOFFICE_OWN_AXIS"))

    def prepare_axis(self) -> None:
        """Connect the exchange service to a reference axis of this deployment's own: a
        SystemId and a SecretKey kept in the data dir, this deployment's agencies (every
        unit of the demo province, by its mã định danh) served by it, and a few agencies
        of other bodies in its directory to send to (they answer nothing: no system
        serves them here)."""
        if not self.own_axis:
            return
        from services.documents import directory_import
        from services.documents.seed import demo_province
        directory = os.path.join(self.data_dir, "axis")
        os.makedirs(directory, exist_ok=True)
        secret_path = os.path.join(directory, "secret.key")
        if not os.path.exists(secret_path):
            with open(os.open(secret_path, os.O_WRONLY | os.O_CREAT, 0o600), "w") as handle:
                handle.write(secrets.token_hex(24))
        with open(secret_path) as handle:
            secret = handle.read().strip()
        province = self.env.get("EOFFICE_DEMO_PROVINCE") or demo_province()
        units = directory_import.build_units(directory_import.read_communes(
            provinces={province}), commune_offices=False)
        system_id = f"eoffice-{province}"
        agencies = [{"organ_id": u.organ_id, "name": u.name,
                     "parent_id": next((p.organ_id for p in units if p.key == u.parent_key),
                                       None)} for u in units]
        with open(os.path.join(ROOT, "deploy", "axis-agencies.json"), encoding="utf-8") as f:
            agencies += json.load(f)["agencies"]
        with open(os.path.join(directory, "systems.json"), "w", encoding="utf-8") as handle:
            json.dump({"systems": [{"system_id": system_id, "secret_key": secret,
                                    "organ_ids": [u.organ_id for u in units]}],
                       "agencies": agencies}, handle, ensure_ascii=False)
        self.env.update({"EXCHANGE_AXIS_URL": f"http://127.0.0.1:{self.ports['axis']}",
                         "EXCHANGE_SYSTEM_ID": system_id, "EXCHANGE_SECRET_KEY": secret,
                         "EOFFICE_OWN_AXIS": "1"})

    def start_axis(self) -> None:
        if not self.own_axis:
            return
        directory = os.path.join(self.data_dir, "axis")
        log = open(os.path.join(self.data_dir, "logs", "axis.log"), "ab")
        self.processes["axis"] = subprocess.Popen(
            [sys.executable, "-m", "services.axis", "--port", str(self.ports["axis"]),
             "--data", directory, "--systems", os.path.join(directory, "systems.json")],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def _python(self, *args):
        result = subprocess.run([sys.executable, *args], cwd=ROOT, env=self.env,
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
        return result.stdout

    def start_service(self, name: str) -> None:
        env = dict(self.env, WEB_SERVER_ADDRESS=f"127.0.0.1:{self.ports[name]}",
                   METRICS_ADDRESS=f"127.0.0.1:{self.ports['gateway_metrics']}")
        log = open(os.path.join(self.data_dir, "logs", f"{name}.log"), "ab")
        self.processes[name] = subprocess.Popen(
            [sys.executable, "-m", "nameko", "run", "--config", CONFIG,
             f"services.{name}.service:{SERVICE_CLASSES[name]}"],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            start_new_session=True)

    def stop_service(self, name: str, timeout: float = 15) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def start(self, timeout: float = 90) -> None:
        self.start_pki()
        self.start_axis()
        for name in (*SERVICES, "gateway"):
            self.start_service(name)
        self.wait_healthy(timeout)

    def health(self) -> dict | None:
        try:
            with urllib.request.urlopen(f"{self.base_url}/api/v1/health", timeout=5) as resp:
                return json.loads(resp.read())
        except urllib.error.HTTPError as exc:
            return json.loads(exc.read() or b"null")
        except (OSError, ValueError):
            return None

    def wait_healthy(self, timeout: float = 90) -> dict:
        deadline = time.monotonic() + timeout
        health = None
        while time.monotonic() < deadline:
            for name, process in self.processes.items():
                if process.poll() is not None:
                    raise RuntimeError(f"service {name} exited with {process.returncode}; "
                                       f"see {self.data_dir}/logs/{name}.log")
            health = self.health()
            if health and health.get("status") == "ok":
                return health
            time.sleep(0.3)
        raise RuntimeError(f"the system did not become healthy in {timeout} s: {health}")

    def stop(self) -> None:
        for name in list(self.processes):
            process = self.processes[name]
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for name, process in list(self.processes.items()):
            try:
                process.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.processes.clear()


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="launcher", description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default=os.path.join(ROOT, "var"))
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--amqp-uri", default=None)
    parser.add_argument("--no-seed", action="store_true")
    options = parser.parse_args(argv)
    system = System(options.data_dir, options.port, options.amqp_uri)
    stopping = False

    def on_signal(signum, _frame):
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    # Whoever started us (make, a supervisor) may be stopped with a signal it does not
    # pass on; when it is gone we stop too rather than leave services running.
    parent = os.getppid()
    print(f"e-Office: preparing databases in {system.data_dir} …", flush=True)
    system.prepare(seed=not options.no_seed)
    print("e-Office: starting documents, workflow, search, notify, storage, signing, "
          "exchange, the demo PKI, the reference axis and gateway …",
          flush=True)
    try:
        system.start()
        print(f"\ne-Office is running: {system.base_url}/  (API: {system.base_url}/api/v1, "
              f"OpenAPI: {system.base_url}/api/v1/openapi.json)\n"
              f"Logs: {system.data_dir}/logs/. Demo logins (password eoffice@2026): "
              "vanthu.ubnd, lanhdao.ubnd, vanthu.stc, lanhdao.stc, … (see README).\n"
              "Press Ctrl-C to stop.", flush=True)
        while not stopping:
            if os.getppid() != parent:
                print("e-Office: the process that started us is gone.", flush=True)
                stopping = True
            for name, process in system.processes.items():
                if process.poll() is not None:
                    print(f"e-Office: {name} stopped unexpectedly (exit {process.returncode});"
                          f" see {system.data_dir}/logs/{name}.log", flush=True)
                    stopping = True
            time.sleep(0.5)
    finally:
        print("e-Office: stopping …", flush=True)
        system.stop()
        print("e-Office: stopped.", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
