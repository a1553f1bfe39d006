"""No request body can take the gateway down: every body over the cap is refused with
a 413 in the error envelope before it is read and before the token is checked, by its
Content-Length or, chunked, after at most cap + 1 bytes; only storage's upload PUT takes
large bodies, streamed and bounded by the reservation."""
import time

import pytest
import requests
from tests.e2e.helpers import Api


BIG = 50 * 1024 * 1024
ROUTES = ["/auth/login", "/incoming", "/outgoing/00000000-0000-4000-8000-000000000000/submit",
          "/assignments/00000000-0000-4000-8000-000000000000/complete", "/units/merge",
          "/no-such-route", "/../../outside-the-api"]


@pytest.fixture(scope="module")
def clerk(system):
    return Api(system.base_url, "vanthu.ubnd")


def chunks(total, size=1 << 20):
    """A body sent chunked (no Content-Length): ``total`` bytes in ``size`` pieces."""
    sent = 0
    while sent < total:
        yield b"[" * size
        sent += size


def assert_too_large(response, started):
    assert response.status_code == 413, response.text[:300]
    body = response.json()
    assert body["error"] == "TOO_LARGE" and "1 MB" in body["message"]
    assert time.monotonic() - started < 15


def assert_healthy(system):
    health = requests.get(system.base_url + "/api/v1/health", timeout=10)
    assert health.status_code == 200 and health.json()["status"] == "ok"


@pytest.mark.parametrize("path", ROUTES)
def test_an_anonymous_50_mb_body_is_a_413_not_a_401(system, path):
    started = time.monotonic()
    response = requests.post(system.base_url + "/api/v1" + path, data=b"[" * BIG,
                             headers={"Content-Type": "application/json"}, timeout=60)
    assert_too_large(response, started)
    assert_healthy(system)


@pytest.mark.parametrize("path", ROUTES[:4])
def test_a_signed_in_clerks_50_mb_chunked_body_is_a_413(system, clerk, path):
    started = time.monotonic()
    response = clerk.http.post(clerk.base + path, data=chunks(BIG), timeout=60,
                               headers={"Content-Type": "application/json"})
    assert "Content-Length" not in response.request.headers
    assert_too_large(response, started)
    assert_healthy(system)


def test_an_endless_chunked_body_is_cut_off_and_the_gateway_keeps_serving(system, clerk):
    started = time.monotonic()
    try:
        response = clerk.http.post(clerk.base + "/incoming", data=chunks(2 * 1024 ** 3),
                                   timeout=60)
        assert response.status_code == 413
    except requests.ConnectionError:
        pass   # the gateway hung up on the part it would not read: that is the point
    assert time.monotonic() - started < 30
    assert_healthy(system)
    assert clerk.get("/me").status_code == 200


def test_a_body_under_the_cap_sent_chunked_is_read_as_usual(clerk):
    response = clerk.http.post(clerk.base + "/units/merge", data=iter([b"{", b"}"]),
                               headers={"Content-Type": "application/json"}, timeout=30)
    assert response.status_code in (400, 403), response.text
    assert response.json()["error"] in ("VALIDATION_ERROR", "FORBIDDEN")


def test_storage_takes_a_large_upload_streamed_but_not_more_than_reserved(system, clerk,
                                                                        pdf_bytes):
    put, file_id = clerk.upload("a.pdf", pdf_bytes)
    assert put.status_code == 201, put.text
    created = clerk.post("/uploads", json={"filename": "b.pdf", "size": 1000,
                                           "content_type": "application/pdf"})
    started = time.monotonic()
    put = requests.put(created.json()["upload_url"], data=chunks(BIG), timeout=60)
    assert put.status_code == 413 and put.json()["error"] == "TOO_LARGE"
    assert time.monotonic() - started < 15
    assert_healthy(system)
