"""The deadline a unit gives when its leader names none, by the unit's rules (quy chế làm
việc của cơ quan: DOMAIN.md §1.8), and when a deadline is near or missed. No nameko here.

A unit's rules give working days by urgency; for urgent documents a unit may instead
count working hours (e.g. Hỏa tốc within 4 office hours), so the deadline is a moment
(due_at) and not only a day. Units without rules use DEFAULT_WORKING_DAYS. Working
days and hours follow the Vietnamese calendar (calendar.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from services.common.validation import UUID_RE, Problems
from services.common.clock import vietnam_date
from services.workflow.calendar import WorkingCalendar
from services.workflow.domain import DUE_SOON, OVERDUE, URGENCY_RANK, URGENT

DEFAULT_WORKING_DAYS = {"normal": 10, "urgent": 3, "very_urgent": 2, "flash": 1}
MAX_WORKING_DAYS = 90
MAX_HOURS = 72


@dataclass(frozen=True)
class Deadline:
    due_date: date | None
    due_at: datetime | None = None   # set only for a deadline in hours


def parse_rules(data) -> dict:
    """{unit_id, working_days: {urgency: 1–90}, hours: {urgent | very_urgent | flash:
    0.5–72}}. An urgency missing from working_days takes DEFAULT_WORKING_DAYS; one in
    hours is counted in working hours instead of days."""
    problems = Problems()
    data = problems.object(data)
    problems.only(data, {"unit_id", "working_days", "hours"})
    unit_id = problems.text(data, "unit_id", max_length=36, required=True)
    if unit_id and not UUID_RE.match(unit_id):
        problems.add("unit_id", "Mã đơn vị không hợp lệ.", "Invalid unit id.")
    working_days = _numbers(problems, data, "working_days", tuple(URGENCY_RANK), 1,
                            MAX_WORKING_DAYS, whole=True)
    hours = _numbers(problems, data, "hours", URGENT, 0.5, MAX_HOURS, whole=False)
    problems.raise_if_any()
    return {"unit_id": unit_id, "working_days": working_days, "hours": hours}


def _numbers(problems: Problems, data: dict, field: str, keys: tuple, low, high,
             whole: bool) -> dict:
    value = data.get(field) or {}
    if not isinstance(value, dict):
        problems.add(field, "Phải là {mức độ khẩn: số}.", "Must be {urgency: number}.")
        return {}
    out = {}
    for key, number in value.items():
        label = f"{field}.{key}"
        if key not in keys:
            problems.add(label, "Mức độ khẩn không hợp lệ; chọn trong: " + ", ".join(keys),
                         "Unknown urgency; one of: " + ", ".join(keys))
        elif isinstance(number, bool) or not isinstance(number, (int, float)) or \
                (whole and not float(number).is_integer()) or not low <= number <= high:
            kind_vi, kind_en = ("số nguyên", "a whole number") if whole else ("số", "a number")
            problems.add(label, f"Phải là {kind_vi} từ {low} đến {high}.",
                         f"Must be {kind_en} from {low} to {high}.")
        else:
            out[key] = int(number) if whole else float(number)
    return out


def rules_out(unit_id: str, working_days: dict | None, hours: dict | None) -> dict:
    """The rules as they apply: every urgency's working days (the unit's or the
    default) and the urgencies counted in hours."""
    return {"unit_id": unit_id,
            "working_days": DEFAULT_WORKING_DAYS | (working_days or {}),
            "hours": dict(hours or {}),
            "defaults": {"working_days": DEFAULT_WORKING_DAYS}}


def default_deadline(calendar: WorkingCalendar, working_days: dict | None,
                     hours: dict | None, urgency: str, today: date,
                     now: datetime) -> Deadline:
    """The deadline for a document of this urgency given today (now) under a unit's
    rules: working hours if the rules count this urgency in hours, else working days."""
    if hours and urgency in hours:
        due_at = calendar.add_working_hours(now, hours[urgency])
        return Deadline(vietnam_date(due_at), due_at)
    days = (working_days or {}).get(urgency, DEFAULT_WORKING_DAYS.get(urgency, 10))
    return Deadline(calendar.add_working_days(today, days))


def is_overdue(due_date: date | None, due_at: datetime | None, today: date,
               now: datetime) -> bool:
    """A deadline in hours is missed the moment it passes; a deadline day once it ends."""
    if due_at is not None:
        return now > due_at
    return due_date is not None and due_date < today


def done_late(due_date: date | None, due_at: datetime | None,
              done_at: datetime | None) -> bool:
    if done_at is None:
        return False
    if due_at is not None:
        return done_at > due_at
    return due_date is not None and vietnam_date(done_at) > due_date


def reminder_kind(due_date: date, due_at: datetime | None, today: date, now: datetime,
                  hours_ahead: datetime | None = None) -> str | None:
    """What to tell the holder of an open part found within the reminder horizon:
    "overdue" once the deadline has passed, else "due_soon" — for a deadline in hours
    only once it falls before hours_ahead (now plus the reminder's working hours) —
    else nothing yet."""
    if is_overdue(due_date, due_at, today, now):
        return OVERDUE
    if due_at is not None and hours_ahead is not None and due_at > hours_ahead:
        return None
    return DUE_SOON
