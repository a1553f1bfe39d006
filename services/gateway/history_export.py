"""A document's history as a printable table (the export of ND30 Phụ lục VI §III: the
processing history is kept and can be exported): who, what, when and with what comment,
from the documents and workflow services, in Vietnamese."""
from __future__ import annotations

from datetime import datetime, timezone

from services.common import vocabulary
from services.common.clock import VIETNAM

COLUMNS = ["STT", "Thời gian", "Người thực hiện", "Thao tác", "Nội dung"]
WIDTHS = [4, 12, 16, 16, 52]

ACTIONS = {
    "register": "Vào sổ văn bản đến", "create": "Tạo dự thảo",
    "new_version": "Lưu phiên bản mới", "submit": "Trình duyệt", "return": "Trả lại",
    "approve": "Duyệt", "check_form": "Kiểm tra thể thức", "sign": "Ký",
    "number": "Cấp số", "seal": "Ký số cơ quan", "issue": "Phát hành",
    "signatures_verified": "Kiểm tra chữ ký số", "recall": "Thu hồi", "cancel": "Hủy dự thảo",
    "update": "Cập nhật thông tin", "change_requested": "Đề nghị thu hồi, cập nhật",
    "change_answered": "Trả lời đề nghị thu hồi, cập nhật",
    "changes_applied": "Áp dụng thông tin cập nhật", "withdrawn": "Thu hồi (đã xóa)",
    "filed": "Đưa vào hồ sơ", "copied": "Sao văn bản",
    "processing_opened": "Mở quá trình xử lý",
    "to_assign_assigned": "Chờ lãnh đạo phân công", "to_assign_done": "Đã phân công",
    "submitted": "Trình lãnh đạo", "assigned": "Phân công xử lý",
    "lead_assigned": "Giao chủ trì", "co_handler_assigned": "Giao phối hợp",
    "for_info_assigned": "Gửi để biết", "approve_assigned": "Chờ duyệt",
    "progress": "Cập nhật tiến độ", "returned": "Trả lại", "completed": "Hoàn thành phần việc",
    "read": "Đã đọc", "document_done": "Văn bản xử lý xong",
    "approved_step": "Duyệt (một bước)", "draft_approved": "Dự thảo được duyệt",
    "deadline_approaching": "Nhắc sắp đến hạn", "deadline_missed": "Cảnh báo quá hạn",
    "replaces": "Thay thế văn bản", "corrects": "Đính chính văn bản",
    "replaced": "Bị thay thế",
}
#: ids in an event's details that name a person, and where their name goes
NAMED = {"assignee_id": "assignee_name", "on_behalf_of": "on_behalf_of_name"}


def people_named(recorded: list[dict], processing: list[dict]) -> list[str]:
    """Whose names the history shows: workflow's actors (documents names its own) and
    the people named in the details (a part's holder, whom a delegate acted for)."""
    return sorted({e["actor_id"] for e in processing}
                  | {e["details"][key] for e in processing + recorded
                     for key in NAMED if e["details"].get(key)})


def merged(recorded: list[dict], processing: list[dict], names: dict) -> list[dict]:
    """Documents' events and workflow's, oldest first, with the people's names."""
    def with_names(event):
        return event | {"details": event["details"] | {
            label: names.get(event["details"][key]) for key, label in NAMED.items()
            if event["details"].get(key)}}

    return sorted([with_names(e) for e in recorded] + [
        with_names(e | {"actor_name": names.get(e["actor_id"], e["actor_id"])})
        for e in processing], key=lambda e: e["at"])


def state_name(code: str) -> str:
    return vocabulary.name(vocabulary.OUTGOING_STATE_NAMES, code)


def describe(event: dict) -> str:
    """The details of one event as a line of text."""
    details = event.get("details") or {}
    parts = []
    if "from" in details and "to" in details:
        parts.append(f"{state_name(details['from'])} → {state_name(details['to'])}")
    if details.get("code_number"):
        parts.append(f"Số, ký hiệu: {details['code_number']}/{details.get('code_notation', '')}")
    if details.get("version"):
        parts.append(f"Phiên bản {details['version']}")
    if details.get("assignee_name"):
        parts.append(f"Người nhận: {details['assignee_name']}")
    if details.get("on_behalf_of"):   # done under a delegation: both people are shown
        kind = f"{details['delegation_kind']}. " if details.get("delegation_kind") else ""
        parts.append(f"{kind}Thay mặt: "
                     f"{details.get('on_behalf_of_name') or details['on_behalf_of']}")
    if details.get("due_date"):
        parts.append(f"Hạn: {details['due_date']}")
    if details.get("percent") is not None:
        parts.append(f"Tiến độ: {details['percent']}%")
    for key, label in (("instruction", "Chỉ đạo"), ("reason", "Lý do"), ("comment", "Ý kiến"),
                       ("note", "Ghi chú"),
                       ("title", "Hồ sơ"), ("file_code", "Mã hồ sơ"), ("code", "Bản sao")):
        if details.get(key):
            parts.append(f"{label}: {details[key]}")
    if details.get("recipients"):
        parts.append(f"{len(details['recipients'])} nơi nhận")
    if details.get("digital_signature"):   # ký số: whose certificate, from which CA
        signature = details["digital_signature"]
        parts.append(f"Chứng thư số: {signature.get('common_name')} "
                     f"(số sê-ri {signature.get('serial')}, do {signature.get('issuer')} cấp)")
    if details.get("summary"):   # a verification of the file's signatures
        parts.append(str(details["summary"].get("vi", "")))
    return "; ".join(parts)


def rows(events: list[dict]) -> list[list[str]]:
    out = []
    for number, event in enumerate(events, start=1):
        at = datetime.fromisoformat(event["at"])
        if at.tzinfo is None:   # every stored time is UTC
            at = at.replace(tzinfo=timezone.utc)
        at = at.astimezone(VIETNAM)
        out.append([str(number), at.strftime("%d/%m/%Y %H:%M"), event.get("actor_name") or "",
                    ACTIONS.get(event["action"], event["action"]), describe(event)])
    return out
