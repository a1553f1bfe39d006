"""A fresh, throw-away system for a benchmark: its own RabbitMQ vhost, data dir and
ports, and optionally a PostgreSQL database per service."""
from __future__ import annotations

import shutil
import tempfile
from contextlib import contextmanager

from services.launcher import SERVICES, System
from tests.conftest import (RABBIT_AMQP, create_pg_database, create_vhost, delete_vhost,
                            drop_pg_database)
from tests.system import free_ports, release_ports


@contextmanager
def fresh_system(postgres: bool = False, extra_env: dict | None = None):
    vhost, data_dir, base = create_vhost(), tempfile.mkdtemp(prefix="eoffice-bench-"), free_ports()
    env, databases = dict(extra_env or {}), []
    if postgres:
        for service in SERVICES:
            databases.append(create_pg_database())
            env[f"{service.upper()}_DB_URL"] = databases[-1]
    system = System(data_dir, port=base, amqp_uri=f"{RABBIT_AMQP}/{vhost}",
                    service_port_base=base, extra_env=env)
    try:
        system.prepare()
        system.start()
        print(f"system started in {data_dir}: {'PostgreSQL' if postgres else 'SQLite'}, "
              "embedded index, local blobs")
        yield system
    finally:
        system.stop()
        release_ports(base)
        delete_vhost(vhost)
        for url in databases:
            drop_pg_database(url)
        shutil.rmtree(data_dir, ignore_errors=True)
