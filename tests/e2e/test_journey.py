"""The first user journey, through HTTP only (in Sở Nội vụ): a clerk uploads and
registers a real PDF, the leader sees it in their inbox and notifications, and a search
for a word found only inside the PDF finds it — for that unit, never for another."""
import pytest

from tests.e2e.helpers import WORD_ONLY_IN_PDF, Api, register, wait_until


def test_health_reports_all_seven_services_up(system):
    health = Api(system.base_url).get("/health").json()
    assert health["status"] == "ok"
    assert {name: s["status"] for name, s in health["services"].items()} == {
        "documents": "up", "workflow": "up", "search": "up", "notify": "up", "storage": "up",
        "signing": "up", "exchange": "up"}


def test_a_clerk_registers_a_pdf_the_leader_is_told_and_its_content_is_searchable(
        system, pdf_bytes):
    clerk = Api(system.base_url, "vanthu.snv")
    put, file_id = clerk.upload("an-le-57.pdf", pdf_bytes)
    assert put.status_code == 201, put.text
    assert clerk.get(f"/files/{file_id}").json()["sha256"]

    listed = clerk.get("/incoming", params={"unit_id": clerk.unit_id, "page_size": 200}).json()
    before = listed["total"]
    numbers, ids, registers = [], [], set()
    for number in (501, 502, 503):
        response = register(clerk, [file_id] if number == 501 else [], number)
        assert response.status_code == 201, response.text
        numbers.append(response.json()["arrival_number"])
        ids.append(response.json()["id"])
        registers.add(response.json()["register_id"])
    # số đến follow on without a gap, after every number the register gave before (1, 2,
    # 3 on a fresh system; other tests may have delivered documents to this unit, and a
    # copy withdrawn by its sender's recall keeps its number: numbers are never reused)
    assert numbers == [numbers[0], numbers[0] + 1, numbers[0] + 2]
    assert numbers[0] > max((i["arrival_number"] for i in listed["items"]
                             if i["register_id"] in registers), default=0)
    first = clerk.get("/incoming", params={"unit_id": clerk.unit_id}).json()
    assert first["total"] == before + 3 and first["items"][0]["arrival_number"] == numbers[2]

    leader = Api(system.base_url, "lanhdao.snv")
    # the leader's inbox holds the three (the system is shared: others' work too)
    inbox = wait_until(lambda: {i["document_id"] for i in leader.get(
        "/inbox", params={"page_size": 200}).json()["items"]} >= set(ids))
    assert inbox, "the three documents never reached the leader's inbox"
    notes = leader.get("/notifications", params={"unread": "true"}).json()
    assert notes["unread"] >= 3

    def found(api, query):
        """Our document with the PDF among the hits (the same PDF may have reached this
        unit before, through other tests)."""
        result = api.get("/search", params={"q": query, "page_size": 200}).json()
        return next((i for i in result.get("items", []) if i["document_id"] == ids[0]), None)

    item = wait_until(lambda: found(clerk, WORD_ONLY_IN_PDF), seconds=30)
    assert item, "the PDF's content never became searchable"
    assert item["arrival_number"] == numbers[0]
    assert "<mark>" in item["snippet"]
    assert found(leader, WORD_ONLY_IN_PDF)
    assert found(leader, "tau thoat"), "a query without diacritics finds the accented text"

    outsider = Api(system.base_url, "vanthu.tanninh")
    assert outsider.get("/search", params={"q": WORD_ONLY_IN_PDF}).json()["total"] == 0
    assert outsider.get(f"/incoming/{item['document_id']}").status_code == 403
    assert outsider.get(f"/files/{file_id}").status_code == 403

    download = leader.get(f"/files/{file_id}/content", allow_redirects=False)
    assert download.status_code == 302
    assert leader.http.get(download.headers["Location"], timeout=30).content == pdf_bytes


def test_every_response_carries_a_request_id_and_errors_use_one_envelope(system):
    api = Api(system.base_url)
    response = api.get("/me")
    assert response.status_code == 401 and response.headers["X-Request-Id"]
    assert set(response.json()) == {"error", "message", "details"}
    english = Api(system.base_url, language="en").get("/me").json()
    assert english["error"] == "UNAUTHENTICATED" and "Log in" in english["message"]
    assert api.post("/auth/login", json={"username": "vanthu.stc", "password": "wrong"}) \
        .status_code == 401
    assert api.get("/no/such/route").json()["error"] == "NOT_FOUND"


def test_the_gateway_serves_its_openapi_document_and_the_web_ui(system):
    api = Api(system.base_url)
    document = api.get("/openapi.json").json()
    assert document["openapi"].startswith("3.1") and "/api/v1/incoming" in document["paths"]
    page = api.http.get(system.base_url + "/", timeout=10)
    assert page.status_code == 200 and "text/html" in page.headers["Content-Type"]


@pytest.mark.parametrize("service", ["gateway", "documents", "workflow", "search", "notify",
                                     "storage"])
def test_every_service_exposes_prometheus_metrics(system, service):
    metrics = Api(system.base_url).http.get(system.metrics_url(service), timeout=10)
    assert metrics.status_code == 200
    assert "eoffice_entrypoint_latency_seconds" in metrics.text


def test_an_administrator_verifies_the_audit_chain_and_others_may_not(system):
    admin = Api(system.base_url, "admin")
    check = admin.get("/audit/verify").json()
    assert check["intact"] is True and check["checked"] > 0
    assert admin.get("/audit", params={"action": "login"}).json()["total"] >= 1
    assert Api(system.base_url, "vanthu.stc").get("/audit/verify").status_code == 403
