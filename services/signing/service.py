"""The signing service: applies digital signatures (ký số) to the PDFs of outgoing
documents — the signer's, then the organisation's by its văn thư — with keys that never
leave their store (an HSM through PKCS#11, or PKCS#12 files), and verifies every PDF that
is stored, keeping the report with the file (ND30 Điều 5.1, 17, 21.2, 33; DOMAIN.md §1.13).

Documents decides who may take a step and when; this service decides whether a
certificate may sign (the person's own, the issuing unit's, within its validity) and does
the cryptography. Bytes travel over storage's signed URLs (transfer.py)."""
from __future__ import annotations

import base64
import logging
import uuid

from sqlalchemy import or_, select

from services.common import events
from services.common.clock import Clock
from services.common.db import Database
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, InvalidInput,
                                    NotFound, ServiceUnavailable, invalid_fields)
from services.common.handlers import event_handler
from services.common.identity import CLERK, HEAD
from services.common.identity_provider import Identity
from services.common.inbox import first_delivery
from services.common.outbox import add_event
from services.common.rpc import TimedRpc
from services.common.rpc import rpc
from services.common.service_base import OutboxServiceBase
from services.common.validation import Problems
from services.signing import certificates, models, transfer
from services.signing.dependencies import Signing
from services.signing.errors import SigningError
from services.signing.models import (HOLDER_KINDS, KEY_STORES, ORGANISATION, PERSON,
                                     AppliedSignature, Certificate, Verification)

log = logging.getLogger(__name__)

PURPOSES = ("signer", "organisation", "attachment", "copy")
REGISTRATION_FIELDS = {"holder_kind", "user_id", "unit_id", "certificate", "chain",
                       "key_store", "key_ref", "image_png", "image_width_mm"}
SIGN_FIELDS = {"purpose", "document_id", "file_id", "user_id", "unit_id", "certificate_id",
               "signer_name", "reference", "organisation_name", "copy_form"}
VERIFY_HANDLER = "signing.on_storage_file_stored"
#: Which refusal of the signing rules is which 4xx.
FORBIDDEN_CODES = {"certificate_not_yours", "certificate_not_the_units"}
UNAVAILABLE_CODES = {"timestamp_unavailable", "key_store_unavailable"}
INVALID_CODES = {"bad_certificate"}
NOT_FOUND_CODES = {"certificate_unknown"}


def as_service_error(exc: SigningError):
    kind = Forbidden if exc.code in FORBIDDEN_CODES else InvalidInput \
        if exc.code in INVALID_CODES else NotFound if exc.code in NOT_FOUND_CODES \
        else ServiceUnavailable if exc.code in UNAVAILABLE_CODES else Conflict
    return kind(exc.vi, exc.en, {"reason": exc.code})


class SigningService(OutboxServiceBase):
    name = "signing"

    db = Database()
    identity = Identity()
    signing = Signing()
    clock = Clock()
    storage = TimedRpc("storage")
    outbox = models.outbox

    # ------------------------------------------------------------ certificates

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_certificates(self, token, request=None):
        """The certificates the caller may sign with: their own (holder person) and, for
        a văn thư or head of a unit, the unit's organisation certificates; a system
        administrator or a service may ask for any ``user_id`` / ``unit_id``.

        Args: ``token``; ``request`` = ``{user_id?, unit_id?}``. Result: ``{items:
        [certificate]}`` (certificates.certificate_out; never where the key is).
        Errors: Unauthenticated. Events: none."""
        caller = self.identity.caller(token)
        request = request if isinstance(request, dict) else {}
        query = select(Certificate).where(Certificate.active.is_(True))
        if caller.system or caller.system_admin:
            if request.get("user_id"):
                query = query.where(Certificate.user_id == str(request["user_id"]))
            if request.get("unit_id"):
                query = query.where(Certificate.unit_id == str(request["unit_id"]))
        else:
            units = [m.unit_id for m in caller.memberships if m.role in (CLERK, HEAD)]
            query = query.where(or_(
                (Certificate.holder_kind == PERSON) & (Certificate.user_id == caller.user_id),
                (Certificate.holder_kind == ORGANISATION) & Certificate.unit_id.in_(units)))
        now = self.clock.now()
        with self.db.read() as session:
            rows = session.execute(query.order_by(Certificate.holder_kind,
                                                  Certificate.common_name)).scalars().all()
            return {"items": [certificates.certificate_out(row, now) for row in rows]}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def register_certificate(self, token, request):
        """Register a certificate for a person or an organisation (a system administrator,
        or the demo seed): the certificate's facts are read from the certificate itself.

        Args: ``token``; ``request`` = ``{holder_kind (person | organisation), user_id
        (person) | unit_id (organisation; a person's unit optional), certificate (PEM),
        chain ([PEM], the issuers), key_store (pkcs11 | pkcs12), key_ref (the key's label
        in the HSM token, or the .p12 file), image_png (base64: the signature or the
        seal), image_width_mm (the seal's actual diameter)}``. Registering the same
        certificate again updates its holder, key and image.
        Result: the certificate. Errors: Forbidden (not a system administrator);
        InvalidInput (a field missing or wrong, not a certificate). Events: none."""
        caller = self.identity.caller(token)
        if not (caller.system_admin or caller.service == "signing"):
            raise Forbidden("Chỉ quản trị hệ thống đăng ký chứng thư số.",
                            "Only a system administrator registers certificates.")
        body = self._registration(request)
        try:
            facts = certificates.read_certificate(body["certificate"])
            chain = [base64.b64encode(certificates.read_certificate(p).der).decode()
                     for p in body["chain"]]
        except SigningError as exc:
            raise as_service_error(exc) from exc
        now = self.clock.now()
        with self.db.transaction() as session:
            row = session.execute(select(Certificate).where(
                Certificate.fingerprint == facts.fingerprint)).scalar_one_or_none()
            if row is None:
                row = Certificate(id=str(uuid.uuid4()), fingerprint=facts.fingerprint,
                                  registered_by=caller.user_id, created_at=now)
                session.add(row)
            row.holder_kind, row.user_id, row.unit_id = \
                body["holder_kind"], body["user_id"], body["unit_id"]
            row.common_name, row.issuer = facts.common_name[:200], facts.issuer[:200]
            row.organisation = (facts.organisation or "")[:200] or None
            row.serial, row.not_before, row.not_after = \
                facts.serial, facts.not_before, facts.not_after
            row.certificate, row.chain = facts.der, chain
            row.key_store, row.key_ref = body["key_store"], body["key_ref"]
            row.image_png, row.image_width_mm = body["image_png"], body["image_width_mm"]
            row.active = True
            session.flush()
            return certificates.certificate_out(row, now)

    @staticmethod
    def _registration(request) -> dict:
        problems = Problems()
        data = problems.object(request, "request")
        problems.only(data, REGISTRATION_FIELDS)
        kind = problems.choice(data, "holder_kind", HOLDER_KINDS)
        if kind is None and "holder_kind" not in data:
            problems.add("holder_kind", "Bắt buộc phải nhập.", "Required.")
        user_id = problems.text(data, "user_id", max_length=36, required=kind == PERSON)
        unit_id = problems.text(data, "unit_id", max_length=36,
                                required=kind == ORGANISATION)
        key_store = problems.choice(data, "key_store", KEY_STORES)
        key_ref = problems.text(data, "key_ref", max_length=500, required=True)
        certificate = problems.text(data, "certificate", max_length=20_000, required=True)
        chain = data.get("chain") or []
        if not isinstance(chain, list) or not all(isinstance(p, str) for p in chain):
            problems.add("chain", "Danh sách chứng thư (PEM).", "A list of PEM.")
        image = None
        if data.get("image_png") is not None:
            try:
                image = base64.b64decode(data["image_png"], validate=True)
            except (ValueError, TypeError):
                image = b""
            if not image.startswith(b"\x89PNG"):
                problems.add("image_png", "Ảnh phải là PNG (base64).",
                             "The image must be a PNG (base64).")
        width = data.get("image_width_mm")
        if width is not None and not (isinstance(width, (int, float)) and 5 <= width <= 80):
            problems.add("image_width_mm", "Đường kính dấu từ 5 đến 80 mm.",
                         "Between 5 and 80 mm.")
        problems.raise_if_any()
        return {"holder_kind": kind, "user_id": user_id if kind == PERSON else None,
                "unit_id": unit_id, "key_store": key_store, "key_ref": key_ref,
                "certificate": certificate.encode(), "chain": [p.encode() for p in chain],
                "image_png": image, "image_width_mm": float(width) if width is not None
                else None}

    # ------------------------------------------------------------ signing

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def sign_document_pdf(self, token, request):
        """Sign a stored PDF of an outgoing document; documents calls it when a step it
        allowed needs a signature, and stores the result as the document's signed file.

        Args: ``token`` (documents' system token); ``request`` = ``{purpose (signer |
        organisation | attachment | copy), document_id, file_id, user_id (the person who
        signs: the signer, or the văn thư), unit_id (the issuing unit), certificate_id
        (the signer's; for the organisation optional: the unit's certificate),
        signer_name (signer: whose name marks the place of the signature), reference
        (attachment: số và ký hiệu), organisation_name, copy_form (copy: SAO Y, SAO LỤC,
        TRÍCH SAO)}``.
        Result: ``{file_id, sha256, size, filename, certificate, signed_at,
        timestamped}``. Errors: Forbidden (not documents; another person's or another
        unit's certificate); NotFound (no such certificate, or the unit has none);
        Conflict (an expired certificate, a file that is not a stored PDF, no place for
        the signature, an organisation signature over no valid signer's signature).
        Events: none (storage's file_stored follows)."""
        caller = self.identity.caller(token)
        if caller.service != "documents":
            raise Forbidden("Chỉ dịch vụ văn bản yêu cầu ký số.",
                            "Only the documents service asks for signatures.")
        body = self._sign_request(request)
        now = self.clock.now()
        with self.db.read() as session:
            cert = self._certificate_for(session, body, now)
            try:
                certificates.require_usable(cert, purpose=body["purpose"],
                                            user_id=body["user_id"], unit_id=body["unit_id"],
                                            now=now)
            except SigningError as exc:
                raise as_service_error(exc) from exc
            session.expunge(cert)
        system = self.identity.system_token()
        try:
            record, pdf = transfer.read_pdf(self.storage, system, body["file_id"],
                                             internal=self.signing.settings.internal)
            # pades runs one pyHanko call at a time (PYHANKO_LOCK: asyncio's running loop
            # is per OS thread, shared by every greenthread)
            signed = self._apply(body, cert, pdf, now)
        except SigningError as exc:
            raise as_service_error(exc) from exc
        stored = transfer.store_pdf(self.storage, system, transfer.signed_filename(
            record.get("filename"), "ky-so"), signed, self.signing.settings.internal)
        with self.db.transaction() as session:
            session.add(AppliedSignature(
                id=str(uuid.uuid4()), purpose=body["purpose"], document_id=body["document_id"],
                source_file_id=body["file_id"], signed_file_id=stored["file_id"],
                certificate_id=cert.id, user_id=body["user_id"],
                timestamped=bool(self.signing.settings.tsa_url), created_at=now))
        return {"file_id": stored["file_id"], "sha256": stored.get("sha256"),
                "size": stored.get("size"), "filename": stored.get("filename"),
                "certificate": certificates.certificate_out(cert, now),
                "signed_at": now.isoformat(), "timestamped": bool(self.signing.settings.tsa_url)}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def sign_package(self, token, request):
        """Sign an edXML package for the exchange with the issuing unit's organisation
        certificate (QCVN 102:2016 §2.5: the package carries the organisation's XML
        signature): the exchange builds the canonical SignedInfo, this signs its bytes with
        the key where it is (HSM or PKCS#12), so no other service ever holds a key.

        Args: ``token`` (the exchange's system token); ``request`` = ``{unit_id, data
        (base64: the bytes to sign; absent: only say which certificate would sign, for the
        signature's KeyInfo)}``. Result: ``{signature (base64, PKCS#1 v1.5 with SHA-256;
        null without data), certificate (base64 DER), certificate_id}``. Errors: Forbidden (not the
        exchange); InvalidInput (no unit, data not base64 or over 64 KiB); NotFound (the
        unit has no organisation certificate); Conflict (expired or not yet valid);
        ServiceUnavailable (the HSM). Events: none."""
        caller = self.identity.caller(token)
        if caller.service != "exchange":
            raise Forbidden("Chỉ dịch vụ liên thông ký gói tin.",
                            "Only the exchange service has packages signed.")
        data = request if isinstance(request, dict) else {}
        problems = Problems()
        unit_id = problems.text(data, "unit_id", max_length=36, required=True)
        payload = None
        if data.get("data") is not None:
            try:
                payload = base64.b64decode(str(data["data"]), validate=True)
            except ValueError:
                payload = b""
            if not payload or len(payload) > 64 * 1024:
                problems.add("data", "Dữ liệu cần ký không hợp lệ.", "Nothing valid to sign.")
        problems.raise_if_any()
        now = self.clock.now()
        with self.db.read() as session:
            cert = self._certificate_for(session, {"unit_id": unit_id}, now)
            try:
                certificates.require_usable(cert, purpose="organisation", user_id="",
                                            unit_id=unit_id, now=now)
            except SigningError as exc:
                raise as_service_error(exc) from exc
            session.expunge(cert)
        from services.signing import pades
        signature = None
        if payload is not None:
            try:
                signer = self.signing.key_store(cert.key_store).signer(
                    cert.key_ref, certificates.chain_der(cert))
                signature = base64.b64encode(pades.sign_raw(signer, payload)).decode()
            except SigningError as exc:
                raise as_service_error(exc) from exc
        return {"signature": signature,
                "certificate": base64.b64encode(cert.certificate).decode(),
                "certificate_id": cert.id}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def write_number_and_date(self, token, request):
        """Write the số, ký hiệu and the date into a signer-signed PDF, as an incremental
        update that fills the fields the signer's signature left for them, so that
        signature stays valid (văn thư numbers the document before sealing it).

        Args: ``token`` (documents'); ``request`` = ``{document_id, file_id, user_id,
        number_text ("12/QĐ-UBND"), date_text ("Tây Ninh, ngày 07 tháng 12 năm 2026")}``.
        Result: ``{file_id, sha256, size, filename}``. Errors: Forbidden (not documents);
        Conflict (not a stored PDF). Events: none."""
        caller = self.identity.caller(token)
        if caller.service != "documents":
            raise Forbidden("Chỉ dịch vụ văn bản ghi số vào văn bản.",
                            "Only the documents service writes the number.")
        problems = Problems()
        data = problems.object(request, "request")
        problems.only(data, {"document_id", "file_id", "user_id", "number_text", "date_text"})
        request = {name: problems.text(data, name, max_length=200, required=True)
                   for name in ("file_id", "number_text", "date_text")}
        problems.raise_if_any()
        from services.signing import pades
        system = self.identity.system_token()
        try:
            record, pdf = transfer.read_pdf(self.storage, system, request["file_id"],
                                             internal=self.signing.settings.internal)
            updated = pades.write_number_and_date(
                pdf, number_text=request["number_text"], date_text=request["date_text"])
        except SigningError as exc:
            raise as_service_error(exc) from exc
        stored = transfer.store_pdf(self.storage, system, record.get("filename") or
                                    "van-ban.pdf", updated, self.signing.settings.internal)
        return {k: stored.get(k) for k in ("file_id", "sha256", "size", "filename")}

    @staticmethod
    def _sign_request(request) -> dict:
        problems = Problems()
        data = problems.object(request, "request")
        problems.only(data, SIGN_FIELDS)
        body = {"purpose": problems.choice(data, "purpose", PURPOSES)}
        for name in ("file_id", "user_id"):
            body[name] = problems.text(data, name, max_length=64, required=True)
        if body["purpose"] is None and "purpose" not in data:
            problems.add("purpose", "Bắt buộc phải nhập.", "Required.")
        for name in ("document_id", "unit_id", "certificate_id"):
            body[name] = problems.text(data, name, max_length=36)
        for name in ("signer_name", "reference", "organisation_name", "copy_form"):
            body[name] = problems.text(data, name, max_length=300)
        if body["purpose"] == "signer" and not body["certificate_id"]:
            problems.add("certificate_id", "Chọn chứng thư số để ký.",
                         "Choose a certificate to sign with.")
        problems.raise_if_any()
        return body

    def _certificate_for(self, session, body, now):
        if body.get("certificate_id"):
            return session.get(Certificate, body["certificate_id"])
        # the organisation's own: the unit's active certificate that is valid now
        return session.execute(select(Certificate).where(
            Certificate.holder_kind == ORGANISATION, Certificate.unit_id == body["unit_id"],
            Certificate.active.is_(True), Certificate.not_after > now,
            Certificate.not_before <= now).order_by(Certificate.not_after.desc())
        ).scalars().first()

    def _apply(self, body, cert, pdf: bytes, now) -> bytes:
        from services.signing import pades
        settings = self.signing.settings
        store = self.signing.key_store(cert.key_store)
        signer = store.signer(cert.key_ref, certificates.chain_der(cert))
        timestamping = pades.Timestamping(url=settings.tsa_url or None)
        context = self.signing.validation_context() if settings.online_revocation else None
        try:
            return self._sign_as(body, cert, pdf, signer, timestamping, context, now)
        except SigningError:
            raise
        except Exception:   # noqa: BLE001 - B-LT only "when the services are reachable"
            if context is None:
                raise
            # the CRL or OCSP could not be fetched for the validation data: sign without
            # it (a timestamped B-T signature), which verification completes online later
            log.warning("validation data for B-LT unavailable; signing without it",
                        exc_info=True)
            return self._sign_as(body, cert, pdf, signer, timestamping, None, now)

    def _sign_as(self, body, cert, pdf, signer, timestamping, context, now) -> bytes:
        from services.signing import pades
        purpose = body["purpose"]
        if purpose == "signer":
            return pades.sign_as_signer(pdf, signer, signer_name=body["signer_name"] or
                                        cert.common_name, image_png=cert_image(cert),
                                        timestamping=timestamping,
                                        validation_context=context, now=now)
        if purpose == "organisation":
            return pades.sign_as_organisation(pdf, signer, seal_png=cert_image(cert),
                                              seal_diameter_mm=cert.image_width_mm or 36,
                                              timestamping=timestamping,
                                              validation_context=context, now=now)
        organisation = body["organisation_name"] or cert.organisation or cert.common_name
        if purpose == "attachment":
            return pades.sign_attachment(pdf, signer, organisation_name=organisation,
                                         reference=body["reference"] or "",
                                         timestamping=timestamping,
                                         validation_context=context, now=now)
        return pades.sign_copy(pdf, signer, copy_form=body["copy_form"] or "SAO Y",
                               organisation_name=organisation, timestamping=timestamping,
                               validation_context=context, now=now)

    # ------------------------------------------------------------ verification

    @event_handler(events.SOURCE_STORAGE, events.FILE_STORED)
    def on_storage_file_stored(self, message):
        """Verify the signatures of every stored PDF (ND30 Điều 21.2.a: the clerk checks
        an arriving document's signatures) in a child process with limits, keep the
        report with the file and announce it. Idempotent by event_id and by file.

        A PDF that storage's scan found certainly unsigned (``might_be_signed`` false in
        the event: services.common.pdf_signatures) gets the report verification would
        give it, "unsigned", without being fetched; any other PDF, and an event from
        before storage scanned files (no ``might_be_signed``), is fetched and verified.
        Events: signature_verified {file_id, status, summary, signatures: [{common_name,
        organisation, valid, kind}]}."""
        data = message["data"]
        if data.get("content_type") != "application/pdf":
            return
        if self._certainly_unsigned(data):
            from services.signing import verification
            report = verification.unsigned_report(now=self.clock.now(),
                                                  encrypted=bool(data.get("pdf_encrypted")))
        else:
            with self.db.read() as session:
                if session.get(Verification, data["file_id"]) is not None:
                    return
            report = self._verify(data["file_id"])
        with self.db.transaction() as session:
            if not first_delivery(session, models.processed, message["event_id"],
                                  VERIFY_HANDLER) or session.get(Verification, data["file_id"]):
                return
            self._keep(session, data["file_id"], data.get("sha256"), report)
        self.flush_outbox()

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_verifications(self, token, file_ids):
        """The verification reports of files, for a service that has checked the caller
        may see them (the gateway, after documents).

        Args: ``token`` (a service's); ``file_ids`` (at most 50). Result: ``{file_id:
        report | null}`` (null: not verified yet, or not a PDF). Errors: Forbidden (not a
        service); InvalidInput. Events: none."""
        caller = self.identity.caller(token)
        if not caller.system:
            raise Forbidden("Chỉ dịch vụ nội bộ đọc kết quả kiểm tra hàng loạt.",
                            "For services only.")
        if not isinstance(file_ids, list) or len(file_ids) > 50 or \
                not all(isinstance(f, str) for f in file_ids):
            raise invalid_fields({"file_ids": {"vi": "Tối đa 50 mã tệp.",
                                               "en": "At most 50 file ids."}})
        with self.db.read() as session:
            rows = {row.file_id: row.report for row in session.execute(
                select(Verification).where(Verification.file_id.in_(file_ids))).scalars()}
        return {file_id: rows.get(file_id) for file_id in file_ids}

    @staticmethod
    def _certainly_unsigned(data) -> bool:
        """Storage scanned the file and found no way it is signed, and it is within the
        size verification reads (a bigger one takes the usual path, which says so)."""
        from services.signing import verification
        size = data.get("size")
        return data.get("might_be_signed") is False and isinstance(size, int) and \
            0 < size <= min(transfer.MAX_PDF_BYTES, verification.Limits().max_bytes)

    def _verify(self, file_id) -> dict:
        from services.signing import verification
        settings = self.signing.settings
        system = self.identity.system_token()
        _, pdf = transfer.read_pdf(self.storage, system, file_id, internal=settings.internal)
        return verification.verify_in_child(
            pdf, trust=verification.TrustList(roots=self.signing.trust_roots),
            now=self.clock.now(), online=settings.online_revocation,
            limits=verification.Limits(seconds=settings.verify_seconds))

    def _keep(self, session, file_id, sha256, report) -> None:
        session.add(Verification(file_id=file_id, sha256=sha256, status=report["status"],
                                 report=report, checked_at=self.clock.now()))
        add_event(session, models.outbox, events.SIGNATURE_VERIFIED, {
            "file_id": file_id, "status": report["status"], "summary": report["summary"],
            "signatures": [{"common_name": s["signer"].get("common_name"),
                            "organisation": s["signer"].get("organisation"),
                            "valid": s["valid"]} for s in report.get("signatures", [])]})


def cert_image(cert) -> bytes:
    if not cert.image_png:
        raise SigningError("no_image", "Chứng thư số chưa có ảnh chữ ký hoặc con dấu.",
                           "The certificate has no signature or seal image.")
    return cert.image_png
