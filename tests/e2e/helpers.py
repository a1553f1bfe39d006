"""What the end-to-end tests share: a signed-in user of the HTTP API (Api), and the
steps many of them take (register an incoming document, take an outgoing step, wait
for an outcome). Test modules import from here, never from one another."""
from __future__ import annotations

import itertools
import random

import requests

from tests.polling import wait_until  # noqa: F401  (e2e tests import it from here)

PASSWORD = "eoffice@2026"
# "tẩu thoát" appears in the fixture PDF's text layer, not in any metadata we send.
WORD_ONLY_IN_PDF = "tẩu thoát"
EXTERNAL = {"organ_id": "000.00.00.G12", "name": "Tòa án nhân dân tối cao"}

_numbers = itertools.count(random.randrange(1_000_000, 9_000_000, 100_000))


def unique_number() -> int:
    """A số no other registration of the session takes: the system is shared, and its
    duplicate check (issuer, số, ký hiệu, year) would refuse a second one."""
    return next(_numbers)


class Api:
    """A logged-in user of the HTTP API."""

    def __init__(self, base_url, username=None, language="vi"):
        self.base = base_url + "/api/v1"
        self.http = requests.Session()
        self.http.headers["Accept-Language"] = language
        self.user = None
        if username:
            self.login(username)

    def login(self, username, password=PASSWORD):
        response = self.http.post(f"{self.base}/auth/login",
                                  json={"username": username, "password": password})
        response.raise_for_status()
        self.http.headers["Authorization"] = "Bearer " + response.json()["access_token"]
        self.user = response.json()["user"]
        return self

    @property
    def unit_id(self):
        return self.user["memberships"][0]["unit_id"]

    def get(self, path, **kwargs):
        return self.http.get(self.base + path, timeout=30, **kwargs)

    def post(self, path, **kwargs):
        return self.http.post(self.base + path, timeout=30, **kwargs)

    def upload(self, filename, data, content_type="application/pdf"):
        """Create an upload at the gateway, then PUT the bytes to storage."""
        created = self.post("/uploads", json={"filename": filename, "size": len(data),
                                              "content_type": content_type})
        if created.status_code != 201:
            return created, None
        put = requests.put(created.json()["upload_url"], data=data, timeout=30,
                           headers={"Content-Type": content_type,
                                    "Accept-Language": self.http.headers["Accept-Language"]})
        return put, created.json()["file_id"]


def register(clerk, file_ids, number, **changes):
    """Register an incoming document in the clerk's unit; the HTTP response."""
    body = {"unit_id": clerk.unit_id, "code_number": str(number),
            "code_notation": "TANDTC-AL", "issued_date": "2025-02-24",
            "issuer": {"organ_id": "000.00.00.G12", "name": "Tòa án nhân dân tối cao"},
            "document_type": "TB", "subject": f"Thông báo án lệ số {number}",
            "urgency": "normal", "confidentiality": "none", "page_amount": 8,
            "signer": {"position": "Chánh án", "full_name": "Nguyễn Văn A"},
            "file_ids": file_ids}
    body.update(changes)
    return clerk.post("/incoming", json=body)


def draft(api, recipients, **changes):
    """A new outgoing draft (Thông báo) in the author's unit; the HTTP response."""
    body = {"unit_id": api.unit_id, "document_type": "TB",
            "subject": "Thông báo kết quả thẩm định quyết toán ngân sách năm 2025",
            "page_amount": 3, "issued_amount": 5, "keeper": "Lưu: VT, QLNS",
            "recipients": recipients, "note": "Bản đầu tiên"}
    body.update(changes)
    return api.post("/outgoing", json=body)


def step(api, document_id, action, **body):
    """Take an outgoing step (submit, approve, check_form, sign, number, issue, …)."""
    return api.post(f"/outgoing/{document_id}/{action}", json=body)


def through_signature(people, document_id):
    """Sở Tài chính's staff take a draft through submit → approve → check form → sign."""
    for username, action in (("chuyenvien.stc", "submit"), ("lanhdao.stc", "approve"),
                             ("vanthu.stc", "check_form"), ("lanhdao.stc", "sign")):
        response = step(people[username], document_id, action)
        assert response.status_code == 200, (action, response.text)
    return response.json()


def notification_about(person, matches):
    """The person's notification that ``matches``, waited for (notify follows events)."""
    return wait_until(lambda: next((n for n in person.get(
        "/notifications", params={"page_size": 100}).json().get("items", []) if matches(n)),
        None), seconds=30)
