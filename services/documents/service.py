"""The documents service: system of record for the directory (units, users, roles),
registers and their counters, incoming and outgoing documents, copies, dossiers,
delegations and the audit log. Documents calls storage and signing only (never workflow: facts
workflow owns come as arguments of its calls, docs/architecture.md).

This class holds the providers and the helpers every part shares (the permission rule
to view a document, unit listings, the audit entry, idempotent creation); the
entrypoints are mixed in by subject, each module saying what it needs from here:
incoming_entrypoints, outgoing_entrypoints, outgoing_steps, history_entrypoints,
file_entrypoints, search_feed, directory_entrypoints, directory_sign_in,
account_entrypoints, register_entrypoints, dossier_entrypoints, copies_entrypoints,
delegation_entrypoints, rights_alert_entrypoints, change_entrypoints."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from services.common import vocabulary
from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import EXPECTED_ERRORS, Forbidden, InvalidInput, not_found
from services.common.identity_provider import Identity
from services.common.rpc import TimedRpc
from services.common.rpc import rpc
from services.common.service_base import OutboxServiceBase
from services.common.timers import configured_timer
from services.common.validation import Problems, page_params
from services.documents import audit, domain, idempotency
from services.documents.models import (DocumentAccess, DocumentCopy, Dossier,
                                       DossierDocument, IncomingDocument, OutgoingDocument,
                                       Unit, User, outbox)
from services.documents.account_entrypoints import AccountEntrypoints
from services.documents.change_entrypoints import ChangeEntrypoints
from services.documents.copies_entrypoints import CopyEntrypoints
from services.documents.delegation_entrypoints import DelegationEntrypoints
from services.documents.directory_entrypoints import DirectoryEntrypoints
from services.documents.directory_sign_in import DirectorySignInEntrypoints
from services.documents.dossier_entrypoints import DossierEntrypoints
from services.documents.file_entrypoints import FileEntrypoints
from services.documents.history_entrypoints import HistoryEntrypoints
from services.documents.incoming_entrypoints import IncomingEntrypoints
from services.documents.outgoing_entrypoints import OutgoingEntrypoints
from services.documents.outgoing_steps import OutgoingStepEntrypoints
from services.documents.register_entrypoints import RegisterEntrypoints
from services.documents.rights_alert_entrypoints import RightsAlertEntrypoints
from services.documents.search_feed import SearchFeedEntrypoints
from services.documents.signing_steps import DigitalSigningSteps


class DocumentsService(IncomingEntrypoints, OutgoingEntrypoints, OutgoingStepEntrypoints,
                       HistoryEntrypoints, FileEntrypoints, SearchFeedEntrypoints,
                       DirectoryEntrypoints, RegisterEntrypoints, DossierEntrypoints,
                       CopyEntrypoints, DelegationEntrypoints, DirectorySignInEntrypoints,
                       AccountEntrypoints, RightsAlertEntrypoints, DigitalSigningSteps,
                       ChangeEntrypoints, OutboxServiceBase):
    name = "documents"

    db = Database()
    identity = Identity()
    clock = Clock()   # Vietnam's; frozen by config CLOCK_FROZEN_AT
    # documents calls storage and signing only (C1: never workflow)
    storage_rpc = TimedRpc("storage")
    # a signature fetches the PDF, a timestamp and revocation data and stores the result:
    # more than an ordinary call, less than the gateway waits for the step (routes.py)
    signing_rpc = TimedRpc("signing", timeout=30)
    outbox = outbox

    @configured_timer("old_requests", default=3600)
    def forget_old_requests(self):
        """Hourly (config TIMERS old_requests): drop the answers kept for retries once
        they are older than idempotency.KEEP_SECONDS."""
        moment = self.clock.now() - timedelta(seconds=idempotency.KEEP_SECONDS)
        with self.db.transaction() as session:
            idempotency.forget_before(session, moment)

    def _creating_request(self, caller, operation, payload, idempotency_key):
        """The ticket that makes a creating call idempotent (idempotency.py): the
        client's key if it gave one, else the id of the request this call belongs to
        (the same on a redelivered message)."""
        if idempotency_key is not None and (not isinstance(idempotency_key, str) or not
                                            0 < len(idempotency_key) <= idempotency.MAX_KEY_LENGTH):
            raise InvalidInput("Khóa chống trùng (Idempotency-Key) không hợp lệ.",
                               "Invalid idempotency key.")
        return idempotency.ticket(caller.user_id, operation, payload, idempotency_key,
                                  self.request_id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def directory_names(self, token, user_ids=(), unit_ids=()):
        """Names of users and units by id (the directory is visible to signed-in users):
        {users: {id: full_name}, units: {id: name}}; unknown ids are left out. At most
        500 of each."""
        self.identity.caller(token)
        problems = Problems()
        for name, value in (("user_ids", user_ids), ("unit_ids", unit_ids)):
            if not isinstance(value, (list, tuple)) or len(value) > 500 or \
                    not all(isinstance(v, str) for v in value):
                problems.add(name, "Tối đa 500 mã.", "At most 500 ids.")
        problems.raise_if_any()
        with self.db.read() as session:
            users = dict(session.execute(select(User.id, User.full_name).where(
                User.id.in_(set(user_ids)))).all()) if user_ids else {}
            units = dict(session.execute(select(Unit.id, Unit.name).where(
                Unit.id.in_(set(unit_ids)))).all()) if unit_ids else {}
        return {"users": users, "units": units}

    # ---------------------------------------------------------------- audit

    # ---------------------------------------------------------------- helpers

    def _unit_listing(self, caller, params, model, states, on_days):
        """The query behind a list of a unit's documents: params {unit_id (one of the
        caller's units; all of them by default), state, from, to (Vietnamese days:
        ``on_days(from, to)`` gives the conditions), page, page_size}, secret ones only
        at the caller's clearance. Returns (query, units, page, page_size).
        Errors: InvalidInput; Forbidden for another unit."""
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"unit_id", "state", "from", "to", "page", "page_size"})
        page, page_size = page_params(problems, params)
        unit_id = problems.text(params, "unit_id", max_length=36)
        state = problems.choice(params, "state", states)
        date_from = problems.date(params, "from")
        date_to = problems.date(params, "to")
        problems.raise_if_any()
        query, units = self._of_units(caller, unit_id, model)
        if state:
            query = query.where(model.state == state)
        return query.where(*on_days(date_from, date_to)), units, page, page_size

    def _of_units(self, caller, unit_id, model):
        """(query, units): rows of ``model`` in one of the caller's units (``unit_id``, or
        all of them), secret ones only at the caller's clearance. Forbidden for a unit
        the caller does not belong to."""
        if unit_id and not caller.is_member(unit_id):
            raise self._forbidden_unit()
        units = [unit_id] if unit_id else sorted(caller.unit_ids)
        levels = [c for c in vocabulary.CONFIDENTIALITIES if caller.cleared_for(c)]
        return select(model).where(model.unit_id.in_(units),
                                   model.confidentiality.in_(levels)), units

    # what each model's views are audited as, and how a missing one is named
    VIEWED = {IncomingDocument: ("incoming_document", "văn bản", "Document"),
              OutgoingDocument: ("outgoing_document", "văn bản", "Document"),
              DocumentCopy: ("document_copy", "bản sao", "Copy")}

    def _viewed(self, session, caller, model, object_id):
        """The document (or copy) the caller asks to see if they may (_may_view), else
        None; the view or the refusal is audited either way, in this transaction, which
        must commit before the refusal is raised (_shown). NotFound for an unknown id."""
        object_type, kind_vi, kind_en = self.VIEWED[model]
        doc = session.get(model, object_id) if isinstance(object_id, str) else None
        if doc is None:
            raise not_found(kind_vi, kind_en, object_id)
        allowed = self._may_view(session, caller, doc)
        self._audit(session, "view" if allowed else "view_denied", object_type, doc.id,
                    caller.user_id, {})
        return doc if allowed else None

    @staticmethod
    def _shown(result, refusal=None):
        """The answer of a view once its transaction committed; Forbidden if refused."""
        if result is None:
            raise refusal or Forbidden("Bạn không có quyền xem văn bản này.",
                                       "You may not see this document.")
        return result

    @staticmethod
    def _find_document(session, document_id):
        """An incoming or an outgoing document by id (ids are UUIDs across both)."""
        doc = None
        if isinstance(document_id, str):
            doc = session.get(IncomingDocument, document_id) or \
                session.get(OutgoingDocument, document_id)
        if doc is None:
            raise not_found("văn bản", "Document", document_id)
        return doc

    @staticmethod
    def _direction_of(doc) -> str:
        return "outgoing" if isinstance(doc, OutgoingDocument) else "incoming"

    def _may_view(self, session, caller, doc) -> bool:
        """The permission rule (domain.may_view_document) with what this service knows:
        the caller's units and clearance, being named on the document by its processing
        (as a person, or through a unit) or holding a delegation in force in its unit,
        and whether a dossier the caller opened holds
        it (asked only when no earlier reason applies)."""
        if domain.may_view_document(caller, doc.unit_id, doc.confidentiality):
            return True
        if caller.system or not caller.cleared_for(doc.confidentiality):
            return False
        principals = [f"user:{caller.user_id}"] + [f"unit:{u}" for u in caller.unit_ids]
        named = session.execute(select(DocumentAccess.principal).where(
            DocumentAccess.document_id == doc.id,
            DocumentAccess.principal.in_(principals))).first() is not None
        # someone acting for a leader of the unit under a delegation sees what they act on
        named = named or self.active_delegation(session, caller, None, doc.unit_id,
                                                None) is not None
        owns = not named and session.execute(select(DossierDocument.document_id).join(
            Dossier, Dossier.id == DossierDocument.dossier_id).where(
            DossierDocument.document_id == doc.id,
            Dossier.creator_id == caller.user_id)).first() is not None
        return domain.may_view_document(
            caller, doc.unit_id, doc.confidentiality,
            acl_users=(caller.user_id,) if named else (), owns_dossier=owns)

    def _audit(self, session, action, object_type, object_id, actor_id, details):
        audit.record(session, at=self.clock.now(), actor_id=actor_id, action=action,
                     object_type=object_type,
                     object_id=object_id, details=details, request_id=self.request_id)

    @staticmethod
    def _forbidden_unit():
        return Forbidden("Bạn không thuộc đơn vị này.", "You do not belong to this unit.")
