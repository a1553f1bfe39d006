"""The documents service's alerts of changes of rights (rights_alerts.py): raised by
every change of a person's roles, clearance or account, listed to those who must see
them and confirmed by a competent person. Mixed into DocumentsService, whose providers
and helpers these use."""
from __future__ import annotations

import uuid

from sqlalchemy import select

from services.common import events
from services.common.errors import EXPECTED_ERRORS, Conflict, Forbidden, not_found
from services.common.identity import LEADER_ROLES
from services.common.outbox import add_event
from services.common.rpc import rpc
from services.common.validation import Problems, page_params
from services.documents import directory, rights_alerts
from services.documents.models import Membership, RightsAlert, Unit, User, outbox

#: Newest alerts of the asked state looked through for a listing (alerts are few: one
#: per change of someone's rights; the open ones are what matters).
SCAN_LIMIT = 2000


class RightsAlertEntrypoints:

    def raise_rights_alert(self, session, user_id, change, actor_id, details, units=None):
        """Record an alert of a change of ``user_id``'s rights (``change``: one of
        rights_alerts.CHANGES) made by ``actor_id``, audit it and announce it
        (rights_changed, through the outbox: notify tells the heads). Call it in the
        transaction that makes the change, and ``self.flush_outbox()`` after it.
        ``units``: the units concerned (default: the person's units now)."""
        session.flush()
        if units is None:
            units = session.execute(select(Membership.unit_id).where(
                Membership.user_id == user_id)).scalars().all()
        units = sorted(set(units))
        parents = directory.parents_of(session, units)
        leaders: dict[str, list[str]] = {}
        for leader, unit_id in session.execute(
                select(Membership.user_id, Membership.unit_id).join(
                    User, User.id == Membership.user_id).where(
                    Membership.unit_id.in_(set(parents) | set(units)),
                    Membership.role.in_(LEADER_ROLES), User.active.is_(True))).all():
            leaders.setdefault(unit_id, []).append(leader)
        heads = rights_alerts.heads_to_tell(units, leaders, parents,
                                            exclude={user_id, actor_id})
        alert = RightsAlert(id=str(uuid.uuid4()), user_id=user_id, change=change,
                            unit_ids=units, head_user_ids=heads, details=details or {},
                            changed_by=actor_id, created_at=self.clock.now())
        session.add(alert)
        session.flush()
        self._audit(session, "raise", "rights_alert", alert.id, actor_id,
                    {"user_id": user_id, "change": change, "head_user_ids": heads})
        out = self._alerts_out(session, [alert])[0]
        add_event(session, outbox, events.RIGHTS_CHANGED, out)
        return alert

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_rights_alerts(self, token, params=None):
        """Alerts of changes of rights the caller must see (rights_alerts.may_see):
        params {state: open (default) | all, user_id, page, page_size}, newest first.
        Returns a page of {id, user_id, user_name, change, change_name, unit_ids,
        unit_names, head_user_ids, details, changed_by, changed_by_name, created_at,
        confirmed_by, confirmed_by_name, confirmed_at, may_confirm}."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"state", "user_id", "page", "page_size"})
        page, page_size = page_params(problems, params)
        state = problems.choice(params, "state", ("open", "all"), default="open")
        user_id = problems.text(params, "user_id", max_length=36)
        problems.raise_if_any()
        query = select(RightsAlert)
        if state == "open":
            query = query.where(RightsAlert.confirmed_at.is_(None))
        if user_id:
            query = query.where(RightsAlert.user_id == user_id)
        with self.db.read() as session:
            rows = session.execute(query.order_by(RightsAlert.created_at.desc())
                                   .limit(SCAN_LIMIT)).scalars().all()
            parents = directory.parents_of(session, {u for r in rows for u in r.unit_ids})
            seen = [r for r in rows if rights_alerts.may_see(caller, r, parents)]
            shown = seen[(page - 1) * page_size:page * page_size]
            items = [item | {"may_confirm": rights_alerts.may_confirm(caller, row, parents)}
                     for item, row in zip(self._alerts_out(session, shown), shown)]
        return {"items": items, "total": len(seen), "page": page, "page_size": page_size}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def confirm_rights_alert(self, token, alert_id):
        """Confirm an alert (a head told of it, a leader of a unit concerned or an
        administrator of one; not the one who made the change nor the person changed).
        Audited. Returns the alert. Errors: NotFound (also for an alert out of the
        caller's sight); Forbidden (may not confirm it); Conflict (already confirmed)."""
        caller = self.identity.caller(token)
        with self.db.transaction() as session:
            alert = session.get(RightsAlert, alert_id) if isinstance(alert_id, str) else None
            parents = directory.parents_of(session, alert.unit_ids) if alert else {}
            if alert is None or not rights_alerts.may_see(caller, alert, parents):
                raise not_found("cảnh báo thay đổi quyền", "Rights alert", alert_id)
            if not rights_alerts.may_confirm(caller, alert, parents):
                raise Forbidden("Người thực hiện thay đổi (hoặc người được thay đổi quyền) "
                                "không tự xác nhận; lãnh đạo đơn vị hoặc quản trị cấp trên "
                                "xác nhận.",
                                "The one who made the change (or whose rights changed) "
                                "cannot confirm it; a head of the unit or an administrator "
                                "above it does.")
            if alert.confirmed_at is not None:
                raise Conflict("Cảnh báo đã được xác nhận.", "The alert is already confirmed.")
            alert.confirmed_by, alert.confirmed_at = caller.user_id, self.clock.now()
            self._audit(session, "confirm", "rights_alert", alert.id, caller.user_id,
                        {"user_id": alert.user_id, "change": alert.change})
            return self._alerts_out(session, [alert])[0] | {"may_confirm": False}

    @staticmethod
    def _alerts_out(session, alerts) -> list[dict]:
        people = {a.user_id for a in alerts} | {a.changed_by for a in alerts} | \
            {a.confirmed_by for a in alerts if a.confirmed_by}
        names = dict(session.execute(select(User.id, User.full_name).where(
            User.id.in_(people))).all()) if alerts else {}
        units = dict(session.execute(select(Unit.id, Unit.name).where(
            Unit.id.in_({u for a in alerts for u in a.unit_ids}))).all()) if alerts else {}
        return [{"id": a.id, "user_id": a.user_id, "user_name": names.get(a.user_id),
                 "change": a.change,
                 "change_name": dict(zip(("vi", "en"), rights_alerts.CHANGES.get(
                     a.change, (a.change, a.change)))),
                 "unit_ids": list(a.unit_ids), "unit_names": [units.get(u) for u in a.unit_ids],
                 "head_user_ids": list(a.head_user_ids), "details": a.details,
                 "changed_by": a.changed_by, "changed_by_name": names.get(a.changed_by),
                 "created_at": a.created_at.isoformat(),
                 "confirmed_by": a.confirmed_by,
                 "confirmed_by_name": names.get(a.confirmed_by),
                 "confirmed_at": a.confirmed_at.isoformat() if a.confirmed_at else None}
                for a in alerts]
