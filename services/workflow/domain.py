"""Workflow rules with no nameko in them."""
from __future__ import annotations

URGENCY_RANK = {"normal": 0, "urgent": 1, "very_urgent": 2, "flash": 3}

AWAITING_ASSIGNMENT = "awaiting_assignment"   # chờ phân công
TO_ASSIGN = "to_assign"                       # the leader must assign (phân công)
OPEN = "open"
INBOX_VIEWS = ("todo", "following", "overdue")


def document_code(code_number: str | None, code_notation: str | None) -> str:
    if code_number and code_notation:
        return f"{code_number}/{code_notation}"
    return code_number or code_notation or ""
