"""The exchange service (liên thông, QCVN 102:2016): sends issued documents to other
agencies as signed edXML packages through the axis, takes what the axis holds for this
deployment's agencies, keeps every package before acknowledging it, and answers with the
status codes of §2.7 as the documents move (01 at once, 02/03 by the văn thư, 04–06 as
workflow reports them). Documents and workflow never see edXML: they speak in their own
events, and this service translates (DOMAIN.md §2; docs/exchange.md).

Entrypoints here are thin; sending.py and receiving.py hold the rules, edxml/ the format,
axis_client.py the transport."""
from __future__ import annotations

import logging


from services.common import events
from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import EXPECTED_ERRORS, not_found
from services.common.handlers import event_handler, handlers_of
from services.common.identity_provider import Identity
from services.common.inbox import first_delivery
from services.common.rpc import TimedRpc
from services.common.rpc import rpc
from services.common.service_base import OutboxServiceBase
from services.common.timers import Wakeups, configured_timer
from services.common.validation import Problems, page_params
from services.exchange import directory, models, sending
from services.exchange.dependencies import Exchange
from services.exchange.models import Agency
from services.exchange.received_entrypoints import ReceivedEntrypoints
from services.exchange.transport import Transport

log = logging.getLogger(__name__)

ISSUED_HANDLER = "exchange.on_documents_document_issued"
RECALLED_HANDLER = "exchange.on_documents_document_recalled"
UPDATED_HANDLER = "exchange.on_documents_outgoing_updated"


class ExchangeService(OutboxServiceBase, Transport, ReceivedEntrypoints,
                      handlers_of(events.SOURCE_WORKFLOW, events.WORKFLOW_EVENTS,
                                  "follow_processing",
                                  "Workflow's events: status 04–06 to a document's sender.")):
    name = "exchange"

    db = Database()
    identity = Identity()
    clock = Clock()
    wakeups = Wakeups()
    exchange = Exchange()
    documents = TimedRpc("documents")
    storage = TimedRpc("storage")
    signing = TimedRpc("signing", timeout=30)
    outbox = models.outbox

    # ------------------------------------------------------------ sending

    @event_handler(events.SOURCE_DOCUMENTS, events.DOCUMENT_ISSUED)
    def on_documents_document_issued(self, message):
        """An issued document's external recipients ("exchange" delivery) each get a
        delivery and an edoc queued for the axis; idempotent by event_id and by
        (document, agency). Events: none (the timer sends)."""
        now = self.clock.now()
        with self.db.transaction() as session:
            if not first_delivery(session, models.processed_events, message["event_id"],
                                  ISSUED_HANDLER):
                return
            sending.queue_deliveries(session, message["data"], now)

    @event_handler(events.SOURCE_DOCUMENTS, events.DOCUMENT_RECALLED)
    def on_documents_document_recalled(self, message):
        """An issued document recalled by its unit (ND30 Điều 18.4): each agency it went to
        by the exchange is asked for it back (status 13, with the reason); their văn thư
        answers 15 (agreed: our record for them freezes) or 16 (refused, with a reason).
        Idempotent by event_id. Events: none (the timer sends)."""
        data = message["data"]
        if data.get("direction") != "outgoing":
            return
        now = self.clock.now()
        with self.db.transaction() as session:
            if not first_delivery(session, models.processed_events, message["event_id"],
                                  RECALLED_HANDLER):
                return
            sending.queue_recalls(session, data["id"], data.get("reason") or "", now)

    @event_handler(events.SOURCE_DOCUMENTS, events.OUTGOING_UPDATED)
    def on_documents_outgoing_updated(self, message):
        """An issued document updated by its unit (cập nhật, DOMAIN.md §2.8): each agency
        it went to by the exchange, except those that agreed to its recall, gets an edoc
        of type 2 (its particulars as they now are, BussinessDocumentInfo/DocumentInfo
        1); the agency's văn thư answers 15 or 16, recorded with the update on the
        delivery. Idempotent by event_id and by update. Events: none (the timer sends)."""
        now = self.clock.now()
        with self.db.transaction() as session:
            if not first_delivery(session, models.processed_events, message["event_id"],
                                  UPDATED_HANDLER):
                return
            sending.queue_updates(session, message["data"], now)

    @configured_timer(sending.SEND_TIMER, default=2)
    def send_due(self):
        """Send what is due to the axis (sending.claim_due: each message claimed by one
        replica); a message the axis did not take waits and is tried again. Runs at once
        when a message is queued (sending.py wakes it), else every TIMERS.exchange_send
        seconds for retries; a full batch brings the next one at once. What was sent may
        be for this deployment's own agencies, so the poll of the axis runs next."""
        if not self.exchange.connected:
            return
        claimed = sending.claim_due(self.db, self.clock.now())
        for message_id in claimed:
            self.send_one(message_id)
        if claimed:
            self.wakeups.wake("exchange_poll")
        if len(claimed) >= sending.SEND_BATCH:
            self.wakeups.wake(sending.SEND_TIMER)   # more may be due: the next batch now

    @configured_timer("exchange_poll", default=5)
    def poll_axis(self):
        """Take what the axis holds for this deployment's agencies: keep each package,
        acknowledge it, apply it (receiving.py)."""
        if not self.exchange.connected:
            return
        self.take_from_axis()
        self.apply_new_packages()

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_deliveries(self, token, outgoing_id):
        """Per external recipient of an outgoing document: where its edoc is (pending,
        sent, failed with the reason) and every status the agency answered, in order.

        Args: ``token``; ``outgoing_id``. Result: ``{items: [delivery]}``
        (sending.delivery_out). Errors: NotFound, Forbidden (documents decides who may see
        the document). Events: none."""
        self.documents.get_outgoing(token, outgoing_id)   # may the caller see it?
        return {"items": self.deliveries_of(outgoing_id)}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def retry_delivery(self, token, delivery_id):
        """Send again an edoc the axis refused (a văn thư of the issuing unit).

        Args: ``token``; ``delivery_id``. Result: the delivery. Errors: NotFound;
        Forbidden (not a văn thư of the unit); Conflict (not failed). Events: none."""
        return self.retry(token, delivery_id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def exchange_status(self, token):
        """Whether this deployment is connected to an axis and how much waits: ``{
        connected, axis_url, pending, failed, waiting}``. Errors: Unauthenticated."""
        self.identity.caller(token)
        return self.queue_figures()

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_packages(self, token, params=None):
        """The packages taken from the axis, newest first, with what became of each
        (applied, or refused with the reason): for a system administrator.

        Args: ``token``; ``params`` = ``{outcome (new | done | rejected), page,
        page_size}``. Result: ``{items: [{id, axis_doc_id, message_type, from_organ_id,
        to_organ_id, size, sha256, outcome, problem, received_at, processed_at}], total,
        page, page_size}``. Errors: Forbidden (not a system administrator);
        InvalidInput. Events: none."""
        return self.packages_page(token, params)

    # ------------------------------------------------------------ the agency directory

    @configured_timer("exchange_directory_sync", default=3600, eager=True)
    def sync_directory(self):
        """Bring the agency directory up to date from the axis: only what changed since
        the last sync, each change kept in its history (directory.apply_agencies)."""
        if not self.exchange.connected:
            return
        from services.exchange.axis_client import AxisError
        with self.db.read() as session:
            since = directory.last_change(session)
        try:
            with self.exchange.axis() as axis:
                agencies = axis.get_agencies(since=since)
        except AxisError as exc:
            log.warning("exchange: the directory could not be synchronised: %s", exc)
            return
        with self.db.transaction() as session:
            counts = directory.apply_agencies(session, agencies, self.clock.now())
        if any(counts.values()):
            log.info("exchange: directory synchronised: %s", counts)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def search_agencies(self, token, params=None):
        """The axis's agencies, for choosing a recipient outside the system: by name, with
        or without diacritics, or by the start of the mã định danh; those removed from the
        directory are left out.

        Args: ``token``; ``params`` = ``{q, page, page_size}``. Result: ``{items: [{organ_id,
        name, parent_id, email, deleted, synced_at}], total, page, page_size}``. Errors:
        InvalidInput. Events: none."""
        self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"q", "page", "page_size"})
        page, page_size = page_params(problems, params)
        text = problems.text(params, "q", max_length=200) or ""
        problems.raise_if_any()
        with self.db.read() as session:
            total, items = directory.search(session, text, page, page_size)
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_agency(self, token, organ_id):
        """One agency of the directory with its history (created, renamed, moved,
        deleted, restored, as each sync found it). Errors: NotFound."""
        self.identity.caller(token)
        with self.db.read() as session:
            row = session.get(Agency, organ_id) if isinstance(organ_id, str) else None
            if row is None:
                raise not_found("cơ quan", "Agency", organ_id)
            return directory.agency_out(row) | {"history": directory.history(session, organ_id)}

    # ------------------------------------------------------------ receiving

    @event_handler(events.SOURCE_SIGNING, events.SIGNATURE_VERIFIED)
    def on_signing_signature_verified(self, message):
        """A file of a received document whose digital signature is broken: the document
        is returned to its sender (02, with the reason) before anyone registers it (ND30
        Điều 21.2.b). Idempotent by event_id."""
        self.return_if_broken(message)

    def follow_processing(self, message, handler):
        """A received document we accepted moved in workflow: its sender hears 04
        (assigned), 05 (in progress), 06 (done), each once."""
        self.processing_moved(message, handler)
