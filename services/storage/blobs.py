"""Blob backends: where the bytes of stored files live, addressed by their SHA-256.

Two real backends with one interface, chosen by ``STORAGE_URL``:

- ``file:///abs/path`` — :class:`LocalFolderBlobStore`, a content-addressed folder
  (``<root>/ab/cd/<sha256>``); each blob is written to a temporary file in the same
  folder tree and renamed into place atomically, so a reader never sees half a blob.
- ``s3://ACCESS:SECRET@host:port/bucket`` (http) or ``s3s://...`` (https) —
  :class:`S3BlobStore` over the ``minio`` client (MinIO or any S3); the bucket is
  created if missing. ``?region=...`` may be appended.

Content addressing makes a put idempotent: the same bytes twice are one blob.
No nameko here (see ``dependencies.py`` for the provider).
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass
from typing import BinaryIO, Iterator
from urllib.parse import parse_qs, unquote, urlsplit

CHUNK_SIZE = 1 << 16
_SHA256 = re.compile(r"^[0-9a-f]{64}$")


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int


def blob_key(sha256: str) -> str:
    """``ab/cd/<sha256>``; ValueError for anything that is not a SHA-256 in hex."""
    if not isinstance(sha256, str) or not _SHA256.match(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


def _copy_hashing(source: BinaryIO, target: BinaryIO) -> StoredBlob:
    digest = hashlib.sha256()
    size = 0
    while True:
        chunk = source.read(CHUNK_SIZE)
        if not chunk:
            break
        digest.update(chunk)
        target.write(chunk)
        size += len(chunk)
    return StoredBlob(digest.hexdigest(), size)


def hash_file(path: str) -> StoredBlob:
    digest = hashlib.sha256()
    size = 0
    with open(path, "rb") as handle:
        while True:
            chunk = handle.read(CHUNK_SIZE)
            if not chunk:
                break
            digest.update(chunk)
            size += len(chunk)
    return StoredBlob(digest.hexdigest(), size)


class BlobNotFound(KeyError):
    """No blob with that hash."""


class LocalFolderBlobStore:
    """Blobs as files under ``root``, content-addressed."""

    def __init__(self, root: str):
        self.root = os.path.abspath(root)
        self.tmp_dir = os.path.join(self.root, ".tmp")
        os.makedirs(self.tmp_dir, exist_ok=True)

    def __repr__(self):
        return f"LocalFolderBlobStore({self.root!r})"

    def path_of(self, sha256: str) -> str:
        return os.path.join(self.root, *blob_key(sha256).split("/"))

    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        fd, tmp_path = tempfile.mkstemp(dir=self.tmp_dir, prefix="put-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                blob = _copy_hashing(stream, tmp)
                tmp.flush()
                os.fsync(tmp.fileno())
            target = self.path_of(blob.sha256)
            if os.path.exists(target):
                os.unlink(tmp_path)
            else:
                os.makedirs(os.path.dirname(target), exist_ok=True)
                os.replace(tmp_path, target)   # atomic on one file system
            return blob
        except BaseException:
            if os.path.exists(tmp_path):
                os.unlink(tmp_path)
            raise

    def put_file(self, path: str) -> StoredBlob:
        with open(path, "rb") as handle:
            return self.put_stream(handle)

    def exists(self, sha256: str) -> bool:
        return os.path.isfile(self.path_of(sha256))

    def open(self, sha256: str) -> BinaryIO:
        try:
            return open(self.path_of(sha256), "rb")
        except FileNotFoundError:
            raise BlobNotFound(sha256)

    def get(self, sha256: str) -> bytes:
        with self.open(sha256) as handle:
            return handle.read()

    def delete(self, sha256: str) -> None:
        try:
            os.unlink(self.path_of(sha256))
        except FileNotFoundError:
            pass

    @contextmanager
    def local_copy(self, sha256: str, tmp_dir: str | None = None) -> Iterator[str]:
        """A path on the local disk holding the blob (here: the blob itself)."""
        path = self.path_of(sha256)
        if not os.path.isfile(path):
            raise BlobNotFound(sha256)
        yield path


class _S3Reader:
    """A file-like view of a minio response that returns its connection on close."""

    def __init__(self, response):
        self._response = response

    def read(self, size: int = -1) -> bytes:
        return self._response.read(None if size is None or size < 0 else size)

    def close(self) -> None:
        try:
            self._response.close()
        finally:
            self._response.release_conn()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class S3BlobStore:
    """Blobs as objects ``ab/cd/<sha256>`` in one S3 bucket (MinIO, AWS, moto...)."""

    def __init__(self, endpoint: str, access_key: str, secret_key: str, bucket: str,
                 secure: bool = False, region: str | None = None,
                 tmp_dir: str | None = None):
        from minio import Minio

        self.bucket = bucket
        self.endpoint = endpoint
        self.tmp_dir = tmp_dir
        if tmp_dir:
            os.makedirs(tmp_dir, exist_ok=True)
        self.client = Minio(endpoint, access_key=access_key, secret_key=secret_key,
                            secure=secure, region=region)
        if not self.client.bucket_exists(bucket):
            from minio.error import S3Error
            try:
                self.client.make_bucket(bucket)
            except S3Error as exc:   # another replica made it first
                if exc.code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
                    raise

    def __repr__(self):
        return f"S3BlobStore({self.endpoint!r}, bucket={self.bucket!r})"

    def put_file(self, path: str) -> StoredBlob:
        blob = hash_file(path)
        if not self.exists(blob.sha256):
            self.client.fput_object(self.bucket, blob_key(blob.sha256), path,
                                    content_type="application/octet-stream")
        return blob

    def put_stream(self, stream: BinaryIO) -> StoredBlob:
        # The key is the hash, known only at the end: spool to disk first.
        fd, tmp_path = tempfile.mkstemp(dir=self.tmp_dir, prefix="s3put-")
        try:
            with os.fdopen(fd, "wb") as tmp:
                _copy_hashing(stream, tmp)
            return self.put_file(tmp_path)
        finally:
            os.unlink(tmp_path)

    def exists(self, sha256: str) -> bool:
        from minio.error import S3Error
        try:
            self.client.stat_object(self.bucket, blob_key(sha256))
            return True
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject", "ResourceNotFound", "NotFound"):
                return False
            raise

    def open(self, sha256: str) -> _S3Reader:
        from minio.error import S3Error
        try:
            return _S3Reader(self.client.get_object(self.bucket, blob_key(sha256)))
        except S3Error as exc:
            if exc.code in ("NoSuchKey", "NoSuchObject", "ResourceNotFound", "NotFound"):
                raise BlobNotFound(sha256)
            raise

    def get(self, sha256: str) -> bytes:
        with self.open(sha256) as reader:
            return reader.read()

    def delete(self, sha256: str) -> None:
        self.client.remove_object(self.bucket, blob_key(sha256))

    @contextmanager
    def local_copy(self, sha256: str, tmp_dir: str | None = None) -> Iterator[str]:
        """A temporary local file holding the blob, removed afterwards."""
        fd, tmp_path = tempfile.mkstemp(dir=tmp_dir or self.tmp_dir, prefix="s3get-")
        try:
            with os.fdopen(fd, "wb") as tmp, self.open(sha256) as reader:
                shutil.copyfileobj(reader, tmp, CHUNK_SIZE)
            yield tmp_path
        finally:
            os.unlink(tmp_path)


def from_url(url: str, tmp_dir: str | None = None):
    """The backend ``STORAGE_URL`` names (see the module docstring)."""
    parts = urlsplit(url)
    if parts.scheme == "file":
        path = unquote(parts.path)
        if parts.netloc not in ("", "localhost") or not os.path.isabs(path):
            raise ValueError(f"STORAGE_URL must be file:///absolute/path, got {url!r}")
        return LocalFolderBlobStore(path)
    if parts.scheme in ("s3", "s3s"):
        bucket = parts.path.strip("/")
        if not parts.hostname or not bucket or "/" in bucket:
            raise ValueError("STORAGE_URL must be s3://ACCESS:SECRET@host:port/bucket")
        endpoint = parts.hostname + (f":{parts.port}" if parts.port else "")
        region = parse_qs(parts.query).get("region", [None])[0]
        return S3BlobStore(endpoint, unquote(parts.username or ""),
                           unquote(parts.password or ""), bucket,
                           secure=parts.scheme == "s3s", region=region, tmp_dir=tmp_dir)
    raise ValueError(f"unsupported STORAGE_URL scheme: {parts.scheme!r}")
