"""The documents service's entrypoints for dossiers (hồ sơ): a unit's yearly list, filing
documents of either direction by reference, closing, export. Mixed into
DocumentsService, whose providers and helpers these use."""
from __future__ import annotations

import base64
import uuid
from types import SimpleNamespace

from eventlet import tpool

from sqlalchemy import select

from services.common import tables
from services.common.db import fetch_page
from services.common.errors import EXPECTED_ERRORS, Conflict, Forbidden, not_found
from services.common.rpc import rpc
from services.common.validation import Problems, page_params
from services.documents import dossiers, outgoing, schemas
from services.documents.models import (Dossier, DossierDocument, IncomingDocument,
                                       OutgoingDocument, Unit, User)




class DossierEntrypoints:

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_dossier(self, token, payload):
        """Open a hồ sơ in a unit's danh mục of a year: {unit_id, year, notation, title,
        maintenance ("permanent" | years), rights?, language?, description?}. Any role in
        the unit may open one (whoever handles a matter opens its hồ sơ, ND30 Điều 4.2.đ).
        Returns the dossier with its file_code. Errors: Forbidden, InvalidInput,
        Conflict (the notation is taken in that unit and year)."""
        caller = self.identity.caller(token)
        data = dossiers.parse_dossier(payload)
        if not caller.is_member(data["unit_id"]):
            raise self._forbidden_unit()
        with self.db.transaction() as session:
            unit = session.get(Unit, data["unit_id"])
            if unit is None:
                raise not_found("đơn vị", "Unit", data["unit_id"])
            if session.execute(select(Dossier.id).where(
                    Dossier.unit_id == unit.id, Dossier.year == data["year"],
                    Dossier.notation == data["notation"])).first():
                raise Conflict("Đơn vị đã có hồ sơ số, ký hiệu này trong năm.",
                               "The unit already has a dossier with this notation this year.")
            dossier = Dossier(id=str(uuid.uuid4()), organ_id=unit.organ_id or unit.id[:35],
                              creator_id=caller.user_id, creator_name=caller.full_name[:100],
                              state=dossiers.OPEN, opened_at=self.clock.now(),
                              **data)
            session.add(dossier)
            session.flush()
            result = self._dossier_out(session, dossier)
            self._audit(session, "create", "dossier", dossier.id, caller.user_id,
                        {"after": {k: v for k, v in result.items() if k != "documents"}})
        return result

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_dossiers(self, token, params=None):
        """The danh mục hồ sơ of the caller's units: params {unit_id, year, state, page,
        page_size}. Returns a page of dossiers (without their documents)."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"unit_id", "year", "state", "page", "page_size"})
        page, page_size = page_params(problems, params)
        unit_id = problems.text(params, "unit_id", max_length=36)
        year = problems.integer(params, "year", minimum=1945, maximum=2100)
        state = problems.choice(params, "state", (dossiers.OPEN, dossiers.CLOSED))
        problems.raise_if_any()
        if unit_id and not caller.is_member(unit_id):
            raise self._forbidden_unit()
        query = select(Dossier).where(Dossier.unit_id.in_([unit_id] if unit_id
                                                          else sorted(caller.unit_ids)))
        if year:
            query = query.where(Dossier.year == year)
        if state:
            query = query.where(Dossier.state == state)
        with self.db.read() as session:
            total, rows = fetch_page(session, query.order_by(Dossier.year.desc(),
                                                             Dossier.notation), page, page_size)
            rows = rows.scalars().all()
            filed = self._filed_documents(session, [d.id for d in rows])
            items = [self._dossier_out(session, d, with_documents=False,
                                       filed_documents=filed.get(d.id, [])) for d in rows]
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_dossier(self, token, dossier_id):
        """A dossier with its documents in order. Errors: NotFound, Forbidden."""
        caller = self.identity.caller(token)
        with self.db.read() as session:
            dossier = self._visible_dossier(session, caller, dossier_id)
            return self._dossier_out(session, dossier, caller=caller)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def add_to_dossier(self, token, dossier_id, document_id):
        """File a document in an open dossier (a reference, not a copy: one document may
        be in several dossiers). Returns the dossier. Errors: NotFound, Forbidden (the
        dossier's unit, or a document the caller may not see), Conflict (closed, or
        already filed, or full)."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            dossier = self._visible_dossier(session, caller, dossier_id)
            self._require_open(dossier)
            doc = self._find_document(session, document_id)
            if not self._may_view(session, caller, doc):
                raise Forbidden("Bạn không có quyền với văn bản này.",
                                "You may not see this document.")
            if isinstance(doc, OutgoingDocument) and doc.state not in outgoing.NUMBERED_STATES:
                raise Conflict("Chỉ đưa vào hồ sơ văn bản đi đã cấp số.",
                               "Only a numbered outgoing document can be filed.")
            filed = session.execute(select(DossierDocument).where(
                DossierDocument.dossier_id == dossier.id)).scalars().all()
            if any(f.document_id == doc.id for f in filed):
                raise Conflict("Văn bản đã có trong hồ sơ.", "The document is already filed here.")
            if len(filed) >= dossiers.MAX_DOCUMENTS:
                raise Conflict("Hồ sơ đã đủ 999 văn bản.", "The dossier holds 999 documents.")
            session.add(DossierDocument(dossier_id=dossier.id, document_id=doc.id,
                                        direction=self._direction_of(doc),
                                        ordinal=max([f.ordinal for f in filed] or [0]) + 1,
                                        added_by=caller.user_id,
                                        added_at=self.clock.now()))
            session.flush()
            self._audit(session, "file", "dossier", dossier.id, caller.user_id,
                        {"document_id": doc.id})
            self._tell_search(session, doc)   # the dossier's owner may see it now
            result = self._dossier_out(session, dossier, caller=caller)
        self.flush_outbox()
        return result

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def remove_from_dossier(self, token, dossier_id, document_id):
        """Take a document out of an open dossier; the others keep their order numbers
        closed up. Returns the dossier. Errors: NotFound, Forbidden, Conflict."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            dossier = self._visible_dossier(session, caller, dossier_id)
            self._require_open(dossier)
            filed = session.execute(select(DossierDocument).where(
                DossierDocument.dossier_id == dossier.id)
                .order_by(DossierDocument.ordinal)).scalars().all()
            target = next((f for f in filed if f.document_id == document_id), None)
            if target is None:
                raise not_found("văn bản trong hồ sơ", "Filed document", document_id)
            session.delete(target)
            session.flush()
            for number, item in enumerate((f for f in filed if f is not target), start=1):
                item.ordinal = number
            self._audit(session, "unfile", "dossier", dossier.id, caller.user_id,
                        {"document_id": document_id})
            return self._dossier_out(session, dossier, caller=caller)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def close_dossier(self, token, dossier_id):
        """Close (kết thúc) a dossier: nothing is added or removed afterwards. Returns it
        with its totals. Errors: NotFound, Forbidden, Conflict (already closed, or
        empty)."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            dossier = self._visible_dossier(session, caller, dossier_id)
            self._require_open(dossier)
            if not session.execute(select(DossierDocument.document_id).where(
                    DossierDocument.dossier_id == dossier.id)).first():
                raise Conflict("Không kết thúc hồ sơ rỗng.", "An empty dossier cannot be closed.")
            dossier.state, dossier.closed_at = dossiers.CLOSED, self.clock.now()
            self._audit(session, "close", "dossier", dossier.id, caller.user_id, {})
            return self._dossier_out(session, dossier, caller=caller)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def export_dossier(self, token, dossier_id, params=None, processing_histories=None):
        """A dossier as XML of the Phụ lục VI fields (format=xml) or as a PDF of its table
        of contents (format=pdf). Returns {filename, content_type, content_base64}.
        Audited as a download. Errors: NotFound, Forbidden, InvalidInput.

        The XML gives each incoming document its TraceHeaderList (ý kiến phân phối, chỉ
        đạo, trạng thái xử lý): its history here and its processing in workflow, which
        the gateway fetches and passes in (this service never calls workflow):
        ``processing_histories`` {document_id: [events of workflow's
        get_processing_history] | None}. None, or a document left out, means workflow's
        part could not be fetched: that list holds this service's part and says so
        (complete false)."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"format"})
        kind = problems.choice(params, "format", ("pdf", "xml"), default="pdf")
        histories = dossiers.parse_histories(problems, processing_histories)
        problems.raise_if_any()
        with self.db.transaction() as session:
            dossier = self._visible_dossier(session, caller, dossier_id)
            data = self._dossier_out(session, dossier, caller=caller)
            self._audit(session, "download", "dossier", dossier.id, caller.user_id,
                        {"format": kind})
        listed = [d for d in data["documents"] if not d.get("withheld")]
        if kind == "xml":
            content = dossiers.to_xml(data, listed, self._traces(
                [d["id"] for d in listed if d["direction"] == "incoming"], histories))
            content_type = "application/xml"
        else:
            subtitle = (f"Mã hồ sơ {data['file_code']} · Thời hạn bảo quản: "
                        f"{data['maintenance']} · {data['doc_total']} văn bản, "
                        f"{data['page_total']} trang")
            content = tpool.execute(tables.to_pdf,
                                    f"MỤC LỤC VĂN BẢN — {data['title']}", subtitle,
                                    dossiers.TOC_COLUMNS, dossiers.toc_rows(listed),
                                    dossiers.TOC_WIDTHS)
            content_type = "application/pdf"
        return {"filename": f"ho-so-{data['file_code']}.{kind}", "content_type": content_type,
                "count": data["doc_total"],
                "content_base64": base64.b64encode(content).decode("ascii")}

    def _traces(self, document_ids, histories) -> dict[str, dict]:
        """Each document's history, oldest first, as {events: [{at, actor_name, action,
        details}], complete}: this service's events and workflow's (``histories``, as
        parsed by dossiers.parse_histories), names resolved."""
        with self.db.read() as session:
            traces = {doc_id: self._history_events(session, self._find_document(session, doc_id))
                      for doc_id in document_ids}
        complete = {doc_id: histories.get(doc_id) is not None for doc_id in document_ids}
        for doc_id in document_ids:
            traces[doc_id] += histories.get(doc_id) or []
        with self.db.read() as session:
            names = dict(session.execute(select(User.id, User.full_name).where(User.id.in_(
                {e["actor_id"] for events in traces.values() for e in events}))).all())
        return {doc_id: {"complete": complete[doc_id], "events": [
            e | {"actor_name": names.get(e["actor_id"], e["actor_id"])}
            for e in sorted(events, key=lambda e: dossiers.as_utc(e["at"]))]}
            for doc_id, events in traces.items()}

    def _visible_dossier(self, session, caller, dossier_id):
        dossier = session.get(Dossier, dossier_id) if isinstance(dossier_id, str) else None
        if dossier is None:
            raise not_found("hồ sơ", "Dossier", dossier_id)
        if not caller.system and not caller.is_member(dossier.unit_id):
            raise Forbidden("Hồ sơ thuộc đơn vị khác.", "The dossier belongs to another unit.")
        return dossier

    @staticmethod
    def _require_open(dossier):
        if dossier.state != dossiers.OPEN:
            raise Conflict("Hồ sơ đã kết thúc.", "The dossier is closed.")

    def _dossier_out(self, session, dossier, with_documents=True, caller=None,
                     filed_documents=None):
        out = {"id": dossier.id, "unit_id": dossier.unit_id, "organ_id": dossier.organ_id,
               "year": dossier.year, "notation": dossier.notation,
               "file_code": dossiers.file_code(dossier.organ_id, dossier.year, dossier.notation),
               "title": dossier.title, "maintenance": dossier.maintenance,
               "rights": dossier.rights, "language": dossier.language,
               "description": dossier.description, "creator_name": dossier.creator_name,
               "state": dossier.state, "opened_at": dossier.opened_at.isoformat(),
               "closed_at": dossier.closed_at.isoformat() if dossier.closed_at else None}
        documents = filed_documents if filed_documents is not None else \
            self._filed_documents(session, [dossier.id]).get(dossier.id, [])
        out |= dossiers.summary(documents)
        if with_documents:
            # A document the caller may not see (the permission rule: its unit, being
            # named on it, a delegation, a dossier they opened — and the clearance for
            # its level) stays listed by its order number only: a member of the
            # dossier's unit does not see through it what was filed from elsewhere.
            out["documents"] = [d if caller is None or self._may_view(
                                    session, caller, SimpleNamespace(
                                        id=d["id"], unit_id=d["unit_id"],
                                        confidentiality=d["confidentiality"]))
                                else {"id": d["id"], "ordinal": d["ordinal"],
                                      "confidentiality": d["confidentiality"], "withheld": True}
                                for d in documents]
        return out

    @staticmethod
    def _filed_documents(session, dossier_ids) -> dict[str, list[dict]]:
        """The documents of several dossiers, each list in its order: two queries (one
        per direction) whatever the number of dossiers."""
        by_dossier: dict[str, list[dict]] = {}
        for model, render in ((IncomingDocument, schemas.incoming_out),
                              (OutgoingDocument, schemas.outgoing_out)):
            for filed, doc in session.execute(select(DossierDocument, model).join(
                    model, model.id == DossierDocument.document_id)
                    .where(DossierDocument.dossier_id.in_(dossier_ids))).all():
                by_dossier.setdefault(filed.dossier_id, []).append(
                    render(doc) | {"ordinal": filed.ordinal})
        for documents in by_dossier.values():
            documents.sort(key=lambda d: d["ordinal"])
        return by_dossier
