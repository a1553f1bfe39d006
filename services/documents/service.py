"""The documents service: system of record for the directory (units, users, roles),
registers and their counters, incoming and outgoing documents and copies (the latter
two's entrypoints in outgoing_entrypoints.py and copies_entrypoints.py), dossiers, and
the audit log."""
from __future__ import annotations

import base64
import uuid
from datetime import datetime, timedelta, timezone

from eventlet import tpool

from nameko.rpc import rpc
from sqlalchemy import func, or_, select

from services.common import events, tables
from services.common.db import Database, fetch_page
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, InvalidInput,
                                    TooLarge, Unauthenticated, invalid_fields, not_found)
from services.common.identity import ADMIN, CLERK, HEAD, UNIT_HEAD
from services.common.identity_provider import Identity
from services.common.outbox import add_event
from services.common.rpc import TimedRpc
from services.common.service_base import OutboxServiceBase
from services.common.validation import Problems, page_params
from services.documents import (audit, copies, directory, domain, dossiers, numbering,
                                outgoing, register_export, schemas)
from services.documents.intake import parse_incoming
from services.documents.models import (AuditEntry, DocumentCopy, DocumentFile, Dossier,
                                       DossierDocument, IncomingDocument, Membership,
                                       OutgoingDocument, Register, Unit, UnitChange, User,
                                       outbox)
from services.documents.copies_entrypoints import CopyEntrypoints
from services.documents.outgoing_entrypoints import OutgoingEntrypoints
from services.documents.passwords import hash_password, verify_password


MAX_EXPORT_BYTES = 25 * 1024 * 1024
EXPORT_TYPES = {"pdf": "application/pdf",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class DocumentsService(OutgoingEntrypoints, CopyEntrypoints, OutboxServiceBase):
    name = "documents"

    db = Database()
    identity = Identity()
    storage_rpc = TimedRpc("storage")
    outbox = outbox

    # ---------------------------------------------------------------- directory

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def authenticate(self, token, username, password):
        """Check a username and password (the gateway's login).

        Args: token — the gateway's system token; username; password.
        Returns: the user with memberships ({id, username, full_name, clearance,
        memberships: [{unit_id, role, unit_name}]}).
        Errors: Unauthenticated (401) for a wrong pair, an inactive user, or a caller
        that is not a service.
        """
        if not self.identity.caller(token).system:
            raise Unauthenticated("Chỉ cổng API được xác thực người dùng.",
                                  "Only the gateway may authenticate users.")
        if not isinstance(username, str) or not isinstance(password, str):
            raise Unauthenticated("Sai tên đăng nhập hoặc mật khẩu.",
                                  "Wrong username or password.")
        with self.db.read() as session:
            user = session.execute(select(User).where(
                User.username == username.strip().lower())).scalar_one_or_none()
        if not verify_password(user.password_hash if user else None, password) \
                or not user.active:
            raise Unauthenticated("Sai tên đăng nhập hoặc mật khẩu.",
                                  "Wrong username or password.")
        with self.db.transaction() as session:
            self._audit(session, "login", "user", user.id, user.id, {})
        return self._user_profile(user.id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_me(self, token):
        """The caller's profile: {id, username, full_name, clearance, memberships}."""
        caller = self.identity.caller(token)
        return self._user_profile(caller.user_id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_units(self, token, params=None):
        """Units, paged and filterable: params {parent_id, q, active ("true": units in
        force today, "false": closed ones), page, page_size}.
        Returns {items: [unit], total, page, page_size}. The directory is public to
        every signed-in user (it is how recipients are chosen)."""
        self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"parent_id", "q", "active", "page", "page_size"})
        page, page_size = page_params(problems, params)
        parent_id = problems.text(params, "parent_id", max_length=36)
        text = problems.text(params, "q", max_length=200)
        active = problems.choice(params, "active", ("true", "false"))
        problems.raise_if_any()
        query = select(Unit)
        if parent_id:
            query = query.where(Unit.parent_id == parent_id)
        if active is not None:   # units closed by a merger have a valid_to in the past
            still = or_(Unit.valid_to.is_(None), Unit.valid_to >= domain.today())
            query = query.where(still if active == "true" else ~still)
        if text:
            query = query.where(Unit.name.ilike(f"%{text}%"))
        with self.db.read() as session:
            total, units = fetch_page(session, query.order_by(Unit.level, Unit.name),
                                      page, page_size)
            units = units.scalars()
            items = [schemas.unit_out(u) for u in units]
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_unit(self, token, unit_id):
        """One unit by id. Errors: NotFound."""
        self.identity.caller(token)
        with self.db.read() as session:
            unit = session.get(Unit, unit_id) if isinstance(unit_id, str) else None
            if unit is None:
                raise not_found("đơn vị", "Unit", unit_id)
            return schemas.unit_out(unit)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_unit(self, token, payload):
        """Add a unit to the tree (administrators): {organ_id?, parent_id?, name,
        abbreviation?, level, valid_from?}. Returns the unit. Errors: Forbidden;
        InvalidInput (bad fields, unknown parent); Conflict (mã định danh in use)."""
        caller = self._require_admin(token)
        unit_input = directory.parse_unit(payload)
        with self.db.transaction() as session:
            if unit_input["parent_id"] and session.get(Unit, unit_input["parent_id"]) is None:
                raise invalid_fields({"parent_id": {"vi": "Không có đơn vị cấp trên này.",
                                                    "en": "No such parent unit."}})
            if unit_input["organ_id"] and session.execute(select(Unit.id).where(
                    Unit.organ_id == unit_input["organ_id"])).first():
                raise Conflict("Mã định danh đã được dùng cho đơn vị khác.",
                               "This mã định danh is already used by another unit.")
            unit = Unit(id=str(uuid.uuid4()), **unit_input)
            session.add(unit)
            session.flush()
            result = schemas.unit_out(unit)
            self._audit(session, "create", "unit", unit.id, caller.user_id, {"after": result})
        return result

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def rename_unit(self, token, unit_id, payload):
        """Rename a unit from a date (administrators): {name, abbreviation?,
        effective_date}. The old name stays in its history. Returns the unit.
        Errors: Forbidden, NotFound, InvalidInput, Conflict for a closed unit."""
        caller = self._require_admin(token)
        change = directory.parse_rename(payload)
        with self.db.transaction() as session:
            unit = self._open_unit(session, unit_id)
            before = {"name": unit.name, "abbreviation": unit.abbreviation}
            unit.name = change["name"]
            if change["abbreviation"] is not None:
                unit.abbreviation = change["abbreviation"]
            after = {"name": unit.name, "abbreviation": unit.abbreviation}
            session.add(UnitChange(unit_id=unit.id, kind="renamed",
                                   effective_date=change["effective_date"],
                                   details={"before": before, "after": after},
                                   recorded_by=caller.user_id,
                                   recorded_at=datetime.now(timezone.utc)))
            self._audit(session, "rename", "unit", unit.id, caller.user_id,
                        {"before": before, "after": after})
            return schemas.unit_out(unit)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def merge_units(self, token, payload):
        """Merge units into another from a date (administrators): {unit_ids,
        into_unit_id, effective_date}. Merged units close (valid_to = the day before),
        keep their documents and registers, and their children move to the successor.
        Returns {successor, merged: [unit]}. Errors: Forbidden, NotFound, InvalidInput,
        Conflict for a unit already closed."""
        caller = self._require_admin(token)
        merge = directory.parse_merge(payload)
        closing = merge["effective_date"] - timedelta(days=1)
        with self.db.transaction() as session:
            successor = self._open_unit(session, merge["into_unit_id"])
            merged = [self._open_unit(session, unit_id) for unit_id in merge["unit_ids"]]
            for unit in merged:
                unit.valid_to = closing
                for child in session.execute(select(Unit).where(
                        Unit.parent_id == unit.id, Unit.valid_to.is_(None))).scalars():
                    child.parent_id = successor.id
                session.add(UnitChange(unit_id=unit.id, kind="merged_into",
                                       effective_date=merge["effective_date"],
                                       details={"successor_id": successor.id,
                                                "successor_name": successor.name},
                                       recorded_by=caller.user_id,
                                       recorded_at=datetime.now(timezone.utc)))
            session.add(UnitChange(unit_id=successor.id, kind="absorbed",
                                   effective_date=merge["effective_date"],
                                   details={"merged": [{"id": u.id, "name": u.name}
                                                       for u in merged]},
                                   recorded_by=caller.user_id,
                                   recorded_at=datetime.now(timezone.utc)))
            self._audit(session, "merge", "unit", successor.id, caller.user_id,
                        {"merged": [u.id for u in merged],
                         "effective_date": merge["effective_date"].isoformat()})
            return {"successor": schemas.unit_out(successor),
                    "merged": [schemas.unit_out(u) for u in merged]}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_unit_history(self, token, unit_id):
        """A unit's changes, oldest first: {unit, changes: [{kind, effective_date,
        details, recorded_at}]}. Errors: NotFound."""
        self.identity.caller(token)
        with self.db.read() as session:
            unit = session.get(Unit, unit_id) if isinstance(unit_id, str) else None
            if unit is None:
                raise not_found("đơn vị", "Unit", unit_id)
            changes = session.execute(select(UnitChange).where(UnitChange.unit_id == unit.id)
                                      .order_by(UnitChange.effective_date, UnitChange.id))
            return {"unit": schemas.unit_out(unit), "changes": [
                {"kind": c.kind, "effective_date": c.effective_date.isoformat(),
                 "details": c.details, "recorded_at": c.recorded_at.isoformat()}
                for c in changes.scalars()]}

    def _open_unit(self, session, unit_id):
        unit = session.get(Unit, unit_id) if isinstance(unit_id, str) else None
        if unit is None:
            raise not_found("đơn vị", "Unit", unit_id)
        if unit.valid_to is not None:
            raise Conflict(f"Đơn vị {unit.name} đã ngừng hoạt động từ {unit.valid_to}.",
                           f"Unit {unit.name} was closed on {unit.valid_to}.")
        return unit

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_users(self, token, params=None):
        """Users with their roles: params {unit_id, q, page, page_size}. Administrators
        see everyone; others see the members of their own units. Returns a page."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"unit_id", "q", "page", "page_size"})
        page, page_size = page_params(problems, params)
        unit_id = problems.text(params, "unit_id", max_length=36)
        text = problems.text(params, "q", max_length=100)
        problems.raise_if_any()
        is_admin = caller.has_role_anywhere(ADMIN)
        if unit_id and not is_admin and not caller.is_member(unit_id):
            raise self._forbidden_unit()
        query = select(User)
        units = [unit_id] if unit_id else (None if is_admin else sorted(caller.unit_ids))
        if units is not None:
            query = query.where(User.id.in_(select(Membership.user_id)
                                            .where(Membership.unit_id.in_(units))))
        if text:
            query = query.where(User.full_name.ilike(f"%{text}%")
                                | User.username.ilike(f"%{text}%"))
        with self.db.read() as session:
            total, users = fetch_page(session, query.order_by(User.username), page, page_size)
            items = self._profiles(session, users.scalars().all())
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_user(self, token, payload):
        """Create a user with roles per unit (administrators): {username, full_name,
        position?, password (≥ 10 characters), clearance?, memberships: [{unit_id,
        role}]}. Returns the profile. Errors: Forbidden; InvalidInput; Conflict for a
        username in use."""
        caller = self._require_admin(token)
        user_input = directory.parse_user(payload)
        password_hash = hash_password(user_input.pop("password"))
        memberships = user_input.pop("memberships")
        with self.db.transaction() as session:
            if session.execute(select(User.id).where(
                    User.username == user_input["username"])).first():
                raise Conflict("Tên đăng nhập đã có người dùng.", "This username is taken.")
            self._refuse_unknown_units(session, memberships)
            user = User(id=str(uuid.uuid4()), password_hash=password_hash, active=True,
                        **user_input)
            session.add(user)
            session.flush()
            session.add_all(Membership(user_id=user.id, **m) for m in memberships)
            self._audit(session, "create", "user", user.id, caller.user_id,
                        {"after": user_input | {"memberships": memberships}})
        return self._user_profile(user.id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def set_user_memberships(self, token, user_id, payload):
        """Replace a user's roles (administrators): {memberships: [{unit_id, role}]}, for
        a person who moves between units or changes duties. What they saw through their
        old units they no longer see, except through dossiers they opened. Takes effect
        at their next sign-in (tokens carry the roles for at most their lifetime).
        Returns the profile. Errors: Forbidden; NotFound; InvalidInput (unknown units)."""
        caller = self._require_admin(token)
        memberships = directory.parse_membership_change(payload)
        with self.db.transaction() as session:
            user = session.get(User, user_id) if isinstance(user_id, str) else None
            if user is None:
                raise not_found("người dùng", "User", user_id)
            self._refuse_unknown_units(session, memberships)
            before = [{"unit_id": m.unit_id, "role": m.role} for m in session.execute(
                select(Membership).where(Membership.user_id == user.id)).scalars()]
            session.execute(Membership.__table__.delete().where(
                Membership.user_id == user.id))
            session.add_all(Membership(user_id=user.id, **m) for m in memberships)
            self._audit(session, "change_roles", "user", user.id, caller.user_id,
                        {"before": before, "after": memberships})
        return self._user_profile(user.id)

    @staticmethod
    def _refuse_unknown_units(session, memberships):
        known = set(session.execute(select(Unit.id).where(
            Unit.id.in_({m["unit_id"] for m in memberships}))).scalars())
        unknown = sorted({m["unit_id"] for m in memberships} - known)
        if unknown:
            raise invalid_fields({"memberships": {
                "vi": f"Không có đơn vị: {', '.join(unknown)}.",
                "en": f"Unknown units: {', '.join(unknown)}."}})

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_document_types(self, token):
        """The document types of ND30 Phụ lục III (and normative types received from
        other bodies): {items: [{key, name, abbreviation}]}."""
        self.identity.caller(token)
        return {"items": [{"key": key, "name": name, "abbreviation": abbreviation}
                          for key, (name, abbreviation) in domain.DOCUMENT_TYPES.items()]}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_register(self, token, payload):
        """Open a register (sổ) for a unit (its quản trị or văn thư): {unit_id, direction,
        year, name, document_types?: [type keys], share_counter_with?: register_id}.
        With share_counter_with the new register draws numbers from that register's
        series (one series for a group of types); otherwise it has its own series.
        Counters are per year, so every series restarts on 1 January.
        Returns the register. Errors: Forbidden, InvalidInput, Conflict (name in use)."""
        caller = self.identity.caller(token)
        data = directory.parse_register(payload, domain.DOCUMENT_TYPES)
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
            levels = [c for c in domain.CONFIDENTIALITIES if caller.cleared_for(c)]
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

    # ---------------------------------------------------------------- dossiers

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_dossier(self, token, payload):
        """Open a hồ sơ in a unit's danh mục of a year: {unit_id, year, notation, title,
        maintenance ("permanent" | years), rights?, language?, description?}. Any role in
        the unit may open one (whoever handles a matter opens its hồ sơ, ND30 Điều 4.2.đ).
        Returns the dossier with its file_code. Errors: Forbidden, InvalidInput,
        Conflict (the notation is taken in that unit and year)."""
        caller = self.identity.caller(token)
        data = dossiers.parse_dossier(payload)
        if not caller.is_member(data["unit_id"]):
            raise self._forbidden_unit()
        with self.db.transaction() as session:
            unit = session.get(Unit, data["unit_id"])
            if unit is None:
                raise not_found("đơn vị", "Unit", data["unit_id"])
            if session.execute(select(Dossier.id).where(
                    Dossier.unit_id == unit.id, Dossier.year == data["year"],
                    Dossier.notation == data["notation"])).first():
                raise Conflict("Đơn vị đã có hồ sơ số, ký hiệu này trong năm.",
                               "The unit already has a dossier with this notation this year.")
            dossier = Dossier(id=str(uuid.uuid4()), organ_id=unit.organ_id or unit.id[:35],
                              creator_id=caller.user_id, creator_name=caller.full_name[:100],
                              state=dossiers.OPEN, opened_at=datetime.now(timezone.utc),
                              **data)
            session.add(dossier)
            session.flush()
            result = self._dossier_out(session, dossier)
            self._audit(session, "create", "dossier", dossier.id, caller.user_id,
                        {"after": {k: v for k, v in result.items() if k != "documents"}})
        return result

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_dossiers(self, token, params=None):
        """The danh mục hồ sơ of the caller's units: params {unit_id, year, state, page,
        page_size}. Returns a page of dossiers (without their documents)."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"unit_id", "year", "state", "page", "page_size"})
        page, page_size = page_params(problems, params)
        unit_id = problems.text(params, "unit_id", max_length=36)
        year = problems.integer(params, "year", minimum=1945, maximum=2100)
        state = problems.choice(params, "state", (dossiers.OPEN, dossiers.CLOSED))
        problems.raise_if_any()
        if unit_id and not caller.is_member(unit_id):
            raise self._forbidden_unit()
        query = select(Dossier).where(Dossier.unit_id.in_([unit_id] if unit_id
                                                          else sorted(caller.unit_ids)))
        if year:
            query = query.where(Dossier.year == year)
        if state:
            query = query.where(Dossier.state == state)
        with self.db.read() as session:
            total, rows = fetch_page(session, query.order_by(Dossier.year.desc(),
                                                             Dossier.notation), page, page_size)
            rows = rows.scalars()
            items = [self._dossier_out(session, d, with_documents=False) for d in rows]
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_dossier(self, token, dossier_id):
        """A dossier with its documents in order. Errors: NotFound, Forbidden."""
        caller = self.identity.caller(token)
        with self.db.read() as session:
            dossier = self._visible_dossier(session, caller, dossier_id)
            return self._dossier_out(session, dossier, caller=caller)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def add_to_dossier(self, token, dossier_id, document_id):
        """File a document in an open dossier (a reference, not a copy: one document may
        be in several dossiers). Returns the dossier. Errors: NotFound, Forbidden (the
        dossier's unit, or a document the caller may not see), Conflict (closed, or
        already filed, or full)."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            dossier = self._visible_dossier(session, caller, dossier_id)
            self._require_open(dossier)
            doc = self._find_document(session, document_id)
            if not self._may_view(session, caller, doc):
                raise Forbidden("Bạn không có quyền với văn bản này.",
                                "You may not see this document.")
            if isinstance(doc, OutgoingDocument) and doc.state not in outgoing.NUMBERED_STATES:
                raise Conflict("Chỉ đưa vào hồ sơ văn bản đi đã cấp số.",
                               "Only a numbered outgoing document can be filed.")
            filed = session.execute(select(DossierDocument).where(
                DossierDocument.dossier_id == dossier.id)).scalars().all()
            if any(f.document_id == doc.id for f in filed):
                raise Conflict("Văn bản đã có trong hồ sơ.", "The document is already filed here.")
            if len(filed) >= dossiers.MAX_DOCUMENTS:
                raise Conflict("Hồ sơ đã đủ 999 văn bản.", "The dossier holds 999 documents.")
            session.add(DossierDocument(dossier_id=dossier.id, document_id=doc.id,
                                        direction=self._direction_of(doc),
                                        ordinal=max([f.ordinal for f in filed] or [0]) + 1,
                                        added_by=caller.user_id,
                                        added_at=datetime.now(timezone.utc)))
            session.flush()
            self._audit(session, "file", "dossier", dossier.id, caller.user_id,
                        {"document_id": doc.id})
            return self._dossier_out(session, dossier, caller=caller)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def remove_from_dossier(self, token, dossier_id, document_id):
        """Take a document out of an open dossier; the others keep their order numbers
        closed up. Returns the dossier. Errors: NotFound, Forbidden, Conflict."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            dossier = self._visible_dossier(session, caller, dossier_id)
            self._require_open(dossier)
            filed = session.execute(select(DossierDocument).where(
                DossierDocument.dossier_id == dossier.id)
                .order_by(DossierDocument.ordinal)).scalars().all()
            target = next((f for f in filed if f.document_id == document_id), None)
            if target is None:
                raise not_found("văn bản trong hồ sơ", "Filed document", document_id)
            session.delete(target)
            session.flush()
            for number, item in enumerate((f for f in filed if f is not target), start=1):
                item.ordinal = number
            self._audit(session, "unfile", "dossier", dossier.id, caller.user_id,
                        {"document_id": document_id})
            return self._dossier_out(session, dossier, caller=caller)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def close_dossier(self, token, dossier_id):
        """Close (kết thúc) a dossier: nothing is added or removed afterwards. Returns it
        with its totals. Errors: NotFound, Forbidden, Conflict (already closed, or
        empty)."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            dossier = self._visible_dossier(session, caller, dossier_id)
            self._require_open(dossier)
            if not session.execute(select(DossierDocument.document_id).where(
                    DossierDocument.dossier_id == dossier.id)).first():
                raise Conflict("Không kết thúc hồ sơ rỗng.", "An empty dossier cannot be closed.")
            dossier.state, dossier.closed_at = dossiers.CLOSED, datetime.now(timezone.utc)
            self._audit(session, "close", "dossier", dossier.id, caller.user_id, {})
            return self._dossier_out(session, dossier, caller=caller)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def export_dossier(self, token, dossier_id, params=None):
        """A dossier as XML of the Phụ lục VI fields (format=xml) or as a PDF of its table
        of contents (format=pdf). Returns {filename, content_type, content_base64}.
        Audited as a download. Errors: NotFound, Forbidden, InvalidInput."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"format"})
        kind = problems.choice(params, "format", ("pdf", "xml"), default="pdf")
        problems.raise_if_any()
        with self.db.transaction() as session:
            dossier = self._visible_dossier(session, caller, dossier_id)
            data = self._dossier_out(session, dossier, caller=caller)
            self._audit(session, "download", "dossier", dossier.id, caller.user_id,
                        {"format": kind})
        listed = [d for d in data["documents"] if not d.get("withheld")]
        if kind == "xml":
            content = dossiers.to_xml(data, listed)
            content_type = "application/xml"
        else:
            subtitle = (f"Mã hồ sơ {data['file_code']} · Thời hạn bảo quản: "
                        f"{data['maintenance']} · {data['doc_total']} văn bản, "
                        f"{data['page_total']} trang")
            content = tpool.execute(tables.to_pdf,
                                    f"MỤC LỤC VĂN BẢN — {data['title']}", subtitle,
                                    dossiers.TOC_COLUMNS, dossiers.toc_rows(listed),
                                    dossiers.TOC_WIDTHS)
            content_type = "application/pdf"
        return {"filename": f"ho-so-{data['file_code']}.{kind}", "content_type": content_type,
                "count": data["doc_total"],
                "content_base64": base64.b64encode(content).decode("ascii")}

    def _visible_dossier(self, session, caller, dossier_id):
        dossier = session.get(Dossier, dossier_id) if isinstance(dossier_id, str) else None
        if dossier is None:
            raise not_found("hồ sơ", "Dossier", dossier_id)
        if not caller.system and not caller.is_member(dossier.unit_id):
            raise Forbidden("Hồ sơ thuộc đơn vị khác.", "The dossier belongs to another unit.")
        return dossier

    @staticmethod
    def _require_open(dossier):
        if dossier.state != dossiers.OPEN:
            raise Conflict("Hồ sơ đã kết thúc.", "The dossier is closed.")

    def _dossier_out(self, session, dossier, with_documents=True, caller=None):
        out = {"id": dossier.id, "unit_id": dossier.unit_id, "organ_id": dossier.organ_id,
               "year": dossier.year, "notation": dossier.notation,
               "file_code": dossiers.file_code(dossier.organ_id, dossier.year, dossier.notation),
               "title": dossier.title, "maintenance": dossier.maintenance,
               "rights": dossier.rights, "language": dossier.language,
               "description": dossier.description, "creator_name": dossier.creator_name,
               "state": dossier.state, "opened_at": dossier.opened_at.isoformat(),
               "closed_at": dossier.closed_at.isoformat() if dossier.closed_at else None}
        documents = []
        for model, render in ((IncomingDocument, schemas.incoming_out),
                              (OutgoingDocument, schemas.outgoing_out)):
            documents += [render(doc) | {"ordinal": filed.ordinal}
                          for filed, doc in session.execute(
                              select(DossierDocument, model).join(
                                  model, model.id == DossierDocument.document_id)
                              .where(DossierDocument.dossier_id == dossier.id)).all()]
        documents.sort(key=lambda d: d["ordinal"])
        out |= dossiers.summary(documents)
        if with_documents:
            # A secret document stays listed by number only for callers without clearance.
            out["documents"] = [d if caller is None or caller.cleared_for(d["confidentiality"])
                                else {"id": d["id"], "ordinal": d["ordinal"],
                                      "confidentiality": d["confidentiality"], "withheld": True}
                                for d in documents]
        return out

    # ---------------------------------------------------------------- incoming

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def register_incoming(self, token, payload):
        """Register an incoming document (văn bản đến) and give it the next số đến of
        its register (the unit's incoming register of the year, or the secret one).

        Args: token; payload as in API.md "Registering an incoming document".
        Returns: the document, with arrival_number, arrival_date, register_id, state.
        Errors: InvalidInput (400) for bad fields or files that are not stored;
        Forbidden (403) unless the caller is a clerk (văn thư) of the unit;
        NotFound (404) for an unknown unit; Conflict (409) for a duplicate (issuer,
        số, ký hiệu, year) unless ``confirm_duplicate`` is true.
        Events: document_registered (through the outbox).
        """
        caller = self.identity.caller(token)
        data = parse_incoming(payload, domain.today())
        if not domain.may_register_incoming(caller, data.unit_id):
            raise Forbidden("Chỉ văn thư của đơn vị được vào sổ văn bản đến.",
                            "Only a clerk of the unit may register its incoming documents.")
        self._check_files(data.file_ids)
        now = datetime.now(timezone.utc)
        key = domain.issuer_key(data.issuer_organ_id, data.issuer_name)
        direction = domain.register_direction(data.confidentiality)
        with self.db.transaction() as session:
            unit = session.get(Unit, data.unit_id)
            if unit is None:
                raise not_found("đơn vị", "Unit", data.unit_id)
            if unit.valid_to is not None and unit.valid_to < domain.today():
                raise Conflict(f"Đơn vị {unit.name} đã ngừng hoạt động từ {unit.valid_to}; "
                               "hãy vào sổ của đơn vị kế thừa.",
                               f"Unit {unit.name} closed on {unit.valid_to}; register into "
                               "its successor.")
            if not data.confirm_duplicate:
                self._refuse_duplicate(session, data, key)
            register = self._register_for(session, data, direction, now.year)
            number = numbering.next_number(session, register)
            doc = IncomingDocument(
                id=str(uuid.uuid4()), unit_id=unit.id, register_id=register.id,
                year=register.year, arrival_number=number, arrival_date=now,
                code_number=data.code_number, code_number_value=data.code_number_value,
                code_notation=data.code_notation, issued_date=data.issued_date,
                issued_year=data.issued_date.year, issuer_organ_id=data.issuer_organ_id,
                issuer_name=data.issuer_name, issuer_key=key,
                document_type=data.document_type, subject=data.subject,
                language=data.language, page_amount=data.page_amount,
                description=data.description, signer_position=data.signer_position,
                signer_full_name=data.signer_full_name, urgency=data.urgency,
                confidentiality=data.confidentiality, due_date=data.due_date,
                to_places=data.to_places, file_ids=data.file_ids,
                state=domain.STATE_REGISTERED, registered_by=caller.user_id, created_at=now)
            session.add(doc)
            session.flush()   # the document row first: document_files refers to it
            session.add_all(DocumentFile(document_id=doc.id, file_id=f) for f in data.file_ids)
            result = schemas.incoming_out(doc, unit.name)
            leaders = domain.leaders_of(session.execute(
                select(Membership.user_id, Membership.role)
                .where(Membership.unit_id == unit.id)).all())
            self._audit(session, "register", "incoming_document", doc.id, caller.user_id,
                        {"after": result, "duplicate_confirmed": data.confirm_duplicate})
            add_event(session, outbox, events.DOCUMENT_REGISTERED,
                      schemas.registered_event(result, leaders))
        self.flush_outbox()
        return result

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_incoming(self, token, document_id):
        """One incoming document. Errors: NotFound; Forbidden when the caller has no
        reason to see it (the attempt is audited). Every view is audited."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            doc = session.get(IncomingDocument, document_id) \
                if isinstance(document_id, str) else None
            if doc is None:
                raise not_found("văn bản", "Document", document_id)
            allowed = self._may_view(session, caller, doc)
            self._audit(session, "view" if allowed else "view_denied", "incoming_document",
                        doc.id, caller.user_id, {})
            if not allowed:
                result = None
            else:
                unit = session.get(Unit, doc.unit_id)
                result = schemas.incoming_out(doc, unit.name if unit else None)
        if result is None:
            raise Forbidden("Bạn không có quyền xem văn bản này.",
                            "You may not see this document.")
        return result

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_incoming(self, token, params=None):
        """Incoming documents of the caller's units, newest first.

        params: {unit_id, state, from, to (arrival dates), page, page_size}.
        Returns {items, total, page, page_size}. Secret documents are listed only to
        users cleared for their level. Errors: InvalidInput; Forbidden for a unit the
        caller does not belong to."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"unit_id", "state", "from", "to", "page", "page_size"})
        page, page_size = page_params(problems, params)
        unit_id = problems.text(params, "unit_id", max_length=36)
        state = problems.text(params, "state", max_length=30)
        date_from = problems.date(params, "from")
        date_to = problems.date(params, "to")
        problems.raise_if_any()
        if unit_id and not caller.is_member(unit_id):
            raise self._forbidden_unit()
        units = [unit_id] if unit_id else sorted(caller.unit_ids)
        levels = [c for c in domain.CONFIDENTIALITIES if caller.cleared_for(c)]
        query = select(IncomingDocument).where(IncomingDocument.unit_id.in_(units),
                                               IncomingDocument.confidentiality.in_(levels))
        if state:
            query = query.where(IncomingDocument.state == state)
        if date_from:
            query = query.where(func.date(IncomingDocument.arrival_date) >= date_from)
        if date_to:
            query = query.where(func.date(IncomingDocument.arrival_date) <= date_to)
        with self.db.read() as session:
            total, docs = fetch_page(session, query.order_by(
                IncomingDocument.arrival_date.desc(), IncomingDocument.arrival_number.desc()),
                page, page_size)
            docs = docs.scalars()
            names = dict(session.execute(
                select(Unit.id, Unit.name).where(Unit.id.in_(units))).all())
            items = [schemas.incoming_out(d, names.get(d.unit_id)) for d in docs]
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def user_names(self, token, user_ids):
        """Full names of users by id (the directory is visible to signed-in users):
        {user_id: full_name}; unknown ids are left out. At most 500 ids."""
        self.identity.caller(token)
        if not isinstance(user_ids, list) or len(user_ids) > 500 or \
                not all(isinstance(u, str) for u in user_ids):
            raise invalid_fields({"user_ids": {"vi": "Tối đa 500 mã người dùng.",
                                               "en": "At most 500 user ids."}})
        with self.db.read() as session:
            return dict(session.execute(select(User.id, User.full_name).where(
                User.id.in_(set(user_ids)))).all())

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
            events = [{"at": e.at, "actor_id": e.actor_id, "action": e.action,
                       "details": {k: v for k, v in (e.details or {}).items() if k != "after"}}
                      for e in session.execute(select(AuditEntry).where(
                          AuditEntry.object_id == doc.id,
                          AuditEntry.action.not_in(("view", "download")),
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
            names = dict(session.execute(select(User.id, User.full_name).where(
                User.id.in_({e["actor_id"] for e in events}))).all())
        events.sort(key=lambda e: e["at"].isoformat())
        return {"document_id": doc.id, "document": {
                    "direction": self._direction_of(doc), "code_number": doc.code_number,
                    "code_notation": doc.code_notation, "subject": doc.subject,
                    "unit_id": doc.unit_id},
                "events": [
            e | {"at": e["at"].isoformat(), "actor_name": names.get(e["actor_id"], e["actor_id"])}
            for e in events]}

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

    # ---------------------------------------------------------------- audit

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_audit(self, token, params=None):
        """Audit entries, newest first, for administrators: params {object_id, actor_id,
        action, page, page_size}. Returns {items: [{seq, at, actor_id, action,
        object_type, object_id, details, request_id, hash}], total, page, page_size}.
        Errors: Forbidden for anyone but a quản trị."""
        self._require_admin(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"object_id", "actor_id", "action", "page", "page_size"})
        page, page_size = page_params(problems, params)
        filters = {name: problems.text(params, name, max_length=64)
                   for name in ("object_id", "actor_id", "action")}
        problems.raise_if_any()
        query = select(AuditEntry)
        for name, value in filters.items():
            if value:
                query = query.where(getattr(AuditEntry, name) == value)
        with self.db.read() as session:
            total, rows = fetch_page(session, query.order_by(AuditEntry.seq.desc()), page,
                                     page_size)
            rows = rows.scalars()
            items = [{"seq": e.seq, "at": e.at.isoformat(), "actor_id": e.actor_id,
                      "action": e.action, "object_type": e.object_type,
                      "object_id": e.object_id, "details": e.details,
                      "request_id": e.request_id, "hash": e.hash} for e in rows]
        return {"items": items, "total": total, "page": page, "page_size": page_size}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def verify_audit(self, token):
        """Check the audit hash chain from its first entry. Returns {intact, checked,
        first_broken: null | {seq, id, reason}}. Errors: Forbidden unless quản trị."""
        self._require_admin(token)
        with self.db.read() as session:
            return audit.verify(session)

    def _require_admin(self, token):
        caller = self.identity.caller(token)
        if not caller.has_role_anywhere(ADMIN):
            raise Forbidden("Chỉ quản trị hệ thống được xem nhật ký.",
                            "Only administrators may read the audit log.")
        return caller

    # ---------------------------------------------------------------- helpers

    def _check_files(self, file_ids):
        """Every attached file must exist in storage and be fully stored. Asked before
        the write transaction opens, so no lock is held across the network."""
        if not file_ids:
            return
        problems = Problems()
        token = self.identity.system_token()
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
        problems.raise_if_any()

    def _refuse_duplicate(self, session, data, key):
        """ND30 Phụ lục VI §III.1.h: warn on the same issuer, số and ký hiệu in a year."""
        existing = session.execute(select(IncomingDocument.id, IncomingDocument.arrival_number)
                                   .where(IncomingDocument.unit_id == data.unit_id,
                                          IncomingDocument.issuer_key == key,
                                          IncomingDocument.code_number_value
                                          == data.code_number_value,
                                          IncomingDocument.code_notation == data.code_notation,
                                          IncomingDocument.issued_year
                                          == data.issued_date.year)).first()
        if existing:
            raise Conflict(
                f"Văn bản số {data.code_number}/{data.code_notation} của {data.issuer_name} "
                f"năm {data.issued_date.year} đã được vào sổ (số đến {existing.arrival_number}). "
                "Gửi lại với confirm_duplicate=true nếu đúng là văn bản khác.",
                f"Document {data.code_number}/{data.code_notation} from {data.issuer_name} "
                f"({data.issued_date.year}) is already registered (arrival number "
                f"{existing.arrival_number}). Send again with confirm_duplicate=true if it "
                "really is another document.",
                {"duplicate_of": existing.id})

    def _register_for(self, session, data, direction, year):
        if data.register_id:
            register = session.get(Register, data.register_id)
            if register is None or register.unit_id != data.unit_id \
                    or register.direction != direction or register.year != year:
                raise InvalidInput(
                    "Sổ đăng ký không thuộc đơn vị, chiều văn bản hoặc năm hiện tại.",
                    "The register is not this unit's, this direction's or this year's.",
                    {"register_id": {"vi": "Sổ không phù hợp.", "en": "Wrong register."}})
            if register.document_types and data.document_type not in register.document_types:
                raise InvalidInput(
                    "Sổ này không nhận loại văn bản đã chọn.",
                    "This register does not take this document type.",
                    {"register_id": {"vi": "Sổ không nhận loại văn bản này.",
                                     "en": "Wrong register for this document type."}})
            return register
        return numbering.register_for_type(session, data.unit_id, direction, year,
                                           data.document_type)

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

    @staticmethod
    def _may_view(session, caller, doc) -> bool:
        """The permission rule (domain.may_view_document) with what this service knows:
        the caller's units and clearance, and whether a dossier the caller opened holds
        the document (asked only when no other reason applies)."""
        if domain.may_view_document(caller, doc.unit_id, doc.confidentiality):
            return True
        if caller.system or not caller.cleared_for(doc.confidentiality):
            return False
        owns = session.execute(select(DossierDocument.document_id).join(
            Dossier, Dossier.id == DossierDocument.dossier_id).where(
            DossierDocument.document_id == doc.id,
            Dossier.creator_id == caller.user_id)).first() is not None
        return domain.may_view_document(caller, doc.unit_id, doc.confidentiality,
                                        owns_dossier=owns)

    def _user_profile(self, user_id):
        with self.db.read() as session:
            user = session.get(User, user_id)
            if user is None:
                raise not_found("người dùng", "User", user_id)
            return self._profiles(session, [user])[0]

    @staticmethod
    def _profiles(session, users):
        """Users with their memberships and unit names, in two queries for any number."""
        memberships = session.execute(select(Membership).where(
            Membership.user_id.in_([u.id for u in users])).order_by(Membership.id)).scalars()
        by_user: dict[str, list] = {}
        for membership in memberships:
            by_user.setdefault(membership.user_id, []).append(membership)
        units = {u.id: u for u in session.execute(select(Unit).where(Unit.id.in_(
            {m.unit_id for ms in by_user.values() for m in ms}))).scalars()}
        return [schemas.user_out(u, by_user.get(u.id, []), units) for u in users]

    def _audit(self, session, action, object_type, object_id, actor_id, details):
        audit.record(session, actor_id=actor_id, action=action, object_type=object_type,
                     object_id=object_id, details=details, request_id=self.request_id)

    @staticmethod
    def _forbidden_unit():
        return Forbidden("Bạn không thuộc đơn vị này.", "You do not belong to this unit.")
