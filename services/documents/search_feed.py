"""What the documents service tells search: each document as search indexes it, with
the inputs of the permission rule (who is named on it), announced in document_updated
events and read in pages by search's reindex (search_views).

Mixed into DocumentsService; needs from the host: db and identity."""
from __future__ import annotations

from sqlalchemy import bindparam, func, select

from services.common import events
from services.common.clock import VietnamClock
from services.common.errors import EXPECTED_ERRORS, Forbidden
from services.common.outbox import add_event
from services.common.rpc import rpc
from services.common.validation import Problems
from services.documents import outgoing, schemas
from services.documents.models import (DocumentAccess, Dossier, DossierDocument,
                                       IncomingDocument, OutgoingDocument, Unit, outbox)

SEARCHABLE_OUTGOING = (outgoing.ISSUED, outgoing.RECALLED)   # drafts are never indexed
#: never frozen: search compares as_of with the events' times, which are real (events.py)
REAL_TIME = VietnamClock()

# _search_views' queries, built once: every workflow event that moves a document runs them
# (building and keying them cost more than running them)
_PRINCIPALS = select(DocumentAccess.document_id, DocumentAccess.principal).where(
    DocumentAccess.document_id.in_(bindparam("ids", expanding=True)))
_DOSSIER_OWNERS = select(DossierDocument.document_id, Dossier.creator_id).join(
    Dossier, Dossier.id == DossierDocument.dossier_id).where(
    DossierDocument.document_id.in_(bindparam("ids", expanding=True)))
_UNIT_NAMES = select(Unit.id, Unit.name).where(Unit.id.in_(bindparam("ids", expanding=True)))


class SearchFeedEntrypoints:

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
        for document_id, principal in session.execute(_PRINCIPALS, {"ids": ids}):
            principals[document_id].append(principal)
        owners: dict[str, set[str]] = {doc_id: set() for doc_id in ids}
        for document_id, creator in session.execute(_DOSSIER_OWNERS, {"ids": ids}):
            owners[document_id].add(creator)
        unit_names = dict(session.execute(_UNIT_NAMES, {"ids": sorted(
            {doc.unit_id for doc in docs})}).all()) if docs else {}
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

    def _tell_search(self, session, doc) -> None:
        """document_updated: the document as search should now index it (its state or
        who may see it changed). Search keeps the newest by the event's time. An
        outgoing document is searchable once issued: drafts are not announced."""
        if isinstance(doc, OutgoingDocument) and doc.state not in SEARCHABLE_OUTGOING:
            return
        session.flush()
        add_event(session, outbox, events.DOCUMENT_UPDATED, self._search_view(session, doc))
