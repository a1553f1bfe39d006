"""The documents service's entrypoints for document types and registers (sổ): opening
registers with their own or a shared number series, listing them, printing them.
Mixed into DocumentsService, whose providers and helpers these use."""
from __future__ import annotations

import base64

from eventlet import tpool

from sqlalchemy import func, select

from services.common import vocabulary
from services.common import tables
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, TooLarge,
                                    invalid_fields, not_found)
from services.common.identity import ADMIN, CLERK, HEAD, UNIT_HEAD
from services.common.rpc import rpc
from services.common.validation import Problems
from services.documents import (copies, directory, domain, numbering, outgoing,
                                register_export, schemas)
from services.documents.models import (DocumentCopy, IncomingDocument, OutgoingDocument,
                                       Register, Unit)


MAX_EXPORT_BYTES = 25 * 1024 * 1024
EXPORT_TYPES = {"pdf": "application/pdf",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}




class RegisterEntrypoints:
    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_document_types(self, token):
        """The document types of ND30 Phụ lục III (and normative types received from
        other bodies): {items: [{key, name, abbreviation}]}."""
        self.identity.caller(token)
        return {"items": [{"key": key, "name": name, "abbreviation": abbreviation}
                          for key, (name, _, abbreviation)
                          in vocabulary.DOCUMENT_TYPES.items()]}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_register(self, token, payload):
        """Open a register (sổ) for a unit (its quản trị or văn thư): {unit_id, direction,
        year, name, document_types?: [type keys], share_counter_with?: register_id}.
        With share_counter_with the new register draws numbers from that register's
        series (one series for a group of types); otherwise it has its own series.
        Counters are per year, so every series restarts on 1 January.
        Returns the register. Errors: Forbidden, InvalidInput, Conflict (name in use)."""
        caller = self.identity.caller(token)
        data = directory.parse_register(payload, vocabulary.DOCUMENT_TYPES)
        if not caller.has_role(data["unit_id"], ADMIN, CLERK):
            raise Forbidden("Chỉ quản trị hoặc văn thư của đơn vị được mở sổ.",
                            "Only the unit's administrators or clerks may open registers.")
        with self.db.transaction() as session:
            share_with = None
            if data["share_counter_with"]:
                share_with = session.get(Register, data["share_counter_with"])
                if share_with is None or (share_with.unit_id, share_with.direction,
                                          share_with.year) != (data["unit_id"],
                                                               data["direction"], data["year"]):
                    raise invalid_fields({"share_counter_with": {
                        "vi": "Chỉ dùng chung số với sổ cùng đơn vị, chiều và năm.",
                        "en": "Only a register of the same unit, direction and year."}})
            if session.execute(select(Register.id).where(
                    Register.unit_id == data["unit_id"], Register.direction == data["direction"],
                    Register.year == data["year"], Register.name == data["name"])).first():
                raise Conflict("Đơn vị đã có sổ tên này trong năm.",
                               "The unit already has a register of this name this year.")
            register = numbering.create_register(
                session, data["unit_id"], data["direction"], data["year"], data["name"],
                data["document_types"], share_with)
            result = schemas.register_out(register)
            self._audit(session, "create", "register", register.id, caller.user_id,
                        {"after": result})
        return result

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_registers(self, token, params=None):
        """Registers (sổ) of the units the caller belongs to: params {unit_id,
        direction, year}. Returns {items: [register]}. Errors: Forbidden for a unit
        the caller does not belong to."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"unit_id", "direction", "year"})
        unit_id = problems.text(params, "unit_id", max_length=36)
        direction = problems.choice(params, "direction", ("incoming", "incoming_secret",
                                                          "outgoing", "outgoing_secret", "copy"))
        year = problems.integer(params, "year", minimum=1900, maximum=9999)
        problems.raise_if_any()
        if unit_id and not caller.system and not caller.is_member(unit_id):
            raise self._forbidden_unit()
        query = select(Register)
        query = query.where(Register.unit_id == unit_id) if unit_id else \
            query.where(Register.unit_id.in_(caller.unit_ids))
        if direction:
            query = query.where(Register.direction == direction)
        if year:
            query = query.where(Register.year == year)
        with self.db.read() as session:
            registers = session.execute(query.order_by(Register.year.desc(), Register.name))
            return {"items": [schemas.register_out(r) for r in registers.scalars()]}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def export_register(self, token, register_id, params=None):
        """The printable register (Sổ đăng ký văn bản đến or đi) for a period, with the
        ten ND30 columns: params {format: "pdf"|"xlsx", from, to} (arrival dates, or
        issue dates for an outgoing register; default the register's whole year).
        Returns {filename, content_type, content_base64, count}. The file is rendered
        here and returned in the reply (a register of a year is a few hundred kB); it is
        audited as a download.
        Errors: NotFound; Forbidden unless a văn thư, lãnh đạo or quản trị of the
        register's unit (secret documents need clearance); InvalidInput; TooLarge."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"format", "from", "to"})
        kind = problems.choice(params, "format", ("pdf", "xlsx"), default="pdf")
        date_from = problems.date(params, "from")
        date_to = problems.date(params, "to")
        if date_from and date_to and date_from > date_to:
            problems.add("to", "Ngày kết thúc trước ngày bắt đầu.", "The end is before the start.")
        problems.raise_if_any()
        with self.db.transaction() as session:
            register = session.get(Register, register_id) if isinstance(register_id, str) \
                else None
            if register is None:
                raise not_found("sổ đăng ký", "Register", register_id)
            if not caller.has_role(register.unit_id, CLERK, HEAD, UNIT_HEAD, ADMIN):
                raise Forbidden("Chỉ văn thư, lãnh đạo hoặc quản trị của đơn vị được in sổ.",
                                "Only the unit's clerks, leaders or administrators may print "
                                "its registers.")
            levels = [c for c in vocabulary.CONFIDENTIALITIES if caller.cleared_for(c)]
            if register.direction in (domain.INCOMING, domain.INCOMING_SECRET):
                model, day = IncomingDocument, func.date(IncomingDocument.arrival_date)
                render, layout = schemas.incoming_out, (register_export.INCOMING_COLUMNS,
                                                        register_export.INCOMING_WIDTHS)
                to_rows, prefix = register_export.incoming_rows, "so-den"
            elif register.direction in (outgoing.OUTGOING, outgoing.OUTGOING_SECRET):
                model, day = OutgoingDocument, OutgoingDocument.issued_date
                render, layout = schemas.outgoing_out, (register_export.OUTGOING_COLUMNS,
                                                        register_export.OUTGOING_WIDTHS)
                to_rows, prefix = register_export.outgoing_rows, "so-di"
            else:
                model, day = DocumentCopy, DocumentCopy.copied_date
                layout = (register_export.COPY_COLUMNS, register_export.COPY_WIDTHS)
                to_rows, prefix = register_export.copy_rows, "so-sao"

                def render(copy):
                    return copies.copy_out(copy, self._source_summary(
                        session, caller, self._find_document(session, copy.source_id)))
            query = select(model).where(model.register_id == register.id,
                                        model.confidentiality.in_(levels))
            if date_from:
                query = query.where(day >= date_from)
            if date_to:
                query = query.where(day <= date_to)
            docs = [render(d) for d in session.execute(query).scalars()]
            unit = session.get(Unit, register.unit_id)
            self._audit(session, "download", "register", register.id, caller.user_id,
                        {"format": kind, "from": str(date_from or ""), "to": str(date_to or ""),
                         "count": len(docs)})
        title = f"{register.name.upper()} — {unit.name}"
        start = date_from.strftime("%d/%m/%Y") if date_from else f"01/01/{register.year}"
        end = date_to.strftime("%d/%m/%Y") if date_to else f"31/12/{register.year}"
        period = f"Từ ngày {start} đến ngày {end}"
        rows = to_rows(docs)
        render_file = tables.to_pdf if kind == "pdf" else tables.to_xlsx
        content = tpool.execute(render_file, title, period, layout[0], rows, layout[1])
        if len(content) > MAX_EXPORT_BYTES:
            raise TooLarge("Sổ trong kỳ này quá lớn; hãy chọn khoảng thời gian ngắn hơn.",
                           "The register for this period is too large; choose a shorter one.")
        return {"filename": f"{prefix}-{register.year}-{register.id[:8]}.{kind}",
                "content_type": EXPORT_TYPES[kind], "count": len(docs),
                "content_base64": base64.b64encode(content).decode("ascii")}
