"""The words of notifications and their e-mails (Vietnamese, as users read them)."""
from __future__ import annotations

import re
from urllib.parse import quote

from services.common.tables import vn_date
from services.common.vocabulary import CONFIDENTIALITY_NAMES, URGENCY_MARKS, URGENCY_NAMES

URGENCY_LABEL = URGENCY_MARKS
URGENCY_NAME = {code: vi for code, (vi, _) in URGENCY_NAMES.items()}
CONFIDENTIALITY_NAME = {code: vi for code, (vi, _) in CONFIDENTIALITY_NAMES.items()
                        if code != "none"}

#: E-mail subjects are cut here (with an ellipsis): mail clients show less anyway.
SUBJECT_MAX = 200
EMAIL_SUBJECT_PREFIX = "[e-Office]"


def secret_level(data: dict) -> str | None:
    """The name of the document's confidentiality level (Mật, Tối mật, Tuyệt mật), or
    None when it is not secret. A message about a secret document carries none of its
    particulars — no số/ký hiệu, trích yếu, issuer, direction comment, note or reason —
    whoever receives it: a cleared person opens the document in the system."""
    level = data.get("confidentiality") or "none"
    return None if level == "none" else CONFIDENTIALITY_NAME.get(level, "Mật")


def _secret_line(data: dict, level: str) -> str:
    arrival = f" số đến {data['arrival_number']}" if data.get("arrival_number") else ""
    return f"Văn bản {level.lower()}{arrival}. {SECRET_NOTE}"


SECRET_NOTE = "Nội dung văn bản mật chỉ xem được trên hệ thống."


def document_registered(data: dict) -> tuple[str, str]:
    label = URGENCY_LABEL.get(data.get("urgency"))
    prefix = f"[{label}] " if label else ""
    title = f"{prefix}Văn bản đến số {data.get('arrival_number')} chờ phân công"
    level = secret_level(data)
    if level:
        return title, _secret_line(data, level)
    code = _code(data)
    issuer = (data.get("issuer") or {}).get("name", "")
    body = f"{code} của {issuer}: {data.get('subject', '')}"[:1000]
    return title, body


def document_link(public_url: str, document_id: str) -> str:
    """Where the web UI shows a document."""
    return f"{public_url.rstrip('/')}/#/documents/{quote(str(document_id), safe='')}"


def document_registered_email(data: dict, public_url: str) -> tuple[str, str]:
    """(subject, plain-text body) of the e-mail telling a leader that an incoming
    document waits for them.

    A document with a confidentiality level (mật, tối mật, tuyệt mật) is announced
    without its particulars: no number and notation, issuer or summary leaves the system
    by e-mail, only its arrival number, its level and the link.
    """
    label = URGENCY_LABEL.get(data.get("urgency"))
    urgency = f" [{label}]" if label else ""
    secret = CONFIDENTIALITY_NAME.get(data.get("confidentiality") or "none")
    link = document_link(public_url, data["id"])
    arrival = data.get("arrival_number")
    if secret:
        about = f"số đến {arrival} (văn bản {secret.lower()})"
    else:
        about = " – ".join(p for p in (_code(data), _one_line(data.get("subject"))) if p) \
            or f"số đến {arrival}"
    subject = _cut(f"{EMAIL_SUBJECT_PREFIX}{urgency} Văn bản đến mới: {about}", SUBJECT_MAX)

    arrival_date = vn_date(data.get("arrival_date"))
    rows = [("Số đến", f"{arrival} (ngày đến {arrival_date})" if arrival_date else arrival)]
    if secret:
        rows.append(("Độ mật", secret))
    else:
        issuer = (data.get("issuer") or {}).get("name") or data.get("issuer_name")
        rows += [("Số, ký hiệu", _code(data)),
                 ("Loại văn bản", data.get("document_type_name")),
                 ("Cơ quan ban hành", issuer),
                 ("Ngày ban hành", vn_date(data.get("issued_date"))),
                 ("Trích yếu", _one_line(data.get("subject")))]
    rows += [("Độ khẩn", URGENCY_NAME.get(data.get("urgency") or "normal")),
             ("Hạn xử lý", vn_date(data.get("due_date"))),
             ("Đơn vị nhận", data.get("unit_name"))]
    lines = ["Kính gửi đồng chí,", "",
             "Có văn bản đến mới đang chờ đồng chí phân công xử lý.", ""]
    lines += [f"{name}: {value}" for name, value in rows if value not in (None, "")]
    if secret:
        lines += ["", SECRET_NOTE]
    lines += ["", f"Xem văn bản: {link}", "", "--",
              "Thư này do hệ thống e-Office gửi tự động; xin đừng trả lời thư này.",
              "Để thôi nhận thông báo qua e-mail, hãy đổi cài đặt thông báo trên hệ thống."]
    return subject, "\n".join(lines) + "\n"


KIND_NAME = {"lead": "chủ trì", "co_handler": "phối hợp", "for_info": "để biết",
             "to_assign": "phân công", "approve": "duyệt dự thảo", "task": "công việc"}


def workflow_event(event_type: str, data: dict) -> tuple[str, str]:
    """(title, body) of an in-app notification for a workflow event: a part given to
    someone, returned, completed, a document done, a deadline near or missed. A secret
    document is named by its level and arrival number only (secret_level)."""
    label = URGENCY_LABEL.get(data.get("urgency"))
    prefix = f"[{label}] " if label else ""
    item = data.get("item") or {}
    kind = KIND_NAME.get(item.get("kind"), "")
    due = vn_date(item.get("due_date"))
    level = secret_level(data)
    titles = {
        "document_submitted": "Văn bản được trình, chờ đồng chí phân công",
        "task_assigned": f"Đồng chí được giao {kind}" + (f", hạn {due}" if due else ""),
        "task_returned": "Phần việc bị trả lại",
        "task_completed": ("Công việc đã bị hủy" if data.get("task_state") == "cancelled"
                           else "Công việc đã hoàn thành") if item.get("kind") == "task"
        else f"Phần việc {kind} đã hoàn thành",
        "document_completed": "Văn bản đã xử lý xong",
        "deadline_approaching": f"Sắp đến hạn xử lý ({due})",
        "deadline_missed": f"Quá hạn xử lý (hạn {due})",
    }
    title = f"{prefix}{titles.get(event_type, event_type)}"
    if level:
        return title, _secret_line(data, level)
    details = [" – ".join(p for p in (data.get("code"), _one_line(data.get("subject"))) if p)]
    if item.get("instruction") and event_type == "task_assigned":
        details.append(f"Ý kiến chỉ đạo: {_one_line(item['instruction'])}")
    if data.get("reason"):
        details.append(f"Lý do: {_one_line(data['reason'])}")
    if data.get("note"):
        details.append(_one_line(data["note"]))
    return title, "\n".join(details)[:1000]


def workflow_event_email(event_type: str, data: dict, public_url: str) -> tuple[str, str]:
    """(subject, plain-text body) of the e-mail for a workflow event."""
    title, body = workflow_event(event_type, data)
    link = f"{public_url.rstrip('/')}/#/tasks/{quote(str(data['task_id']), safe='')}" \
        if data.get("task_id") else document_link(public_url, data["document_id"])
    subject = _cut(f"{EMAIL_SUBJECT_PREFIX} {title}", SUBJECT_MAX)
    lines = ["Kính gửi đồng chí,", "", title, "", body, "", f"Xem văn bản: {link}", "", "--",
             "Thư này do hệ thống e-Office gửi tự động; xin đừng trả lời thư này."]
    return subject, "\n".join(lines) + "\n"


CLEARANCE_NAME = {"none": "không", **CONFIDENTIALITY_NAME}
ROLE_NAME = {"clerk": "văn thư", "head": "lãnh đạo", "unit_head": "lãnh đạo đơn vị",
             "specialist": "chuyên viên", "admin": "quản trị"}


def rights_changed(data: dict) -> tuple[str, str]:
    """(title, body) of the alert to a unit's heads that someone's rights changed and
    wait for their confirmation (ND30 Phụ lục VI §III.3)."""
    change = (data.get("change_name") or {}).get("vi") or data.get("change", "")
    title = f"Cần xác nhận: {change.lower()} của {data.get('user_name') or ''}".strip()
    details = data.get("details") or {}
    lines = [f"Người thực hiện: {data.get('changed_by_name') or data.get('changed_by')}"]
    if "memberships" in (details.get("after") or {}):
        details = {"after": details["after"]["memberships"]} | (
            {"clearance": details["after"].get("clearance")})
    for key, label in (("before", "Trước"), ("after", "Sau")):
        value = details.get(key)
        if isinstance(value, list):
            value = "; ".join(f"{ROLE_NAME.get(m.get('role'), m.get('role'))}"
                              for m in value if isinstance(m, dict)) or "không có vai trò"
        elif isinstance(value, str):
            value = f"độ mật {CLEARANCE_NAME.get(value, value)}"
        if value:
            lines.append(f"{label}: {value}")
    if details.get("clearance") not in (None, "none"):
        lines.append(f"Độ mật: {CLEARANCE_NAME.get(details['clearance'])}")
    units = ", ".join(n for n in data.get("unit_names") or [] if n)
    if units:
        lines.append(f"Đơn vị: {units}")
    return title[:200], "\n".join(lines)[:1000]


def rights_changed_email(data: dict, public_url: str) -> tuple[str, str]:
    """(subject, plain-text body) of the e-mail of a rights alert."""
    title, body = rights_changed(data)
    link = f"{public_url.rstrip('/')}/#/settings"
    lines = ["Kính gửi đồng chí,", "", title, "", body, "", f"Xác nhận tại: {link}", "",
             "--", "Thư này do hệ thống e-Office gửi tự động; xin đừng trả lời thư này."]
    return _cut(f"{EMAIL_SUBJECT_PREFIX} {title}", SUBJECT_MAX), "\n".join(lines) + "\n"


def _code(data: dict) -> str:
    return "/".join(p for p in (data.get("code_number"), data.get("code_notation")) if p)


def _one_line(text) -> str:
    """Text on one line (a header may not hold a line break)."""
    return re.sub(r"\s+", " ", str(text or "")).strip()


def _cut(text: str, limit: int) -> str:
    text = _one_line(text)
    return text if len(text) <= limit else text[:limit - 1].rstrip() + "…"




# ------------------------------------------------------------------ liên thông and requests

KIND_VERB = {"recall": "thu hồi", "update": "cập nhật"}
BUSINESS_TITLE = {2: "Văn bản cập nhật", 3: "Văn bản thay thế"}
DELIVERY_ALERT_TITLE = {
    "02": "{organ} từ chối nhận văn bản {code}",
    "16": "{organ} không đồng ý thu hồi hoặc cập nhật văn bản {code}",
}


def received_waiting(data: dict) -> tuple[str, str]:
    """A document from another agency waits for the unit's văn thư (secret documents
    never travel by the axis, so its particulars may be named)."""
    what = BUSINESS_TITLE.get(data.get("business_type"), "Văn bản điện tử")
    title = f"{what} từ {data.get('from_name') or ''} chờ tiếp nhận"
    body = " – ".join(p for p in (data.get("code"), _one_line(data.get("subject"))) if p)
    return _cut(title, 300), body[:1000]


def received_change_requested(data: dict) -> tuple[str, str]:
    """Another agency asks the unit's văn thư to agree to a recall or an update."""
    verb = KIND_VERB.get(data.get("kind"), data.get("kind") or "")
    title = f"{data.get('from_name') or ''} đề nghị {verb} văn bản {data.get('code') or ''}"
    lines = [_one_line(data.get("subject"))]
    if data.get("reason"):
        lines.append(f"Lý do: {_one_line(data['reason'])}")
    return _cut(title, 300), "\n".join(p for p in lines if p)[:1000]


def delivery_status_alert(data: dict) -> tuple[str, str]:
    """An agency returned a document we sent (02) or refused our recall or update (16):
    the issuing unit must see why."""
    template = DELIVERY_ALERT_TITLE.get(data.get("code"), "{organ}: trạng thái {status}")
    title = template.format(organ=data.get("organ_name") or data.get("organ_id") or "",
                            code=data.get("document_code") or "", status=data.get("code"))
    lines = [_one_line(data.get("subject"))]
    if data.get("description"):
        lines.append(f"Lý do: {_one_line(data['description'])}")
    return _cut(title, 300), "\n".join(p for p in lines if p)[:1000]


def incoming_change_requested(data: dict) -> tuple[str, str]:
    """The sender of an internally delivered copy asks for it back or changes its
    particulars; a secret one is named by its level only."""
    verb = KIND_VERB.get(data.get("kind"), data.get("kind") or "")
    level = secret_level(data)
    title = f"Đề nghị {verb} văn bản đến" + ("" if level else f" {_code(data)}")
    if level:
        return _cut(title, 300), _secret_line(data, level)
    lines = [_one_line(data.get("subject"))]
    if data.get("reason"):
        lines.append(f"Lý do: {_one_line(data['reason'])}")
    return _cut(title, 300), "\n".join(p for p in lines if p)[:1000]


def incoming_change_answered(data: dict) -> tuple[str, str]:
    """A receiving unit's văn thư answered our recall or update of a document we
    delivered internally; a refusal carries its reason."""
    verb = KIND_VERB.get(data.get("kind"), data.get("kind") or "")
    agreed = "đồng ý" if data.get("agreed") else "không đồng ý"
    level = secret_level(data)
    unit = data.get("unit_name") or ""
    title = f"{unit} {agreed} {verb} văn bản" + ("" if level else f" {_code(data)}")
    if level:
        return _cut(title.strip(), 300), f"Văn bản {level.lower()}. {SECRET_NOTE}"
    lines = [_one_line(data.get("subject"))]
    if data.get("reason") and not data.get("agreed"):
        lines.append(f"Lý do: {_one_line(data['reason'])}")
    return _cut(title.strip(), 300), "\n".join(p for p in lines if p)[:1000]


def about_email(title: str, body: str, link: str) -> tuple[str, str]:
    """(subject, plain-text body) of the e-mail of a notification that opens ``link``."""
    lines = ["Kính gửi đồng chí,", "", title, "", body, "", f"Xem tại: {link}", "", "--",
             "Thư này do hệ thống e-Office gửi tự động; xin đừng trả lời thư này."]
    return _cut(f"{EMAIL_SUBJECT_PREFIX} {title}", SUBJECT_MAX), "\n".join(lines) + "\n"


def received_link(public_url: str, received_id: str) -> str:
    """Where the web UI shows a document received from another agency."""
    return f"{public_url.rstrip('/')}/#/exchange/received/{quote(str(received_id), safe='')}"
