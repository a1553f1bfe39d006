"""Vietnam's day whatever the machine's zone and hour. The suite runs with TZ=UTC, with
TZ=Asia/Ho_Chi_Minh and with the clock at 23:30 UTC (`TZ=UTC faketime -f '@2026-12-06
23:30:00' make test`), when UTC's date is a day behind Vietnam's: before issue 12 a
report left out that day's work from 17:00 to 24:00 UTC. These tests pin the
computations that decided it (today, a day's window, overdue, done late) in each zone,
at that moment, through config CLOCK_FROZEN_AT as the services are frozen."""
import os
import time
from datetime import date, datetime, timedelta, timezone

import pytest

from services.common.clock import VIETNAM, VietnamClock, clock_from_config, day_start, \
    vietnam_date
from services.workflow import deadlines
from tests.clock import vietnam_today

AT_23_30_UTC = "2026-12-06T23:30:00+00:00"      # 06:30 on 7 December in Vietnam
VIETNAMS_DAY = date(2026, 12, 7)


@pytest.fixture(params=["UTC", "Asia/Ho_Chi_Minh", "America/Los_Angeles"])
def machine_zone(request):
    """The process's zone (TZ) set for one test, as a server in that zone would run."""
    kept = os.environ.get("TZ")
    os.environ["TZ"] = request.param
    time.tzset()
    yield request.param
    if kept is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = kept
    time.tzset()


def test_at_23_30_utc_today_is_already_the_next_day_in_vietnam_in_any_machine_zone(
        machine_zone):
    clock = clock_from_config({"CLOCK_FROZEN_AT": AT_23_30_UTC})
    assert clock.today() == VIETNAMS_DAY
    assert clock.local_now().hour == 6 and clock.local_now().utcoffset() == timedelta(hours=7)
    assert clock.now() == datetime(2026, 12, 6, 23, 30, tzinfo=timezone.utc)
    assert vietnam_date(clock.now()) == VIETNAMS_DAY
    assert vietnam_date(clock.now().replace(tzinfo=None)) == VIETNAMS_DAY   # naive is UTC


def test_work_given_at_23_30_utc_falls_in_the_window_of_vietnams_today(machine_zone):
    clock = VietnamClock(AT_23_30_UTC)
    today = clock.today()
    window = (day_start(today), day_start(today + timedelta(days=1)))
    assert window[0] == datetime(2026, 12, 6, 17, 0, tzinfo=timezone.utc)
    assert window[0] <= clock.now() < window[1]
    # the machine's own date would have put it in the day before: the defect of issue 12
    assert datetime.fromtimestamp(clock.now().timestamp(), timezone.utc).date() != today


def test_a_deadline_of_vietnams_today_is_not_yet_missed_at_23_30_utc(machine_zone):
    clock = VietnamClock(AT_23_30_UTC)
    today, now = clock.today(), clock.now()
    assert not deadlines.is_overdue(VIETNAMS_DAY, None, today, now)
    assert deadlines.is_overdue(VIETNAMS_DAY - timedelta(days=1), None, today, now)
    assert not deadlines.done_late(VIETNAMS_DAY, None, now)
    assert deadlines.done_late(VIETNAMS_DAY - timedelta(days=1), None, now)


def test_a_frozen_day_keeps_vietnams_time_of_day(machine_zone):
    clock = VietnamClock("2026-12-07")
    assert clock.today() == VIETNAMS_DAY
    assert clock.local_now().tzinfo is not None


def test_the_tests_today_is_the_services_today_on_the_real_clock(machine_zone):
    """tests/clock.py builds the tests' dates; under faketime both read the faked clock."""
    assert vietnam_today() == VietnamClock().today() == datetime.now(VIETNAM).date()
    if machine_zone == "Asia/Ho_Chi_Minh":
        assert date.today() == vietnam_today()
