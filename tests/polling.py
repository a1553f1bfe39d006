"""Waiting for an outcome with a deadline, instead of sleeping for a job's interval: the
e2e tests and the browser scenarios (which run without eventlet) both use it."""
import time


def wait_until(check, seconds: float = 20, every: float = 0.2):
    """Poll ``check`` until it gives something true or ``seconds`` pass; its last result."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        result = check()
        if result:
            return result
        time.sleep(every)
    return check()


class EventLog:
    """What a test's listening service heard, in order: (event type, what it kept)."""

    def __init__(self):
        self.events = []

    def of(self, event_type):
        return [kept for kind, kept in self.events if kind == event_type]
