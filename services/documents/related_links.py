"""The documents service's side of replacement (thay thế) and correction (đính chính,
DOMAIN.md §2.8; the rules in related.py): checking the earlier document a draft or a
registration names, linking the new document to it on issue or registration, marking a
replaced one, and naming it to the exchange (its số, ký hiệu, date and organ make its
edXML DocumentId).

Mixed into DocumentsService (through OutgoingEntrypoints); needs from the host: _may_view,
_audit (service.py) and _tell_search (search_feed)."""
from __future__ import annotations

from sqlalchemy import select

from services.common.errors import Conflict, invalid_fields
from services.documents import outgoing, related
from services.documents.models import IncomingDocument, OutgoingDocument


class RelatedLinks:

    def _checked_related(self, session, caller, rel: dict | None, *, unit_id: str,
                         confidentiality: str, model):
        """The earlier document ``rel`` ({kind, id}) names, if a document of ``unit_id`` at
        ``confidentiality`` may name it (related.refusal); None without a relation.
        Errors: InvalidInput (400) naming ``related.id``."""
        if rel is None:
            return None
        old = session.get(model, rel["id"])
        visible = old is not None and self._may_view(session, caller, old)
        reason = related.refusal(
            old, unit_id=unit_id, confidentiality=confidentiality, visible=visible,
            issued_state=outgoing.ISSUED if model is OutgoingDocument else None)
        if reason:
            raise invalid_fields(related.problem_of(reason))
        return old

    def _related_on_issue(self, session, caller, doc) -> dict:
        """On issue of a draft that replaces or corrects an issued document: the earlier
        one is checked again (it may have been recalled or replaced since), and a replaced
        one marked (bị thay thế), audited. Returns, per internal unit the earlier one was
        delivered to, that unit's incoming copy of it (linked by _link_copy).
        Errors: Conflict (409) when the earlier one may no longer be named."""
        if not doc.related_kind:
            return {}
        query = select(OutgoingDocument).where(OutgoingDocument.id == doc.related_id)
        if session.bind.dialect.name == "postgresql":
            query = query.with_for_update()
        old = session.execute(query).scalar_one_or_none()
        reason = related.refusal(old, unit_id=doc.unit_id,
                                 confidentiality=doc.confidentiality, visible=True,
                                 issued_state=outgoing.ISSUED)
        if reason:
            raise Conflict(*reason, related.problem_of(reason))
        if doc.related_kind == related.REPLACES:
            old.replaced_by_id = doc.id
            self._audit(session, "replaced", "outgoing_document", old.id, caller.user_id,
                        {"replaced_by_id": doc.id})
            self._tell_search(session, old)
        self._audit(session, doc.related_kind, "outgoing_document", doc.id, caller.user_id,
                    {"related_id": old.id})
        by_unit = {r["unit_id"]: r["incoming_id"] for r in old.recipients or []
                   if r.get("unit_id") and r.get("incoming_id")}
        copies = {c.id: c for c in session.execute(select(IncomingDocument).where(
            IncomingDocument.id.in_(list(by_unit.values())))).scalars()} if by_unit else {}
        return {unit_id: copies[i] for unit_id, i in by_unit.items() if i in copies}

    def _link_copy(self, session, caller, kind: str | None, old, new) -> None:
        """The new incoming document ``new`` replaces or corrects ``old`` (an incoming
        document of the same unit); a replaced one is marked. Both are audited; search
        hears of the old one's change."""
        if not kind or old is None:
            return
        new.related_kind, new.related_id = kind, old.id
        self._audit(session, kind, "incoming_document", new.id, caller.user_id,
                    {"related_id": old.id})
        if kind == related.REPLACES and old.replaced_by_id is None:
            old.replaced_by_id = new.id
            self._audit(session, "replaced", "incoming_document", old.id, caller.user_id,
                        {"replaced_by_id": new.id})
            self._tell_search(session, old)

    @staticmethod
    def _related_identity(session, doc) -> dict | None:
        """What the exchange needs to name the earlier document in edXML (its DocumentId:
        organ, date, số/ký hiệu): ``{kind, id, code_number, code_notation, issued_date,
        organ_id}``, or None."""
        if not doc.related_kind:
            return None
        old = session.get(OutgoingDocument, doc.related_id)
        return {"kind": doc.related_kind, "id": doc.related_id,
                "code_number": old.code_number, "code_notation": old.code_notation,
                "issued_date": old.issued_date.isoformat() if old.issued_date else None,
                "organ_id": old.organ_id}
