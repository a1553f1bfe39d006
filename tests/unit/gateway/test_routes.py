"""The route table (services/gateway/routes.py) is the one place routes are written: the
gateway's entrypoints are made from it or checked against it, the OpenAPI document is
built from it, and the web UI's client calls nothing else. The pass-through handler
passes each argument on from where its row says, through nameko's worker_factory."""
import inspect
import json
import os
import re

import pytest
from nameko.testing.services import worker_factory
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from services.common import vocabulary
from services.common.errors import InvalidInput, ServiceUnavailable, Unauthenticated
from services.gateway import http, openapi, routes
from services.gateway.service import GatewayService

STATIC = os.path.join(os.path.dirname(__file__), "..", "..", "..", "services", "gateway",
                      "static")
API_JS = os.path.join(STATIC, "api.js")


def web_ui_sources() -> str:
    """Every module of the web UI but its message tables (a path in a message is text)."""
    sources = []
    for folder, dirs, files in os.walk(STATIC):
        dirs[:] = [d for d in dirs if d != "i18n"]
        for name in sorted(files):
            if name.endswith(".js") and name != "i18n.js":
                with open(os.path.join(folder, name), encoding="utf-8") as handle:
                    sources.append(handle.read())
    return "\n".join(sources)


def api_entrypoints() -> set[tuple[str, str, str]]:
    """(method, path, method name) of every /api/v1 ``@http`` entrypoint of the gateway,
    mixins included, as nameko finds them (the catch-all 404 routes left out)."""
    found = set()
    for name, attr in inspect.getmembers(GatewayService):
        for entrypoint in getattr(attr, "nameko_entrypoints", ()):
            if isinstance(entrypoint, http.ApiHandler) and \
                    entrypoint.url.startswith("/api/v1/") and "<path:" not in entrypoint.url:
                found.update((method, entrypoint.url, name)
                             for method in entrypoint.method.split(","))
    return found


def test_the_gateways_api_routes_are_exactly_the_route_table():
    assert api_entrypoints() == {(r.method, r.path, r.name) for r in routes.ROUTES}


def test_each_route_is_in_the_table_once_under_a_name_of_its_own():
    assert len({(r.method, r.path) for r in routes.ROUTES}) == len(routes.ROUTES)
    assert len({r.name for r in routes.ROUTES}) == len(routes.ROUTES)


@pytest.mark.parametrize("route", routes.PASS_THROUGH, ids=lambda r: r.name)
def test_a_pass_through_row_takes_only_values_its_path_has(route):
    in_path = set(re.findall(r"<([a-z_]+)>", route.path))
    named = {source for source in route.args if isinstance(source, str) and
             not source.startswith(("query", "body"))}
    plus = {source[len("body+"):] for source in route.args
            if isinstance(source, str) and source.startswith("body+")}
    assert named | plus <= in_path
    assert route.service in ("documents", "workflow", "search", "notify", "storage", "signing",
                             "exchange")


def test_the_openapi_document_has_every_route_of_the_table_and_no_other():
    paths = openapi.build_document()["paths"]
    documented = {(method.upper(), path) for path, ops in paths.items() for method in ops}
    assert documented == {(r.method, r.openapi_path) for r in routes.ROUTES}


def test_the_openapi_document_is_valid_openapi_3_1_shape():
    document = openapi.build_document()
    assert document["openapi"].startswith("3.1")
    refs = set(re.findall(r'"#/components/schemas/([A-Za-z]+)"', json.dumps(document)))
    assert refs <= set(document["components"]["schemas"])
    for path, operations in document["paths"].items():
        for operation in operations.values():
            assert operation["responses"], path


def test_the_openapi_document_gives_each_route_its_real_success_status():
    paths = openapi.build_document()["paths"]
    assert "202" in paths["/api/v1/search/reindex"]["post"]["responses"]
    assert "201" in paths["/api/v1/incoming"]["post"]["responses"]
    assert "200" in paths["/api/v1/incoming"]["get"]["responses"]


def test_the_openapi_enumerations_come_from_the_vocabulary():
    document = openapi.build_document()
    schemas = document["components"]["schemas"]
    request = schemas["IncomingRequest"]["properties"]
    assert request["urgency"]["enum"] == list(vocabulary.URGENCIES)
    assert request["confidentiality"]["enum"] == list(vocabulary.CONFIDENTIALITIES)
    assert schemas["User"]["properties"]["memberships"]["items"]["properties"]["role"][
        "enum"] == list(vocabulary.ROLES)
    inbox = {p["name"]: p for p in document["paths"]["/api/v1/inbox"]["get"]["parameters"]}
    assert inbox["urgency"]["schema"]["enum"] == list(vocabulary.URGENCIES)
    assert inbox["kind"]["schema"]["enum"] == list(vocabulary.WORK_KIND_NAMES)
    assert set(schemas["Vocabulary"]["properties"]) == set(vocabulary.as_api())


def paths_called_by_the_web_ui() -> list[tuple[str | None, str]]:
    """(method or None, path below /api/v1) of every API path the web UI's modules
    write: in ``request("METHOD", path…)`` calls, in ``apiFetch(path…)`` (a download)
    and any other literal path (a link, the token refresh), with ``${…}`` standing for
    one path segment."""
    with open(API_JS, encoding="utf-8") as handle:
        source = handle.read()
    everywhere = web_ui_sources()
    calls = [(method, path) for method, path in re.findall(
        r'request\(\s*"([A-Z]+)",\s*[`"](/[^`"]*)[`"]', everywhere)]
    literals = re.findall(r'[`"](?:\$\{BASE\})?(/[a-z][^`"\s]*)[`"]', source) + \
        re.findall(r'apiFetch\(\s*[`"](/[^`"]*)[`"]', everywhere) + \
        re.findall(r'[`"]/api/v1(/[^`"\s]*)[`"]', everywhere)
    called = {path for _, path in calls}
    return calls + [(None, path) for path in literals if path not in called
                    and path != "/api/v1"]


def in_table(method: str | None, path: str) -> bool:
    for route in routes.ROUTES:
        pattern = re.sub(r"<[a-z_]+>", "[^/]+", re.escape(route.path).replace(r"\<", "<")
                         .replace(r"\>", ">"))
        concrete = "/api/v1" + re.sub(r"\$\{[^}]*\}", "x", path)
        if re.fullmatch(pattern, concrete) and method in (None, route.method):
            return True
    return False


def test_every_path_the_web_uis_client_calls_is_in_the_route_table():
    called = paths_called_by_the_web_ui()
    assert len(called) > 40   # the parser still finds the calls
    assert [call for call in called if not in_table(*call)] == []


# ---------------------------------------------------------------- the generic handler

class FakeProxy:
    """A service's RPC proxy that records each call and answers what ``answers`` holds
    for the method (or ``{"called": method}``)."""

    def __init__(self, service, calls, answers):
        self.service, self.calls, self.answers = service, calls, answers

    def with_timeout(self, seconds):
        return self

    def __getattr__(self, method):
        if method.startswith("_"):
            raise AttributeError(method)

        def call(*args, **kwargs):
            self.calls.append((self.service, method, args, kwargs))
            answer = self.answers.get(method, {"called": method})
            if isinstance(answer, Exception):
                raise answer
            return answer(*args) if callable(answer) else answer
        return call


@pytest.fixture
def gateway():
    """The gateway's worker with fake proxies; ``gateway.calls`` records every call
    (RPCs, token checks, revocation reloads) in order."""
    service = worker_factory(GatewayService)
    service.calls, service.answers = [], {}
    for name in ("documents", "workflow", "search", "notify", "storage"):
        setattr(service, f"{name}_rpc", FakeProxy(name, service.calls, service.answers))

    def token_of(request, allow_password_change=False):
        service.calls.append(("token", allow_password_change))
        if "Authorization" not in request.headers:
            raise Unauthenticated()
        return "tok"
    service.auth.token_of.side_effect = token_of
    service.auth.system_token.return_value = "system"
    service._sync_revocations = lambda: service.calls.append("reload revocations")
    return service


def call(gateway, name, path_values=None, signed_in=True, **request):
    route = routes.route_named(name)
    headers = dict(request.pop("headers", {}), **({"Authorization": "Bearer tok"}
                                                   if signed_in else {}))
    path = re.sub(r"<([a-z_]+)>", lambda m: (path_values or {})[m.group(1)], route.path)
    built = Request(EnvironBuilder(method=route.method, path=path, headers=headers,
                                   **request).get_environ())
    return getattr(gateway, name)(built, **(path_values or {}))


def rpc_calls(gateway):
    return [c for c in gateway.calls if isinstance(c, tuple) and c[0] != "token"]


def test_a_listing_passes_on_the_documented_query_values_that_were_given(gateway):
    response = call(gateway, "list_units",
                    query_string="q=Sở&parent_id=&page=2&unknown=1&active=true")
    assert rpc_calls(gateway) == [("documents", "list_units",
                                   ("tok", {"q": "Sở", "page": "2", "active": "true"}), {})]
    assert response.status_code == 200 and json.loads(response.get_data()) == {
        "called": "list_units"}


def test_a_query_value_documented_as_boolean_is_passed_as_a_boolean(gateway):
    call(gateway, "notifications", query_string="unread=TRUE&page_size=5")
    assert rpc_calls(gateway)[0][2] == ("tok", {"unread": True, "page_size": "5"})


def test_the_search_passes_unknown_parameters_on_for_the_service_to_name(gateway):
    call(gateway, "search", query_string="q=a&unit_id=&colour=red")
    assert rpc_calls(gateway)[0][2] == ("tok", {"q": "a", "colour": "red"})


def test_a_creating_call_passes_the_body_and_the_idempotency_key_and_answers_201(gateway):
    response = call(gateway, "register_incoming", json={"subject": "S"},
                    headers={"Idempotency-Key": "k-1"})
    assert response.status_code == 201
    assert rpc_calls(gateway) == [("documents", "register_incoming", ("tok", {"subject": "S"}),
                                   {"idempotency_key": "k-1"})]


def test_path_values_constants_and_body_fields_are_passed_in_the_rows_order(gateway):
    call(gateway, "deactivate_user", {"user_id": "u1"})
    call(gateway, "add_to_dossier", {"dossier_id": "d1"}, json={"document_id": "x", "y": 1})
    call(gateway, "set_unit_rules", {"unit_id": "u2"}, json={"hours": {}})
    call(gateway, "list_approval_chains")
    assert rpc_calls(gateway) == [
        ("documents", "set_user_active", ("tok", "u1", False), {}),
        ("documents", "add_to_dossier", ("tok", "d1", "x"), {}),
        ("workflow", "set_unit_rules", ("tok", {"hours": {}, "unit_id": "u2"}), {}),
        ("workflow", "list_approval_chains", ("tok", ""), {})]


def test_a_call_that_may_revoke_tokens_reloads_the_revocations_after_it(gateway):
    call(gateway, "set_user_clearance", {"user_id": "u1"}, json={"clearance": "secret"})
    assert gateway.calls[-2:] == [
        ("documents", "set_user_clearance", ("tok", "u1", {"clearance": "secret"}), {}),
        "reload revocations"]


def test_an_outgoing_step_takes_an_optional_body_and_a_submission_goes_to_workflow(gateway):
    call(gateway, "act_on_outgoing", {"document_id": "d1", "action": "sign"})
    call(gateway, "submit_outgoing", {"document_id": "d1"}, json={"comment": "Kính trình"})
    call(gateway, "submit_outgoing", {"document_id": "d2"})
    assert rpc_calls(gateway) == [
        ("documents", "act_on_outgoing", ("tok", "d1", "sign", {}), {}),
        ("workflow", "submit_outgoing", ("tok", "d1", {"comment": "Kính trình"}), {}),
        ("workflow", "submit_outgoing", ("tok", "d2", {}), {})]


def test_me_accepts_a_token_that_only_allows_changing_the_password(gateway):
    call(gateway, "me")
    assert ("token", True) in gateway.calls


def test_an_anonymous_malformed_body_is_a_400_where_the_body_is_read_first(gateway):
    with pytest.raises(InvalidInput):
        call(gateway, "create_unit", signed_in=False, data=b"{oops")
    with pytest.raises(Unauthenticated):   # a token_first row: the token before the body
        call(gateway, "create_task", signed_in=False, data=b"{oops")
    assert rpc_calls(gateway) == []


def test_a_file_answer_is_an_attachment_with_its_count(gateway):
    gateway.answers["export_register"] = {"content_base64": "eA==", "count": 3,
                                          "content_type": "application/pdf",
                                          "filename": "so.pdf"}
    response = call(gateway, "export_register", {"register_id": "r1"},
                    query_string="format=pdf")
    assert response.get_data() == b"x" and response.headers["X-Document-Count"] == "3"
    assert response.headers["Content-Disposition"] == 'attachment; filename="so.pdf"'
    assert rpc_calls(gateway)[0][2] == ("tok", "r1", {"format": "pdf"})


# ---------------------------------------------------------------- composed reads

EXPORT = {"content_base64": "eA==", "count": 3, "content_type": "application/xml",
          "filename": "ho-so.xml"}


def dossier_of(*documents):
    return {"id": "d1", "documents": [dict(document) for document in documents]}


def test_a_dossier_export_carries_each_documents_processing_history(gateway):
    gateway.answers.update(
        get_dossier=dossier_of({"id": "a"}, {"id": "b"}, {"id": "c", "withheld": True}),
        get_processing_history=lambda token, doc_id: {"events": [{"doc": doc_id}]},
        export_dossier=EXPORT)
    response = call(gateway, "export_dossier", {"dossier_id": "d1"},
                    query_string="format=xml")
    assert response.status_code == 200
    assert rpc_calls(gateway) == [
        ("documents", "get_dossier", ("tok", "d1"), {}),
        ("workflow", "get_processing_history", ("system", "a"), {}),
        ("workflow", "get_processing_history", ("system", "b"), {}),
        ("documents", "export_dossier", ("tok", "d1", {"format": "xml"}, {
            "a": [{"doc": "a"}], "b": [{"doc": "b"}]}), {})]


def test_a_dossier_export_marks_histories_workflow_did_not_give_and_stops_asking(gateway):
    gateway.answers.update(get_dossier=dossier_of({"id": "a"}, {"id": "b"}),
                           get_processing_history=ServiceUnavailable(),
                           export_dossier=EXPORT)
    call(gateway, "export_dossier", {"dossier_id": "d1"}, query_string="format=xml")
    asked = [c for c in rpc_calls(gateway) if c[1] == "get_processing_history"]
    assert len(asked) == 1
    assert rpc_calls(gateway)[-1][2][3] == {"a": None, "b": None}


def test_a_dossiers_table_of_contents_asks_workflow_nothing(gateway):
    gateway.answers["export_dossier"] = EXPORT
    call(gateway, "export_dossier", {"dossier_id": "d1"})
    assert rpc_calls(gateway) == [("documents", "export_dossier", ("tok", "d1", {}, {}), {})]


# ---------------------------------------------------------------- served with validators

def test_the_vocabulary_is_public_with_an_etag_and_a_304_when_unchanged(gateway):
    first = call(gateway, "vocabulary", signed_in=False)
    assert json.loads(first.get_data()) == vocabulary.as_api()
    assert first.headers["Cache-Control"] == "no-cache" and first.headers["ETag"]
    again = call(gateway, "vocabulary", signed_in=False,
                 headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert again.headers["ETag"] == first.headers["ETag"]
    other = call(gateway, "vocabulary", signed_in=False, headers={"If-None-Match": '"old"'})
    assert other.status_code == 200


def static(gateway, filename, **headers):
    request = Request(EnvironBuilder(path=f"/static/{filename}", headers=headers)
                      .get_environ())
    return gateway.web_static(request, filename)


def test_the_web_uis_files_carry_an_etag_and_are_revalidated_not_refetched(gateway):
    first = static(gateway, "api.js")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    assert first.headers["Content-Type"].endswith("charset=utf-8")
    again = static(gateway, "api.js", **{"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    assert static(gateway, "app.js").headers["ETag"] != first.headers["ETag"]
