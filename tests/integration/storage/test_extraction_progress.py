"""A long extraction reports progress through the file's record: a three-page scan,
OCR'd page after page, shows ``text_progress`` {done, total} with total its three
pages and done rising while its text is pending, and null once the text is in
(SQLite and PostgreSQL, via ``db_kind``). The OCR settings come from the service's
config: OCR_MAX_PAGES 2 here, so the third page is counted but not read.

Progress is written at most once a second (unit-tested); here every 0.2 s, so that
done is seen rising however quick this machine's OCR is."""
import time

import pytest
import requests

from services.storage import extraction
from tests.integration.storage.helpers import Db
from tests.unit.storage import samples

PAGES = 3


@pytest.fixture(scope="module")
def three_page_scan(tmp_path_factory):
    """The top of the Official Gazette's first page, rasterised, three times: a PDF
    without text whose pages take about a second each to OCR."""
    image = samples.pdf_page_image(samples.GAZETTE_PDF, top=0.3)
    return samples.scanned_pdf(tmp_path_factory.mktemp("scan") / "scan.pdf",
                               [image] * PAGES).read_bytes()


@pytest.fixture
def storage_config(storage_config, monkeypatch):
    monkeypatch.setattr(extraction, "PROGRESS_INTERVAL_SECONDS", 0.2)
    return storage_config | {"OCR_MAX_PAGES": 2}


def test_a_multi_page_scan_reports_its_progress_while_pending_then_none(
        storage, rpc, uploader_token, storage_config, three_page_scan):
    upload = rpc.create_upload(uploader_token, {"filename": "Bản quét 3 trang.pdf",
                                                "size": len(three_page_scan)})
    file_id = upload["file_id"]
    response = requests.put(upload["upload_url"], data=three_page_scan, timeout=30)
    assert response.status_code == 201, response.text

    seen = []
    deadline = time.monotonic() + 60
    while True:
        record = rpc.get_file(uploader_token, file_id)
        if record["text_status"] != "pending" or time.monotonic() > deadline:
            break
        if record["text_progress"] is not None:
            seen.append(record["text_progress"])
        time.sleep(0.05)

    assert record["text_status"] == "ok", record
    assert record["text_progress"] is None
    assert seen, "no progress was shown while the text was pending"
    assert {progress["total"] for progress in seen} == {PAGES}
    done = [progress["done"] for progress in seen]
    assert done == sorted(done) and done[-1] > done[0], done     # rising
    text = rpc.get_text(uploader_token, file_id)
    assert "HIẾN PHÁP" in text["text"] and text["truncated"]     # 2 pages OCR'd of 3
    db = Db(storage_config)
    try:
        row = db.row(file_id)
    finally:
        db.close()
    # the last write is kept on the row (file_record shows it only while pending)
    assert row.extraction_pages_total == PAGES and row.extraction_pages_done >= done[-1]
