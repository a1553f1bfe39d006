"""The documents service's entrypoints for delegations (ủy quyền: KT, TL, TUQ). Mixed
into DocumentsService; needs from the host: db, identity, clock, _audit. The outgoing
steps and the permission rule consult active_delegation() and delegations_held()."""
from __future__ import annotations

import dataclasses
import uuid
from sqlalchemy import or_, select

from services.common import vocabulary
from services.common.errors import (EXPECTED_ERRORS, Conflict, Forbidden, invalid_fields,
                                    not_found)
from services.common.identity import ADMIN, HEAD, UNIT_HEAD
from services.common.rpc import rpc
from services.documents import administration, delegations, directory
from services.documents.models import Delegation, Membership, Unit, User


def delegation_out(row, names: dict) -> dict:
    return {"id": row.id, "unit_id": row.unit_id, "kind": row.kind,
            "kind_name": vocabulary.name(vocabulary.DELEGATION_KIND_NAMES, row.kind),
            "from_user_id": row.from_user_id, "from_name": names.get(row.from_user_id),
            "to_user_id": row.to_user_id, "to_name": names.get(row.to_user_id),
            "actions": row.actions, "document_types": row.document_types,
            "valid_from": row.valid_from.isoformat(), "valid_to": row.valid_to.isoformat(),
            "via_id": row.via_id, "note": row.note, "created_at": row.created_at.isoformat(),
            "revoked_at": row.revoked_at.isoformat() if row.revoked_at else None}


def delegation_in_force(session, row, day) -> bool:
    """delegations.in_force with what the database knows: the giver of a first-hand
    delegation still holds the head role in its unit; a passed-on one's source is in
    force."""
    def holds_role(user_id, unit_id):
        return session.execute(select(Membership.id).where(
            Membership.user_id == user_id, Membership.unit_id == unit_id,
            Membership.role == HEAD)).first() is not None
    return delegations.in_force(row, day, holds_role, lambda i: session.get(Delegation, i))


class DelegationEntrypoints:

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_delegation(self, token, payload):
        """The caller lets someone act for them in a unit (delegations.parse_delegation).
        The caller is the unit's head (lãnh đạo), or passes on a delegation they hold
        (via_id) within its limits — never a TUQ, which cannot be passed on. The one
        who receives it holds a role in the unit or a unit below it.
        Returns the delegation. Errors: InvalidInput (bad fields, re-delegating a TUQ,
        beyond the delegation passed on, someone outside the unit); Forbidden (not the
        unit's head and passing nothing on); NotFound (unit)."""
        caller = self.identity.caller(token)
        data = delegations.parse_delegation(payload, self.clock.today(), vocabulary.DOCUMENT_TYPES)
        if data["to_user_id"] == caller.user_id:
            raise invalid_fields({"to_user_id": {"vi": "Không tự ủy quyền cho mình.",
                                                 "en": "You cannot delegate to yourself."}})
        now = self.clock.now()
        with self.db.transaction() as session:
            unit = session.get(Unit, data["unit_id"])
            if unit is None:
                raise not_found("đơn vị", "Unit", data["unit_id"])
            if data["via_id"]:
                self._within_passed_on(session, caller, data)
            elif not caller.has_role(unit.id, HEAD):
                raise Forbidden("Chỉ lãnh đạo cơ quan (hoặc người được ủy quyền, trừ TUQ) "
                                "được ủy quyền.",
                                "Only the head (or someone passing on a delegation other "
                                "than TUQ) may delegate.")
            subtree = directory.subtree_query(unit.id)
            if not session.execute(select(Membership.user_id).where(
                    Membership.user_id == data["to_user_id"],
                    Membership.unit_id.in_(select(subtree.c.id)))).first():
                raise invalid_fields({"to_user_id": {
                    "vi": "Người nhận ủy quyền không thuộc đơn vị.",
                    "en": "The person is not in the unit or a unit below it."}})
            row = Delegation(id=str(uuid.uuid4()), from_user_id=caller.user_id,
                             created_by=caller.user_id, created_at=now, **data)
            session.add(row)
            session.flush()
            result = delegation_out(row, self._names(session, [row]))
            self._audit(session, "delegate", "delegation", row.id, caller.user_id,
                        {"after": result})
        return result

    def _within_passed_on(self, session, caller, data):
        via = session.get(Delegation, data["via_id"])
        if via is None or via.to_user_id != caller.user_id or via.unit_id != data["unit_id"] \
                or via.revoked_at is not None or via.valid_to < self.clock.today() \
                or not delegation_in_force(session, via, max(via.valid_from,
                                                             self.clock.today())):
            raise invalid_fields({"via_id": {
                "vi": "Không có ủy quyền còn hiệu lực của bạn để chuyển tiếp.",
                "en": "You hold no valid delegation to pass on."}})
        if via.kind == "TUQ":
            raise invalid_fields({"via_id": {
                "vi": "Người được thừa ủy quyền (TUQ) không được ủy quyền lại.",
                "en": "A TUQ delegation cannot be passed on."}})
        beyond = (not set(data["actions"]) <= set(via.actions)
                  or (via.document_types and (not data["document_types"] or not set(
                      data["document_types"]) <= set(via.document_types)))
                  or data["valid_from"] < via.valid_from or data["valid_to"] > via.valid_to)
        if beyond:
            raise invalid_fields({"via_id": {
                "vi": "Vượt quá phạm vi ủy quyền đang chuyển tiếp (thao tác, loại văn bản, "
                      "thời hạn).",
                "en": "Beyond the delegation passed on (steps, document types, dates)."}})

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_delegations(self, token, params=None):
        """Delegations the caller gave or holds, and, for a unit's leaders and
        administrators, every delegation of their units. params {active: "true"} keeps
        those in force today. Returns {items: [delegation]}."""
        caller = self.identity.caller(token)
        params = params if isinstance(params, dict) else {}
        led = [m.unit_id for m in caller.memberships if m.role in (HEAD, UNIT_HEAD, ADMIN)]
        query = select(Delegation).where(or_(
            Delegation.from_user_id == caller.user_id, Delegation.to_user_id == caller.user_id,
            Delegation.unit_id.in_(led)))
        active = params.get("active") == "true"
        if active:
            today = self.clock.today()
            query = query.where(Delegation.revoked_at.is_(None),
                                Delegation.valid_from <= today, Delegation.valid_to >= today)
        with self.db.read() as session:
            rows = session.execute(query.order_by(Delegation.created_at.desc())).scalars().all()
            if active:
                rows = [r for r in rows if delegation_in_force(session, r, today)]
            names = self._names(session, rows)
        return {"items": [delegation_out(r, names) for r in rows]}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def revoke_delegation(self, token, delegation_id):
        """Revoke a delegation (its giver, or an administrator of the unit or one above
        it), and with it every delegation passed on from it, in turn; what was done under
        them stays as it was. Errors: NotFound, Forbidden, Conflict (already revoked)."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            row = session.get(Delegation, delegation_id) \
                if isinstance(delegation_id, str) else None
            if row is None:
                raise not_found("ủy quyền", "Delegation", delegation_id)
            if row.from_user_id != caller.user_id and not administration.administers(
                    caller, row.unit_id, directory.parents_of(session, [row.unit_id])):
                raise Forbidden("Chỉ người ủy quyền được thu hồi.",
                                "Only the one who delegated may revoke it.")
            if row.revoked_at is not None:
                raise Conflict("Ủy quyền đã bị thu hồi.", "Already revoked.")
            now = self.clock.now()
            row.revoked_at = now
            self._audit(session, "revoke", "delegation", row.id, caller.user_id, {})
            passed_on, seen = [row.id], {row.id}
            while passed_on:
                children = session.execute(select(Delegation).where(
                    Delegation.via_id.in_(passed_on))).scalars().all()
                passed_on = []
                for child in children:
                    if child.id in seen:
                        continue
                    seen.add(child.id)
                    passed_on.append(child.id)
                    if child.revoked_at is None:
                        child.revoked_at = now
                        self._audit(session, "revoke", "delegation", child.id,
                                    caller.user_id, {"with": row.id})
            return delegation_out(row, self._names(session, [row]))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def find_delegation(self, token, params):
        """For services (workflow): the delegation in force today under which a person may
        take a step in a unit for someone else. params {to_user_id, action (None: any),
        unit_id, document_type (None: any), from_user_id? (only a delegation from this
        person)}. Returns the delegation or None. Errors: Forbidden unless the workflow
        service (its own key); InvalidInput."""
        caller = self.identity.caller(token)
        if caller.service != "workflow":
            raise Forbidden("Chỉ dành cho dịch vụ luồng xử lý.", "For the workflow service only.")
        if not isinstance(params, dict) or \
                params.get("action") not in delegations.ACTIONS + (None,) \
                or not all(isinstance(params.get(k), str) for k in ("to_user_id", "unit_id")):
            raise invalid_fields({"params": {"vi": "Tham số không hợp lệ.",
                                             "en": "Invalid parameters."}})
        holder = dataclasses.replace(caller, user_id=params["to_user_id"])
        with self.db.read() as session:
            row = self.active_delegation(session, holder, params.get("action"),
                                         params["unit_id"], params.get("document_type"),
                                         from_user_id=params.get("from_user_id"))
            return delegation_out(row, self._names(session, [row])) if row else None

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def delegated_units(self, token, user_id):
        """For services (search): the units where a person holds a delegation in force
        today, for any step and type; the permission rule lets them see those units'
        documents (_may_view). Returns {user_id, unit_ids (sorted)}.
        Errors: Forbidden unless the search service (its own key); InvalidInput (no
        user id)."""
        caller = self.identity.caller(token)
        if caller.service != "search":
            raise Forbidden("Chỉ dành cho dịch vụ tìm kiếm.", "For the search service only.")
        if not isinstance(user_id, str) or not user_id:
            raise invalid_fields({"user_id": {"vi": "Thiếu người dùng.", "en": "No user."}})
        today = self.clock.today()
        with self.db.read() as session:
            rows = session.execute(select(Delegation).where(
                Delegation.to_user_id == user_id, Delegation.revoked_at.is_(None),
                Delegation.valid_from <= today, Delegation.valid_to >= today)).scalars()
            units = sorted({row.unit_id for row in rows
                            if delegation_in_force(session, row, today)})
        return {"user_id": user_id, "unit_ids": units}

    def active_delegation(self, session, caller, action, unit_id, document_type,
                          from_user_id=None):
        """The delegation under which the caller may take a step in a unit today (from
        one person, if given), if any: the earliest granted that is in force (its giver
        still may give it, delegation_in_force)."""
        rows = session.execute(select(Delegation).where(
            Delegation.to_user_id == caller.user_id, Delegation.unit_id == unit_id,
            Delegation.revoked_at.is_(None),
            *([Delegation.from_user_id == from_user_id] if from_user_id else []))
            .order_by(Delegation.created_at)).scalars()
        today = self.clock.today()
        return next((r for r in rows
                     if delegations.covers(r, action, document_type, today)
                     and delegation_in_force(session, r, today)), None)

    @staticmethod
    def delegations_held(session, caller, today) -> list:
        """The delegations in force today for the caller (none for a service): what
        allowed_actions gives them beyond their roles (delegations.actions_held)."""
        if caller.system:
            return []
        rows = session.execute(select(Delegation).where(
            Delegation.to_user_id == caller.user_id, Delegation.revoked_at.is_(None),
            Delegation.valid_from <= today, Delegation.valid_to >= today)).scalars().all()
        return [row for row in rows if delegation_in_force(session, row, today)]

    @staticmethod
    def _names(session, rows) -> dict:
        ids = {r.from_user_id for r in rows} | {r.to_user_id for r in rows}
        return dict(session.execute(select(User.id, User.full_name).where(
            User.id.in_(ids))).all()) if ids else {}
