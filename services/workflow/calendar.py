"""The working-day calendar that processing deadlines are counted in (no nameko here).

A day is a working day unless it is a Saturday or Sunday, a Vietnamese public holiday or
its substitute day (nghỉ bù), or a day off the government swapped in; a Saturday the
government swapped to be worked (làm bù) is a working day. The public holidays, their
substitute days and the swaps the library knows of come from the PyPI ``holidays``
package (country VN, Vietnamese names); a deployment adds the government's yearly
decisions that the library lacks with an override file (deploy/holidays.yml):

    days_off:      ["2026-01-02", ...]          # extra days off
    working_days:  ["2026-01-10", ...]          # days worked whatever the library says
    office_hours:  [["07:30", "11:30"], ["13:00", "17:00"]]

Precedence, first match wins: working_days override → working; days_off override → off;
a weekend day the library marks as worked (làm bù) → working; Saturday/Sunday → off;
a library public holiday → off; otherwise → working.

Conventions for deadlines:

* ``add_working_days(D, n)`` — a document received on day D with n working days is due
  at the end of the n-th working day after D; D itself does not count, whether or not it
  is a working day. With n == 0 the deadline is D when D is a working day, else the next
  working day.
* ``working_days_between(a, b)`` counts the working days in (a, b]: a excluded, b
  included, so ``working_days_between(D, add_working_days(D, n)) == n`` for n ≥ 1. It is
  negative, with the same magnitude, when b < a.
* ``add_working_hours(t, h)`` counts only time inside office hours on working days,
  in Vietnam time. A deadline that falls exactly at the end of a period is that end
  (10:30 + 1 h → 11:30, not 13:00); with h == 0 the result is t when t is inside office
  hours, else the next opening.

The library's data for Vietnam covers 1901–2100; outside that only weekends and the
overrides apply.
"""
from __future__ import annotations

import json
import logging
import math
import os
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays
import yaml

log = logging.getLogger(__name__)

try:
    VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
except ZoneInfoNotFoundError:  # an image without tzdata: the same fixed offset
    VN_TZ = timezone(timedelta(hours=7), "ICT")

# Giờ hành chính: Vietnam has kept UTC+7 without daylight saving since 1975.
DEFAULT_OFFICE_HOURS: tuple[tuple[time, time], ...] = (
    (time(7, 30), time(11, 30)),
    (time(13, 0), time(17, 0)),
)
SATURDAY, SUNDAY = 5, 6
# Names for days that only an override makes days off.
OVERRIDE_DAY_OFF_NAME = "Ngày nghỉ theo quyết định của cơ quan có thẩm quyền"
_OVERRIDE_KEYS = ("days_off", "working_days", "office_hours")


# --- the library's data, cached ------------------------------------------------------------

@lru_cache(maxsize=32)
def _vn_holidays(first_year: int, last_year: int) -> holidays.HolidayBase:
    """The library's Vietnamese holidays for first_year..last_year (Vietnamese names).
    Only read after it is built (items() and weekend_workdays, never a lookup that would
    make it populate more years), so sharing it between green threads is safe."""
    return holidays.VN(years=range(first_year, last_year + 1), language="vi")


@dataclass(frozen=True)
class _YearData:
    days_off: dict          # date -> Vietnamese name
    weekend_workdays: frozenset


@lru_cache(maxsize=256)
def _library_year(year: int) -> _YearData:
    """The library's holidays and làm bù Saturdays that fall in one year. A swap can cross
    a new year (e.g. 31/12/2018 off, worked 5/1/2019; 2/1/2015 off, worked 27/12/2014) and
    the library records it under the year of the day off, so the years on both sides are
    read too."""
    vn = _vn_holidays(max(year - 1, 1), min(year + 1, 9999))
    days_off = {d: name for d, name in vn.items() if d.year == year}
    workdays = frozenset(d for d in getattr(vn, "weekend_workdays", ()) if d.year == year)
    return _YearData(days_off, workdays)


# --- the calendar -------------------------------------------------------------------------

def _as_date(value) -> date:
    """A date; a datetime stands for its day in Vietnam time (a naive one as it is)."""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(VN_TZ)
        return value.date()
    if isinstance(value, date):
        return value
    raise TypeError(f"expected a date, got {type(value).__name__}")


def _check_office_hours(periods) -> tuple[tuple[time, time], ...]:
    periods = tuple((start, end) for start, end in periods)
    if not periods:
        raise ValueError("office_hours: at least one period is needed")
    for start, end in periods:
        if not (isinstance(start, time) and isinstance(end, time)):
            raise ValueError("office_hours: each period is a (start, end) pair of times")
        if start.tzinfo is not None or end.tzinfo is not None:
            raise ValueError("office_hours: times are Vietnam local times, without a zone")
        if start >= end:
            raise ValueError(f"office_hours: period {start:%H:%M}–{end:%H:%M} ends "
                             "before it starts")
    periods = tuple(sorted(periods))
    for (_, end), (start, _) in zip(periods, periods[1:]):
        if start < end:
            raise ValueError(f"office_hours: periods overlap at {start:%H:%M}")
    return periods


class WorkingCalendar:
    """Vietnamese working days and office hours; see the module's docstring for the rules
    and the conventions. Immutable once built, so one instance serves a whole process."""

    def __init__(self, extra_days_off=frozenset(), extra_working_days=frozenset(),
                 office_hours=DEFAULT_OFFICE_HOURS, names: dict | None = None):
        self.extra_days_off = frozenset(_as_date(d) for d in extra_days_off)
        self.extra_working_days = frozenset(_as_date(d) for d in extra_working_days)
        both = self.extra_days_off & self.extra_working_days
        if both:
            listed = ", ".join(sorted(d.isoformat() for d in both))
            raise ValueError(f"dates both days off and working days: {listed}")
        self.office_hours = _check_office_hours(office_hours)
        # Names given to override days off (the loader's {date, name} entries).
        self._names = {_as_date(d): n for d, n in (names or {}).items()}

    def __repr__(self):
        return (f"WorkingCalendar({len(self.extra_days_off)} extra days off, "
                f"{len(self.extra_working_days)} extra working days, "
                f"office hours {self._office_hours_text()})")

    def _office_hours_text(self) -> str:
        return ", ".join(f"{s:%H:%M}–{e:%H:%M}" for s, e in self.office_hours)

    # days

    def is_working_day(self, d) -> bool:
        d = _as_date(d)
        if d in self.extra_working_days:
            return True
        if d in self.extra_days_off:
            return False
        data = _library_year(d.year)
        if d.weekday() in (SATURDAY, SUNDAY):
            return d in data.weekend_workdays
        return d not in data.days_off

    def holiday_name(self, d) -> str | None:
        """The name of the holiday or day off on d (Vietnamese, as the library gives it),
        or None: for a working day, and for a plain Saturday or Sunday."""
        d = _as_date(d)
        if d in self.extra_working_days:
            return None
        library = _library_year(d.year).days_off.get(d)
        if d in self.extra_days_off:
            return self._names.get(d) or library or OVERRIDE_DAY_OFF_NAME
        if d in _library_year(d.year).weekend_workdays:
            return None
        return library

    def next_working_day(self, d) -> date:
        """d itself when it is a working day, else the first working day after it."""
        d = _as_date(d)
        while not self.is_working_day(d):
            d += timedelta(days=1)
        return d

    def add_working_days(self, start, n: int) -> date:
        """The deadline n working days after start: the n-th working day after it
        (start itself not counted); for n == 0, next_working_day(start)."""
        if isinstance(n, bool) or not isinstance(n, int):
            raise TypeError("n must be an int")
        if n < 0:
            raise ValueError("n must be 0 or more")
        d = _as_date(start)
        if n == 0:
            return self.next_working_day(d)
        while n:
            d += timedelta(days=1)
            if self.is_working_day(d):
                n -= 1
        return d

    def working_days_between(self, a, b) -> int:
        """The number of working days in (a, b]; minus the number in (b, a] when b < a."""
        a, b = _as_date(a), _as_date(b)
        if b < a:
            return -self.working_days_between(b, a)
        count, d = 0, a
        while d < b:
            d += timedelta(days=1)
            count += self.is_working_day(d)
        return count

    # hours

    def add_working_hours(self, start: datetime, hours: float) -> datetime:
        """start plus hours of office time on working days, in Vietnam time. start must be
        timezone-aware; the result is in Asia/Ho_Chi_Minh."""
        if not isinstance(start, datetime):
            raise TypeError("start must be a datetime")
        if start.tzinfo is None or start.utcoffset() is None:
            raise ValueError("start must be timezone-aware (e.g. Asia/Ho_Chi_Minh)")
        if isinstance(hours, bool) or not isinstance(hours, (int, float)):
            raise TypeError("hours must be a number")
        if not math.isfinite(hours) or hours < 0:
            raise ValueError("hours must be a finite number, 0 or more")
        remaining = timedelta(hours=hours)
        now = start.astimezone(VN_TZ)
        day = now.date()
        while True:
            if self.is_working_day(day):
                for opens, closes in self.office_hours:
                    period_start = max(datetime.combine(day, opens, tzinfo=VN_TZ), now)
                    period_end = datetime.combine(day, closes, tzinfo=VN_TZ)
                    if period_start >= period_end:
                        continue
                    if remaining <= period_end - period_start:
                        return period_start + remaining
                    remaining -= period_end - period_start
            day += timedelta(days=1)
            now = datetime.combine(day, time(0, 0), tzinfo=VN_TZ)


# --- the override file --------------------------------------------------------------------

def _parse_day(value, where: str) -> tuple[date, str | None]:
    name = None
    if isinstance(value, dict):
        unknown = set(value) - {"date", "name"}
        if unknown or "date" not in value:
            raise ValueError(f"{where}: an entry is a date or {{date, name}}, got {value!r}")
        name = value.get("name")
        if name is not None and not isinstance(name, str):
            raise ValueError(f"{where}: name must be text")
        value = value["date"]
    if isinstance(value, datetime):
        raise ValueError(f"{where}: expected a date, got a date and time {value!r}")
    if isinstance(value, date):
        return value, name
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip()), name
        except ValueError:
            pass
    raise ValueError(f"{where}: expected a date as YYYY-MM-DD, got {value!r}")


def _parse_days(raw, key: str, source: str) -> tuple[set[date], dict]:
    if raw is None:
        return set(), {}
    if not isinstance(raw, list):
        raise ValueError(f"{source}: {key} must be a list of dates (YYYY-MM-DD)")
    days, names = set(), {}
    for i, value in enumerate(raw):
        d, name = _parse_day(value, f"{source}: {key}[{i}]")
        if d in days:
            raise ValueError(f"{source}: {key} lists {d.isoformat()} twice")
        days.add(d)
        if name:
            names[d] = name
    return days, names


def _parse_time(value, where: str) -> time:
    if isinstance(value, int) and not isinstance(value, bool):
        # YAML 1.1 reads an unquoted 07:30 as the base-60 number 450.
        raise ValueError(f"{where}: write times in quotes, e.g. \"07:30\" "
                         f"(YAML read an unquoted time as the number {value})")
    if isinstance(value, str):
        try:
            hh, mm = value.strip().split(":")
            if len(hh) in (1, 2) and len(mm) == 2 and hh.isdigit() and mm.isdigit():
                return time(int(hh), int(mm))
        except ValueError:
            pass
    raise ValueError(f"{where}: expected a time as \"HH:MM\", got {value!r}")


def _parse_office_hours(raw, source: str):
    if raw is None:
        return DEFAULT_OFFICE_HOURS
    if not isinstance(raw, list):
        raise ValueError(f"{source}: office_hours must be a list of [\"HH:MM\", \"HH:MM\"] pairs")
    periods = []
    for i, pair in enumerate(raw):
        where = f"{source}: office_hours[{i}]"
        if not isinstance(pair, list) or len(pair) != 2:
            raise ValueError(f"{where}: expected a [start, end] pair, got {pair!r}")
        periods.append((_parse_time(pair[0], where), _parse_time(pair[1], where)))
    try:
        return _check_office_hours(periods)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None


def calendar_from_overrides(data, source: str = "overrides") -> WorkingCalendar:
    """A calendar from the override file's content, already parsed (a dict or None)."""
    if data is None:
        return WorkingCalendar()
    if not isinstance(data, dict):
        raise ValueError(f"{source}: expected a mapping with keys "
                         f"{', '.join(_OVERRIDE_KEYS)}, got {type(data).__name__}")
    unknown = sorted(str(k) for k in set(data) - set(_OVERRIDE_KEYS))
    if unknown:
        raise ValueError(f"{source}: unknown keys {', '.join(unknown)}; "
                         f"expected {', '.join(_OVERRIDE_KEYS)}")
    days_off, names = _parse_days(data.get("days_off"), "days_off", source)
    working_days, _ = _parse_days(data.get("working_days"), "working_days", source)
    office_hours = _parse_office_hours(data.get("office_hours"), source)
    try:
        return WorkingCalendar(days_off, working_days, office_hours, names=names)
    except ValueError as exc:
        raise ValueError(f"{source}: {exc}") from None


def calendar_from_file(path) -> WorkingCalendar:
    """A calendar from a YAML or JSON override file (JSON when the name ends in .json).
    An empty path or a missing file means no overrides; bad content raises ValueError."""
    if not path:
        return WorkingCalendar()
    path = os.fspath(path)
    if not os.path.exists(path):
        log.warning("holidays override file %s not found: public holidays only", path)
        return WorkingCalendar()
    with open(path, encoding="utf-8") as f:
        text = f.read()
    try:
        if path.lower().endswith(".json"):
            data = json.loads(text) if text.strip() else None
        else:
            data = yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        # ValueError: json's errors, and PyYAML's for a bare date such as 2026-02-30.
        kind = "JSON" if path.lower().endswith(".json") else "YAML"
        raise ValueError(f"{path}: not valid {kind}: {exc}") from None
    return calendar_from_overrides(data, source=path)
