"""The reference axis's HTTP API, as a plain WSGI app (werkzeug), speaking the wire format of
the public VPCP VXP SDK (SDKVXP 2.0.1, ``com.vpcp.services``); docs/exchange-axis.md says what
is confirmed by public code and what is our choice.

Every operation is ``POST <base>/<operation>`` (GET is accepted too) whose parameters travel
in headers, signed as the SDK signs them:

- each parameter ``name: value`` is sent as header ``XroadVnpt-name``, always with
  ``systemid``, ``timestamp`` and ``Content-Type`` among them;
- ``XroadVnpt-sign-header`` is a JSON object of those headers (``{"XroadVnpt-systemid": ...}``),
  ``XroadVnpt-sign-header-key`` their names joined by ``;``, and ``XroadVnpt-hash-header``
  the hex HMAC-SHA256 of the sign-header's bytes keyed with the system's SecretKey.

The axis recomputes the HMAC over the sign-header exactly as received and compares it in
constant time; then it reads every parameter from that signed JSON (names case-insensitive),
never from the loose ``XroadVnpt-*`` headers, so an unsigned header changes nothing.

Answers are JSON: ``{"status": "OK", "ErrorCode": "0", "ErrorDesc": "Success", ...}`` or
``{"status": "FAIL", "ErrorCode": <code>, "ErrorDesc": <English>, "ErrorDescVi": <Vietnamese>}``
with a matching HTTP status (401, 403, 404, 409, 410, 413, 400).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging

from werkzeug.wrappers import Request, Response

from services.axis.errors import AxisProblem, NotFound, bad_signature, invalid
from services.axis.store import (
    MESSAGE_TYPES,
    AxisStore,
    check_organ_id,
    parse_time,
    too_large,
)

log = logging.getLogger("services.axis")

DEFAULT_MAX_SIZE = 60 * 1024 * 1024
PREFIX = "xroadvnpt-"
# Keyed with something no system has, so an unknown SystemId costs the same HMAC as a known
# one (no timing hint about which systems exist).
_DECOY_KEY = hashlib.sha256(b"no such system").digest()
# A refused body is still read, up to this much past the limit.
DRAIN_ALLOWANCE = 16 * 1024 * 1024

OK = {"status": "OK", "ErrorCode": "0", "ErrorDesc": "Success"}
# registerAgency's body names for the fields of an agency
WIRE_NAMES = {"organ_id": "code", "parent_id": "pcode", "email": "mail", "phone": "mobile"}


def json_response(body: dict, status: int = 200) -> Response:
    return Response(json.dumps(body, ensure_ascii=False), status=status,
                    content_type="application/json; charset=utf-8")


def signed_parameters(request: Request, secret_of) -> tuple[str, dict[str, str]]:
    """The calling SystemId and its signed parameters (lower-case names without the
    ``XroadVnpt-`` prefix); Unauthenticated unless the HMAC matches the system's key."""
    sign_header = request.headers.get("XroadVnpt-sign-header")
    given = request.headers.get("XroadVnpt-hash-header")
    if not sign_header or not given:
        raise bad_signature()
    # WSGI hands header bytes over as latin-1 text: this is exactly what the client signed.
    raw = sign_header.encode("latin-1")
    try:
        signed = json.loads(raw.decode("utf-8"))
    except ValueError:
        raise bad_signature() from None
    if not isinstance(signed, dict):
        raise bad_signature()
    params: dict[str, str] = {}
    for key, value in signed.items():
        if not isinstance(key, str) or not key.lower().startswith(PREFIX):
            continue
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            raise bad_signature()
        name = key[len(PREFIX):].lower()
        if name in params:          # "docId" and "docid" both signed: ambiguous
            raise bad_signature()
        params[name] = str(value)
    system_id = params.get("systemid", "")
    secret = secret_of(system_id) if system_id else None
    key = secret.encode("utf-8") if secret is not None else _DECOY_KEY
    expected = hmac.new(key, raw, hashlib.sha256).hexdigest().encode("ascii")
    matches = hmac.compare_digest(expected, given.strip().lower().encode("latin-1"))
    if secret is None or not matches:
        raise bad_signature()
    return system_id, params


def parse_recipients(value: str | None) -> list[str]:
    """The ``to`` parameter: the SDK sends a JSON array (or a JSON string); a comma-separated
    list is accepted too. Duplicates are dropped, order kept."""
    text = (value or "").strip()
    if text.startswith(("[", '"')):
        try:
            parsed = json.loads(text)
        except ValueError:
            raise invalid("to", "not valid JSON", "không phải JSON hợp lệ") from None
        items = [parsed] if isinstance(parsed, str) else parsed
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise invalid("to", "a list of agency ids", "danh sách mã định danh")
    else:
        items = text.split(",")
    organs = list(dict.fromkeys(item.strip() for item in items if item.strip()))
    if not organs:
        raise invalid("to", "at least one recipient agency", "cần ít nhất một đơn vị nhận")
    if len(organs) > 1000:
        raise invalid("to", "at most 1000 recipients", "tối đa 1000 đơn vị nhận")
    for organ in organs:
        check_organ_id(organ, "to")
    return organs


def _sha256_matches(digest: bytes, claimed: str) -> bool:
    """The SDK writes the SHA-256 of the file as hex without zero-padding each byte
    (Integer.toHexString); our client pads. Both are accepted."""
    claimed = claimed.strip().lower()
    return claimed in (digest.hex(), "".join(format(b, "x") for b in digest))


def _message_type(params: dict, *, required: bool) -> str | None:
    value = params.get("messagetype", "").strip().lower()
    if not value:
        if required:
            raise invalid("messagetype", "required: edoc or status", "bắt buộc: edoc hoặc status")
        return None
    if value not in MESSAGE_TYPES:
        raise invalid("messagetype", "edoc or status", "edoc hoặc status")
    return value


def _time_filters(params: dict) -> tuple[str | None, str | None]:
    from_date, to_date = params.get("fromdate", "").strip(), params.get("todate", "").strip()
    return (parse_time(from_date, "fromDate") if from_date else None,
            parse_time(to_date, "toDate", upper=True) if to_date else None)


def _doc_id(params: dict) -> str:
    doc_id = params.get("docid", "").strip()
    if not doc_id or len(doc_id) > 100:
        raise invalid("docId", "required", "bắt buộc")
    return doc_id


def agency_answer(row: dict) -> dict:
    """An agency as getAgenciesList answers it. ``id``/``pid`` are the real axis's internal
    ids; ours are the codes. Empty strings, never null: the Java SDK calls getAsString on
    every field present, which throws on a JSON null."""
    return {"id": row["organ_id"], "code": row["organ_id"],
            "pid": row["parent_id"] or "", "pcode": row["parent_id"] or "",
            "name": row["name"], "mail": row["email"] or "", "mobile": row["phone"] or "",
            "fax": row["fax"] or "", "deleted": bool(row["deleted"]),
            "modifyDate": row["changed_at"]}


class AxisApp:
    """The WSGI application over an AxisStore."""

    def __init__(self, store: AxisStore, max_size: int = DEFAULT_MAX_SIZE):
        self.store = store
        self.max_size = max_size
        self.operations = {
            "getAgenciesList": self.get_agencies,
            "registerAgency": self.register_agency,
            "deleteAgency": self.delete_agency,
            "sendEdoc": self.send_edoc,
            "getReceivedEdocList": self.received,
            "getSentEdocList": self.sent,
            "getEdoc": self.get_edoc,
            "downloadEdoc": self.download_edoc,
            "updateStatus": self.update_status,
        }

    def __call__(self, environ, start_response):
        request = Request(environ)
        try:
            response = self.dispatch(request)
        except AxisProblem as problem:
            response = json_response(problem.answer(), problem.status)
        except Exception:
            log.exception("axis: %s %s failed", request.method, request.path)
            problem = AxisProblem("The axis failed to handle the request; try again later.",
                                  "Trục gặp lỗi khi xử lý yêu cầu; vui lòng thử lại sau.")
            response = json_response(problem.answer(), problem.status)
        self._drain(request)
        return response(environ, start_response)

    def _drain(self, request: Request) -> None:
        """Reads what is left of the body: the client gets the answer instead of a reset in
        the middle of its upload, and a kept-alive connection stays in step (the SDK sends a
        "{}" body that most operations never read)."""
        length = request.content_length
        if length is not None and length > self.max_size + DRAIN_ALLOWANCE:
            return
        budget = self.max_size + DRAIN_ALLOWANCE
        stream = request.stream
        while budget > 0 and (chunk := stream.read(min(budget, 1 << 20))):
            budget -= len(chunk)

    def dispatch(self, request: Request) -> Response:
        name = request.path.strip("/")
        if name == "health" and request.method in ("GET", "HEAD"):
            return json_response({"status": "OK"})
        operation = self.operations.get(name)
        if operation is None or request.method not in ("GET", "POST"):
            raise NotFound(f"No operation {request.method} /{name}.",
                           f"Không có thao tác {request.method} /{name}.")
        system_id, params = signed_parameters(request, self.store.secret_of)
        return operation(request, system_id, params)

    # -- the directory ----------------------------------------------------------------------

    def get_agencies(self, request, system_id, params):
        since = params.get("since", "").strip()
        rows = self.store.agencies(parse_time(since, "since") if since else None)
        return json_response({**OK, "data": [agency_answer(row) for row in rows]})

    def register_agency(self, request, system_id, params):
        if (request.content_length or 0) > 1 << 20:
            raise invalid("body", "at most 1 MiB", "tối đa 1 MiB")
        try:
            data = json.loads(request.get_data(cache=False) or b"null")
        except ValueError:
            raise invalid("body", "not valid JSON", "không phải JSON hợp lệ") from None
        if not isinstance(data, dict):
            raise invalid("body", "a JSON object", "một đối tượng JSON")
        row = self.store.register_agency(system_id, {
            "organ_id": data.get("code"), "name": data.get("name"),
            "parent_id": data.get("pcode"), "email": data.get("mail"),
            "phone": data.get("mobile"), "fax": data.get("fax")}, names=WIRE_NAMES)
        return json_response({**OK, "data": agency_answer(row)})

    def delete_agency(self, request, system_id, params):
        self.store.delete_agency(system_id, params.get("agencycode", "").strip())
        return json_response(OK)

    # -- messages ---------------------------------------------------------------------------

    def send_edoc(self, request, system_id, params):
        from_organ = check_organ_id(params.get("from", "").strip(), "from")
        to_organs = parse_recipients(params.get("to"))
        message_type = _message_type(params, required=True)
        service_type = params.get("servicetype", "").strip() or "eDoc"
        claimed_hash = params.get("hash-file", "")
        if not claimed_hash:
            raise invalid("hash-file", "required: the SHA-256 of the body, in hex",
                          "bắt buộc: SHA-256 của nội dung, dạng hex")
        if request.content_length is not None and request.content_length > self.max_size:
            raise too_large(self.max_size)
        self.store.check_send(system_id, from_organ, to_organs)
        staged = self.store.stage(request.stream, self.max_size)
        if staged.size == 0 or not _sha256_matches(staged.sha256, claimed_hash):
            self.store.discard(staged)
            if staged.size == 0:
                raise invalid("body", "the edXML package is empty", "gói tin edXML rỗng")
            raise invalid("hash-file", "does not match the body's SHA-256",
                          "không khớp SHA-256 của nội dung")
        doc_id, _ = self.store.send(system_id, from_organ, to_organs, service_type,
                                    message_type, staged)
        return json_response({**OK, "DocId": doc_id})

    def received(self, request, system_id, params):
        from_time, to_time = _time_filters(params)
        rows = self.store.received(system_id, _message_type(params, required=False),
                                   from_time, to_time)
        return json_response({**OK, "data": [{
            "docId": row["doc_id"], "serviceType": row["service_type"],
            "messageType": row["message_type"], "created_time": row["created_at"],
            "updated_time": row["updated_at"], "from": row["from_organ"],
            "to": row["to_organ"], "status": row["status"],
            "status_desc": row["status_desc"]} for row in rows]})

    def sent(self, request, system_id, params):
        from_time, to_time = _time_filters(params)
        doc_id = params.get("docid", "").strip() or None
        rows = self.store.sent(system_id, doc_id, _message_type(params, required=False),
                               from_time, to_time)
        return json_response({**OK, "data": [{
            "senderDocId": row["sender_doc_id"], "receiverDocId": row["receiver_doc_id"],
            "fromCode": row["from_organ"], "toCode": row["to_organ"],
            "serviceType": row["service_type"], "messageType": row["message_type"],
            "sentTime": row["created_at"], "receiveStatus": row["status"],
            "receiveStatusDesc": row["status_desc"], "receivedTime": row["updated_at"]}
            for row in rows]})

    def _edoc_bytes(self, system_id, params) -> bytes:
        with self.store.open_edoc(system_id, _doc_id(params)) as f:
            return f.read()

    def get_edoc(self, request, system_id, params):
        data = self._edoc_bytes(system_id, params)
        return json_response({**OK, "data": base64.b64encode(data).decode("ascii")})

    def download_edoc(self, request, system_id, params):
        return Response(self._edoc_bytes(system_id, params),
                        content_type="application/octet-stream")

    def update_status(self, request, system_id, params):
        reason = params.get("reason", "")
        if len(reason) > 2000:
            raise invalid("reason", "at most 2000 characters", "tối đa 2000 ký tự")
        self.store.update_status(system_id, _doc_id(params),
                                 params.get("status", "").strip().lower(), reason)
        return json_response(OK)


def make_app(store: AxisStore, max_size: int = DEFAULT_MAX_SIZE) -> AxisApp:
    return AxisApp(store, max_size)
