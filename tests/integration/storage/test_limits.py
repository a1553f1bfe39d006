"""Bounded work in storage, on SQLite and PostgreSQL: at most
MAX_CONCURRENT_EXTRACTIONS text extractions run at once in a process (the others wait
their turn and still finish), a person holds at most MAX_PENDING_UPLOADS_PER_USER
reservations not yet uploaded (409 with a clear message beyond, and room again once
one is uploaded or has expired), and expired reservations are deleted by a timer."""
import time
import uuid
from datetime import datetime, timedelta, timezone

import eventlet
import pytest
import requests
from nameko.testing.services import entrypoint_hook

from services.common.errors import Conflict
from services.storage import models
from services.storage import extraction_entrypoints
from tests.integration.storage.helpers import Db
from tests.unit.storage.samples import PDF_FIXTURE

PDF = PDF_FIXTURE.read_bytes()
LIMIT = 3


@pytest.fixture
def storage_config(storage_config):
    return storage_config | {"MAX_CONCURRENT_EXTRACTIONS": 1,
                             "MAX_PENDING_UPLOADS_PER_USER": LIMIT}


@pytest.fixture
def db(storage_config):
    access = Db(storage_config)
    yield access
    access.close()


def reserve(rpc, token, name="a.pdf", size=len(PDF)):
    return rpc.create_upload(token, {"filename": name, "size": size,
                                     "content_type": "application/pdf"})


def test_extractions_beyond_the_process_limit_wait_their_turn(
        storage, rpc, uploader_token, monkeypatch, db):
    running, peak = [0], [0]
    real = extraction_entrypoints.run_extraction

    def watched(*args, **kwargs):   # the real extraction, with its overlap counted
        running[0] += 1
        peak[0] = max(peak[0], running[0])
        try:
            eventlet.sleep(0.3)
            return real(*args, **kwargs)
        finally:
            running[0] -= 1

    monkeypatch.setattr(extraction_entrypoints, "run_extraction", watched)
    file_ids = []
    for index in range(LIMIT):
        upload = reserve(rpc, uploader_token, f"{index}.pdf")
        # a different PDF each time (the same bytes would still be extracted per file)
        assert requests.put(upload["upload_url"], data=PDF, timeout=30).status_code == 201
        file_ids.append(upload["file_id"])
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and any(
            db.row(f).text_status == models.TEXT_PENDING for f in file_ids):
        time.sleep(0.2)
    assert [db.row(f).text_status for f in file_ids] == ["ok"] * LIMIT
    assert peak[0] == 1


def test_a_person_holds_a_bounded_number_of_pending_reservations(
        rpc, uploader_token, stranger_token):
    uploads = [reserve(rpc, uploader_token, f"{i}.pdf") for i in range(LIMIT)]
    with pytest.raises(Conflict) as refused:
        reserve(rpc, uploader_token, "one-too-many.pdf")
    # (details cross RabbitMQ as text)
    assert refused.value.details == {"pending_uploads": str(LIMIT), "limit": str(LIMIT)}
    assert "tối đa 3" in refused.value.message_vi and "3 at most" in refused.value.message_en
    assert reserve(rpc, stranger_token)["file_id"]   # another person's count is their own
    assert requests.put(uploads[0]["upload_url"], data=PDF, timeout=30).status_code == 201
    assert reserve(rpc, uploader_token, "room-again.pdf")["file_id"]


def test_expired_reservations_no_longer_count_and_are_deleted(
        storage, rpc, uploader_token, db):
    past = datetime.now(timezone.utc) - timedelta(hours=1)
    expired = [str(uuid.uuid4()) for _ in range(LIMIT)]
    for file_id in expired:
        db.insert_file(file_id=file_id, filename="old.pdf", declared_content_type="x",
                       declared_size=10, status=models.PENDING, uploaded_by="u-vanthu-01",
                       expires_at=past, created_at=past)
    fresh = reserve(rpc, uploader_token)["file_id"]   # the expired ones do not count
    with entrypoint_hook(storage, "remove_expired_reservations") as sweep:
        assert sweep() == LIMIT
    assert all(db.row(f) is None for f in expired)
    assert db.row(fresh).status == models.PENDING
