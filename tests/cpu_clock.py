"""CPU seconds spent by this process and the child processes it has waited for: the
bound of "this input is refused before any heavy work" that does not move with the
machine's load, as a wall-clock bound does when other processes share the two cores
(a 12-second wall time for a refusal that costs 0.5 s of CPU was seen in CI)."""
from __future__ import annotations

import os


class CpuClock:
    """``with CpuClock() as clock: ...`` then ``clock.seconds``: user and system time of
    this process and of its reaped children over the block."""

    seconds: float = 0.0

    @staticmethod
    def _now() -> float:
        times = os.times()
        return times.user + times.system + times.children_user + times.children_system

    def __enter__(self) -> "CpuClock":
        self._started = self._now()
        return self

    def __exit__(self, *exc) -> None:
        self.seconds = self._now() - self._started
