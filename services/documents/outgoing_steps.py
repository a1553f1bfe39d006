"""The documents service's entrypoint for the steps of an outgoing document (DOMAIN.md
§1.6): submission (relayed by workflow with the unit's approval chain), approval,
the clerk's check of form, signing (under a delegation too), numbering, issue with
delivery to internal units as incoming documents of their own registers, recall, update
(cập nhật) and cancellation. Who may take a step is permissions.py's rule, the same that gives
allowed_actions.

Mixed into DocumentsService; needs from the host: db, identity, clock, flush_outbox,
_audit (service.py), _visible_outgoing, _outgoing_out, _allowed_on_outgoing,
_wrong_state (outgoing_entrypoints), active_delegation, delegations_held
(delegation_entrypoints), _search_view, _tell_search (search_feed), _ask_internal_copies,
_update_issued (change_entrypoints)."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.common import events
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, InvalidInput,
                                    invalid_fields)
from services.common.identity import Caller, clearance_covers
from services.common.identity import Membership as CallerMembership
from services.common import vocabulary
from services.common.outbox import add_event
from services.common.rpc import rpc
from services.documents import delegations, domain, numbering, outgoing, permissions, schemas
from services.documents.delegation_entrypoints import delegation_in_force
from services.documents.models import (Delegation, DocumentFile, IncomingDocument, Membership,
                                       OutgoingDocument, Register, Unit, User, outbox)


class OutgoingStepEntrypoints:

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def act_on_outgoing(self, token, document_id, action, payload=None):
        """Take one step on an outgoing document (DOMAIN.md §1.6):

        submit {on_behalf_of, approval_chain} (trình duyệt: relayed by workflow only,
        with the unit's chain as workflow.approval_chain_for gives it, or null; the step
        is the person's: their role, clearance and name in the audit; any other caller
        gets 400 — submissions go through workflow) · return {reason} (trả lại) ·
        approve (duyệt) · check_form
        (văn thư kiểm tra thể thức) · sign {position?, full_name?} (ký; the caller's own
        position and name by default) · number {code_notation? | field_code?} (cấp số
        from the unit's outgoing register of the year, or the secret one; the ký hiệu
        is composed from the type and the unit's abbreviation unless given) · issue
        (phát hành: internal recipients receive it at once as an incoming document of
        their own register; a draft that replaces or corrects an issued document links
        each copy to the unit's copy of that one, and a replaced one is marked) ·
        recall {reason} (thu hồi: each internal copy carries the request until its văn
        thư answers, answer_incoming_change) · update {changes, reason} (cập nhật thông
        tin of an issued document: changes.UPDATABLE; applied here at once, asked of each
        internal copy likewise) · cancel {reason} (hủy dự thảo).
        Every step may carry a ``comment``. Who may take which step: outgoing.STEPS.

        Returns: the document, with the caller's allowed_actions after the step (for a
        step workflow takes for a person, that person's). Errors: InvalidInput (unknown
        action, bad body, a công văn without a field code, a submission not relayed by
        workflow); Forbidden; NotFound; Conflict (a step not allowed from the current
        state, a draft that lacks recipients or a signer, a số and ký hiệu already used
        this year, a recipient unit that no longer exists, a submission whose chain is
        not the draft's unit's and type's, or names approvers not cleared for it; an issue
        whose replaced or corrected document was recalled or replaced meanwhile).
        Events: outgoing_submitted (submit); document_issued and one
        document_registered per internal recipient (issue); document_recalled and one
        incoming_change_requested per internal copy (recall); outgoing_updated,
        document_updated and incoming_change_requested per internal copy (update)."""
        caller = self.identity.caller(token)
        if action not in outgoing.STEPS:
            raise invalid_fields({"action": {
                "vi": "Thao tác không hợp lệ; chọn một trong: " + ", ".join(outgoing.ACTIONS),
                "en": "Unknown action; one of: " + ", ".join(outgoing.ACTIONS)}})
        body = outgoing.parse_step_request(action, payload)
        relayed = body.get("relayed", False)
        for name in ("on_behalf_of", "delegation_id", "relayed"):
            # only workflow takes a chain's step, or relays a submission, for a person
            if body.get(name) and caller.service != "workflow":
                raise invalid_fields({"approval_chain" if name == "relayed" else name: {
                    "vi": "Trường dành cho dịch vụ nội bộ.", "en": "For services only."}})
        if action == "submit" and not (relayed and body.get("on_behalf_of")):
            raise InvalidInput(
                "Dự thảo được trình qua dịch vụ luồng xử lý (workflow), nơi giữ quy trình "
                "duyệt của đơn vị.",
                "Submissions go through the workflow service, which holds the unit's "
                "approval chain.",
                {"approval_chain": {"vi": "Thiếu quy trình duyệt do workflow gửi kèm.",
                                    "en": "The approval chain workflow sends is missing."}})
        # workflow relays a submission with the unit's chain (its own fact, C1a), else
        # takes a step of the chain (approve, return) for the person who decided it
        chain = body.get("approval_chain")
        via_chain = bool(body.get("on_behalf_of")) and not relayed
        with self.db.transaction() as session:
            doc = self._visible_outgoing(session, caller, document_id, lock=True)
            if body.get("on_behalf_of"):
                # the step is that person's — their clearance, their role or
                # delegation, their name in the audit — never the service's
                caller = self._person(session, body["on_behalf_of"])
            delegation = self._delegation_used(session, caller, body, doc)
            allowed = outgoing.may_take_in_chain(
                caller, action, doc.unit_id, doc.confidentiality, delegation is not None) \
                if via_chain else permissions.may_take_step(caller, action, doc.unit_id,
                                                            doc.confidentiality)
            if not allowed and action in delegations.ACTIONS and \
                    caller.cleared_for(doc.confidentiality) and not caller.system:
                delegation = self.active_delegation(session, caller, action, doc.unit_id,
                                                    doc.document_type)
                allowed = permissions.may_take_step(caller, action, doc.unit_id,
                                                    doc.confidentiality, delegation is not None)
            if allowed and action == "submit":
                if not outgoing.chain_fits(chain, doc.unit_id, doc.document_type):
                    raise Conflict("Dự thảo đã đổi loại văn bản trong lúc trình; hãy trình "
                                   "lại.", "The draft changed type while being submitted; "
                                   "submit it again.")
                self._refuse_uncleared_approvers(session, doc, chain)
            if allowed:
                result = self._take_step(session, caller, doc, action, body, delegation,
                                         chain, via_chain)
            else:   # the refusal is audited, so the transaction still commits
                self._audit(session, f"{action}_denied", "outgoing_document", doc.id,
                            caller.user_id, {})
                result = None
        if result is None:
            verb_vi, verb_en = vocabulary.OUTGOING_ACTION_NAMES[action]
            raise Forbidden(f"Bạn không có quyền {verb_vi} văn bản này.",
                            f"You may not {verb_en} this document.")
        self.flush_outbox()
        return result

    def _delegation_used(self, session, caller, body, doc):
        """The delegation under which workflow says its approver acted (delegation_id):
        it must be held by that approver, in the draft's unit, and cover the step."""
        if not body.get("delegation_id"):
            return None
        row = session.get(Delegation, body["delegation_id"])
        today = self.clock.today()
        if row is None or row.to_user_id != caller.user_id or row.unit_id != doc.unit_id \
                or not delegations.covers(row, "approve", doc.document_type, today) \
                or not delegation_in_force(session, row, today):
            raise invalid_fields({"delegation_id": {
                "vi": "Ủy quyền không còn hiệu lực cho bước này.",
                "en": "The delegation does not cover this step."}})
        return row

    # ---------------------------------------------------------------- the steps

    def _take_step(self, session, caller, doc, action, body, delegation=None,
                   chain=None, via_chain=False) -> dict:
        step = outgoing.STEPS[action]
        now = self.clock.now()
        digitally_signed = doc.signed_file_id is not None
        if doc.state in outgoing.STEPS[action].sources and \
                not permissions.signature_allows(action, doc.state, digitally_signed):
            raise Conflict(
                "Văn bản chưa được người có thẩm quyền ký số; chỉ ký số cơ quan lên văn bản "
                "đã có chữ ký số của người ký." if action == "seal" else
                "Văn bản đã ký số; cần ký số cơ quan trước khi phát hành.",
                "The document carries no digital signature of its signer; the organisation "
                "signs only over one." if action == "seal" else
                "The document is digitally signed: apply the organisation's signature "
                "before issuing it.", {"reason": "no_signer_signature" if action == "seal"
                                       else "organisation_signature_missing"})
        if not permissions.step_open(action, doc.state, digitally_signed):
            raise self._wrong_state(doc, *vocabulary.OUTGOING_ACTION_NAMES[action])
        if permissions.held_by_chain(action, doc.state, doc.in_approval_chain) and \
                not (caller.system or via_chain):
            raise Conflict("Dự thảo đang theo quy trình duyệt của đơn vị; hãy duyệt hoặc trả "
                           "lại trong quy trình (Việc cần xử lý).",
                           "The draft is going through the unit's approval chain; approve "
                           "or return it there (My work).")
        if action in ("approve", "return", "submit"):
            # a new round follows the unit's chain, if it has one, from its submission
            doc.in_approval_chain = action == "submit" and bool(chain and chain["steps"])
        details = {"from": doc.state, "to": step.target}
        if delegation is not None:   # done for someone else: both people are recorded
            details |= {"on_behalf_of": delegation.from_user_id,
                        "delegation_id": delegation.id, "delegation_kind": delegation.kind}
        if action == "sign":
            self._sign(session, caller, doc, body, delegation)
        if action in ("sign", "return"):   # a new signature, or none until signed again
            doc.signed_file_id, doc.signed_attachment_ids = None, []
        missing = outgoing.problems_before(action, {
            "recipients": doc.recipients, "signer_full_name": doc.signer_full_name,
            "signer_position": doc.signer_position})
        if missing:
            raise Conflict("Văn bản chưa đủ thông tin cho bước này.",
                           "The document lacks what this step needs.", missing)
        if action == "sign" and body.get("certificate_id"):
            self._sign_digitally(session, caller, doc, body["certificate_id"])
            details["digital_signature"] = doc.digital_signatures[-1]
        elif action == "seal":
            self._seal(session, caller, doc, body.get("certificate_id"))
            details |= {"digital_signature": doc.digital_signatures[-1],
                        "signed_attachment_ids": doc.signed_attachment_ids}
        if action == "number":
            self._number(session, doc, body)
            self._write_number_digitally(session, doc)
            details |= {"code_number": doc.code_number, "code_notation": doc.code_notation,
                        "register_id": doc.register_id}
        elif action == "issue":
            details["recipients"] = self._issue(session, caller, doc, now)
        elif action == "recall":
            self._ask_internal_copies(session, caller, doc, "recall", body["reason"], now)
        elif action == "update":
            details |= self._update_issued(session, caller, doc, body, now)
        doc.state, doc.updated_at = step.target, now
        if step.reason_required and action != "update":   # an update leaves the state
            doc.state_reason = body["reason"]
        details |= {name: body[name] for name in ("reason", "comment") if body.get(name)}
        self._audit(session, action, "outgoing_document", doc.id, caller.user_id, details)
        session.flush()
        result = self._outgoing_out(session, doc)
        if action == "issue":   # with who may see it, for search
            add_event(session, outbox, events.DOCUMENT_ISSUED,
                      self._search_view(session, doc, result)
                      | {"related": self._related_identity(session, doc)})
        elif action == "submit":
            add_event(session, outbox, events.OUTGOING_SUBMITTED, {
                k: result[k] for k in ("id", "unit_id", "document_type", "subject", "urgency",
                                       "confidentiality", "version", "drafted_by")}
                | {"submitted_by": caller.user_id,
                   "approval_steps": chain["steps"] if chain else []})
        elif action == "update":
            self._tell_search(session, doc)
        elif action == "recall":
            self._tell_search(session, doc)
            add_event(session, outbox, events.DOCUMENT_RECALLED, {
                "id": doc.id, "direction": "outgoing", "unit_id": doc.unit_id,
                "reason": body["reason"], "recalled_by": caller.user_id,
                "recipients": result["recipients"]})
        return result | {"allowed_actions": self._allowed_on_outgoing(
            caller, doc, self.delegations_held(session, caller, self.clock.today()))}

    def _sign(self, session, caller, doc, body, delegation=None):
        """The signer's position and name (SignerInfo) are the caller's own unless given;
        under a delegation the position reads "KT. <delegator's title>, <own title>" and
        the document records for whom it was signed. With a certificate_id the PDF is
        signed digitally too (signing_steps); without, the signature is on paper."""
        user = session.get(User, caller.user_id)
        doc.signer_position = body.get("position") or (user.position if user else None) \
            or doc.signer_position
        doc.signed_for = doc.signed_as = None
        if delegation is not None:
            delegator = session.get(User, delegation.from_user_id)
            doc.signer_position = delegations.signer_position(
                delegation.kind, delegator.position if delegator else None,
                body.get("position") or (user.position if user else None))
            doc.signed_for, doc.signed_as = delegation.from_user_id, delegation.kind
        doc.signer_full_name = body.get("full_name") or (user.full_name[:50] if user else None) \
            or doc.signer_full_name
        doc.signed_by = caller.user_id

    def _number(self, session, doc, body):
        """Cấp số (ND30 Điều 15): the next number of the unit's register for this type in
        the year, taken in this transaction so a failure gives it back."""
        unit = session.get(Unit, doc.unit_id)
        today = self.clock.today()
        year = today.year
        notation = body["code_notation"] or outgoing.compose_notation(
            doc.document_type, unit.abbreviation, year, doc.normative, body["field_code"])
        if notation is None:
            field = "field_code" if unit.abbreviation else "code_notation"
            raise invalid_fields({field: {
                "vi": "Công văn cần mã đơn vị soạn thảo hoặc lĩnh vực (field_code), hoặc nhập "
                      "ký hiệu đầy đủ (code_notation)." if unit.abbreviation else
                      "Đơn vị chưa có chữ viết tắt; nhập ký hiệu đầy đủ (code_notation).",
                "en": "A công văn needs the drafting unit or field code (field_code), or the "
                      "whole notation (code_notation)." if unit.abbreviation else
                      "The unit has no abbreviation; give the whole notation (code_notation)."}})
        register = numbering.register_for_type(
            session, doc.unit_id, outgoing.register_direction(doc.confidentiality), year,
            doc.document_type)
        number = numbering.next_number(session, register)
        code_number = domain.format_code_number(str(number))
        # Unique in the year within a series kind: secret documents are numbered apart
        # (Điều 15.2), so 01/TB-STC may exist once among secret and once among others.
        if session.execute(select(OutgoingDocument.id).join(
                Register, Register.id == OutgoingDocument.register_id).where(
                OutgoingDocument.unit_id == doc.unit_id, OutgoingDocument.year == year,
                OutgoingDocument.code_number == code_number,
                OutgoingDocument.code_notation == notation,
                Register.direction == register.direction)).first():
            raise Conflict(f"Số, ký hiệu {code_number}/{notation} đã dùng trong năm {year}.",
                           f"{code_number}/{notation} is already used in {year}.")
        doc.register_id, doc.year, doc.number = register.id, year, number
        doc.code_number, doc.code_notation = code_number, notation
        doc.issued_date = today
        doc.organ_id, doc.organ_name = unit.organ_id, unit.name

    def _issue(self, session, caller, doc, now) -> list[dict]:
        """Phát hành: each internal recipient unit gets the document as an incoming one
        in its own register, numbered and announced in this same transaction, so none
        is lost; other recipients are left to the exchange layer or to paper."""
        recipients = outgoing.with_delivery(list(doc.recipients or []), doc.confidentiality)
        internal = [r["unit_id"] for r in recipients if r["delivery"] == outgoing.INTERNAL]
        units = {u.id: u for u in session.execute(
            select(Unit).where(Unit.id.in_(internal))).scalars()} if internal else {}
        closed = [units[u].name for u in internal
                  if units[u].valid_to is not None and units[u].valid_to < self.clock.today()]
        if closed:
            raise Conflict("Nơi nhận đã ngừng hoạt động: " + ", ".join(closed) +
                           ". Hãy sửa nơi nhận.",
                           "Recipients no longer exist: " + ", ".join(closed) + ".")
        leaders_by_unit: dict[str, list] = {}
        for user_id, unit_id, role, clearance in session.execute(
                select(Membership.user_id, Membership.unit_id, Membership.role, User.clearance)
                .join(User, User.id == Membership.user_id)
                .where(Membership.unit_id.in_(internal))).all():
            leaders_by_unit.setdefault(unit_id, []).append((user_id, role, clearance))
        doc.issued_at = now
        # a replacement or correction: each unit's copy links to its copy of the earlier one
        earlier_copies = self._related_on_issue(session, caller, doc)
        stored = []
        for entry in recipients:
            if entry["delivery"] == outgoing.INTERNAL:
                incoming = self._deliver_internally(session, caller, doc, units[entry["unit_id"]],
                                                    leaders_by_unit.get(entry["unit_id"], []),
                                                    now)
                self._link_copy(session, caller, doc.related_kind,
                                earlier_copies.get(entry["unit_id"]), incoming)
                entry = entry | {"incoming_id": incoming.id,
                                 "arrival_number": incoming.arrival_number}
            stored.append({k: v for k, v in entry.items() if k != "delivery"})
        doc.recipients = stored
        return [{"unit_id": r["unit_id"], "organ_id": r["organ_id"],
                 "incoming_id": r.get("incoming_id")} for r in stored]

    def _deliver_internally(self, session, caller, doc, unit, memberships, now):
        register = numbering.register_for_type(
            session, unit.id, domain.register_direction(doc.confidentiality),
            self.clock.today().year,
            doc.document_type)
        incoming = IncomingDocument(
            id=str(uuid.uuid4()), unit_id=unit.id, register_id=register.id,
            year=register.year, arrival_number=numbering.next_number(session, register),
            arrival_date=now, code_number=doc.code_number,
            code_number_value=int(doc.code_number), code_notation=doc.code_notation,
            issued_date=doc.issued_date, issued_year=doc.issued_date.year,
            issuer_organ_id=doc.organ_id, issuer_name=doc.organ_name,
            issuer_key=domain.issuer_key(doc.organ_id, doc.organ_name),
            document_type=doc.document_type, subject=doc.subject, language=doc.language,
            page_amount=doc.page_amount, description=doc.description,
            signer_position=doc.signer_position, signer_full_name=doc.signer_full_name,
            urgency=doc.urgency, confidentiality=doc.confidentiality, due_date=doc.due_date,
            to_places=None, file_ids=self.delivered_files(doc),
            state=domain.STATE_REGISTERED, registered_by=caller.user_id, created_at=now)
        session.add(incoming)
        session.flush()
        session.add_all(DocumentFile(document_id=incoming.id, file_id=f)
                        for f in incoming.file_ids)
        result = schemas.incoming_out(incoming, unit.name)
        self._audit(session, "register", "incoming_document", incoming.id, caller.user_id,
                    {"after": result, "from_outgoing": doc.id})
        self.history_of_checks(session, "incoming_document", incoming.id, incoming.file_ids)
        add_event(session, outbox, events.DOCUMENT_REGISTERED, schemas.registered_event(
            result, domain.leaders_of(memberships, doc.confidentiality),
            from_outgoing_id=doc.id))
        return incoming

    # ---------------------------------------------------------------- helpers

    @staticmethod
    def _person(session, user_id) -> Caller:
        """A person as the directory knows them now (roles, clearance), to take a step
        as them; someone unknown or deactivated holds no role and no clearance."""
        user = session.get(User, user_id)
        if user is None or not user.active:
            return Caller(user_id=user_id, username=user_id)
        roles = session.execute(select(Membership.unit_id, Membership.role).where(
            Membership.user_id == user.id)).all()
        return Caller(user_id=user.id, username=user.username, full_name=user.full_name,
                      memberships=tuple(CallerMembership(u, r) for u, r in roles),
                      clearance=user.clearance or "none")

    @staticmethod
    def _refuse_uncleared_approvers(session, doc, chain):
        """A secret draft is not submitted into a chain that names an approver not cleared
        for its level (the chain would wait for someone who may never read it): 409,
        nothing changed."""
        approvers = {a for step in (chain or {}).get("steps") or [] for a in step["approvers"]}
        if not approvers or doc.confidentiality == "none":
            return
        users = {u.id: u for u in session.execute(
            select(User).where(User.id.in_(approvers))).scalars()}
        refused = sorted(users[a].full_name if a in users else a for a in approvers
                         if a not in users or not users[a].active
                         or not clearance_covers(users[a].clearance, doc.confidentiality))
        if refused:
            names = ", ".join(refused)
            raise Conflict(
                "Quy trình duyệt của đơn vị có người duyệt chưa được phép tiếp cận độ mật "
                f"của dự thảo: {names}. Hãy sửa quy trình duyệt trước khi trình.",
                "The unit's approval chain names approvers not cleared for the draft's "
                f"level: {names}. Change the chain before submitting.",
                {"approval_chain": {"vi": f"Chưa được phép tiếp cận độ mật: {names}.",
                                    "en": f"Not cleared for the level: {names}."}})
