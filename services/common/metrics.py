"""Prometheus metrics for every service: latency and count of every entrypoint by
method, kind and outcome, taken in worker hooks (no decorator on entrypoints).

Each container has its own registry, so a test can start a service twice in one
process without "duplicated timeseries" errors.
"""
from __future__ import annotations

import time
from weakref import WeakKeyDictionary

from nameko.events import EventHandler
from nameko.extensions import DependencyProvider
from nameko.rpc import Rpc
from nameko.timer import Timer
from nameko.web.handlers import HttpRequestHandler
from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest

from services.common.errors import EofficeError

BUCKETS = (0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)


def _kind(entrypoint) -> str:
    for cls, name in ((Rpc, "rpc"), (EventHandler, "event"), (HttpRequestHandler, "http"),
                      (Timer, "timer")):
        if isinstance(entrypoint, cls):
            return name
    return "other"


class EntrypointMetrics(DependencyProvider):

    def setup(self):
        self.registry = CollectorRegistry()
        service = self.container.service_name
        self.latency = Histogram(
            "eoffice_entrypoint_latency_seconds", "Entrypoint latency",
            ["service", "entrypoint", "kind", "outcome"], buckets=BUCKETS,
            registry=self.registry)
        self.calls = Counter(
            "eoffice_entrypoint_calls_total", "Entrypoint calls",
            ["service", "entrypoint", "kind", "outcome"], registry=self.registry)
        self.outbox_pending = Gauge(
            "eoffice_outbox_pending_events", "Events written but not yet published",
            ["service"], registry=self.registry)
        self.custom = {}
        self.service = service
        self.starts = WeakKeyDictionary()

    def worker_setup(self, worker_ctx):
        self.starts[worker_ctx] = time.perf_counter()

    def worker_result(self, worker_ctx, result=None, exc_info=None):
        start = self.starts.pop(worker_ctx, None)
        if start is None:
            return
        if exc_info is None:
            outcome = "ok"
        elif isinstance(exc_info[1], EofficeError) and exc_info[1].status < 500:
            outcome = "rejected"
        else:
            outcome = "error"
        labels = (self.service, worker_ctx.entrypoint.method_name,
                  _kind(worker_ctx.entrypoint), outcome)
        self.latency.labels(*labels).observe(time.perf_counter() - start)
        self.calls.labels(*labels).inc()

    def histogram(self, name: str, doc: str, buckets=BUCKETS) -> Histogram:
        """A service-specific histogram in this container's registry (created once)."""
        if name not in self.custom:
            self.custom[name] = Histogram(name, doc, ["service"], buckets=buckets,
                                          registry=self.registry)
        return self.custom[name].labels(self.service)

    def gauge(self, name: str, doc: str) -> Gauge:
        if name not in self.custom:
            self.custom[name] = Gauge(name, doc, ["service"], registry=self.registry)
        return self.custom[name].labels(self.service)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)

    def get_dependency(self, worker_ctx):
        return self
