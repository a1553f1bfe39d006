"""The processing-status report (ND30 Phụ lục VI §V: Báo cáo tình hình giải quyết văn
bản đến): for a unit and a period, per assignee — a unit it gave work to, or a person —
how many parts were received, done on time, done late, still open, and overdue, with
the documents behind each number. No nameko here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.common.clock import vietnam_date
from services.common.identity import Caller
from services.workflow import deadlines, domain, secrecy

COLUMNS = ("received", "done_on_time", "done_late", "open", "overdue")
COLUMN_NAMES = {"received": "Nhận", "done_on_time": "Xong đúng hạn", "done_late": "Xong quá hạn",
                "open": "Đang xử lý", "overdue": "Quá hạn"}
MAX_LISTED = 200   # documents listed per cell for drill-down
WIDTHS = [4, 36, 9, 11, 11, 10, 9]


@dataclass(frozen=True)
class Part:
    item_id: str
    kind: str
    state: str
    user_id: str | None
    unit_id: str | None
    parent_id: str | None
    due_date: date | None
    due_at: datetime | None     # a deadline in working hours
    done_at: datetime | None
    document_id: str
    subject: str
    code: str
    urgency: str
    confidentiality: str = "none"


def status_of(part: Part, today: date, now: datetime) -> str:
    """Which column a part falls in besides "received"."""
    if part.state == domain.DONE_ITEM:
        late = deadlines.done_late(part.due_date, part.due_at, part.done_at)
        return "done_late" if late else "done_on_time"
    if part.state in domain.ACTIVE and \
            deadlines.is_overdue(part.due_date, part.due_at, today, now):
        return "overdue"
    return "open"


def key_of(part: Part, by: str) -> tuple[str, str] | None:
    """Whose row a part counts in: by unit, the top-level parts (a unit, or a person
    named directly); by person, the parts held by a person (including those a unit
    passed on)."""
    if by == "person":
        return ("user", part.user_id) if part.user_id else None
    if part.parent_id:
        return None
    return ("unit", part.unit_id) if part.unit_id else ("user", part.user_id)


def build(parts: list[Part], by: str, today: date, now: datetime) -> list[dict]:
    """Rows sorted by most overdue, then most received; each with its counts and, per
    column, the documents (at most MAX_LISTED)."""
    rows: dict[tuple, dict] = {}
    for part in parts:
        if part.kind not in domain.HANDLING or part.state == domain.CLOSED:
            continue
        key = key_of(part, by)
        if key is None:
            continue
        row = rows.setdefault(key, {"kind": key[0], "id": key[1],
                                    **{c: 0 for c in COLUMNS},
                                    "documents": {c: [] for c in COLUMNS}})
        listed = {"document_id": part.document_id, "code": part.code,
                  "subject": part.subject, "urgency": part.urgency,
                  "confidentiality": part.confidentiality, "role": part.kind,
                  "due_date": part.due_date.isoformat() if part.due_date else None,
                  "due_at": part.due_at.isoformat() if part.due_at else None,
                  "done_on": vietnam_date(part.done_at).isoformat()
                  if part.done_at else None}
        for column in ("received", status_of(part, today, now)):
            row[column] += 1
            if len(row["documents"][column]) < MAX_LISTED:
                row["documents"][column].append(listed)
    return sorted(rows.values(), key=lambda r: (-r["overdue"], -r["received"], r["id"] or ""))


def redacted(rows: list[dict], caller: Caller) -> list[dict]:
    """The rows as ``caller`` may read them: each document listed behind a number
    without its particulars when the caller is not cleared for its level (the counts
    stay: the report says how much work there is, not what it is about)."""
    for row in rows:
        row["documents"] = {column: [secrecy.redact(d, d["confidentiality"], caller)
                                     for d in listed]
                            for column, listed in row["documents"].items()}
    return rows


def totals(rows: list[dict]) -> dict:
    return {c: sum(r[c] for r in rows) for c in COLUMNS}


def table(rows: list[dict], names: dict) -> tuple[list[str], list[list[str]]]:
    """Columns and rows of the printable report (names: {id: name})."""
    columns = ["STT", "Đơn vị / cán bộ"] + [COLUMN_NAMES[c] for c in COLUMNS]
    out = [[str(i), names.get(r["id"]) or r["id"] or ""] + [str(r[c]) for c in COLUMNS]
           for i, r in enumerate(rows, start=1)]
    sums = totals(rows)
    out.append(["", "Tổng cộng"] + [str(sums[c]) for c in COLUMNS])
    return columns, out
