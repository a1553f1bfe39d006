"""Secrecy on every surface, through the gateway (docs/permissions.md, "Secret documents
on every surface"): notifications, the live stream, the inbox, the processing report and
its exports, a document's processing and its history and their exports — for each
confidentiality level × each clearance; the steps that would hand a secret document to
someone not cleared for it are refused and change nothing; and a top-secret document
walked from registration to completion shows none of its particulars to an uncleared
leader of its own unit.

Everything happens in a unit of its own (made here by the administrator, under UBND
tỉnh), so no other test's leaders or inboxes change."""
import contextlib
import io
import json
import subprocess
import threading
import time
import zipfile
from datetime import timedelta

import pytest
import requests

from tests.e2e.helpers import Api, register, wait_until
from tests.clock import vietnam_today

PASSWORD = "mat-khau-dai-2026"
SOON = (vietnam_today() + timedelta(days=20)).isoformat()
NEXT_WEEK = (vietnam_today() + timedelta(days=7)).isoformat()
LEVELS = ("none", "confidential", "secret", "top_secret")
# the report's period around today (the server counts days in Vietnam, the tests in UTC)
PERIOD = {"from": (vietnam_today() - timedelta(days=1)).isoformat(),
          "to": (vietnam_today() + timedelta(days=1)).isoformat()}
TAGS = {"none": "THG", "confidential": "MAT", "secret": "TMAT", "top_secret": "TUYET"}

# username → (unit alias, role, clearance); the leaders hold one clearance each
PEOPLE = {
    "bm.vanthu": ("BM", "clerk", "top_secret"),
    "bm.lanhdao": ("BM", "head", "top_secret"),
    "bm.lanhdao.khong": ("BM", "head", "none"),
    "bm.lanhdao.mat": ("BM", "unit_head", "confidential"),
    "bm.lanhdao.toimat": ("BM", "unit_head", "secret"),
    "bm.chuyenvien": ("BM", "specialist", "top_secret"),
    "bm.chuyenvien.khong": ("BM", "specialist", "none"),
    "to1.truong": ("TO1", "head", "top_secret"),        # a team whose head is cleared
    "to1.chuyenvien.khong": ("TO1", "specialist", "none"),
    "to2.truong.khong": ("TO2", "head", "none"),        # a team with no cleared leader
}
LEADERS = {"none": "bm.lanhdao.khong", "confidential": "bm.lanhdao.mat",
           "secret": "bm.lanhdao.toimat", "top_secret": "bm.lanhdao"}


@pytest.fixture(scope="module")
def org(system):
    admin = Api(system.base_url, "admin")
    ubnd = Api(system.base_url, "vanthu.ubnd").unit_id
    units = {}
    for alias, name, parent in (("BM", "Ban Bảo vệ bí mật (kiểm thử)", ubnd),
                                ("TO1", "Tổ cơ yếu (kiểm thử)", "BM"),
                                ("TO2", "Tổ hành chính (kiểm thử)", "BM")):
        made = admin.post("/units", json={"name": name, "abbreviation": alias,
                                          "parent_id": units.get(parent, parent)})
        assert made.status_code == 201, made.text
        units[alias] = made.json()["id"]
    people = {}
    for username, (alias, role, clearance) in PEOPLE.items():
        created = admin.post("/users", json={
            "username": username, "full_name": f"Cán bộ {username}", "position": role,
            "password": PASSWORD, "clearance": clearance,
            "memberships": [{"unit_id": units[alias], "role": role}]})
        assert created.status_code == 201, created.text
        people[username] = Api(system.base_url).login(username, PASSWORD)
    return {"units": units, "people": people}


# ---------------------------------------------------------------- helpers

NUMBERS = iter(range(7701, 7999))


def particulars(tag):
    """The particulars of one document, each with an ASCII marker found in any encoding."""
    return {"code": f"KHBV{tag}-BCA", "subject": f"Phương án bảo vệ SUBJ{tag}",
            "issuer": f"Cục bảo vệ ISSUER{tag}", "instruction": f"Chỉ đạo INSTR{tag}",
            "note": f"Ghi chú NOTE{tag}", "reason": f"Lý do REASON{tag}",
            "progress": f"Tiến độ PROG{tag}", "result": f"Kết quả DONE{tag}"}


def markers(tag):
    return {name: value.split()[-1] for name, value in particulars(tag).items()}


def text_of(response) -> str:
    """What a response says, whatever its format: JSON as text, a spreadsheet's XML, a
    PDF's text (and its raw bytes besides)."""
    kind = response.headers.get("Content-Type", "")
    raw = response.content.decode("utf-8", "replace")
    if kind.startswith("application/json"):
        return json.dumps(response.json(), ensure_ascii=False) + raw
    if "spreadsheetml" in kind:
        with zipfile.ZipFile(io.BytesIO(response.content)) as sheet:
            return "".join(sheet.read(n).decode("utf-8", "replace") for n in sheet.namelist())
    if kind.startswith("application/pdf"):
        text = subprocess.run(["pdftotext", "-", "-"], input=response.content,
                              capture_output=True, check=True).stdout.decode("utf-8")
        return text + raw
    return raw


def leaked(text: str, tag: str) -> set[str]:
    return {name for name, marker in markers(tag).items() if marker in text}


def register_secret(org, level, tag, clerk="bm.vanthu"):
    p = particulars(tag)
    code_number, code_notation = str(next(NUMBERS)), p["code"]
    response = register(org["people"][clerk], [], code_number, code_notation=code_notation,
                        subject=p["subject"], confidentiality=level,
                        issuer={"organ_id": None, "name": p["issuer"]})
    assert response.status_code == 201, response.text
    return response.json()


def opened(api, document_id):
    """The processing once workflow has opened it (as api sees it)."""
    return wait_until(lambda: (lambda r: r.status_code == 200 and r.json()["state"] and
                               r.json())(api.get(f"/incoming/{document_id}/processing")))


def inbox_text(api):
    return "".join(text_of(api.get("/inbox", params={"view": view, "page_size": 200}))
                   for view in ("todo", "following", "overdue", "delegated"))


def report_text(api, unit_id):
    out = ""
    for by in ("unit", "person"):
        params = {"unit_id": unit_id, "by": by} | PERIOD
        out += text_of(api.get("/reports/processing", params=params))
        for kind in ("xlsx", "pdf"):
            export = api.get("/reports/processing/export", params=params | {"format": kind})
            assert export.status_code == 200, export.text
            out += text_of(export)
    return out


def history_text(api, document_id):
    return "".join(text_of(api.get(f"/documents/{document_id}/history",
                                   params={"format": kind}))
                   for kind in ("json", "xlsx", "pdf"))


class Stream:
    """The notifications pushed to one person's open event stream, gathered meanwhile."""

    def __init__(self, api):
        ticket = api.post("/notifications/stream-ticket").json()["ticket"]
        self.response = requests.get(f"{api.base}/notifications/stream",
                                     params={"ticket": ticket}, stream=True, timeout=60)
        assert self.response.status_code == 200
        self.frames = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()
        assert wait_until(lambda: self.frames, seconds=10)   # "unread" comes first

    def _read(self):
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line and line.startswith("data: "):
                    self.frames.append(json.loads(line[6:]))
        except Exception:   # noqa: BLE001 - closed by close()
            pass

    def close(self) -> str:
        """What was pushed so far, as text; the stream is then let go (the reading thread
        may still be inside a read, which makes closing it from here fail: it ends with
        the connection)."""
        text = json.dumps(list(self.frames), ensure_ascii=False)
        with contextlib.suppress(RuntimeError):
            self.response.close()
        return text


# ---------------------------------------------------------------- the access matrix

@pytest.mark.parametrize("level", LEVELS)
def test_each_surface_shows_a_documents_particulars_only_to_people_cleared_for_it(org, level):
    people, tag = org["people"], TAGS[level] + "M"
    doc = register_secret(org, level, tag)
    head, specialist = people["bm.lanhdao"], people["bm.chuyenvien"]
    assert opened(head, doc["id"])
    # who is told and given it to assign: the leaders cleared for its level
    told = wait_until(lambda: [n for n in head.get("/notifications", params={
        "page_size": 200}).json()["items"] if n["document_id"] == doc["id"]])
    assert told
    for clearance, username in LEADERS.items():
        viewer = people[username]
        cleared = LEVELS.index(clearance) >= LEVELS.index(level)
        notes = [n for n in viewer.get("/notifications", params={"page_size": 200})
                 .json()["items"] if n["document_id"] == doc["id"]]
        assert bool(notes) is cleared, (level, clearance)
        # a notification never carries a secret document's particulars, cleared or not
        assert bool(leaked(json.dumps(notes, ensure_ascii=False), tag)) is \
            (cleared and level == "none"), (level, clearance)
        todo = [i for i in viewer.get("/inbox", params={"page_size": 200}).json()["items"]
                if i["document_id"] == doc["id"]]
        assert bool(todo) is cleared, (level, clearance)

    p = particulars(tag)
    assert org["people"]["bm.vanthu"].post(f"/incoming/{doc['id']}/submit", json={
        "to_user_id": head.user["id"], "note": p["note"]}).status_code == 200
    assigned = head.post(f"/incoming/{doc['id']}/assign", json={
        "lead": {"user_id": specialist.user["id"], "due_date": SOON},
        "instruction": p["instruction"]})
    assert assigned.status_code == 200, assigned.text

    for clearance, username in LEADERS.items():
        viewer = people[username]
        cleared = LEVELS.index(clearance) >= LEVELS.index(level)
        processing = viewer.get(f"/incoming/{doc['id']}/processing")
        assert processing.status_code == 200                     # a member: it exists
        assert processing.json()["state"] == "assigned"
        assert bool(leaked(text_of(processing), tag)) is cleared, (level, clearance)
        report = viewer.get("/reports/processing", params={
            "unit_id": org["units"]["BM"], "by": "person"} | PERIOD)
        listed = [d for row in report.json()["rows"] for d in row["documents"]["received"]
                  if d["document_id"] == doc["id"]]
        assert listed and listed[0]["confidentiality"] == level
        assert bool(leaked(text_of(report), tag)) is cleared, (level, clearance)
        history = viewer.get(f"/documents/{doc['id']}/history")
        assert history.status_code == (200 if cleared else 403), (level, clearance)
        assert bool(leaked(text_of(history), tag)) is cleared, (level, clearance)
        if not cleared:
            assert not leaked(inbox_text(viewer) + history_text(viewer, doc["id"]), tag)
    if level != "none":   # the exports (counts only) once, as the least cleared leader
        assert not leaked(report_text(people[LEADERS["none"]], org["units"]["BM"]), tag)


# ---------------------------------------------------------------- refusals

def test_a_secret_document_is_not_submitted_assigned_or_passed_on_to_the_uncleared(org):
    people, units = org["people"], org["units"]
    clerk, head = people["bm.vanthu"], people["bm.lanhdao"]
    doc = register_secret(org, "secret", "REF")
    before = opened(head, doc["id"])

    refused = clerk.post(f"/incoming/{doc['id']}/submit",
                         json={"to_user_id": people["bm.lanhdao.khong"].user["id"]})
    assert refused.status_code == 403, refused.text
    assert "to_user_id" in refused.json()["details"]
    assert "Tối mật" in refused.json()["message"]
    english = Api(clerk.base.removesuffix("/api/v1"), language="en")
    english.http.headers["Authorization"] = clerk.http.headers["Authorization"]
    in_english = english.post(f"/incoming/{doc['id']}/submit",
                              json={"to_user_id": people["bm.lanhdao.khong"].user["id"]})
    assert in_english.status_code == 403 and "cleared" in in_english.json()["message"]
    for lead in ({"user_id": people["bm.chuyenvien.khong"].user["id"]},
                 {"unit_id": units["TO2"]}):
        response = head.post(f"/incoming/{doc['id']}/assign", json={
            "lead": lead | {"due_date": SOON}, "instruction": "Không được giao"})
        assert response.status_code == 403, response.text
        assert "assignees" in response.json()["details"]
    # nor given as a task from it (công việc)
    task = head.post("/tasks", json={
        "unit_id": units["BM"], "title": "Rà soát văn bản",
        "assignee_id": people["bm.chuyenvien.khong"].user["id"], "document_id": doc["id"]})
    assert task.status_code == 403, task.text
    assert "assignee_id" in task.json()["details"]
    # an uncleared leader of the unit may not assign it either
    assert people["bm.lanhdao.khong"].post(f"/incoming/{doc['id']}/assign", json={
        "lead": {"unit_id": units["TO1"], "due_date": SOON}}).status_code == 403
    assert head.get(f"/incoming/{doc['id']}/processing").json() == before

    # a team with a cleared head takes it; its head cannot pass it to an uncleared member
    assigned = head.post(f"/incoming/{doc['id']}/assign", json={
        "lead": {"unit_id": units["TO1"], "due_date": SOON}, "instruction": "Tổ cơ yếu"})
    assert assigned.status_code == 200, assigned.text
    team_head = people["to1.truong"]
    part = next(i for i in assigned.json()["items"] if i["kind"] == "lead")
    before = team_head.get(f"/incoming/{doc['id']}/processing").json()
    passed = team_head.post(f"/assignments/{part['id']}/forward",
                            json={"user_id": people["to1.chuyenvien.khong"].user["id"]})
    assert passed.status_code == 403, passed.text
    assert "user_id" in passed.json()["details"]
    assert team_head.get(f"/incoming/{doc['id']}/processing").json() == before


def test_a_delegate_without_clearance_cannot_assign_a_secret_document_nor_read_it(org):
    people = org["people"]
    head, delegate = people["bm.lanhdao"], people["bm.chuyenvien.khong"]
    given = head.post("/delegations", json={
        "unit_id": org["units"]["BM"], "to_user_id": delegate.user["id"], "kind": "TL",
        "actions": ["assign", "approve"], "valid_to": NEXT_WEEK})
    assert given.status_code == 201, given.text
    try:
        doc = register_secret(org, "confidential", "DEL")
        before = opened(head, doc["id"])
        waiting = wait_until(lambda: [i for i in delegate.get(
            "/inbox", params={"view": "delegated"}).json()["items"]
            if i["document_id"] == doc["id"]])
        assert waiting and waiting[0]["subject"] == "Văn bản mật"
        assert not leaked(inbox_text(delegate), "DEL")
        seen = delegate.get(f"/incoming/{doc['id']}/processing")
        assert seen.status_code == 200 and not leaked(text_of(seen), "DEL")
        response = delegate.post(f"/incoming/{doc['id']}/assign", json={
            "lead": {"user_id": people["bm.chuyenvien"].user["id"], "due_date": SOON}})
        assert response.status_code == 403, response.text
        assert head.get(f"/incoming/{doc['id']}/processing").json() == before
    finally:
        head.post(f"/delegations/{given.json()['id']}/revoke")


def chain(org, document_type, approvers):
    head = org["people"]["bm.lanhdao"]
    response = head.http.put(f"{head.base}/approval-chains", json={
        "unit_id": org["units"]["BM"], "document_type": document_type,
        "steps": [{"approvers": [a.user["id"] for a in approvers], "mode": "any"}]})
    assert response.status_code == 200, response.text


def draft(org, document_type, subject, level):
    drafter = org["people"]["bm.chuyenvien"]
    response = drafter.post("/outgoing", json={
        "unit_id": org["units"]["BM"], "document_type": document_type, "subject": subject,
        "confidentiality": level, "recipients": [{"name": "Bộ Công an"}]})
    assert response.status_code == 201, response.text
    return response.json()


def approval_of(api, document_id, view="todo"):
    return wait_until(lambda: next((i for i in api.get("/inbox", params={
        "view": view, "kind": "approve"}).json()["items"] if i["document_id"] == document_id),
        None))


def test_a_secret_draft_is_not_submitted_into_a_chain_naming_an_uncleared_approver(org):
    people = org["people"]
    chain(org, "BC", [people["bm.lanhdao.khong"]])
    doc = draft(org, "BC", "Báo cáo tối mật về cơ yếu", "secret")
    refused = people["bm.chuyenvien"].post(f"/outgoing/{doc['id']}/submit", json={})
    assert refused.status_code == 409, refused.text
    assert "approval_chain" in refused.json()["details"]
    assert people["bm.chuyenvien"].get(f"/outgoing/{doc['id']}").json()["state"] == "draft"


def test_a_delegate_without_clearance_cannot_approve_a_secret_draft_in_the_chain(org):
    people = org["people"]
    head, delegate = people["bm.lanhdao"], people["bm.chuyenvien.khong"]
    chain(org, "KH", [head])
    doc = draft(org, "KH", "Kế hoạch mật bảo vệ cơ yếu", "confidential")
    assert people["bm.chuyenvien"].post(f"/outgoing/{doc['id']}/submit",
                                        json={}).status_code == 200
    given = head.post("/delegations", json={
        "unit_id": org["units"]["BM"], "to_user_id": delegate.user["id"], "kind": "KT",
        "actions": ["approve"], "valid_to": NEXT_WEEK})
    assert given.status_code == 201, given.text
    try:
        item = approval_of(delegate, doc["id"], view="delegated")
        assert item and item["subject"] == "Văn bản mật"
        refused = delegate.post(f"/assignments/{item['id']}/approve", json={})
        assert refused.status_code == 403, refused.text
        assert people["bm.chuyenvien"].get(f"/outgoing/{doc['id']}").json()["state"] == \
            "submitted"
        assert head.post(f"/assignments/{item['id']}/approve", json={}).status_code == 200
    finally:
        head.post(f"/delegations/{given.json()['id']}/revoke")


def test_the_chains_last_approval_is_taken_in_documents_as_the_approver_himself(org):
    """Documents checks the person who decided, not workflow's service token: an
    approver named last in a chain who holds no role that approves in the unit (nor a
    delegation) cannot approve the draft, and nothing is recorded."""
    people = org["people"]
    specialist = people["bm.chuyenvien"]
    chain(org, "TTr", [specialist])
    doc = draft(org, "TTr", "Tờ trình thường qua quy trình", "none")
    assert specialist.post(f"/outgoing/{doc['id']}/submit", json={}).status_code == 200
    item = approval_of(specialist, doc["id"])
    assert item
    before = specialist.get(f"/outgoing/{doc['id']}/processing").json()
    refused = specialist.post(f"/assignments/{item['id']}/approve", json={})
    assert refused.status_code == 403, refused.text
    assert specialist.get(f"/outgoing/{doc['id']}").json()["state"] == "submitted"
    assert specialist.get(f"/outgoing/{doc['id']}/processing").json() == before


# ---------------------------------------------------------------- the journey

def test_a_top_secret_document_from_registration_to_export_shows_nothing_to_an_uncleared_leader(
        org):
    people, unit_id, tag = org["people"], org["units"]["BM"], "JRN"
    clerk, head, specialist = people["bm.vanthu"], people["bm.lanhdao"], people["bm.chuyenvien"]
    uncleared = people["bm.lanhdao.khong"]
    p = particulars(tag)
    streams = {"uncleared": Stream(uncleared), "cleared": Stream(head)}
    try:
        doc = register_secret(org, "top_secret", tag)
        assert opened(head, doc["id"])
        assert clerk.post(f"/incoming/{doc['id']}/submit", json={
            "to_user_id": head.user["id"], "note": p["note"]}).status_code == 200
        plan = {"lead": {"user_id": specialist.user["id"], "due_date": SOON},
                "instruction": p["instruction"]}
        assigned = head.post(f"/incoming/{doc['id']}/assign", json=plan)
        assert assigned.status_code == 200, assigned.text
        lead = next(i for i in assigned.json()["items"] if i["kind"] == "lead")
        assert specialist.post(f"/assignments/{lead['id']}/progress", json={
            "percent": 30, "note": p["progress"]}).status_code == 200
        assert specialist.post(f"/assignments/{lead['id']}/return",
                               json={"reason": p["reason"]}).status_code == 200
        again = head.post(f"/incoming/{doc['id']}/assign", json=plan)
        assert again.status_code == 200, again.text
        lead = next(i for i in again.json()["items"]
                    if i["kind"] == "lead" and i["state"] == "open")
        done = specialist.post(f"/assignments/{lead['id']}/complete",
                               json={"note": p["result"]})
        assert done.status_code == 200, done.text
        # the specialist's completion reaches the head: wait for it to be pushed
        assert wait_until(lambda: sum(n["document_id"] == doc["id"] for n in head.get(
            "/notifications", params={"page_size": 200}).json()["items"]) >= 3)
        time.sleep(1)
    finally:
        pushed = {name: stream.close() for name, stream in streams.items()}

    # the cleared leader reads every particular where it belongs (the checks below
    # look where the particulars are)
    assert {"subject", "code", "issuer"} <= leaked(text_of(head.get(
        f"/incoming/{doc['id']}")), tag)
    assert {"instruction", "note", "reason", "progress", "result"} <= leaked(
        history_text(head, doc["id"]), tag)
    assert {"subject", "code"} <= leaked(text_of(head.get(
        "/reports/processing", params={"unit_id": unit_id, "by": "person"} | PERIOD)), tag)
    assert doc["id"] in pushed["cleared"]
    # notifications carry no particulars of a secret document, even to the cleared
    assert not leaked(pushed["cleared"], tag)
    assert not leaked(text_of(head.get("/notifications", params={"page_size": 200})), tag)

    # the uncleared leader of the same unit: it exists, and nothing more
    seen = {"notifications": text_of(uncleared.get("/notifications",
                                                   params={"page_size": 200})),
            "stream": pushed["uncleared"],
            "inbox": inbox_text(uncleared),
            "report": report_text(uncleared, unit_id),
            "processing": text_of(uncleared.get(f"/incoming/{doc['id']}/processing")),
            "history": history_text(uncleared, doc["id"]),
            "document": text_of(uncleared.get(f"/incoming/{doc['id']}"))}
    assert {surface: leaked(text, tag) for surface, text in seen.items()} == \
        {surface: set() for surface in seen}
    processing = uncleared.get(f"/incoming/{doc['id']}/processing").json()
    assert processing["state"] == "done" and processing["redacted"] is True
    assert doc["id"] in seen["report"]
    assert uncleared.get(f"/documents/{doc['id']}/history").status_code == 403
