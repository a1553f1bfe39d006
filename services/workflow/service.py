"""The workflow service: how documents move between people. A registered incoming
document waits for its unit's leaders (or the one the clerk submits it to); a leader
assigns it; units pass their part to their people; handlers record progress, return it
with a reason or complete it; it is done when its lead completes (ND30 Điều 23–24).
Outgoing drafts follow their unit's approval chain; tasks (công việc) are given and
followed; deadlines are reminded of; a report counts who did what on time.

This class holds the providers; the entrypoints are mixed in by concern:
processing_entrypoints (an incoming document's steps), approval_entrypoints (approval
chains, submitting a draft, its steps, units' deadline rules), inbox_entrypoints (the
inbox, a document's processing and history), report_entrypoints, reminder_entrypoints
(the deadline timer), task_entrypoints; base.WorkflowBase has what they share."""
from __future__ import annotations

from nameko.dependency_providers import Config

from services.common.clock import Clock
from services.common.db import Database
from services.common.identity_provider import Identity
from services.common.rpc import TimedRpc
from services.common.service_base import OutboxServiceBase
from services.workflow.approval_entrypoints import ApprovalEntrypoints
from services.workflow.base import WorkflowBase
from services.workflow.dependencies import Calendar
from services.workflow.inbox_entrypoints import InboxEntrypoints
from services.workflow.models import outbox
from services.workflow.processing_entrypoints import ProcessingEntrypoints
from services.workflow.reminder_entrypoints import ReminderEntrypoints
from services.workflow.report_entrypoints import ReportEntrypoints
from services.workflow.task_entrypoints import TaskEntrypoints


class WorkflowService(ProcessingEntrypoints, ApprovalEntrypoints, InboxEntrypoints,
                      ReportEntrypoints, ReminderEntrypoints, TaskEntrypoints, WorkflowBase,
                      OutboxServiceBase):
    name = "workflow"

    db = Database()
    identity = Identity()
    calendar = Calendar()
    clock = Clock()          # Vietnam's: every today, deadline and report day
    documents_rpc = TimedRpc("documents")
    config = Config()
    outbox = outbox
