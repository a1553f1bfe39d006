"""What the workflow service's entrypoints share: reading and locking a processing and
its parts, opening a part and recording what happened, the directory's scope and
secrecy checks, delegations, the event payloads and the processing as a caller reads it
(with allowed_actions).

Mixed into WorkflowService, under every *_entrypoints mixin. Needs: self.db,
self.clock, self.identity, self.calendar, self.documents_rpc (describe_assignees,
find_delegation, list_delegations)."""
from __future__ import annotations

import logging
import uuid

from sqlalchemy import select

from services.common.db import iso
from services.common.errors import (Conflict, Forbidden, ServiceTimeout,
                                    ServiceUnavailable, not_found)
from services.common.validation import Problems
from services.workflow import deadlines, domain, permissions, secrecy
from services.workflow.models import (Processing, ProcessingEvent, UnitRules, WorkItem)

log = logging.getLogger(__name__)


class WorkflowBase:
    def _delegations_held(self, token, caller) -> dict:
        """The delegations in force today that let the caller assign or approve for
        someone, by id (documents knows them)."""
        listed = self.documents_rpc.list_delegations(token, {"active": "true"})["items"]
        return {d["id"]: d for d in permissions.held_by(listed, caller.user_id)}

    def _delegations_if_needed(self, token, caller, places) -> list[dict]:
        """The caller's delegations in force when one could add to what they may do in
        ``places`` ([(facts, parts)]), else none; none too when documents cannot answer
        (the buttons then show the caller's own rights: each step still checks)."""
        if caller.system or not any(permissions.may_need_delegations(caller, facts, parts)
                                    for facts, parts in places):
            return []
        try:
            return list(self._delegations_held(token, caller).values())
        except (ServiceUnavailable, ServiceTimeout):
            log.warning("delegations of %s unknown; allowed actions without them",
                        caller.user_id)
            return []

    def _allowed(self, token, caller, result) -> dict:
        """A processing answer (_processing_out: facts and the answer) with what the
        caller may do now on it and on each of its parts (allowed_actions)."""
        facts, out = result
        parts = [permissions.Part.of(item) for item in out["items"]]
        held = self._delegations_if_needed(token, caller, [(facts, parts)])
        out["allowed_actions"] = permissions.processing_actions(caller, facts, parts, held)
        for item, part in zip(out["items"], parts):
            item["allowed_actions"] = permissions.item_actions(caller, part, facts, held)
        return out

    def _default_deadline(self, unit_id, urgency, today, now) -> deadlines.Deadline:
        with self.db.read() as session:
            rules = session.get(UnitRules, unit_id)
        return deadlines.default_deadline(
            self.calendar, rules.working_days if rules else None,
            rules.hours if rules else None, urgency, today, now)

    def _holds_open(self, processing, kind, caller) -> bool:
        with self.db.read() as session:
            return any(domain.holds(caller, i.user_id, i.unit_id) for i in self._items(
                session, processing, kind=kind, states=(domain.OPEN,)))

    def _delegation(self, caller, action, processing, unit_id=None, from_user_id=None,
                    document_type=""):
        """The delegation (from documents) under which the caller may take this step
        (None: any) in the processing's unit (or unit_id) in someone's place today, or
        None. Limited to the processing's document type unless document_type is None."""
        params = {"to_user_id": caller.user_id, "action": action,
                  "unit_id": unit_id or processing.unit_id,
                  "document_type": None if document_type is None
                  else processing.document_type or ""}
        if from_user_id:
            params["from_user_id"] = from_user_id
        return self.documents_rpc.find_delegation(self.identity.system_token(), params)

    @staticmethod
    def _delegation_details(delegation) -> dict:
        """What the history records of a step taken under a delegation: both people."""
        if not delegation:
            return {}
        return {"on_behalf_of": delegation["from_user_id"], "delegation_id": delegation["id"],
                "delegation_kind": delegation["kind"]}

    def _processing(self, document_id) -> Processing:
        with self.db.read() as session:
            processing = session.execute(select(Processing).where(
                Processing.document_id == document_id)).scalar_one_or_none() \
                if isinstance(document_id, str) else None
        if processing is None:
            raise not_found("quá trình xử lý văn bản", "Processing of document", document_id)
        return processing

    def _item(self, item_id):
        with self.db.read() as session:
            item = session.get(WorkItem, item_id) if isinstance(item_id, str) else None
            if item is None:
                raise not_found("phần việc", "Assignment", item_id)
            return item, session.get(Processing, item.processing_id)

    @staticmethod
    def _processing_of_item(session, item_id) -> str:
        """The id of the processing a part belongs to (NotFound for an unknown part)."""
        processing_id = session.execute(select(WorkItem.processing_id).where(
            WorkItem.id == item_id)).scalar_one_or_none() if isinstance(item_id, str) else None
        if processing_id is None:
            raise not_found("phần việc", "Assignment", item_id)
        return processing_id

    @staticmethod
    def _lock(session, processing_id) -> Processing:
        """The processing row, locked for this transaction on PostgreSQL (SQLite
        transactions here are already serial), so two steps never interleave."""
        query = select(Processing).where(Processing.id == processing_id)
        if session.bind.dialect.name == "postgresql":
            query = query.with_for_update()
        return session.execute(query).scalar_one()

    @staticmethod
    def _items(session, processing, kind=None, states=None):
        query = select(WorkItem).where(WorkItem.processing_id == processing.id)
        if kind:
            query = query.where(WorkItem.kind == kind)
        if states:
            query = query.where(WorkItem.state.in_(states))
        return session.execute(query.order_by(WorkItem.created_at)).scalars().all()

    def _open_item(self, session, processing, kind, *, actor_id, now, user_id=None,
                   unit_id=None, due_date=None, due_at=None, instruction=None,
                   parent_id=None, assigned_by=None, notify_user_ids=None,
                   delegation=None) -> WorkItem:
        item = WorkItem(id=str(uuid.uuid4()), processing_id=processing.id, user_id=user_id,
                        unit_id=unit_id, parent_id=parent_id, kind=kind, state=domain.OPEN,
                        due_date=due_date, due_at=due_at, instruction=instruction,
                        assigned_by=assigned_by,
                        notify_user_ids=notify_user_ids or ([user_id] if user_id else []),
                        created_at=now)
        session.add(item)
        session.flush()
        self._event(session, processing, actor_id, f"{kind}_assigned", {
            "assignee_id": user_id, "unit_id": unit_id, "due_date": iso(due_date),
            "due_at": iso(due_at), "instruction": instruction}
            | self._delegation_details(delegation), item)
        return item

    def _event(self, session, processing, actor_id, action, details, item=None):
        session.add(ProcessingEvent(
            processing_id=processing.id, work_item_id=item.id if item else None,
            actor_id=actor_id, action=action,
            details={k: v for k, v in details.items() if v is not None},
            at=self.clock.now()))

    def _scope(self, root_unit_id, assignees) -> dict:
        """Ask the directory whether every assignee is within the leader's unit or
        below it; refuse the assignment otherwise (before any lock is taken)."""
        scope = self.documents_rpc.describe_assignees(
            self.identity.system_token(), root_unit_id,
            sorted({a.unit_id for a in assignees if a.unit_id}),
            sorted({a.user_id for a in assignees if a.user_id}))
        problems = Problems()
        for assignee in assignees:
            found = scope["units"].get(assignee.unit_id) if assignee.unit_id else \
                scope["users"].get(assignee.user_id)
            if not found or not found["within"]:
                problems.add("assignees", "Có đơn vị hoặc người ngoài phạm vi phân công của "
                             "lãnh đạo (đơn vị mình và các đơn vị trực thuộc).",
                             "Someone named is outside the leader's scope (the unit and the "
                             "units below it).")
        problems.raise_if_any()
        return scope

    @staticmethod
    def _describe(assignee, scope) -> dict:
        found = scope["units"].get(assignee.unit_id) if assignee.unit_id else \
            scope["users"].get(assignee.user_id)
        return {"unit_id": assignee.unit_id, "user_id": assignee.user_id,
                "name": found["name"] if found else None, "due_date": iso(assignee.due_date)}

    @staticmethod
    def _people_of(item, scope, confidentiality="none") -> list[str]:
        """Who is told of a part: its person, or the unit's leaders (of a secret
        document, those cleared for its level)."""
        if item.user_id:
            return [item.user_id]
        return secrecy.cleared_leaders(scope["units"].get(item.unit_id, {}), confidentiality)

    @staticmethod
    def _require_clearance(caller, processing):
        """Every step on a secret document is taken by someone cleared for its level."""
        if not secrecy.may_read(caller, processing.confidentiality):
            name_vi, name_en = secrecy.LEVEL_NAMES[secrecy.level_of(processing.confidentiality)]
            raise Forbidden(f"Bạn chưa được phép tiếp cận văn bản độ mật \"{name_vi}\".",
                            f"You are not cleared for documents marked \"{name_en}\".")

    @staticmethod
    def _refuse_uncleared(processing, assignees, scope, field):
        """A secret document goes only to people cleared for its level, or to units one
        of whose leaders is: refuse (403, nothing changed) naming the others."""
        refused = secrecy.refused_assignees(processing.confidentiality, assignees, scope)
        if refused:
            name_vi, name_en = secrecy.LEVEL_NAMES[secrecy.level_of(processing.confidentiality)]
            names = ", ".join(refused)
            raise Forbidden(
                f"Không được giao văn bản độ mật \"{name_vi}\" cho người hoặc đơn vị chưa "
                f"có người được phép tiếp cận độ mật này: {names}.",
                f"A document marked \"{name_en}\" cannot go to a person, or a unit with no "
                f"leader, cleared for that level: {names}.",
                {field: {"vi": f"Chưa được phép tiếp cận độ mật \"{name_vi}\": {names}.",
                         "en": f"Not cleared for \"{name_en}\": {names}."}})

    @staticmethod
    def _event_data(processing, caller, item=None, notify_user_ids=(), **extra) -> dict:
        data = {"document_id": processing.document_id, "processing_id": processing.id,
                "unit_id": processing.unit_id, "subject": processing.subject,
                "code": processing.code, "urgency": processing.urgency,
                "confidentiality": processing.confidentiality,
                "arrival_number": processing.arrival_number,
                "processing_state": processing.state,
                "document_state": domain.DOCUMENT_STATE[processing.state],
                "actor_id": caller.user_id if caller else "system:workflow",
                "notify_user_ids": sorted(set(notify_user_ids))}
        if item is not None:
            data["item"] = {"id": item.id, "kind": item.kind, "user_id": item.user_id,
                            "unit_id": item.unit_id, "parent_id": item.parent_id,
                            "due_date": iso(item.due_date), "instruction": item.instruction}
        return data | {k: v for k, v in extra.items() if v is not None}

    def _visible_processing(self, session, caller, document_id):
        """The document's processing if it has one (None otherwise), when the caller may
        see it: Forbidden unless they belong to its unit or have a part in it."""
        processing = session.execute(select(Processing).where(
            Processing.document_id == document_id)).scalar_one_or_none()
        if processing is not None:
            self._require_sight(session, caller, processing)
        return processing

    def _require_sight(self, session, caller, processing):
        if caller.system or caller.is_member(processing.unit_id):
            return
        items = self._items(session, processing)
        if any(domain.holds(caller, i.user_id, i.unit_id) or i.assigned_by == caller.user_id
               for i in items):
            return
        if self._delegation(caller, None, processing, document_type=None) is not None:
            return    # acting for a leader of the unit (ủy quyền in force)
        raise Forbidden("Bạn không có quyền xem quá trình xử lý này.",
                        "You may not see how this document is handled.")

    def _processing_out(self, session, processing, caller) -> tuple:
        """The processing as ``caller`` may read it (secrecy.redact), with the facts the
        permission rules need (_allowed adds them after the transaction)."""
        items = self._items(session, processing)
        steps = processing.approval_steps or []
        return permissions.ProcessingFacts.of(processing), secrecy.redact({
                "document_id": processing.document_id, "state": processing.state,
                "confidentiality": processing.confidentiality,
                "document_state": domain.DOCUMENT_STATE[processing.state],
                "direction": processing.direction, "document_type": processing.document_type,
                "instruction": processing.instruction, "due_date": iso(processing.due_date),
                "due_at": iso(processing.due_at),
                "reply_document_id": processing.reply_document_id,
                "completed_at": iso(processing.completed_at),
                # the approval round's chain, as it was when the draft was submitted
                "approval_steps": [{"step": n + 1, "mode": st["mode"],
                                    "approvers": st["approvers"]}
                                   for n, st in enumerate(steps)],
                "items": [{
                    "id": i.id, "kind": i.kind, "state": i.state, "user_id": i.user_id,
                    "unit_id": i.unit_id, "parent_id": i.parent_id,
                    "due_date": iso(i.due_date), "due_at": iso(i.due_at),
                    "instruction": i.instruction,
                    # an approval's step (from 1) and how the step decides (all | any)
                    "step": i.step + 1 if i.step is not None else None,
                    "mode": steps[i.step]["mode"] if i.step is not None and
                    i.step < len(steps) else None,
                    "assigned_by": i.assigned_by, "progress": i.progress,
                    "result_note": i.result_note, "return_reason": i.return_reason,
                    "reply_document_id": i.reply_document_id,
                    "created_at": iso(i.created_at), "done_at": iso(i.done_at),
                    "done_by": i.done_by,
                    "mine": domain.holds(caller, i.user_id, i.unit_id),
                } for i in items]}, processing.confidentiality, caller)

    @staticmethod
    def _wrong_state(processing, action_vi, action_en):
        return Conflict(f"Không thể {action_vi} văn bản ở trạng thái hiện tại "
                        f"({processing.state}).",
                        f"Cannot {action_en} the document in its current state "
                        f"({processing.state}).", {"state": {"vi": processing.state,
                                                             "en": processing.state}})

    @staticmethod
    def _wrong_item(item, action_vi, action_en):
        return Conflict(f"Không thể {action_vi} phần việc này ({item.kind}, {item.state}).",
                        f"Cannot {action_en} this part ({item.kind}, {item.state}).",
                        {"state": {"vi": item.state, "en": item.state}})
