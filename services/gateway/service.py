"""The HTTP API gateway: the only public HTTP surface. It authenticates callers,
validates what it can at the edge, calls the services over RabbitMQ with a timeout
(503 when a service is down, 504 when it is too slow), and serves the OpenAPI
document, the vocabulary and the web UI. It keeps no state.

Every /api/v1 route is a row of routes.py. Most pass one call on (pass_through.py);
the rest are hand-written, grouped by concern: signing in (session_routes.py,
directory_sign_in.py), live notifications (stream_routes.py), reads composed from
several services (composed_routes.py), and what the gateway serves itself
(web_routes.py)."""
from __future__ import annotations

import eventlet

from services.common.errors import EofficeError, NotFound
from services.common.http import json_response
from services.common.migrations import SERVICES_WITH_DATABASE as SERVICES
from services.common.rpc import TimedRpc
from services.common.service_base import ServiceBase, private_metrics_http
from services.gateway.composed_routes import ComposedRoutes
from services.gateway.dependencies import AuthProvider
from services.gateway.directory_sign_in import DirectorySignInRoutes
from services.gateway.http import http
from services.gateway.pass_through import PassThroughRoutes
from services.gateway.session_routes import SessionRoutes
from services.gateway.stream_routes import NotificationStreamRoutes
from services.gateway.web_routes import WebRoutes

HEALTH_TIMEOUT_SECONDS = 2.0


class GatewayService(PassThroughRoutes, SessionRoutes, DirectorySignInRoutes,
                     NotificationStreamRoutes, ComposedRoutes, WebRoutes, ServiceBase):
    name = "gateway"

    auth = AuthProvider()
    documents_rpc = TimedRpc("documents")
    workflow_rpc = TimedRpc("workflow")
    search_rpc = TimedRpc("search")
    notify_rpc = TimedRpc("notify")
    storage_rpc = TimedRpc("storage")
    signing_rpc = TimedRpc("signing")
    exchange_rpc = TimedRpc("exchange")

    @http("GET", "/api/v1/health")
    def health_check(self, request):
        """Each service's health RPC, asked in parallel with a 2 s deadline.
        ``{"status": "ok"|"degraded", "services": {name: {"status": "up"|"down", ...}}}``"""
        def ask(name):
            try:
                answer = getattr(self, f"{name}_rpc").with_timeout(
                    HEALTH_TIMEOUT_SECONDS).health()
                return name, {"status": "up" if answer.get("status") == "up" else "degraded",
                              **{k: v for k, v in answer.items() if k != "status"}}
            except EofficeError as exc:
                return name, {"status": "down", "error": exc.code}

        results = dict(eventlet.GreenPool(len(SERVICES)).imap(ask, SERVICES))
        overall = "ok" if all(r["status"] == "up" for r in results.values()) else "degraded"
        return json_response({"status": overall, "services": results},
                             200 if overall == "ok" else 503)

    @private_metrics_http("GET", "/metrics")
    def metrics_endpoint(self, request):
        """Prometheus metrics on METRICS_ADDRESS, not on the public port (where /metrics
        is a 404): they name every entrypoint, its load and its errors."""
        return ServiceBase.metrics_endpoint(self, request)

    @http("GET,POST,PUT,PATCH,DELETE", "/api/v1/<path:rest>")
    def unknown_route(self, request, rest):
        raise NotFound("Không có địa chỉ API này.", f"No such API route: /api/v1/{rest}")

    @http("GET,POST,PUT,PATCH,DELETE", "/<path:rest>")
    def unknown_path(self, request, rest):
        """Any other path (/metrics among them: it is on METRICS_ADDRESS): a 404 in the
        envelope, its body capped like every other (werkzeug's own 404 left eventlet
        to read a body of any size)."""
        raise NotFound("Không có địa chỉ này.", "No such address.")
