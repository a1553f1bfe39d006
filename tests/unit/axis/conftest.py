"""Fixtures of the axis tests: a connected-systems file (system 1 serves agency A, system 2
serves B and C), the WSGI app over a store in tmp_path (through werkzeug's test Client), and
the axis as a process of its own, started with its data in tmp_path."""
import json

import pytest
from werkzeug.test import Client

from services.axis.app import make_app
from services.axis.server import start_server
from services.axis.store import AxisStore
from services.exchange.axis_client import AxisClient
from tests.unit.axis.helpers import CONFIG, MAX_SIZE, SYSTEM_1, SYSTEM_2, Caller


@pytest.fixture
def systems_file(tmp_path):
    path = tmp_path / "systems.json"
    path.write_text(json.dumps(CONFIG, ensure_ascii=False), encoding="utf-8")
    return str(path)


@pytest.fixture
def store(tmp_path):
    store = AxisStore(str(tmp_path / "data"))
    store.apply_config(CONFIG)
    yield store
    store.close()


@pytest.fixture
def app(store):
    return make_app(store, max_size=MAX_SIZE)


@pytest.fixture
def system_1(app):
    return Caller(Client(app), SYSTEM_1)


@pytest.fixture
def system_2(app):
    return Caller(Client(app), SYSTEM_2)


@pytest.fixture
def axis(tmp_path, systems_file):
    """The axis in its own process on a free port, its data in tmp_path/axis."""
    process = start_server(str(tmp_path / "axis"), systems=systems_file)
    yield process
    process.stop()


@pytest.fixture
def clients(axis):
    """AxisClients of system 1 and of system 2 against the `axis` process."""
    one = AxisClient(axis.base_url, *SYSTEM_1, timeout=5)
    two = AxisClient(axis.base_url, *SYSTEM_2, timeout=5)
    yield one, two
    one.close()
    two.close()
