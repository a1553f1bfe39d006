"""Shared test harness. Integration tests talk to the real RabbitMQ (a throw-away
vhost per test, made through the management API) and to real databases: SQLite
files and PostgreSQL (a throw-away database per test)."""
import eventlet

eventlet.monkey_patch()  # noqa: E402  (nameko 2.14's pytest plugin no longer patches)

import json
import os
import shutil
import uuid

import psycopg2
import pytest
import requests

from tests.token_keys import KEYS_DIR

RABBIT_API = os.environ.get("EOFFICE_TEST_RABBIT_API", "http://guest:guest@127.0.0.1:15672/api")
RABBIT_AMQP = os.environ.get("EOFFICE_TEST_AMQP", "pyamqp://guest:guest@127.0.0.1:5672")
PG_DSN = os.environ.get("EOFFICE_TEST_PG", "postgresql://postgres@127.0.0.1:5432/postgres")
DB_KINDS = ("sqlite", "postgresql")


def create_vhost() -> str:
    name = f"eoffice-test-{uuid.uuid4().hex[:10]}"
    requests.put(f"{RABBIT_API}/vhosts/{name}", timeout=10).raise_for_status()
    requests.put(f"{RABBIT_API}/permissions/{name}/guest",
                 json={"configure": ".*", "write": ".*", "read": ".*"},
                 timeout=10).raise_for_status()
    return name


def delete_vhost(name: str) -> None:
    requests.delete(f"{RABBIT_API}/vhosts/{name}", timeout=10)


@pytest.fixture(scope="session")
def vhost_deleter():
    """Deletes the tests' vhosts in the background (RabbitMQ takes about 0.4 s for each,
    which the next test need not wait for), and waits for them all at the end."""
    pool = eventlet.GreenPool(4)
    yield lambda name: pool.spawn_n(delete_vhost, name)
    pool.waitall()


@pytest.fixture
def amqp_uri(vhost_deleter):
    """An AMQP URI on a fresh vhost of the running RabbitMQ, deleted afterwards."""
    vhost = create_vhost()
    yield f"{RABBIT_AMQP}/{vhost}"
    vhost_deleter(vhost)


def _pg_admin():
    conn = psycopg2.connect(PG_DSN)
    conn.autocommit = True
    return conn


def create_pg_database() -> str:
    name = f"eoffice_t_{uuid.uuid4().hex[:12]}"
    conn = _pg_admin()
    with conn.cursor() as cur:
        cur.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    base = PG_DSN.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg2://")
    return f"{base}/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    conn = _pg_admin()
    with conn.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


@pytest.fixture(params=DB_KINDS)
def db_kind(request):
    return request.param


class TemplateDatabases:
    """A migrated (and, for documents, optionally seeded) database per service, made once
    a session and copied for each test that asks for one: PostgreSQL's CREATE DATABASE …
    TEMPLATE, a file copy for SQLite. Migrating and seeding every test's databases anew
    took most of the integration tier's time; test_migrations still starts from empty."""

    def __init__(self, folder):
        self.folder = folder
        self.made = {}

    def _prepare(self, url, service, seeded):
        from sqlalchemy.orm import Session

        from services.common.db import make_engine
        from services.common.migrations import upgrade
        from services.documents.seed import seed

        upgrade({"DB_URLS": {service: url}, "DATA_DIR": self.folder}, (service,))
        if seeded:
            engine = make_engine(url)
            with Session(engine) as session, session.begin():
                seed(session)
            engine.dispose()

    def template(self, kind, service, seeded):
        key = (kind, service, seeded)
        if key not in self.made:
            if kind == "sqlite":
                url = f"sqlite:///{os.path.join(self.folder, '-'.join(map(str, key)) + '.db')}"
            else:
                url = create_pg_database()
            self._prepare(url, service, seeded)
            self.made[key] = url
        return self.made[key]

    def copy(self, kind, service, seeded, target):
        """A new database like the template, at ``target`` (a SQLite path) or named anew."""
        source = self.template(kind, service, seeded)
        if kind == "sqlite":
            shutil.copyfile(source.removeprefix("sqlite:///"), target)
            return f"sqlite:///{target}"
        name = f"eoffice_t_{uuid.uuid4().hex[:12]}"
        conn = _pg_admin()
        with conn.cursor() as cur:
            cur.execute(f'CREATE DATABASE "{name}" TEMPLATE "{source.rsplit("/", 1)[1]}"')
        conn.close()
        return source.rsplit("/", 1)[0] + "/" + name

    def drop(self):
        for (kind, _, _), url in self.made.items():
            if kind == "postgresql":
                drop_pg_database(url)


@pytest.fixture(scope="session")
def template_databases(tmp_path_factory):
    templates = TemplateDatabases(str(tmp_path_factory.mktemp("template-databases")))
    yield templates
    templates.drop()


@pytest.fixture
def db_url_factory(db_kind, tmp_path, template_databases):
    """Makes a database URL per service name, on the backend of ``db_kind``: empty, or
    already migrated (``migrated=True``; ``seeded=True`` adds the demo organisation to
    documents' database)."""
    made = []

    def make(service: str, migrated: bool = False, seeded: bool = False) -> str:
        if migrated or seeded:
            url = template_databases.copy(db_kind, service, seeded,
                                          str(tmp_path / (service + ".db")))
        elif db_kind == "sqlite":
            return f"sqlite:///{tmp_path / (service + '.db')}"
        else:
            url = create_pg_database()
        if db_kind == "postgresql":
            made.append(url)
        return url

    yield make
    for url in made:
        drop_pg_database(url)


@pytest.fixture
def service_config(amqp_uri, tmp_path):
    """A nameko config for one test, on its own vhost and data dir (SQLite by default)."""
    return {
        "AMQP_URI": amqp_uri,
        "WEB_SERVER_ADDRESS": "127.0.0.1:0",
        "DATA_DIR": str(tmp_path / "data"),
        "SECRET_KEY": "test-secret",
        "KEYS_DIR": KEYS_DIR,
        "RPC_TIMEOUT_SECONDS": 10,
        "DB_URLS": {},
        "max_workers": 10,
    }


@pytest.fixture(autouse=True)
def quick_consumer_shutdown(monkeypatch):
    """Test-only speed-up: nameko's queue consumer polls its stop flag once a second
    (kombu's ``safety_interval``), so every container kill takes about a second.
    Polling every 0.1 s changes nothing else and saves most of the suite's time."""
    from kombu.mixins import ConsumerMixin
    from nameko.messaging import QueueConsumer

    monkeypatch.setattr(QueueConsumer, "run",
                        lambda self: ConsumerMixin.run(self, safety_interval=0.1),
                        raising=False)


# The session's started system, shared by tests/e2e and tests/browser (started lazily by
# the first test that asks for it).
pytest_plugins = ["tests.system", "tests.signing_pki"]

#: The order of the tiers in a run: the fast ones first (they fail first), then the
#: browser and end-to-end tests, so the shared system runs only while they do.
TIERS = ("unit", "integration", "browser", "e2e")


def pytest_addoption(parser):
    parser.addoption("--record-durations", default=None, metavar="PATH",
                     help="write each test's time (setup + call + teardown) to PATH as JSON")


def pytest_collection_modifyitems(session, config, items):
    def tier(item):
        parts = item.nodeid.split("/")
        name = parts[1] if len(parts) > 2 and parts[0] == "tests" else ""
        return TIERS.index(name) if name in TIERS else len(TIERS)
    items.sort(key=tier)   # stable: the order within a tier stays pytest's


_recorded_durations: dict[str, float] = {}


def pytest_runtest_logreport(report):
    _recorded_durations[report.nodeid] = (_recorded_durations.get(report.nodeid, 0.0)
                                          + report.duration)


def pytest_sessionfinish(session):
    path = session.config.getoption("--record-durations")
    if path:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump({nodeid: round(seconds, 2)
                       for nodeid, seconds in sorted(_recorded_durations.items())
                       if seconds >= 0.1}, handle, indent=0)
