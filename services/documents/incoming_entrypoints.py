"""The documents service's entrypoints for incoming documents (văn bản đến): registering
them in a register, reading and listing them, and following their processing in
workflow (its events move an incoming document's state and say who may now see it).

Mixed into DocumentsService; needs from the host: db, identity, clock, flush_outbox,
_audit, _creating_request, _may_view, _unit_listing (service.py), _check_files
(file_entrypoints) and _tell_search (search_feed)."""
from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import delete, select

from services.common import vocabulary
from services.common import events
from services.common.clock import day_start
from services.common.db import fetch_page
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, InvalidInput,
                                    invalid_fields, not_found)
from services.common.handlers import handlers_of
from services.common.identity import CLERK
from services.common.inbox import first_delivery
from services.common.outbox import add_event
from services.common.rpc import rpc
from services.common.validation import Problems
from services.documents import audit, domain, idempotency, numbering, permissions, schemas
from services.documents.intake import parse_incoming
from services.documents.models import (DocumentAccess, DocumentFile, DossierDocument,
                                       IncomingDocument, Membership, OutgoingDocument,
                                       Register, Unit, User, outbox, processed)


def moment_on_days(column, first, last) -> list:
    """Conditions that a moment falls on Vietnamese days ``first`` to ``last`` (either
    may be None: open), whatever the server's or the database's zone."""
    return ([column >= day_start(first)] if first else []) + \
        ([column < day_start(last + timedelta(days=1))] if last else [])


# The incoming document's state follows its processing in workflow (DOMAIN.md §1.7):
# IncomingEntrypoints._follow_processing.
WorkflowEventHandlers = handlers_of(events.SOURCE_WORKFLOW, events.WORKFLOW_EVENTS,
                                    "_follow_processing")


class IncomingEntrypoints(WorkflowEventHandlers):

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
        số, ký hiệu, year) unless ``confirm_duplicate`` is true. ``related`` ({kind:
        replaces | corrects, id}: the exchange accepting a replacement or a correction)
        links it to an incoming document of the same unit, a replaced one marked;
        InvalidInput (400) for one of another unit, recalled, replaced already, more
        secret than this one, or that the caller may not see.
        Conflict (409) too for a key already used with another payload.
        Events: document_registered (through the outbox).
        """
        caller = self.identity.caller(token)
        today = self.clock.today()
        data = parse_incoming(payload, today)
        if not domain.may_register_incoming(caller, data.unit_id):
            raise Forbidden("Chỉ văn thư của đơn vị được vào sổ văn bản đến.",
                            "Only a clerk of the unit may register its incoming documents.")
        text_status = self._check_files(caller, data.file_ids)
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
            earlier_doc = self._checked_related(
                session, caller, data.related, unit_id=unit.id,
                confidentiality=data.confidentiality, model=IncomingDocument)
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
            self._link_copy(session, caller, (data.related or {}).get("kind"), earlier_doc,
                            doc)
            result = schemas.incoming_out(doc, unit.name)
            leaders = domain.leaders_of(session.execute(
                select(Membership.user_id, Membership.role, User.clearance)
                .join(User, User.id == Membership.user_id)
                .where(Membership.unit_id == unit.id)).all(), doc.confidentiality)
            self._audit(session, "register", "incoming_document", doc.id, caller.user_id,
                        {"after": result, "duplicate_confirmed": data.confirm_duplicate})
            self.history_of_checks(session, "incoming_document", doc.id, data.file_ids)
            add_event(session, outbox, events.DOCUMENT_REGISTERED,
                      schemas.registered_event(result, leaders,
                                               file_text_status=text_status))
            answer = self._incoming_answer(caller, doc, result)
            idempotency.record(session, request, answer)
        self.flush_outbox()
        return answer

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
            doc = self._viewed(session, caller, IncomingDocument, document_id)
            unit = session.get(Unit, doc.unit_id) if doc else None
            result = self._incoming_answer(caller, doc, schemas.incoming_out(
                doc, unit.name if unit else None)) if doc else None
        return self._shown(result)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_incoming(self, token, params=None):
        """Incoming documents of the caller's units, newest first.

        params: {unit_id, state, from, to (arrival dates), change_requested (true: only
        those whose sender's recall or update waits for the văn thư's answer; false:
        none such), page, page_size}.
        Returns {items, total, page, page_size}; each item carries the caller's
        ``allowed_actions`` (as get_incoming). Secret documents are listed only to
        users cleared for their level. Errors: InvalidInput; Forbidden for a unit the
        caller does not belong to."""
        caller = self.identity.caller(token)
        params = dict(params) if isinstance(params, dict) else params
        asked = params.pop("change_requested", None) if isinstance(params, dict) else None
        if asked not in (None, True, False):
            raise invalid_fields({"change_requested": {"vi": "Phải là true hoặc false.",
                                                       "en": "Must be true or false."}})
        query, units, page, page_size = self._unit_listing(
            caller, params, IncomingDocument, vocabulary.INCOMING_STATES,
            lambda first, last: moment_on_days(IncomingDocument.arrival_date, first, last))
        if asked is not None:   # a cleared request is SQL NULL (answer_incoming_change)
            query = query.where(IncomingDocument.change_request.is_not(None) if asked
                                else IncomingDocument.change_request.is_(None))
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
    def withdraw_incoming(self, token, document_id, payload):
        """Its sender recalled it and the văn thư agreed (ND30 Điều 18.4.b; Phụ lục VI
        §III.8.b,c): the incoming document and its metadata are deleted — its files
        unlinked, who could see it, its dossiers — and only the recall log stays, in the
        audit: what it was (số đến, số và ký hiệu, issuer, subject), why, who agreed.

        Args: ``token`` (a văn thư of the document's unit); ``document_id``; ``payload`` =
        ``{reason}``. Result: ``{id, withdrawn: true, log}``. Errors: NotFound; Forbidden
        (not a văn thư of the unit); InvalidInput (no reason). Events: document_recalled
        {id, direction "incoming", unit_id, reason, withdrawn: true} (search forgets it)."""
        caller = self.identity.caller(token)
        problems = Problems()
        payload = problems.object(payload, "payload")
        problems.only(payload, {"reason"})
        reason = problems.text(payload, "reason", max_length=1000, required=True)
        problems.raise_if_any()
        with self.db.transaction() as session:
            doc = session.get(IncomingDocument, document_id) \
                if isinstance(document_id, str) else None
            if doc is None:
                raise not_found("văn bản đến", "Incoming document", document_id)
            if not caller.has_role(doc.unit_id, CLERK):
                raise Forbidden("Chỉ văn thư của đơn vị đồng ý thu hồi văn bản.",
                                "Only a văn thư of the unit agrees to a recall.")
            log = self._withdraw(session, caller, doc, reason)
        self.flush_outbox()
        return {"id": document_id, "withdrawn": True, "log": log}

    def _withdraw(self, session, caller, doc, reason: str, extra: dict | None = None) -> dict:
        """Delete ``doc`` with its metadata (files unlinked, who could see it, its
        dossiers), keeping the recall log (``extra`` joins it) in the audit, and tell
        search (document_recalled, withdrawn). Returns the log."""
        document_id = doc.id
        log = {"reason": reason, "arrival_number": doc.arrival_number,
               "register_id": doc.register_id, "year": doc.year,
               "code_number": doc.code_number, "code_notation": doc.code_notation,
               "issued_date": doc.issued_date.isoformat(),
               "issuer": {"organ_id": doc.issuer_organ_id, "name": doc.issuer_name},
               "subject": doc.subject, "agreed_by": caller.user_id} | (extra or {})
        self._audit(session, "withdrawn", "incoming_document", doc.id, caller.user_id, log)
        for model in (DocumentFile, DocumentAccess, DossierDocument):
            session.execute(delete(model).where(model.document_id == doc.id))
        unit_id = doc.unit_id
        session.delete(doc)
        add_event(session, outbox, events.DOCUMENT_RECALLED, {
            "id": document_id, "direction": "incoming", "unit_id": unit_id,
            "reason": reason, "recalled_by": caller.user_id, "withdrawn": True})
        return log

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

    # ---------------------------------------------------------------- workflow's events

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
            moved = doc is not None and state in vocabulary.INCOMING_STATES and \
                doc.state not in (state, domain.STATE_RECALLED)
            if moved:
                before, doc.state = doc.state, state
                self._audit(session, audit.PROCESSING_STATE, "incoming_document", doc.id,
                            data.get("actor_id") or "system:workflow",
                            {"from": before, "to": state, "event": message["type"]})
            if not (granted or moved):
                return
            shown = doc or (session.get(OutgoingDocument, document_id) if document_id else None)
            if shown is not None:
                self._tell_search(session, shown)
        # published by the relay within a second, not inline: a burst of workflow events
        # then reaches search together, which indexes them in one commit (its group commit)
