"""The local, content-addressed blob folder."""
import hashlib
import io
import os

import pytest

from services.storage.blobs import (BlobNotFound, LocalFolderBlobStore, S3BlobStore,
                                    blob_key, from_url)

DATA = "Nội dung văn bản đến số 12.".encode() * 100
SHA = hashlib.sha256(DATA).hexdigest()


@pytest.fixture
def store(tmp_path):
    return LocalFolderBlobStore(str(tmp_path / "blobs"))


def test_a_put_stream_stores_the_bytes_under_their_sha256(store):
    blob = store.put_stream(io.BytesIO(DATA))
    assert (blob.sha256, blob.size) == (SHA, len(DATA))
    assert store.path_of(SHA).endswith(os.path.join(SHA[:2], SHA[2:4], SHA))
    assert store.exists(SHA)
    assert store.get(SHA) == DATA
    with store.open(SHA) as handle:
        assert handle.read(5) == DATA[:5]


def test_a_put_file_is_idempotent_and_leaves_no_temporary_file(store, tmp_path):
    source = tmp_path / "in.bin"
    source.write_bytes(DATA)
    assert store.put_file(str(source)) == store.put_file(str(source))
    assert os.listdir(store.tmp_dir) == []
    assert source.read_bytes() == DATA   # the source is copied, not moved


def test_a_failed_put_leaves_nothing_behind(store):
    class Broken(io.RawIOBase):
        def read(self, n=-1):
            raise OSError("disk went away")
    with pytest.raises(OSError):
        store.put_stream(Broken())
    assert os.listdir(store.tmp_dir) == []


def test_delete_removes_a_blob_and_a_missing_blob_is_not_found(store):
    store.put_stream(io.BytesIO(DATA))
    store.delete(SHA)
    store.delete(SHA)   # deleting twice is harmless
    assert not store.exists(SHA)
    with pytest.raises(BlobNotFound):
        store.open(SHA)


def test_a_local_copy_of_a_local_blob_is_the_blob_itself(store):
    store.put_stream(io.BytesIO(DATA))
    with store.local_copy(SHA) as path:
        assert open(path, "rb").read() == DATA


@pytest.mark.parametrize("key", ["../../etc/passwd", "ABC", SHA.upper(), SHA + "0", ""])
def test_only_a_sha256_hex_digest_is_a_blob_key(key):
    """Keys are never paths a caller could steer out of the blob folder."""
    with pytest.raises(ValueError):
        blob_key(key)


def test_storage_url_selects_the_backend(tmp_path):
    assert isinstance(from_url(f"file://{tmp_path}/b"), LocalFolderBlobStore)
    for bad in ("file://relative/path", "ftp://x/y", "s3://key:secret@host:9000/"):
        with pytest.raises(ValueError):
            from_url(bad)
    assert S3BlobStore   # the S3 backend is tested against moto in tests/integration


def test_spooled_files_left_by_a_crash_are_removed_at_start_up(tmp_path):
    from services.storage.dependencies import remove_stale_tmp_files

    old, fresh = tmp_path / "upload-old", tmp_path / "upload-fresh"
    old.write_bytes(b"x")
    fresh.write_bytes(b"y")
    os.utime(old, (0, 0))
    assert remove_stale_tmp_files(str(tmp_path)) == 1
    assert [p.name for p in tmp_path.iterdir()] == ["upload-fresh"]
