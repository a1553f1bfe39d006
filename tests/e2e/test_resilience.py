"""Stopping a service while the system runs: the gateway answers 503 (service down)
or 504 (service too slow) for what needs it, and once the service is back everything
works again with no event lost."""
import os
import signal
import time

import pytest
from tests.e2e.helpers import Api, register, wait_until



@pytest.fixture(scope="module")
def clerk(system):
    return Api(system.base_url, "vanthu.ubnd")


def service_status(system):
    return {n: s["status"] for n, s in Api(system.base_url).get("/health").json()
            ["services"].items()}


def restart(system, name):
    system.start_service(name)
    assert wait_until(lambda: service_status(system)[name] == "up", seconds=60)


def test_with_documents_stopped_registration_is_a_503_and_works_again_after_restart(
        system, clerk):
    system.stop_service("documents")
    try:
        started = time.monotonic()
        response = register(clerk, [], 1001)
        assert response.status_code == 503 and response.json()["error"] == \
            "SERVICE_UNAVAILABLE"
        assert time.monotonic() - started < 3, "a stopped service must fail fast"
        assert service_status(system)["documents"] == "down"
    finally:
        restart(system, "documents")
    assert register(clerk, [], 1001).status_code == 201


def test_events_published_while_consumers_are_down_are_handled_when_they_return(system, clerk):
    for name in ("workflow", "notify", "search"):
        system.stop_service(name)
    try:
        response = register(clerk, [], 1002, subject="Kế hoạch phòng chống thiên tai")
        assert response.status_code == 201
        document_id = response.json()["id"]
        assert clerk.get("/search", params={"q": "thiên tai"}).status_code == 503
        assert clerk.get("/inbox").status_code == 503
    finally:
        for name in ("workflow", "notify", "search"):
            restart(system, name)
    leader = Api(system.base_url, "lanhdao.ubnd")
    assert wait_until(lambda: any(i["document_id"] == document_id
                                  for i in leader.get("/inbox").json()["items"]))
    assert wait_until(lambda: any(n["document_id"] == document_id for n in
                                  leader.get("/notifications").json()["items"]))
    assert wait_until(lambda: clerk.get("/search", params={"q": "thien tai"}).json()["total"])


def test_a_frozen_service_gives_a_504_within_the_timeout_and_recovers(system, clerk):
    pid = system.processes["notify"].pid
    os.kill(pid, signal.SIGSTOP)
    try:
        started = time.monotonic()
        response = clerk.get("/notifications")
        elapsed = time.monotonic() - started
        assert response.status_code == 504 and response.json()["error"] == "SERVICE_TIMEOUT"
        assert elapsed < 6
    finally:
        os.kill(pid, signal.SIGCONT)
    assert wait_until(lambda: clerk.get("/notifications").status_code == 200)


def test_with_storage_stopped_uploads_are_a_503_and_work_again_after_restart(
        system, clerk, pdf_bytes):
    system.stop_service("storage")
    try:
        response = clerk.post("/uploads", json={"filename": "a.pdf", "size": 100})
        assert response.status_code == 503
        assert "lưu trữ tệp" in response.json()["message"]
    finally:
        restart(system, "storage")
    put, file_id = clerk.upload("an-le.pdf", pdf_bytes)
    assert put.status_code == 201
    assert register(clerk, [file_id], 1003).status_code == 201


def test_a_dossier_exports_while_workflow_is_down_and_says_its_trace_is_partial(
        system, clerk):
    document = register(clerk, [], 1004, subject="Báo cáo lưu hồ sơ").json()
    dossier = clerk.post("/dossiers", json={
        "unit_id": clerk.unit_id, "year": 2026, "notation": "R.01", "title": "Hồ sơ thử",
        "maintenance": 10}).json()
    clerk.post(f"/dossiers/{dossier['id']}/documents", json={"document_id": document["id"]})
    system.stop_service("workflow")
    try:
        xml = clerk.get(f"/dossiers/{dossier['id']}/export", params={"format": "xml"})
    finally:
        restart(system, "workflow")
    assert xml.status_code == 200
    from xml.etree import ElementTree as ET
    trace = ET.fromstring(xml.content).find("VanBan/TaiLieu/TraceHeaderList")
    assert trace.get("complete") == "false"
    assert [h.findtext("Action") for h in trace.iter("TraceHeader")][0] == "register"
