"""The reference axis's storage: one SQLite file (WAL, synchronous FULL) with the connected
systems, the agency directory and the store-and-forward queues, and the edXML packages as files
beside it (``edocs/<DocId>.edxml``, written to a temporary file, synced and renamed into place
before the transaction that queues them commits). A restart loses nothing: every queue change
is one transaction, and a package is removed only once every recipient has acknowledged it
``done``.

One message (the sender's DocId) is queued once per recipient agency; each queue entry has its
own DocId (the receiver's), as the SDK's getSentEdocList answer has ``senderDocId`` and
``receiverDocId``. The recipient fetches and acknowledges by its own DocId, so two agencies of
one system never share an acknowledgement.

The store serialises its work on one connection under a lock: the server is threaded, and
SQLite writes one transaction at a time anyway.
"""
from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from services.axis.errors import Conflict, Forbidden, Gone, NotFound, TooLarge, invalid

DB_FILE = "axis.db"
EDOC_DIR = "edocs"
#: Mã định danh (QĐ 20/2020): up to 35 characters of ".", 0–9 and A–Z; opaque otherwise.
ORGAN_ID = re.compile(r"[0-9A-Z.]{1,35}")
MESSAGE_TYPES = ("edoc", "status")
#: Transport acknowledgements, as a public gateway over the SDK lists them; only "done" takes
#: a message out of the recipient's queue.
STATUSES = ("inbox", "acceptance", "rejection", "assignment", "processing", "done", "fail",
            "cancellation")
PENDING = "pending"    # a queued message nobody has acknowledged yet (our word)
VIETNAM = timezone(timedelta(hours=7))
CHUNK = 1 << 20

SCHEMA = """
CREATE TABLE IF NOT EXISTS systems (
    system_id TEXT PRIMARY KEY,
    secret_key TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS agencies (
    organ_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    parent_id TEXT,
    email TEXT,
    phone TEXT,
    fax TEXT,
    system_id TEXT,                 -- the connected system that serves it, if any
    deleted INTEGER NOT NULL DEFAULT 0,
    changed_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS agencies_changed ON agencies (changed_at);
CREATE TABLE IF NOT EXISTS messages (
    doc_id TEXT PRIMARY KEY,        -- the sender's DocId
    from_organ TEXT NOT NULL,
    service_type TEXT NOT NULL,
    message_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS deliveries (
    doc_id TEXT PRIMARY KEY,        -- the receiver's DocId
    message_id TEXT NOT NULL REFERENCES messages (doc_id),
    to_organ TEXT NOT NULL,
    status TEXT NOT NULL,
    status_desc TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_queue ON deliveries (to_organ, status, created_at);
CREATE INDEX IF NOT EXISTS deliveries_message ON deliveries (message_id);
"""

AGENCY_FIELDS = ("name", "parent_id", "email", "phone", "fax")


def format_time(moment: datetime) -> str:
    """Fixed-width UTC text, so that text order is time order in SQL."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def parse_time(text: str, field: str, *, upper: bool = False) -> str:
    """A filter bound as stored text. ISO 8601 date or date-time; without an offset it is
    Vietnam time. ``upper``: the exclusive upper bound of an inclusive filter (a date covers
    its whole day)."""
    text = text.strip()
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime(day.year, day.month, day.day, tzinfo=VIETNAM)
            step = timedelta(days=1)
        else:
            moment = datetime.fromisoformat(text)
            if moment.tzinfo is None:
                moment = moment.replace(tzinfo=VIETNAM)
            step = timedelta(microseconds=1)
    except ValueError:
        raise invalid(field, "not an ISO 8601 date or date-time",
                      "không phải ngày hoặc thời điểm theo ISO 8601") from None
    return format_time(moment + step if upper else moment)


def check_organ_id(value, field: str) -> str:
    if not isinstance(value, str) or not ORGAN_ID.fullmatch(value):
        raise invalid(field, "an agency id is 1 to 35 characters of '.', 0-9 and A-Z",
                      "mã định danh gồm 1 đến 35 ký tự '.', 0-9 và A-Z")
    return value


def check_agency(data: dict, *, field_prefix: str = "", names: dict | None = None) -> dict:
    """An agency record (organ_id, name, parent_id, email, phone, fax) checked and trimmed.
    ``names`` renames fields in the refusals (registerAgency's body says code, pcode, ...)."""
    def label(field: str) -> str:
        return field_prefix + (names or {}).get(field, field)

    if not isinstance(data, dict):
        raise invalid(field_prefix or "agency", "must be an object", "phải là một đối tượng")
    organ_id = check_organ_id(data.get("organ_id"), label("organ_id"))
    name = data.get("name")
    if not isinstance(name, str) or not name.strip() or len(name) > 1000:
        raise invalid(label("name"), "required, at most 1000 characters",
                      "bắt buộc, tối đa 1000 ký tự")
    agency = {"organ_id": organ_id, "name": name.strip()}
    parent = data.get("parent_id") or None
    if parent is not None:
        check_organ_id(parent, label("parent_id"))
        if parent == organ_id:
            raise invalid(label("parent_id"), "an agency is not its own parent",
                          "đơn vị không thể là đơn vị cha của chính nó")
    agency["parent_id"] = parent
    for field in ("email", "phone", "fax"):
        value = data.get(field) or None
        if value is not None and (not isinstance(value, str) or len(value) > 200):
            raise invalid(label(field), "at most 200 characters", "tối đa 200 ký tự")
        agency[field] = value
    return agency


@dataclass(frozen=True)
class StagedEdoc:
    """A received package on disk, not yet queued."""
    path: str
    size: int
    sha256: bytes


class AxisStore:
    def __init__(self, directory: str):
        self.directory = os.path.abspath(directory)
        self.edoc_dir = os.path.join(self.directory, EDOC_DIR)
        os.makedirs(self.edoc_dir, exist_ok=True)
        path = os.path.join(self.directory, DB_FILE)
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self._db.row_factory = sqlite3.Row
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute("PRAGMA busy_timeout=10000")
        self._db.executescript(SCHEMA)
        os.chmod(path, 0o600)   # it holds the systems' secret keys
        self._lock = threading.Lock()
        self._last_time = self._db.execute(
            "SELECT max(t) FROM (SELECT max(changed_at) t FROM agencies"
            " UNION ALL SELECT max(updated_at) FROM deliveries)").fetchone()[0] or ""
        self._sweep()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- plumbing -------------------------------------------------------------------------

    @contextmanager
    def _transaction(self):
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @contextmanager
    def _reading(self):
        with self._lock:
            yield self._db

    def _now(self) -> str:
        """The current moment, strictly after every moment this store has handed out: an
        incremental directory sync by time must not miss a change made in the same
        microsecond, nor one made after the clock stepped back."""
        now = format_time(datetime.now(timezone.utc))
        if now <= self._last_time:
            last = datetime.strptime(self._last_time, "%Y-%m-%dT%H:%M:%S.%fZ")
            now = format_time(last.replace(tzinfo=timezone.utc) + timedelta(microseconds=1))
        self._last_time = now
        return now

    def _edoc_path(self, message_id: str) -> str:
        return os.path.join(self.edoc_dir, f"{message_id}.edxml")

    def _sweep(self) -> None:
        """Removes what a crash can leave: staged files never queued, and packages whose
        every delivery was acknowledged but whose file outlived the commit."""
        live = {row[0] for row in self._db.execute(
            "SELECT DISTINCT message_id FROM deliveries WHERE status != 'done'")}
        for name in os.listdir(self.edoc_dir):
            if name.endswith(".edxml") and name[:-len(".edxml")] in live:
                continue
            try:
                os.unlink(os.path.join(self.edoc_dir, name))
            except FileNotFoundError:
                pass

    # -- connected systems and the directory ---------------------------------------------

    def apply_config(self, config: dict) -> None:
        """Connected systems and agencies from the --systems file, in one transaction. The
        file is the authority on systems and secrets (a system it no longer lists can no
        longer connect); agencies it lists are created or updated, deletions made through
        deleteAgency stay."""
        if not isinstance(config, dict):
            raise invalid("systems file", "must be a JSON object", "phải là một đối tượng JSON")
        agencies = [check_agency(a, field_prefix=f"agencies[{i}].")
                    for i, a in enumerate(config.get("agencies") or [])]
        systems = config.get("systems") or []
        served: dict[str, str] = {}
        for i, system in enumerate(systems):
            if not isinstance(system, dict):
                raise invalid(f"systems[{i}]", "must be an object", "phải là một đối tượng")
            system_id, secret = system.get("system_id"), system.get("secret_key")
            if not isinstance(system_id, str) or not system_id.strip() or len(system_id) > 200:
                raise invalid(f"systems[{i}].system_id", "required", "bắt buộc")
            if not isinstance(secret, str) or len(secret) < 16:
                raise invalid(f"systems[{i}].secret_key", "at least 16 characters",
                              "tối thiểu 16 ký tự")
            for organ_id in system.get("organ_ids") or []:
                check_organ_id(organ_id, f"systems[{i}].organ_ids")
                if served.setdefault(organ_id, system_id) != system_id:
                    raise invalid(f"systems[{i}].organ_ids",
                                  f"{organ_id} is served by two systems",
                                  f"{organ_id} được khai báo cho hai hệ thống")
        with self._transaction() as db:
            for agency in agencies:
                self._upsert_agency(db, agency, undelete=False)
            db.execute("DELETE FROM systems")
            for system in systems:
                db.execute("INSERT INTO systems (system_id, secret_key) VALUES (?, ?)",
                           (system["system_id"], system["secret_key"]))
            db.execute("UPDATE agencies SET system_id = NULL WHERE system_id IS NOT NULL"
                       " AND system_id NOT IN (SELECT system_id FROM systems)")
            for organ_id, system_id in served.items():
                if db.execute("SELECT 1 FROM agencies WHERE organ_id = ?",
                              (organ_id,)).fetchone() is None:
                    raise invalid("organ_ids", f"{organ_id} is not in the directory",
                                  f"{organ_id} không có trong danh bạ")
                db.execute("UPDATE agencies SET system_id = ? WHERE organ_id = ?",
                           (system_id, organ_id))

    def secret_of(self, system_id: str) -> str | None:
        with self._reading() as db:
            row = db.execute("SELECT secret_key FROM systems WHERE system_id = ?",
                             (system_id,)).fetchone()
        return row[0] if row else None

    def _upsert_agency(self, db, agency: dict, *, undelete: bool) -> None:
        row = db.execute("SELECT * FROM agencies WHERE organ_id = ?",
                         (agency["organ_id"],)).fetchone()
        values = [agency[field] for field in AGENCY_FIELDS]
        if row is None:
            db.execute("INSERT INTO agencies (organ_id, name, parent_id, email, phone, fax,"
                       " deleted, changed_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
                       (agency["organ_id"], *values, self._now()))
            return
        revive = undelete and row["deleted"]
        if revive or values != [row[field] for field in AGENCY_FIELDS]:
            db.execute("UPDATE agencies SET name = ?, parent_id = ?, email = ?, phone = ?,"
                       " fax = ?, deleted = ?, changed_at = ? WHERE organ_id = ?",
                       (*values, 0 if revive else row["deleted"], self._now(),
                        agency["organ_id"]))

    def agencies(self, since: str | None = None) -> list[dict]:
        """The live directory; with ``since`` (stored-time text), every agency changed at or
        after it, deleted ones included (flagged), oldest change first."""
        with self._reading() as db:
            if since is None:
                rows = db.execute("SELECT * FROM agencies WHERE deleted = 0"
                                  " ORDER BY organ_id").fetchall()
            else:
                rows = db.execute("SELECT * FROM agencies WHERE changed_at >= ?"
                                  " ORDER BY changed_at, organ_id", (since,)).fetchall()
        return [dict(row) for row in rows]

    def register_agency(self, system_id: str, agency: dict, names: dict | None = None) -> dict:
        """Creates or updates an agency; the calling system serves it from now on. An agency
        another system serves is refused."""
        agency = check_agency(agency, names=names)
        with self._transaction() as db:
            row = db.execute("SELECT system_id FROM agencies WHERE organ_id = ?",
                             (agency["organ_id"],)).fetchone()
            if row is not None and row[0] not in (None, system_id):
                raise Conflict(
                    f"Agency {agency['organ_id']} is connected through another system.",
                    f"Đơn vị {agency['organ_id']} đang kết nối qua một hệ thống khác.")
            self._upsert_agency(db, agency, undelete=True)
            db.execute("UPDATE agencies SET system_id = ? WHERE organ_id = ?",
                       (system_id, agency["organ_id"]))
            return dict(db.execute("SELECT * FROM agencies WHERE organ_id = ?",
                                   (agency["organ_id"],)).fetchone())

    def delete_agency(self, system_id: str, organ_id: str) -> None:
        """Soft: the agency stays in the directory flagged deleted (an incremental sync shows
        it); messages already queued for it can still be fetched."""
        check_organ_id(organ_id, "AgencyCode")
        with self._transaction() as db:
            row = db.execute("SELECT system_id, deleted FROM agencies WHERE organ_id = ?",
                             (organ_id,)).fetchone()
            if row is None:
                raise NotFound(f"Agency {organ_id} is not in the directory.",
                               f"Đơn vị {organ_id} không có trong danh bạ.")
            if row["system_id"] != system_id:
                raise Forbidden(f"Agency {organ_id} is not connected through this system.",
                                f"Đơn vị {organ_id} không kết nối qua hệ thống này.")
            if not row["deleted"]:
                db.execute("UPDATE agencies SET deleted = 1, changed_at = ? WHERE organ_id = ?",
                           (self._now(), organ_id))

    # -- messages ---------------------------------------------------------------------------

    def stage(self, stream, limit: int) -> StagedEdoc:
        """Copies a request body to a synced temporary file beside the queue, counting and
        hashing it; TooLarge past ``limit`` bytes."""
        path = os.path.join(self.edoc_dir, f".incoming-{uuid.uuid4().hex}")
        digest, size = hashlib.sha256(), 0
        try:
            with open(path, "wb") as f:
                while chunk := stream.read(CHUNK):
                    size += len(chunk)
                    if size > limit:
                        raise too_large(limit)
                    digest.update(chunk)
                    f.write(chunk)
                f.flush()
                os.fsync(f.fileno())
        except BaseException:
            os.unlink(path)
            raise
        return StagedEdoc(path, size, digest.digest())

    def discard(self, staged: StagedEdoc) -> None:
        try:
            os.unlink(staged.path)
        except FileNotFoundError:
            pass

    def check_send(self, system_id: str, from_organ: str, to_organs: list[str]) -> None:
        """The sender and recipient checks of `send`, read-only: run before a large body is
        read, and again inside send's transaction."""
        with self._reading() as db:
            self._check_send(db, system_id, from_organ, to_organs)

    def _check_send(self, db, system_id, from_organ, to_organs) -> None:
        sender = db.execute("SELECT system_id, deleted FROM agencies WHERE organ_id = ?",
                            (from_organ,)).fetchone()
        if sender is None or sender["system_id"] != system_id or sender["deleted"]:
            raise Forbidden(
                f"This system does not serve agency {from_organ}: it may not send from it.",
                f"Hệ thống này không phục vụ đơn vị {from_organ}: không được gửi thay đơn vị.")
        marks = ",".join("?" * len(to_organs))
        known = {row[0] for row in db.execute(
            f"SELECT organ_id FROM agencies WHERE deleted = 0 AND organ_id IN ({marks})",
            to_organs)}
        unknown = [organ for organ in to_organs if organ not in known]
        if unknown:
            raise NotFound(f"Not in the directory (or deleted): {', '.join(unknown)}.",
                           f"Không có trong danh bạ (hoặc đã xoá): {', '.join(unknown)}.",
                           {"unknown": unknown})

    def send(self, system_id: str, from_organ: str, to_organs: list[str], service_type: str,
             message_type: str, staged: StagedEdoc) -> tuple[str, list[str]]:
        """Queues the staged package once for each recipient. Returns the sender's DocId and
        the receivers' DocIds (in the order of ``to_organs``)."""
        message_id = str(uuid.uuid4())
        delivery_ids = [str(uuid.uuid4()) for _ in to_organs]
        path = self._edoc_path(message_id)
        try:
            with self._transaction() as db:
                self._check_send(db, system_id, from_organ, to_organs)
                now = self._now()
                db.execute("INSERT INTO messages (doc_id, from_organ, service_type,"
                           " message_type, size, sha256, created_at)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (message_id, from_organ, service_type, message_type, staged.size,
                            staged.sha256.hex(), now))
                db.executemany("INSERT INTO deliveries (doc_id, message_id, to_organ, status,"
                               " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
                               [(delivery_id, message_id, organ, PENDING, now, now)
                                for delivery_id, organ in zip(delivery_ids, to_organs)])
                # in place before the commit: a queued message always has its file
                os.replace(staged.path, path)
                _sync_directory(self.edoc_dir)
        except BaseException:
            self.discard(staged)
            if os.path.exists(path):
                os.unlink(path)
            raise
        return message_id, delivery_ids

    def received(self, system_id: str, message_type: str | None = None,
                 from_time: str | None = None, to_time: str | None = None) -> list[dict]:
        """The caller's queues: every delivery to an agency it serves not yet acknowledged
        ``done``, oldest first. ``to_time`` is an exclusive bound."""
        sql = ("SELECT d.doc_id, m.from_organ, d.to_organ, m.service_type, m.message_type,"
               " d.status, d.status_desc, d.created_at, d.updated_at"
               " FROM deliveries d JOIN messages m ON m.doc_id = d.message_id"
               " JOIN agencies a ON a.organ_id = d.to_organ"
               " WHERE a.system_id = ? AND d.status != 'done'")
        args: list = [system_id]
        if message_type:
            sql += " AND m.message_type = ?"
            args.append(message_type)
        if from_time:
            sql += " AND d.created_at >= ?"
            args.append(from_time)
        if to_time:
            sql += " AND d.created_at < ?"
            args.append(to_time)
        with self._reading() as db:
            rows = db.execute(sql + " ORDER BY d.created_at, d.doc_id", args).fetchall()
        return [dict(row) for row in rows]

    def _delivery(self, db, system_id: str, doc_id: str):
        row = db.execute("SELECT d.*, a.system_id AS served_by FROM deliveries d"
                         " LEFT JOIN agencies a ON a.organ_id = d.to_organ"
                         " WHERE d.doc_id = ?", (doc_id,)).fetchone()
        if row is None:
            raise NotFound(f"No message {doc_id} in any queue.",
                           f"Không có gói tin {doc_id} trong hàng đợi nào.")
        if row["served_by"] != system_id:
            raise Forbidden(f"Message {doc_id} is not addressed to an agency of this system.",
                            f"Gói tin {doc_id} không gửi tới đơn vị nào của hệ thống này.")
        return row

    def open_edoc(self, system_id: str, doc_id: str):
        """The package of a delivery to one of the caller's agencies, as an open binary file
        (opened under the lock: an acknowledgement may remove the file right after)."""
        with self._reading() as db:
            row = self._delivery(db, system_id, doc_id)
            if row["status"] == "done":
                raise already_done(doc_id)
            try:
                return open(self._edoc_path(row["message_id"]), "rb")
            except FileNotFoundError:
                raise already_done(doc_id) from None

    def update_status(self, system_id: str, doc_id: str, status: str, reason: str = "") -> None:
        """Records an acknowledgement of one delivery. ``done`` takes it out of the queue (and
        removes the package once every recipient is done); repeating ``done`` is harmless;
        anything after ``done`` is a conflict."""
        if status not in STATUSES:
            raise invalid("status", f"one of {', '.join(STATUSES)}",
                          f"một trong {', '.join(STATUSES)}")
        remove = None
        with self._transaction() as db:
            row = self._delivery(db, system_id, doc_id)
            if row["status"] == "done":
                if status == "done":
                    return
                raise Conflict(f"Message {doc_id} was already acknowledged done.",
                               f"Gói tin {doc_id} đã được xác nhận hoàn thành (done).")
            db.execute("UPDATE deliveries SET status = ?, status_desc = ?, updated_at = ?"
                       " WHERE doc_id = ?", (status, reason, self._now(), doc_id))
            if status == "done" and db.execute(
                    "SELECT 1 FROM deliveries WHERE message_id = ? AND status != 'done'",
                    (row["message_id"],)).fetchone() is None:
                remove = self._edoc_path(row["message_id"])
        if remove:
            try:
                os.unlink(remove)
            except FileNotFoundError:
                pass

    def sent(self, system_id: str, doc_id: str | None = None, message_type: str | None = None,
             from_time: str | None = None, to_time: str | None = None) -> list[dict]:
        """What became of the messages sent from the caller's agencies: one row per
        recipient, with its acknowledgement and reason."""
        sql = ("SELECT m.doc_id AS sender_doc_id, d.doc_id AS receiver_doc_id, m.from_organ,"
               " d.to_organ, m.service_type, m.message_type, m.created_at, d.status,"
               " d.status_desc, d.updated_at"
               " FROM messages m JOIN deliveries d ON d.message_id = m.doc_id"
               " JOIN agencies a ON a.organ_id = m.from_organ WHERE a.system_id = ?")
        args: list = [system_id]
        for clause, value in ((" AND m.doc_id = ?", doc_id),
                              (" AND m.message_type = ?", message_type),
                              (" AND m.created_at >= ?", from_time),
                              (" AND m.created_at < ?", to_time)):
            if value:
                sql += clause
                args.append(value)
        with self._reading() as db:
            rows = db.execute(sql + " ORDER BY m.created_at, m.doc_id, d.to_organ",
                              args).fetchall()
            if doc_id and not rows:
                exists = db.execute("SELECT 1 FROM messages WHERE doc_id = ?",
                                    (doc_id,)).fetchone()
                if exists:
                    raise Forbidden(f"Message {doc_id} was not sent by an agency of this "
                                    "system.",
                                    f"Gói tin {doc_id} không do đơn vị nào của hệ thống này "
                                    "gửi.")
                raise NotFound(f"No message {doc_id}.", f"Không có gói tin {doc_id}.")
        return [dict(row) for row in rows]


def too_large(limit: int) -> TooLarge:
    return TooLarge(f"The package is larger than the axis accepts ({limit} bytes).",
                    f"Gói tin lớn hơn dung lượng trục chấp nhận ({limit} byte).",
                    {"limit": limit})


def already_done(doc_id: str) -> Gone:
    return Gone(f"Message {doc_id} was acknowledged done and left the queue.",
                f"Gói tin {doc_id} đã được xác nhận hoàn thành và đã rời hàng đợi.")


def _sync_directory(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
