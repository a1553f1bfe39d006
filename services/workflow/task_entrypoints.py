"""The workflow service's entrypoints for tasks (công việc): given from a document or on
their own, split into sub-tasks, with progress, a history, deadlines and reminders.
Mixed into WorkflowService. Needs: self.db, self.clock, self.identity, self.documents_rpc
(describe_assignees, directory_names), self.flush_outbox and WorkflowBase's
_require_clearance and _refuse_uncleared."""
from __future__ import annotations

import uuid

from sqlalchemy import case, func, select

from services.common import events
from services.common.db import fetch_page, insert_once, iso
from services.common.errors import EXPECTED_ERRORS, Conflict, Forbidden, invalid_fields, \
    not_found
from services.common.outbox import add_event
from services.common.rpc import rpc
from services.common.validation import UUID_RE, Problems, page_params
from services.workflow import deadlines, domain, permissions
from services.workflow.models import Processing, Task, TaskReminder, TaskUpdate, outbox

TASK_STATES = (domain.TASK_OPEN, domain.TASK_DONE, domain.TASK_CANCELLED)



class TaskEntrypoints:

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def create_task(self, token, payload):
        """Giao việc: a task in a unit (or a sub-task of one), for a person of the unit
        or a unit below it, with a deadline; from a document or on its own. A leader of
        the unit gives tasks to anyone in scope; anyone gives tasks to themselves; the
        holder of a task splits it into sub-tasks, due no later than it.
        payload {unit_id, title, description?, assignee_id, due_date?, document_id?,
        parent_id?}. Returns the task. Errors: InvalidInput (past or late deadline,
        someone outside the unit); Forbidden; NotFound (parent); Conflict (parent done).
        Events: task_assigned (kind "task")."""
        caller = self.identity.caller(token)
        data = domain.parse_task(payload, self.clock.today())
        parent = None
        if data["parent_id"]:
            with self.db.read() as session:
                parent = session.get(Task, data["parent_id"])
            if parent is None:
                raise not_found("công việc", "Task", data["parent_id"])
            if parent.state != domain.TASK_OPEN:
                raise Conflict("Công việc đã kết thúc.", "The task is closed.")
            if caller.user_id not in (parent.assignee_id, parent.created_by):
                raise Forbidden("Chỉ người được giao hoặc người giao việc được chia việc con.",
                                "Only the task's holder or giver may split it.")
            if data["due_date"] and parent.due_date and data["due_date"] > parent.due_date:
                raise invalid_fields({"due_date": {
                    "vi": "Không được sau hạn của việc cha.",
                    "en": "Cannot be after the parent task's deadline."}})
            data["unit_id"] = parent.unit_id
            data["due_date"] = data["due_date"] or parent.due_date
            data["document_id"] = data["document_id"] or parent.document_id
        elif data["assignee_id"] != caller.user_id and \
                not domain.leads_unit(caller, data["unit_id"]):
            raise Forbidden("Chỉ lãnh đạo đơn vị giao việc cho người khác.",
                            "Only the unit's leaders give tasks to others.")
        elif not caller.is_member(data["unit_id"]):
            raise Forbidden("Bạn không thuộc đơn vị này.", "You do not belong to this unit.")
        scope = self.documents_rpc.describe_assignees(
            self.identity.system_token(), data["unit_id"], [], [data["assignee_id"]])
        if not scope["users"].get(data["assignee_id"], {}).get("within"):
            raise invalid_fields({"assignee_id": {
                "vi": "Người nhận việc không thuộc đơn vị.",
                "en": "The assignee is not in the unit or a unit below it."}})
        self._refuse_secret_task(caller, data, scope)
        now = self.clock.now()
        with self.db.transaction() as session:
            task = Task(id=str(uuid.uuid4()), state=domain.TASK_OPEN, progress=0,
                        created_by=caller.user_id, created_at=now, **data)
            session.add(task)
            session.flush()
            self._task_history(session, task, caller.user_id, "given", now,
                               note=task.description)
            if parent is not None:
                self._task_history(session, parent, caller.user_id, "subtask_added", now,
                                   note=task.title)
            add_event(session, outbox, events.TASK_ASSIGNED, self._task_event(
                task, caller.user_id, [task.assignee_id]))
            result = self._task_out(session, task)
        self.flush_outbox()
        return self._with_actions(caller, self._with_names(result))

    def _refuse_secret_task(self, caller, data, scope):
        """A task from a secret document is given by, and to, people cleared for its
        level (as assigning the document is): 403 otherwise, nothing created."""
        if not data["document_id"]:
            return
        with self.db.read() as session:
            processing = session.execute(select(Processing).where(
                Processing.document_id == data["document_id"])).scalar_one_or_none()
        if processing is not None:
            self._require_clearance(caller, processing)
            self._refuse_uncleared(processing, [domain.Assignee(
                "task", None, data["assignee_id"], None)], scope, "assignee_id")

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def update_task(self, token, task_id, payload):
        """The holder records progress {percent?, note} or completes it {complete: true,
        note?} (not while a sub-task is open); the giver may cancel it {cancel: true,
        note?}. Every update is kept in the task's history. Returns the task.
        Every task answer (this, create_task, get_task and its sub-tasks, list_tasks'
        items) carries allowed_actions, what the caller may do now (permissions.
        task_actions): progress, complete, cancel, add_subtask.
        Errors: InvalidInput; Forbidden; NotFound; Conflict.
        Events: task_progressed, task_completed (the giver is told; on cancellation the
        holder too)."""
        caller = self.identity.caller(token)
        problems = Problems()
        payload = problems.object(payload)
        problems.only(payload, {"percent", "note", "complete", "cancel"})
        percent = problems.integer(payload, "percent", minimum=0, maximum=100)
        note = problems.text(payload, "note", max_length=domain.TEXT_LIMIT)
        complete = problems.boolean(payload, "complete")
        cancel = problems.boolean(payload, "cancel")
        if complete and cancel:
            problems.add("cancel", "Chọn hoàn thành hoặc hủy, không cả hai.",
                         "Complete or cancel, not both.")
        if not (complete or cancel) and percent is None and not note:
            problems.add("note", "Ghi tiến độ hoặc kết quả.", "Give progress or a note.")
        problems.raise_if_any()
        now = self.clock.now()
        with self.db.transaction() as session:
            task = session.get(Task, task_id) if isinstance(task_id, str) else None
            if task is None:
                raise not_found("công việc", "Task", task_id)
            allowed = task.created_by if cancel else task.assignee_id
            if caller.user_id != allowed:
                raise Forbidden("Đây không phải việc của bạn.", "This is not your task.")
            if task.state != domain.TASK_OPEN:
                raise Conflict("Công việc đã kết thúc.", "The task is closed.")
            open_children = session.execute(select(Task.id).where(
                Task.parent_id == task.id, Task.state == domain.TASK_OPEN)).first()
            if complete and open_children:
                raise Conflict("Còn việc con chưa xong.", "A sub-task is still open.")
            if percent is not None:
                task.progress = percent
            if note:
                task.result_note = note
            action = "completed" if complete else "cancelled" if cancel else "progress"
            if complete or cancel:
                task.state = domain.TASK_DONE if complete else domain.TASK_CANCELLED
                task.done_at = now
                task.progress = 100 if complete else task.progress
            self._task_history(session, task, caller.user_id, action, now,
                               percent=task.progress, note=note)
            kind = events.TASK_COMPLETED if (complete or cancel) else events.TASK_PROGRESSED
            told = {task.created_by} | ({task.assignee_id} if cancel else set())
            add_event(session, outbox, kind, self._task_event(
                task, caller.user_id, sorted(told - {caller.user_id}), note=note,
                task_state=task.state))
            result = self._task_out(session, task)
        self.flush_outbox()
        return self._with_actions(caller, self._with_names(result))

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def list_tasks(self, token, params=None):
        """Tasks: params {view: mine (given to me) | created (given by me) | unit (a
        unit's, for its leaders), unit_id (with view unit), state, document_id (tasks
        from this document), page, page_size}. Open tasks first, then by deadline.
        Returns a page of tasks (with sub-task counts and people's names) and counts
        {mine, created, overdue}: the caller's open tasks in each view and their own
        open tasks past the deadline."""
        caller = self.identity.caller(token)
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"view", "unit_id", "state", "document_id", "page",
                               "page_size"})
        view = problems.choice(params, "view", domain.TASK_VIEWS, default="mine")
        unit_id = problems.text(params, "unit_id", max_length=36)
        state = problems.choice(params, "state", TASK_STATES)
        document_id = problems.text(params, "document_id", max_length=36)
        if document_id and not UUID_RE.match(document_id):
            problems.add("document_id", "Mã văn bản không hợp lệ.", "Invalid document id.")
        page, page_size = page_params(problems, params)
        if view == "unit" and not unit_id:
            problems.add("unit_id", "Bắt buộc với view=unit.", "Required with view=unit.")
        problems.raise_if_any()
        if view == "unit" and not domain.leads_unit(caller, unit_id):
            raise Forbidden("Chỉ lãnh đạo đơn vị xem việc của đơn vị.",
                            "Only the unit's leaders see its tasks.")
        whose = {"mine": Task.assignee_id == caller.user_id,
                 "created": Task.created_by == caller.user_id,
                 "unit": Task.unit_id == unit_id}
        query = select(Task).where(whose[view])
        if state:
            query = query.where(Task.state == state)
        if document_id:
            query = query.where(Task.document_id == document_id)
        open_first = case((Task.state == domain.TASK_OPEN, 0), else_=1)
        with self.db.read() as session:
            total, rows = fetch_page(session, query.order_by(
                open_first, Task.due_date.is_(None), Task.due_date, Task.created_at.desc()),
                page, page_size)
            items = [self._task_out(session, t) for t in rows.scalars().all()]
            open_ = Task.state == domain.TASK_OPEN
            counts = {name: session.execute(select(func.count()).select_from(Task).where(
                condition, open_)).scalar_one() for name, condition in (
                ("mine", whose["mine"]), ("created", whose["created"]),
                ("overdue", whose["mine"] & (Task.due_date < self.clock.today())))}
        names = self._names(items)
        return {"items": [self._with_actions(caller, self._with_names(i, names))
                          for i in items], "total": total,
                "page": page, "page_size": page_size, "counts": counts}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def get_task(self, token, task_id):
        """A task with its sub-tasks and its history ({at, actor_id, actor_name, action:
        given | progress | subtask_added | completed | cancelled, percent, note}).
        Errors: NotFound; Forbidden unless its holder, its giver, a holder of a task
        above it, or a leader of its unit."""
        caller = self.identity.caller(token)
        with self.db.read() as session:
            task = session.get(Task, task_id) if isinstance(task_id, str) else None
            if task is None:
                raise not_found("công việc", "Task", task_id)
            chain, up = {task.assignee_id, task.created_by}, task
            while up.parent_id:
                up = session.get(Task, up.parent_id)
                chain |= {up.assignee_id, up.created_by}
            if caller.user_id not in chain and not domain.leads_unit(caller, task.unit_id):
                raise Forbidden("Bạn không có quyền xem công việc này.",
                                "You may not see this task.")
            out = self._task_out(session, task)
            out["subtasks"] = [self._task_out(session, t) for t in session.execute(
                select(Task).where(Task.parent_id == task.id)
                .order_by(Task.created_at)).scalars()]
            out["history"] = [{"at": u.at.isoformat(), "actor_id": u.actor_id,
                               "action": u.action, "percent": u.percent, "note": u.note}
                              for u in session.execute(select(TaskUpdate).where(
                                  TaskUpdate.task_id == task.id)
                                  .order_by(TaskUpdate.id)).scalars()]
        names = self._names([out, *out["subtasks"]],
                            [u["actor_id"] for u in out["history"]])
        out = self._with_actions(caller, self._with_names(out, names))
        out["subtasks"] = [self._with_actions(caller, self._with_names(t, names))
                           for t in out["subtasks"]]
        for update in out["history"]:
            update["actor_name"] = names.get(update["actor_id"])
        return out

    # ---------------------------------------------------------------- deadlines

    def _remind_tasks(self, today, horizon):
        """Remind the holder of an open task before its deadline and alert them (and its
        giver) once it has passed; each once, as for parts (TaskReminder)."""
        with self.db.read() as session:
            due = session.execute(select(Task.id, Task.due_date).where(
                Task.state == domain.TASK_OPEN, Task.due_date.is_not(None),
                Task.due_date <= horizon)).all()
            sent = set(session.execute(select(TaskReminder.task_id, TaskReminder.kind).where(
                TaskReminder.task_id.in_([row.id for row in due]))).all()) if due else set()
        now = self.clock.now()
        for task_id, due_date in due:
            kind = deadlines.reminder_kind(due_date, None, today, now)
            if (task_id, kind) not in sent:
                self._remind_task(task_id, kind)

    def _remind_task(self, task_id, kind):
        now = self.clock.now()
        with self.db.transaction() as session:
            if not insert_once(session, TaskReminder.__table__, task_id=task_id, kind=kind,
                               sent_at=now):
                return                     # another process sent it
            task = session.get(Task, task_id)
            if task.state != domain.TASK_OPEN:
                return
            told = [task.assignee_id] + ([task.created_by] if kind == domain.OVERDUE else [])
            add_event(session, outbox, events.DEADLINE_MISSED if kind == domain.OVERDUE
                      else events.DEADLINE_APPROACHING,
                      self._task_event(task, "system:workflow", told))

    # ---------------------------------------------------------------- helpers

    @staticmethod
    def _task_history(session, task, actor_id, action, at, percent=None, note=None):
        session.add(TaskUpdate(task_id=task.id, actor_id=actor_id, action=action,
                               percent=percent, note=note, at=at))

    def _names(self, tasks, more_user_ids=()) -> dict:
        """People's names for tasks (holders and givers), from the directory."""
        ids = {t["assignee_id"] for t in tasks} | {t["created_by"] for t in tasks} | \
            set(more_user_ids)
        ids = sorted(i for i in ids if i and not i.startswith("system:"))
        if not ids:
            return {}
        return self.documents_rpc.directory_names(self.identity.system_token(),
                                                  ids[:500])["users"]

    def _with_names(self, task: dict, names: dict | None = None) -> dict:
        names = self._names([task]) if names is None else names
        return task | {"assignee_name": names.get(task["assignee_id"]),
                       "created_by_name": names.get(task["created_by"])}

    @staticmethod
    def _with_actions(caller, task: dict) -> dict:
        """The task with what the caller may do on it now (allowed_actions)."""
        return task | {"allowed_actions": permissions.task_actions(caller, task)}

    @staticmethod
    def _task_out(session, task) -> dict:
        children = session.execute(select(Task.state).where(
            Task.parent_id == task.id)).scalars().all()
        return {"id": task.id, "unit_id": task.unit_id, "parent_id": task.parent_id,
                "document_id": task.document_id, "title": task.title,
                "description": task.description, "assignee_id": task.assignee_id,
                "due_date": iso(task.due_date), "state": task.state,
                "progress": task.progress, "result_note": task.result_note,
                "created_by": task.created_by, "created_at": iso(task.created_at),
                "done_at": iso(task.done_at), "subtask_count": len(children),
                "subtasks_open": sum(1 for c in children if c == domain.TASK_OPEN)}

    @staticmethod
    def _task_event(task, actor_id, notify_user_ids, **extra) -> dict:
        return {"document_id": task.document_id, "task_id": task.id, "unit_id": task.unit_id,
                "subject": task.title, "code": "", "urgency": "normal",
                "confidentiality": "none", "processing_state": None, "document_state": None,
                "actor_id": actor_id, "notify_user_ids": sorted(set(notify_user_ids)),
                "item": {"id": task.id, "kind": "task", "user_id": task.assignee_id,
                         "unit_id": None, "parent_id": task.parent_id,
                         "due_date": iso(task.due_date), "instruction": task.description}
                } | {k: v for k, v in extra.items() if v is not None}
