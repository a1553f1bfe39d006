"""The documents service: system of record for the directory (units, users, roles),
registers and their counters, incoming and outgoing documents, copies, dossiers, and
the audit log.

This class holds incoming documents, histories, file authorisation, the audit log and
the helpers every part shares; the other entrypoints are mixed in by subject:
directory_entrypoints, register_entrypoints, dossier_entrypoints, outgoing_entrypoints,
copies_entrypoints, delegation_entrypoints."""
from __future__ import annotations

import uuid
from datetime import timedelta

from nameko.rpc import rpc
from sqlalchemy import func, select

from services.common import events
from services.common.clock import Clock, VietnamClock, day_start
from services.common.db import Database, fetch_page
from services.common.handlers import event_handler
from services.common.inbox import first_delivery
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, InvalidInput,
                                    Unauthenticated, not_found)
from services.common.identity_provider import Identity
from services.common.outbox import add_event
from services.common.rpc import TimedRpc
from services.common.service_base import OutboxServiceBase
from services.common.timers import configured_timer
from services.common.validation import Problems, page_params
from services.documents import (administration, audit, domain, dossiers, idempotency,
                                numbering, outgoing, permissions, schemas)
from services.documents.intake import parse_incoming
from services.documents.models import (AuditEntry, DocumentAccess, DocumentCopy, DocumentFile,
                                       Dossier, DossierDocument, IncomingDocument, Membership,
                                       OutgoingDocument, Register, Unit, User, outbox,
                                       processed)
from services.documents.account_entrypoints import AccountEntrypoints
from services.documents.copies_entrypoints import CopyEntrypoints
from services.documents.delegation_entrypoints import DelegationEntrypoints
from services.documents.directory_entrypoints import DirectoryEntrypoints
from services.documents.directory_sign_in import DirectorySignInEntrypoints
from services.documents.dossier_entrypoints import DossierEntrypoints
from services.documents.outgoing_entrypoints import OutgoingEntrypoints
from services.documents.register_entrypoints import RegisterEntrypoints
from services.documents.rights_alert_entrypoints import RightsAlertEntrypoints


PROCESSING_STATE = "processing_state"   # audit action of a state set by workflow's events
SEARCHABLE_OUTGOING = (outgoing.ISSUED, outgoing.RECALLED)   # drafts are never indexed
REAL_TIME = VietnamClock()   # never frozen: for times compared with other services' clocks


def moment_on_days(column, first, last) -> list:
    """Conditions that a moment falls on Vietnamese days ``first`` to ``last`` (either
    may be None: open), whatever the server's or the database's zone."""
    return ([column >= day_start(first)] if first else []) + \
        ([column < day_start(last + timedelta(days=1))] if last else [])


class DocumentsService(DirectoryEntrypoints, RegisterEntrypoints, DossierEntrypoints,
                       OutgoingEntrypoints, CopyEntrypoints, DelegationEntrypoints,
                       DirectorySignInEntrypoints, AccountEntrypoints, RightsAlertEntrypoints,
                       OutboxServiceBase):
    name = "documents"

    db = Database()
    identity = Identity()
    clock = Clock()   # Vietnam's; frozen by config CLOCK_FROZEN_AT
    storage_rpc = TimedRpc("storage")   # documents calls storage only (C1: never workflow)
    outbox = outbox

    # ---------------------------------------------------------------- incoming

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def register_incoming(self, token, payload, idempotency_key=None):
        """Register an incoming document (văn bản đến) and give it the next số đến of
        its register (the unit's incoming register of the year, or the secret one).

        Args: token; payload as in API.md "Registering an incoming document";
        idempotency_key: the client's Idempotency-Key, else the request id is the key.
        Returns: the document, with arrival_number, arrival_date, register_id, state;
        a retry with the same key (same caller, same payload) gets the first answer.
        Errors: InvalidInput (400) for bad fields or files that are not stored;
        Forbidden (403) unless the caller is a clerk (văn thư) of the unit;
        NotFound (404) for an unknown unit; Conflict (409) for a duplicate (issuer,
        số, ký hiệu, year) unless ``confirm_duplicate`` is true.
        Conflict (409) too for a key already used with another payload.
        Events: document_registered (through the outbox).
        """
        caller = self.identity.caller(token)
        today = self.clock.today()
        data = parse_incoming(payload, today)
        if not domain.may_register_incoming(caller, data.unit_id):
            raise Forbidden("Chỉ văn thư của đơn vị được vào sổ văn bản đến.",
                            "Only a clerk of the unit may register its incoming documents.")
        self._check_files(caller, data.file_ids)
        now = self.clock.now()
        key = domain.issuer_key(data.issuer_organ_id, data.issuer_name)
        direction = domain.register_direction(data.confidentiality)
        request = self._creating_request(caller, "register_incoming", payload,
                                         idempotency_key)
        with self.db.transaction() as session:
            earlier = idempotency.claim(session, request, now)
            if earlier is not None:
                return earlier   # a retry (or a redelivered message): the first answer
            unit = session.get(Unit, data.unit_id)
            if unit is None:
                raise not_found("đơn vị", "Unit", data.unit_id)
            if unit.valid_to is not None and unit.valid_to < today:
                raise Conflict(f"Đơn vị {unit.name} đã ngừng hoạt động từ {unit.valid_to}; "
                               "hãy vào sổ của đơn vị kế thừa.",
                               f"Unit {unit.name} closed on {unit.valid_to}; register into "
                               "its successor.")
            if not data.confirm_duplicate:
                self._refuse_duplicate(session, data, key)
            register = self._register_for(session, data, direction, today.year)
            number = numbering.next_number(session, register)
            doc = IncomingDocument(
                id=str(uuid.uuid4()), unit_id=unit.id, register_id=register.id,
                year=register.year, arrival_number=number, arrival_date=now,
                code_number=data.code_number, code_number_value=data.code_number_value,
                code_notation=data.code_notation, issued_date=data.issued_date,
                issued_year=data.issued_date.year, issuer_organ_id=data.issuer_organ_id,
                issuer_name=data.issuer_name, issuer_key=key,
                document_type=data.document_type, subject=data.subject,
                language=data.language, page_amount=data.page_amount,
                description=data.description, signer_position=data.signer_position,
                signer_full_name=data.signer_full_name, urgency=data.urgency,
                confidentiality=data.confidentiality, due_date=data.due_date,
                to_places=data.to_places, file_ids=data.file_ids,
                state=domain.STATE_REGISTERED, registered_by=caller.user_id, created_at=now)
            session.add(doc)
            session.flush()   # the document row first: document_files refers to it
            session.add_all(DocumentFile(document_id=doc.id, file_id=f) for f in data.file_ids)
            result = schemas.incoming_out(doc, unit.name)
            leaders = domain.leaders_of(session.execute(
                select(Membership.user_id, Membership.role, User.clearance)
                .join(User, User.id == Membership.user_id)
                .where(Membership.unit_id == unit.id)).all(), doc.confidentiality)
            self._audit(session, "register", "incoming_document", doc.id, caller.user_id,
                        {"after": result, "duplicate_confirmed": data.confirm_duplicate})
            add_event(session, outbox, events.DOCUMENT_REGISTERED,
                      schemas.registered_event(result, leaders))
            answer = self._incoming_answer(caller, doc, result)
            idempotency.record(session, request, answer)
        self.flush_outbox()
        return answer

    @configured_timer("old_requests", default=3600)
    def forget_old_requests(self):
        """Hourly (config TIMERS old_requests): drop the answers kept for retries once
        they are older than idempotency.KEEP_SECONDS."""
        moment = self.clock.now() - timedelta(seconds=idempotency.KEEP_SECONDS)
        with self.db.transaction() as session:
            idempotency.forget_before(session, moment)

    def _creating_request(self, caller, operation, payload, idempotency_key):
        """The ticket that makes a creating call idempotent (idempotency.py): the
        client's key if it gave one, else the id of the request this call belongs to
        (the same on a redelivered message)."""
        if idempotency_key is not None and (not isinstance(idempotency_key, str) or not
                                            0 < len(idempotency_key) <= idempotency.MAX_KEY_LENGTH):
            raise InvalidInput("Khóa chống trùng (Idempotency-Key) không hợp lệ.",
                               "Invalid idempotency key.")
        return idempotency.ticket(caller.user_id, operation, payload, idempotency_key,
                                  self.request_id)

    @staticmethod
    def _incoming_answer(caller, doc, out: dict) -> dict:
        """An incoming document as it goes to the caller: with ``allowed_actions``
        (permissions.incoming_actions: "copy", "file")."""
        return out | {"allowed_actions": permissions.incoming_actions(caller, state=doc.state)}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_incoming(self, token, document_id):
        """One incoming document, with ``allowed_actions`` for the caller: "copy" (make a
        bản sao, create_copy) and "file" (add it to a dossier, add_to_dossier) as
        permissions.incoming_actions says. Errors: NotFound; Forbidden when the caller
        has no reason to see it (the attempt is audited). Every view is audited."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            doc = session.get(IncomingDocument, document_id) \
                if isinstance(document_id, str) else None
            if doc is None:
                raise not_found("văn bản", "Document", document_id)
            allowed = self._may_view(session, caller, doc)
            self._audit(session, "view" if allowed else "view_denied", "incoming_document",
                        doc.id, caller.user_id, {})
            if not allowed:
                result = None
            else:
                unit = session.get(Unit, doc.unit_id)
                result = self._incoming_answer(
                    caller, doc, schemas.incoming_out(doc, unit.name if unit else None))
        if result is None:
            raise Forbidden("Bạn không có quyền xem văn bản này.",
                            "You may not see this document.")
        return result

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_incoming(self, token, params=None):
        """Incoming documents of the caller's units, newest first.

        params: {unit_id, state, from, to (arrival dates), page, page_size}.
        Returns {items, total, page, page_size}; each item carries the caller's
        ``allowed_actions`` (as get_incoming). Secret documents are listed only to
        users cleared for their level. Errors: InvalidInput; Forbidden for a unit the
        caller does not belong to."""
        caller = self.identity.caller(token)
        query, units, page, page_size = self._unit_listing(
            caller, params, IncomingDocument, domain.INCOMING_STATES,
            lambda first, last: moment_on_days(IncomingDocument.arrival_date, first, last))
        with self.db.read() as session:
            total, docs = fetch_page(session, query.order_by(
                IncomingDocument.arrival_date.desc(), IncomingDocument.arrival_number.desc()),
                page, page_size)
            docs = docs.scalars()
            names = dict(session.execute(
                select(Unit.id, Unit.name).where(Unit.id.in_(units))).all())
            items = [self._incoming_answer(caller, d, schemas.incoming_out(
                d, names.get(d.unit_id))) for d in docs]
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def directory_names(self, token, user_ids=(), unit_ids=()):
        """Names of users and units by id (the directory is visible to signed-in users):
        {users: {id: full_name}, units: {id: name}}; unknown ids are left out. At most
        500 of each."""
        self.identity.caller(token)
        problems = Problems()
        for name, value in (("user_ids", user_ids), ("unit_ids", unit_ids)):
            if not isinstance(value, (list, tuple)) or len(value) > 500 or \
                    not all(isinstance(v, str) for v in value):
                problems.add(name, "Tối đa 500 mã.", "At most 500 ids.")
        problems.raise_if_any()
        with self.db.read() as session:
            users = dict(session.execute(select(User.id, User.full_name).where(
                User.id.in_(set(user_ids)))).all()) if user_ids else {}
            units = dict(session.execute(select(Unit.id, Unit.name).where(
                Unit.id.in_(set(unit_ids)))).all()) if unit_ids else {}
        return {"users": users, "units": units}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_document_history(self, token, document_id):
        """What happened to a document in this service, oldest first: registration and
        every change recorded in the audit log (views, downloads and refusals are left
        to the audit log), and its filing in dossiers. Returns {document_id, document:
        {direction, code_number, code_notation, subject, unit_id}, events: [{at,
        actor_id, actor_name, action, details}]}. Errors: NotFound, Forbidden (as for
        viewing it)."""
        caller = self.identity.caller(token)
        with self.db.read() as session:
            doc = self._find_document(session, document_id)
            if not self._may_view(session, caller, doc):
                raise Forbidden("Bạn không có quyền xem văn bản này.",
                                "You may not see this document.")
            events = self._history_events(session, doc)
            names = dict(session.execute(select(User.id, User.full_name).where(
                User.id.in_({e["actor_id"] for e in events}))).all())
        return {"document_id": doc.id, "document": {
                    "direction": self._direction_of(doc), "code_number": doc.code_number,
                    "code_notation": doc.code_notation, "subject": doc.subject,
                    "unit_id": doc.unit_id},
                "events": [
            e | {"at": e["at"].isoformat(), "actor_name": names.get(e["actor_id"], e["actor_id"])}
            for e in events]}

    @staticmethod
    def _history_events(session, doc) -> list[dict]:
        """A document's events in this service, oldest first: its audited changes and
        steps (not views, downloads or refusals) and its filings in dossiers."""
        events = [{"at": e.at, "actor_id": e.actor_id, "action": e.action,
                   "details": {k: v for k, v in (e.details or {}).items() if k != "after"}}
                  for e in session.execute(select(AuditEntry).where(
                      AuditEntry.object_id == doc.id,
                      AuditEntry.action.not_in(("view", "download", PROCESSING_STATE)),
                      AuditEntry.action.not_like("%\\_denied", escape="\\"))
                      .order_by(AuditEntry.seq)).scalars()]
        for filed, dossier in session.execute(
                select(DossierDocument, Dossier).join(
                    Dossier, Dossier.id == DossierDocument.dossier_id)
                .where(DossierDocument.document_id == doc.id)).all():
            events.append({"at": filed.added_at, "actor_id": filed.added_by,
                           "action": "filed", "details": {
                               "dossier_id": dossier.id, "title": dossier.title,
                               "file_code": dossiers.file_code(
                                   dossier.organ_id, dossier.year, dossier.notation)}})
        events.sort(key=lambda e: e["at"])
        return events

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def authorize_file(self, token, file_id):
        """Whether the caller may download a stored file: it belongs to a document they
        may see. Returns {file_id, document_id}. Errors: NotFound, Forbidden. The
        download is audited."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            rows = [doc for model in (IncomingDocument, OutgoingDocument, DocumentCopy)
                    for doc in session.execute(select(model).join(
                        DocumentFile, DocumentFile.document_id == model.id)
                        .where(DocumentFile.file_id == file_id)).scalars()]
            if not rows:
                raise not_found("tệp", "File", file_id)
            for doc in rows:
                if self._may_view(session, caller, doc):
                    self._audit(session, "download", "file", file_id, caller.user_id,
                                {"document_id": doc.id})
                    return {"file_id": file_id, "document_id": doc.id}
            self._audit(session, "download_denied", "file", file_id, caller.user_id, {})
        raise Forbidden("Bạn không có quyền tải tệp này.", "You may not download this file.")

    # ---------------------------------------------------------------- workflow's events

    # The incoming document's state follows its processing in workflow (DOMAIN.md §1.7).
    @event_handler(events.SOURCE_WORKFLOW, events.DOCUMENT_SUBMITTED)
    def on_workflow_document_submitted(self, message):
        self._follow_processing(message, "on_workflow_document_submitted")

    @event_handler(events.SOURCE_WORKFLOW, events.TASK_ASSIGNED)
    def on_workflow_task_assigned(self, message):
        self._follow_processing(message, "on_workflow_task_assigned")

    @event_handler(events.SOURCE_WORKFLOW, events.TASK_PROGRESSED)
    def on_workflow_task_progressed(self, message):
        self._follow_processing(message, "on_workflow_task_progressed")

    @event_handler(events.SOURCE_WORKFLOW, events.TASK_RETURNED)
    def on_workflow_task_returned(self, message):
        self._follow_processing(message, "on_workflow_task_returned")

    @event_handler(events.SOURCE_WORKFLOW, events.TASK_COMPLETED)
    def on_workflow_task_completed(self, message):
        self._follow_processing(message, "on_workflow_task_completed")

    @event_handler(events.SOURCE_WORKFLOW, events.DOCUMENT_COMPLETED)
    def on_workflow_document_completed(self, message):
        self._follow_processing(message, "on_workflow_document_completed")

    def _follow_processing(self, message, handler):
        """Follow a workflow event, once per event: whoever it names (the person or unit
        given a part) may see the document from now on, and an incoming document's state
        follows its processing — a recalled document stays recalled. State changes are
        audited (not shown twice in the document's history: workflow's events are there
        already). Either change is told to search (document_updated)."""
        data = message["data"]
        item = data.get("item") or {}
        with self.db.transaction() as session:
            if not first_delivery(session, processed, message["event_id"], handler):
                return
            document_id = data.get("document_id")
            principal = f"user:{item['user_id']}" if item.get("user_id") else \
                f"unit:{item['unit_id']}" if item.get("unit_id") else None
            granted = bool(document_id and principal and message["type"] in (
                events.TASK_ASSIGNED, events.DOCUMENT_SUBMITTED) and session.get(
                DocumentAccess, (document_id, principal)) is None)
            if granted:
                session.add(DocumentAccess(document_id=document_id, principal=principal,
                                           reason=item.get("kind") or "processing",
                                           granted_at=self.clock.now()))
            doc = session.get(IncomingDocument, document_id) if document_id else None
            state = data.get("document_state")
            moved = doc is not None and state in domain.INCOMING_STATES and \
                doc.state not in (state, domain.STATE_RECALLED)
            if moved:
                before, doc.state = doc.state, state
                self._audit(session, PROCESSING_STATE, "incoming_document", doc.id,
                            data.get("actor_id") or "system:workflow",
                            {"from": before, "to": state, "event": message["type"]})
            if not (granted or moved):
                return
            shown = doc or (session.get(OutgoingDocument, document_id) if document_id else None)
            if shown is not None:
                self._tell_search(session, shown)
        # published by the relay within a second: not inline, so a burst of workflow
        # events does not hold up this service's RPCs (assignment asks it for scope)

    # ---------------------------------------------------------------- audit

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_audit(self, token, params=None):
        """Audit entries, newest first, for administrators: params {object_id, actor_id,
        action, page, page_size}. Returns {items: [{seq, at, actor_id, action,
        object_type, object_id, details, request_id, hash}], total, page, page_size}.
        A unit's quản trị sees the entries about the units in their scope, their
        documents, people, registers, dossiers, delegations and files (audit.in_scope);
        an entry about a secret document shows its details (its số, ký hiệu, trích yếu
        …) only to an administrator cleared for its level, else ``details`` is
        ``{"withheld": true}``. Errors: Forbidden for anyone but a quản trị."""
        caller = self._require_admin(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"object_id", "actor_id", "action", "page", "page_size"})
        page, page_size = page_params(problems, params)
        filters = {name: problems.text(params, name, max_length=64)
                   for name in ("object_id", "actor_id", "action")}
        problems.raise_if_any()
        query = select(AuditEntry)
        if not caller.system_admin:
            query = query.where(audit.in_scope(administration.admin_roots(caller)))
        for name, value in filters.items():
            if value:
                query = query.where(getattr(AuditEntry, name) == value)
        with self.db.read() as session:
            total, rows = fetch_page(session, query.order_by(AuditEntry.seq.desc()), page,
                                     page_size)
            rows = rows.scalars().all()
            levels = audit.document_levels(session, rows)
            items = [{"seq": e.seq, "at": e.at.isoformat(), "actor_id": e.actor_id,
                      "action": e.action, "object_type": e.object_type,
                      "object_id": e.object_id,
                      "details": e.details if caller.cleared_for(
                          levels.get(e.object_id, "none")) else {"withheld": True},
                      "request_id": e.request_id, "hash": e.hash} for e in rows]
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def verify_audit(self, token):
        """Check the audit hash chain from its first entry. Returns {intact, checked,
        first_broken: null | {seq, id, reason}}. The chain is one for the deployment
        (each entry's hash covers the one before), so a unit's quản trị verifies it
        whole to trust the entries of their units. Errors: Forbidden unless quản trị."""
        self._require_admin(token)
        with self.db.read() as session:
            return audit.verify(session)

    def _require_admin(self, token):
        """The caller if they administer something (the deployment, or a unit and those
        below it); what exactly each entrypoint checks with administration.py."""
        caller = self.identity.caller(token)
        if not administration.is_administrator(caller):
            raise Forbidden("Chỉ quản trị được thực hiện việc này.",
                            "Only administrators may do this.")
        return caller

    # ---------------------------------------------------------------- helpers

    def _check_files(self, caller, file_ids):
        """Every attached file must exist in storage, be fully stored, and be the
        caller's to attach: they uploaded it (storage knows who did) or they may see a
        document that holds it — else a known file id would let anyone attach someone
        else's file and then download it. Asked before the write transaction opens, so
        no lock is held across the network. Errors: InvalidInput (unknown or not
        stored), Forbidden (not the caller's)."""
        if not file_ids:
            return
        problems = Problems()
        token = self.identity.system_token()
        foreign = []
        for file_id in file_ids:
            try:
                info = self.storage_rpc.get_file(token, file_id)
            except (InvalidInput, Forbidden, Unauthenticated):
                info = None
            except EXPECTED_ERRORS as exc:
                if exc.status == 404:
                    info = None
                else:
                    raise
            if info is None or info.get("status") != "stored":
                problems.add("file_ids", f"Tệp {file_id} không tồn tại hoặc chưa tải lên xong.",
                             f"File {file_id} does not exist or is not fully uploaded.")
            elif info.get("uploaded_by") != caller.user_id:
                foreign.append(file_id)
        problems.raise_if_any()
        if foreign:
            with self.db.read() as session:
                refused = [f for f in foreign if self._visible_holder(session, caller, f) is None]
            if refused:
                raise Forbidden(
                    f"Không được đính kèm tệp {', '.join(refused)}: tệp không do bạn tải lên "
                    "và không thuộc văn bản bạn được xem.",
                    f"You may not attach {', '.join(refused)}: you did not upload it and it "
                    "belongs to no document you may see.")

    def _visible_holder(self, session, caller, file_id):
        """A document (incoming, outgoing or copy) holding the file that the caller may
        see, or None."""
        for model in (IncomingDocument, OutgoingDocument, DocumentCopy):
            for doc in session.execute(select(model).join(
                    DocumentFile, DocumentFile.document_id == model.id)
                    .where(DocumentFile.file_id == file_id)).scalars():
                if self._may_view(session, caller, doc):
                    return doc
        return None

    def _refuse_duplicate(self, session, data, key):
        """ND30 Phụ lục VI §III.1.h: warn on the same issuer, số and ký hiệu in a year."""
        existing = session.execute(select(IncomingDocument.id, IncomingDocument.arrival_number)
                                   .where(IncomingDocument.unit_id == data.unit_id,
                                          IncomingDocument.issuer_key == key,
                                          IncomingDocument.code_number_value
                                          == data.code_number_value,
                                          IncomingDocument.code_notation == data.code_notation,
                                          IncomingDocument.issued_year
                                          == data.issued_date.year)).first()
        if existing:
            raise Conflict(
                f"Văn bản số {data.code_number}/{data.code_notation} của {data.issuer_name} "
                f"năm {data.issued_date.year} đã được vào sổ (số đến {existing.arrival_number}). "
                "Gửi lại với confirm_duplicate=true nếu đúng là văn bản khác.",
                f"Document {data.code_number}/{data.code_notation} from {data.issuer_name} "
                f"({data.issued_date.year}) is already registered (arrival number "
                f"{existing.arrival_number}). Send again with confirm_duplicate=true if it "
                "really is another document.",
                {"duplicate_of": existing.id})

    def _register_for(self, session, data, direction, year):
        if data.register_id:
            register = session.get(Register, data.register_id)
            if register is None or register.unit_id != data.unit_id \
                    or register.direction != direction or register.year != year:
                raise InvalidInput(
                    "Sổ đăng ký không thuộc đơn vị, chiều văn bản hoặc năm hiện tại.",
                    "The register is not this unit's, this direction's or this year's.",
                    {"register_id": {"vi": "Sổ không phù hợp.", "en": "Wrong register."}})
            if register.document_types and data.document_type not in register.document_types:
                raise InvalidInput(
                    "Sổ này không nhận loại văn bản đã chọn.",
                    "This register does not take this document type.",
                    {"register_id": {"vi": "Sổ không nhận loại văn bản này.",
                                     "en": "Wrong register for this document type."}})
            return register
        return numbering.register_for_type(session, data.unit_id, direction, year,
                                           data.document_type)

    def _unit_listing(self, caller, params, model, states, on_days):
        """The query behind a list of a unit's documents: params {unit_id (one of the
        caller's units; all of them by default), state, from, to (Vietnamese days:
        ``on_days(from, to)`` gives the conditions), page, page_size}, secret ones only
        at the caller's clearance. Returns (query, units, page, page_size).
        Errors: InvalidInput; Forbidden for another unit."""
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"unit_id", "state", "from", "to", "page", "page_size"})
        page, page_size = page_params(problems, params)
        unit_id = problems.text(params, "unit_id", max_length=36)
        state = problems.choice(params, "state", states)
        date_from = problems.date(params, "from")
        date_to = problems.date(params, "to")
        problems.raise_if_any()
        query, units = self._of_units(caller, unit_id, model)
        if state:
            query = query.where(model.state == state)
        return query.where(*on_days(date_from, date_to)), units, page, page_size

    def _of_units(self, caller, unit_id, model):
        """(query, units): rows of ``model`` in one of the caller's units (``unit_id``, or
        all of them), secret ones only at the caller's clearance. Forbidden for a unit
        the caller does not belong to."""
        if unit_id and not caller.is_member(unit_id):
            raise self._forbidden_unit()
        units = [unit_id] if unit_id else sorted(caller.unit_ids)
        levels = [c for c in domain.CONFIDENTIALITIES if caller.cleared_for(c)]
        return select(model).where(model.unit_id.in_(units),
                                   model.confidentiality.in_(levels)), units

    @staticmethod
    def _find_document(session, document_id):
        """An incoming or an outgoing document by id (ids are UUIDs across both)."""
        doc = None
        if isinstance(document_id, str):
            doc = session.get(IncomingDocument, document_id) or \
                session.get(OutgoingDocument, document_id)
        if doc is None:
            raise not_found("văn bản", "Document", document_id)
        return doc

    @staticmethod
    def _direction_of(doc) -> str:
        return "outgoing" if isinstance(doc, OutgoingDocument) else "incoming"

    def _may_view(self, session, caller, doc) -> bool:
        """The permission rule (domain.may_view_document) with what this service knows:
        the caller's units and clearance, being named on the document by its processing
        (as a person, or through a unit) or holding a delegation in force in its unit,
        and whether a dossier the caller opened holds
        it (asked only when no earlier reason applies)."""
        if domain.may_view_document(caller, doc.unit_id, doc.confidentiality):
            return True
        if caller.system or not caller.cleared_for(doc.confidentiality):
            return False
        principals = [f"user:{caller.user_id}"] + [f"unit:{u}" for u in caller.unit_ids]
        named = session.execute(select(DocumentAccess.principal).where(
            DocumentAccess.document_id == doc.id,
            DocumentAccess.principal.in_(principals))).first() is not None
        # someone acting for a leader of the unit under a delegation sees what they act on
        named = named or self.active_delegation(session, caller, None, doc.unit_id,
                                                None) is not None
        owns = not named and session.execute(select(DossierDocument.document_id).join(
            Dossier, Dossier.id == DossierDocument.dossier_id).where(
            DossierDocument.document_id == doc.id,
            Dossier.creator_id == caller.user_id)).first() is not None
        return domain.may_view_document(
            caller, doc.unit_id, doc.confidentiality,
            acl_users=(caller.user_id,) if named else (), owns_dossier=owns)

    def _search_view(self, session, doc, view=None) -> dict:
        """What search needs to index a document and apply the permission rule: the
        document as its registration or issue announced it, with its state now, and
        who is named on it — acl_units: its unit and the units given a part of it;
        acl_users: the people given a part and the owners of dossiers holding it."""
        return self._search_views(session, [doc], {doc.id: view} if view else None)[0]

    @staticmethod
    def _search_views(session, docs, views=None) -> list[dict]:
        """_search_view of several documents, in three queries whatever their number
        (a reindex pages through every document)."""
        ids = [doc.id for doc in docs]
        principals: dict[str, list[str]] = {doc_id: [] for doc_id in ids}
        for document_id, principal in session.execute(select(
                DocumentAccess.document_id, DocumentAccess.principal).where(
                DocumentAccess.document_id.in_(ids))):
            principals[document_id].append(principal)
        owners: dict[str, set[str]] = {doc_id: set() for doc_id in ids}
        for document_id, creator in session.execute(select(
                DossierDocument.document_id, Dossier.creator_id).join(
                Dossier, Dossier.id == DossierDocument.dossier_id).where(
                DossierDocument.document_id.in_(ids))):
            owners[document_id].add(creator)
        unit_names = dict(session.execute(select(Unit.id, Unit.name).where(
            Unit.id.in_({doc.unit_id for doc in docs}))).all()) if docs else {}
        out = []
        for doc in docs:
            view = (views or {}).get(doc.id)
            if view is None:   # the caller may hold it already (issue does)
                view = schemas.incoming_out(doc, unit_names.get(doc.unit_id)) \
                    if isinstance(doc, IncomingDocument) else \
                    schemas.outgoing_out(doc, unit_names.get(doc.unit_id))
            named = principals[doc.id]
            out.append(view | {
                "issuer_organ_id": view["issuer"]["organ_id"],
                "issuer_name": view["issuer"]["name"],
                "acl_units": sorted({doc.unit_id} | {p.split(":", 1)[1] for p in named
                                                     if p.startswith("unit:")}),
                "acl_users": sorted({p.split(":", 1)[1] for p in named
                                     if p.startswith("user:")} | owners[doc.id])})
        return out

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def search_views(self, token, params):
        """For services (search's reindex): every document search may index, a page at
        a time, as document_updated would announce it now.

        params: ``{direction: incoming | outgoing, after: the last id of the previous
        page ("" first), limit: 1..1000 (default 500)}``. Outgoing documents are listed
        once issued (drafts never are). A secret document is listed as ``{id,
        direction, confidentiality}`` only, so search forgets it without being told more.
        Returns ``{items, total (of this direction), next_after (None on the last
        page), as_of}``: as_of is when the page was read (ISO).
        Errors: Forbidden unless the search service (its own key); InvalidInput."""
        caller = self.identity.caller(token)
        if caller.service != "search":
            raise Forbidden("Chỉ dành cho dịch vụ tìm kiếm.", "For the search service only.")
        problems = Problems()
        params = problems.object(params, "params")
        direction = problems.choice(params, "direction", ("incoming", "outgoing"),
                                    default="incoming")
        after = problems.text(params, "after", max_length=36) or ""
        limit = problems.integer(params, "limit", minimum=1, maximum=1000) or 500
        problems.raise_if_any()
        model = IncomingDocument if direction == "incoming" else OutgoingDocument
        where = [model.state.in_(SEARCHABLE_OUTGOING)] if direction == "outgoing" else []
        # the events search compares as_of with carry the real time (events.py), so
        # this does too, whatever the service's clock says
        as_of = REAL_TIME.now()
        with self.db.read() as session:
            total = session.execute(select(func.count()).select_from(model).where(
                *where)).scalar_one()
            docs = session.execute(select(model).where(model.id > after, *where)
                                   .order_by(model.id).limit(limit)).scalars().all()
            public = [doc for doc in docs if doc.confidentiality == "none"]
            views = {view["id"]: view for view in self._search_views(session, public)}
        items = [views.get(doc.id) or {"id": doc.id, "direction": direction,
                                       "confidentiality": doc.confidentiality}
                 for doc in docs]
        return {"items": items, "total": total, "as_of": as_of.isoformat(),
                "next_after": docs[-1].id if len(docs) == limit else None}

    def _tell_search(self, session, doc) -> None:
        """document_updated: the document as search should now index it (its state or
        who may see it changed). Search keeps the newest by the event's time. An
        outgoing document is searchable once issued: drafts are not announced."""
        if isinstance(doc, OutgoingDocument) and doc.state not in SEARCHABLE_OUTGOING:
            return
        session.flush()
        add_event(session, outbox, events.DOCUMENT_UPDATED, self._search_view(session, doc))

    def _audit(self, session, action, object_type, object_id, actor_id, details):
        audit.record(session, at=self.clock.now(), actor_id=actor_id, action=action,
                     object_type=object_type,
                     object_id=object_id, details=details, request_id=self.request_id)

    @staticmethod
    def _forbidden_unit():
        return Forbidden("Bạn không thuộc đơn vị này.", "You do not belong to this unit.")
