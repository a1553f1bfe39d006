"""The documents service's entrypoints for copies (bản sao): a văn thư copies a document
the unit may see, and the copy is numbered in the unit's copy register. Mixed into
DocumentsService, whose providers and helpers these use."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.common.db import fetch_page
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, invalid_fields)
from services.common.identity import CLERK
from services.common.rpc import rpc
from services.common.validation import Problems, page_params
from services.documents import copies, domain, idempotency, numbering, schemas
from services.documents.models import (DocumentCopy, DocumentFile, IncomingDocument,
                                       OutgoingDocument, Unit)


class CopyEntrypoints:

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_copy(self, token, payload, idempotency_key=None):
        """Make a bản sao of a document: payload as copies.parse_copy. The copy takes the
        next number of the unit's copy register of the year (one series for SY, SL, TS)
        and the ký hiệu "<form>-<unit abbreviation>".

        Returns: the copy, with a summary of its source. Errors: InvalidInput (bad
        fields, files not stored, a file on a secret copy, an outgoing document not yet
        numbered); Forbidden unless a văn thư of the unit who may see the source;
        NotFound (source or unit); Conflict (a recalled document, or an idempotency key
        (else the request id) already used with another payload; with the same payload,
        the first answer; sign_digitally: the first file is not a stored PDF, the unit has
        no organisation certificate valid now). With sign_digitally the copy's PDF is the
        unit's signed one (signing_steps.sign_copy). Every copy is audited."""
        caller = self.identity.caller(token)
        data = copies.parse_copy(payload)
        if not caller.has_role(data["unit_id"], CLERK):
            raise Forbidden("Chỉ văn thư của đơn vị được sao văn bản.",
                            "Only a clerk of the unit may copy documents.")
        self._check_files(caller, data["file_ids"])
        now, today = self.clock.now(), self.clock.today()
        request = self._creating_request(caller, "create_copy", payload, idempotency_key)
        with self.db.transaction() as session:
            unit = self._active_unit(session, data["unit_id"])
            source = self._find_document(session, data["document_id"])
            if not self._may_view(session, caller, source):
                raise Forbidden("Bạn không có quyền xem văn bản cần sao.",
                                "You may not see the document to copy.")
            earlier = idempotency.claim(session, request, now)
            if earlier is not None:
                return earlier
            if source.state == domain.STATE_RECALLED:   # same word in both directions
                raise Conflict("Văn bản đã bị thu hồi, không sao được.",
                               "The document was recalled; it cannot be copied.")
            if isinstance(source, OutgoingDocument) and source.code_number is None:
                raise invalid_fields({"document_id": {
                    "vi": "Chỉ sao văn bản đi đã cấp số.",
                    "en": "Only a numbered outgoing document can be copied."}})
            if data["file_ids"] and source.confidentiality != "none":
                raise invalid_fields({"file_ids": {
                    "vi": "Bản sao văn bản mật chỉ được lưu thông tin, không kèm tệp.",
                    "en": "A copy of a secret document is metadata only, with no file."}})
            code_notation = copies.notation(data["form"], unit.abbreviation)
            if code_notation is None:
                raise invalid_fields({"unit_id": {
                    "vi": "Đơn vị chưa có chữ viết tắt để ghi ký hiệu bản sao.",
                    "en": "The unit has no abbreviation for the copy's notation."}})
            register = numbering.ensure_register(session, unit.id, copies.COPY, today.year)
            number = numbering.next_number(session, register)
            if data["sign_digitally"]:   # bản sao điện tử: the unit's signature, copy form
                data["file_ids"] = [self._signed_copy(caller, unit, data), *data["file_ids"][1:]]
            copy = DocumentCopy(
                id=str(uuid.uuid4()), unit_id=unit.id, source_id=source.id,
                source_direction=self._direction_of(source), form=data["form"],
                register_id=register.id, year=register.year, number=number,
                code_number=domain.format_code_number(str(number)),
                code_notation=code_notation, copied_date=today,
                excerpt=data["excerpt"], to_places=data["to_places"],
                signer_position=data["signer_position"],
                signer_full_name=data["signer_full_name"], page_amount=data["page_amount"],
                description=data["description"], confidentiality=source.confidentiality,
                file_ids=data["file_ids"], created_by=caller.user_id, created_at=now)
            session.add(copy)
            session.flush()
            session.add_all(DocumentFile(document_id=copy.id, file_id=f) for f in copy.file_ids)
            result = copies.copy_out(copy, self._source_summary(session, caller, source),
                                     unit.name)
            self._audit(session, "copy", "document_copy", copy.id, caller.user_id,
                        {"after": {k: v for k, v in result.items() if k != "source"}})
            self._audit(session, "copied", self._object_type_of(source), source.id,
                        caller.user_id, {"copy_id": copy.id, "form": copy.form,
                                         "code": f"{copy.code_number}/{copy.code_notation}"})
            idempotency.record(session, request, result)
        return result

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_copy(self, token, copy_id):
        """One copy. Errors: NotFound; Forbidden (the attempt is audited)."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            copy = self._viewed(session, caller, DocumentCopy, copy_id)
            result = None
            if copy is not None:
                source = self._find_document(session, copy.source_id)
                unit = session.get(Unit, copy.unit_id)
                result = copies.copy_out(copy, self._source_summary(session, caller, source),
                                         unit.name if unit else None)
        return self._shown(result, Forbidden("Bạn không có quyền xem bản sao này.",
                                             "You may not see this copy."))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_copies(self, token, params=None):
        """Copies made by the caller's units, newest first: params {unit_id, document_id
        (copies of one document), page, page_size}. Returns a page."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"unit_id", "document_id", "page", "page_size"})
        page, page_size = page_params(problems, params)
        unit_id = problems.text(params, "unit_id", max_length=36)
        document_id = problems.text(params, "document_id", max_length=36)
        problems.raise_if_any()
        query, units = self._of_units(caller, unit_id, DocumentCopy)
        if document_id:
            query = query.where(DocumentCopy.source_id == document_id)
        with self.db.read() as session:
            total, rows = fetch_page(session, query.order_by(
                DocumentCopy.created_at.desc(), DocumentCopy.id), page, page_size)
            rows = rows.scalars().all()
            names = dict(session.execute(
                select(Unit.id, Unit.name).where(Unit.id.in_(units))).all())
            ids = {copy.source_id for copy in rows}
            sources = {doc.id: doc for model in (IncomingDocument, OutgoingDocument)
                       for doc in session.execute(select(model).where(model.id.in_(ids)))
                       .scalars()}
            items = [copies.copy_out(copy, self._source_summary(
                session, caller, sources[copy.source_id]), names.get(copy.unit_id))
                for copy in rows]
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    def _source_summary(self, session, caller, source):
        if not self._may_view(session, caller, source):
            return None
        render = schemas.outgoing_out if isinstance(source, OutgoingDocument) \
            else schemas.incoming_out
        return copies.source_summary(render(source))

    def _object_type_of(self, doc) -> str:
        return f"{self._direction_of(doc)}_document"
