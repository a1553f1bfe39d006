"""The working-day calendar: Vietnamese public holidays from the `holidays` package, the
deployment's overrides (deploy/holidays.yml) and office hours. Every date here is fixed;
nothing reads the wall clock."""
import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path

import pytest

from services.workflow.calendar import (VN_TZ, WorkingCalendar, calendar_from_file,
                                        calendar_from_overrides)

DEPLOY_FILE = Path(__file__).resolve().parents[3] / "deploy" / "holidays.yml"

# Mùng 1 Tết by the Vietnamese lunar calendar (UTC+7): in 2030 it is a day before the
# Chinese New Year.
TET = {2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17),
       2027: date(2027, 2, 6), 2028: date(2028, 1, 26), 2029: date(2029, 2, 13),
       2030: date(2030, 2, 2)}


@pytest.fixture(scope="module")
def library():
    """Public holidays from the package only, no overrides."""
    return WorkingCalendar()


@pytest.fixture(scope="module")
def deployed():
    return calendar_from_file(DEPLOY_FILE)


def vn(*args):
    return datetime(*args, tzinfo=VN_TZ)


def days(first: date, last: date):
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# --- working days across holidays ---------------------------------------------------------

def test_five_working_days_from_the_friday_before_tet_2026_end_on_the_friday_after(library):
    # Tết Bính Ngọ: off Saturday 14/2 to Sunday 22/2/2026, no làm bù.
    assert library.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23)
    assert library.add_working_days(date(2026, 2, 13), 5) == date(2026, 2, 27)


@pytest.mark.parametrize("calendar", ["library", "deployed"])
def test_every_day_from_14_to_22_february_2026_is_off_and_the_23rd_is_worked(calendar, request):
    cal = request.getfixturevalue(calendar)
    assert not any(cal.is_working_day(d) for d in days(date(2026, 2, 14), date(2026, 2, 22)))
    assert cal.is_working_day(date(2026, 2, 13))
    assert cal.is_working_day(date(2026, 2, 23))


def test_tet_2025_is_off_from_25_january_to_2_february_without_a_working_saturday(deployed):
    assert not any(deployed.is_working_day(d) for d in days(date(2025, 1, 25), date(2025, 2, 2)))
    assert deployed.add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)
    assert not deployed.is_working_day(date(2025, 2, 8))


@pytest.mark.parametrize("year", range(2024, 2031))
def test_every_year_from_2024_to_2030_has_its_tet_days_off(library, year):
    tet = TET[year]
    assert library.holiday_name(tet) == "Tết Nguyên Đán"
    assert not any(library.is_working_day(tet + timedelta(days=k)) for k in range(3))
    window = days(tet - timedelta(days=6), tet + timedelta(days=7))
    weekdays_off = [d for d in window if d.weekday() < 5 and not library.is_working_day(d)]
    assert len(weekdays_off) == 5  # the five statutory days, moved off weekends


def test_a_deadline_over_30_april_and_1_may_2026_skips_both_and_the_weekend(library):
    # Wednesday 29/4; Thursday 30/4 and Friday 1/5 are holidays.
    assert library.add_working_days(date(2026, 4, 29), 1) == date(2026, 5, 4)
    assert library.holiday_name(date(2026, 4, 30)) == "Ngày Chiến thắng"
    assert library.holiday_name(date(2026, 5, 1)) == "Ngày Quốc tế Lao động"


def test_the_swapped_friday_2_may_2025_is_off_and_saturday_26_april_is_worked(library):
    # Hoán đổi: off Friday 2/5/2025, worked Saturday 26/4/2025; the package knows of it.
    assert not library.is_working_day(date(2025, 5, 2))
    assert library.is_working_day(date(2025, 4, 26))
    assert library.add_working_days(date(2025, 4, 25), 1) == date(2025, 4, 26)
    assert library.add_working_days(date(2025, 4, 29), 1) == date(2025, 5, 5)
    # (24/4, 5/5]: Fri 25, Sat 26 (làm bù), Mon 28, Tue 29, Mon 5/5.
    assert library.working_days_between(date(2025, 4, 24), date(2025, 5, 5)) == 5


def test_a_deadline_over_2_september_2025_skips_1_and_2_september(library):
    assert library.add_working_days(date(2025, 8, 29), 1) == date(2025, 9, 3)
    assert library.holiday_name(date(2025, 9, 2)) == "Quốc khánh"
    assert library.holiday_name(date(2025, 9, 1)) == "Quốc khánh"


def test_quoc_khanh_2026_is_off_from_29_august_to_2_september_with_22_august_worked(deployed):
    assert not any(deployed.is_working_day(d) for d in days(date(2026, 8, 29), date(2026, 9, 2)))
    assert deployed.add_working_days(date(2026, 8, 28), 1) == date(2026, 9, 3)
    assert deployed.is_working_day(date(2026, 8, 22))
    assert deployed.add_working_days(date(2026, 8, 21), 1) == date(2026, 8, 22)


def test_a_holiday_on_a_sunday_gives_the_monday_off_as_its_substitute_day(library):
    # Giỗ Tổ Hùng Vương 10/3 âm lịch is Sunday 26/4/2026: nghỉ bù Monday 27/4.
    assert library.holiday_name(date(2026, 4, 26)) == "Ngày Giỗ Tổ Hùng Vương"
    assert not library.is_working_day(date(2026, 4, 27))
    assert "nghỉ bù" in library.holiday_name(date(2026, 4, 27))
    assert library.add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)


def test_a_holiday_on_a_saturday_gives_the_next_monday_off(library):
    # 1/5/2027 is a Saturday: nghỉ bù Monday 3/5/2027.
    assert library.holiday_name(date(2027, 5, 1)) == "Ngày Quốc tế Lao động"
    assert not library.is_working_day(date(2027, 5, 3))
    assert library.add_working_days(date(2027, 4, 29), 1) == date(2027, 5, 4)


def test_an_override_working_saturday_counts_as_a_working_day():
    cal = WorkingCalendar(extra_working_days={date(2026, 1, 10)})
    assert cal.is_working_day(date(2026, 1, 10))
    assert cal.holiday_name(date(2026, 1, 10)) is None
    assert cal.add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 10)
    assert WorkingCalendar().add_working_days(date(2026, 1, 9), 1) == date(2026, 1, 12)


def test_an_override_day_off_does_not_count_as_a_working_day():
    cal = WorkingCalendar(extra_days_off={date(2026, 1, 2)})
    assert not cal.is_working_day(date(2026, 1, 2))
    assert cal.holiday_name(date(2026, 1, 2))
    # 31/12/2025 + 1: 1/1 is Tết Dương lịch, 2/1 the override, then the weekend.
    assert cal.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)
    assert WorkingCalendar().add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 2)


def test_an_override_working_day_wins_over_a_public_holiday_of_the_package():
    cal = WorkingCalendar(extra_working_days={date(2026, 11, 24)})
    assert cal.is_working_day(date(2026, 11, 24))
    assert cal.holiday_name(date(2026, 11, 24)) is None


def test_the_deployed_file_has_the_new_year_swap_of_2026_that_the_package_lacks(deployed, library):
    assert library.is_working_day(date(2026, 1, 2))
    assert not deployed.is_working_day(date(2026, 1, 2))
    assert "Tết Dương lịch" in deployed.holiday_name(date(2026, 1, 2))
    assert deployed.is_working_day(date(2026, 1, 10))
    assert deployed.add_working_days(date(2025, 12, 31), 1) == date(2026, 1, 5)


def test_zero_working_days_is_the_start_itself_or_the_next_working_day(library):
    assert library.add_working_days(date(2026, 2, 13), 0) == date(2026, 2, 13)
    assert library.add_working_days(date(2026, 2, 14), 0) == date(2026, 2, 23)
    assert library.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 9)


def test_a_start_on_a_day_off_is_not_counted(library):
    # Received on Saturday 7/3/2026 with 1 working day: due Monday 9/3.
    assert library.add_working_days(date(2026, 3, 7), 1) == date(2026, 3, 9)
    assert library.add_working_days(date(2026, 3, 6), 1) == date(2026, 3, 9)


def test_a_negative_number_of_working_days_is_refused(library):
    with pytest.raises(ValueError):
        library.add_working_days(date(2026, 3, 6), -1)


def test_working_days_between_counts_the_end_but_not_the_start(library):
    assert library.working_days_between(date(2026, 3, 2), date(2026, 3, 3)) == 1
    assert library.working_days_between(date(2026, 3, 2), date(2026, 3, 2)) == 0
    assert library.working_days_between(date(2026, 3, 6), date(2026, 3, 8)) == 0
    assert library.working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5


def test_working_days_between_is_negative_and_symmetric_when_the_end_comes_first(library):
    pairs = [(date(2026, 2, 13), date(2026, 2, 27)), (date(2025, 4, 20), date(2025, 5, 10)),
             (date(2025, 12, 20), date(2026, 1, 15)), (date(2026, 3, 7), date(2026, 3, 8))]
    for a, b in pairs:
        assert library.working_days_between(b, a) == -library.working_days_between(a, b)
    assert library.working_days_between(date(2026, 2, 27), date(2026, 2, 13)) == -5


@pytest.mark.parametrize("start", [date(2025, 1, 20), date(2025, 4, 25), date(2026, 2, 14),
                                   date(2026, 8, 20), date(2027, 4, 28)])
def test_working_days_between_undoes_add_working_days(deployed, start):
    for n in range(1, 15):
        assert deployed.working_days_between(start, deployed.add_working_days(start, n)) == n


def test_holiday_names_are_vietnamese_and_plain_days_have_none(library):
    assert library.holiday_name(date(2026, 1, 1)) == "Tết Dương lịch"
    assert library.holiday_name(date(2026, 9, 2)) == "Quốc khánh"
    assert library.holiday_name(date(2026, 3, 4)) is None      # a Wednesday
    assert library.holiday_name(date(2026, 3, 7)) is None      # a plain Saturday
    assert library.holiday_name(date(2025, 4, 26)) is None     # a làm bù Saturday


def test_a_datetime_counts_as_its_day_in_vietnam_time(library):
    # 17:30 UTC on Friday 13/2/2026 is already Saturday 14/2 in Vietnam.
    assert library.is_working_day(datetime(2026, 2, 13, 16, 0, tzinfo=timezone.utc))
    assert not library.is_working_day(datetime(2026, 2, 13, 17, 30, tzinfo=timezone.utc))


def test_years_apart_and_years_outside_the_package_are_answered(library):
    assert not library.is_working_day(date(2031, 1, 23))    # Tết 2031
    assert library.is_working_day(date(2150, 1, 1))        # no data: a plain Friday
    assert not library.is_working_day(date(2150, 1, 3))    # a Sunday
    assert not library.is_working_day(date(2024, 2, 12))


# --- working hours --------------------------------------------------------------------------

def test_working_hours_skip_the_lunch_break(library):
    assert library.add_working_hours(vn(2026, 3, 9, 10, 30), 2) == vn(2026, 3, 9, 14, 0)
    assert library.add_working_hours(vn(2026, 3, 9, 11, 0), 0.5) == vn(2026, 3, 9, 11, 30)
    assert library.add_working_hours(vn(2026, 3, 9, 12, 0), 1) == vn(2026, 3, 9, 14, 0)


def test_working_hours_carry_over_the_night(library):
    assert library.add_working_hours(vn(2026, 3, 9, 16, 0), 2) == vn(2026, 3, 10, 8, 30)
    assert library.add_working_hours(vn(2026, 3, 9, 20, 0), 1) == vn(2026, 3, 10, 8, 30)
    assert library.add_working_hours(vn(2026, 3, 10, 6, 0), 1) == vn(2026, 3, 10, 8, 30)


def test_working_hours_skip_the_weekend(library):
    # Friday 6/3/2026 16:00 + 2 h: one hour on Friday, one on Monday morning.
    assert library.add_working_hours(vn(2026, 3, 6, 16, 0), 2) == vn(2026, 3, 9, 8, 30)
    assert library.add_working_hours(vn(2026, 3, 7, 10, 0), 1) == vn(2026, 3, 9, 8, 30)


def test_working_hours_skip_the_tet_break(library):
    assert library.add_working_hours(vn(2026, 2, 13, 16, 0), 2) == vn(2026, 2, 23, 8, 30)


def test_a_whole_working_day_is_eight_office_hours(library):
    assert library.add_working_hours(vn(2026, 3, 9, 7, 30), 8) == vn(2026, 3, 9, 17, 0)
    assert library.add_working_hours(vn(2026, 3, 9, 7, 30), 16) == vn(2026, 3, 10, 17, 0)


def test_zero_working_hours_is_the_start_or_the_next_opening(library):
    assert library.add_working_hours(vn(2026, 3, 9, 9, 15), 0) == vn(2026, 3, 9, 9, 15)
    assert library.add_working_hours(vn(2026, 3, 9, 12, 0), 0) == vn(2026, 3, 9, 13, 0)
    assert library.add_working_hours(vn(2026, 3, 7, 12, 0), 0) == vn(2026, 3, 9, 7, 30)


def test_working_hours_accept_any_time_zone_and_answer_in_vietnam_time(library):
    start = datetime(2026, 3, 9, 3, 30, tzinfo=timezone.utc)   # 10:30 in Vietnam
    due = library.add_working_hours(start, 2)
    assert due == vn(2026, 3, 9, 14, 0)
    assert due.utcoffset() == timedelta(hours=7)


def test_working_hours_refuse_a_naive_start_and_negative_hours(library):
    with pytest.raises(ValueError):
        library.add_working_hours(datetime(2026, 3, 9, 10, 0), 1)
    with pytest.raises(ValueError):
        library.add_working_hours(vn(2026, 3, 9, 10, 0), -1)


def test_office_hours_are_configurable():
    cal = WorkingCalendar(office_hours=[(time(8, 0), time(12, 0)), (time(13, 30), time(17, 30))])
    assert cal.add_working_hours(vn(2026, 3, 9, 11, 0), 2) == vn(2026, 3, 9, 14, 30)
    assert cal.add_working_hours(vn(2026, 3, 9, 17, 0), 1) == vn(2026, 3, 10, 8, 30)


def test_working_hours_count_an_override_working_saturday():
    cal = WorkingCalendar(extra_working_days={date(2026, 1, 10)})
    assert cal.add_working_hours(vn(2026, 1, 9, 16, 30), 1) == vn(2026, 1, 10, 8, 0)


# --- the override file ----------------------------------------------------------------------

def test_no_path_or_a_missing_file_means_no_overrides(tmp_path):
    for path in (None, "", tmp_path / "absent.yml"):
        cal = calendar_from_file(path)
        assert cal.extra_days_off == frozenset() and cal.extra_working_days == frozenset()
        assert cal.is_working_day(date(2026, 1, 2))


def test_an_empty_file_means_no_overrides(tmp_path):
    path = tmp_path / "holidays.yml"
    path.write_text("# nothing yet\n")
    assert calendar_from_file(path).extra_days_off == frozenset()


def test_a_json_file_is_read(tmp_path):
    path = tmp_path / "holidays.json"
    path.write_text(json.dumps({"days_off": ["2026-01-02"], "working_days": ["2026-01-10"],
                                "office_hours": [["08:00", "12:00"], ["13:00", "17:00"]]}))
    cal = calendar_from_file(path)
    assert cal.extra_days_off == {date(2026, 1, 2)}
    assert cal.extra_working_days == {date(2026, 1, 10)}
    assert cal.office_hours == ((time(8), time(12)), (time(13), time(17)))


def test_a_yaml_file_takes_quoted_or_bare_dates_and_named_entries(tmp_path):
    path = tmp_path / "holidays.yml"
    path.write_text('days_off:\n  - 2026-01-02\n  - "2026-12-31"\n'
                    '  - {date: "2026-06-01", name: "Nghỉ theo quyết định"}\n'
                    'working_days: ["2026-01-10"]\n')
    cal = calendar_from_file(path)
    assert cal.extra_days_off == {date(2026, 1, 2), date(2026, 12, 31), date(2026, 6, 1)}
    assert cal.holiday_name(date(2026, 6, 1)) == "Nghỉ theo quyết định"
    assert cal.office_hours == ((time(7, 30), time(11, 30)), (time(13), time(17)))


@pytest.mark.parametrize("content, message", [
    ("- 2026-01-02\n", "expected a mapping"),
    ("day_off: ['2026-01-02']\n", "unknown keys day_off"),
    ("days_off: '2026-01-02'\n", "days_off must be a list"),
    ("days_off: ['2026-02-30']\n", r"days_off\[0\]: expected a date"),
    ("days_off: ['next monday']\n", r"days_off\[0\]: expected a date"),
    ("days_off: ['2026-01-02', '2026-01-02']\n", "twice"),
    ("days_off: ['2026-01-10']\nworking_days: ['2026-01-10']\n", "both days off and working"),
    ("office_hours: [[07:30, 11:30]]\n", "in quotes"),
    ("office_hours: [['11:30', '07:30']]\n", "ends before it starts"),
    ("office_hours: [['07:30', '12:00'], ['11:00', '17:00']]\n", "overlap"),
    ("office_hours: [['07:30']]\n", r"office_hours\[0\]: expected a \[start, end\] pair"),
    ("office_hours: [['7h30', '11:30']]\n", "HH:MM"),
    ("office_hours: []\n", "at least one period"),
    ("days_off: [2026-01-02\n", "not valid YAML"),
    ("days_off: [2026-02-30]\n", "not valid YAML: day is out of range"),
])
def test_bad_override_content_is_refused_with_a_clear_message(tmp_path, content, message):
    path = tmp_path / "holidays.yml"
    path.write_text(content)
    with pytest.raises(ValueError, match=message):
        calendar_from_file(path)


def test_bad_json_is_refused_with_a_clear_message(tmp_path):
    path = tmp_path / "holidays.json"
    path.write_text('{"days_off": ["2026-01-02",]}')
    with pytest.raises(ValueError, match="not valid JSON"):
        calendar_from_file(path)


def test_overrides_given_as_data_are_checked_the_same_way():
    assert calendar_from_overrides(None).extra_days_off == frozenset()
    with pytest.raises(ValueError, match="unknown keys"):
        calendar_from_overrides({"holidays": []})


def test_the_deployed_override_file_loads_with_its_2025_and_2026_decisions(deployed):
    listed = deployed.extra_days_off | deployed.extra_working_days
    assert all(d.year in (2025, 2026) for d in listed)
    assert deployed.extra_working_days == {date(2025, 4, 26), date(2026, 1, 10),
                                           date(2026, 8, 22)}
    assert all(d.weekday() == 5 for d in deployed.extra_working_days)
    assert deployed.office_hours == ((time(7, 30), time(11, 30)), (time(13), time(17)))
