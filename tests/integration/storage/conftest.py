"""The storage service in a real nameko container, on real RabbitMQ and a real
database (SQLite and PostgreSQL, via ``db_kind``), with a listening test service
that records the events storage publishes."""
import eventlet
import pytest
from nameko.events import event_handler
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.events import FILE_STORED, SOURCE_STORAGE, TEXT_EXTRACTED
from services.common.identity import Caller, mint_token, system_caller
from services.common.migrations import upgrade
from services.storage.service import StorageService
from tests.polling import EventLog
from tests.ports import free_port
from tests.token_keys import TEST_KEYS

SECRET = "test-secret"
UPLOADER = Caller(user_id="u-vanthu-01", username="vanthu01", full_name="Nguyễn Thị Văn Thư")
STRANGER = Caller(user_id="u-chuyenvien-07", username="cv07", full_name="Trần Văn B")
#: small enough that a test can exceed it cheaply, large enough for the fixture PDF
MAX_UPLOAD_BYTES = 400_000


def token_for(caller: Caller) -> str:
    return mint_token(caller, TEST_KEYS, 300)


@pytest.fixture
def uploader_token():
    return token_for(UPLOADER)


@pytest.fixture
def stranger_token():
    return token_for(STRANGER)


@pytest.fixture
def system_token():
    return token_for(system_caller("gateway"))


@pytest.fixture
def storage_config(service_config, db_url_factory):
    """The test's config: its own vhost, data dir, database and HTTP port."""
    port = free_port()
    config = dict(service_config)
    config.update({
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
        "STORAGE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "DB_URLS": {"storage": db_url_factory("storage")},
        "MAX_UPLOAD_BYTES": MAX_UPLOAD_BYTES,
        "EXTRACTION_TIMEOUT_SECONDS": 30,
    })
    upgrade(config, ["storage"])
    return config


class StorageEventListener:
    name = "storage_test_listener"
    log = None   # an EventLog, set by the fixture

    @event_handler(SOURCE_STORAGE, FILE_STORED)
    def on_file_stored(self, payload):
        self.log.events.append((FILE_STORED, payload))

    @event_handler(SOURCE_STORAGE, TEXT_EXTRACTED)
    def on_text_extracted(self, payload):
        self.log.events.append((TEXT_EXTRACTED, payload))


@pytest.fixture
def start_container(storage_config, container_factory):
    """Starts a container; at teardown kills every one at once (each kill waits up to
    a second for its consumer loop, so one after another would add up). Depends on
    ``storage_config`` so the containers die before their vhost and database."""
    started = []

    def start(service_cls, config):
        container = container_factory(service_cls, config)
        container.start()
        started.append(container)
        return container

    yield start
    pool = eventlet.GreenPool()
    for container in started:
        pool.spawn(container.kill)
    pool.waitall()


@pytest.fixture
def listener(start_container, storage_config):
    """A started listener container; ``listener.log`` holds the events heard.
    Events are published only after a test's PUT, when both containers run."""
    class Listener(StorageEventListener):
        log = EventLog()
    container = start_container(Listener, storage_config)
    container.log = Listener.log
    return container


@pytest.fixture
def storage(start_container, storage_config):
    """The started storage service."""
    return start_container(StorageService, storage_config)


@pytest.fixture
def rpc(storage, storage_config):
    with ServiceRpcProxy("storage", storage_config) as proxy:
        yield proxy
