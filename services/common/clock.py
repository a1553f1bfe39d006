"""Vietnam's clock, one per service (a dependency provider).

Every "today", deadline and report day is a Vietnamese day (Asia/Ho_Chi_Minh, UTC+7 all
year, no daylight saving), whatever the server's zone. Domain code takes ``now`` or
``today`` as arguments; entrypoints ask the service's ``clock`` for them, so a test or a
demo freezes time through config instead of patching modules.

Config ``CLOCK_FROZEN_AT`` (the old ``WORKFLOW_TODAY`` is read too): empty for the real
clock; a moment ("2026-03-10T13:00:00+07:00", Vietnam's zone when none is given) to stop
time there; a day ("2026-03-10") to run as of that day at the present time of day.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

from nameko.extensions import DependencyProvider

VIETNAM = timezone(timedelta(hours=7), "ICT")
SETTINGS = ("CLOCK_FROZEN_AT", "WORKFLOW_TODAY")


class VietnamClock:
    """Now (aware, UTC) and today (Vietnam's date); frozen when ``frozen_at`` is set."""

    def __init__(self, frozen_at: str | None = None):
        self.frozen_at = str(frozen_at or "").strip()
        self._moment = self._day = None
        if "T" in self.frozen_at or " " in self.frozen_at:
            moment = datetime.fromisoformat(self.frozen_at)
            self._moment = moment if moment.tzinfo else moment.replace(tzinfo=VIETNAM)
        elif self.frozen_at:
            self._day = date.fromisoformat(self.frozen_at)

    def now(self) -> datetime:
        """The present moment, timezone-aware, in UTC."""
        if self._moment is not None:
            return self._moment.astimezone(timezone.utc)
        real = datetime.now(timezone.utc)
        if self._day is None:
            return real
        local = real.astimezone(VIETNAM)
        return datetime.combine(self._day, local.timetz()).astimezone(timezone.utc)

    def today(self) -> date:
        """Today in Vietnam."""
        return self.now().astimezone(VIETNAM).date()

    def local_now(self) -> datetime:
        """The present moment on Vietnam's wall clock."""
        return self.now().astimezone(VIETNAM)

    @property
    def frozen(self) -> bool:
        return bool(self.frozen_at)


def clock_from_config(config: dict) -> VietnamClock:
    for key in SETTINGS:
        if config.get(key):
            return VietnamClock(config[key])
    return VietnamClock()


def day_start(day: date) -> datetime:
    """The first moment of a Vietnamese day, in UTC (a report window's lower bound)."""
    return datetime.combine(day, time.min, VIETNAM).astimezone(timezone.utc)


def vietnam_date(moment: datetime) -> date:
    """The Vietnamese day a moment falls on (naive moments are taken as UTC)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(VIETNAM).date()


class Clock(DependencyProvider):
    """``self.clock.now()`` / ``self.clock.today()`` in a service, from its config."""

    def setup(self):
        self.clock = clock_from_config(self.container.config)

    def get_dependency(self, worker_ctx):
        return self.clock
