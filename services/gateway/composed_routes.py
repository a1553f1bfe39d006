"""Routes that do more than pass one call on: reads the gateway composes from several
services (a document's history, a dossier's export with its processing histories, a
file seen through a document), a part of work's actions, and the search export. Mixed
into GatewayService, which gives ``auth`` and the ``<service>_rpc`` proxies.

Why the gateway composes: documents is the system of record and never calls workflow
(docs/architecture.md, "Who calls whom, and why")."""
from __future__ import annotations

from eventlet import tpool
from werkzeug.wrappers import Response

from services.common import tables
from services.common.errors import (Forbidden, InvalidInput, NotFound, ServiceTimeout,
                                    ServiceUnavailable)
from services.common.http import json_response
from services.gateway import history_export, routes
from services.gateway.http import http, read_json
from services.gateway.pass_through import file_response, query_and_unknown, query_params

EXPORT_TYPES = {"pdf": "application/pdf",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}
SEARCH = routes.route_named("search")


class ComposedRoutes:
    # ------------------------------------------------------------------ files

    @http("GET", "/api/v1/files/<file_id>")
    def get_file(self, request, file_id):
        """File metadata, for its uploader or anyone who may see a document it belongs to."""
        return json_response(self._file_for(request, file_id, "get_file"))

    @http("GET", "/api/v1/files/<file_id>/content")
    def get_file_content(self, request, file_id):
        """302 to a short-lived signed download URL on the storage service."""
        link = self._file_for(request, file_id, "get_download_url")
        return Response(status=302, headers={"Location": link["url"]})

    @http("GET", "/api/v1/files/<file_id>/view-link")
    def get_file_view_link(self, request, file_id):
        """``{url, expires_at}``: storage's signed URL (5 minutes) asking a PDF to be shown
        inline, for a new tab — the browser's PDF viewer then draws its stamps."""
        link = self._file_for(request, file_id, "get_download_url")
        return json_response(link | {"url": link["url"] + "&view=1"})

    @http("GET", "/api/v1/files/<file_id>/signatures")
    def get_file_signatures(self, request, file_id):
        """The verification report of a PDF's signatures (signing), for whoever may see
        the file; ``{"status": "pending"}`` until the check is done, ``not_applicable``
        for a file that is not a PDF."""
        record = self._file_for(request, file_id, "get_file")
        if record.get("kind") != "pdf" or record.get("status") != "stored":
            return json_response({"file_id": file_id, "status": "not_applicable"})
        report = self.signing_rpc.get_verifications(self.auth.system_token(),
                                                    [file_id]).get(file_id)
        return json_response(report or {"file_id": file_id, "status": "pending"})

    def _file_for(self, request, file_id, method):
        token = self.auth.token_of(request)
        try:
            return getattr(self.storage_rpc, method)(token, file_id)   # the uploader
        except Forbidden:
            pass
        self.documents_rpc.authorize_file(token, file_id)   # raises 403/404, audited
        return getattr(self.storage_rpc, method)(self.auth.system_token(), file_id)

    # ------------------------------------------------------------------ histories

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
        names = self.documents_rpc.directory_names(token, history_export.people_named(
            recorded["events"], processing["events"]))["users"]
        events = history_export.merged(recorded["events"], processing["events"], names)
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

    @http("GET", "/api/v1/dossiers/<dossier_id>/export")
    def export_dossier(self, request, dossier_id):
        """The dossier as XML of the Phụ lục VI fields (each document with its
        processing trace) or a PDF table of contents (?format=xml|pdf, pdf by default).
        For XML the gateway gathers each filed document's processing history from
        workflow and documents merges them; a history workflow could not give is marked
        incomplete in the file. Errors: documents' (403, 404, 400 for a format)."""
        token = self.auth.token_of(request)
        params = query_params(request, "format")
        histories = self._processing_histories(token, dossier_id) \
            if params.get("format") == "xml" else {}   # a table of contents shows none
        return file_response(self.documents_rpc.export_dossier(token, dossier_id, params,
                                                               histories))

    def _processing_histories(self, token, dossier_id) -> dict:
        """{document_id: [events] | None} for the dossier's documents the caller may see
        (get_dossier: 403/404 as the export), None where workflow did not answer; once
        it has not, the rest are None too rather than waiting for it again."""
        dossier = self.documents_rpc.get_dossier(token, dossier_id)
        system_token = self.auth.system_token()
        histories: dict = {}
        for document in dossier["documents"]:
            if document.get("withheld"):
                continue
            if None in histories.values():
                histories[document["id"]] = None
                continue
            try:
                histories[document["id"]] = self.workflow_rpc.get_processing_history(
                    system_token, document["id"])["events"]
            except (ServiceUnavailable, ServiceTimeout):
                histories[document["id"]] = None
        return histories

    # ------------------------------------------------------------------ work

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

    # ------------------------------------------------------------------ search

    @http("GET", "/api/v1/search/export")
    def export_search(self, request):
        """The search's hits (at most 1,000) as an XLSX spreadsheet (format=xlsx); the
        same parameters as the search."""
        params = query_and_unknown(request, SEARCH)
        if params.pop("format", "xlsx") != "xlsx":
            raise InvalidInput("Định dạng phải là xlsx.", "The format is xlsx.",
                               {"format": {"vi": "Chỉ xlsx.", "en": "xlsx only."}})
        return file_response(self.search_rpc.export_search(self.auth.token_of(request), params))
