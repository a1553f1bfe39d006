"""A unit's deadline rules: working days by urgency, or working hours for urgent
documents, on the Vietnamese calendar; and when a deadline is near or missed. Every
date and time here is fixed; nothing reads the wall clock."""
from datetime import date, datetime, timedelta
from pathlib import Path

import pytest

from services.common.errors import InvalidInput
from services.workflow import deadlines
from services.workflow.calendar import VN_TZ, calendar_from_file

DEPLOY_FILE = Path(__file__).resolve().parents[3] / "deploy" / "holidays.yml"
UNIT = "11111111-1111-4111-8111-111111111111"


@pytest.fixture(scope="module")
def calendar():
    return calendar_from_file(DEPLOY_FILE)


def vn(*args):
    return datetime(*args, tzinfo=VN_TZ)


def test_rules_take_working_days_for_any_urgency_and_hours_for_urgent_ones():
    rules = deadlines.parse_rules({"unit_id": UNIT, "working_days": {"normal": 7},
                                   "hours": {"flash": 4, "very_urgent": 8.5}})
    assert rules == {"unit_id": UNIT, "working_days": {"normal": 7},
                     "hours": {"flash": 4.0, "very_urgent": 8.5}}


@pytest.mark.parametrize("body, field", [
    ({"working_days": {"normal": 0}}, "working_days.normal"),
    ({"working_days": {"normal": 2.5}}, "working_days.normal"),
    ({"working_days": {"normal": True}}, "working_days.normal"),
    ({"working_days": {"sometime": 3}}, "working_days.sometime"),
    ({"hours": {"normal": 4}}, "hours.normal"),
    ({"hours": {"flash": 0}}, "hours.flash"),
    ({"hours": {"flash": 100}}, "hours.flash"),
    ({"hours": [4]}, "hours"),
    ({"extra": 1}, "extra"),
])
def test_bad_rules_are_refused_naming_the_field(body, field):
    with pytest.raises(InvalidInput) as refused:
        deadlines.parse_rules({"unit_id": UNIT} | body)
    assert field in refused.value.details


def test_rules_as_they_apply_fill_in_the_default_working_days():
    out = deadlines.rules_out(UNIT, {"normal": 7}, {"flash": 4})
    assert out["working_days"] == {"normal": 7, "urgent": 3, "very_urgent": 2, "flash": 1}
    assert out["hours"] == {"flash": 4}


def test_without_rules_a_normal_document_gets_ten_working_days_across_tet(calendar):
    # Thursday 12/2/2026, before the Tết break (14–22/2/2026): ten working days later is
    # Thursday 5/3/2026.
    deadline = deadlines.default_deadline(calendar, None, None, "normal", date(2026, 2, 12),
                                          vn(2026, 2, 12, 9, 0))
    assert deadline == deadlines.Deadline(date(2026, 3, 5))


def test_a_unit_counting_flash_documents_in_hours_gives_a_moment_past_lunch(calendar):
    deadline = deadlines.default_deadline(calendar, None, {"flash": 4}, "flash",
                                          date(2026, 3, 10), vn(2026, 3, 10, 10, 0))
    # 10:00–11:30 is 1.5 h, then 13:00 + 2.5 h
    assert deadline.due_at == vn(2026, 3, 10, 15, 30)
    assert deadline.due_date == date(2026, 3, 10)


def test_an_hour_deadline_given_on_the_eve_of_tet_falls_after_the_break(calendar):
    # Friday 13/2/2026 at 16:00 leaves one office hour before the break.
    deadline = deadlines.default_deadline(calendar, {}, {"very_urgent": 8}, "very_urgent",
                                          date(2026, 2, 13), vn(2026, 2, 13, 16, 0))
    assert deadline.due_at == vn(2026, 2, 23, 16, 0)
    assert deadline.due_date == date(2026, 2, 23)


def test_an_urgency_the_unit_does_not_count_in_hours_keeps_working_days(calendar):
    deadline = deadlines.default_deadline(calendar, {"urgent": 5}, {"flash": 4}, "urgent",
                                          date(2026, 3, 10), vn(2026, 3, 10, 10, 0))
    assert deadline == deadlines.Deadline(date(2026, 3, 17))


def test_a_day_deadline_is_missed_when_the_day_ends_and_an_hour_one_at_its_minute():
    day = date(2026, 3, 10)
    assert not deadlines.is_overdue(day, None, day, vn(2026, 3, 10, 23, 0))
    assert deadlines.is_overdue(day, None, date(2026, 3, 11), vn(2026, 3, 11, 7, 0))
    due_at = vn(2026, 3, 10, 15, 30)
    assert not deadlines.is_overdue(day, due_at, day, due_at)
    assert deadlines.is_overdue(day, due_at, day, due_at + timedelta(seconds=1))


def test_an_hour_deadline_is_reminded_only_within_the_reminder_hours(calendar):
    day, due_at = date(2026, 3, 10), vn(2026, 3, 10, 15, 30)
    early = vn(2026, 3, 10, 10, 0)
    assert deadlines.reminder_kind(day, due_at, day, early,
                                   calendar.add_working_hours(early, 1)) is None
    late = vn(2026, 3, 10, 14, 45)
    assert deadlines.reminder_kind(day, due_at, day, late,
                                   calendar.add_working_hours(late, 1)) == "due_soon"
    after = vn(2026, 3, 10, 15, 31)
    assert deadlines.reminder_kind(day, due_at, day, after,
                                   calendar.add_working_hours(after, 1)) == "overdue"


def test_a_day_deadline_is_reminded_as_soon_as_it_is_within_the_horizon():
    assert deadlines.reminder_kind(date(2026, 3, 11), None, date(2026, 3, 10),
                                   vn(2026, 3, 10, 8, 0)) == "due_soon"
    assert deadlines.reminder_kind(date(2026, 3, 9), None, date(2026, 3, 10),
                                   vn(2026, 3, 10, 8, 0)) == "overdue"
