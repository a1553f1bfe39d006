"""Input that would break the stack — a NUL or other control character, a body nested
100,000 deep, numbers no column holds, ids and dates that are not ids or dates, bytes
that are not UTF-8 — gets a 400 (or 404) in the error envelope, never a 500, on SQLite
and PostgreSQL alike, and changes nothing."""
import os

import pytest
import requests

from services.common.migrations import SERVICES_WITH_DATABASE as SERVICES
from tests.conftest import create_pg_database, drop_pg_database
from tests.e2e.helpers import Api, register
from tests.system import start_system


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(request, system):
    """The session's system (SQLite), or one on PostgreSQL started for this module: the
    only e2e system on PostgreSQL, kept because what breaks the stack differs by database
    (NUL in text, numbers past a column's range) and the answer must be a 4xx through
    the gateway on both."""
    if request.param == "sqlite":
        yield system
        return
    urls = {name: create_pg_database() for name in SERVICES}
    try:
        # start_system's error carries the tail of every process's log
        with start_system("eoffice-e2e-pg-", {
                "RPC_TIMEOUT_SECONDS": "5",
                **{f"{name.upper()}_DB_URL": url for name, url in urls.items()}}) as running:
            yield running
    finally:
        for url in urls.values():
            drop_pg_database(url)


@pytest.fixture(scope="module")
def clerk(stack):
    return Api(stack.base_url, "vanthu.ubnd")


def count(clerk):
    return clerk.get("/incoming", params={"unit_id": clerk.unit_id}).json()["total"]


def assert_envelope(response, status=400):
    assert response.status_code == status, response.text[:500]
    body = response.json()
    assert set(body) == {"error", "message", "details"}
    return body


@pytest.mark.parametrize("subject", ["Trích yếu\x00có NUL", "Có ký tự \x1b[31m ESC",
                                     "Có \x08 lùi", "Nửa cặp \ud800"])
def test_a_subject_with_a_control_character_is_a_400_and_nothing_is_registered(clerk,
                                                                                subject):
    before = count(clerk)
    body = assert_envelope(register(clerk, [], 9410, subject=subject))
    assert body["error"] == "VALIDATION_ERROR" and "subject" in body["details"]
    assert count(clerk) == before


def test_a_subject_with_tabs_and_newlines_is_registered(clerk):
    response = register(clerk, [], 9411, subject="Dòng một\n\tDòng hai")
    assert response.status_code == 201, response.text


def test_a_body_nested_100000_deep_is_a_400(clerk):
    for data in (b"[" * 100_000, b'{"subject":' * 50_000):
        body = assert_envelope(clerk.post("/incoming", data=data,
                                          headers={"Content-Type": "application/json"}))
        assert body["error"] == "VALIDATION_ERROR"


@pytest.mark.parametrize("change", [{"page_amount": 10 ** 30}, {"page_amount": 2 ** 40},
                                    {"code_number": "9" * 40}, {"issued_date": "2026-02-30"},
                                    {"unit_id": "not-a-uuid"}, {"subject": ["a", "b"]},
                                    {"issuer": "x"}, {"signer": 5}])
def test_a_field_no_column_can_hold_is_a_400(clerk, change):
    before = count(clerk)
    # a unit id that is no unit's: the clerk is no clerk of it (403)
    assert_envelope(register(clerk, [], 9412, **change), 403 if "unit_id" in change else 400)
    assert count(clerk) == before


@pytest.mark.parametrize("path, params", [
    ("/users", {"q": "a\x00b"}), ("/units", {"q": "\x1b"}),
    ("/incoming", {"page": "99999999999999999999999"}),
    ("/incoming", {"from": "2026-02-30"}), ("/incoming", {"page_size": "-1"}),
    ("/search", {"q": "a\x00"}), ("/audit", {"object_id": "\x00"}),
])
def test_query_values_that_break_the_stack_are_a_400(clerk, path, params):
    body = assert_envelope(clerk.get(path, params=params))
    assert body["error"] in ("VALIDATION_ERROR", "FORBIDDEN")


@pytest.mark.parametrize("path", ["/incoming/not-a-uuid", "/units/%00", "/outgoing/%01x",
                                  "/files/zzz", "/incoming/00000000-0000-0000-0000-000000000000",
                                  "/tasks/" + "9" * 300, "/dossiers/%E2%80%AE"])
def test_an_id_in_a_path_that_is_not_an_id_is_a_4xx_not_a_500(clerk, path):
    response = clerk.get(path)
    assert 400 <= response.status_code < 500, response.text[:300]
    assert set(response.json()) == {"error", "message", "details"}


def test_bytes_that_are_not_utf8_in_a_query_string_are_not_a_500(stack, clerk):
    for query in ("q=%ff%fe%fd", "unit_id=%C0%80", "%ff=1"):
        response = clerk.http.get(f"{stack.base_url}/api/v1/search?{query}", timeout=30)
        assert 400 <= response.status_code < 500 or response.status_code == 200, \
            response.text[:300]
        if response.status_code >= 400:
            assert set(response.json()) == {"error", "message", "details"}


def test_nothing_above_left_the_gateway_unhealthy(stack):
    health = requests.get(stack.base_url + "/api/v1/health", timeout=10).json()
    assert health["status"] == "ok"
    assert os.path.isdir(stack.data_dir)
