"""The words of notifications (Vietnamese, as users read them)."""
from __future__ import annotations

URGENCY_LABEL = {"urgent": "KHẨN", "very_urgent": "THƯỢNG KHẨN", "flash": "HỎA TỐC"}


def document_registered(data: dict) -> tuple[str, str]:
    label = URGENCY_LABEL.get(data.get("urgency"))
    prefix = f"[{label}] " if label else ""
    code = "/".join(p for p in (data.get("code_number"), data.get("code_notation")) if p)
    issuer = (data.get("issuer") or {}).get("name", "")
    title = f"{prefix}Văn bản đến số {data.get('arrival_number')} chờ phân công"
    body = f"{code} của {issuer}: {data.get('subject', '')}"[:1000]
    return title, body
