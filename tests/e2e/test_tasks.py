"""Công việc through the gateway: the director of Sở Tài chính gives a specialist a task
from a document, the specialist splits it into a sub-task for himself, records progress,
cannot complete the task while the sub-task is open, completes both; the director is
told. Tasks for people outside the unit, late or past deadlines and strangers' updates
are refused and change nothing."""
from datetime import timedelta

import pytest

from tests.e2e.helpers import Api, wait_until
from tests.clock import vietnam_today

SOON = (vietnam_today() + timedelta(days=10)).isoformat()
LATER = (vietnam_today() + timedelta(days=20)).isoformat()


@pytest.fixture(scope="module")
def people(system):
    return {name: Api(system.base_url, name)
            for name in ("lanhdao.stc", "chuyenvien.stc", "vanthu.stc", "vanthu.snv")}


def give(api, to, **changes):
    body = {"unit_id": api.unit_id, "title": "Tổng hợp số liệu quyết toán quý IV",
            "assignee_id": to.user["id"], "due_date": SOON}
    body.update(changes)
    return api.post("/tasks", json=body)


def test_a_task_with_a_sub_task_from_giving_to_completion(people):
    director, specialist = people["lanhdao.stc"], people["chuyenvien.stc"]
    task = give(director, specialist, description="Theo chỉ đạo tại văn bản đến")
    assert task.status_code == 201, task.text
    task = task.json()
    assert task["state"] == "open" and task["due_date"] == SOON
    assert any(t["id"] == task["id"] for t in specialist.get("/tasks").json()["items"])
    assert wait_until(lambda: any("công việc" in n["title"] for n in specialist.get(
        "/notifications").json()["items"]))

    late = specialist.post("/tasks", json={"parent_id": task["id"], "title": "Số liệu xã",
                                           "assignee_id": specialist.user["id"],
                                           "due_date": LATER})
    assert late.status_code == 400 and "due_date" in late.json()["details"]
    sub = specialist.post("/tasks", json={"parent_id": task["id"], "title": "Số liệu xã",
                                          "assignee_id": specialist.user["id"]})
    assert sub.status_code == 201, sub.text
    assert sub.json()["due_date"] == SOON          # a sub-task takes its parent's deadline

    updates = f"/tasks/{task['id']}/updates"
    assert specialist.post(updates, json={"percent": 40, "note": "Đã có 4/10 xã"}).json()[
        "progress"] == 40
    assert specialist.post(updates, json={"complete": True}).status_code == 409
    assert specialist.post(f"/tasks/{sub.json()['id']}/updates",
                           json={"complete": True, "note": "Xong"}).status_code == 200
    done = specialist.post(updates, json={"complete": True, "note": "Đã gửi báo cáo"})
    assert done.status_code == 200 and done.json()["state"] == "done"
    seen = director.get(f"/tasks/{task['id']}").json()
    assert seen["subtask_count"] == 1 and seen["subtasks_open"] == 0
    assert seen["subtasks"][0]["state"] == "done"
    assert specialist.post(updates, json={"note": "sau khi xong"}).status_code == 409
    assert wait_until(lambda: any("hoàn thành" in n["title"] for n in director.get(
        "/notifications").json()["items"]))


@pytest.mark.parametrize("changes, field", [
    ({"due_date": "2020-01-01"}, "due_date"),
    ({"title": ""}, "title"),
    ({"title": "t" * 501}, "title"),
    ({"assignee_id": "OUTSIDER"}, "assignee_id"),
    ({"unit_id": None}, "unit_id"),
    ({"priority": "high"}, "priority"),
])
def test_a_bad_task_is_a_400_and_changes_nothing(people, changes, field):
    director = people["lanhdao.stc"]
    changes = {k: people["vanthu.snv"].user["id"] if v == "OUTSIDER" else v
               for k, v in changes.items()}
    before = director.get("/tasks", params={"view": "created"}).json()["total"]
    response = give(director, people["chuyenvien.stc"], **changes)
    assert response.status_code == 400, response.text
    assert field in response.json()["details"]
    assert director.get("/tasks", params={"view": "created"}).json()["total"] == before


def test_only_leaders_give_tasks_to_others_and_only_holders_update_them(people):
    specialist, clerk = people["chuyenvien.stc"], people["vanthu.stc"]
    assert give(specialist, clerk).status_code == 403
    own = give(specialist, specialist)
    assert own.status_code == 201
    assert clerk.post(f"/tasks/{own.json()['id']}/updates",
                      json={"note": "không phải việc của tôi"}).status_code == 403
    assert clerk.get(f"/tasks/{own.json()['id']}").status_code == 403
    assert people["vanthu.snv"].get("/tasks", params={
        "view": "unit", "unit_id": specialist.unit_id}).status_code == 403


def test_a_task_keeps_its_history_names_its_people_and_is_found_by_document(people):
    director, specialist = people["lanhdao.stc"], people["chuyenvien.stc"]
    document_id = "6f1c1e52-8b4e-4c69-9a51-3c6d0e4a7b11"
    task = give(director, specialist, title="Rà soát hồ sơ dự án",
                document_id=document_id).json()
    updates = f"/tasks/{task['id']}/updates"
    assert specialist.post(updates, json={"percent": 30, "note": "Đã rà soát 3/10"}).ok
    sub = director.post("/tasks", json={"parent_id": task["id"], "title": "Hồ sơ đất",
                                        "assignee_id": specialist.user["id"]}).json()
    assert sub["document_id"] == document_id        # a sub-task keeps its document
    seen = director.get(f"/tasks/{task['id']}").json()
    assert seen["assignee_name"] == "Đặng Quốc Bảo" and seen["created_by_name"] == "Võ Văn Hùng"
    assert [(h["action"], h["actor_name"], h["percent"], h["note"]) for h in seen["history"]] == [
        ("given", "Võ Văn Hùng", None, None),
        ("progress", "Đặng Quốc Bảo", 30, "Đã rà soát 3/10"),
        ("subtask_added", "Võ Văn Hùng", None, "Hồ sơ đất")]
    found = specialist.get("/tasks", params={"document_id": document_id})
    assert {t["id"] for t in found.json()["items"]} == {task["id"], sub["id"]}
    found = director.get("/tasks", params={"view": "created", "document_id": document_id})
    assert {t["id"] for t in found.json()["items"]} == {task["id"], sub["id"]}
    assert director.get("/tasks", params={"view": "created", "document_id": "6f1c1e52-8b4e-"
                                          "4c69-9a51-3c6d0e4a7b12"}).json()["items"] == []
    assert director.get("/tasks", params={"document_id": "x"}).status_code == 400
    listed = specialist.get("/tasks").json()
    assert listed["counts"]["mine"] >= 2 and listed["items"][0]["state"] == "open"
    assert listed["items"][0]["assignee_name"] == "Đặng Quốc Bảo"

    cancelled = director.post(f"/tasks/{sub['id']}/updates",
                              json={"cancel": True, "note": "Không cần nữa"})
    assert cancelled.status_code == 200 and cancelled.json()["state"] == "cancelled"
    told = wait_until(lambda: next((n for n in specialist.get("/notifications").json()[
        "items"] if n.get("task_id") == sub["id"] and "hủy" in n["title"]), None))
    assert told and told["body"].endswith("Không cần nữa")
    assert director.post(updates, json={"complete": True, "cancel": True}).status_code == 400
