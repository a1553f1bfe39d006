"""Văn bản điện tử chờ tiếp nhận: the documents other agencies sent, waiting for the văn thư
of the unit they are addressed to, who accepts one into the register (03) or returns it
with a reason (02) (ND30 Điều 21.2). Mixed into ExchangeService; needs from the host:
``db``, ``clock``, ``identity``, ``documents``, ``storage``, ``signing`` and ``exchange``."""
from __future__ import annotations

from sqlalchemy import and_, or_, select

from services.common.db import fetch_page
from services.common.errors import EXPECTED_ERRORS, Conflict, Forbidden, NotFound, not_found
from services.common.identity import CLERK, LEADER_ROLES
from services.common.inbox import first_delivery
from services.common.rpc import rpc
from services.common.validation import Problems, page_params, parse_answer
from services.exchange import receiving, translate
from services.exchange.edxml import model
from services.exchange.models import (ACCEPTED, RECALLED, REPLACED, RETURNED, WAITING,
                                      ReceivedDocument, processed_events)

RECEIVED_STATES = (WAITING, ACCEPTED, RETURNED, RECALLED, REPLACED)
#: list_received's filter of what waits for the văn thư's answer (recalls, updates)
REQUESTS = "requests"
REQUESTS_READ = 1000
#: what the văn thư may correct before registering (the rest comes from the package)
CORRECTABLE = {"code_number", "code_notation", "issued_date", "issuer", "document_type",
               "subject", "urgency", "confidentiality", "due_date", "page_amount", "signer",
               "to_places", "register_id", "description", "confirm_duplicate"}
REGISTERED_FIELDS = CORRECTABLE - {"confirm_duplicate", "register_id", "description"}
VERIFIED_HANDLER = "exchange.on_signing_signature_verified"
#: what a recalled document's record keeps: the recall log, not its metadata
RECALL_LOG_FIELDS = ("code_number", "code_notation", "issuer", "promulgation_date")


class ReceivedEntrypoints:

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_received(self, token, params=None):
        """The documents received from other agencies for the units where the caller is
        văn thư or a leader, newest first.

        Args: ``token``; ``params`` = ``{state (waiting by default | accepted | returned |
        recalled | replaced | all | requests: the recalls and updates waiting for the
        văn thư's answer), unit_id, page, page_size}``. Result: ``{items, total, page,
        page_size}`` (receiving.received_out; ``request``: what waits for an answer).
        Errors: InvalidInput. Events: none."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"state", "unit_id", "page", "page_size"})
        page, page_size = page_params(problems, params)
        state = problems.choice(params, "state", (*RECEIVED_STATES, "all", REQUESTS),
                                default=WAITING)
        unit_id = problems.text(params, "unit_id", max_length=36)
        problems.raise_if_any()
        units = self._units_of(caller)
        if unit_id:
            units = units & {unit_id}
        if state == REQUESTS:
            return self._requests_page(units, page, page_size)
        query = select(ReceivedDocument).where(ReceivedDocument.unit_id.in_(units))
        if state != "all":
            query = query.where(ReceivedDocument.state == state)
        with self.db.read() as session:
            total, rows = fetch_page(session, query.order_by(
                ReceivedDocument.received_at.desc(), ReceivedDocument.id), page, page_size)
            items = [receiving.received_out(r) for r in rows.scalars()]
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_received(self, token, received_id):
        """One received document, with its package's signature check and the signature
        check of each file (signing's reports), and ``earlier``: the document it replaces
        or corrects (receiving.earlier_out), or null. Errors: NotFound; Forbidden."""
        caller = self.identity.caller(token)
        with self.db.read() as session:
            received = self._visible(session, caller, received_id)
            out = receiving.received_out(received) | {
                "earlier": receiving.earlier_out(session, received)}
        file_ids = [f["file_id"] for f in out["files"]][:50]
        reports = self.signing.get_verifications(self.identity.system_token(), file_ids) \
            if file_ids else {}
        for entry in out["files"]:
            report = reports.get(entry["file_id"])   # null: not verified yet
            entry["signatures"] = report and {"status": report.get("status"),
                                              "summary": report.get("summary")}
        return out

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def received_file_link(self, token, received_id, file_id, params=None):
        """A short-lived (5 minutes) link to a file of a received document, so its văn thư
        and leaders read it before deciding; ``params`` = ``{view: true}`` asks a PDF to be
        shown in the browser (its stamps drawn) rather than downloaded.

        Result: ``{url, expires_at}``. Errors: NotFound (no such document, or the file is
        not one of its files); Forbidden (another unit's). Events: none."""
        caller = self.identity.caller(token)
        with self.db.read() as session:
            received = self._visible(session, caller, received_id)
            if not any(f.get("file_id") == file_id for f in received.files or []):
                raise not_found("tệp", "File", file_id)
        link = self.storage.get_download_url(self.identity.system_token(), file_id)
        view = isinstance(params, dict) and params.get("view") in (True, "true")
        return link | {"url": link["url"] + "&view=1"} if view else link

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def accept_received(self, token, received_id, changes=None):
        """Tiếp nhận: the văn thư registers a received document in the unit's incoming
        register (documents gives it the next số đến), and its sender hears 03.

        Args: ``token`` (a văn thư of the unit); ``received_id``; ``changes`` = fields the
        văn thư corrects or completes (CORRECTABLE; documents validates all). Result: the
        received document with ``incoming_id`` and ``incoming`` (documents' answer).
        Errors: NotFound; Forbidden; Conflict (not waiting, or its recall not answered
        yet); InvalidInput (a field the
        package left empty or wrong: documents names it). A replacement (type 3) or a
        correction (ResponseFor) of a document the unit accepted before is registered
        linked to that incoming document (documents marks a replaced one). Events:
        documents' document_registered; status 03 to the sender."""
        caller = self.identity.caller(token)
        problems = Problems()
        changes = problems.object(changes or {}, "changes")
        problems.only(changes, CORRECTABLE)
        if changes.get("confidentiality") not in (None, "none"):
            # a secret document never travels by the axis (DOMAIN.md §1.9); kept as one, its
            # particulars would still show here to every văn thư and leader of the unit
            problems.add("confidentiality",
                         "Văn bản mật không gửi qua trục liên thông; văn bản này không thể vào "
                         "sổ văn bản mật. Nếu cần, hãy trả lại cho nơi gửi.",
                         "Secret documents never travel by the axis: this one cannot be "
                         "registered as secret. Return it to its sender if need be.")
        problems.raise_if_any()
        with self.db.read() as session:
            received = self._for_clerk(session, caller, received_id)
            payload = {k: v for k, v in (received.fields or {}).items()
                       if k in REGISTERED_FIELDS and v not in (None, "")}
            payload |= {"unit_id": received.unit_id,
                        "file_ids": [f["file_id"] for f in received.files or []]}
            related = receiving.related_for_registration(session, received)
            if related:    # a replacement or correction of one already registered
                payload["related"] = related
        if isinstance(payload.get("signer"), dict):
            payload["signer"] = {k: v for k, v in payload["signer"].items() if v}
        payload |= changes
        if payload.get("file_ids"):    # stored by the exchange: now the văn thư's to attach
            self.storage.hand_over_files(self.identity.system_token(), {
                "file_ids": payload["file_ids"], "user_id": caller.user_id})
        # the received document's id is the retry key: accepting twice registers once
        incoming = self.documents.register_incoming(token, payload,
                                                    idempotency_key=f"exchange-{received_id}")
        now = self.clock.now()
        with self.db.transaction() as session:
            received = session.get(ReceivedDocument, received_id)
            if received.state == WAITING:
                received.state, received.incoming_id = ACCEPTED, incoming["id"]
                received.acted_by, received.updated_at = caller.user_id, now
                receiving.answer(session, received, "03", now)
            out = receiving.received_out(received)
        return out | {"incoming": incoming}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def return_received(self, token, received_id, payload):
        """Trả lại: the văn thư returns a received document to its sender with a reason
        (02); nothing is registered.

        Args: ``token``; ``received_id``; ``payload`` = ``{reason}``. Result: the received
        document. Errors: NotFound; Forbidden; Conflict (not waiting, or its recall not
        answered yet); InvalidInput (no reason). Events: status 02 to the sender."""
        caller = self.identity.caller(token)
        problems = Problems()
        payload = problems.object(payload, "payload")
        problems.only(payload, {"reason"})
        reason = problems.text(payload, "reason", max_length=1000, required=True)
        problems.raise_if_any()
        now = self.clock.now()
        with self.db.transaction() as session:
            received = self._for_clerk(session, caller, received_id)
            self.return_received_document(session, received, reason, now)
            received.acted_by = caller.user_id
            return receiving.received_out(received)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def answer_recall(self, token, received_id, payload):
        """The văn thư answers a recall its sender asked for (ND30 Điều 18.4; DOMAIN.md
        §2.8): agreed (15), the document leaves — the incoming document made of it is
        deleted with its metadata (documents.withdraw_incoming), the files are unlinked
        and only the recall log stays here and in documents' audit; refused (16, a reason
        required), nothing changes.

        Args: ``token`` (a văn thư of the unit); ``received_id``; ``payload`` = ``{agree
        (bool), reason (required when refusing)}``. Result: the received document.
        Errors: NotFound; Forbidden; Conflict (no recall asked, or answered already);
        InvalidInput. Events: documents' document_recalled (withdrawn); status 15 or 16."""
        caller = self.identity.caller(token)
        answer = parse_answer(payload)
        agree, reason = answer["agree"], answer["reason"]
        with self.db.read() as session:
            received = self._visible(session, caller, received_id)
            self._refuse_unless_recall_asked(caller, received)
            incoming_id, asked = received.incoming_id, dict(received.recall_request)
        if agree and incoming_id:
            try:
                self.documents.withdraw_incoming(token, incoming_id, {
                    "reason": asked.get("reason") or "Đơn vị gửi lấy lại văn bản."})
            except NotFound:      # withdrawn by an earlier attempt
                pass
        now = self.clock.now()
        with self.db.transaction() as session:
            received = session.get(ReceivedDocument, received_id)
            self._refuse_unless_recall_asked(caller, received)
            received.recall_request = asked | {
                "answer": "15" if agree else "16", "answer_reason": reason,
                "answered_by": caller.user_id, "answered_at": now.isoformat()}
            received.acted_by, received.updated_at = caller.user_id, now
            if agree:
                fields = received.fields or {}
                # the recall log: what it was, nothing more (its metadata is deleted)
                received.fields = {k: fields.get(k) for k in RECALL_LOG_FIELDS}
                received.files, received.state = [], RECALLED
                receiving.answer(session, received, "15", now)
            else:
                receiving.answer(session, received, "16", now, description=reason)
            return receiving.received_out(received)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def answer_received_change(self, token, received_id, payload):
        """The văn thư answers what another agency asks of a document it sent: its recall
        (as answer_recall) or an update (an edoc of type 2; DOMAIN.md §2.8: never applied
        without the văn thư). An update agreed: its particulars (fields.changes) go to
        the incoming document registered from the original (documents.
        apply_incoming_changes, with the văn thư's own token), or to the original's
        fields while it still waits; 15 goes back. Refused (a reason required): 16.

        Args: ``token`` (a văn thư of the unit); ``received_id``; ``payload`` = ``{agree
        (bool), reason (required when refusing)}``. Result: the received document (the
        update's, or the recalled one). Errors: NotFound; Forbidden; Conflict (nothing
        asked, answered already, or an update whose original is no longer here);
        InvalidInput. Events: documents' document_updated or document_recalled; status
        15 or 16."""
        caller = self.identity.caller(token)
        answer = parse_answer(payload)
        agree, reason = answer["agree"], answer["reason"]
        with self.db.read() as session:
            received = self._visible(session, caller, received_id)
            kind = receiving.request_of(received)
        if kind == "recall":
            return self.answer_recall(token, received_id, payload)
        if kind is None:
            raise Conflict("Không có yêu cầu thu hồi hoặc cập nhật đang chờ trả lời.",
                           "No recall or update is waiting for an answer.")
        return self._answer_update(caller, token, received_id, agree, reason)

    def _answer_update(self, caller, token, received_id, agree, reason):
        if not caller.has_role(self._unit_of(received_id), CLERK):
            raise Forbidden("Chỉ văn thư trả lời yêu cầu cập nhật.",
                            "Only a văn thư answers an update.")
        with self.db.read() as session:
            received = session.get(ReceivedDocument, received_id)
            original = receiving.original_received(session, received)
            wanted = dict((received.fields or {}).get("changes") or {})
            target = original and (original.state, original.incoming_id, original.id)
        now = self.clock.now()
        if agree:
            if target is None or target[0] not in (ACCEPTED, WAITING) or \
                    (target[0] == ACCEPTED and not target[1]):
                raise Conflict("Văn bản được cập nhật không còn ở đây (chưa nhận, đã trả lại "
                               "hoặc đã thu hồi): hãy từ chối, nêu lý do.",
                               "The document this updates is not here (never received, "
                               "returned or recalled): refuse it, with the reason.")
            if target[0] == ACCEPTED:
                try:
                    self.documents.apply_incoming_changes(token, target[1], {
                        "changes": wanted, "reason": (received.fields or {}).get(
                            "business_reason"), "source": {"kind": "exchange_update",
                                                           "id": received_id}})
                except NotFound:
                    raise Conflict("Văn bản đến được cập nhật đã bị xóa: hãy từ chối, nêu "
                                   "lý do.", "The incoming document it updates is gone: "
                                   "refuse it, with the reason.") from None
        with self.db.transaction() as session:
            received = session.get(ReceivedDocument, received_id)
            if received.state != WAITING:
                raise Conflict("Yêu cầu cập nhật đã được trả lời.",
                               "The update was answered already.")
            received.acted_by, received.updated_at = caller.user_id, now
            if not agree:
                self.return_received_document(session, received, reason, now)
                return receiving.received_out(received)
            original = session.get(ReceivedDocument, target[2])
            if original.state == WAITING:    # registered later with the new particulars
                original.fields = receiving.fields_updated(original.fields, wanted)
                original.updated_at = now
            received.state, received.incoming_id = ACCEPTED, original.incoming_id
            receiving.answer(session, received, "15", now)
            return receiving.received_out(received)

    def _requests_page(self, units, page, page_size) -> dict:
        """The received documents whose recall or update waits for an answer (few: read
        whole, newest first, then paged)."""
        with self.db.read() as session:
            rows = session.execute(select(ReceivedDocument).where(
                ReceivedDocument.unit_id.in_(units),
                or_(ReceivedDocument.recall_request.is_not(None),
                    and_(ReceivedDocument.business_type == model.UPDATE,
                         ReceivedDocument.state == WAITING))).order_by(
                ReceivedDocument.updated_at.desc(), ReceivedDocument.id).limit(
                REQUESTS_READ)).scalars().all()
            asked = [receiving.received_out(r) for r in rows if receiving.request_of(r)]
        start = (page - 1) * page_size
        return {"items": asked[start:start + page_size], "total": len(asked), "page": page,
                "page_size": page_size}

    def _unit_of(self, received_id) -> str:
        with self.db.read() as session:
            return session.get(ReceivedDocument, received_id).unit_id

    @staticmethod
    def _refuse_unless_recall_asked(caller, received):
        if not caller.has_role(received.unit_id, CLERK):
            raise Forbidden("Chỉ văn thư trả lời yêu cầu thu hồi.",
                            "Only a văn thư answers a recall.")
        if not received.recall_request or received.recall_request.get("answer") or \
                received.state == RECALLED:
            raise Conflict("Không có yêu cầu thu hồi đang chờ trả lời.",
                           "No recall is waiting for an answer.")

    # ------------------------------------------------------------ helpers of the host

    @staticmethod
    def return_received_document(session, received, reason: str, now) -> None:
        """Returned with ``reason``: 02, or 16 for an update (refused: its answer)."""
        received.state, received.reason, received.updated_at = RETURNED, reason, now
        receiving.answer(session, received, "16" if received.business_type == model.UPDATE
                         else "02", now, description=reason)

    def return_if_broken(self, message) -> None:
        data = message["data"]
        if data.get("status") != "invalid":
            return
        now = self.clock.now()
        with self.db.transaction() as session:
            if not first_delivery(session, processed_events, message["event_id"],
                                  VERIFIED_HANDLER):
                return
            waiting = session.execute(select(ReceivedDocument).where(
                ReceivedDocument.state == WAITING)).scalars().all()
            for received in waiting:
                if any(f.get("file_id") == data.get("file_id") for f in received.files or []):
                    summary = data.get("summary") or {}
                    self.return_received_document(
                        session, received, "Chữ ký số trên tệp không hợp lệ: " +
                        (summary.get("vi") or "tệp đã bị thay đổi sau khi ký."), now)

    def processing_moved(self, message, handler) -> None:
        data = message["data"]
        code = translate.STATUS_OF_STATE.get(data.get("document_state"))
        if not code or not data.get("document_id"):
            return
        with self.db.read() as session:
            # most documents did not come from another agency: nothing to write for them
            # (the link is made when the văn thư accepts, before any processing)
            if session.execute(select(ReceivedDocument.id).where(
                    ReceivedDocument.incoming_id == data["document_id"])).first() is None:
                return
        now = self.clock.now()
        with self.db.transaction() as session:
            if not first_delivery(session, processed_events, message["event_id"],
                                  f"exchange.{handler}"):
                return
            for received in session.execute(select(ReceivedDocument).where(
                    ReceivedDocument.incoming_id == data["document_id"])).scalars():
                # each once, and never an earlier step after a later one
                later = translate.PROCESSING_ORDER[
                    translate.PROCESSING_ORDER.index(code) + 1:]
                if not set(later) & set(received.answered or []):
                    receiving.answer(session, received, code, now)

    @staticmethod
    def _units_of(caller) -> set[str]:
        return {m.unit_id for m in caller.memberships if m.role in (CLERK, *LEADER_ROLES)}

    def _visible(self, session, caller, received_id):
        received = session.get(ReceivedDocument, received_id) \
            if isinstance(received_id, str) else None
        if received is None:
            raise not_found("văn bản điện tử", "Received document", received_id)
        if received.unit_id not in self._units_of(caller):
            raise Forbidden("Văn bản này gửi đến đơn vị khác.",
                            "This document was sent to another unit.")
        return received

    def _for_clerk(self, session, caller, received_id):
        received = self._visible(session, caller, received_id)
        if not caller.has_role(received.unit_id, CLERK):
            raise Forbidden("Chỉ văn thư tiếp nhận hoặc trả lại văn bản điện tử.",
                            "Only a văn thư accepts or returns an electronic document.")
        if received.state != WAITING:
            raise Conflict("Văn bản không còn chờ tiếp nhận.",
                           "The document is no longer waiting.")
        if received.business_type == model.UPDATE:
            raise Conflict("Đây là yêu cầu cập nhật văn bản đã gửi: hãy đồng ý (15) hoặc "
                           "từ chối có lý do (16).",
                           "This is an update of a document sent before: agree (15) or "
                           "refuse with a reason (16).")
        if received.recall_request and not received.recall_request.get("answer"):
            # its sender asked for it back: that answer (15/16) comes first
            raise Conflict("Nơi gửi đã đề nghị thu hồi văn bản này: hãy trả lời đề nghị "
                           "thu hồi trước.",
                           "Its sender asked for it back: answer the recall first.")
        return received
