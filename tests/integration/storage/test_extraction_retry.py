"""The retry timer: text left ``pending`` (a crash, a lost event) is extracted
later, by one replica, and given up on after three attempts — never silently lost."""
import io
import os
from datetime import datetime, timedelta, timezone

import pytest
from nameko.testing.services import entrypoint_hook

from services.common.config import settings_from
from services.common.events import TEXT_EXTRACTED
from services.storage.blobs import LocalFolderBlobStore
from tests.integration.storage.helpers import Db

TXT = "Kế hoạch công tác tháng 12.".encode()


@pytest.fixture
def db(storage_config):
    access = Db(storage_config)
    yield access
    access.close()


def test_the_retry_timer_finishes_stale_extractions_and_gives_up_after_three_attempts(
        storage, storage_config, db):
    store = LocalFolderBlobStore(os.path.join(settings_from(storage_config).data_dir, "blobs"))
    blob = store.put_stream(io.BytesIO(TXT))
    now = datetime.now(timezone.utc)
    long_ago = now - timedelta(minutes=10)
    base = dict(filename="ke_hoach.txt", declared_content_type="text/plain",
                declared_size=blob.size, size=blob.size, sha256=blob.sha256, kind="txt",
                status="stored", text_status="pending", uploaded_by="u-1",
                expires_at=long_ago, created_at=long_ago, stored_at=long_ago)
    ids = {name: f"00000000-0000-4000-8000-00000000000{n}"
           for n, name in enumerate(("crashed", "exhausted", "just_stored", "running"))}
    db.insert_file(file_id=ids["crashed"], extraction_attempts=1,
                   extraction_started_at=long_ago, **base)
    db.insert_file(file_id=ids["exhausted"], extraction_attempts=3,
                   extraction_started_at=long_ago, **base)
    db.insert_file(file_id=ids["just_stored"], **base | {"stored_at": now})
    db.insert_file(file_id=ids["running"], extraction_attempts=1,
                   extraction_started_at=now - timedelta(seconds=5), **base)

    with entrypoint_hook(storage, "retry_pending_extractions") as retry:
        retry()

    crashed, exhausted = db.row(ids["crashed"]), db.row(ids["exhausted"])
    assert (crashed.text_status, crashed.text, crashed.extraction_attempts) == (
        "ok", TXT.decode(), 2)
    assert exhausted.text_status == "failed" and "3 attempts" in exhausted.text_error
    assert db.row(ids["just_stored"]).text_status == "pending"     # the event handler's
    assert db.row(ids["running"]).text_status == "pending"         # still in progress
    announced = {e["data"]["file_id"]: e["data"]["status"] for e in db.events(TEXT_EXTRACTED)}
    assert announced == {ids["crashed"]: "ok", ids["exhausted"]: "failed"}
