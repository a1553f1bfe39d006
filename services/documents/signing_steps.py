"""The digital side of the outgoing steps (ND30 Điều 5.1, 17, 33; DOMAIN.md §1.13): the
signer signs the document's PDF with their own certificate; văn thư's numbering writes the
số, ký hiệu and date into it; văn thư then applies the organisation's signature over it and
over each attachment in a separate PDF. The signing service does the cryptography and
checks the certificate; this module decides which file, in which order, and records it.
And each verification report of a file becomes an entry in the history of the documents
that hold the file.

Mixed into DocumentsService; needs from the host: signing_rpc, identity, clock, db, _audit,
flush_outbox."""
from __future__ import annotations

from sqlalchemy import select

from services.common import events, vocabulary
from services.common.errors import Conflict
from services.common.handlers import event_handler
from services.common.inbox import first_delivery
from services.documents.models import (DocumentFile, FileSignatureCheck, IncomingDocument,
                                       OutgoingDocument, processed)

VERIFIED_HANDLER = "documents.on_signing_signature_verified"


def date_text(day) -> str:
    """"ngày 07 tháng 12 năm 2026": days under 10 and the months 1 and 2 take a leading
    zero (ND30 Phụ lục I §II.4)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def signed_files(doc) -> set[str]:
    """An outgoing document's files that carry its digital signatures."""
    return {f for f in (doc.signed_file_id, *(doc.signed_attachment_ids or [])) if f}


class DigitalSigningSteps:

    def _sign_digitally(self, session, caller, doc, certificate_id: str) -> None:
        """The signer's digital signature on the document's PDF (its first file)."""
        if not doc.file_ids:
            raise Conflict("Văn bản chưa có tệp PDF để ký số.",
                           "The document has no PDF to sign.")
        result = self.signing_rpc.sign_document_pdf(self.identity.system_token(), {
            "purpose": "signer", "document_id": doc.id, "file_id": doc.file_ids[0],
            "user_id": caller.user_id, "unit_id": doc.unit_id,
            "certificate_id": certificate_id, "signer_name": doc.signer_full_name})
        self._keep_signed(session, doc, result, "signer", caller)

    def _write_number_digitally(self, session, doc) -> None:
        """Số, ký hiệu and date into the signed PDF (an incremental update the signer's
        signature allows), before the organisation signs."""
        if not doc.signed_file_id:
            return
        result = self.signing_rpc.write_number_and_date(self.identity.system_token(), {
            "document_id": doc.id, "file_id": doc.signed_file_id,
            "number_text": f"{doc.code_number}/{doc.code_notation}",
            "date_text": date_text(doc.issued_date)})
        doc.signed_file_id = result["file_id"]
        session.add(DocumentFile(document_id=doc.id, file_id=result["file_id"]))

    def _seal(self, session, caller, doc, certificate_id: str | None) -> None:
        """The organisation's signature (văn thư, ND30 Điều 33) over the signer's, and on
        each attachment in a separate PDF at the top right of its first page."""
        token = self.identity.system_token()
        result = self.signing_rpc.sign_document_pdf(token, {
            "purpose": "organisation", "document_id": doc.id, "file_id": doc.signed_file_id,
            "user_id": caller.user_id, "unit_id": doc.unit_id,
            "certificate_id": certificate_id})
        self._keep_signed(session, doc, result, "organisation", caller)
        attachments = []
        for file_id in (doc.file_ids or [])[1:]:
            if self.storage_rpc.get_file(token, file_id).get("kind") != "pdf":
                attachments.append(file_id)   # a spreadsheet or a Word file goes as it is
                continue
            signed = self.signing_rpc.sign_document_pdf(token, {
                "purpose": "attachment", "document_id": doc.id, "file_id": file_id,
                "user_id": caller.user_id, "unit_id": doc.unit_id,
                "certificate_id": result["certificate"]["id"],
                "reference": f"{doc.code_number}/{doc.code_notation}",
                "organisation_name": doc.organ_name})
            session.add(DocumentFile(document_id=doc.id, file_id=signed["file_id"]))
            self.history_of_checks(session, "outgoing_document", doc.id, [signed["file_id"]])
            attachments.append(signed["file_id"])
        doc.signed_attachment_ids = attachments

    def _signed_copy(self, caller, unit, data) -> str:
        """An electronic copy (bản sao điện tử, Phụ lục I Phần II §I): the copying unit's
        organisation signature on the copy's PDF, top right of page 1, with the copy form;
        the signed file's id."""
        result = self.signing_rpc.sign_document_pdf(self.identity.system_token(), {
            "purpose": "copy", "document_id": data["document_id"],
            "file_id": data["file_ids"][0], "user_id": caller.user_id, "unit_id": unit.id,
            "organisation_name": unit.name,
            "copy_form": vocabulary.name(vocabulary.COPY_FORM_NAMES, data["form"]).upper()})
        return result["file_id"]

    def _keep_signed(self, session, doc, result: dict, kind: str, caller) -> None:
        certificate = result["certificate"]
        doc.signed_file_id = result["file_id"]
        self.history_of_checks(session, "outgoing_document", doc.id, [result["file_id"]])
        doc.digital_signatures = list(doc.digital_signatures or []) + [{
            "kind": kind, "certificate_id": certificate["id"],
            "common_name": certificate["common_name"],
            "organisation": certificate.get("organisation"), "serial": certificate["serial"],
            "issuer": certificate["issuer"], "user_id": caller.user_id,
            "file_id": result["file_id"], "signed_at": result["signed_at"],
            "timestamped": result["timestamped"]}]
        session.add(DocumentFile(document_id=doc.id, file_id=result["file_id"]))

    @staticmethod
    def delivered_files(doc) -> list[str]:
        """What recipients get: the PDF with both signatures and the signed attachments
        in place of the draft's files, or the draft's files for a paper-signed one."""
        if not doc.signed_file_id:
            return list(doc.file_ids or [])
        return [doc.signed_file_id, *(doc.signed_attachment_ids or [])]

    @event_handler(events.SOURCE_SIGNING, events.SIGNATURE_VERIFIED)
    def on_signing_signature_verified(self, message):
        """The verification of a file's signatures goes into the history of each
        document holding the file (incoming: ND30 Điều 21.2.a, what the clerk checked),
        and is kept for documents that take the file later (history_of_checks).
        Idempotent by event_id and by file."""
        data = message["data"]
        with self.db.transaction() as session:
            if not first_delivery(session, processed, message["event_id"], VERIFIED_HANDLER) \
                    or session.get(FileSignatureCheck, data["file_id"]) is not None:
                return
            check = FileSignatureCheck(file_id=data["file_id"], status=data["status"],
                                       summary=data["summary"],
                                       signatures=data.get("signatures", []),
                                       checked_at=self.clock.now())
            session.add(check)
            holders = session.execute(select(DocumentFile.document_id).where(
                DocumentFile.file_id == data["file_id"])).scalars().all()
            for document_id in holders:
                if session.get(IncomingDocument, document_id) is not None:
                    self._audit_check(session, "incoming_document", document_id, check)
                    continue
                outgoing = session.get(OutgoingDocument, document_id)
                # a draft's own uploads are its drafter's business; its signed files are
                # the document's
                if outgoing is not None and data["file_id"] in signed_files(outgoing):
                    self._audit_check(session, "outgoing_document", document_id, check)

    def history_of_checks(self, session, kind: str, document_id: str, file_ids) -> None:
        """A document that takes files already verified gets their checks in its
        history (the check usually ends before the clerk registers the upload)."""
        for check in session.execute(select(FileSignatureCheck).where(
                FileSignatureCheck.file_id.in_(list(file_ids or [])))).scalars():
            self._audit_check(session, kind, document_id, check)

    def _audit_check(self, session, kind, document_id, check) -> None:
        self._audit(session, "signatures_verified", kind, document_id, "system:signing", {
            "file_id": check.file_id, "status": check.status, "summary": check.summary,
            "signatures": check.signatures})
