"""Timers whose interval comes from config (``TIMERS: {name: seconds}``), so a deployment
tunes them and tests make them fast instead of waiting for a module constant; and a way
for a service to run such a timer's round at once when it has just made work for it (an
e-mail queued, a reindex requested), so the interval bounds only the work another
process made, or a retry, and the timer need not poll often to be prompt."""
from __future__ import annotations

import itertools
import time

from eventlet import Timeout
from eventlet.event import Event
from nameko.extensions import DependencyProvider
from nameko.timer import Timer


class ConfiguredTimer(Timer):
    """``@configured_timer("reminder_scan", default=300)``: every TIMERS[name] seconds
    (config), else ``default``; and at once after ``wake()`` (see ``Wakeups``)."""

    def __init__(self, name: str, default: float, eager: bool = False, **kwargs):
        super().__init__(interval=default, eager=eager, **kwargs)
        self.setting = name
        # set by stop() and by wake(): ends the wait before the next round
        self._poked = Event()

    def setup(self):
        configured = (self.container.config.get("TIMERS") or {}).get(self.setting)
        if configured not in (None, ""):
            self.interval = float(configured)
        super().setup()

    def wake(self) -> None:
        """Run the next round now, or right after the running one."""
        if not self._poked.ready():
            self._poked.send(True)

    def stop(self):
        self.should_stop.send(True)
        self.wake()
        self.gt.wait()

    def _run(self):
        """nameko's Timer loop (rounds at start + k·interval, or at once when one ran
        late), with the wait also ended by ``wake()``; after a woken round the
        schedule starts again from it."""
        schedule = self._schedule(self.eager)
        sleep_time = next(schedule)
        while True:
            with Timeout(sleep_time, exception=False):
                self._poked.wait()
            if self.should_stop.ready():
                break
            woken = self._poked.ready()
            if woken:
                self._poked.reset()
            self.handle_timer_tick()
            self.worker_complete.wait()
            self.worker_complete.reset()
            if woken:
                schedule = self._schedule(eager=False)
            sleep_time = next(schedule)

    def _schedule(self, eager: bool):
        start_time = time.time()
        for count in itertools.count(start=0 if eager else 1):
            yield max(start_time + count * self.interval - time.time(), 0)


configured_timer = ConfiguredTimer.decorator


class Wakeups(DependencyProvider):
    """``self.wakeups.wake("email_send")``: the configured timer of that name in this
    service runs its round now, not at the end of its interval. Call it after the
    transaction that made the work commits (the round reads the database)."""

    def get_dependency(self, worker_ctx):
        return self

    def wake(self, setting: str) -> None:
        wake_timer(self.container, setting)


def wake_timer(container, setting: str) -> None:
    """The configured timer ``setting`` of ``container`` runs its round now (or right
    after the running one); LookupError if the service has no such timer."""
    for entrypoint in container.entrypoints:
        if isinstance(entrypoint, ConfiguredTimer) and entrypoint.setting == setting:
            entrypoint.wake()
            return
    raise LookupError(f"no configured timer {setting!r} in {container.service_name}")
