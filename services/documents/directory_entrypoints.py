"""The documents service's entrypoints for the directory: signing in, units and their
history, users and their roles. Mixed into DocumentsService, whose providers and
helpers these use."""
from __future__ import annotations

import uuid
from datetime import timedelta


from sqlalchemy import or_, select

from services.common.db import fetch_page
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, invalid_fields, not_found)
from services.common.identity import HEAD, LEADER_ROLES, UNIT_HEAD
from services.common.rpc import rpc
from services.common.validation import Problems, page_params
from services.documents import administration, directory, schemas
from services.documents.models import Membership, Unit, UnitChange, User
from services.documents.passwords import hash_password




class DirectoryEntrypoints:

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_me(self, token):
        """The caller's profile: {id, username, full_name, clearance, memberships}."""
        caller = self.identity.caller(token)
        return self._user_profile(caller.user_id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_units(self, token, params=None):
        """Units, paged and filterable: params {parent_id, organ_id (the mã định danh,
        exactly), q, active ("true": units in force today, "false": closed ones), page,
        page_size}.
        Returns {items: [unit], total, page, page_size}. The directory is public to
        every signed-in user (it is how recipients are chosen)."""
        self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"parent_id", "organ_id", "q", "active", "page", "page_size"})
        page, page_size = page_params(problems, params)
        parent_id = problems.text(params, "parent_id", max_length=36)
        organ_id = problems.text(params, "organ_id", max_length=35)
        text = problems.text(params, "q", max_length=200)
        active = problems.choice(params, "active", ("true", "false"))
        problems.raise_if_any()
        query = select(Unit)
        if parent_id:
            query = query.where(Unit.parent_id == parent_id)
        if organ_id:
            query = query.where(Unit.organ_id == organ_id)
        if active is not None:   # units closed by a merger have a valid_to in the past
            still = or_(Unit.valid_to.is_(None), Unit.valid_to >= self.clock.today())
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
        abbreviation?, level, valid_from?}. A unit's quản trị adds units under a unit in
        their scope; a top unit (no parent) only the deployment-wide administrator adds
        (administration.py). Returns the unit. Errors: Forbidden; InvalidInput (bad
        fields, unknown parent); Conflict (mã định danh in use)."""
        caller = self._require_admin(token)
        unit_input = directory.parse_unit(payload)
        with self.db.transaction() as session:
            if unit_input["parent_id"] and session.get(Unit, unit_input["parent_id"]) is None:
                raise invalid_fields({"parent_id": {"vi": "Không có đơn vị cấp trên này.",
                                                    "en": "No such parent unit."}})
            administration.check_new_unit(caller, unit_input["parent_id"],
                                          directory.parents_of(session,
                                                               [unit_input["parent_id"]]))
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
        Errors: Forbidden (also for a unit outside the caller's scope), NotFound,
        InvalidInput, Conflict for a closed unit."""
        caller = self._require_admin(token)
        change = directory.parse_rename(payload)
        with self.db.transaction() as session:
            unit = self._open_unit(session, unit_id)
            administration.check_units(caller, [unit.id],
                                       directory.parents_of(session, [unit.id]))
            before = {"name": unit.name, "abbreviation": unit.abbreviation}
            unit.name = change["name"]
            if change["abbreviation"] is not None:
                unit.abbreviation = change["abbreviation"]
            after = {"name": unit.name, "abbreviation": unit.abbreviation}
            session.add(UnitChange(unit_id=unit.id, kind="renamed",
                                   effective_date=change["effective_date"],
                                   details={"before": before, "after": after},
                                   recorded_by=caller.user_id,
                                   recorded_at=self.clock.now()))
            self._audit(session, "rename", "unit", unit.id, caller.user_id,
                        {"before": before, "after": after})
            return schemas.unit_out(unit)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def merge_units(self, token, payload):
        """Merge units into another from a date (administrators): {unit_ids,
        into_unit_id, effective_date}. Merged units close (valid_to = the day before),
        keep their documents and registers, and their children move to the successor.
        Returns {successor, merged: [unit]}. Errors: Forbidden (also when a unit
        involved is outside the caller's scope), NotFound, InvalidInput, Conflict for a
        unit already closed."""
        caller = self._require_admin(token)
        merge = directory.parse_merge(payload)
        closing = merge["effective_date"] - timedelta(days=1)
        with self.db.transaction() as session:
            successor = self._open_unit(session, merge["into_unit_id"])
            merged = [self._open_unit(session, unit_id) for unit_id in merge["unit_ids"]]
            involved = [successor.id] + [u.id for u in merged]
            parents = directory.parents_of(session, involved)
            administration.check_units(caller, involved, parents)
            above = set(administration.lineage(successor.id, parents)) & set(merge["unit_ids"])
            if above:   # its children would move under itself: a cycle in the tree
                raise invalid_fields({"into_unit_id": {
                    "vi": "Không sáp nhập một đơn vị vào đơn vị trực thuộc nó.",
                    "en": "A unit cannot be merged into a unit below it."}})
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
                                       recorded_at=self.clock.now()))
            session.add(UnitChange(unit_id=successor.id, kind="absorbed",
                                   effective_date=merge["effective_date"],
                                   details={"merged": [{"id": u.id, "name": u.name}
                                                       for u in merged]},
                                   recorded_by=caller.user_id,
                                   recorded_at=self.clock.now()))
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
    def describe_assignees(self, token, root_unit_id, unit_ids, user_ids):
        """Who a leader of ``root_unit_id`` may assign work to: that unit, the units below
        it at any depth, and the people who hold a role in them (workflow asks before
        it records an assignment). Returns {units: {id: {name, within, leader_user_ids,
        leader_clearances: {user_id: clearance}}}, users: {id: {name, within,
        clearance}}} (clearances, so that a secret document goes only to people cleared
        for it); unknown ids are left out. At most 200 of each.
        Errors: InvalidInput for a bad list; NotFound for an unknown root unit."""
        self.identity.caller(token)
        problems = Problems()
        for name, value in (("unit_ids", unit_ids), ("user_ids", user_ids)):
            if not isinstance(value, list) or len(value) > 200 or \
                    not all(isinstance(v, str) and len(v) <= 36 for v in value):
                problems.add(name, "Tối đa 200 mã.", "At most 200 ids.")
        problems.raise_if_any()
        with self.db.read() as session:
            if not isinstance(root_unit_id, str) or session.get(Unit, root_unit_id) is None:
                raise not_found("đơn vị", "Unit", root_unit_id)
            subtree = directory.subtree_query(root_unit_id)
            inside, units, leaders = set(), {}, {}
            if unit_ids:   # (an assignment often names people only: no query for units)
                inside = set(session.execute(select(subtree.c.id).where(
                    subtree.c.id.in_(set(unit_ids)))).scalars())
                units = {u.id: u for u in session.execute(
                    select(Unit).where(Unit.id.in_(set(unit_ids)))).scalars()}
                for user_id, unit_id, clearance in session.execute(
                        select(Membership.user_id, Membership.unit_id, User.clearance)
                        .join(User, User.id == Membership.user_id).where(
                            Membership.unit_id.in_(set(unit_ids)),
                            Membership.role.in_(LEADER_ROLES))).all():
                    leaders.setdefault(unit_id, {})[user_id] = clearance
            found, members_inside = {}, set()
            if user_ids:
                found = {row.id: row for row in session.execute(
                    select(User.id, User.full_name, User.clearance).where(
                        User.id.in_(set(user_ids)), User.active.is_(True))).all()}
                members_inside = set(session.execute(select(Membership.user_id).where(
                    Membership.user_id.in_(set(found)),
                    Membership.unit_id.in_(select(subtree.c.id)))).scalars()) if found else set()
            users = {user_id: row.full_name for user_id, row in found.items()}
        return {"units": {unit_id: {"name": unit.name, "within": unit_id in inside,
                                    "leader_user_ids": sorted(leaders.get(unit_id, {})),
                                    "leader_clearances": leaders.get(unit_id, {})}
                          for unit_id, unit in units.items()},
                "users": {user_id: {"name": name, "within": user_id in members_inside,
                                    "clearance": found[user_id].clearance}
                          for user_id, name in users.items()}}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_users(self, token, params=None):
        """Users with their roles: params {unit_id, below ("true": the people of the
        units below it too, for its leaders — whom they assign work or delegate to), q,
        page, page_size}. The deployment-wide administrator sees everyone, a unit's
        quản trị the people of the units in their scope; others see the members of
        their own units, and leaders those of the units below theirs; a service on its own
        behalf the members of one unit (whom to tell of what came for the unit). Returns a
        page."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"unit_id", "below", "q", "page", "page_size"})
        page, page_size = page_params(problems, params)
        unit_id = problems.text(params, "unit_id", max_length=36)
        text = problems.text(params, "q", max_length=100)
        below = problems.choice(params, "below", ("true", "false"), default="false") == "true"
        if below and not unit_id:
            problems.add("below", "Cần unit_id.", "Needs unit_id.")
        problems.raise_if_any()
        is_admin = bool(unit_id) and (caller.system or self._administers(caller, unit_id))
        if unit_id and not is_admin and not caller.is_member(unit_id) and \
                not self._leads_above(caller, unit_id):
            raise self._forbidden_unit()
        if below and not is_admin and not caller.has_role(unit_id, HEAD, UNIT_HEAD) and \
                not self._leads_above(caller, unit_id):
            raise Forbidden("Chỉ lãnh đạo đơn vị xem người của các đơn vị trực thuộc.",
                            "Only the unit's leaders see the people of the units below it.")
        query = select(User)
        units = [unit_id] if unit_id else (None if caller.system_admin
                                           else sorted(caller.unit_ids))
        if below:
            query = query.where(User.id.in_(select(Membership.user_id).where(
                Membership.unit_id.in_(select(directory.subtree_query(unit_id).c.id)))))
        elif units is not None:
            members = Membership.unit_id.in_(units)
            for root in sorted(administration.admin_roots(caller)) if not unit_id else ():
                members = members | Membership.unit_id.in_(
                    select(directory.subtree_query(root).c.id))
            query = query.where(User.id.in_(select(Membership.user_id).where(members)))
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
        position?, password (≥ 10 characters), clearance?, system_admin?, memberships:
        [{unit_id, role}]}. A unit's quản trị gives roles in their scope only and a
        clearance no higher than their own (administration.py). The heads of the units
        concerned are alerted (rights_alerts). Returns the profile. Errors: Forbidden;
        InvalidInput; Conflict for a username in use. Events: rights_changed."""
        caller = self._require_admin(token)
        user_input = directory.parse_user(payload)
        password_hash = hash_password(user_input.pop("password"))
        memberships = user_input.pop("memberships")
        with self.db.transaction() as session:
            if session.execute(select(User.id).where(
                    User.username == user_input["username"])).first():
                raise Conflict("Tên đăng nhập đã có người dùng.", "This username is taken.")
            self._refuse_unknown_units(session, memberships)
            units = [m["unit_id"] for m in memberships]
            administration.check_person_change(
                caller, directory.parents_of(session, units), units_before=[],
                units_after=units, clearance_before="none",
                clearance_after=user_input["clearance"],
                system_admin_after=user_input["system_admin"])
            user = User(id=str(uuid.uuid4()), password_hash=password_hash, active=True,
                        **user_input)
            session.add(user)
            session.flush()
            session.add_all(Membership(user_id=user.id, **m) for m in memberships)
            after = user_input | {"memberships": memberships}
            self._audit(session, "create", "user", user.id, caller.user_id, {"after": after})
            self.raise_rights_alert(session, user.id, "created", caller.user_id,
                                    {"after": {k: after[k] for k in (
                                        "clearance", "system_admin", "memberships")}})
        self.flush_outbox()
        return self._user_profile(user.id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def set_user_memberships(self, token, user_id, payload):
        """Replace a user's roles (administrators): {memberships: [{unit_id, role}]}, for
        a person who moves between units or changes duties. What they saw through their
        old units they no longer see, except through dossiers they opened. Takes effect
        at once: their access tokens stop working, and the next refresh carries the new
        roles. A unit's quản trị changes only people whose roles, before and after, are
        all in their scope (administration.py). The heads of the units concerned are
        alerted.
        Returns the profile. Errors: Forbidden; NotFound; InvalidInput (unknown units).
        Events: tokens_revoked, rights_changed."""
        caller = self._require_admin(token)
        memberships = directory.parse_membership_change(payload)
        with self.db.transaction() as session:
            user = self._user_or_404(session, user_id)
            self._refuse_unknown_units(session, memberships)
            before = self._roles_of(session, user.id)
            self._check_person_change(session, caller, user, before, memberships,
                                      user.clearance)
            session.execute(Membership.__table__.delete().where(
                Membership.user_id == user.id))
            session.add_all(Membership(user_id=user.id, **m) for m in memberships)
            self._audit(session, "change_roles", "user", user.id, caller.user_id,
                        {"before": before, "after": memberships})
            self._revoke_user_tokens(session, user, "roles_changed")
            self.raise_rights_alert(session, user.id, "change_roles", caller.user_id,
                                    {"before": before, "after": memberships},
                                    units=[m["unit_id"] for m in before + memberships])
        self.flush_outbox()
        return self._user_profile(user.id)

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def set_user_clearance(self, token, user_id, payload):
        """Set a person's clearance (administrators): {clearance: none | confidential |
        secret | top_secret}. A unit's quản trị does so for people whose roles are all
        in their scope, between levels no higher than their own (administration.py).
        Takes effect at once (their access tokens stop working; the next refresh carries
        the new clearance). The heads of the person's units are alerted. Returns the
        profile. Errors: Forbidden; NotFound; InvalidInput. Events: tokens_revoked,
        rights_changed."""
        caller = self._require_admin(token)
        clearance = directory.parse_clearance_change(payload)
        with self.db.transaction() as session:
            user = self._user_or_404(session, user_id)
            roles = self._roles_of(session, user.id)
            self._check_person_change(session, caller, user, roles, roles, clearance)
            before, user.clearance = user.clearance, clearance
            if before != clearance:
                self._audit(session, "change_clearance", "user", user.id, caller.user_id,
                            {"before": before, "after": clearance})
                self._revoke_user_tokens(session, user, "clearance_changed")
                self.raise_rights_alert(session, user.id, "change_clearance",
                                        caller.user_id, {"before": before, "after": clearance})
        self.flush_outbox()
        return self._user_profile(user.id)

    @staticmethod
    def _user_or_404(session, user_id) -> User:
        user = session.get(User, user_id) if isinstance(user_id, str) else None
        if user is None:
            raise not_found("người dùng", "User", user_id)
        return user

    @staticmethod
    def _roles_of(session, user_id) -> list[dict]:
        """A person's memberships as [{unit_id, role}]."""
        return [{"unit_id": m.unit_id, "role": m.role} for m in session.execute(
            select(Membership).where(Membership.user_id == user_id)).scalars()]

    @staticmethod
    def _check_person_change(session, caller, user, before, after, clearance):
        """administration.check_person_change for a change of an existing person."""
        units_before = [m["unit_id"] for m in before]
        units_after = [m["unit_id"] for m in after]
        administration.check_person_change(
            caller, directory.parents_of(session, units_before + units_after),
            units_before=units_before, units_after=units_after,
            clearance_before=user.clearance, clearance_after=clearance,
            system_admin_before=bool(user.system_admin),
            system_admin_after=bool(user.system_admin))

    @staticmethod
    def _refuse_unknown_units(session, memberships):
        known = set(session.execute(select(Unit.id).where(
            Unit.id.in_({m["unit_id"] for m in memberships}))).scalars())
        unknown = sorted({m["unit_id"] for m in memberships} - known)
        if unknown:
            raise invalid_fields({"memberships": {
                "vi": f"Không có đơn vị: {', '.join(unknown)}.",
                "en": f"Unknown units: {', '.join(unknown)}."}})


    def _administers(self, caller, unit_id) -> bool:
        """Whether the unit is in the caller's scope of administration."""
        if caller.system_admin:
            return True
        if not administration.admin_roots(caller):
            return False
        with self.db.read() as session:
            return administration.administers(caller, unit_id,
                                               directory.parents_of(session, [unit_id]))

    def _leads_above(self, caller, unit_id) -> bool:
        """Whether the caller leads a unit that ``unit_id`` sits below (at any depth)."""
        led = [m.unit_id for m in caller.memberships if m.role in LEADER_ROLES]
        if not led:
            return False
        with self.db.read() as session:
            return any(session.execute(select(tree.c.id).where(tree.c.id == unit_id)).first()
                       for tree in (directory.subtree_query(u) for u in led))

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
