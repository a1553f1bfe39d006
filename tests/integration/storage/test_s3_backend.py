"""The S3 blob backend against moto's S3 server (in-process, on loopback), and one
full upload through the service with ``STORAGE_URL=s3://...``."""
import hashlib
import uuid

import pytest
import requests
from moto.server import ThreadedMotoServer
from nameko.testing.services import entrypoint_waiter

from services.common.events import TEXT_EXTRACTED
from services.storage.blobs import BlobNotFound, S3BlobStore, from_url
from tests.integration.storage.conftest import free_port
from tests.unit.storage.samples import PDF_FIXTURE, PDF_WORD

DATA = "Tờ trình số 05/TTr-UBND.".encode() * 1000
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture(scope="module")
def s3_endpoint():
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"127.0.0.1:{port}"
    server.stop()


def s3_url(endpoint, bucket=None):
    return f"s3://test-key:test%2Fsecret@{endpoint}/{bucket or 'eo-' + uuid.uuid4().hex[:12]}"


def test_the_s3_store_creates_its_bucket_and_puts_gets_and_deletes_blobs(
        s3_endpoint, tmp_path):
    store = from_url(s3_url(s3_endpoint), tmp_dir=str(tmp_path))
    assert isinstance(store, S3BlobStore)
    assert store.client.bucket_exists(store.bucket)
    assert not store.exists(SHA)

    source = tmp_path / "in.bin"
    source.write_bytes(DATA)
    blob = store.put_file(str(source))
    assert (blob.sha256, blob.size) == (SHA, len(DATA))
    assert store.put_stream(source.open("rb")) == blob      # same bytes, same blob
    assert store.exists(SHA)
    assert store.get(SHA) == DATA
    with store.open(SHA) as reader:
        assert reader.read(10) == DATA[:10]
    with store.local_copy(SHA) as path:
        assert open(path, "rb").read() == DATA
    names = [o.object_name for o in store.client.list_objects(store.bucket, recursive=True)]
    assert names == [f"{SHA[:2]}/{SHA[2:4]}/{SHA}"]
    assert [p.name for p in tmp_path.iterdir()] == ["in.bin"]   # spool files are gone

    store.delete(SHA)
    assert not store.exists(SHA)
    with pytest.raises(BlobNotFound):
        store.open(SHA)


def test_a_second_store_on_an_existing_bucket_shares_its_blobs(s3_endpoint, tmp_path):
    url = s3_url(s3_endpoint)
    first = from_url(url, tmp_dir=str(tmp_path))
    first.put_file(str(PDF_FIXTURE))
    second = from_url(url, tmp_dir=str(tmp_path))
    assert second.get(hashlib.sha256(PDF_FIXTURE.read_bytes()).hexdigest()) == (
        PDF_FIXTURE.read_bytes())


@pytest.mark.parametrize("db_kind", ["sqlite"])
def test_a_pdf_uploaded_through_the_service_lands_in_s3_and_is_extracted(
        db_kind, s3_endpoint, storage_config, start_container, listener, uploader_token,
        tmp_path):
    from nameko.standalone.rpc import ServiceRpcProxy

    from services.storage.service import StorageService

    bucket = "eo-" + uuid.uuid4().hex[:12]
    config = storage_config | {"STORAGE_URL": s3_url(s3_endpoint, bucket)}
    start_container(StorageService, config)
    data = PDF_FIXTURE.read_bytes()
    with ServiceRpcProxy("storage", config) as rpc:
        upload = rpc.create_upload(uploader_token, {"filename": "an_le.pdf", "size": len(data),
                                                    "content_type": "application/pdf"})
        with entrypoint_waiter(listener, "on_text_extracted", timeout=30):
            assert requests.put(upload["upload_url"], data=data, timeout=30).status_code == 201
        assert PDF_WORD in rpc.get_text(uploader_token, upload["file_id"])["text"]
        link = rpc.get_download_url(uploader_token, upload["file_id"])
    extracted, = listener.log.of(TEXT_EXTRACTED)
    assert extracted["data"]["status"] == "ok"
    sha = hashlib.sha256(data).hexdigest()
    assert S3BlobStore(s3_endpoint, "k", "s", bucket, tmp_dir=str(tmp_path)).exists(sha)
    assert requests.get(link["url"], timeout=30).content == data
