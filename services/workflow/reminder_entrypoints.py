"""The workflow service's deadline reminders: a timer (config TIMERS.reminder_scan) that
reminds whoever holds an open part, or an open task, before its deadline and alerts
them once it has passed — each exactly once, whichever process sends it. Deadlines are
Vietnamese working days and office hours (self.calendar, self.clock).

Mixed into WorkflowService. Needs: self.db, self.clock, self.calendar, self.config
(REMINDER_WORKING_DAYS, REMINDER_WORKING_HOURS), self.identity, self.documents_rpc
(describe_assignees), self.flush_outbox, WorkflowBase's helpers and TaskEntrypoints'
_remind_tasks."""
from __future__ import annotations

import logging

from sqlalchemy import select

from services.common import events
from services.common.db import insert_once, iso
from services.common.errors import (ServiceTimeout,
                                    ServiceUnavailable)
from services.common.outbox import add_event
from services.common.timers import configured_timer
from services.workflow import deadlines, domain, secrecy
from services.workflow.models import (Processing, Reminder,
                                      WorkItem, outbox)

log = logging.getLogger(__name__)


class ReminderEntrypoints:
    @configured_timer("reminder_scan", default=60)
    def send_deadline_reminders(self):
        """Remind whoever holds an open part REMINDER_WORKING_DAYS working days (config,
        default 1) before its deadline — REMINDER_WORKING_HOURS (default 1) office hours
        before a deadline in hours — and alert them once it has passed; open tasks too.
        Every workflow process runs this, every TIMERS.reminder_scan seconds (config); a
        reminder is recorded in the same transaction as its event, keyed by (part, kind),
        so each is sent exactly once. Events: deadline_approaching, deadline_missed."""
        today, now = self.clock.today(), self.clock.now()
        days = int(self.config.get("REMINDER_WORKING_DAYS") or 1)
        horizon = self.calendar.add_working_days(today, days)
        hours_ahead = self.calendar.add_working_hours(
            now, float(self.config.get("REMINDER_WORKING_HOURS") or 1))
        with self.db.read() as session:
            due = session.execute(
                select(WorkItem.id, WorkItem.due_date, WorkItem.due_at).where(
                    WorkItem.state == domain.OPEN, WorkItem.kind.in_(domain.HANDLING),
                    WorkItem.due_date.is_not(None), WorkItem.due_date <= horizon)).all()
            sent = set(session.execute(select(Reminder.work_item_id, Reminder.kind).where(
                Reminder.work_item_id.in_([row.id for row in due]))).all()) if due else set()
        for item_id, due_date, due_at in due:
            kind = deadlines.reminder_kind(due_date, due_at, today, now, hours_ahead)
            if kind and (item_id, kind) not in sent:
                self._remind(item_id, kind, today)
        self._remind_tasks(today, horizon)
        self.flush_outbox()

    def _remind(self, item_id, kind, today):
        leaders = self._current_leaders(item_id)
        now = self.clock.now()
        with self.db.transaction() as session:
            if not insert_once(session, Reminder.__table__, work_item_id=item_id, kind=kind,
                               sent_at=now):
                return                     # another process sent it
            item = session.get(WorkItem, item_id)
            processing = session.get(Processing, item.processing_id)
            if item.state != domain.OPEN:
                return
            event = events.DEADLINE_MISSED if kind == domain.OVERDUE else \
                events.DEADLINE_APPROACHING
            self._event(session, processing, "system:workflow", event,
                        {"due_date": iso(item.due_date), "due_at": iso(item.due_at)}, item)
            add_event(session, outbox, event, self._event_data(
                processing, None, item=item, notify_user_ids=[item.user_id] if item.user_id
                else leaders if leaders is not None else item.notify_user_ids,
                working_days_left=self.calendar.working_days_between(today, item.due_date)))

    def _current_leaders(self, item_id):
        """For a unit's part not yet passed on, the unit's leaders now (they may have
        changed since it was given; of a secret document, those cleared for its level);
        None for a person's part, or if the directory cannot answer (then those told at
        assignment are reminded)."""
        with self.db.read() as session:
            item = session.get(WorkItem, item_id)
            unit_id = item.unit_id if item is not None and item.user_id is None else None
            level = session.get(Processing, item.processing_id).confidentiality \
                if unit_id else "none"
        if unit_id is None:
            return None
        try:
            scope = self.documents_rpc.describe_assignees(self.identity.system_token(),
                                                          unit_id, [unit_id], [])
        except (ServiceUnavailable, ServiceTimeout):
            log.warning("directory unavailable; reminding the leaders of %s as of "
                        "assignment", unit_id)
            return None
        unit = scope["units"].get(unit_id)
        return secrecy.cleared_leaders(unit, level) if unit is not None else None
