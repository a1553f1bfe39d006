"""The documents service's side of recall and update through the receiver's văn thư (QCVN
102 §2.8, ND30 Điều 18.4; DOMAIN.md §2.8): an issued document's update (the outgoing
step ``update``), the request each internally delivered copy then carries (a recall or an
update: never applied at once), the văn thư's answer to it, and the application of an
update's particulars to an incoming document — the same path for an internal copy and
for one an agency updated through the exchange. The rules are changes.py's.

Mixed into DocumentsService; needs from the host: db, identity, clock, flush_outbox,
_audit (service.py), _withdraw and _incoming_answer (incoming_entrypoints), _tell_search
(search_feed)."""
from __future__ import annotations

from sqlalchemy import null, select

from services.common import events
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, InvalidInput,
                                    not_found)
from services.common.identity import CLERK, clearance_covers
from services.common.outbox import add_event
from services.common.rpc import rpc
from services.common.validation import Problems, parse_answer
from services.documents import changes, schemas
from services.documents.models import (IncomingDocument, Membership, OutgoingDocument, Unit,
                                       User, outbox)


class ChangeEntrypoints:

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def answer_incoming_change(self, token, document_id, payload):
        """The văn thư answers what the sender of an internally delivered copy asked
        (its ``change_request``): a recall agreed withdraws the copy exactly as
        withdraw_incoming does (deleted with its metadata; the recall log stays in the
        audit; search forgets it); an update agreed sets its particulars on the copy
        (audited, search told); a refusal (reason required) leaves the copy as it is.
        Either way the answer joins the copy's ``change_answers`` (a withdrawn copy's:
        its recall log) and the sender's outgoing document (its recipient's ``answer``;
        an update's ``answers`` in ``updates``), and the request is cleared.

        Args: ``token`` (a văn thư of the copy's unit, cleared for its level);
        ``document_id``; ``payload`` = ``{agree (bool), reason (required to refuse)}``.
        Result: ``{id, kind, agreed, withdrawn, document (the copy now, or None)}``.
        Errors: InvalidInput; NotFound; Forbidden; Conflict (nothing asked, or answered
        already). Events: incoming_change_answered; a recall agreed: document_recalled
        (withdrawn); an update agreed: document_updated."""
        caller = self.identity.caller(token)
        answer = parse_answer(payload)
        now = self.clock.now()
        at = now.isoformat()
        with self.db.transaction() as session:
            doc = self._incoming_for_change(session, caller, document_id)
            asked = doc.change_request
            if not asked:
                raise Conflict("Không có đề nghị thu hồi hoặc cập nhật đang chờ trả lời.",
                               "No recall or update request is waiting for an answer.")
            agreed, kind = answer["agree"], asked["kind"]
            # what the sender's văn thư is told of it (read before a recall deletes it)
            about = {"subject": doc.subject, "code_number": doc.code_number,
                     "code_notation": doc.code_notation,
                     "confidentiality": doc.confidentiality}
            entry = changes.answer_entry(asked, agreed=agreed, reason=answer["reason"],
                                         answered_by=caller.user_id, answered_at=at)
            self._audit(session, "change_answered", "incoming_document", doc.id,
                        caller.user_id, entry)
            incoming_id, unit_id = doc.id, doc.unit_id
            withdrawn = kind == changes.RECALL and agreed
            if withdrawn:
                self._withdraw(session, caller, doc, asked.get("reason") or "",
                               {"answer": entry})
                out = None
            else:
                if agreed:
                    self._apply_changes(session, caller, doc, asked.get("changes", {}),
                                        asked.get("reason"), {"from_outgoing": asked.get(
                                            "from_outgoing_id")})
                doc.change_answers = [*(doc.change_answers or []), entry]
                doc.change_request = null()     # SQL NULL: the filter of list_incoming
                session.flush()
                session.refresh(doc)
                out = self._incoming_view(session, caller, doc)
            outgoing_unit = self._tell_sender(session, incoming_id, asked, unit_id,
                                              agreed=agreed, reason=answer["reason"], at=at)
            add_event(session, outbox, events.INCOMING_CHANGE_ANSWERED, {
                "id": document_id, "unit_id": unit_id, "kind": kind, "agreed": agreed,
                "reason": answer["reason"], "answered_by": caller.user_id,
                "from_outgoing_id": asked.get("from_outgoing_id"),
                "outgoing_unit_id": outgoing_unit,
                "unit_name": (session.get(Unit, unit_id) or Unit(name="")).name,
                "clerk_user_ids": self._cleared(
                    self._clerks_of(session, {outgoing_unit}).get(outgoing_unit, []),
                    about["confidentiality"]), **about})
        self.flush_outbox()
        return {"id": document_id, "kind": kind, "agreed": agreed, "withdrawn": withdrawn,
                "document": out}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def apply_incoming_changes(self, token, document_id, payload):
        """Set an update's particulars on an incoming document whose văn thư agreed to it
        elsewhere — an agency's update (edoc of type 2) answered in the exchange: the
        same path an internal copy's agreed update takes (changes.UPDATABLE only; what
        is already so is left; audited, search told).

        Args: ``token`` (the văn thư's own: a văn thư of the document's unit, cleared for
        its level); ``document_id``; ``payload`` = ``{changes, reason?, source?:
        {kind, id} (what asked: the exchange's received document)}``. Result: the
        document with ``applied`` (the particulars that changed, before and after).
        Errors: InvalidInput (a particular not in the list, or invalid); NotFound;
        Forbidden. Events: document_updated (when something changed)."""
        caller = self.identity.caller(token)
        problems = Problems()
        payload = problems.object(payload, "payload")
        problems.only(payload, {"changes", "reason", "source"})
        wanted = changes.parse_changes(problems, payload.get("changes"))
        reason = problems.text(payload, "reason", max_length=1000)
        source = payload.get("source")
        if source is not None and not (isinstance(source, dict) and all(
                isinstance(source.get(k), str) and len(source[k]) <= 100
                for k in ("kind", "id"))):
            problems.add("source", "Phải là {kind, id}.", "Must be {kind, id}.")
        problems.raise_if_any()
        with self.db.transaction() as session:
            doc = self._incoming_for_change(session, caller, document_id)
            before, after = self._apply_changes(session, caller, doc, wanted, reason,
                                                {"source": source} if source else {})
            out = self._incoming_view(session, caller, doc)
        self.flush_outbox()
        return out | {"applied": {"before": before, "after": after}}

    # ------------------------------------------------------------ for outgoing_steps

    def _update_issued(self, session, caller, doc, body, now) -> dict:
        """The outgoing step ``update`` on an issued document: its particulars change
        here at once (recorded in ``updates``, numbered from 1); each internal copy is
        asked (a request its văn thư answers); the exchange follows outgoing_updated.
        Returns the audit's details. Conflict when nothing would change."""
        wanted = body["changes"]
        if "due_date" in wanted and wanted["due_date"] and \
                wanted["due_date"] < self.clock.today().isoformat():
            raise InvalidInput("Hạn trả lời đã qua.", "The reply date is in the past.",
                               {"changes.due_date": {"vi": "Hạn trả lời đã qua.",
                                                     "en": "The reply date is in the past."}})
        before, after = changes.apply(doc, wanted)
        if not after:
            raise Conflict("Thông tin cập nhật giống thông tin hiện có của văn bản.",
                           "The document already carries these particulars.")
        number = len(doc.updates or []) + 1
        at = now.isoformat()
        doc.updates = [*(doc.updates or []), {
            "number": number, "changes": after, "before": before, "reason": body["reason"],
            "by": caller.user_id, "at": at, "answers": {}}]
        self._ask_internal_copies(session, caller, doc, changes.UPDATE, body["reason"], now,
                                  after, number)
        add_event(session, outbox, events.OUTGOING_UPDATED, {
            "id": doc.id, "unit_id": doc.unit_id, "number": number, "changes": after,
            "before": before, "reason": body["reason"], "updated_by": caller.user_id,
            "at": at,
            # what the exchange builds its edoc of type 2 from; a secret document never
            # travels, and its particulars stay out of the broker
            "document": schemas.outgoing_out(doc) if doc.confidentiality == "none"
            else None})
        return {"number": number, "before": before, "after": after}

    def _ask_internal_copies(self, session, caller, doc, kind, reason, now, wanted=None,
                             number=None) -> None:
        """Each copy delivered internally carries the request until its văn thư answers
        (never recalled or changed at once); the unit's văn thư are told
        (incoming_change_requested)."""
        ids = [r["incoming_id"] for r in doc.recipients or [] if r.get("incoming_id")]
        copies = session.execute(select(IncomingDocument).where(
            IncomingDocument.id.in_(ids))).scalars().all() if ids else []
        at = now.isoformat()
        clerks = self._clerks_of(session, {c.unit_id for c in copies})
        for copy in copies:
            asked = changes.pending_request(copy.change_request, changes.request(
                kind, reason=reason, from_outgoing_id=doc.id, asked_by=caller.user_id,
                asked_at=at, changes=wanted, number=number))
            copy.change_request = asked
            self._audit(session, "change_requested", "incoming_document", copy.id,
                        caller.user_id, asked)
            add_event(session, outbox, events.INCOMING_CHANGE_REQUESTED, {
                "id": copy.id, "unit_id": copy.unit_id, "kind": kind, "reason": reason,
                "changes": asked.get("changes"), "from_outgoing_id": doc.id,
                "subject": copy.subject, "code_number": copy.code_number,
                "code_notation": copy.code_notation,
                "confidentiality": copy.confidentiality,
                "clerk_user_ids": self._cleared(clerks.get(copy.unit_id, []),
                                                copy.confidentiality)})
        doc.recipients = changes.with_request(doc.recipients, kind, at, number)

    # ------------------------------------------------------------ helpers

    def _incoming_for_change(self, session, caller, document_id):
        query = select(IncomingDocument).where(IncomingDocument.id == document_id)
        if session.bind.dialect.name == "postgresql":
            query = query.with_for_update()
        doc = session.execute(query).scalar_one_or_none() \
            if isinstance(document_id, str) else None
        if doc is None:
            raise not_found("văn bản đến", "Incoming document", document_id)
        if not changes.may_answer(caller, doc.unit_id, doc.confidentiality):
            raise Forbidden("Chỉ văn thư của đơn vị nhận trả lời đề nghị thu hồi hoặc cập "
                            "nhật văn bản.",
                            "Only a văn thư of the receiving unit answers a recall or an "
                            "update.")
        return doc

    def _apply_changes(self, session, caller, doc, wanted, reason, extra) -> tuple:
        before, after = changes.apply(doc, wanted)
        if after:
            self._audit(session, "changes_applied", "incoming_document", doc.id,
                        caller.user_id, {"before": before, "after": after,
                                         "reason": reason} | extra)
            self._tell_search(session, doc)
        return before, after

    def _tell_sender(self, session, incoming_id, asked, unit_id, *, agreed, reason, at):
        """The sender's outgoing document shows the answer of this recipient; returns the
        sender's unit (None when the outgoing document is gone)."""
        outgoing = session.get(OutgoingDocument, asked.get("from_outgoing_id") or "")
        if outgoing is None:
            return None
        outgoing.recipients = changes.with_answer(outgoing.recipients, incoming_id, asked,
                                                  agreed=agreed, reason=reason, at=at)
        if asked["kind"] == changes.UPDATE:
            numbers = [asked.get("update"), *asked.get("folds", [])]
            outgoing.updates = changes.updates_with_answer(
                outgoing.updates, numbers, unit_id, agreed=agreed, reason=reason, at=at)
        return outgoing.unit_id

    @staticmethod
    def _clerks_of(session, unit_ids) -> dict[str, list[tuple[str, str]]]:
        """The active văn thư of each unit, with their clearance: {unit id: [(user id,
        clearance)]} — whom to tell of a request or an answer."""
        unit_ids = {u for u in unit_ids if u}
        clerks: dict[str, list[tuple[str, str]]] = {}
        for user_id, unit_id, clearance in session.execute(
                select(Membership.user_id, Membership.unit_id, User.clearance)
                .join(User, User.id == Membership.user_id)
                .where(Membership.unit_id.in_(unit_ids), Membership.role == CLERK,
                       User.active.is_(True))).all() if unit_ids else []:
            clerks.setdefault(unit_id, []).append((user_id, clearance))
        return clerks

    @staticmethod
    def _cleared(clerks, confidentiality) -> list[str]:
        """Of ``clerks`` ([(user id, clearance)]), those cleared for ``confidentiality``."""
        return sorted(u for u, clearance in clerks
                      if clearance_covers(clearance or "none", confidentiality))

    def _incoming_view(self, session, caller, doc) -> dict:
        unit = session.get(Unit, doc.unit_id)
        return self._incoming_answer(caller, doc, schemas.incoming_out(
            doc, unit.name if unit else None))

