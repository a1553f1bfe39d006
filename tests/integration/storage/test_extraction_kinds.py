"""Extraction of the other kinds through the storage service: a Word 97 file, a scan
read by OCR and a zip bomb each end in text_extracted with their method or reason,
and get_text gives the text (SQLite and PostgreSQL, via ``db_kind``)."""
import pytest
import requests
from nameko.testing.services import entrypoint_waiter

from services.common.events import TEXT_EXTRACTED
from tests.unit.storage import samples


@pytest.fixture(scope="module")
def scan(tmp_path_factory):
    """The top of the Official Gazette's first page, rasterised: a PDF without text."""
    image = samples.pdf_page_image(samples.GAZETTE_PDF, top=0.3)
    return samples.scanned_pdf(tmp_path_factory.mktemp("scan") / "scan.pdf",
                               [image]).read_bytes()


def upload_and_wait(rpc, token, listener, filename, data):
    upload = rpc.create_upload(token, {"filename": filename, "size": len(data)})
    with entrypoint_waiter(listener, "on_text_extracted", timeout=60):
        response = requests.put(upload["upload_url"], data=data, timeout=30)
        assert response.status_code == 201, response.text
    event = [e["data"] for e in listener.log.of(TEXT_EXTRACTED)
             if e["data"]["file_id"] == upload["file_id"]]
    return upload["file_id"], event[0]


def test_a_word_97_file_a_scan_and_a_zip_bomb_are_each_extracted_or_refused(
        storage, listener, rpc, uploader_token, tmp_path, scan):
    doc_id, doc = upload_and_wait(rpc, uploader_token, listener, "Hiến pháp 1992.doc",
                                  samples.DOC_FIXTURE.read_bytes())
    assert (doc["status"], doc["method"], doc["error"]) == ("ok", "text", None)
    assert "LỜI NÓI ĐẦU" in rpc.get_text(uploader_token, doc_id)["text"]

    scan_id, scanned = upload_and_wait(rpc, uploader_token, listener, "Bản quét.pdf", scan)
    assert (scanned["status"], scanned["method"]) == ("ok", "ocr")
    text = rpc.get_text(uploader_token, scan_id)
    assert text["text_status"] == "ok" and "HIẾN PHÁP" in text["text"]
    assert rpc.get_file(uploader_token, scan_id)["text_status"] == "ok"

    bomb = samples.zip_bomb(tmp_path / "bom.odt", "odt").read_bytes()
    bomb_id, refused = upload_and_wait(rpc, uploader_token, listener, "Công văn.odt", bomb)
    assert refused["status"] == "failed" and "zip bomb" in refused["error"]
    text = rpc.get_text(uploader_token, bomb_id)
    assert text["text_status"] == "failed" and text["text"] is None
    assert "zip bomb" in text["error"]
