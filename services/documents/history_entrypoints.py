"""The documents service's entrypoints for what happened: a document's history here (its
audited changes and steps, its filings in dossiers) and the audit log with its hash
chain, for administrators.

Mixed into DocumentsService; needs from the host: db, identity, _may_view,
_find_document, _direction_of (service.py)."""
from __future__ import annotations

from sqlalchemy import select

from services.common.db import fetch_page
from services.common.errors import EXPECTED_ERRORS, Forbidden
from services.common.rpc import rpc
from services.common.validation import Problems, page_params
from services.documents import administration, audit, dossiers
from services.documents.models import AuditEntry, Dossier, DossierDocument, User


class HistoryEntrypoints:

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_document_history(self, token, document_id):
        """What happened to a document in this service, oldest first: registration and
        every change recorded in the audit log (views, downloads and refusals are left
        to the audit log), and its filing in dossiers. Returns {document_id, document:
        {direction, code_number, code_notation, subject, unit_id}, events: [{at,
        actor_id, actor_name, action, details}]}. Errors: NotFound, Forbidden (as for
        viewing it)."""
        caller = self.identity.caller(token)
        with self.db.read() as session:
            doc = self._find_document(session, document_id)
            if not self._may_view(session, caller, doc):
                raise Forbidden("Bạn không có quyền xem văn bản này.",
                                "You may not see this document.")
            events = self._history_events(session, doc)
            names = dict(session.execute(select(User.id, User.full_name).where(
                User.id.in_({e["actor_id"] for e in events}))).all())
        return {"document_id": doc.id, "document": {
                    "direction": self._direction_of(doc), "code_number": doc.code_number,
                    "code_notation": doc.code_notation, "subject": doc.subject,
                    "unit_id": doc.unit_id},
                "events": [
            e | {"at": e["at"].isoformat(), "actor_name": names.get(e["actor_id"], e["actor_id"])}
            for e in events]}

    @staticmethod
    def _history_events(session, doc) -> list[dict]:
        """A document's events in this service, oldest first: its audited changes and
        steps (not views, downloads or refusals) and its filings in dossiers."""
        events = [{"at": e.at, "actor_id": e.actor_id, "action": e.action,
                   "details": {k: v for k, v in (e.details or {}).items() if k != "after"}}
                  for e in session.execute(select(AuditEntry).where(
                      AuditEntry.object_id == doc.id,
                      AuditEntry.action.not_in(("view", "download", audit.PROCESSING_STATE)),
                      AuditEntry.action.not_like("%\\_denied", escape="\\"))
                      .order_by(AuditEntry.seq)).scalars()]
        for filed, dossier in session.execute(
                select(DossierDocument, Dossier).join(
                    Dossier, Dossier.id == DossierDocument.dossier_id)
                .where(DossierDocument.document_id == doc.id)).all():
            events.append({"at": filed.added_at, "actor_id": filed.added_by,
                           "action": "filed", "details": {
                               "dossier_id": dossier.id, "title": dossier.title,
                               "file_code": dossiers.file_code(
                                   dossier.organ_id, dossier.year, dossier.notation)}})
        events.sort(key=lambda e: e["at"])
        return events

    # ---------------------------------------------------------------- audit

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_audit(self, token, params=None):
        """Audit entries, newest first, for administrators: params {object_id, actor_id,
        action, page, page_size}. Returns {items: [{seq, at, actor_id, action,
        object_type, object_id, details, request_id, hash}], total, page, page_size}.
        A unit's quản trị sees the entries about the units in their scope, their
        documents, people, registers, dossiers, delegations and files (audit.in_scope);
        an entry about a secret document shows its details (its số, ký hiệu, trích yếu
        …) only to an administrator cleared for its level, else ``details`` is
        ``{"withheld": true}``. Errors: Forbidden for anyone but a quản trị."""
        caller = self._require_admin(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"object_id", "actor_id", "action", "page", "page_size"})
        page, page_size = page_params(problems, params)
        filters = {name: problems.text(params, name, max_length=64)
                   for name in ("object_id", "actor_id", "action")}
        problems.raise_if_any()
        query = select(AuditEntry)
        if not caller.system_admin:
            query = query.where(audit.in_scope(administration.admin_roots(caller)))
        for name, value in filters.items():
            if value:
                query = query.where(getattr(AuditEntry, name) == value)
        with self.db.read() as session:
            total, rows = fetch_page(session, query.order_by(AuditEntry.seq.desc()), page,
                                     page_size)
            rows = rows.scalars().all()
            levels = audit.document_levels(session, rows)
            items = [{"seq": e.seq, "at": e.at.isoformat(), "actor_id": e.actor_id,
                      "action": e.action, "object_type": e.object_type,
                      "object_id": e.object_id,
                      "details": e.details if caller.cleared_for(
                          levels.get(e.object_id, "none")) else {"withheld": True},
                      "request_id": e.request_id, "hash": e.hash} for e in rows]
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def verify_audit(self, token):
        """Check the audit hash chain from its first entry. Returns {intact, checked,
        first_broken: null | {seq, id, reason}}. The chain is one for the deployment
        (each entry's hash covers the one before), so a unit's quản trị verifies it
        whole to trust the entries of their units. Errors: Forbidden unless quản trị."""
        self._require_admin(token)
        with self.db.read() as session:
            return audit.verify(session)

    def _require_admin(self, token):
        """The caller if they administer something (the deployment, or a unit and those
        below it); what exactly each entrypoint checks with administration.py."""
        caller = self.identity.caller(token)
        if not administration.is_administrator(caller):
            raise Forbidden("Chỉ quản trị được thực hiện việc này.",
                            "Only administrators may do this.")
        return caller
