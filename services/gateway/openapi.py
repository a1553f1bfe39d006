"""The OpenAPI document the gateway serves at /api/v1/openapi.json: the contract that
ships. Its paths are built from the route table (routes.py), the same rows the gateway's
routes are made from; its enumerations come from the vocabulary (services/common)."""
from __future__ import annotations

from services.common import vocabulary
from services.gateway import routes

# Named here too for the documents service's test that the document and its state
# machine agree.
OUTGOING_STATES = vocabulary.OUTGOING_STATES
INCOMING_STATES = vocabulary.INCOMING_STATES
OUTGOING_ACTIONS = routes.OUTGOING_ACTIONS


def enum(table) -> dict:
    """A string schema whose values are a vocabulary table's codes."""
    return {"type": "string", "enum": list(table)}


URGENCY = enum(vocabulary.URGENCIES)
CONFIDENTIALITY = enum(vocabulary.CONFIDENTIALITIES)
ROLE = enum(vocabulary.ROLES)

OBJ = {"type": "object"}
STR = {"type": "string"}
#: a document replaces (thay thế) or corrects (đính chính) an earlier one of its unit
RELATED = {"type": ["object", "null"], "required": ["kind", "id"], "properties": {
    "kind": enum(vocabulary.RELATED_KIND_NAMES), "id": {"type": "string", "format": "uuid"}},
    "description": "Thay thế / đính chính văn bản / the earlier document this one replaces "
                   "or corrects"}
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
            "unit_id": STR, "unit_name": STR, "role": ROLE}}}}},
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
        "clearance": CONFIDENTIALITY,
        "system_admin": {"type": "boolean", "description":
                         "quản trị hệ thống (given by one only)"},
        "memberships": {"type": "array", "minItems": 1, "items": {"type": "object", "properties": {
            "unit_id": STR, "role": ROLE}}}}},
    "UnitPage": {"allOf": [{"$ref": "#/components/schemas/Page"}]},
    "RegisterList": {"type": "object", "properties": {"items": {"type": "array", "items": OBJ}}},
    "Vocabulary": {"type": "object", "properties": {
        **{table: {"type": "array", "items": {"type": "object", "properties": {
            "code": STR, "vi": STR, "en": STR}}} for table in vocabulary.TABLES},
        "document_types": {"type": "array", "items": {"type": "object", "properties": {
            "code": STR, "vi": STR, "en": STR, "abbreviation": STR}}}}},
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
        "urgency": URGENCY,
        "confidentiality": CONFIDENTIALITY,
        "due_date": {"type": "string", "format": "date"},
        "page_amount": {"type": "integer", "minimum": 1, "maximum": 999},
        "signer": {"type": "object", "properties": {
            "position": {"type": "string", "maxLength": 100},
            "full_name": {"type": "string", "maxLength": 50}}},
        "file_ids": {"type": "array", "items": STR, "maxItems": 20},
        "description": {"type": "string", "maxLength": 500},
        "confirm_duplicate": {"type": "boolean"}, "related": RELATED}},
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
        "urgency": URGENCY,
        "confidentiality": CONFIDENTIALITY,
        "issued_amount": {"type": "integer", "minimum": 1, "maximum": 999},
        "due_date": {"type": "string", "format": "date"},
        "keeper": {"type": "string", "maxLength": 200},
        "file_ids": {"type": "array", "maxItems": 20, "items": STR},
        "note": {"type": "string", "maxLength": 500},
        "related": RELATED}},
    "CopyRequest": {"type": "object", "required": ["document_id", "unit_id", "form"],
                    "properties": {
        "document_id": STR, "unit_id": STR, "form": enum(vocabulary.COPY_FORM_NAMES),
        "excerpt": {"type": "string", "maxLength": 1000,
                    "description": "required for TS: the part taken"},
        "to_places": {"type": "string", "maxLength": 1000},
        "signer": {"type": "object", "properties": {
            "position": {"type": "string", "maxLength": 100},
            "full_name": {"type": "string", "maxLength": 50}}},
        "page_amount": {"type": "integer", "minimum": 1, "maximum": 999},
        "description": {"type": "string", "maxLength": 500},
        "file_ids": {"type": "array", "maxItems": 5, "items": STR},
        "sign_digitally": {"type": "boolean", "description":
                           "ký số bản sao điện tử / sign the copy's PDF (its first file)"}}},
    "OutgoingDocument": {"type": "object", "properties": {
        "id": STR, "direction": {"const": "outgoing"}, "unit_id": STR,
        "related": {"type": ["object", "null"]}, "replaced_by_id": {"type": ["string", "null"]},
        "state": enum(OUTGOING_STATES), "state_reason": STR,
        "version": {"type": "integer"}, "code_number": STR, "code_notation": STR,
        "issued_date": STR, "register_id": STR, "subject": STR, "document_type": STR,
        "recipients": {"type": "array", "items": OBJ},
        "versions": {"type": "array", "items": OBJ},
        "signed_file_id": STR, "signed_attachment_ids": {"type": "array", "items": STR},
        "digital_signatures": {"type": "array", "items": OBJ}}},
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
        "unit_id": STR, "to_user_id": STR, "kind": enum(vocabulary.DELEGATION_KIND_NAMES),
        "actions": {"type": "array",
                    "items": enum(vocabulary.DELEGATION_ACTION_NAMES)},
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

ERRORS = {"400": "VALIDATION_ERROR", "401": "UNAUTHENTICATED", "403": "FORBIDDEN",
          "404": "NOT_FOUND", "409": "CONFLICT", "413": "TOO_LARGE", "429": "TOO_MANY_REQUESTS",
          "503": "SERVICE_UNAVAILABLE",
          "504": "SERVICE_TIMEOUT"}
#: What a route that does not answer JSON answers.
ANSWERS = {
    routes.FILE: {"description": "The file", "content": {
        "application/pdf": {}, "application/xml": {},
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}},
    routes.REDIRECT: {"description": "Redirect (see the summary)"},
    routes.STREAM: {"description": "A stream of events", "content": {"text/event-stream": {}}},
}


def _ref(name):
    return {"$ref": f"#/components/schemas/{name}"}


def operation(route: routes.Route) -> dict:
    """One route's operation object."""
    op = {"tags": [route.tag], "summary": route.summary, "responses": {}}
    path_params = [{"name": part[1:-1], "in": "path", "required": True,
                    "schema": {"type": "string"}}
                   for part in route.openapi_path.split("/") if part.startswith("{")]
    params = path_params + list(route.query) + \
        ([routes.IDEMPOTENCY_KEY] if route.idempotent else [])
    if params:
        op["parameters"] = params
    if route.request:
        op["requestBody"] = {"required": True, "content": {
            "application/json": {"schema": _ref(route.request)}}}
    if route.answer == routes.JSON:
        op["responses"][str(route.status)] = {"description": "OK", "content": {
            "application/json": {"schema": _ref(route.response) if route.response else OBJ}}}
    else:
        status = "302" if route.answer == routes.REDIRECT else "200"
        op["responses"][status] = ANSWERS[route.answer]
    for status, code in ERRORS.items():
        if status == "401" and route.auth == routes.PUBLIC:
            continue
        op["responses"][status] = {"description": code, "content": {
            "application/json": {"schema": _ref("Error")}}}
    if route.auth == routes.BEARER:
        op["security"] = [{"bearer": []}]
    return op


def build_document() -> dict:
    paths: dict = {}
    for route in routes.ROUTES:
        paths.setdefault(route.openapi_path, {})[route.method.lower()] = operation(route)
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
