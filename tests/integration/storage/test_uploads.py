"""Uploading through the storage service: create_upload → HTTP PUT → file_stored →
extraction → text_extracted → get_text, on SQLite and PostgreSQL."""
import hashlib
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import pytest
import requests
from nameko.standalone.events import event_dispatcher
from nameko.testing.services import entrypoint_waiter

from services.common.errors import (Forbidden, InvalidInput, NotFound, TooLarge,
                                    Unauthenticated, UnsupportedType)
from services.common.events import FILE_STORED, TEXT_EXTRACTED
from tests.integration.storage.conftest import MAX_UPLOAD_BYTES, UPLOADER
from tests.integration.storage.helpers import Db, blob_files, temporary_files
from tests.unit.storage.samples import DOCX_FIXTURE, DOCX_WORD, PDF_FIXTURE, PDF_WORD

PDF = PDF_FIXTURE.read_bytes()
TXT = "Thông báo họp giao ban tuần 48.\nThành phần: lãnh đạo các phòng.\n".encode()


@pytest.fixture
def db(storage_config):
    access = Db(storage_config)
    yield access
    access.close()


def reserve(rpc, token, filename, data, content_type="application/octet-stream"):
    return rpc.create_upload(token, {"filename": filename, "content_type": content_type,
                                     "size": len(data)})


def put(url, data, **headers):
    return requests.put(url, data=data, headers=headers, timeout=30)


def with_query(url, **changes):
    parts = urlsplit(url)
    query = {k: v[0] for k, v in parse_qs(parts.query).items()} | changes
    return urlunsplit(parts._replace(query=urlencode(query)))


def test_an_uploaded_pdf_is_stored_announced_and_its_text_becomes_readable(
        storage, listener, rpc, uploader_token, storage_config, db):
    """The whole path: the bytes land by content hash, file_stored then
    text_extracted are published, and get_text holds a word of the PDF."""
    upload = reserve(rpc, uploader_token, "Án lệ số 57.pdf", PDF, "application/pdf")
    file_id = upload["file_id"]
    assert upload["upload_url"].startswith(
        f"{storage_config['STORAGE_PUBLIC_URL']}/uploads/{file_id}?expires=")
    assert rpc.get_file(uploader_token, file_id)["status"] == "pending"

    with entrypoint_waiter(listener, "on_text_extracted", timeout=30):
        response = put(upload["upload_url"], PDF, **{"Content-Type": "application/pdf"})
        assert response.status_code == 201, response.text

    sha = hashlib.sha256(PDF).hexdigest()
    record = response.json()
    assert (record["file_id"], record["status"], record["sha256"], record["size"],
            record["kind"], record["content_type"], record["filename"]) == (
        file_id, "stored", sha, len(PDF), "pdf", "application/pdf", "Án lệ số 57.pdf")
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert [b.rsplit("/", 1)[1] for b in blob_files(storage_config)] == [sha]
    assert temporary_files(storage_config) == []

    stored, = listener.log.of(FILE_STORED)
    assert stored["data"] == {"file_id": file_id, "sha256": sha, "size": len(PDF),
                              "content_type": "application/pdf",
                              "filename": "Án lệ số 57.pdf",
                              "might_be_signed": False, "pdf_encrypted": False}
    extracted, = listener.log.of(TEXT_EXTRACTED)
    assert extracted["data"]["file_id"] == file_id
    assert extracted["data"]["status"] == "ok" and extracted["data"]["method"] == "text"
    assert extracted["data"]["length"] > 1000

    text = rpc.get_text(uploader_token, file_id)
    assert text["text_status"] == "ok" and PDF_WORD in text["text"]
    assert extracted["data"]["text"] == text["text"]   # small: it travels in the event
    assert rpc.get_file(uploader_token, file_id)["text_status"] == "ok"
    assert db.row(file_id).extraction_attempts == 1


def test_a_text_over_64_kib_is_not_in_its_event_and_a_docx_says_nothing_of_signatures(
        storage, listener, rpc, uploader_token):
    """text_extracted carries a text of at most 64 KiB of UTF-8 (search asks get_text for
    a longer one); only a PDF's file_stored says whether it might be signed."""
    long_text = ("Điều 1. Phạm vi điều chỉnh của văn bản này. " * 1500).encode()
    assert 64 * 1024 < len(long_text) < MAX_UPLOAD_BYTES
    for name, data in (("dai.txt", long_text), ("an-le.docx", DOCX_FIXTURE.read_bytes())):
        upload = reserve(rpc, uploader_token, name, data)
        with entrypoint_waiter(listener, "on_text_extracted", timeout=30):
            assert put(upload["upload_url"], data).status_code == 201
    stored = {e["data"]["filename"]: e["data"] for e in listener.log.of(FILE_STORED)}
    extracted = [e["data"] for e in listener.log.of(TEXT_EXTRACTED)]
    assert [e["status"] for e in extracted] == ["ok", "ok"]
    assert "text" not in extracted[0] and extracted[0]["length"] > 64 * 1024
    assert DOCX_WORD in extracted[1]["text"]
    assert not {"might_be_signed", "pdf_encrypted"} & (set(stored["dai.txt"])
                                                       | set(stored["an-le.docx"]))


def test_a_stored_file_downloads_from_its_signed_url_under_its_own_name(
        storage, listener, rpc, uploader_token, storage_config):
    data = DOCX_FIXTURE.read_bytes()
    upload = reserve(rpc, uploader_token, "Án lệ 17 – côn đồ.docx", data)
    with entrypoint_waiter(listener, "on_text_extracted", timeout=30):
        assert put(upload["upload_url"], data).status_code == 201
    assert DOCX_WORD in rpc.get_text(uploader_token, upload["file_id"])["text"]

    link = rpc.get_download_url(uploader_token, upload["file_id"])
    response = requests.get(link["url"], timeout=30)
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
    assert response.headers["Content-Length"] == str(len(data))
    disposition = response.headers["Content-Disposition"]
    assert disposition.startswith('attachment; filename="An le 17 ')
    assert "filename*=UTF-8''%C3%81n%20l%E1%BB%87%2017%20%E2%80%93%20c%C3%B4n" in disposition
    head = requests.head(link["url"], timeout=30)
    assert head.status_code == 200 and head.headers["Content-Length"] == str(len(data))

    forged = requests.get(with_query(link["url"], expires=str(int(
        parse_qs(urlsplit(link["url"]).query)["expires"][0]) + 600)), timeout=30)
    assert forged.status_code == 403 and forged.json()["error"] == "FORBIDDEN"


def test_only_the_uploader_or_a_system_caller_may_read_a_file(
        storage, rpc, uploader_token, stranger_token, system_token):
    """Another user gets Forbidden, an unknown id NotFound, a forged token
    Unauthenticated — each as its own error type across RPC."""
    file_id = reserve(rpc, uploader_token, "to_trinh.pdf", PDF)["file_id"]
    for method in (rpc.get_file, rpc.get_text):
        with pytest.raises(Forbidden):
            method(stranger_token, file_id)
        assert method(system_token, file_id)["file_id"] == file_id
        assert method(uploader_token, file_id)["file_id"] == file_id
    with pytest.raises(Forbidden):
        rpc.get_download_url(stranger_token, file_id)
    with pytest.raises(NotFound):
        rpc.get_file(system_token, "00000000-0000-4000-8000-000000000000")
    with pytest.raises(Unauthenticated):
        rpc.get_file(uploader_token + "x", file_id)
    assert rpc.get_file(uploader_token, file_id)["uploaded_by"] == UPLOADER.user_id


def test_an_upload_request_is_validated_before_any_byte_is_sent(
        storage, rpc, uploader_token, db):
    with pytest.raises(TooLarge) as caught:
        rpc.create_upload(uploader_token, {"filename": "lon.pdf", "size": MAX_UPLOAD_BYTES + 1})
    # nameko turns non-string values in exception args into strings across RPC
    assert caught.value.status == 413 and int(caught.value.details["limit"]) == MAX_UPLOAD_BYTES
    with pytest.raises(InvalidInput) as caught:
        rpc.create_upload(uploader_token, {"filename": "", "size": 0})
    assert set(caught.value.details) == {"filename", "size"}
    with pytest.raises(InvalidInput):
        rpc.create_upload(uploader_token, {"filename": "a.pdf", "size": "12"})
    with pytest.raises(UnsupportedType):
        rpc.create_upload(uploader_token, {"filename": "macro.exe", "size": 10})
    with pytest.raises(Unauthenticated):
        rpc.create_upload("", {"filename": "a.pdf", "size": 10})
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM files").scalar() == 0


BAD_UPLOADS = {
    # case: (filename, declared bytes, sent bytes, url change, status, code)
    "empty-body": ("cong_van.pdf", PDF, b"", None, 400, "VALIDATION_ERROR"),
    "fewer-bytes-than-declared": ("cong_van.pdf", PDF, PDF[:1000], None, 400,
                                  "VALIDATION_ERROR"),
    "more-bytes-than-declared": ("cong_van.pdf", PDF[:5000], PDF[:5001], None, 413,
                                 "TOO_LARGE"),
    "more-bytes-than-declared-chunked": ("cong_van.pdf", PDF[:5000],
                                         lambda: iter([PDF[:3000], PDF[3000:6000]]), None, 413,
                                         "TOO_LARGE"),
    "content-not-what-the-extension-claims": ("quyet_dinh.docx", PDF, PDF, None, 415,
                                              "UNSUPPORTED_TYPE"),
    "bad-signature": ("cong_van.pdf", PDF, PDF, {"signature": "0" * 64}, 403, "FORBIDDEN"),
    "expired-signature": ("cong_van.pdf", PDF, PDF, {"expires": "1000"}, 403, "FORBIDDEN"),
}


@pytest.mark.parametrize("case", list(BAD_UPLOADS))
def test_a_bad_upload_is_refused_with_its_status_and_changes_nothing(
        case, storage, rpc, uploader_token, storage_config, db):
    """Each bad PUT gets its 4xx in the JSON envelope; no blob is kept, no
    temporary file is left, the row is not stored and no event is written."""
    filename, declared, sent, url_change, status, code = BAD_UPLOADS[case]
    upload = reserve(rpc, uploader_token, filename, declared)
    url = with_query(upload["upload_url"], **url_change) if url_change else upload["upload_url"]
    body = sent() if callable(sent) else sent   # a generator is sent chunked
    response = put(url, body, **{"Accept-Language": "en"})

    assert response.status_code == status, response.text
    body = response.json()
    assert body["error"] == code and body["message"] and isinstance(body["details"], dict)
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert blob_files(storage_config) == []
    assert temporary_files(storage_config) == []
    assert db.events() == []
    row = db.row(upload["file_id"])
    assert row.sha256 is None
    assert row.status == ("rejected" if status == 415 else "pending")
    if status == 415:   # a rejected file is final: the same URL cannot try again
        assert put(upload["upload_url"], sent).status_code == 409


def test_a_second_put_to_the_same_url_is_a_conflict_and_keeps_the_first_file(
        storage, listener, rpc, uploader_token, storage_config, db):
    upload = reserve(rpc, uploader_token, "thong_bao.txt", TXT)
    with entrypoint_waiter(listener, "on_text_extracted", timeout=30):
        assert put(upload["upload_url"], TXT).status_code == 201
    other = TXT.replace(b"48", b"49")
    response = put(upload["upload_url"], other)
    assert response.status_code == 409 and response.json()["error"] == "CONFLICT"
    assert db.row(upload["file_id"]).sha256 == hashlib.sha256(TXT).hexdigest()
    assert len(blob_files(storage_config)) == 1
    assert len(db.events(FILE_STORED)) == 1


def test_a_browser_may_put_from_any_origin_and_errors_speak_its_language(
        storage, rpc, uploader_token):
    """CORS preflight answers 204 allowing PUT with Content-Type; error messages are
    Vietnamese unless Accept-Language prefers English."""
    upload = reserve(rpc, uploader_token, "a.pdf", PDF)
    response = requests.options(upload["upload_url"], timeout=10, headers={
        "Origin": "http://ui.example", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "content-type"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "PUT" in response.headers["Access-Control-Allow-Methods"]
    assert "Content-Type" in response.headers["Access-Control-Allow-Headers"]

    forged = with_query(upload["upload_url"], signature="f" * 64)
    assert "hết hạn" in put(forged, PDF).json()["message"]
    assert "expired" in put(forged, PDF, **{"Accept-Language": "en-US,en;q=0.8"}).json()[
        "message"]


def test_a_file_whose_extraction_fails_is_recorded_as_failed_and_still_announced(
        storage, listener, rpc, uploader_token):
    """A corrupt PDF passes the signature check but not the parser: text_status
    becomes failed with the reason, and text_extracted says so."""
    corrupt = b"%PDF-1.7\n" + b"\x13\x37 not really a pdf " * 300
    upload = reserve(rpc, uploader_token, "hong.pdf", corrupt)
    with entrypoint_waiter(listener, "on_text_extracted", timeout=30):
        assert put(upload["upload_url"], corrupt).status_code == 201
    extracted, = listener.log.of(TEXT_EXTRACTED)
    assert extracted["data"]["status"] == "failed" and extracted["data"]["error"]
    text = rpc.get_text(uploader_token, upload["file_id"])
    assert text["text_status"] == "failed" and text["text"] is None and text["error"]


def test_a_redelivered_file_stored_event_is_not_extracted_twice(
        storage, listener, rpc, uploader_token, storage_config, db):
    upload = reserve(rpc, uploader_token, "thong_bao.txt", TXT)
    with entrypoint_waiter(listener, "on_text_extracted", timeout=30):
        assert put(upload["upload_url"], TXT).status_code == 201
    stored, = listener.log.of(FILE_STORED)
    with entrypoint_waiter(storage, "on_storage_file_stored", timeout=30):
        event_dispatcher(storage_config)("storage", FILE_STORED, stored)
    assert len(db.events(TEXT_EXTRACTED)) == 1
    assert db.row(upload["file_id"]).extraction_attempts == 1
