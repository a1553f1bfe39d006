"""Configured timers (services/common/timers.py): the interval from config, and a round
at once when the service wakes the timer, without waiting for its interval."""
import time

import eventlet
import pytest
from nameko.containers import ServiceContainer

from services.common.timers import Wakeups, configured_timer

ROUNDS: list[float] = []


class Ticker:
    name = "ticker"
    wakeups = Wakeups()

    @configured_timer("tick", default=3600)
    def tick(self):
        ROUNDS.append(time.monotonic())
        eventlet.sleep(0.2)   # a round that takes a while


def started(interval: float) -> ServiceContainer:
    ROUNDS.clear()
    container = ServiceContainer(Ticker, config={"TIMERS": {"tick": interval}})
    container.start()
    return container


def wakeups_of(container) -> Wakeups:
    return next(d for d in container.dependencies if isinstance(d, Wakeups))


def wait_for_rounds(count: int, within: float) -> None:
    deadline = time.monotonic() + within
    while len(ROUNDS) < count and time.monotonic() < deadline:
        eventlet.sleep(0.01)


def test_a_woken_timer_runs_its_round_at_once_and_then_waits_its_interval_again():
    container = started(interval=30)
    try:
        woken_at = time.monotonic()
        wakeups_of(container).wake("tick")
        wait_for_rounds(1, within=2)
        assert len(ROUNDS) == 1 and ROUNDS[0] - woken_at < 0.5
        eventlet.sleep(0.5)
        assert len(ROUNDS) == 1   # the next round is an interval away, not at once
    finally:
        container.stop()


def test_a_wake_during_a_round_brings_exactly_one_more_round_right_after_it():
    container = started(interval=30)
    try:
        wakeups = wakeups_of(container)
        wakeups.wake("tick")
        wait_for_rounds(1, within=2)
        wakeups.wake("tick")   # during the round (it takes 0.2 s)
        wakeups.wake("tick")
        wait_for_rounds(2, within=2)
        eventlet.sleep(0.6)
        assert len(ROUNDS) == 2 and ROUNDS[1] - ROUNDS[0] < 0.5
    finally:
        container.stop()


def test_without_a_wake_the_rounds_come_at_the_configured_interval():
    container = started(interval=0.3)
    begun = time.monotonic()
    try:
        wait_for_rounds(3, within=10)   # late on a loaded machine, never early
        eventlet.sleep(0.6)
        elapsed = time.monotonic() - begun
        assert 3 <= len(ROUNDS) <= elapsed / 0.3 + 1
        assert ROUNDS[0] - begun > 0.25   # not eager: the first round is an interval away
    finally:
        container.stop()


def test_a_timer_with_a_long_interval_stops_at_once():
    container = started(interval=3600)
    begun = time.monotonic()
    container.stop()
    assert time.monotonic() - begun < 1 and ROUNDS == []


def test_waking_a_timer_the_service_does_not_have_is_an_error():
    container = started(interval=3600)
    try:
        with pytest.raises(LookupError, match="no configured timer 'nope' in ticker"):
            wakeups_of(container).wake("nope")
    finally:
        container.stop()
