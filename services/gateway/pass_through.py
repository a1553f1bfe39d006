"""The gateway's pass-through routes, made from the route table (routes.py): one
generic handler per row that names an RPC. Mixed into GatewayService, which gives
``auth``, a ``<service>_rpc`` proxy for each service and ``_sync_revocations``."""
from __future__ import annotations

import base64

from werkzeug.wrappers import Response

from services.common.http import json_response
from services.gateway import routes
from services.gateway.http import http, idempotency_key, read_json


def query_params(request, *names) -> dict:
    """Query string values that were given, as strings (services validate them)."""
    return {name: request.args[name] for name in names if request.args.get(name) not in
            (None, "")}


def query_and_unknown(request, route: routes.Route) -> dict:
    """The route's query parameters that were given, and any other as it is: the
    service names an unknown one in a 400."""
    params = query_params(request, *route.query_names)
    for name in set(request.args) - set(route.query_names):
        params[name] = request.args[name]
    return params


def file_response(export: dict) -> Response:
    """A rendered file a service returned (base64) as an attachment."""
    return Response(base64.b64decode(export["content_base64"]), headers={
        "Content-Type": export["content_type"],
        "Content-Disposition": f'attachment; filename="{export["filename"]}"',
        "X-Document-Count": str(export["count"])})


def _argument(source, request, route: routes.Route, path_values: dict, body):
    """One argument of the RPC, from where the row says (routes.py's docstring)."""
    if not isinstance(source, str):
        return source
    if source == routes.QUERY:
        params = query_params(request, *route.query_names)
        for name in route.boolean_query & set(params):
            params[name] = params[name].lower() in ("1", "true", "yes")
        return params
    if source == routes.QUERY_AND_UNKNOWN:
        return query_and_unknown(request, route)
    if source in (routes.BODY, routes.OPTIONAL_BODY):
        return body
    if source.startswith("query."):
        return request.args.get(source[len("query."):]) or ""
    if source.startswith("body."):
        return body.get(source[len("body."):])
    if source.startswith("body+"):
        name = source[len("body+"):]
        return body | {name: path_values[name]}
    return path_values[source]


def _body(request, route: routes.Route):
    """The JSON body, when the row takes one."""
    sources = {s for s in route.args if isinstance(s, str)}
    if routes.OPTIONAL_BODY in sources:
        return read_json(request) if request.get_data() else {}
    if any(source.startswith("body") for source in sources):
        return read_json(request)
    return None


class PassThroughRoutes:
    def _pass_through(self, route: routes.Route, request, path_values: dict):
        if route.token_first:
            token = self.auth.token_of(request)
            body = _body(request, route)
        else:
            body = _body(request, route)
            token = self.auth.token_of(request,
                                       allow_password_change=route.password_change)
        args = [_argument(source, request, route, path_values, body) for source in route.args]
        kwargs = {"idempotency_key": idempotency_key(request)} if route.idempotent else {}
        proxy = getattr(self, f"{route.service}_rpc")
        if route.slow:   # may sign a PDF (the signing service's time on top) or render a register
            proxy = proxy.with_timeout(routes.SLOW_RPC_TIMEOUT_SECONDS)
        method = getattr(proxy, route.rpc_method)
        result = method(token, *args, **kwargs)
        if route.resync_revocations:   # the person's tokens stop here at once
            self._sync_revocations()
        if route.answer == routes.FILE:
            return file_response(result)
        return json_response(result, route.status)


def _handler(route: routes.Route):
    def handler(self, request, **path_values):
        return self._pass_through(route, request, path_values)

    handler.__name__ = handler.__qualname__ = route.name
    handler.__doc__ = f"{route.method} {route.path} → {route.rpc}: {route.summary}"
    return http(route.method, route.path)(handler)


for _route in routes.PASS_THROUGH:
    setattr(PassThroughRoutes, _route.name, _handler(_route))
