"""What every service has: a health RPC, Prometheus metrics on ``/metrics``, request
ids in logs and, for services that emit events, the outbox relay."""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone

from nameko.events import EventDispatcher
from nameko.timer import timer
from prometheus_client import CONTENT_TYPE_LATEST
from werkzeug.wrappers import Response

from services.common.context import RequestContext
from nameko.web.server import parse_address

from services.common.http import EnvelopeHttpHandler, LongRequestLineWebServer, envelope_http
from services.common.metrics import EntrypointMetrics
from services.common.outbox import (pending_count, prune_published, publish_committed,
                                    relay_pending)
from services.common.rpc import rpc

log = logging.getLogger(__name__)
STARTED_AT = time.time()


#: Where a process whose own port is public (the gateway) serves /metrics instead.
DEFAULT_METRICS_ADDRESS = "127.0.0.1:8100"


class MetricsWebServer(LongRequestLineWebServer):
    """A second web server, on METRICS_ADDRESS, for /metrics alone: reachable by
    Prometheus and the probes inside the deployment, never through the public port."""

    @property
    def bind_addr(self):
        return parse_address(str(self.container.config.get("METRICS_ADDRESS")
                                 or DEFAULT_METRICS_ADDRESS))


class MetricsHttpHandler(EnvelopeHttpHandler):
    server = MetricsWebServer()


private_metrics_http = MetricsHttpHandler.decorator


class ServiceBase:
    """Mixed into each service class. Services that own data set ``db`` (a Database
    provider); the stateless gateway has none."""

    db = None

    metrics = EntrypointMetrics()
    request_id = RequestContext()

    @rpc
    def health(self, caller=None):
        """Liveness and readiness: ``{"status": "up", "service", "database", "uptime_s"}``.
        The database is pinged; an error there reports ``"database": "error"``."""
        database = "none" if self.db is None else "ok"
        try:
            if self.db is not None:
                self.db.ping()
        except Exception:   # health must answer, whatever broke
            log.exception("health: database ping failed")
            database = "error"
        return {"status": "up" if database != "error" else "degraded",
                "service": self.name, "database": database,
                "uptime_s": round(time.time() - STARTED_AT, 1)}

    @envelope_http("GET", "/metrics")
    def metrics_endpoint(self, request):
        self._observe_state()
        return Response(self.metrics.exposition(), mimetype=CONTENT_TYPE_LATEST.split(";")[0],
                        headers={"Content-Type": CONTENT_TYPE_LATEST})

    def _observe_state(self):
        """Hook for services to refresh gauges before a scrape."""


class OutboxServiceBase(ServiceBase):
    """A service that emits events through its outbox table (``outbox``)."""

    dispatch = EventDispatcher()
    outbox = None   # the service's outbox Table

    def flush_outbox(self) -> int:
        """Publish the events this worker committed, in no transaction (outbox.py). A
        failure here is logged and left to the timer: the events are safe in the table."""
        try:
            return publish_committed(self.db, self.dispatch)
        except Exception:
            log.exception("outbox publish failed; the relay will retry")
            return 0

    @timer(interval=1)
    def relay_outbox(self):
        """Mark what the workers published, and publish what is left (outbox.py)."""
        try:
            relay_pending(self.db, self.outbox, self.dispatch)
        except Exception:
            log.exception("outbox relay failed; will retry")

    @timer(interval=3600)
    def prune_outbox(self):
        """Delete the events published more than OUTBOX_KEEP_DAYS ago (outbox.py)."""
        try:
            deleted = prune_published(self.db, self.outbox, datetime.now(timezone.utc))
        except Exception:
            log.exception("outbox pruning failed; will retry in an hour")
            return
        if deleted:
            log.info("outbox: %d events published over a week ago deleted", deleted)

    def _observe_state(self):
        self.metrics.outbox_pending.labels(self.name).set(pending_count(self.db, self.outbox))
