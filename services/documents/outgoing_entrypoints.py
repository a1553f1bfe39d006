"""The documents service's entrypoints for outgoing documents (văn bản đi): drafts and
their versions, the steps from submission to issue and recall, and delivery to internal
units as incoming documents of their own registers. Mixed into DocumentsService, whose
providers (db, identity) and helpers (_audit, _check_files) these use."""
from __future__ import annotations

import uuid
from datetime import timedelta
from nameko.rpc import rpc
from sqlalchemy import and_, or_, select

from services.common import events
from services.common.clock import day_start
from services.common.db import fetch_page
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, InvalidInput,
                                    invalid_fields, not_found)
from services.common.identity import Caller, clearance_covers
from services.common.identity import Membership as CallerMembership
from services.common.outbox import add_event
from services.common.validation import Problems
from services.documents import (delegations, domain, idempotency, numbering, outgoing,
                                permissions, schemas)
from services.documents.delegation_entrypoints import delegation_in_force
from services.documents.models import (Delegation, DocumentFile, IncomingDocument, Membership,
                                       OutgoingDocument, OutgoingVersion, Register, Unit, User,
                                       outbox)

# The fields a version snapshots (everything a reviewer or signer looked at).
SNAPSHOT_FIELDS = ("document_type", "normative", "subject", "language", "page_amount",
                   "description", "signer_position", "signer_full_name", "recipients",
                   "urgency", "confidentiality", "issued_amount", "due_date", "keeper")


def _snapshot(doc: OutgoingDocument) -> dict:
    out = {name: getattr(doc, name) for name in SNAPSHOT_FIELDS}
    out["due_date"] = doc.due_date.isoformat() if doc.due_date else None
    return out


def _refuse_secret_files(confidentiality: str, file_ids: list) -> None:
    """Secret documents are metadata only: no file is accepted (DOMAIN.md §1.9)."""
    if file_ids and confidentiality != "none":
        raise invalid_fields({"file_ids": {
            "vi": "Văn bản mật chỉ được lưu thông tin, không kèm tệp.",
            "en": "A secret document is kept as metadata only, with no file."}})


class OutgoingEntrypoints:

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_outgoing(self, token, payload, idempotency_key=None):
        """Start a draft văn bản đi (ND30 Điều 10) in a unit, as its version 1.

        Args: token; payload {unit_id, document_type, subject, normative?, language?,
        page_amount?, description?, signer?: {position, full_name}, recipients?:
        [{unit_id} | {organ_id?, name}], urgency?, confidentiality?, issued_amount?,
        due_date?, keeper?, file_ids?, note?}.
        Returns: the outgoing document with its versions, state "draft".
        Errors: InvalidInput (400: bad fields, unknown recipient unit, files not stored,
        a secret document with files); Forbidden (403) unless the caller drafts in
        that unit and is cleared for the level; NotFound (404) for an unknown unit;
        Conflict (409) for a unit that no longer exists, or an idempotency key (else the
        request id) already used with another payload; with the same payload, the
        first answer."""
        caller = self.identity.caller(token)
        data = outgoing.parse_draft(payload, self.clock.today(), creating=True)
        if not outgoing.may_edit(caller, data["unit_id"], data["confidentiality"]):
            raise Forbidden("Chỉ người của đơn vị, được phép xem độ mật này, mới soạn "
                            "văn bản đi của đơn vị.",
                            "Only the unit's staff, cleared for this level, may draft its "
                            "outgoing documents.")
        file_ids = data.pop("file_ids", [])
        _refuse_secret_files(data["confidentiality"], file_ids)
        self._check_files(caller, file_ids)
        now = self.clock.now()
        note = data.pop("note")
        request = self._creating_request(caller, "create_outgoing", payload, idempotency_key)
        with self.db.transaction() as session:
            earlier = idempotency.claim(session, request, now)
            if earlier is not None:
                return earlier
            unit = self._active_unit(session, data.pop("unit_id"))
            data["recipients"] = self._resolve_recipients(session, data.get("recipients", []))
            doc = OutgoingDocument(
                id=str(uuid.uuid4()), unit_id=unit.id, organ_id=unit.organ_id,
                organ_name=unit.name, file_ids=file_ids, version=1, state=outgoing.DRAFT,
                drafted_by=caller.user_id, created_at=now, updated_at=now, **data)
            session.add(doc)
            session.flush()
            session.add(OutgoingVersion(document_id=doc.id, number=1, file_ids=file_ids,
                                        fields=_snapshot(doc), note=note,
                                        created_by=caller.user_id, created_at=now))
            session.add_all(DocumentFile(document_id=doc.id, file_id=f) for f in file_ids)
            session.flush()
            result = self._outgoing_out(session, doc, caller)
            self._audit(session, "create", "outgoing_document", doc.id, caller.user_id,
                        {"after": _snapshot(doc) | {"file_ids": file_ids}})
            idempotency.record(session, request, result)
        return result

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def add_outgoing_version(self, token, document_id, payload):
        """Save a new version of a draft that is being drafted or was returned: the fields
        given change (the others are kept), ``file_ids`` replaces the files, ``note``
        says what changed. Earlier versions stay as they were.
        Returns: the document with all its versions.
        Errors: InvalidInput; Forbidden; NotFound; Conflict (409) unless the draft is in
        "draft" or "returned" (after approval a change needs the signer again, Điều 11)."""
        caller = self.identity.caller(token)
        data = outgoing.parse_draft(payload, self.clock.today(), creating=False)
        note = data.pop("note")
        file_ids = data.pop("file_ids", None)
        if file_ids:
            self._check_files(caller, file_ids)
        now = self.clock.now()
        with self.db.transaction() as session:
            doc = self._visible_outgoing(session, caller, document_id, lock=True)
            level = data.get("confidentiality") or doc.confidentiality
            if not (outgoing.may_edit(caller, doc.unit_id, doc.confidentiality)
                    and outgoing.may_edit(caller, doc.unit_id, level)):
                raise Forbidden("Bạn không được sửa dự thảo này.", "You may not edit this draft.")
            if doc.state not in outgoing.EDITABLE:
                raise self._wrong_state(doc, "sửa dự thảo", "edit the draft")
            files = doc.file_ids if file_ids is None else file_ids
            _refuse_secret_files(level, files)
            if "recipients" in data:
                data["recipients"] = self._resolve_recipients(session, data["recipients"])
            before = _snapshot(doc) | {"file_ids": list(doc.file_ids or [])}
            for name, value in data.items():
                setattr(doc, name, value)
            doc.file_ids, doc.version, doc.updated_at = files, doc.version + 1, now
            session.add(OutgoingVersion(document_id=doc.id, number=doc.version, file_ids=files,
                                        fields=_snapshot(doc), note=note,
                                        created_by=caller.user_id, created_at=now))
            known = set(session.execute(select(DocumentFile.file_id).where(
                DocumentFile.document_id == doc.id)).scalars())
            session.add_all(DocumentFile(document_id=doc.id, file_id=f)
                            for f in files if f not in known)
            session.flush()
            after = _snapshot(doc) | {"file_ids": files}
            self._audit(session, "new_version", "outgoing_document", doc.id, caller.user_id, {
                "version": doc.version, "note": note,
                "before": {k: v for k, v in before.items() if after[k] != v},
                "after": {k: v for k, v in after.items() if before[k] != v}})
            return self._outgoing_out(session, doc, caller)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_outgoing(self, token, document_id):
        """One outgoing document with its versions, oldest first, and ``allowed_actions``:
        what the caller may do with it now (permissions.outgoing_actions: the steps of
        outgoing.STEPS by role, clearance, state and delegations in force, and "edit").
        Create, new version, list items and every step answer with it too. Every view
        is audited. Errors: NotFound; Forbidden (the attempt is audited)."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            doc = session.get(OutgoingDocument, document_id) \
                if isinstance(document_id, str) else None
            if doc is None:
                raise not_found("văn bản", "Document", document_id)
            allowed = self._may_view(session, caller, doc)
            self._audit(session, "view" if allowed else "view_denied", "outgoing_document",
                        doc.id, caller.user_id, {})
            result = self._outgoing_out(session, doc, caller) if allowed else None
        if result is None:
            raise Forbidden("Bạn không có quyền xem văn bản này.",
                            "You may not see this document.")
        return result

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_outgoing(self, token, params=None):
        """Outgoing documents of the caller's units, most recently changed first.

        params: {unit_id, state, from, to (the issue date, or the creation date of a
        document not yet numbered), page, page_size}. Secret documents are listed only
        to users cleared for their level. Returns a page; each item carries the caller's
        ``allowed_actions`` (as get_outgoing). Errors: InvalidInput;
        Forbidden for a unit the caller does not belong to."""
        caller = self.identity.caller(token)
        query, units, page, page_size = self._unit_listing(
            caller, params, OutgoingDocument, outgoing.STATES, self._outgoing_on_days)
        with self.db.read() as session:
            total, docs = fetch_page(session, query.order_by(
                OutgoingDocument.updated_at.desc(), OutgoingDocument.id), page, page_size)
            docs = docs.scalars().all()
            names = dict(session.execute(
                select(Unit.id, Unit.name).where(Unit.id.in_(units))).all())
            held = self.delegations_held(session, caller, self.clock.today())
            items = [schemas.outgoing_out(d, names.get(d.unit_id))
                     | {"allowed_actions": self._allowed_on_outgoing(caller, d, held)}
                     for d in docs]
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    @staticmethod
    def _outgoing_on_days(first, last) -> list:
        """An outgoing document's day for a listing: its issue date once numbered, else
        the Vietnamese day it was created on."""
        issued, created = OutgoingDocument.issued_date, OutgoingDocument.created_at
        conditions = []
        if first:
            conditions.append(or_(issued >= first,
                                  and_(issued.is_(None), created >= day_start(first))))
        if last:
            conditions.append(or_(issued <= last, and_(issued.is_(None), created < day_start(
                last + timedelta(days=1)))))
        return conditions

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
        their own register) · recall {reason} (thu hồi) · cancel {reason} (hủy dự thảo).
        Every step may carry a ``comment``. Who may take which step: outgoing.STEPS.

        Returns: the document, with the caller's allowed_actions after the step (for a
        step workflow takes for a person, that person's). Errors: InvalidInput (unknown
        action, bad body, a công văn without a field code, a submission not relayed by
        workflow); Forbidden; NotFound; Conflict (a step not allowed from the current
        state, a draft that lacks recipients or a signer, a số and ký hiệu already used
        this year, a recipient unit that no longer exists, a submission whose chain is
        not the draft's unit's and type's, or names approvers not cleared for it).
        Events: outgoing_submitted (submit); document_issued and one
        document_registered per internal recipient (issue); document_recalled (recall)."""
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
            raise Forbidden(f"Bạn không có quyền {outgoing.ACTION_NAMES[action]} văn bản này.",
                            f"You may not {action.replace('_', ' ')} this document.")
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
        if not permissions.step_open(action, doc.state):
            raise self._wrong_state(doc, outgoing.ACTION_NAMES[action], action.replace("_", " "))
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
        missing = outgoing.problems_before(action, {
            "recipients": doc.recipients, "signer_full_name": doc.signer_full_name,
            "signer_position": doc.signer_position})
        if missing:
            raise Conflict("Văn bản chưa đủ thông tin cho bước này.",
                           "The document lacks what this step needs.", missing)
        if action == "number":
            self._number(session, doc, body)
            details |= {"code_number": doc.code_number, "code_notation": doc.code_notation,
                        "register_id": doc.register_id}
        elif action == "issue":
            details["recipients"] = self._issue(session, caller, doc, now)
        elif action == "recall":
            self._recall_deliveries(session, caller, doc, body["reason"])
        doc.state, doc.updated_at = step.target, now
        if step.reason_required:
            doc.state_reason = body["reason"]
        details |= {name: body[name] for name in ("reason", "comment") if body.get(name)}
        self._audit(session, action, "outgoing_document", doc.id, caller.user_id, details)
        session.flush()
        result = self._outgoing_out(session, doc)
        if action == "issue":   # with who may see it, for search
            add_event(session, outbox, events.DOCUMENT_ISSUED,
                      self._search_view(session, doc, result))
        elif action == "submit":
            add_event(session, outbox, events.OUTGOING_SUBMITTED, {
                k: result[k] for k in ("id", "unit_id", "document_type", "subject", "urgency",
                                       "confidentiality", "version", "drafted_by")}
                | {"submitted_by": caller.user_id,
                   "approval_steps": chain["steps"] if chain else []})
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
        the document records for whom it was signed. The digital signature itself is
        applied by the signing component (later)."""
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
        stored = []
        for entry in recipients:
            if entry["delivery"] == outgoing.INTERNAL:
                incoming = self._deliver_internally(session, caller, doc, units[entry["unit_id"]],
                                                    leaders_by_unit.get(entry["unit_id"], []),
                                                    now)
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
            to_places=None, file_ids=list(doc.file_ids or []),
            state=domain.STATE_REGISTERED, registered_by=caller.user_id, created_at=now)
        session.add(incoming)
        session.flush()
        session.add_all(DocumentFile(document_id=incoming.id, file_id=f)
                        for f in incoming.file_ids)
        result = schemas.incoming_out(incoming, unit.name)
        self._audit(session, "register", "incoming_document", incoming.id, caller.user_id,
                    {"after": result, "from_outgoing": doc.id})
        add_event(session, outbox, events.DOCUMENT_REGISTERED, schemas.registered_event(
            result, domain.leaders_of(memberships, doc.confidentiality),
            from_outgoing_id=doc.id))
        return incoming

    def _recall_deliveries(self, session, caller, doc, reason):
        """On recall the copies delivered internally are withdrawn too (ND30 Điều 18.4;
        Phụ lục VI §III.8): marked recalled, kept with the recall's metadata."""
        ids = [r["incoming_id"] for r in doc.recipients or [] if r.get("incoming_id")]
        for incoming in session.execute(select(IncomingDocument).where(
                IncomingDocument.id.in_(ids))).scalars() if ids else []:
            incoming.state = domain.STATE_RECALLED
            self._audit(session, "recall", "incoming_document", incoming.id, caller.user_id,
                        {"reason": reason, "from_outgoing": doc.id})
            self._tell_search(session, incoming)

    # ---------------------------------------------------------------- helpers

    def _visible_outgoing(self, session, caller, document_id, lock=False):
        query = select(OutgoingDocument).where(OutgoingDocument.id == document_id)
        if lock and session.bind.dialect.name == "postgresql":
            query = query.with_for_update()
        doc = session.execute(query).scalar_one_or_none() \
            if isinstance(document_id, str) else None
        if doc is None:
            raise not_found("văn bản", "Document", document_id)
        if not self._may_view(session, caller, doc):
            raise Forbidden("Bạn không có quyền xem văn bản này.",
                            "You may not see this document.")
        return doc

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

    def _active_unit(self, session, unit_id):
        unit = session.get(Unit, unit_id)
        if unit is None:
            raise not_found("đơn vị", "Unit", unit_id)
        if unit.valid_to is not None and unit.valid_to < self.clock.today():
            raise Conflict(f"Đơn vị {unit.name} đã ngừng hoạt động từ {unit.valid_to}.",
                           f"Unit {unit.name} closed on {unit.valid_to}.")
        return unit

    @staticmethod
    def _resolve_recipients(session, recipients: list[dict]) -> list[dict]:
        """Internal recipients must be units of the directory; their names come from it."""
        ids = [r["unit_id"] for r in recipients if r.get("unit_id")]
        units = {u.id: u for u in session.execute(
            select(Unit).where(Unit.id.in_(ids))).scalars()} if ids else {}
        problems = Problems()
        out = []
        for index, entry in enumerate(recipients):
            if entry.get("unit_id"):
                unit = units.get(entry["unit_id"])
                if unit is None:
                    problems.add(f"recipients[{index}].unit_id", "Không có đơn vị này.",
                                 "No such unit.")
                    continue
                entry = entry | {"organ_id": unit.organ_id, "name": unit.name}
            out.append(entry)
        problems.raise_if_any()
        return out

    def _outgoing_out(self, session, doc, caller=None):
        """The document with its versions; with ``allowed_actions`` when it goes to
        ``caller`` (not in the events, which are the document's alone)."""
        versions = session.execute(select(OutgoingVersion).where(
            OutgoingVersion.document_id == doc.id).order_by(OutgoingVersion.number)).scalars()
        unit = session.get(Unit, doc.unit_id)
        out = schemas.outgoing_out(doc, unit.name if unit else None, list(versions))
        if caller is not None:
            out["allowed_actions"] = self._allowed_on_outgoing(
                caller, doc, self.delegations_held(session, caller, self.clock.today()))
        return out

    def _allowed_on_outgoing(self, caller, doc, held=()) -> list[str]:
        """permissions.outgoing_actions for the caller, with the delegations ``held``
        (delegations_held) that cover the document's unit and type."""
        return permissions.outgoing_actions(
            caller, state=doc.state, unit_id=doc.unit_id,
            confidentiality=doc.confidentiality, in_approval_chain=doc.in_approval_chain,
            delegated=delegations.actions_held(held, doc.unit_id, doc.document_type,
                                               self.clock.today()))

    @staticmethod
    def _wrong_state(doc, action_vi, action_en):
        name_vi, name_en = outgoing.STATE_NAMES[doc.state]
        return Conflict(f"Không thể {action_vi} khi văn bản đang ở trạng thái \"{name_vi}\".",
                        f"Cannot {action_en} a document that is \"{name_en}\".",
                        {"state": {"vi": name_vi, "en": name_en}})
