"""The storage and signing services in real nameko containers, on real RabbitMQ and a real
database (SQLite and PostgreSQL, via ``db_kind``), with the session's demo PKI
(tests.signing_pki: certificates, its TSA, OCSP and CRL, the SoftHSM2 token) and a listening
test service that records storage's ``file_stored`` and signing's ``signature_verified``."""
import eventlet
import pytest
from nameko.events import event_handler
from nameko.standalone.rpc import ServiceRpcProxy

from services.common.events import (FILE_STORED, SIGNATURE_VERIFIED, SOURCE_SIGNING,
                                    SOURCE_STORAGE)
from services.signing.service import SigningService
from services.storage.service import StorageService
from tests.polling import EventLog
from tests.ports import free_port


@pytest.fixture
def config(service_config, db_url_factory, demo_pki):
    """Storage on its own HTTP port; signing with the demo PKI's keys, TSA and root."""
    port = free_port()
    token = demo_pki.token
    return dict(service_config, **{
        "WEB_SERVER_ADDRESS": f"127.0.0.1:{port}",
        "STORAGE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "DB_URLS": {"storage": db_url_factory("storage", migrated=True),
                    "signing": db_url_factory("signing", migrated=True)},
        "SIGNING": {"pkcs11_library": token.library_path, "pkcs11_token": token.label,
                    "pkcs11_pin": token.user_pin, "softhsm_conf": token.config_path,
                    "pkcs12_passphrase": demo_pki.pkcs12_passphrase.decode(),
                    "tsa_url": demo_pki.tsa_url,
                    "trust_roots": demo_pki.root_certificate_path},
    })


class Listener:
    name = "signing_test_listener"
    log = None   # an EventLog, set by the fixture

    @event_handler(SOURCE_STORAGE, FILE_STORED)
    def on_file_stored(self, message):
        self.log.events.append((FILE_STORED, message["data"]))

    @event_handler(SOURCE_SIGNING, SIGNATURE_VERIFIED)
    def on_signature_verified(self, message):
        self.log.events.append((SIGNATURE_VERIFIED, message["data"]))


@pytest.fixture
def services(config, container_factory):
    """The listener, storage and signing, started; at teardown killed all at once (each
    kill waits for its consumer loop). Yields the listener's EventLog. Every service has
    an HTTP port (/metrics): signing gets one of its own, or it would share storage's
    (the listening socket is opened with SO_REUSEPORT) and answer half its requests."""
    class TestListener(Listener):
        log = EventLog()
    signing_config = dict(config, WEB_SERVER_ADDRESS=f"127.0.0.1:{free_port()}")
    started = []
    for cls, cls_config in ((TestListener, config), (StorageService, config),
                            (SigningService, signing_config)):
        container = container_factory(cls, cls_config)
        container.start()
        started.append(container)
    yield TestListener.log
    pool = eventlet.GreenPool()
    for container in started:
        pool.spawn(container.kill)
    pool.waitall()


@pytest.fixture
def storage(services, config):
    with ServiceRpcProxy("storage", config) as proxy:
        yield proxy


@pytest.fixture
def signing(services, config):
    with ServiceRpcProxy("signing", config) as proxy:
        yield proxy
