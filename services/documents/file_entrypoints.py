"""The documents service's entrypoints for stored files: who may download one (it belongs
to a document they may see) and who may attach one (they uploaded it, or may see a
document that holds it; storage says who uploaded it).

Mixed into DocumentsService; needs from the host: db, identity, storage_rpc, _audit and
_may_view (service.py)."""
from __future__ import annotations

from sqlalchemy import select

from services.common.errors import (EXPECTED_ERRORS, Forbidden, InvalidInput,
                                    Unauthenticated, not_found)
from services.common.rpc import rpc
from services.common.validation import Problems
from services.documents.models import (DocumentCopy, DocumentFile, IncomingDocument,
                                       OutgoingDocument)


class FileEntrypoints:

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def authorize_file(self, token, file_id):
        """Whether the caller may download a stored file: it belongs to a document they
        may see. Returns {file_id, document_id}. Errors: NotFound, Forbidden. The
        download is audited."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            rows = [doc for model in (IncomingDocument, OutgoingDocument, DocumentCopy)
                    for doc in session.execute(select(model).join(
                        DocumentFile, DocumentFile.document_id == model.id)
                        .where(DocumentFile.file_id == file_id)).scalars()]
            if not rows:
                raise not_found("tệp", "File", file_id)
            for doc in rows:
                if self._may_view(session, caller, doc):
                    self._audit(session, "download", "file", file_id, caller.user_id,
                                {"document_id": doc.id})
                    return {"file_id": file_id, "document_id": doc.id}
            self._audit(session, "download_denied", "file", file_id, caller.user_id, {})
        raise Forbidden("Bạn không có quyền tải tệp này.", "You may not download this file.")

    def _check_files(self, caller, file_ids):
        """Every attached file must exist in storage, be fully stored, and be the
        caller's to attach: they uploaded it (storage knows who did) or they may see a
        document that holds it — else a known file id would let anyone attach someone
        else's file and then download it. Asked before the write transaction opens, so
        no lock is held across the network. Returns each file's ``text_status`` as
        storage said it (for document_registered: search then asks storage only for a
        text it may have). Errors: InvalidInput (unknown or not stored), Forbidden (not
        the caller's)."""
        text_status = {}
        if not file_ids:
            return text_status
        problems = Problems()
        token = self.identity.system_token()
        foreign = []
        for file_id in file_ids:
            try:
                info = self.storage_rpc.get_file(token, file_id)
            except (InvalidInput, Forbidden, Unauthenticated):
                info = None
            except EXPECTED_ERRORS as exc:
                if exc.status == 404:
                    info = None
                else:
                    raise
            if info is None or info.get("status") != "stored":
                problems.add("file_ids", f"Tệp {file_id} không tồn tại hoặc chưa tải lên xong.",
                             f"File {file_id} does not exist or is not fully uploaded.")
            else:
                text_status[file_id] = info.get("text_status")
                if info.get("uploaded_by") != caller.user_id:
                    foreign.append(file_id)
        problems.raise_if_any()
        if foreign:
            with self.db.read() as session:
                refused = [f for f in foreign if self._visible_holder(session, caller, f) is None]
            if refused:
                raise Forbidden(
                    f"Không được đính kèm tệp {', '.join(refused)}: tệp không do bạn tải lên "
                    "và không thuộc văn bản bạn được xem.",
                    f"You may not attach {', '.join(refused)}: you did not upload it and it "
                    "belongs to no document you may see.")
        return text_status

    def _visible_holder(self, session, caller, file_id):
        """A document (incoming, outgoing or copy) holding the file that the caller may
        see, or None."""
        for model in (IncomingDocument, OutgoingDocument, DocumentCopy):
            for doc in session.execute(select(model).join(
                    DocumentFile, DocumentFile.document_id == model.id)
                    .where(DocumentFile.file_id == file_id)).scalars():
                if self._may_view(session, caller, doc):
                    return doc
        return None
