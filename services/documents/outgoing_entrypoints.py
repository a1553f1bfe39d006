"""The documents service's entrypoints for outgoing drafts (văn bản đi): starting one,
its versions, reading and listing them with what the caller may do (allowed_actions);
the steps from submission to issue and recall are in outgoing_steps.

Mixed into DocumentsService; needs from the host: db, identity, clock, _audit,
_creating_request, _may_view, _unit_listing (service.py), _check_files
(file_entrypoints) and delegations_held (delegation_entrypoints)."""
from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import and_, or_, select

from services.common import vocabulary
from services.common.clock import day_start
from services.common.db import fetch_page
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, invalid_fields, not_found)
from services.common.rpc import rpc
from services.common.validation import Problems
from services.documents import (delegations, idempotency, outgoing,
                                permissions, schemas)
from services.documents.models import (DocumentFile, OutgoingDocument, OutgoingVersion, Unit)
from services.documents.related_links import RelatedLinks

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


class OutgoingEntrypoints(RelatedLinks):

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_outgoing(self, token, payload, idempotency_key=None):
        """Start a draft văn bản đi (ND30 Điều 10) in a unit, as its version 1.

        Args: token; payload {unit_id, document_type, subject, normative?, language?,
        page_amount?, description?, signer?: {position, full_name}, recipients?:
        [{unit_id} | {organ_id?, name}], urgency?, confidentiality?, issued_amount?,
        due_date?, keeper?, file_ids?, note?, related?: {kind: replaces | corrects, id}
        (the draft replaces or corrects an issued document of the unit: related.py)}.
        Returns: the outgoing document with its versions, state "draft".
        Errors: InvalidInput (400: bad fields, unknown recipient unit, files not stored,
        a secret document with files, a related document the draft may not name: not
        issued, another unit's, recalled, replaced already, more secret than the draft,
        or one the caller may not see); Forbidden (403) unless the caller drafts in
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
        rel = data.pop("related", None)
        request = self._creating_request(caller, "create_outgoing", payload, idempotency_key)
        with self.db.transaction() as session:
            earlier = idempotency.claim(session, request, now)
            if earlier is not None:
                return earlier
            unit = self._active_unit(session, data.pop("unit_id"))
            data["recipients"] = self._resolve_recipients(session, data.get("recipients", []))
            self._checked_related(session, caller, rel, unit_id=unit.id,
                                  confidentiality=data["confidentiality"],
                                  model=OutgoingDocument)
            doc = OutgoingDocument(
                id=str(uuid.uuid4()), unit_id=unit.id, organ_id=unit.organ_id,
                organ_name=unit.name, file_ids=file_ids, version=1, state=outgoing.DRAFT,
                drafted_by=caller.user_id, created_at=now, updated_at=now,
                related_kind=rel and rel["kind"], related_id=rel and rel["id"], **data)
            session.add(doc)
            session.flush()
            session.add(OutgoingVersion(document_id=doc.id, number=1, file_ids=file_ids,
                                        fields=_snapshot(doc), note=note,
                                        created_by=caller.user_id, created_at=now))
            session.add_all(DocumentFile(document_id=doc.id, file_id=f) for f in file_ids)
            session.flush()
            result = self._outgoing_out(session, doc, caller)
            self._audit(session, "create", "outgoing_document", doc.id, caller.user_id,
                        {"after": _snapshot(doc) | {"file_ids": file_ids}
                         | ({"related": rel} if rel else {})})
            idempotency.record(session, request, result)
        return result

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def add_outgoing_version(self, token, document_id, payload):
        """Save a new version of a draft that is being drafted or was returned: the fields
        given change (the others are kept), ``file_ids`` replaces the files, ``note``
        says what changed, ``related`` ({kind, id} or null) changes or removes what it
        replaces or corrects. Earlier versions stay as they were.
        Returns: the document with all its versions.
        Errors: InvalidInput (as create_outgoing; the relation is checked again against
        the draft's level); Forbidden; NotFound; Conflict (409) unless the draft is in
        "draft" or "returned" (after approval a change needs the signer again, Điều 11)."""
        caller = self.identity.caller(token)
        data = outgoing.parse_draft(payload, self.clock.today(), creating=False)
        note = data.pop("note")
        file_ids = data.pop("file_ids", None)
        relating = "related" in data
        rel = data.pop("related", None)
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
            related_before = schemas.related_out(doc)
            if relating:
                doc.related_kind, doc.related_id = rel and rel["kind"], rel and rel["id"]
            self._checked_related(session, caller, schemas.related_out(doc),
                                  unit_id=doc.unit_id, confidentiality=level,
                                  model=OutgoingDocument)
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
            changed = {"related": {"before": related_before, "after": rel}} \
                if relating and related_before != rel else {}
            self._audit(session, "new_version", "outgoing_document", doc.id, caller.user_id, {
                "version": doc.version, "note": note,
                "before": {k: v for k, v in before.items() if after[k] != v},
                "after": {k: v for k, v in after.items() if before[k] != v}} | changed)
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
            doc = self._viewed(session, caller, OutgoingDocument, document_id)
            result = self._outgoing_out(session, doc, caller) if doc else None
        return self._shown(result)

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
            caller, params, OutgoingDocument, vocabulary.OUTGOING_STATES, self._outgoing_on_days)
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
                                               self.clock.today()),
            digitally_signed=doc.signed_file_id is not None)

    @staticmethod
    def _wrong_state(doc, action_vi, action_en):
        name_vi, name_en = vocabulary.OUTGOING_STATE_NAMES[doc.state]
        return Conflict(f"Không thể {action_vi} khi văn bản đang ở trạng thái \"{name_vi}\".",
                        f"Cannot {action_en} a document that is \"{name_en}\".",
                        {"state": {"vi": name_vi, "en": name_en}})
