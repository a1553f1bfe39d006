"""The exchange's side that talks to the axis, mixed into ExchangeService: sending one
queued package, taking packages from the axis and applying them. Needs from the host:
``db``, ``clock``, ``exchange`` (settings and axis client), ``identity``, ``documents``,
``storage`` and ``signing`` RPC proxies, and ``flush_outbox``."""
from __future__ import annotations

import logging

from eventlet import tpool
from sqlalchemy import func, select

from services.common import events
from services.common.db import fetch_page
from services.common.errors import Conflict, EofficeError, Forbidden
from services.common.file_transfer import read_bytes, store_bytes
from services.common.identity import CLERK
from services.common.outbox import add_event
from services.common.validation import Problems, page_params
from services.exchange import receiving, sending
from services.exchange.edxml import model
from services.exchange.edxml.errors import PackageError
from services.exchange.models import (EDOC, FAILED, PENDING, WAITING, AxisMessage,
                                      Delivery, ReceivedDocument, ReceivedPackage, outbox)

log = logging.getLogger(__name__)

#: packages applied per poll (the rest wait for the next one, in order)
APPLY_BATCH = 20


class Transport:

    # ------------------------------------------------------------ to the axis

    def send_one(self, message_id: str) -> None:
        from services.exchange.axis_client import AxisRefused, AxisUnavailable
        now = self.clock.now()
        with self.db.read() as session:
            message = session.get(AxisMessage, message_id)
            session.expunge(message)
        try:
            package = message.package or self._package_of(message, now)
        except (EofficeError, PackageError, OSError) as exc:
            # a file that cannot be read or a unit without a certificate: a person must act
            self._settle(message_id, "failed", self._error_of(exc), now)
            return
        if message.package is None:
            with self.db.transaction() as session:
                session.get(AxisMessage, message_id).package = package
        try:
            with self.exchange.axis() as axis:
                axis_doc_id = axis.send_edoc(
                    message.from_organ_id, [message.to_organ_id], message.kind, package)
        except AxisUnavailable as exc:
            self._settle(message_id, "retry", {"code": "axis_unavailable", "vi":
                         "Trục liên thông không trả lời; hệ thống sẽ tự gửi lại.",
                         "en": "The axis did not answer; it will be sent again.",
                         "detail": str(exc)[:300]}, now)
            return
        except AxisRefused as exc:
            self._settle(message_id, "failed", {"code": "axis_refused", "vi":
                         f"Trục liên thông từ chối gói tin: {exc}", "en":
                         f"The axis refused the package: {exc}"}, now)
            return
        with self.db.transaction() as session:
            sending.mark_sent(session, session.get(AxisMessage, message_id), axis_doc_id, now)

    def _settle(self, message_id, how, error, now):
        with self.db.transaction() as session:
            message = session.get(AxisMessage, message_id)
            if how == "retry":
                sending.mark_retry(session, message, error, now,
                                   self.exchange.settings.retry_first_seconds)
            else:
                sending.mark_failed(session, message, error, now)
        log.warning("exchange: %s %s: %s", message_id, how, error.get("en"))

    @staticmethod
    def _error_of(exc) -> dict:
        if isinstance(exc, EofficeError):
            return {"code": exc.code.lower(), "vi": exc.message_vi, "en": exc.message_en}
        if isinstance(exc, PackageError):
            return {"code": exc.code, "vi": exc.vi, "en": exc.en}
        return {"code": "storage_unavailable", "vi": "Không đọc được tệp của văn bản.",
                "en": f"The document's files could not be read ({exc})."}

    def _package_of(self, message: AxisMessage, now) -> bytes:
        """Build and sign the package of ``message`` (the first attempt; kept after)."""
        settings = self.exchange.settings
        unit_id = message.spec["unit_id"]
        staff = model.StaffInfo(department=settings.staff_department)
        system = self.identity.system_token()
        if message.kind == EDOC:
            with self.db.read() as session:
                # an update's edoc names its delivery in its spec (sending.queue_updates)
                delivery = session.get(Delivery, message.delivery_id
                                       or message.spec.get("delivery_id"))
                to_organ = {"organ_id": delivery.organ_id, "name": delivery.organ_name}

            def read_file(file_id):
                record = self.storage.get_file(system, file_id)
                return record, read_bytes(self.storage, system, file_id, settings.internal)

            package = sending.build_edoc_package(message.spec, to_organ,
                                                 read_file=read_file, now=now, staff=staff)
        else:
            unit = self.documents.get_unit(system, unit_id)
            sender = model.Organ(organ_id=message.from_organ_id, name=unit.get("name") or "")
            package = sending.build_status_package(message.spec, sender, now, staff)
        return sending.signed(package, unit_id, lambda unit, data: self.signing.sign_package(
            system, {"unit_id": unit, "data": data}))

    # ------------------------------------------------------------ from the axis

    def take_from_axis(self) -> int:
        """Keep every package the axis holds for us, then tell it "done" (a package kept
        twice is kept once: receiving.keep)."""
        with self.exchange.axis() as axis:
            return self._take_from(axis)

    def _take_from(self, axis) -> int:
        from services.exchange.axis_client import AxisError
        try:
            items = axis.received()
        except AxisError as exc:
            log.warning("exchange: the axis could not be polled: %s", exc)
            return 0
        taken = 0
        for item in items:
            try:
                with self.db.read() as session:
                    known = session.execute(select(ReceivedPackage.id).where(
                        ReceivedPackage.axis_doc_id == item.doc_id)).first()
                if not known:
                    payload = axis.get_edoc(item.doc_id)
                    with self.db.transaction() as session:
                        receiving.keep(session, axis_doc_id=item.doc_id,
                                       message_type=item.message_type,
                                       from_organ_id=item.from_organ, to_organ_id=item.to_organ,
                                       payload=payload, now=self.clock.now())
                    taken += 1
                axis.update_status(item.doc_id, "done")
            except AxisError as exc:   # the rest on the next poll
                log.warning("exchange: taking %s from the axis failed: %s", item.doc_id, exc)
                break
        return taken

    def apply_new_packages(self) -> int:
        with self.db.read() as session:
            ids = session.execute(select(ReceivedPackage.id).where(
                ReceivedPackage.outcome == receiving.NEW).order_by(
                ReceivedPackage.received_at).limit(APPLY_BATCH)).scalars().all()
        for package_id in ids:
            self.apply_package(package_id)
        return len(ids)

    def apply_package(self, package_id: str) -> None:
        from services.exchange.edxml.parse import parse_package
        from services.exchange.edxml.signature import verify_package
        with self.db.read() as session:
            kept = session.get(ReceivedPackage, package_id)
            payload, to_organ_id = kept.payload, kept.to_organ_id
        now = self.clock.now()
        try:
            # parsing and the signature check are CPU work of up to seconds on a large
            # package: an OS thread, so the service still answers meanwhile
            parsed = tpool.execute(parse_package, payload, self.exchange.limits())
        except PackageError as exc:
            self._finish(package_id, receiving.Outcome(receiving.REJECTED,
                                                       receiving.problem_of(exc)), now)
            return
        if isinstance(parsed, model.Status):
            self._apply_status(package_id, parsed, to_organ_id, now)
            return
        check = tpool.execute(verify_package, payload, limits=self.exchange.limits())
        signature = {"status": check.status, "subject": check.subject, "vi": check.vi,
                     "en": check.en}
        to_organ_id = to_organ_id or (parsed.recipients[0].organ_id if parsed.recipients
                                      else "")
        system = self.identity.system_token()
        units = self.documents.list_units(system, {"organ_id": to_organ_id})["items"] \
            if to_organ_id else []
        unit = units[0] if units else None
        clerks = self.clerks_of(unit["id"]) if unit is not None else []
        files = []
        if check.status != "invalid" and unit is not None and \
                parsed.business.doc_type != model.RECALL:
            for attachment in parsed.attachments:
                record = store_bytes(self.storage, system, attachment.name,
                                     attachment.content_type or "application/octet-stream",
                                     attachment.data, self.exchange.settings.internal)
                files.append({"file_id": record["file_id"], "name": attachment.name,
                              "content_type": attachment.content_type,
                              "size": len(attachment.data), "sha256": attachment.sha256})
        with self.db.transaction() as session:
            outcome = receiving.receive_edoc(
                session, parsed, to_organ_id=to_organ_id, unit=unit, package_id=package_id,
                files=files, package_signature=signature, today=self.clock.today(), now=now,
                clerks={unit["id"]: clerks} if unit is not None else None)
            received = session.get(ReceivedDocument, outcome.received_id) \
                if outcome.received_id else None
            if received is not None and check.status == "invalid":
                self.return_received_document(session, received, check.vi, now)
            elif received is not None and received.package_id == package_id:
                add_event(session, outbox, events.RECEIVED_WAITING,
                          receiving.waiting_event(received, clerks))
            elif outcome.outcome == receiving.REJECTED and unit is None:
                self._answer_unknown(session, parsed, to_organ_id, outcome, now)
            self._record(session, package_id, outcome, now)

    def _apply_status(self, package_id, status: model.Status, to_organ_id, now) -> None:
        """A status joins its delivery's history; a return (02) or a refused recall or
        update (16) newly recorded alerts the issuing unit's văn thư; a recall asked (13)
        is told to the văn thư of the unit it is addressed to."""
        with self.db.read() as session:
            delivery = receiving.delivery_answered(session, status)
            unit_id = delivery.unit_id if delivery is not None else None
        clerks = self.clerks_of(unit_id) if unit_id and \
            status.code in receiving.ALERT_CODES else []
        asked_of = {}                   # a recall: {unit id: its văn thư}
        if status.code == "13" and to_organ_id:
            system = self.identity.system_token()
            asked_of = {u["id"]: self.clerks_of(u["id"]) for u in self.documents.list_units(
                system, {"organ_id": to_organ_id})["items"]}
        with self.db.transaction() as session:
            delivery = receiving.delivery_answered(session, status)
            known = len(delivery.statuses or []) if delivery is not None else 0
            outcome = receiving.apply_status(session, status, now, asked_of)
            if delivery is not None and status.code in receiving.ALERT_CODES and \
                    len(delivery.statuses or []) > known:
                add_event(session, outbox, events.DELIVERY_STATUS_ALERT,
                          receiving.alert_event(session, delivery, status, clerks))
            self._record(session, package_id, outcome, now)

    def clerks_of(self, unit_id: str) -> list[str]:
        """The văn thư of a unit: whom to tell of what came for it or of what it sent."""
        users = self.documents.list_users(self.identity.system_token(),
                                          {"unit_id": unit_id, "page_size": 200})["items"]
        return [u["id"] for u in users if u.get("active", True) and any(
            m["unit_id"] == unit_id and m["role"] == CLERK for m in u["memberships"])]

    def _answer_unknown(self, session, edoc, to_organ_id, outcome, now):
        """An edoc for an agency that is not ours: 02 to its sender, with the reason."""
        if not to_organ_id or edoc.business.doc_type == model.RECALL:
            return
        original = {"document_id": edoc.document_id, "organ_id": edoc.sender.organ_id,
                    "code": f"{edoc.code_number}/{edoc.code_notation}",
                    "promulgation_date": edoc.promulgation_date.isoformat()
                    if edoc.promulgation_date else None}
        sending.queue_status(session, document_id=edoc.document_id,
                             from_organ_id=to_organ_id, to_organ_id=edoc.sender.organ_id,
                             code="02", spec={"original": original, "unit_id": None,
                                              "description": outcome.problem["vi"]}, now=now)

    def _finish(self, package_id, outcome, now):
        with self.db.transaction() as session:
            self._record(session, package_id, outcome, now)
        if outcome.problem:
            log.warning("exchange: package %s rejected: %s", package_id,
                        outcome.problem.get("en"))

    @staticmethod
    def _record(session, package_id, outcome, now):
        kept = session.get(ReceivedPackage, package_id)
        kept.outcome, kept.problem, kept.processed_at = outcome.outcome, outcome.problem, now

    # ------------------------------------------------------------ figures

    def deliveries_of(self, outgoing_id: str) -> list[dict]:
        with self.db.read() as session:
            rows = session.execute(select(Delivery).where(
                Delivery.outgoing_id == outgoing_id).order_by(Delivery.organ_name)).scalars()
            return [sending.delivery_out(d) for d in rows]

    def retry(self, token, delivery_id):
        caller = self.identity.caller(token)
        now = self.clock.now()
        with self.db.transaction() as session:
            delivery = session.get(Delivery, delivery_id) if isinstance(delivery_id, str) \
                else None
            if delivery is None:
                from services.common.errors import not_found
                raise not_found("lần gửi", "Delivery", delivery_id)
            if not caller.has_role(delivery.unit_id, CLERK):
                raise Forbidden("Chỉ văn thư của đơn vị gửi lại văn bản.",
                                "Only a văn thư of the issuing unit sends it again.")
            message = session.execute(select(AxisMessage).where(
                AxisMessage.delivery_id == delivery.id, AxisMessage.kind == EDOC)
            ).scalars().first()
            if delivery.state != FAILED or message is None:
                raise Conflict("Văn bản không ở trạng thái gửi lỗi.",
                               "The delivery has not failed.")
            sending.due_again(session, message, now)
            delivery.state, delivery.updated_at = PENDING, now
            return sending.delivery_out(delivery)

    def packages_page(self, token, params) -> dict:
        caller = self.identity.caller(token)
        if not caller.system_admin:
            raise Forbidden("Chỉ quản trị hệ thống xem các gói tin nhận từ trục.",
                            "Only a system administrator sees the packages taken.")
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"outcome", "page", "page_size"})
        page, page_size = page_params(problems, params)
        outcome = problems.choice(params, "outcome", (receiving.NEW, receiving.DONE,
                                                      receiving.REJECTED))
        problems.raise_if_any()
        query = select(ReceivedPackage)
        if outcome:
            query = query.where(ReceivedPackage.outcome == outcome)
        with self.db.read() as session:
            total, rows = fetch_page(session, query.order_by(
                ReceivedPackage.received_at.desc(), ReceivedPackage.id), page, page_size)
            items = [{"id": r.id, "axis_doc_id": r.axis_doc_id,
                      "message_type": r.message_type, "from_organ_id": r.from_organ_id,
                      "to_organ_id": r.to_organ_id, "size": r.size, "sha256": r.sha256,
                      "outcome": r.outcome, "problem": r.problem,
                      "received_at": r.received_at.isoformat(),
                      "processed_at": r.processed_at.isoformat() if r.processed_at else None}
                     for r in rows.scalars()]
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    def queue_figures(self) -> dict:
        with self.db.read() as session:
            counts = dict(session.execute(select(AxisMessage.state, func.count()).group_by(
                AxisMessage.state)).all())
            waiting = session.execute(select(func.count()).select_from(ReceivedDocument).where(
                ReceivedDocument.state == WAITING)).scalar_one()
        return {"connected": self.exchange.connected,
                "axis_url": self.exchange.settings.axis_url or None,
                "pending": counts.get(PENDING, 0), "failed": counts.get(FAILED, 0),
                "waiting": waiting}
