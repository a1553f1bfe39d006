"""The gateway's one route table: every public route of /api/v1, once.

From it the gateway makes its pass-through routes (pass_through.py: one generic handler
per row that names an RPC) and the OpenAPI document builds its paths (openapi.py). A row
without an RPC is a hand-written handler (``name`` is its method): routes that do more
than pass a call on — sign-in, health, streams, exports that compose services, files.
Tests check that the gateway's ``@http`` entrypoints are exactly this table and that
every path the web UI's client (static/api.js) calls is in it.

A pass-through route calls ``<service>.<method>(token, *args)``; each of ``args`` says
where one argument comes from:

- ``"document_id"`` (any name in the path): that path value;
- ``QUERY``: the route's query parameters that were given, as strings (a parameter
  documented as boolean is passed as a bool); ``QUERY_AND_UNKNOWN`` adds any other given
  parameter as it is, so the service can name it in a 400;
- ``"query.unit_id"``: one query value as a string ("" when absent);
- ``BODY``: the JSON object body (400 when there is none or it is not one);
  ``OPTIONAL_BODY``: the body if one was sent, else ``{}``;
- ``"body.document_id"``: one field of the body; ``"body+unit_id"``: the body with the
  path's ``unit_id`` added;
- anything that is not a string: that constant.

The body is read before the token is checked (a malformed body is a 400 for anyone),
except on ``token_first`` rows, which have always checked the token first (401 before
400); ``idempotent`` rows pass the client's ``Idempotency-Key`` as ``idempotency_key=``.
"""
from __future__ import annotations

from dataclasses import dataclass

from services.common import vocabulary

QUERY = "query"
QUERY_AND_UNKNOWN = "query+"
BODY = "body"
OPTIONAL_BODY = "body?"

#: How a route answers: JSON (the default), a rendered file, a redirect, or a stream.
JSON, FILE, REDIRECT, STREAM = "json", "file", "redirect", "stream"
#: Who may call: a bearer token; anyone; anyone, but the request's own credentials (a
#: password, a refresh token, a stream ticket) may earn a 401.
BEARER, PUBLIC, CREDENTIALS = "bearer", "public", "credentials"


@dataclass(frozen=True)
class Route:
    method: str
    path: str               # werkzeug's syntax: /api/v1/units/<unit_id>
    name: str               # the entrypoint (metrics label); a hand-written handler's name
    tag: str
    summary: str
    rpc: str | None = None  # "documents.list_units"; None: hand-written
    args: tuple = ()
    status: int = 200
    answer: str = JSON
    auth: str = BEARER
    query: tuple = ()       # OpenAPI query parameters, which QUERY passes on
    request: str | None = None    # OpenAPI schema names
    response: str | None = None
    idempotent: bool = False
    password_change: bool = False  # a token that only allows changing the password will do
    resync_revocations: bool = False   # the call may revoke tokens: reload them at once
    token_first: bool = False   # the token is checked before the body is read
    slow: bool = False   # may sign a PDF, or render a register (SLOW_RPC_TIMEOUT_SECONDS)

    @property
    def service(self) -> str | None:
        return self.rpc.split(".")[0] if self.rpc else None

    @property
    def rpc_method(self) -> str | None:
        return self.rpc.split(".")[1] if self.rpc else None

    @property
    def openapi_path(self) -> str:
        return self.path.replace("<", "{").replace(">", "}")

    @property
    def query_names(self) -> tuple[str, ...]:
        return tuple(p["name"] for p in self.query if p["in"] == "query")

    @property
    def boolean_query(self) -> frozenset[str]:
        return frozenset(p["name"] for p in self.query
                         if p["in"] == "query" and p["schema"].get("type") == "boolean")


def q(name, schema_type="string", **extra):
    """A query parameter (OpenAPI)."""
    return {"name": name, "in": "query", "schema": {"type": schema_type, **extra}}


PAGE = (q("page", "integer", minimum=1), q("page_size", "integer", minimum=1, maximum=200))
DATES = (q("from", format="date"), q("to", format="date"))
BOOL_TEXT = ["true", "false"]
#: Creating calls take a client's retry key: the same key answers as the first request.
IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
                   "description": "Một khóa cho mỗi yêu cầu mới; gửi lại cùng khóa thì nhận "
                                  "lại kết quả lần đầu / One key per new request; a retry "
                                  "with the same key gets the first answer.",
                   "schema": {"type": "string", "minLength": 1, "maxLength": 200,
                              "pattern": "^[\\x21-\\x7e]+$"}}
URGENCIES = list(vocabulary.URGENCIES)
WORK_KINDS = list(vocabulary.WORK_KIND_NAMES)
TASK_STATES = list(vocabulary.TASK_STATE_NAMES)
OUTGOING_ACTIONS = tuple(vocabulary.OUTGOING_ACTION_NAMES)
REPORT_QUERY = (q("unit_id"), *DATES, q("by", enum=["unit", "person"]))
SEARCH_QUERY = (
    q("q"), q("unit_id"), q("register_id"), q("issuer_organ_id"), q("document_type"),
    q("urgency"), q("direction", enum=["incoming", "outgoing"]),
    q("state", enum=[*vocabulary.INCOMING_STATES, "issued"]), *DATES,
    q("issued_from", format="date"), q("issued_to", format="date"),
    q("sort", enum=["relevance", "date"]), q("facets", enum=BOOL_TEXT), *PAGE)

#: How long the gateway waits for a call that may apply a digital signature (fetching the
#: PDF, a timestamp and revocation data, storing the result) or renders a whole register as
#: a file (a year of documents): longer than RPC_TIMEOUT_SECONDS, shorter than documents'
#: wait for signing plus its own work.
SLOW_RPC_TIMEOUT_SECONDS = 45

R = Route
ROUTES: tuple[Route, ...] = (
    # ------------------------------------------------------------------ identity
    R("POST", "/api/v1/auth/login", "login", "auth", "Đăng nhập / Log in",
      auth=CREDENTIALS, request="LoginRequest", response="LoginResponse"),
    R("GET", "/api/v1/me", "me", "auth", "Người dùng hiện tại / The caller",
      "documents.get_me", password_change=True, response="User"),
    R("GET", "/api/v1/auth/methods", "sign_in_methods", "auth",
      "Cách đăng nhập / Sign-in methods (password, LDAP, OpenID Connect)", auth=PUBLIC,
      response="SignInMethods"),
    R("GET", "/api/v1/auth/oidc/start", "oidc_start", "auth",
      "Đăng nhập OpenID Connect / Start an OpenID Connect sign-in (302 to the provider)",
      answer=REDIRECT, auth=PUBLIC),
    R("GET", "/api/v1/auth/oidc/callback", "oidc_callback", "auth",
      "Quay về từ OpenID Connect / The provider's redirect back (302 to the web UI)",
      answer=REDIRECT, auth=PUBLIC, query=(q("code"), q("state"), q("error"))),
    R("POST", "/api/v1/auth/oidc/session", "oidc_session", "auth",
      "Nhận phiên sau OpenID Connect / The session of a finished OpenID Connect sign-in "
      "(HttpOnly cookie)", auth=PUBLIC, response="LoginResponse"),
    R("POST", "/api/v1/auth/refresh", "refresh", "auth",
      "Làm mới phiên (xoay vòng refresh token) / Refresh the session (rotates the refresh "
      "token)", auth=CREDENTIALS, request="RefreshRequest", response="LoginResponse"),
    R("POST", "/api/v1/auth/logout", "logout", "auth",
      "Đăng xuất / Log out (revokes the session)", response="Object"),
    R("POST", "/api/v1/auth/password", "change_password", "auth",
      "Đổi mật khẩu / Change my password", request="PasswordChange",
      response="LoginResponse"),
    # ------------------------------------------------------------------ system
    R("GET", "/api/v1/health", "health_check", "system",
      "Tình trạng các dịch vụ / Health of every service", auth=PUBLIC, response="Health"),
    R("GET", "/api/v1/openapi.json", "openapi_document", "system",
      "Tài liệu OpenAPI / This document", auth=PUBLIC),
    R("GET", "/api/v1/vocabulary", "vocabulary", "system",
      "Danh mục dùng chung (độ khẩn, độ mật, vai trò, trạng thái…) / The vocabulary: "
      "urgencies, confidentialities, roles, states… (ETag)", auth=PUBLIC,
      response="Vocabulary"),
    # ------------------------------------------------------------------ directory
    R("GET", "/api/v1/units", "list_units", "directory", "Danh sách đơn vị / Units",
      "documents.list_units", (QUERY,), response="UnitPage",
      query=(q("parent_id"), q("q"), q("active", enum=BOOL_TEXT), *PAGE)),
    R("GET", "/api/v1/units/<unit_id>", "get_unit", "directory", "Một đơn vị / One unit",
      "documents.get_unit", ("unit_id",), response="Unit"),
    R("POST", "/api/v1/units", "create_unit", "directory",
      "Thêm đơn vị / Add a unit (quản trị)", "documents.create_unit", (BODY,), 201,
      request="UnitRequest", response="Unit"),
    R("POST", "/api/v1/units/<unit_id>/rename", "rename_unit", "directory",
      "Đổi tên đơn vị / Rename a unit (quản trị)", "documents.rename_unit",
      ("unit_id", BODY), request="Object", response="Unit"),
    R("POST", "/api/v1/units/merge", "merge_units", "directory",
      "Sáp nhập đơn vị / Merge units (quản trị)", "documents.merge_units", (BODY,),
      request="Object", response="Object"),
    R("GET", "/api/v1/units/<unit_id>/history", "unit_history", "directory",
      "Lịch sử đơn vị / A unit's history", "documents.get_unit_history", ("unit_id",),
      response="Object"),
    R("GET", "/api/v1/users", "list_users", "directory", "Người dùng / Users",
      "documents.list_users", (QUERY,), response="Page",
      query=(q("unit_id"), q("below", enum=BOOL_TEXT), q("q"), *PAGE)),
    R("POST", "/api/v1/users", "create_user", "directory",
      "Thêm người dùng / Add a user (quản trị)", "documents.create_user", (BODY,), 201,
      request="UserRequest", response="User"),
    R("PUT", "/api/v1/users/<user_id>/memberships", "set_user_memberships", "directory",
      "Đổi vai trò của người dùng / Replace a user's roles (quản trị)",
      "documents.set_user_memberships", ("user_id", BODY), resync_revocations=True,
      request="Object", response="User"),
    R("POST", "/api/v1/users/<user_id>/deactivate", "deactivate_user", "directory",
      "Khóa tài khoản / Deactivate a user (quản trị)", "documents.set_user_active",
      ("user_id", False), resync_revocations=True, response="User"),
    R("POST", "/api/v1/users/<user_id>/reactivate", "reactivate_user", "directory",
      "Mở lại tài khoản / Reactivate a user (quản trị)", "documents.set_user_active",
      ("user_id", True), response="User"),
    R("POST", "/api/v1/users/<user_id>/password-reset", "reset_user_password", "directory",
      "Đặt lại mật khẩu (mật khẩu tạm) / Reset a password (quản trị)",
      "documents.reset_password", ("user_id",), resync_revocations=True, response="Object"),
    R("PUT", "/api/v1/users/<user_id>/clearance", "set_user_clearance", "directory",
      "Đổi độ mật được tiếp cận / Set a user's clearance (quản trị)",
      "documents.set_user_clearance", ("user_id", BODY), resync_revocations=True,
      request="Object", response="User"),
    R("GET", "/api/v1/rights-alerts", "list_rights_alerts", "directory",
      "Cảnh báo thay đổi quyền / Alerts of changes of rights",
      "documents.list_rights_alerts", (QUERY,), response="Page",
      query=(q("state", enum=["open", "all"]), q("user_id"), *PAGE)),
    R("POST", "/api/v1/rights-alerts/<alert_id>/confirm", "confirm_rights_alert",
      "directory", "Xác nhận thay đổi quyền / Confirm a change of rights",
      "documents.confirm_rights_alert", ("alert_id",), response="Object"),
    R("GET", "/api/v1/document-types", "list_document_types", "documents",
      "Loại văn bản (Phụ lục III NĐ 30) / Document types",
      "documents.list_document_types", response="Object"),
    R("GET", "/api/v1/registers", "list_registers", "documents", "Sổ đăng ký / Registers",
      "documents.list_registers", (QUERY,), response="RegisterList",
      query=(q("unit_id"), q("direction"), q("year", "integer"))),
    R("POST", "/api/v1/registers", "create_register", "documents",
      "Mở sổ đăng ký (riêng số hoặc dùng chung số) / Open a register",
      "documents.create_register", (BODY,), 201, request="RegisterRequest",
      response="Object"),
    R("GET", "/api/v1/registers/<register_id>/export", "export_register", "documents",
      "In sổ đăng ký văn bản đến, đi (PDF, XLSX) / Printable incoming or outgoing register",
      "documents.export_register", ("register_id", QUERY), answer=FILE,
      query=(q("format", enum=["pdf", "xlsx"]), *DATES), slow=True),
    # ------------------------------------------------------------------ files
    R("POST", "/api/v1/uploads", "create_upload", "files",
      "Tạo phiên tải tệp / Start an upload", "storage.create_upload", (BODY,), 201,
      request="UploadRequest", response="UploadResponse"),
    R("GET", "/api/v1/files/<file_id>", "get_file", "files",
      "Thông tin tệp / File metadata", response="File"),
    R("GET", "/api/v1/files/<file_id>/content", "get_file_content", "files",
      "Tải tệp (chuyển hướng tới URL ký) / Download (redirect to a signed URL)",
      answer=REDIRECT),
    R("GET", "/api/v1/files/<file_id>/view-link", "get_file_view_link", "files",
      "Liên kết xem tệp PDF trong trình duyệt (5 phút) / A short-lived link that shows a "
      "PDF in the browser, e.g. a signed one with its stamps", response="Object"),
    R("GET", "/api/v1/files/<file_id>/signatures", "get_file_signatures", "signing",
      "Kết quả kiểm tra chữ ký số của tệp PDF / The verification of a PDF's digital "
      "signatures (status pending until checked)", response="Object"),
    # ------------------------------------------------------------------ signing
    R("GET", "/api/v1/signing/certificates", "list_certificates", "signing",
      "Chứng thư số tôi được dùng để ký / Certificates I may sign with",
      "signing.list_certificates", (QUERY,), response="Object",
      query=(q("user_id"), q("unit_id"))),
    R("POST", "/api/v1/signing/certificates", "register_certificate", "signing",
      "Đăng ký chứng thư số (quản trị hệ thống) / Register a certificate (system "
      "administrator)", "signing.register_certificate", (BODY,), 201, response="Object"),
    # ------------------------------------------------------------------ exchange
    R("GET", "/api/v1/exchange/status", "exchange_status", "exchange",
      "Kết nối trục liên thông / Whether the axis is connected and what waits",
      "exchange.exchange_status", response="Object"),
    R("GET", "/api/v1/exchange/packages", "list_packages", "exchange",
      "Gói tin nhận từ trục và kết quả xử lý (quản trị hệ thống) / Packages taken from the "
      "axis and what became of each (system administrator)", "exchange.list_packages",
      (QUERY,), response="Object", query=(
          q("outcome", enum=["new", "done", "rejected"]), *PAGE)),
    R("GET", "/api/v1/exchange/agencies", "search_agencies", "exchange",
      "Danh bạ cơ quan trên trục liên thông (tìm theo tên, có dấu hoặc không, hoặc mã định "
      "danh) / The axis's agency directory, for choosing a recipient",
      "exchange.search_agencies", (QUERY,), response="Object", query=(q("q"), *PAGE)),
    R("GET", "/api/v1/exchange/agencies/<organ_id>", "get_agency", "exchange",
      "Một cơ quan trong danh bạ và lịch sử thay đổi / One agency and its history",
      "exchange.get_agency", ("organ_id",), response="Object"),
    R("GET", "/api/v1/exchange/received", "list_received", "exchange",
      "Văn bản điện tử chờ tiếp nhận / Documents received from other agencies",
      "exchange.list_received", (QUERY,), response="Object", query=(
          q("state", enum=["waiting", "accepted", "returned", "recalled", "replaced", "all"]),
          q("unit_id"), *PAGE)),
    R("GET", "/api/v1/exchange/received/<received_id>", "get_received", "exchange",
      "Một văn bản điện tử nhận được / One received document, with its signature checks",
      "exchange.get_received", ("received_id",), response="Object"),
    R("GET", "/api/v1/exchange/received/<received_id>/files/<file_id>/link",
      "received_file_link", "exchange",
      "Liên kết đọc tệp của văn bản nhận được trước khi tiếp nhận (5 phút; view=true: xem "
      "PDF trong trình duyệt) / A short-lived link to a received document's file",
      "exchange.received_file_link", ("received_id", "file_id", QUERY), response="Object",
      query=(q("view", "boolean"),)),
    R("POST", "/api/v1/exchange/received/<received_id>/accept", "accept_received",
      "exchange", "Tiếp nhận, vào sổ văn bản đến (03) / Accept into the incoming register",
      "exchange.accept_received", ("received_id", OPTIONAL_BODY), response="Object"),
    R("POST", "/api/v1/exchange/received/<received_id>/return", "return_received",
      "exchange", "Trả lại văn bản điện tử, có lý do (02) / Return it, with a reason",
      "exchange.return_received", ("received_id", BODY), response="Object"),
    R("POST", "/api/v1/exchange/received/<received_id>/recall-answer", "answer_recall",
      "exchange", "Trả lời yêu cầu thu hồi: đồng ý (15) hoặc từ chối, có lý do (16) / Answer "
      "a recall: agree (15) or refuse with a reason (16)", "exchange.answer_recall",
      ("received_id", BODY), response="Object"),
    R("POST", "/api/v1/exchange/received/<received_id>/change-answer",
      "answer_received_change", "exchange",
      "Trả lời yêu cầu thu hồi hoặc cập nhật: đồng ý (15) hoặc từ chối, có lý do (16) / "
      "Answer a recall or an update: agree (15) or refuse with a reason (16)",
      "exchange.answer_received_change", ("received_id", BODY), response="Object"),
    R("GET", "/api/v1/outgoing/<document_id>/deliveries", "list_deliveries", "exchange",
      "Tình trạng gửi liên thông theo từng nơi nhận / Each external recipient's statuses",
      "exchange.list_deliveries", ("document_id",), response="Object"),
    R("POST", "/api/v1/exchange/deliveries/<delivery_id>/retry", "retry_delivery",
      "exchange", "Gửi lại văn bản trục từ chối / Send again what the axis refused",
      "exchange.retry_delivery", ("delivery_id",), response="Object"),
    # ------------------------------------------------------------------ documents
    R("POST", "/api/v1/incoming", "register_incoming", "documents",
      "Vào sổ văn bản đến / Register incoming", "documents.register_incoming", (BODY,),
      201, idempotent=True, request="IncomingRequest", response="IncomingDocument"),
    R("GET", "/api/v1/incoming", "list_incoming", "documents",
      "Danh sách văn bản đến / Incoming documents", "documents.list_incoming", (QUERY,),
      response="IncomingPage", query=(q("unit_id"), q(
          "state", enum=list(vocabulary.INCOMING_STATES)), *DATES,
          q("change_requested", "boolean"), *PAGE)),
    R("GET", "/api/v1/incoming/<document_id>", "get_incoming", "documents",
      "Một văn bản đến / One incoming", "documents.get_incoming", ("document_id",),
      response="IncomingDocument"),
    R("POST", "/api/v1/incoming/<document_id>/change-answer", "answer_incoming_change",
      "documents", "Văn thư trả lời đề nghị thu hồi, cập nhật của nơi gửi trong hệ thống: "
      "đồng ý hoặc từ chối, có lý do / Answer an internal sender's recall or update",
      "documents.answer_incoming_change", ("document_id", BODY), response="Object"),
    R("POST", "/api/v1/outgoing", "create_outgoing", "documents",
      "Soạn dự thảo văn bản đi / Start a draft", "documents.create_outgoing", (BODY,), 201,
      idempotent=True, request="OutgoingRequest", response="OutgoingDocument"),
    R("GET", "/api/v1/outgoing", "list_outgoing", "documents",
      "Danh sách văn bản đi / Outgoing documents", "documents.list_outgoing", (QUERY,),
      response="Page", query=(q("unit_id"), q(
          "state", enum=list(vocabulary.OUTGOING_STATES)), *DATES, *PAGE)),
    R("GET", "/api/v1/outgoing/<document_id>", "get_outgoing", "documents",
      "Một văn bản đi và các phiên bản / One outgoing document with its versions",
      "documents.get_outgoing", ("document_id",), response="OutgoingDocument"),
    R("POST", "/api/v1/outgoing/<document_id>/versions", "add_outgoing_version",
      "documents", "Lưu phiên bản mới của dự thảo / Save a new version of a draft",
      "documents.add_outgoing_version", ("document_id", BODY), 201, request="Object",
      response="OutgoingDocument"),
    # Submitting goes through workflow, which adds the unit's approval chain it owns
    # (docs/architecture.md, "Who calls whom, and why"); every other step is documents'.
    R("POST", "/api/v1/outgoing/<document_id>/submit", "submit_outgoing", "documents",
      "Trình duyệt dự thảo (qua quy trình duyệt của đơn vị) / Submit a draft for approval",
      "workflow.submit_outgoing", ("document_id", OPTIONAL_BODY), request="Object",
      response="OutgoingDocument"),
    R("POST", "/api/v1/outgoing/<document_id>/<action>", "act_on_outgoing", "documents",
      "Trả lại, duyệt, kiểm tra thể thức, ký, cấp số, ký số cơ quan, phát hành, thu hồi, "
      "hủy / "
      "One step: " + ", ".join(a for a in OUTGOING_ACTIONS if a != "submit"),
      "documents.act_on_outgoing",
      ("document_id", "action", OPTIONAL_BODY), request="Object",
      response="OutgoingDocument", slow=True),
    R("POST", "/api/v1/copies", "create_copy", "documents",
      "Sao văn bản (sao y, sao lục, trích sao) / Copy a document", "documents.create_copy",
      (BODY,), 201, idempotent=True, request="CopyRequest", response="Object", slow=True),
    R("GET", "/api/v1/copies", "list_copies", "documents",
      "Bản sao của đơn vị / A unit's copies", "documents.list_copies", (QUERY,),
      response="Page", query=(q("unit_id"), q("document_id"), *PAGE)),
    R("GET", "/api/v1/copies/<copy_id>", "get_copy", "documents", "Một bản sao / One copy",
      "documents.get_copy", ("copy_id",), response="Object"),
    R("POST", "/api/v1/delegations", "create_delegation", "documents",
      "Ủy quyền (KT, TL, TUQ) / Delegate", "documents.create_delegation", (BODY,), 201,
      request="DelegationRequest", response="Object", token_first=True),
    R("GET", "/api/v1/delegations", "list_delegations", "documents",
      "Ủy quyền đã giao, được nhận / Delegations", "documents.list_delegations", (QUERY,),
      response="Object", query=(q("active", enum=["true"]),)),
    R("POST", "/api/v1/delegations/<delegation_id>/revoke", "revoke_delegation",
      "documents", "Thu hồi ủy quyền / Revoke a delegation", "documents.revoke_delegation",
      ("delegation_id",), response="Object"),
    R("GET", "/api/v1/documents/<document_id>/history", "document_history", "documents",
      "Lịch sử xử lý văn bản (JSON, PDF, XLSX) / A document's history (who, what, when)",
      response="Object",
      query=(q("format", enum=["json", "pdf", "xlsx"]), q("download", "boolean"))),
    # ------------------------------------------------------------------ dossiers
    R("POST", "/api/v1/dossiers", "create_dossier", "dossiers", "Mở hồ sơ / Open a dossier",
      "documents.create_dossier", (BODY,), 201, request="DossierRequest",
      response="Dossier"),
    R("GET", "/api/v1/dossiers", "list_dossiers", "dossiers", "Danh mục hồ sơ / Dossiers",
      "documents.list_dossiers", (QUERY,), response="Page",
      query=(q("unit_id"), q("year", "integer"), q("state", enum=["open", "closed"]),
             *PAGE)),
    R("GET", "/api/v1/dossiers/<dossier_id>", "get_dossier", "dossiers",
      "Một hồ sơ / One dossier", "documents.get_dossier", ("dossier_id",),
      response="Dossier"),
    R("POST", "/api/v1/dossiers/<dossier_id>/documents", "add_to_dossier", "dossiers",
      "Đưa văn bản vào hồ sơ / File a document", "documents.add_to_dossier",
      ("dossier_id", "body.document_id"), request="Object", response="Dossier"),
    R("DELETE", "/api/v1/dossiers/<dossier_id>/documents/<document_id>",
      "remove_from_dossier", "dossiers", "Rút văn bản khỏi hồ sơ / Unfile a document",
      "documents.remove_from_dossier", ("dossier_id", "document_id"), response="Dossier"),
    R("POST", "/api/v1/dossiers/<dossier_id>/close", "close_dossier", "dossiers",
      "Kết thúc hồ sơ / Close a dossier", "documents.close_dossier", ("dossier_id",),
      response="Dossier"),
    R("GET", "/api/v1/dossiers/<dossier_id>/export", "export_dossier", "dossiers",
      "Xuất hồ sơ (XML Phụ lục VI, PDF mục lục) / Export a dossier", answer=FILE,
      query=(q("format", enum=["xml", "pdf"]),)),
    # ------------------------------------------------------------------ audit
    R("GET", "/api/v1/audit", "list_audit", "audit",
      "Nhật ký hệ thống / Audit log (quản trị)", "documents.list_audit", (QUERY,),
      response="Page", query=(q("object_id"), q("actor_id"), q("action"), *PAGE)),
    R("GET", "/api/v1/audit/verify", "verify_audit", "audit",
      "Kiểm tra chuỗi băm nhật ký / Verify the audit hash chain", "documents.verify_audit",
      response="AuditCheck"),
    # ------------------------------------------------------------------ workflow
    R("POST", "/api/v1/incoming/<document_id>/submit", "submit_incoming", "workflow",
      "Trình văn bản đến cho lãnh đạo / Submit to a leader", "workflow.submit_incoming",
      ("document_id", BODY), request="Object", response="Processing", token_first=True),
    R("POST", "/api/v1/incoming/<document_id>/assign", "assign_incoming", "workflow",
      "Phân công chủ trì, phối hợp, để biết / Assign lead, co-handlers, for-information",
      "workflow.assign_incoming", ("document_id", BODY), request="AssignRequest",
      response="Processing", token_first=True),
    R("GET", "/api/v1/outgoing/<document_id>/processing", "get_outgoing_processing",
      "workflow", "Vòng duyệt dự thảo: các bước và người duyệt / A draft's approval round",
      "workflow.get_processing", ("document_id",), response="Processing"),
    R("GET", "/api/v1/incoming/<document_id>/processing", "get_processing", "workflow",
      "Tình hình xử lý văn bản / Who handles which part", "workflow.get_processing",
      ("document_id",), response="Processing"),
    R("POST", "/api/v1/assignments/<item_id>/<action>", "act_on_assignment", "workflow",
      "Chuyển tiếp, cập nhật tiến độ, trả lại, hoàn thành, duyệt / forward, progress, "
      "return, complete, approve", request="Object", response="Processing"),
    R("PUT", "/api/v1/approval-chains", "set_approval_chain", "workflow",
      "Đặt quy trình duyệt văn bản đi / Set a unit's approval chain",
      "workflow.set_approval_chain", (BODY,), request="ApprovalChain",
      response="ApprovalChain", token_first=True),
    R("GET", "/api/v1/approval-chains", "list_approval_chains", "workflow",
      "Quy trình duyệt của đơn vị / A unit's approval chains",
      "workflow.list_approval_chains", ("query.unit_id",), response="Object",
      query=(q("unit_id"),)),
    R("GET", "/api/v1/units/<unit_id>/processing-rules", "get_unit_rules", "workflow",
      "Thời hạn xử lý mặc định của đơn vị / A unit's default deadlines",
      "workflow.get_unit_rules", ("unit_id",), response="UnitRules"),
    R("PUT", "/api/v1/units/<unit_id>/processing-rules", "set_unit_rules", "workflow",
      "Đặt thời hạn xử lý mặc định (ngày làm việc, giờ cho văn bản khẩn) / Set a unit's "
      "default deadlines (working days; hours for urgent documents)",
      "workflow.set_unit_rules", ("body+unit_id",), request="UnitRules",
      response="UnitRules"),
    R("POST", "/api/v1/tasks", "create_task", "workflow", "Giao việc / Give a task",
      "workflow.create_task", (BODY,), 201, request="TaskRequest", response="Object",
      token_first=True),
    R("GET", "/api/v1/tasks", "list_tasks", "workflow", "Công việc / Tasks",
      "workflow.list_tasks", (QUERY,), response="Page",
      query=(q("view", enum=["mine", "created", "unit"]), q("unit_id"),
             q("state", enum=TASK_STATES), q("document_id"), *PAGE)),
    R("GET", "/api/v1/tasks/<task_id>", "get_task", "workflow", "Một công việc / One task",
      "workflow.get_task", ("task_id",), response="Object"),
    R("POST", "/api/v1/tasks/<task_id>/updates", "update_task", "workflow",
      "Cập nhật tiến độ, hoàn thành, hủy / Progress, complete, cancel",
      "workflow.update_task", ("task_id", BODY), request="Object", response="Object",
      token_first=True),
    R("GET", "/api/v1/reports/processing", "report_processing", "workflow",
      "Báo cáo tình hình giải quyết văn bản đến / Processing-status report",
      "workflow.report_processing", (QUERY,), response="Object", query=REPORT_QUERY),
    R("GET", "/api/v1/reports/processing/export", "export_processing_report", "workflow",
      "Xuất báo cáo (PDF, XLSX) / The report as PDF or XLSX",
      "workflow.export_processing_report", (QUERY,), answer=FILE,
      query=(*REPORT_QUERY, q("format", enum=["pdf", "xlsx"]))),
    R("GET", "/api/v1/inbox", "inbox", "workflow", "Việc của tôi / My work",
      "workflow.list_inbox", (QUERY,), response="InboxPage",
      query=(q("view", enum=["todo", "following", "overdue", "delegated"]),
             q("kind", enum=WORK_KINDS), q("urgency", enum=URGENCIES), *PAGE)),
    # ------------------------------------------------------------------ notify
    R("GET", "/api/v1/notifications", "notifications", "notify",
      "Thông báo / Notifications", "notify.list_notifications", (QUERY,),
      response="NotificationPage", query=(q("unread", "boolean"), *PAGE)),
    R("POST", "/api/v1/notifications/stream-ticket", "notification_stream_ticket",
      "notify", "Vé mở luồng thông báo (dùng một lần, 30 giây) / One-time stream ticket "
      "(30 s)", status=201, response="Object"),
    R("GET", "/api/v1/notifications/stream", "notification_stream", "notify",
      "Thông báo tức thời (server-sent events) / Live notifications (SSE)",
      answer=STREAM, auth=CREDENTIALS, query=(q("ticket"),)),
    R("GET", "/api/v1/notifications/preferences", "get_notification_preferences",
      "notify", "Cài đặt nhận thông báo / My notification channels",
      "notify.get_preferences", response="Object"),
    R("PUT", "/api/v1/notifications/preferences", "set_notification_preferences",
      "notify", "Đổi cài đặt nhận thông báo (e-mail) / Change my notification channels",
      "notify.set_preferences", (BODY,), request="Object", response="Object", token_first=True),
    R("POST", "/api/v1/notifications/<notification_id>/read", "mark_notification_read",
      "notify", "Đánh dấu đã đọc / Mark read", "notify.mark_read", ("notification_id",),
      response="Object"),
    R("POST", "/api/v1/notifications/read-all", "mark_all_notifications_read", "notify",
      "Đọc tất cả / Mark all read", "notify.mark_all_read", response="Object"),
    # ------------------------------------------------------------------ search
    R("GET", "/api/v1/search", "search", "search", "Tìm kiếm toàn văn / Full-text search",
      "search.search", (QUERY_AND_UNKNOWN,), response="SearchResult", query=SEARCH_QUERY),
    R("GET", "/api/v1/search/export", "export_search", "search",
      "Xuất kết quả tìm kiếm (XLSX, tối đa 1.000 văn bản) / Export the hits as XLSX",
      answer=FILE, query=(q("q"), q("unit_id"), q("document_type"), q("urgency"),
                          q("direction"), q("state"), *DATES)),
    R("POST", "/api/v1/search/reindex", "reindex_search", "search",
      "Xây dựng lại chỉ mục tìm kiếm (quản trị) / Rebuild the search index (administrators)",
      "search.reindex", status=202, response="Object"),
    R("GET", "/api/v1/search/reindex", "reindex_search_status", "search",
      "Tiến độ xây dựng lại chỉ mục / Progress of the index rebuild", "search.reindex_status",
      response="Object"),
    R("GET", "/api/v1/saved-searches", "list_saved_searches", "search",
      "Tìm kiếm đã lưu / Saved searches", "search.list_saved_searches", response="Object"),
    R("POST", "/api/v1/saved-searches", "save_search", "search",
      "Lưu tìm kiếm / Save a search", "search.save_search", (BODY,), 201,
      request="Object", response="Object", token_first=True),
    R("DELETE", "/api/v1/saved-searches/<saved_id>", "delete_saved_search", "search",
      "Xóa tìm kiếm đã lưu / Forget a saved search", "search.delete_saved_search",
      ("saved_id",), response="Object"),
)
del R

PASS_THROUGH = tuple(route for route in ROUTES if route.rpc)


def route_named(name: str) -> Route:
    return next(route for route in ROUTES if route.name == name)
