"""Schemathesis over the gateway's own OpenAPI document (/api/v1/openapi.json) against
the started system, as a signed-in clerk and as an anonymous client: whatever it sends,
no answer is a 5xx and every 4xx is the error envelope {error, message, details}.

Deterministic (derandomized, no example database) and bounded: a few examples per
operation, so it creates a bounded amount of data and runs in about a minute."""
import json
import os
import time
import uuid

import pytest
import requests
import schemathesis
from schemathesis.generation.modes import GenerationMode
from hypothesis import HealthCheck, Phase, given, settings

from services.gateway import routes
from tests.e2e.helpers import PASSWORD, Api

#: Four per operation (besides the explicit ones) in `make test`; `make test-schemathesis`
#: runs 25 for a longer hunt; EOFFICE_SCHEMATHESIS_EXAMPLES sets any number.
EXAMPLES_PER_OPERATION = int(os.environ.get("EOFFICE_SCHEMATHESIS_EXAMPLES") or 4)
#: An open event stream never ends; it is tested by the notification tests.
SKIPPED = {("GET", "/api/v1/notifications/stream")}
OPERATIONS = [(route.method, route.openapi_path) for route in routes.ROUTES
              if (route.method, route.openapi_path) not in SKIPPED]
#: Operations that end the caller's session or count a wrong password against the
#: account: each example runs as a new person of its own. (With the clerk's token the
#: first logout ended the clerk's session, and every signed-in case after it only met a
#: 401.)
OWN_PERSON = {("POST", "/api/v1/auth/logout"), ("POST", "/api/v1/auth/password")}
BOUNDED = settings(max_examples=EXAMPLES_PER_OPERATION, derandomize=True, database=None,
                   deadline=None, phases=[Phase.explicit, Phase.generate],
                   suppress_health_check=list(HealthCheck))


@pytest.fixture(scope="module")
def api_schema(system):
    """The document the running gateway serves, as schemathesis reads it."""
    return schemathesis.openapi.from_url(system.base_url + "/api/v1/openapi.json")


def signed_in(base_url, username, password=PASSWORD) -> dict:
    login = requests.post(base_url + "/api/v1/auth/login", timeout=30,
                          json={"username": username, "password": password})
    login.raise_for_status()
    return {"Accept-Language": "en", "Authorization": "Bearer " + login.json()["access_token"]}


@pytest.fixture(scope="module")
def clerk_headers(system):
    return signed_in(system.base_url, "vanthu.ubnd")


@pytest.fixture(scope="module")
def new_person(system):
    """Headers of a new person of the clerk's unit, signed in (one per call)."""
    admin, unit_id = Api(system.base_url, "admin"), Api(system.base_url, "vanthu.ubnd").unit_id

    def make():
        username = f"schema.{uuid.uuid4().hex[:10]}"
        created = admin.post("/users", json={
            "username": username, "full_name": "Người thử lược đồ",
            "password": "mat-khau-dai-2026",
            "memberships": [{"unit_id": unit_id, "role": "specialist"}]})
        assert created.status_code == 201, created.text
        return signed_in(system.base_url, username, "mat-khau-dai-2026")
    return make


def check(case, base_url, headers):
    """Send the case; no 5xx, and a 4xx is the error envelope. ``headers`` may be a
    function that gives them for each case."""
    headers = headers() if callable(headers) else headers
    if "Authorization" in headers and case.headers:
        case.headers.pop("Authorization", None)   # the clerk's token, not a generated one
    response = case.call(base_url=base_url, headers=headers, timeout=30,
                         allow_redirects=False)
    if response.status_code in (503, 504):
        # a service too slow on a loaded machine (the gateway's RPC timeout): once more,
        # after a breath; a 5xx the request itself causes comes back every time
        time.sleep(2)
        response = case.call(base_url=base_url, headers=headers, timeout=30,
                             allow_redirects=False)
    described = f"{case.method} {case.formatted_path} -> {response.status_code}: " \
                f"{response.content[:300]!r}"
    assert response.status_code < 500, described
    if 400 <= response.status_code < 500:
        try:
            body = json.loads(response.content)
        except ValueError:
            pytest.fail("not JSON: " + described)
        assert isinstance(body, dict) and set(body) == {"error", "message", "details"}, \
            described
        assert isinstance(body["error"], str) and isinstance(body["message"], str) and \
            body["message"], described


def run_operation(api_schema, method, path, base_url, headers):
    operation = api_schema[path][method]
    # requests that fit the document and requests that do not (wrong types, missing
    # fields, values out of range): both must get an answer, never a 5xx
    cases = operation.as_strategy(GenerationMode.POSITIVE) | \
        operation.as_strategy(GenerationMode.NEGATIVE)

    @given(case=cases)
    @BOUNDED
    def examples(case):
        check(case, base_url, headers)

    examples()


@pytest.mark.parametrize("method, path", OPERATIONS)
def test_a_signed_in_clerk_gets_no_server_error_and_every_refusal_is_the_envelope(
        api_schema, system, clerk_headers, new_person, method, path):
    headers = new_person if (method, path) in OWN_PERSON else clerk_headers
    run_operation(api_schema, method, path, system.base_url, headers)
    if (method, path) not in OWN_PERSON:   # the clerk's session is still open
        me = requests.get(system.base_url + "/api/v1/me", headers=clerk_headers, timeout=30)
        assert me.status_code == 200, me.text


@pytest.mark.parametrize("method, path", OPERATIONS)
def test_an_anonymous_client_gets_no_server_error_and_every_refusal_is_the_envelope(
        api_schema, system, method, path):
    run_operation(api_schema, method, path, system.base_url, {"Accept-Language": "en"})
