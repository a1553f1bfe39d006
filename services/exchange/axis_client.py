"""A client of the national document exchange axis (trục liên thông văn bản quốc gia, the
VPCP "VXP" axis), speaking the wire format of the public VXP SDK (SDKVXP 2.0.1, Java package
``com.vpcp.services``), which the reference axis (``services.axis``) serves as well.

Wire format
-----------
Every call is ``POST <base_url>/<operation>``. Its parameters travel in headers, signed as the
SDK signs them (``VnptService.addXroadVnptHashHeader``):

- each parameter ``name: value`` is sent as header ``XroadVnpt-name: value``; ``systemid`` (the
  SystemId), ``timestamp`` (``ddMMyyyy'T'HHmmss+SSSS``, the last four digits milliseconds) and
  ``Content-Type`` are always among them;
- ``XroadVnpt-sign-header``: the JSON object of those headers, ``{"XroadVnpt-systemid": ...}``;
- ``XroadVnpt-sign-header-key``: their names joined by ``;``;
- ``XroadVnpt-hash-header``: hex HMAC-SHA256 of the sign-header's bytes, keyed with the
  SecretKey. The secret itself never travels.
- ``XroadVnpt-version: 3.0.201608`` and a plain ``Content-Type``.

The reference axis reads the parameters from the signed JSON only; this client writes that JSON
in ASCII (``\\u`` escapes), and percent-encodes the loose copy of a value that is not printable
ASCII (a Vietnamese reason), which HTTP headers cannot carry.

=====================  ==========================================  ==========================
operation              parameters (signed headers)                 body → answer
=====================  ==========================================  ==========================
getAgenciesList        [since] (ours: ISO 8601, inclusive)         → data: [agency]
registerAgency         —                                           JSON agency → OK
deleteAgency           AgencyCode                                  → OK
sendEdoc               from, to (JSON array), servicetype,         edXML bytes,
                       messagetype (edoc|status), hash-file        octet-stream → DocId
                       (SHA-256 hex of the body)
getReceivedEdocList    servicetype, [messagetype], [fromDate],     → data: [queued message]
                       [toDate]
getSentEdocList        [docId], [messagetype], [fromDate], ...     → data: [per recipient]
getEdoc                docId                                       → data: base64 of the bytes
updateStatus           docId, status, [reason] (ours)              → OK
=====================  ==========================================  ==========================

Answers are JSON ``{"status": "OK", "ErrorCode": "0", "ErrorDesc": ..., ...}``; a refusal is
``{"status": "FAIL", "ErrorCode": <code>, "ErrorDesc": <English>}`` (the reference axis adds
``ErrorDescVi``, and a matching HTTP 4xx). An agency is ``{"id", "code", "pid", "name", "mail",
...}``; the reference axis adds ``pcode``, ``mobile``, ``fax``, ``deleted`` and ``modifyDate``.
A queued message is ``{"docId", "serviceType", "messageType", "created_time",
"updated_time", "from", "to", "status", "status_desc"}``. Each recipient's copy has a DocId of
its own (the SDK's ``receiverDocId``), distinct from the DocId ``sendEdoc`` returned to the
sender (``senderDocId``).

Errors: ``AxisUnavailable`` (no connection, a timeout, 5xx, 408, 429, an answer that is not the
axis's JSON): try again later. ``AxisRefused`` (4xx or a FAIL answer): the axis said no, do not
retry as is; it carries the HTTP status, the axis's ErrorCode and its messages.

The client uses one ``requests`` Session and no threads: in the services it runs under
eventlet's monkey patching.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from urllib.parse import quote

import requests

SDK_VERSION = "3.0.201608"
USER_AGENT = "eoffice-axis-client/1.0 (VPCP VXP SDK wire format)"
# Statuses below 500 that still mean "try again later".
RETRYABLE = (408, 429)


class AxisError(Exception):
    """Any failure to talk with the axis."""


class AxisUnavailable(AxisError):
    """The axis could not be reached or did not answer properly: retry later."""


class AxisRefused(AxisError):
    """The axis refused the request (4xx or a FAIL answer): retrying it unchanged will not
    help."""

    def __init__(self, status: int, code: str, message: str, message_vi: str = ""):
        super().__init__(f"HTTP {status} {code}: {message}")
        self.status = status
        self.code = code
        self.message = message
        self.message_vi = message_vi


@dataclass(frozen=True)
class Agency:
    """An agency of the axis directory, keyed by its mã định danh (``organ_id``, opaque, up to
    35 characters)."""
    organ_id: str
    name: str
    parent_id: str | None = None
    email: str | None = None
    phone: str | None = None
    fax: str | None = None
    deleted: bool = False
    changed_at: datetime | None = None


@dataclass(frozen=True)
class Received:
    """A message waiting in the queue of one of this system's agencies; ``doc_id`` is the
    recipient's own DocId (for get_edoc and update_status)."""
    doc_id: str
    from_organ: str
    to_organ: str
    message_type: str
    created_at: datetime | None
    service_type: str = "eDoc"
    status: str = ""
    status_desc: str = ""


@dataclass(frozen=True)
class SentStatus:
    """What became of a sent message at one recipient."""
    doc_id: str                 # the sender's DocId (what send_edoc returned)
    receiver_doc_id: str
    from_organ: str
    to_organ: str
    message_type: str
    status: str
    status_desc: str
    sent_at: datetime | None
    updated_at: datetime | None


def sdk_timestamp(moment: datetime) -> str:
    """The SDK's ``timestamp`` header: ``ddMMyyyy'T'HHmmss+SSSS`` (+ milliseconds, not a zone)."""
    return f"{moment.strftime('%d%m%YT%H%M%S')}+{moment.microsecond // 1000:04d}"


def _loose_header(value: str) -> str:
    return value if all(" " <= c <= "~" for c in value) else quote(value, safe="")


def signed_headers(system_id: str, secret_key: str, params: dict[str, str],
                   content_type: str = "application/json",
                   now: datetime | None = None) -> dict[str, str]:
    """The headers of one request: ``params`` with systemid, timestamp and Content-Type, each
    as ``XroadVnpt-<name>``, their JSON signed with HMAC-SHA256 under the SecretKey."""
    names = {"systemid": system_id,
             "timestamp": sdk_timestamp(now or datetime.now(timezone.utc)),
             "Content-Type": content_type, **params}
    signed = {f"XroadVnpt-{name}": str(value) for name, value in names.items()}
    sign_header = json.dumps(signed, ensure_ascii=True, separators=(",", ":"))
    headers = {name: _loose_header(value) for name, value in signed.items()}
    headers.update({
        "Content-Type": content_type,
        "XroadVnpt-sign-header-key": ";".join(names),
        "XroadVnpt-sign-header": sign_header,
        "XroadVnpt-hash-header": hmac.new(secret_key.encode("utf-8"),
                                          sign_header.encode("ascii"),
                                          hashlib.sha256).hexdigest(),
        "XroadVnpt-version": SDK_VERSION,
        "User-Agent": USER_AGENT,
    })
    return headers


def _moment(value) -> str:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise ValueError("a moment sent to the axis must carry its time zone")
        return value.astimezone(timezone.utc).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _parse_moment(text) -> datetime | None:
    if not text:
        return None
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return None     # the real axis's time format is not documented: keep going without
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _agency(item: dict) -> Agency:
    return Agency(
        organ_id=item.get("code") or item.get("id") or "",
        name=item.get("name") or "",
        # "pcode" is the reference axis's; the real axis's "pid" may be an internal id
        parent_id=item.get("pcode") or item.get("pid") or None,
        email=item.get("mail") or None, phone=item.get("mobile") or None,
        fax=item.get("fax") or None, deleted=bool(item.get("deleted", False)),
        changed_at=_parse_moment(item.get("modifyDate")))


class AxisClient:
    """One connected system (SystemId + SecretKey) talking to the axis at ``base_url``."""

    def __init__(self, base_url: str, system_id: str, secret_key: str, timeout: float = 10.0):
        self.base_url = base_url.rstrip("/")
        self.system_id = system_id
        self.secret_key = secret_key
        self.timeout = timeout
        self._session = requests.Session()

    def close(self) -> None:
        self._session.close()

    def __enter__(self) -> AxisClient:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- transport --------------------------------------------------------------------------

    def _call(self, operation: str, params: dict[str, str] | None = None, *,
              body: bytes = b"", content_type: str = "application/json") -> dict:
        headers = signed_headers(self.system_id, self.secret_key, params or {}, content_type)
        try:
            response = self._session.post(f"{self.base_url}/{operation}", data=body,
                                          headers=headers, timeout=self.timeout,
                                          allow_redirects=False)
        except requests.RequestException as error:
            raise AxisUnavailable(
                f"the axis at {self.base_url} did not answer {operation}: {error}") from error
        status = response.status_code
        if status >= 500 or status in RETRYABLE:
            raise AxisUnavailable(f"the axis answered {operation} with HTTP {status}")
        try:
            answer = response.json()
        except ValueError:
            answer = None
        if not isinstance(answer, dict):
            if 400 <= status < 500:
                raise AxisRefused(status, f"HTTP_{status}", response.text[:500])
            raise AxisUnavailable(
                f"the axis answered {operation} with HTTP {status} and no JSON answer")
        if (400 <= status < 500 or answer.get("status") == "FAIL"
                or str(answer.get("ErrorCode", "0")) != "0"):
            raise AxisRefused(status, str(answer.get("ErrorCode") or f"HTTP_{status}"),
                              str(answer.get("ErrorDesc") or ""),
                              str(answer.get("ErrorDescVi") or ""))
        if not 200 <= status < 300:
            raise AxisUnavailable(f"the axis answered {operation} with HTTP {status}")
        return answer

    # -- the directory ----------------------------------------------------------------------

    def get_agencies(self, since: datetime | str | None = None) -> list[Agency]:
        """The directory. With ``since`` (a reference-axis extension), only the agencies
        changed at or after it, deleted ones included: pass the largest ``changed_at`` seen
        (an agency may come twice)."""
        params = {"since": _moment(since)} if since is not None else {}
        answer = self._call("getAgenciesList", params)
        return [_agency(item) for item in answer.get("data") or []]

    def register_agency(self, agency: Agency) -> None:
        """Registers (or updates) an agency in the directory, connected through this system."""
        body = json.dumps({"id": "", "code": agency.organ_id, "pcode": agency.parent_id or "",
                           "name": agency.name, "mail": agency.email or "",
                           "mobile": agency.phone or "", "fax": agency.fax or ""},
                          ensure_ascii=False).encode("utf-8")
        self._call("registerAgency", body=body)

    def delete_agency(self, organ_id: str) -> None:
        self._call("deleteAgency", {"AgencyCode": organ_id})

    # -- messages ---------------------------------------------------------------------------

    def send_edoc(self, from_organ: str, to_organs: list[str] | str, message_type: str,
                  data: bytes, service_type: str = "eDoc") -> str:
        """Sends an edXML package (``message_type`` "edoc" or "status") from one of this
        system's agencies; returns the DocId the axis gave it."""
        if isinstance(to_organs, str):
            to_organs = [to_organs]
        params = {"from": from_organ, "to": json.dumps(list(to_organs), separators=(",", ":")),
                  "servicetype": service_type, "messagetype": message_type,
                  "hash-file": hashlib.sha256(data).hexdigest()}
        answer = self._call("sendEdoc", params, body=data,
                            content_type="application/octet-stream")
        doc_id = answer.get("DocId")
        if not doc_id:
            raise AxisUnavailable("the axis accepted sendEdoc without giving a DocId")
        return str(doc_id)

    def received(self, message_type: str | None = None, from_date=None,
                 to_date=None) -> list[Received]:
        """The messages waiting for this system's agencies (not yet acknowledged done)."""
        params = {"servicetype": "eDoc"}
        if message_type:
            params["messagetype"] = message_type
        if from_date is not None:
            params["fromDate"] = _moment(from_date)
        if to_date is not None:
            params["toDate"] = _moment(to_date)
        answer = self._call("getReceivedEdocList", params)
        return [Received(
            doc_id=str(item.get("docId") or ""), from_organ=item.get("from") or "",
            to_organ=item.get("to") or "", message_type=item.get("messageType") or "",
            created_at=_parse_moment(item.get("created_time")),
            service_type=item.get("serviceType") or "eDoc", status=item.get("status") or "",
            status_desc=item.get("status_desc") or "") for item in answer.get("data") or []]

    def get_edoc(self, doc_id: str) -> bytes:
        """The package of a message waiting for one of this system's agencies."""
        answer = self._call("getEdoc", {"docId": doc_id})
        try:
            return base64.b64decode(answer.get("data") or "", validate=True)
        except (binascii.Error, ValueError) as error:
            raise AxisUnavailable(f"the axis's getEdoc data is not base64: {error}") from error

    def update_status(self, doc_id: str, status: str, reason: str = "") -> None:
        """Acknowledges a received message: ``done`` takes it out of the queue; ``fail``
        (with the reason, for the sender to see), ``processing``, ``inbox``, ``acceptance``,
        ``rejection`` are recorded."""
        params = {"docId": doc_id, "status": status}
        if reason:
            params["reason"] = reason
        self._call("updateStatus", params)

    def sent(self, doc_id: str | None = None) -> list[SentStatus]:
        """What became of the messages this system's agencies sent (one row per recipient)."""
        answer = self._call("getSentEdocList", {"docId": doc_id} if doc_id else {})
        return [SentStatus(
            doc_id=str(item.get("senderDocId") or ""),
            receiver_doc_id=str(item.get("receiverDocId") or ""),
            from_organ=item.get("fromCode") or "", to_organ=item.get("toCode") or "",
            message_type=item.get("messageType") or "",
            status=item.get("receiveStatus") or "",
            status_desc=item.get("receiveStatusDesc") or "",
            sent_at=_parse_moment(item.get("sentTime")),
            updated_at=_parse_moment(item.get("receivedTime")))
            for item in answer.get("data") or []]
