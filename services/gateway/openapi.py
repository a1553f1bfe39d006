"""The OpenAPI document the gateway serves at /api/v1/openapi.json: the contract that
ships. ROUTES lists every public route once; a test checks it against the gateway's
actual ``@http`` entrypoints so the two cannot drift apart."""
from __future__ import annotations

# Kept here as literals (the gateway imports no service package); a test checks them
# against services/documents/outgoing.py.
OUTGOING_STATES = ("draft", "submitted", "returned", "approved", "form_checked", "signed",
                   "numbered", "issued", "recalled", "cancelled")
INCOMING_STATES = ("received", "returned", "registered", "to_assign", "assigned",
                   "in_progress", "done", "recalled")
OUTGOING_ACTIONS = ("submit", "return", "approve", "check_form", "sign", "number", "issue",
                    "recall", "cancel")

PAGE = [{"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1}},
        {"name": "page_size", "in": "query",
         "schema": {"type": "integer", "minimum": 1, "maximum": 200}}]


def q(name, schema_type="string", **extra):
    return {"name": name, "in": "query", "schema": {"type": schema_type, **extra}}


#: Creating calls take a client's retry key: the same key answers as the first request.
IDEMPOTENCY_KEY = {"name": "Idempotency-Key", "in": "header", "required": False,
                   "description": "Một khóa cho mỗi yêu cầu mới; gửi lại cùng khóa thì nhận "
                                  "lại kết quả lần đầu / One key per new request; a retry "
                                  "with the same key gets the first answer.",
                   "schema": {"type": "string", "minLength": 1, "maxLength": 200,
                              "pattern": "^[\\x21-\\x7e]+$"}}


# (method, path, tag, summary, authenticated, request schema, response schema, query params)
ROUTES = [
    ("POST", "/api/v1/auth/login", "auth", "Đăng nhập / Log in", False, "LoginRequest",
     "LoginResponse", []),
    ("GET", "/api/v1/me", "auth", "Người dùng hiện tại / The caller", True, None, "User", []),
    ("GET", "/api/v1/auth/methods", "auth",
     "Cách đăng nhập / Sign-in methods (password, LDAP, OpenID Connect)", False, None,
     "SignInMethods", []),
    ("GET", "/api/v1/auth/oidc/start", "auth",
     "Đăng nhập OpenID Connect / Start an OpenID Connect sign-in (302 to the provider)",
     False, None, None, []),
    ("GET", "/api/v1/auth/oidc/callback", "auth",
     "Quay về từ OpenID Connect / The provider's redirect back (302 to the web UI)", False,
     None, None, [q("code"), q("state"), q("error")]),
    ("POST", "/api/v1/auth/oidc/session", "auth",
     "Nhận phiên sau OpenID Connect / The session of a finished OpenID Connect sign-in "
     "(HttpOnly cookie)", False, None, "LoginResponse", []),
    ("POST", "/api/v1/auth/refresh", "auth",
     "Làm mới phiên (xoay vòng refresh token) / Refresh the session (rotates the refresh "
     "token)", False, "RefreshRequest", "LoginResponse", []),
    ("POST", "/api/v1/auth/logout", "auth", "Đăng xuất / Log out (revokes the session)", True,
     None, "Object", []),
    ("POST", "/api/v1/auth/password", "auth", "Đổi mật khẩu / Change my password", True,
     "PasswordChange", "LoginResponse", []),
    ("GET", "/api/v1/health", "system", "Tình trạng các dịch vụ / Health of every service",
     False, None, "Health", []),
    ("GET", "/api/v1/openapi.json", "system", "Tài liệu OpenAPI / This document", False, None,
     None, []),
    ("GET", "/api/v1/units", "directory", "Danh sách đơn vị / Units", True, None, "UnitPage",
     [q("parent_id"), q("q"), q("active", enum=["true", "false"])] + PAGE),
    ("GET", "/api/v1/units/{unit_id}", "directory", "Một đơn vị / One unit", True, None, "Unit",
     []),
    ("POST", "/api/v1/units", "directory", "Thêm đơn vị / Add a unit (quản trị)", True,
     "UnitRequest", "Unit", []),
    ("POST", "/api/v1/units/{unit_id}/rename", "directory",
     "Đổi tên đơn vị / Rename a unit (quản trị)", True, "Object", "Unit", []),
    ("POST", "/api/v1/units/merge", "directory",
     "Sáp nhập đơn vị / Merge units (quản trị)", True, "Object", "Object", []),
    ("GET", "/api/v1/units/{unit_id}/history", "directory",
     "Lịch sử đơn vị / A unit's history", True, None, "Object", []),
    ("GET", "/api/v1/users", "directory", "Người dùng / Users", True, None, "Page",
     [q("unit_id"), q("below", enum=["true", "false"]), q("q")] + PAGE),
    ("POST", "/api/v1/users", "directory", "Thêm người dùng / Add a user (quản trị)", True,
     "UserRequest", "User", []),
    ("PUT", "/api/v1/users/{user_id}/memberships", "directory",
     "Đổi vai trò của người dùng / Replace a user's roles (quản trị)", True, "Object", "User",
     []),
    ("POST", "/api/v1/users/{user_id}/deactivate", "directory",
     "Khóa tài khoản / Deactivate a user (quản trị)", True, None, "User", []),
    ("POST", "/api/v1/users/{user_id}/reactivate", "directory",
     "Mở lại tài khoản / Reactivate a user (quản trị)", True, None, "User", []),
    ("POST", "/api/v1/users/{user_id}/password-reset", "directory",
     "Đặt lại mật khẩu (mật khẩu tạm) / Reset a password (quản trị)", True, None, "Object",
     []),
    ("PUT", "/api/v1/users/{user_id}/clearance", "directory",
     "Đổi độ mật được tiếp cận / Set a user's clearance (quản trị)", True, "Object", "User",
     []),
    ("GET", "/api/v1/rights-alerts", "directory",
     "Cảnh báo thay đổi quyền / Alerts of changes of rights", True, None, "Page",
     [q("state", enum=["open", "all"]), q("user_id")] + PAGE),
    ("POST", "/api/v1/rights-alerts/{alert_id}/confirm", "directory",
     "Xác nhận thay đổi quyền / Confirm a change of rights", True, None, "Object", []),
    ("GET", "/api/v1/document-types", "documents",
     "Loại văn bản (Phụ lục III NĐ 30) / Document types", True, None, "Object", []),
    ("GET", "/api/v1/registers", "documents", "Sổ đăng ký / Registers", True, None,
     "RegisterList", [q("unit_id"), q("direction"), q("year", "integer")]),
    ("POST", "/api/v1/registers", "documents",
     "Mở sổ đăng ký (riêng số hoặc dùng chung số) / Open a register", True, "RegisterRequest",
     "Object", []),
    ("GET", "/api/v1/registers/{register_id}/export", "documents",
     "In sổ đăng ký văn bản đến, đi (PDF, XLSX) / Printable incoming or outgoing register",
     True, None, None,
     [q("format", enum=["pdf", "xlsx"]), q("from", format="date"), q("to", format="date")]),
    ("POST", "/api/v1/uploads", "files", "Tạo phiên tải tệp / Start an upload", True,
     "UploadRequest", "UploadResponse", []),
    ("GET", "/api/v1/files/{file_id}", "files", "Thông tin tệp / File metadata", True, None,
     "File", []),
    ("GET", "/api/v1/files/{file_id}/content", "files",
     "Tải tệp (chuyển hướng tới URL ký) / Download (redirect to a signed URL)", True, None,
     None, []),
    ("POST", "/api/v1/incoming", "documents", "Vào sổ văn bản đến / Register incoming", True,
     "IncomingRequest", "IncomingDocument", [IDEMPOTENCY_KEY]),
    ("GET", "/api/v1/incoming", "documents", "Danh sách văn bản đến / Incoming documents",
     True, None, "IncomingPage",
     [q("unit_id"), q("state", enum=list(INCOMING_STATES)), q("from", format="date"),
      q("to", format="date")] + PAGE),
    ("GET", "/api/v1/incoming/{document_id}", "documents", "Một văn bản đến / One incoming",
     True, None, "IncomingDocument", []),
    ("POST", "/api/v1/outgoing", "documents", "Soạn dự thảo văn bản đi / Start a draft",
     True, "OutgoingRequest", "OutgoingDocument", [IDEMPOTENCY_KEY]),
    ("GET", "/api/v1/outgoing", "documents", "Danh sách văn bản đi / Outgoing documents",
     True, None, "Page",
     [q("unit_id"), q("state", enum=list(OUTGOING_STATES)), q("from", format="date"),
      q("to", format="date")] + PAGE),
    ("GET", "/api/v1/outgoing/{document_id}", "documents",
     "Một văn bản đi và các phiên bản / One outgoing document with its versions", True,
     None, "OutgoingDocument", []),
    ("POST", "/api/v1/outgoing/{document_id}/versions", "documents",
     "Lưu phiên bản mới của dự thảo / Save a new version of a draft", True, "Object",
     "OutgoingDocument", []),
    ("POST", "/api/v1/outgoing/{document_id}/{action}", "documents",
     "Trình, trả lại, duyệt, kiểm tra thể thức, ký, cấp số, phát hành, thu hồi, hủy / "
     "One step: " + ", ".join(OUTGOING_ACTIONS), True, "Object", "OutgoingDocument", []),
    ("POST", "/api/v1/copies", "documents",
     "Sao văn bản (sao y, sao lục, trích sao) / Copy a document", True, "CopyRequest",
     "Object", [IDEMPOTENCY_KEY]),
    ("GET", "/api/v1/copies", "documents", "Bản sao của đơn vị / A unit's copies", True,
     None, "Page", [q("unit_id"), q("document_id")] + PAGE),
    ("GET", "/api/v1/copies/{copy_id}", "documents", "Một bản sao / One copy", True, None,
     "Object", []),
    ("POST", "/api/v1/delegations", "documents",
     "Ủy quyền (KT, TL, TUQ) / Delegate", True, "DelegationRequest", "Object", []),
    ("GET", "/api/v1/delegations", "documents",
     "Ủy quyền đã giao, được nhận / Delegations", True, None, "Object",
     [q("active", enum=["true"])]),
    ("POST", "/api/v1/delegations/{delegation_id}/revoke", "documents",
     "Thu hồi ủy quyền / Revoke a delegation", True, None, "Object", []),
    ("GET", "/api/v1/documents/{document_id}/history", "documents",
     "Lịch sử xử lý văn bản (JSON, PDF, XLSX) / A document's history (who, what, when)",
     True, None, "Object", [q("format", enum=["json", "pdf", "xlsx"]), q("download", "boolean")]),
    ("POST", "/api/v1/dossiers", "dossiers", "Mở hồ sơ / Open a dossier", True,
     "DossierRequest", "Dossier", []),
    ("GET", "/api/v1/dossiers", "dossiers", "Danh mục hồ sơ / Dossiers", True, None, "Page",
     [q("unit_id"), q("year", "integer"), q("state", enum=["open", "closed"])] + PAGE),
    ("GET", "/api/v1/dossiers/{dossier_id}", "dossiers", "Một hồ sơ / One dossier", True,
     None, "Dossier", []),
    ("POST", "/api/v1/dossiers/{dossier_id}/documents", "dossiers",
     "Đưa văn bản vào hồ sơ / File a document", True, "Object", "Dossier", []),
    ("DELETE", "/api/v1/dossiers/{dossier_id}/documents/{document_id}", "dossiers",
     "Rút văn bản khỏi hồ sơ / Unfile a document", True, None, "Dossier", []),
    ("POST", "/api/v1/dossiers/{dossier_id}/close", "dossiers",
     "Kết thúc hồ sơ / Close a dossier", True, None, "Dossier", []),
    ("GET", "/api/v1/dossiers/{dossier_id}/export", "dossiers",
     "Xuất hồ sơ (XML Phụ lục VI, PDF mục lục) / Export a dossier", True, None, None,
     [q("format", enum=["xml", "pdf"])]),
    ("GET", "/api/v1/audit", "audit", "Nhật ký hệ thống / Audit log (quản trị)", True, None,
     "Page", [q("object_id"), q("actor_id"), q("action")] + PAGE),
    ("GET", "/api/v1/audit/verify", "audit",
     "Kiểm tra chuỗi băm nhật ký / Verify the audit hash chain", True, None, "AuditCheck",
     []),
    ("POST", "/api/v1/incoming/{document_id}/submit", "workflow",
     "Trình văn bản đến cho lãnh đạo / Submit to a leader", True, "Object", "Processing", []),
    ("POST", "/api/v1/incoming/{document_id}/assign", "workflow",
     "Phân công chủ trì, phối hợp, để biết / Assign lead, co-handlers, for-information",
     True, "AssignRequest", "Processing", []),
    ("GET", "/api/v1/outgoing/{document_id}/processing", "workflow",
     "Vòng duyệt dự thảo: các bước và người duyệt / A draft's approval round", True, None,
     "Processing", []),
    ("GET", "/api/v1/incoming/{document_id}/processing", "workflow",
     "Tình hình xử lý văn bản / Who handles which part", True, None, "Processing", []),
    ("POST", "/api/v1/assignments/{item_id}/{action}", "workflow",
     "Chuyển tiếp, cập nhật tiến độ, trả lại, hoàn thành, duyệt / forward, progress, "
     "return, complete, approve", True, "Object", "Processing", []),
    ("PUT", "/api/v1/approval-chains", "workflow",
     "Đặt quy trình duyệt văn bản đi / Set a unit's approval chain", True, "ApprovalChain",
     "ApprovalChain", []),
    ("GET", "/api/v1/approval-chains", "workflow",
     "Quy trình duyệt của đơn vị / A unit's approval chains", True, None, "Object",
     [q("unit_id")]),
    ("GET", "/api/v1/units/{unit_id}/processing-rules", "workflow",
     "Thời hạn xử lý mặc định của đơn vị / A unit's default deadlines", True, None,
     "UnitRules", []),
    ("PUT", "/api/v1/units/{unit_id}/processing-rules", "workflow",
     "Đặt thời hạn xử lý mặc định (ngày làm việc, giờ cho văn bản khẩn) / Set a unit's "
     "default deadlines (working days; hours for urgent documents)", True, "UnitRules",
     "UnitRules", []),
    ("POST", "/api/v1/tasks", "workflow", "Giao việc / Give a task", True, "TaskRequest",
     "Object", []),
    ("GET", "/api/v1/tasks", "workflow", "Công việc / Tasks", True, None, "Page",
     [q("view", enum=["mine", "created", "unit"]), q("unit_id"),
      q("state", enum=["open", "done", "cancelled"]), q("document_id")] + PAGE),
    ("GET", "/api/v1/tasks/{task_id}", "workflow", "Một công việc / One task", True, None,
     "Object", []),
    ("POST", "/api/v1/tasks/{task_id}/updates", "workflow",
     "Cập nhật tiến độ, hoàn thành, hủy / Progress, complete, cancel", True, "Object",
     "Object", []),
    ("GET", "/api/v1/reports/processing", "workflow",
     "Báo cáo tình hình giải quyết văn bản đến / Processing-status report", True, None,
     "Object", [q("unit_id"), q("from", format="date"), q("to", format="date"),
                q("by", enum=["unit", "person"])]),
    ("GET", "/api/v1/reports/processing/export", "workflow",
     "Xuất báo cáo (PDF, XLSX) / The report as PDF or XLSX", True, None, None,
     [q("unit_id"), q("from", format="date"), q("to", format="date"),
      q("by", enum=["unit", "person"]), q("format", enum=["pdf", "xlsx"])]),
    ("GET", "/api/v1/inbox", "workflow", "Việc của tôi / My work", True, None, "InboxPage",
     [q("view", enum=["todo", "following", "overdue", "delegated"]),
      q("kind", enum=["to_assign", "lead", "co_handler", "for_info", "approve"]),
      q("urgency", enum=["normal", "urgent", "very_urgent", "flash"])] + PAGE),
    ("GET", "/api/v1/notifications", "notify", "Thông báo / Notifications", True, None,
     "NotificationPage", [q("unread", "boolean")] + PAGE),
    ("POST", "/api/v1/notifications/stream-ticket", "notify",
     "Vé mở luồng thông báo (dùng một lần, 30 giây) / One-time stream ticket (30 s)", True,
     None, "Object", []),
    ("GET", "/api/v1/notifications/stream", "notify",
     "Thông báo tức thời (server-sent events) / Live notifications (SSE)", False, None, None,
     [q("ticket")]),
    ("GET", "/api/v1/notifications/preferences", "notify",
     "Cài đặt nhận thông báo / My notification channels", True, None, "Object", []),
    ("PUT", "/api/v1/notifications/preferences", "notify",
     "Đổi cài đặt nhận thông báo (e-mail) / Change my notification channels", True,
     "Object", "Object", []),
    ("POST", "/api/v1/notifications/{notification_id}/read", "notify",
     "Đánh dấu đã đọc / Mark read", True, None, "Object", []),
    ("POST", "/api/v1/notifications/read-all", "notify", "Đọc tất cả / Mark all read", True,
     None, "Object", []),
    ("GET", "/api/v1/search", "search", "Tìm kiếm toàn văn / Full-text search", True, None,
     "SearchResult",
     [q("q"), q("unit_id"), q("register_id"), q("issuer_organ_id"), q("document_type"),
      q("urgency"), q("direction", enum=["incoming", "outgoing"]),
      q("state", enum=["received", "returned", "registered", "to_assign", "assigned",
                       "in_progress", "done", "recalled", "issued"]),
      q("from", format="date"), q("to", format="date"), q("issued_from", format="date"),
      q("issued_to", format="date"), q("sort", enum=["relevance", "date"]),
      q("facets", enum=["true", "false"])] + PAGE),
    ("GET", "/api/v1/search/export", "search",
     "Xuất kết quả tìm kiếm (XLSX, tối đa 1.000 văn bản) / Export the hits as XLSX", True,
     None, None, [q("q"), q("unit_id"), q("document_type"), q("urgency"), q("direction"),
                  q("state"), q("from", format="date"), q("to", format="date")]),
    ("POST", "/api/v1/search/reindex", "search",
     "Xây dựng lại chỉ mục tìm kiếm (quản trị) / Rebuild the search index (administrators)",
     True, None, "Object", []),
    ("GET", "/api/v1/search/reindex", "search",
     "Tiến độ xây dựng lại chỉ mục / Progress of the index rebuild", True, None, "Object", []),
    ("GET", "/api/v1/saved-searches", "search", "Tìm kiếm đã lưu / Saved searches", True, None,
     "Object", []),
    ("POST", "/api/v1/saved-searches", "search", "Lưu tìm kiếm / Save a search", True,
     "Object", "Object", []),
    ("DELETE", "/api/v1/saved-searches/{saved_id}", "search",
     "Xóa tìm kiếm đã lưu / Forget a saved search", True, None, "Object", []),
]

OBJ = {"type": "object"}
STR = {"type": "string"}
SCHEMAS = {
    "Object": OBJ,
    "Error": {"type": "object", "required": ["error", "message"], "properties": {
        "error": {"type": "string", "enum": [
            "VALIDATION_ERROR", "UNAUTHENTICATED", "FORBIDDEN", "NOT_FOUND", "CONFLICT",
            "TOO_LARGE", "UNSUPPORTED_TYPE", "SERVICE_UNAVAILABLE", "SERVICE_TIMEOUT",
            "TOO_MANY_REQUESTS", "PASSWORD_CHANGE_REQUIRED",
            "UNEXPECTED_ERROR", "METHOD_NOT_ALLOWED", "BAD_REQUEST"]},
        "message": STR, "details": {"type": "object", "additionalProperties": STR}}},
    "LoginRequest": {"type": "object", "required": ["username", "password"],
                     "properties": {"username": STR, "password": STR}},
    "LoginResponse": {"type": "object", "properties": {
        "access_token": STR, "token_type": STR, "expires_in": {"type": "integer"},
        "refresh_token": STR, "refresh_expires_in": {"type": "integer"},
        "must_change_password": {"type": "boolean"},
        "user": {"$ref": "#/components/schemas/User"}}},
    "SignInMethods": {"type": "object", "properties": {
        "password": {"type": "boolean"}, "ldap": {"type": "boolean"},
        "oidc": {"type": ["object", "null"], "properties": {"start_url": STR}}}},
    "RefreshRequest": {"type": "object", "required": ["refresh_token"],
                       "properties": {"refresh_token": STR}},
    "PasswordChange": {"type": "object", "required": ["old_password", "new_password"],
                       "properties": {"old_password": STR,
                                      "new_password": {"type": "string", "minLength": 10}}},
    "User": {"type": "object", "properties": {
        "id": STR, "username": STR, "full_name": STR, "clearance": STR,
        "email": {"type": ["string", "null"]},
        "auth_source": {"type": "string", "enum": ["local", "ldap", "oidc"]},
        "system_admin": {"type": "boolean"},
        "memberships": {"type": "array", "items": {"type": "object", "properties": {
            "unit_id": STR, "unit_name": STR, "role": {"type": "string", "enum": [
                "clerk", "head", "unit_head", "specialist", "admin"]}}}}}},
    "Health": {"type": "object", "properties": {
        "status": {"type": "string", "enum": ["ok", "degraded"]},
        "services": {"type": "object", "additionalProperties": OBJ}}},
    "Unit": {"type": "object", "properties": {
        "id": STR, "organ_id": {"type": "string", "maxLength": 35}, "parent_id": STR,
        "name": STR, "abbreviation": STR, "level": STR, "valid_from": STR, "valid_to": STR}},
    "UnitRequest": {"type": "object", "required": ["name"], "properties": {
        "organ_id": {"type": "string", "pattern": "^[0-9A-Z.]{1,35}$"}, "parent_id": STR,
        "name": {"type": "string", "maxLength": 200}, "abbreviation": STR,
        "level": {"type": "string", "enum": ["ministry", "province", "department", "division",
                                             "commune", "commune_office", "other"]},
        "valid_from": {"type": "string", "format": "date"}}},
    "RegisterRequest": {"type": "object", "required": ["unit_id", "direction", "year", "name"],
                        "properties": {
        "unit_id": STR, "year": {"type": "integer"}, "name": {"type": "string", "maxLength": 200},
        "direction": {"type": "string", "enum": ["incoming", "incoming_secret", "outgoing",
                                                 "outgoing_secret", "copy"]},
        "document_types": {"type": "array", "items": STR},
        "share_counter_with": {"type": "string",
                               "description": "draw numbers from this register's series"}}},
    "DossierRequest": {"type": "object", "required": ["unit_id", "year", "notation", "title",
                                                       "maintenance"], "properties": {
        "unit_id": STR, "year": {"type": "integer"}, "notation": {"type": "string",
                                                                   "maxLength": 20},
        "title": {"type": "string", "maxLength": 500},
        "maintenance": {"oneOf": [{"const": "permanent"},
                                  {"type": "integer", "minimum": 1, "maximum": 100}]},
        "rights": STR, "language": STR, "description": STR}},
    "Dossier": {"type": "object", "properties": {
        "id": STR, "file_code": STR, "title": STR, "state": {"type": "string",
                                                             "enum": ["open", "closed"]},
        "maintenance": STR, "doc_total": {"type": "integer"}, "page_total": {"type": "integer"},
        "documents": {"type": "array", "items": OBJ}}},
    "UserRequest": {"type": "object",
                    "required": ["username", "full_name", "password", "memberships"],
                    "properties": {
        "username": STR, "full_name": STR, "position": STR,
        "email": {"type": "string", "format": "email"},
        "password": {"type": "string", "minLength": 10},
        "clearance": {"type": "string", "enum": ["none", "confidential", "secret",
                                                 "top_secret"]},
        "system_admin": {"type": "boolean", "description":
                         "quản trị hệ thống (given by one only)"},
        "memberships": {"type": "array", "minItems": 1, "items": {"type": "object", "properties": {
            "unit_id": STR, "role": {"type": "string", "enum": [
                "clerk", "head", "unit_head", "specialist", "admin"]}}}}}},
    "UnitPage": {"allOf": [{"$ref": "#/components/schemas/Page"}]},
    "RegisterList": {"type": "object", "properties": {"items": {"type": "array", "items": OBJ}}},
    "Page": {"type": "object", "properties": {
        "items": {"type": "array", "items": OBJ}, "total": {"type": "integer"},
        "page": {"type": "integer"}, "page_size": {"type": "integer"}}},
    "UploadRequest": {"type": "object", "required": ["filename", "size"], "properties": {
        "filename": STR, "content_type": STR, "size": {"type": "integer", "minimum": 1}}},
    "UploadResponse": {"type": "object", "properties": {
        "file_id": STR, "upload_url": {"type": "string", "description":
                                       "PUT the bytes here (storage service, signed)"},
        "expires_at": STR}},
    "File": {"type": "object", "properties": {
        "file_id": STR, "filename": STR, "size": {"type": "integer"}, "sha256": STR,
        "content_type": STR, "status": STR, "text_status": STR, "text_error": STR,
        "text_problem": {"type": ["object", "null"], "properties": {"vi": STR, "en": STR}},
        "text_progress": {
            "type": ["object", "null"], "description":
            "While text_status is pending and extraction runs: pages read of pages to "
            "read (1 for a document read in one go); else null",
            "properties": {"done": {"type": "integer"}, "total": {"type": "integer"}}}}},
    "IncomingRequest": {"type": "object", "required": [
        "unit_id", "code_number", "code_notation", "issued_date", "issuer", "document_type",
        "subject"], "properties": {
        "unit_id": STR, "register_id": STR,
        "code_number": {"type": "string", "pattern": "^[0-9]{1,11}$"},
        "code_notation": {"type": "string", "maxLength": 30},
        "issued_date": {"type": "string", "format": "date"},
        "issuer": {"type": "object", "required": ["name"], "properties": {
            "organ_id": {"type": "string", "maxLength": 35},
            "name": {"type": "string", "maxLength": 200}}},
        "document_type": STR, "subject": {"type": "string", "maxLength": 500},
        "urgency": {"type": "string", "enum": ["normal", "urgent", "very_urgent", "flash"]},
        "confidentiality": {"type": "string",
                            "enum": ["none", "confidential", "secret", "top_secret"]},
        "due_date": {"type": "string", "format": "date"},
        "page_amount": {"type": "integer", "minimum": 1, "maximum": 999},
        "signer": {"type": "object", "properties": {
            "position": {"type": "string", "maxLength": 100},
            "full_name": {"type": "string", "maxLength": 50}}},
        "file_ids": {"type": "array", "items": STR, "maxItems": 20},
        "description": {"type": "string", "maxLength": 500},
        "confirm_duplicate": {"type": "boolean"}}},
    "IncomingDocument": {"type": "object", "properties": {
        "id": STR, "arrival_number": {"type": "integer"}, "arrival_date": STR,
        "register_id": STR, "state": STR, "unit_id": STR, "code_number": STR,
        "code_notation": STR, "subject": STR, "document_type": STR, "urgency": STR,
        "file_ids": {"type": "array", "items": STR}}},
    "OutgoingRequest": {"type": "object", "required": ["unit_id", "document_type", "subject"],
                        "properties": {
        "unit_id": STR, "document_type": STR, "normative": {"type": "boolean"},
        "subject": {"type": "string", "maxLength": 500},
        "language": {"type": "string", "maxLength": 30},
        "page_amount": {"type": "integer", "minimum": 1, "maximum": 999},
        "description": {"type": "string", "maxLength": 500},
        "signer": {"type": "object", "properties": {
            "position": {"type": "string", "maxLength": 100},
            "full_name": {"type": "string", "maxLength": 50}}},
        "recipients": {"type": "array", "maxItems": 200, "items": {
            "type": "object", "properties": {
                "unit_id": STR, "organ_id": {"type": "string", "maxLength": 35},
                "name": {"type": "string", "maxLength": 200}}}},
        "urgency": {"type": "string", "enum": ["normal", "urgent", "very_urgent", "flash"]},
        "confidentiality": {"type": "string",
                            "enum": ["none", "confidential", "secret", "top_secret"]},
        "issued_amount": {"type": "integer", "minimum": 1, "maximum": 999},
        "due_date": {"type": "string", "format": "date"},
        "keeper": {"type": "string", "maxLength": 200},
        "file_ids": {"type": "array", "maxItems": 20, "items": STR},
        "note": {"type": "string", "maxLength": 500}}},
    "CopyRequest": {"type": "object", "required": ["document_id", "unit_id", "form"],
                    "properties": {
        "document_id": STR, "unit_id": STR, "form": {"type": "string", "enum": ["SY", "SL", "TS"]},
        "excerpt": {"type": "string", "maxLength": 1000,
                    "description": "required for TS: the part taken"},
        "to_places": {"type": "string", "maxLength": 1000},
        "signer": {"type": "object", "properties": {
            "position": {"type": "string", "maxLength": 100},
            "full_name": {"type": "string", "maxLength": 50}}},
        "page_amount": {"type": "integer", "minimum": 1, "maximum": 999},
        "description": {"type": "string", "maxLength": 500},
        "file_ids": {"type": "array", "maxItems": 5, "items": STR}}},
    "OutgoingDocument": {"type": "object", "properties": {
        "id": STR, "direction": {"const": "outgoing"}, "unit_id": STR,
        "state": {"type": "string", "enum": list(OUTGOING_STATES)}, "state_reason": STR,
        "version": {"type": "integer"}, "code_number": STR, "code_notation": STR,
        "issued_date": STR, "register_id": STR, "subject": STR, "document_type": STR,
        "recipients": {"type": "array", "items": OBJ},
        "versions": {"type": "array", "items": OBJ}}},
    "Assignee": {"type": "object", "properties": {
        "unit_id": STR, "user_id": STR, "due_date": {"type": "string", "format": "date"}}},
    "AssignRequest": {"type": "object", "required": ["lead"], "properties": {
        "lead": {"$ref": "#/components/schemas/Assignee"},
        "co_handlers": {"type": "array", "items": {"$ref": "#/components/schemas/Assignee"}},
        "for_info": {"type": "array", "items": {"$ref": "#/components/schemas/Assignee"}},
        "instruction": {"type": "string", "maxLength": 2000}}},
    "Processing": {"type": "object", "properties": {
        "document_id": STR, "state": STR, "document_state": STR, "direction": STR,
        "document_type": STR, "instruction": STR, "due_date": STR,
        "due_at": {"type": "string", "format": "date-time"},
        "approval_steps": {"type": "array", "items": {"type": "object", "properties": {
            "step": {"type": "integer"}, "mode": {"type": "string", "enum": ["all", "any"]},
            "approvers": {"type": "array", "items": STR}}}},
        "items": {"type": "array", "items": OBJ}}},
    "ApprovalChain": {"type": "object", "required": ["unit_id", "steps"], "properties": {
        "unit_id": STR, "document_type": STR,
        "steps": {"type": "array", "maxItems": 10, "items": {"type": "object", "properties": {
            "approvers": {"type": "array", "items": STR},
            "mode": {"type": "string", "enum": ["all", "any"]}}}}}},
    "UnitRules": {"type": "object", "properties": {
        "unit_id": STR,
        "working_days": {"type": "object", "additionalProperties": {
            "type": "integer", "minimum": 1, "maximum": 90}},
        "hours": {"type": "object", "additionalProperties": {
            "type": "number", "minimum": 0.5, "maximum": 72}}}},
    "DelegationRequest": {"type": "object", "required": ["unit_id", "to_user_id", "kind",
                                                          "valid_to"], "properties": {
        "unit_id": STR, "to_user_id": STR, "kind": {"type": "string",
                                                    "enum": ["KT", "TL", "TUQ"]},
        "actions": {"type": "array", "items": {"type": "string",
                                               "enum": ["sign", "approve", "assign"]}},
        "document_types": {"type": "array", "items": STR},
        "valid_from": {"type": "string", "format": "date"},
        "valid_to": {"type": "string", "format": "date"}, "via_id": STR,
        "note": {"type": "string", "maxLength": 500}}},
    "TaskRequest": {"type": "object", "required": ["title", "assignee_id"], "properties": {
        "unit_id": STR, "title": {"type": "string", "maxLength": 500},
        "description": {"type": "string", "maxLength": 2000}, "assignee_id": STR,
        "due_date": {"type": "string", "format": "date"}, "document_id": STR,
        "parent_id": STR}},
    "IncomingPage": {"allOf": [{"$ref": "#/components/schemas/Page"}]},
    "InboxPage": {"allOf": [{"$ref": "#/components/schemas/Page"}]},
    "NotificationPage": {"allOf": [{"$ref": "#/components/schemas/Page"}]},
    "AuditCheck": {"type": "object", "properties": {
        "intact": {"type": "boolean"}, "checked": {"type": "integer"},
        "first_broken": {"type": ["object", "null"], "properties": {
            "seq": {"type": "integer"}, "id": {"type": ["integer", "null"]},
            "reason": STR}}}},
    "SearchResult": {"type": "object", "properties": {
        "items": {"type": "array", "items": {"type": "object", "properties": {
            "document_id": STR, "subject": STR,
            "snippet": {"type": "string", "description": "hits wrapped in <mark>"},
            "score": {"type": "number"}}}},
        "total": {"type": "integer"}, "facets": OBJ}},
}

CREATED = {("POST", "/api/v1/incoming"), ("POST", "/api/v1/outgoing"),
           ("POST", "/api/v1/outgoing/{document_id}/versions"), ("POST", "/api/v1/copies"),
           ("POST", "/api/v1/uploads"), ("POST", "/api/v1/delegations"),
           ("POST", "/api/v1/tasks"),
           ("POST", "/api/v1/units"), ("POST", "/api/v1/users"),
           ("POST", "/api/v1/registers"), ("POST", "/api/v1/dossiers"),
           ("POST", "/api/v1/notifications/stream-ticket")}

#: Routes without a bearer token that still answer 401 (a wrong pair, a dead refresh
#: token, a missing or used stream ticket).
UNAUTHENTICATED_401 = {("POST", "/api/v1/auth/login"), ("POST", "/api/v1/auth/refresh"),
                       ("GET", "/api/v1/notifications/stream")}

ERRORS = {"400": "VALIDATION_ERROR", "401": "UNAUTHENTICATED", "403": "FORBIDDEN",
          "404": "NOT_FOUND", "409": "CONFLICT", "413": "TOO_LARGE", "429": "TOO_MANY_REQUESTS",
          "503": "SERVICE_UNAVAILABLE",
          "504": "SERVICE_TIMEOUT"}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def build_document() -> dict:
    paths: dict = {}
    for method, path, tag, summary, authenticated, request, response, params in ROUTES:
        operation = {"tags": [tag], "summary": summary, "responses": {}}
        path_params = [{"name": part[1:-1], "in": "path", "required": True,
                        "schema": {"type": "string"}}
                       for part in path.split("/") if part.startswith("{")]
        if params or path_params:
            operation["parameters"] = path_params + params
        if request:
            operation["requestBody"] = {"required": True, "content": {
                "application/json": {"schema": _ref(request)}}}
        ok = "201" if (method, path) in CREATED else "200"
        if path.endswith("/export"):
            operation["responses"]["200"] = {"description": "The file", "content": {
                "application/pdf": {}, "application/xml": {},
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}
        elif path.endswith("/content"):
            operation["responses"]["302"] = {"description": "Redirect to a signed URL"}
        elif path.startswith("/api/v1/auth/oidc/") and method == "GET":
            operation["responses"]["302"] = {"description": "Redirect (OpenID Connect)"}
        elif path.endswith("/stream"):
            operation["responses"]["200"] = {"description": "A stream of events",
                                             "content": {"text/event-stream": {}}}
        else:
            operation["responses"][ok] = {"description": "OK", "content": {
                "application/json": {"schema": _ref(response) if response else OBJ}}}
        for status, code in ERRORS.items():
            if status == "401" and not authenticated and \
                    (method, path) not in UNAUTHENTICATED_401:
                continue
            operation["responses"][status] = {"description": code, "content": {
                "application/json": {"schema": _ref("Error")}}}
        if authenticated:
            operation["security"] = [{"bearer": []}]
        paths.setdefault(path, {})[method.lower()] = operation
    return {
        "openapi": "3.1.0",
        "info": {"title": "e-Office API", "version": "1.0.0",
                 "description": "Hệ thống quản lý văn bản và điều hành. Messages follow "
                                "Accept-Language (vi by default, en)."},
        "servers": [{"url": "/"}],
        "paths": paths,
        "components": {"schemas": SCHEMAS, "securitySchemes": {
            "bearer": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}},
    }
