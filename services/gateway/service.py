"""The HTTP API gateway: the only public HTTP surface. It authenticates callers,
validates what it can at the edge, calls the services over RabbitMQ with a timeout
(503 when a service is down, 504 when it is too slow), and serves the OpenAPI
document and the web UI. It keeps no state."""
from __future__ import annotations

import base64
import logging
import mimetypes
import os
import time

import eventlet
from eventlet import tpool
from werkzeug.utils import safe_join
from werkzeug.wrappers import Response

from services.common.migrations import SERVICES_WITH_DATABASE as SERVICES
from nameko.events import BROADCAST
from nameko.events import event_handler as nameko_event_handler
from nameko.timer import timer

from services.common import events, tables
from services.common.errors import (EofficeError, Forbidden, InvalidInput, NotFound,
                                    Unauthenticated, not_found)
from services.common.rpc import TimedRpc
from services.common.service_base import ServiceBase, private_metrics_http
from services.gateway import history_export, live, openapi
from services.gateway.dependencies import REVOCATIONS, AuthProvider
from services.gateway.directory_sign_in import DirectorySignInRoutes
from services.common.http import json_response
from services.gateway.http import http, idempotency_key, read_json

EXPORT_TYPES = {"pdf": "application/pdf",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
STATIC_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "static")
HEALTH_TIMEOUT_SECONDS = 2.0
REVOCATIONS_SYNC_SECONDS = 30
log = logging.getLogger(__name__)
# a revoked session's or user's open streams end at once
REVOCATIONS.on_revoke(lambda **what: live.CHANNELS.close(**what))


def query_params(request, *names) -> dict:
    """Query string values that were given, as strings (services validate them)."""
    return {name: request.args[name] for name in names if request.args.get(name) not in
            (None, "")}


def file_response(export: dict) -> Response:
    """A rendered file the documents service returned (base64) as an attachment."""
    return Response(base64.b64decode(export["content_base64"]), headers={
        "Content-Type": export["content_type"],
        "Content-Disposition": f'attachment; filename="{export["filename"]}"',
        "X-Document-Count": str(export["count"])})


class GatewayService(DirectorySignInRoutes, ServiceBase):
    name = "gateway"

    auth = AuthProvider()
    documents_rpc = TimedRpc("documents")
    workflow_rpc = TimedRpc("workflow")
    search_rpc = TimedRpc("search")
    notify_rpc = TimedRpc("notify")
    storage_rpc = TimedRpc("storage")

    # ------------------------------------------------------------------ system

    @http("GET", "/api/v1/health")
    def health_check(self, request):
        """Each service's health RPC, asked in parallel with a 2 s deadline.
        ``{"status": "ok"|"degraded", "services": {name: {"status": "up"|"down", ...}}}``"""
        proxies = {"documents": self.documents_rpc, "workflow": self.workflow_rpc,
                   "search": self.search_rpc, "notify": self.notify_rpc,
                   "storage": self.storage_rpc}

        def ask(name):
            try:
                answer = proxies[name].with_timeout(HEALTH_TIMEOUT_SECONDS).health()
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

    @http("GET", "/api/v1/openapi.json")
    def openapi_document(self, request):
        return json_response(openapi.build_document())

    @http("GET,POST,PUT,PATCH,DELETE", "/api/v1/<path:rest>")
    def unknown_route(self, request, rest):
        raise NotFound("Không có địa chỉ API này.", f"No such API route: /api/v1/{rest}")

    @http("GET,POST,PUT,PATCH,DELETE", "/<path:rest>")
    def unknown_path(self, request, rest):
        """Any other path (/metrics among them: it is on METRICS_ADDRESS): a 404 in the
        envelope, its body capped like every other (werkzeug's own 404 left eventlet
        to read a body of any size)."""
        raise NotFound("Không có địa chỉ này.", "No such address.")

    # ------------------------------------------------------------------ identity

    @http("POST", "/api/v1/auth/login")
    def login(self, request):
        """``{username, password}`` → ``{access_token, token_type, expires_in (s),
        refresh_token, refresh_expires_in, must_change_password, user}``. 401 for a
        wrong pair (the same answer whether or not the user exists); 429 with
        Retry-After while the account or the client address is throttled; 503 when
        too many passwords are being checked at once. With must_change_password the
        access token only allows POST /auth/password (and logout)."""
        body = read_json(request)
        address = request.remote_addr or ""
        # The organisation's LDAP directory first when it is configured (None: local).
        answer = self._ldap_login(body, address) or self.documents_rpc.authenticate(
            self.auth.system_token(), body.get("username"), body.get("password"), address)
        return json_response(self.auth.signed_in(answer))

    @http("POST", "/api/v1/auth/refresh")
    def refresh(self, request):
        """``{refresh_token}`` → a new access token and a new refresh token (the one
        given is used up), with the user's current roles; as login. 401 when the
        refresh token is unknown, expired, revoked or already used (then its whole
        session is revoked: it was copied)."""
        body = read_json(request)
        answer = self.documents_rpc.refresh_session(self.auth.system_token(),
                                                    body.get("refresh_token"))
        return json_response(self.auth.signed_in(answer))

    @http("POST", "/api/v1/auth/logout")
    def logout(self, request):
        """End the caller's session: its access and refresh tokens stop working at once."""
        token = self.auth.token_of(request, allow_password_change=True)
        session_id = self.auth.check(token).session_id
        result = self.documents_rpc.end_session(token)
        REVOCATIONS.revoke_session(session_id)   # here at once, even before the broadcast
        return json_response(result)

    @http("POST", "/api/v1/auth/password")
    def change_password(self, request):
        """``{old_password, new_password}`` (at least 10 characters, not holding the
        username): every session of the caller ends and a new one starts → as login."""
        token = self.auth.token_of(request, allow_password_change=True)
        answer = self.documents_rpc.change_password(token, read_json(request),
                                                    request.remote_addr or "")
        self._sync_revocations()
        return json_response(self.auth.signed_in(answer))

    @timer(interval=REVOCATIONS_SYNC_SECONDS, eager=True)
    def sync_revocations(self):
        """At start and now and then: the revocations documents keeps, in case a
        tokens_revoked broadcast was missed."""
        self._sync_revocations()

    def _sync_revocations(self):
        try:
            REVOCATIONS.load(self.documents_rpc.with_timeout(5).list_revocations(
                self.auth.system_token(), REVOCATIONS.ttl_seconds + 60))
        except EofficeError as exc:
            log.warning("could not load revocations from documents: %s", exc)

    @nameko_event_handler("documents", events.TOKENS_REVOKED, handler_type=BROADCAST,
                          reliable_delivery=False)
    def on_documents_tokens_revoked(self, message):
        """Every gateway process hears every revocation and refuses those tokens at
        once (and ends their live streams)."""
        REVOCATIONS.apply(message.get("data") or {})

    @http("GET", "/api/v1/me")
    def me(self, request):
        return json_response(self.documents_rpc.get_me(
            self.auth.token_of(request, allow_password_change=True)))

    # ------------------------------------------------------------------ directory

    @http("GET", "/api/v1/units")
    def list_units(self, request):
        params = query_params(request, "parent_id", "q", "active", "page", "page_size")
        return json_response(self.documents_rpc.list_units(self.auth.token_of(request), params))

    @http("GET", "/api/v1/units/<unit_id>")
    def get_unit(self, request, unit_id):
        return json_response(self.documents_rpc.get_unit(self.auth.token_of(request), unit_id))

    @http("POST", "/api/v1/units")
    def create_unit(self, request):
        """Add a unit (administrators) → 201 with the unit."""
        body = read_json(request)
        return json_response(self.documents_rpc.create_unit(self.auth.token_of(request), body),
                             201)

    @http("POST", "/api/v1/units/<unit_id>/rename")
    def rename_unit(self, request, unit_id):
        """Rename a unit from a date (administrators): {name, abbreviation?, effective_date}."""
        body = read_json(request)
        return json_response(self.documents_rpc.rename_unit(self.auth.token_of(request),
                                                            unit_id, body))

    @http("POST", "/api/v1/units/merge")
    def merge_units(self, request):
        """Merge units into another (administrators): {unit_ids, into_unit_id,
        effective_date} → {successor, merged}."""
        body = read_json(request)
        return json_response(self.documents_rpc.merge_units(self.auth.token_of(request), body))

    @http("GET", "/api/v1/units/<unit_id>/history")
    def unit_history(self, request, unit_id):
        return json_response(self.documents_rpc.get_unit_history(self.auth.token_of(request),
                                                                 unit_id))

    @http("GET", "/api/v1/users")
    def list_users(self, request):
        params = query_params(request, "unit_id", "below", "q", "page", "page_size")
        return json_response(self.documents_rpc.list_users(self.auth.token_of(request), params))

    @http("POST", "/api/v1/users")
    def create_user(self, request):
        """Create a user with roles per unit (administrators) → 201 with the profile."""
        body = read_json(request)
        return json_response(self.documents_rpc.create_user(self.auth.token_of(request), body),
                             201)

    @http("PUT", "/api/v1/users/<user_id>/memberships")
    def set_user_memberships(self, request, user_id):
        """Replace a user's roles per unit (quản trị): {memberships: [{unit_id, role}]}."""
        body = read_json(request)
        result = self.documents_rpc.set_user_memberships(self.auth.token_of(request),
                                                         user_id, body)
        self._sync_revocations()   # the user's tokens stop here at once, not a moment later
        return json_response(result)

    @http("POST", "/api/v1/users/<user_id>/deactivate")
    def deactivate_user(self, request, user_id):
        """Close an account (administrators): no sign-in, and every token and session
        of the person stops at once → the profile (active false)."""
        result = self.documents_rpc.set_user_active(self.auth.token_of(request), user_id,
                                                    False)
        self._sync_revocations()
        return json_response(result)

    @http("POST", "/api/v1/users/<user_id>/reactivate")
    def reactivate_user(self, request, user_id):
        """Open a closed account again (administrators) → the profile."""
        return json_response(self.documents_rpc.set_user_active(self.auth.token_of(request),
                                                                user_id, True))

    @http("POST", "/api/v1/users/<user_id>/password-reset")
    def reset_user_password(self, request, user_id):
        """Administrators: a temporary password for the person, who must change it at
        the next sign-in; their sessions end → {user_id, temporary_password}."""
        result = self.documents_rpc.reset_password(self.auth.token_of(request), user_id)
        self._sync_revocations()
        return json_response(result)

    @http("PUT", "/api/v1/users/<user_id>/clearance")
    def set_user_clearance(self, request, user_id):
        """Set a person's clearance (quản trị, up to their own): {clearance}."""
        body = read_json(request)
        result = self.documents_rpc.set_user_clearance(self.auth.token_of(request), user_id,
                                                       body)
        self._sync_revocations()   # the user's tokens stop here at once, not a moment later
        return json_response(result)

    @http("GET", "/api/v1/rights-alerts")
    def list_rights_alerts(self, request):
        """Alerts of changes of rights the caller must see: ?state=open|all, user_id."""
        params = query_params(request, "state", "user_id", "page", "page_size")
        return json_response(self.documents_rpc.list_rights_alerts(
            self.auth.token_of(request), params))

    @http("POST", "/api/v1/rights-alerts/<alert_id>/confirm")
    def confirm_rights_alert(self, request, alert_id):
        """Confirm an alert (a head or an administrator above; not the one who changed)."""
        return json_response(self.documents_rpc.confirm_rights_alert(
            self.auth.token_of(request), alert_id))

    @http("GET", "/api/v1/document-types")
    def list_document_types(self, request):
        return json_response(self.documents_rpc.list_document_types(
            self.auth.token_of(request)))

    @http("GET", "/api/v1/registers")
    def list_registers(self, request):
        params = query_params(request, "unit_id", "direction", "year")
        return json_response(self.documents_rpc.list_registers(self.auth.token_of(request),
                                                               params))

    @http("POST", "/api/v1/registers")
    def create_register(self, request):
        """Open a register: {unit_id, direction, year, name, document_types?,
        share_counter_with?} → 201 with the register."""
        body = read_json(request)
        return json_response(self.documents_rpc.create_register(self.auth.token_of(request),
                                                                body), 201)

    @http("GET", "/api/v1/registers/<register_id>/export")
    def export_register(self, request, register_id):
        """The printable Sổ đăng ký văn bản đến: ?format=pdf|xlsx&from=&to= → the file."""
        params = query_params(request, "format", "from", "to")
        export = self.documents_rpc.export_register(self.auth.token_of(request), register_id,
                                                    params)
        return file_response(export)

    # ------------------------------------------------------------------ files

    @http("POST", "/api/v1/uploads")
    def create_upload(self, request):
        """``{filename, content_type, size}`` → ``{file_id, upload_url, expires_at}``.
        The client then PUTs the bytes to upload_url (the storage service, over HTTP:
        files never travel over RabbitMQ)."""
        body = read_json(request)
        return json_response(self.storage_rpc.create_upload(self.auth.token_of(request), body),
                             201)

    @http("GET", "/api/v1/files/<file_id>")
    def get_file(self, request, file_id):
        """File metadata, for its uploader or anyone who may see a document it belongs to."""
        return json_response(self._file_for(request, file_id, "get_file"))

    @http("GET", "/api/v1/files/<file_id>/content")
    def get_file_content(self, request, file_id):
        """302 to a short-lived signed download URL on the storage service."""
        link = self._file_for(request, file_id, "get_download_url")
        return Response(status=302, headers={"Location": link["url"]})

    def _file_for(self, request, file_id, method):
        token = self.auth.token_of(request)
        try:
            return getattr(self.storage_rpc, method)(token, file_id)   # the uploader
        except Forbidden:
            pass
        self.documents_rpc.authorize_file(token, file_id)   # raises 403/404, audited
        return getattr(self.storage_rpc, method)(self.auth.system_token(), file_id)

    # ------------------------------------------------------------------ documents

    @http("POST", "/api/v1/incoming")
    def register_incoming(self, request):
        """Register an incoming document → 201 with its arrival_number (see API.md)."""
        body = read_json(request)
        return json_response(self.documents_rpc.register_incoming(
            self.auth.token_of(request), body, idempotency_key=idempotency_key(request)), 201)

    @http("GET", "/api/v1/incoming")
    def list_incoming(self, request):
        params = query_params(request, "unit_id", "state", "from", "to", "page", "page_size")
        return json_response(self.documents_rpc.list_incoming(self.auth.token_of(request),
                                                              params))

    @http("GET", "/api/v1/incoming/<document_id>")
    def get_incoming(self, request, document_id):
        return json_response(self.documents_rpc.get_incoming(self.auth.token_of(request),
                                                             document_id))

    @http("POST", "/api/v1/outgoing")
    def create_outgoing(self, request):
        """Start a draft văn bản đi (version 1) → 201."""
        body = read_json(request)
        return json_response(self.documents_rpc.create_outgoing(
            self.auth.token_of(request), body, idempotency_key=idempotency_key(request)), 201)

    @http("GET", "/api/v1/outgoing")
    def list_outgoing(self, request):
        params = query_params(request, "unit_id", "state", "from", "to", "page", "page_size")
        return json_response(self.documents_rpc.list_outgoing(self.auth.token_of(request),
                                                              params))

    @http("GET", "/api/v1/outgoing/<document_id>")
    def get_outgoing(self, request, document_id):
        return json_response(self.documents_rpc.get_outgoing(self.auth.token_of(request),
                                                             document_id))

    @http("POST", "/api/v1/outgoing/<document_id>/versions")
    def add_outgoing_version(self, request, document_id):
        """Save a new version of a draft → 201 with the document and all its versions."""
        body = read_json(request)
        return json_response(self.documents_rpc.add_outgoing_version(
            self.auth.token_of(request), document_id, body), 201)

    @http("POST", "/api/v1/outgoing/<document_id>/<action>")
    def act_on_outgoing(self, request, document_id, action):
        """One step: submit, return, approve, check_form, sign, number, issue, recall,
        cancel (the documents service says which are allowed now, and to whom)."""
        body = read_json(request) if request.get_data() else {}
        return json_response(self.documents_rpc.act_on_outgoing(
            self.auth.token_of(request), document_id, action, body))

    @http("POST", "/api/v1/copies")
    def create_copy(self, request):
        """Make a bản sao (SY, SL, TS) of a document → 201, numbered in the copy register."""
        body = read_json(request)
        return json_response(self.documents_rpc.create_copy(
            self.auth.token_of(request), body, idempotency_key=idempotency_key(request)), 201)

    @http("GET", "/api/v1/copies")
    def list_copies(self, request):
        params = query_params(request, "unit_id", "document_id", "page", "page_size")
        return json_response(self.documents_rpc.list_copies(self.auth.token_of(request),
                                                            params))

    @http("GET", "/api/v1/copies/<copy_id>")
    def get_copy(self, request, copy_id):
        return json_response(self.documents_rpc.get_copy(self.auth.token_of(request), copy_id))

    @http("POST", "/api/v1/delegations")
    def create_delegation(self, request):
        """Ủy quyền: {unit_id, to_user_id, kind: KT|TL|TUQ, actions?, document_types?,
        valid_from?, valid_to, via_id?, note?} → 201."""
        return json_response(self.documents_rpc.create_delegation(
            self.auth.token_of(request), read_json(request)), 201)

    @http("GET", "/api/v1/delegations")
    def list_delegations(self, request):
        return json_response(self.documents_rpc.list_delegations(
            self.auth.token_of(request), query_params(request, "active")))

    @http("POST", "/api/v1/delegations/<delegation_id>/revoke")
    def revoke_delegation(self, request, delegation_id):
        return json_response(self.documents_rpc.revoke_delegation(
            self.auth.token_of(request), delegation_id))

    @http("GET", "/api/v1/documents/<document_id>/history")
    def document_history(self, request, document_id):
        """Every action on a document, who and when, from documents and workflow, oldest
        first. ?format=pdf or xlsx returns it as a printable table; ?download=1 returns
        the JSON as an attachment."""
        kind = request.args.get("format") or "json"
        if kind not in ("json", "pdf", "xlsx"):
            raise InvalidInput("Định dạng phải là json, pdf hoặc xlsx.",
                               "The format is json, pdf or xlsx.",
                               {"format": {"vi": "json, pdf hoặc xlsx.",
                                           "en": "json, pdf or xlsx."}})
        token = self.auth.token_of(request)
        recorded = self.documents_rpc.get_document_history(token, document_id)   # 403/404
        processing = self.workflow_rpc.get_processing_history(token, document_id)
        # people named in the details (a part's holder, whom a delegate acted for)
        named = {"assignee_id": "assignee_name", "on_behalf_of": "on_behalf_of_name"}
        names = self.documents_rpc.directory_names(token, sorted(
            {e["actor_id"] for e in processing["events"]}
            | {e["details"][key] for e in processing["events"] + recorded["events"]
               for key in named if e["details"].get(key)}))["users"]

        def with_names(event):
            return event | {"details": event["details"] | {
                label: names.get(event["details"][key]) for key, label in named.items()
                if event["details"].get(key)}}

        events = sorted([with_names(e) for e in recorded["events"]] + [
            with_names(e | {"actor_name": names.get(e["actor_id"], e["actor_id"])})
            for e in processing["events"]], key=lambda e: e["at"])
        body = {"document_id": document_id, "document": recorded["document"],
                "processing_state": processing["state"], "events": events}
        name = f"lich-su-{document_id[:8]}"
        if kind != "json":
            doc = recorded["document"]
            number = f"{doc['code_number']}/{doc['code_notation']}" if doc["code_number"] \
                else "(chưa có số)"
            render = tables.to_pdf if kind == "pdf" else tables.to_xlsx
            content = tpool.execute(
                render, "LỊCH SỬ XỬ LÝ VĂN BẢN", f"{number} — {doc['subject']}",
                history_export.COLUMNS, history_export.rows(events), history_export.WIDTHS)
            return Response(content, headers={
                "Content-Type": EXPORT_TYPES[kind],
                "Content-Disposition": f'attachment; filename="{name}.{kind}"'})
        headers = None
        if request.args.get("download") in ("1", "true"):
            headers = {"Content-Disposition": f'attachment; filename="{name}.json"'}
        return json_response(body, headers=headers)

    # ------------------------------------------------------------------ dossiers

    @http("POST", "/api/v1/dossiers")
    def create_dossier(self, request):
        """Open a hồ sơ: {unit_id, year, notation, title, maintenance, …} → 201."""
        body = read_json(request)
        return json_response(self.documents_rpc.create_dossier(self.auth.token_of(request),
                                                               body), 201)

    @http("GET", "/api/v1/dossiers")
    def list_dossiers(self, request):
        params = query_params(request, "unit_id", "year", "state", "page", "page_size")
        return json_response(self.documents_rpc.list_dossiers(self.auth.token_of(request),
                                                              params))

    @http("GET", "/api/v1/dossiers/<dossier_id>")
    def get_dossier(self, request, dossier_id):
        return json_response(self.documents_rpc.get_dossier(self.auth.token_of(request),
                                                            dossier_id))

    @http("POST", "/api/v1/dossiers/<dossier_id>/documents")
    def add_to_dossier(self, request, dossier_id):
        """File a document: {document_id} → the dossier."""
        body = read_json(request)
        return json_response(self.documents_rpc.add_to_dossier(
            self.auth.token_of(request), dossier_id, body.get("document_id")))

    @http("DELETE", "/api/v1/dossiers/<dossier_id>/documents/<document_id>")
    def remove_from_dossier(self, request, dossier_id, document_id):
        return json_response(self.documents_rpc.remove_from_dossier(
            self.auth.token_of(request), dossier_id, document_id))

    @http("POST", "/api/v1/dossiers/<dossier_id>/close")
    def close_dossier(self, request, dossier_id):
        return json_response(self.documents_rpc.close_dossier(self.auth.token_of(request),
                                                              dossier_id))

    @http("GET", "/api/v1/dossiers/<dossier_id>/export")
    def export_dossier(self, request, dossier_id):
        """The dossier as XML of the Phụ lục VI fields or a PDF table of contents."""
        export = self.documents_rpc.export_dossier(self.auth.token_of(request), dossier_id,
                                                   query_params(request, "format"))
        return file_response(export)

    # ------------------------------------------------------------------ audit

    @http("GET", "/api/v1/audit")
    def list_audit(self, request):
        """Audit entries for administrators (filters object_id, actor_id, action)."""
        params = query_params(request, "object_id", "actor_id", "action", "page", "page_size")
        return json_response(self.documents_rpc.list_audit(self.auth.token_of(request), params))

    @http("GET", "/api/v1/audit/verify")
    def verify_audit(self, request):
        """Walk the audit hash chain: {intact, checked, first_broken}."""
        return json_response(self.documents_rpc.verify_audit(self.auth.token_of(request)))

    # ------------------------------------------------------------------ work

    @http("POST", "/api/v1/incoming/<document_id>/submit")
    def submit_incoming(self, request, document_id):
        """Trình: the clerk gives the document to one leader to assign: {to_user_id}."""
        return json_response(self.workflow_rpc.submit_incoming(
            self.auth.token_of(request), document_id, read_json(request)))

    @http("POST", "/api/v1/incoming/<document_id>/assign")
    def assign_incoming(self, request, document_id):
        """Phân công: {lead, co_handlers[], for_info[], instruction}; each assignee
        {unit_id | user_id, due_date}."""
        return json_response(self.workflow_rpc.assign_incoming(
            self.auth.token_of(request), document_id, read_json(request)))

    @http("GET", "/api/v1/incoming/<document_id>/processing")
    def get_processing(self, request, document_id):
        """Who has which part of the document's handling, with deadlines and progress."""
        return json_response(self.workflow_rpc.get_processing(self.auth.token_of(request),
                                                              document_id))

    @http("GET", "/api/v1/outgoing/<document_id>/processing")
    def get_outgoing_processing(self, request, document_id):
        """An outgoing draft's approval round: its chain's steps and who approved."""
        return json_response(self.workflow_rpc.get_processing(self.auth.token_of(request),
                                                              document_id))

    @http("POST", "/api/v1/assignments/<item_id>/<action>")
    def act_on_assignment(self, request, item_id, action):
        """forward {user_id, due_date?, instruction?} (a unit's leader passes the unit's
        part on) · progress {percent?, note} · return {reason} · complete {note?,
        reply_document_id?} · approve {comment?} (one step of an outgoing draft's
        approval chain)."""
        methods = {"forward": self.workflow_rpc.forward_assignment,
                   "progress": self.workflow_rpc.record_progress,
                   "return": self.workflow_rpc.return_assignment,
                   "complete": self.workflow_rpc.complete_assignment,
                   "approve": self.workflow_rpc.approve_draft}
        if action not in methods:
            raise NotFound("Không có thao tác này.", "No such action.")
        body = read_json(request) if request.get_data() else {}
        return json_response(methods[action](self.auth.token_of(request), item_id, body))

    @http("PUT", "/api/v1/approval-chains")
    def set_approval_chain(self, request):
        """Set a unit's approval chain for outgoing drafts: {unit_id, document_type?,
        steps: [{approvers: [user_id], mode: all|any}]} (empty steps remove it)."""
        return json_response(self.workflow_rpc.set_approval_chain(
            self.auth.token_of(request), read_json(request)))

    @http("GET", "/api/v1/approval-chains")
    def list_approval_chains(self, request):
        return json_response(self.workflow_rpc.list_approval_chains(
            self.auth.token_of(request), request.args.get("unit_id") or ""))

    @http("GET", "/api/v1/units/<unit_id>/processing-rules")
    def get_unit_rules(self, request, unit_id):
        return json_response(self.workflow_rpc.get_unit_rules(self.auth.token_of(request),
                                                              unit_id))

    @http("PUT", "/api/v1/units/<unit_id>/processing-rules")
    def set_unit_rules(self, request, unit_id):
        """A unit's deadlines when none is named: {working_days: {urgency: days},
        hours: {urgent|very_urgent|flash: hours}}."""
        body = read_json(request)
        if isinstance(body, dict):
            body = body | {"unit_id": unit_id}
        return json_response(self.workflow_rpc.set_unit_rules(self.auth.token_of(request),
                                                              body))

    @http("POST", "/api/v1/tasks")
    def create_task(self, request):
        """Giao việc: {unit_id, title, description?, assignee_id, due_date?, document_id?,
        parent_id?} → 201."""
        return json_response(self.workflow_rpc.create_task(self.auth.token_of(request),
                                                           read_json(request)), 201)

    @http("GET", "/api/v1/tasks")
    def list_tasks(self, request):
        return json_response(self.workflow_rpc.list_tasks(
            self.auth.token_of(request), query_params(
                request, "view", "unit_id", "state", "document_id", "page", "page_size")))

    @http("GET", "/api/v1/tasks/<task_id>")
    def get_task(self, request, task_id):
        return json_response(self.workflow_rpc.get_task(self.auth.token_of(request), task_id))

    @http("POST", "/api/v1/tasks/<task_id>/updates")
    def update_task(self, request, task_id):
        """Progress {percent?, note}, completion {complete: true, note?} or, by its giver,
        cancellation {cancel: true, note}."""
        return json_response(self.workflow_rpc.update_task(self.auth.token_of(request),
                                                           task_id, read_json(request)))

    @http("GET", "/api/v1/reports/processing")
    def report_processing(self, request):
        """Báo cáo tình hình giải quyết văn bản đến: per unit or person given work, for
        a period — received, done on time, done late, open, overdue — with the documents
        behind each number."""
        return json_response(self.workflow_rpc.report_processing(
            self.auth.token_of(request), query_params(request, "unit_id", "from", "to", "by")))

    @http("GET", "/api/v1/reports/processing/export")
    def export_processing_report(self, request):
        """The same report as PDF or XLSX."""
        return file_response(self.workflow_rpc.export_processing_report(
            self.auth.token_of(request),
            query_params(request, "unit_id", "from", "to", "by", "format")))

    @http("GET", "/api/v1/inbox")
    def inbox(self, request):
        params = query_params(request, "view", "kind", "urgency", "page", "page_size")
        return json_response(self.workflow_rpc.list_inbox(self.auth.token_of(request), params))

    @http("GET", "/api/v1/notifications")
    def notifications(self, request):
        params = query_params(request, "unread", "page", "page_size")
        if "unread" in params:
            params["unread"] = params["unread"].lower() in ("1", "true", "yes")
        return json_response(self.notify_rpc.list_notifications(self.auth.token_of(request),
                                                                params))

    @http("POST", "/api/v1/notifications/stream-ticket")
    def notification_stream_ticket(self, request):
        """A one-time ticket, valid 30 s, to open the stream with (browsers' EventSource
        sends no headers, and tokens never travel in a URL) → {ticket, expires_in}."""
        token = self.auth.token_of(request)
        return json_response(self.documents_rpc.create_stream_ticket(
            token, self.auth.expires_at(token)), 201)

    @http("GET", "/api/v1/notifications/stream")
    def notification_stream(self, request):
        """Server-sent events for the caller: "unread" {unread} at once, then each new
        "notification" {id, kind, title, body, document_id, urgency, created_at} as
        notify creates it, and "end" {reason} when the access token the ticket was
        made with expires or its session is revoked. Opened with ?ticket= (POST
        /notifications/stream-ticket; single use); ?access_token= is refused."""
        ticket = request.args.get("ticket", "")
        if not ticket:
            raise Unauthenticated("Cần vé mở luồng (?ticket=, từ POST "
                                  "/notifications/stream-ticket).",
                                  "A stream ticket is required (?ticket=, from POST "
                                  "/notifications/stream-ticket).")
        opened = self.documents_rpc.redeem_stream_ticket(self.auth.system_token(), ticket)
        user, session_id = opened["user"], opened["session_id"]
        if REVOCATIONS.is_revoked(user["id"], session_id, opened["token_version"]) or \
                opened["access_expires_at"] <= time.time():
            raise self.auth.session_over()
        token = self.auth.issue(user, session_id, opened["token_version"], ttl_seconds=60)
        unread = self.notify_rpc.list_notifications(token, {"page_size": 1})["unread"]
        # eventlet's server holds output back until 4 kB have gathered; events are small
        request.environ["eventlet.minimum_write_chunk_size"] = 0
        return Response(live.event_stream(live.CHANNELS, user["id"], unread, session_id,
                                          opened["token_version"],
                                          opened["access_expires_at"]),
                        headers={"Content-Type": "text/event-stream; charset=utf-8",
                                 "Cache-Control": "no-store", "X-Accel-Buffering": "no"})

    @nameko_event_handler("notify", events.NOTIFICATION_CREATED, handler_type=BROADCAST,
                          reliable_delivery=False)
    def on_notify_notification_created(self, message):
        """Every gateway process hears every new notification and pushes it to the
        streams its user has open here (nothing to do if none)."""
        for note in (message.get("data") or {}).get("notifications", []):
            live.CHANNELS.publish(note["user_id"], {k: v for k, v in note.items()
                                                    if k != "user_id"})

    @http("GET", "/api/v1/notifications/preferences")
    def get_notification_preferences(self, request):
        """The caller's channels: {in_app, email_enabled, email, email_available}."""
        return json_response(self.notify_rpc.get_preferences(self.auth.token_of(request)))

    @http("PUT", "/api/v1/notifications/preferences")
    def set_notification_preferences(self, request):
        """Change the caller's channels: {email_enabled?, email?}."""
        return json_response(self.notify_rpc.set_preferences(self.auth.token_of(request),
                                                             read_json(request)))

    @http("POST", "/api/v1/notifications/<notification_id>/read")
    def mark_notification_read(self, request, notification_id):
        return json_response(self.notify_rpc.mark_read(self.auth.token_of(request),
                                                       notification_id))

    @http("POST", "/api/v1/notifications/read-all")
    def mark_all_notifications_read(self, request):
        return json_response(self.notify_rpc.mark_all_read(self.auth.token_of(request)))

    @http("GET", "/api/v1/search")
    def search(self, request):
        """Full-text search over what the caller may see; snippets mark hits with <mark>."""
        return json_response(self.search_rpc.search(self.auth.token_of(request),
                                                    self._search_params(request)))

    @http("GET", "/api/v1/search/export")
    def export_search(self, request):
        """The search's hits (at most 1,000) as an XLSX spreadsheet (format=xlsx)."""
        params = self._search_params(request)
        if params.pop("format", "xlsx") != "xlsx":
            raise InvalidInput("Định dạng phải là xlsx.", "The format is xlsx.",
                               {"format": {"vi": "Chỉ xlsx.", "en": "xlsx only."}})
        return file_response(self.search_rpc.export_search(self.auth.token_of(request), params))

    @http("POST", "/api/v1/search/reindex")
    def reindex_search(self, request):
        """Administrators: rebuild the search index from documents and storage, while
        searches go on answering → 202 with the run; 409 if one is running."""
        return json_response(self.search_rpc.reindex(self.auth.token_of(request)), 202)

    @http("GET", "/api/v1/search/reindex")
    def reindex_search_status(self, request):
        """Administrators: the latest reindex run with its progress."""
        return json_response(self.search_rpc.reindex_status(self.auth.token_of(request)))

    @http("GET", "/api/v1/saved-searches")
    def list_saved_searches(self, request):
        return json_response(self.search_rpc.list_saved_searches(self.auth.token_of(request)))

    @http("POST", "/api/v1/saved-searches")
    def save_search(self, request):
        """{name, params: {q, filters…}} → 201."""
        return json_response(self.search_rpc.save_search(self.auth.token_of(request),
                                                         read_json(request)), 201)

    @http("DELETE", "/api/v1/saved-searches/<saved_id>")
    def delete_saved_search(self, request, saved_id):
        return json_response(self.search_rpc.delete_saved_search(self.auth.token_of(request),
                                                                 saved_id))

    @staticmethod
    def _search_params(request) -> dict:
        known = ("q", "unit_id", "register_id", "issuer_organ_id", "document_type", "urgency",
                 "direction", "state", "from", "to", "issued_from", "issued_to", "sort",
                 "facets", "page", "page_size")
        params = query_params(request, *known)
        for name in set(request.args) - set(known):
            params[name] = request.args[name]   # the search service names it in a 400
        return params

    # ------------------------------------------------------------------ web UI

    @http("GET", "/")
    def web_index(self, request):
        return self._static("index.html")

    @http("GET", "/static/<path:filename>")
    def web_static(self, request, filename):
        return self._static(filename)

    def _static(self, filename):
        path = safe_join(STATIC_DIR, filename)
        if path is None or not os.path.isfile(path):
            raise not_found("tệp giao diện", "UI file", filename)
        with open(path, "rb") as handle:
            content = handle.read()
        mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
        if mimetype.startswith("text/") or mimetype == "application/javascript":
            mimetype += "; charset=utf-8"
        return Response(content, headers={"Content-Type": mimetype})
