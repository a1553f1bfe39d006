"""The workflow service's entrypoints for the processing-status report (ND30 Phụ lục VI
§V: Báo cáo tình hình giải quyết văn bản đến) and its printable export. The period's
days are Vietnamese days (self.clock), whatever the server's zone.

Mixed into WorkflowService. Needs: self.db, self.clock, self.identity,
self.documents_rpc (directory_names)."""
from __future__ import annotations

import base64
from datetime import timedelta

from eventlet import tpool
from sqlalchemy import select

from services.common import tables
from services.common.clock import day_start, vietnam_date
from services.common.errors import (EXPECTED_ERRORS, Forbidden, invalid_fields)
from services.common.identity import ADMIN, CLERK, HEAD, UNIT_HEAD
from services.common.rpc import rpc
from services.common.validation import Problems
from services.workflow import domain, reports
from services.workflow.models import (Processing, WorkItem)


EXPORT_TYPES = {"pdf": "application/pdf",
                "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"}


class ReportEntrypoints:
    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def report_processing(self, token, params=None):
        """Báo cáo tình hình giải quyết văn bản đến of a unit for a period: params
        {unit_id, from, to (dates the parts were given; default this month), by: "unit"
        (the units and people the unit's leaders gave work to) | "person" (everyone who
        held a part)}. Returns {unit_id, from, to, by, rows: [{kind, id, name, received,
        done_on_time, done_late, open, overdue, documents: {column: [{document_id, code,
        subject, urgency, role, due_date, done_on}]}}], totals}. Errors: InvalidInput;
        Forbidden unless a leader, clerk or administrator of the unit."""
        caller = self.identity.caller(token)
        query = self._report_query(caller, params)
        with self.db.read() as session:
            parts = [reports.Part(
                item_id=item.id, kind=item.kind, state=item.state, user_id=item.user_id,
                unit_id=item.unit_id, parent_id=item.parent_id, due_date=item.due_date,
                due_at=item.due_at, done_at=item.done_at, document_id=proc.document_id,
                subject=proc.subject, code=proc.code, urgency=proc.urgency,
                confidentiality=proc.confidentiality)
                for item, proc in session.execute(query["select"]).all()]
        now = self.clock.now()
        rows = reports.redacted(reports.build(parts, query["by"], vietnam_date(now), now),
                                caller)
        names = self.documents_rpc.directory_names(
            self.identity.system_token(), [r["id"] for r in rows if r["kind"] == "user"],
            [r["id"] for r in rows if r["kind"] == "unit"])
        for row in rows:
            row["name"] = names["users" if row["kind"] == "user" else "units"].get(row["id"])
        return {"unit_id": query["unit_id"], "from": query["from"].isoformat(),
                "to": query["to"].isoformat(), "by": query["by"], "rows": rows,
                "totals": reports.totals(rows)}

    @rpc(expected_exceptions=EXPECTED_ERRORS)
    def export_processing_report(self, token, params=None):
        """The same report as a printable table: params as report_processing plus
        format "pdf" | "xlsx". Returns {filename, content_type, content_base64, count}."""
        params = dict(params or {})
        kind = params.pop("format", None) or "pdf"
        if kind not in EXPORT_TYPES:
            raise invalid_fields({"format": {"vi": "pdf hoặc xlsx.", "en": "pdf or xlsx."}})
        report = self.report_processing(token, params)
        columns, rows = reports.table(report["rows"], {r["id"]: r["name"] for r in
                                                      report["rows"]})
        unit = self.documents_rpc.directory_names(
            self.identity.system_token(), [], [report["unit_id"]])["units"]
        subtitle = (f"{unit.get(report['unit_id'], '')} · từ {tables.vn_date(report['from'])} đến "
                    f"{tables.vn_date(report['to'])} · theo "
                    f"{'đơn vị' if report['by'] == 'unit' else 'cán bộ'}")
        render = tables.to_pdf if kind == "pdf" else tables.to_xlsx
        content = tpool.execute(render, "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐẾN", subtitle,
                                columns, rows, reports.WIDTHS)
        return {"filename": f"bao-cao-xu-ly-{report['from']}-{report['to']}.{kind}",
                "content_type": EXPORT_TYPES[kind], "count": report["totals"]["received"],
                "content_base64": base64.b64encode(content).decode("ascii")}

    def _report_query(self, caller, params) -> dict:
        problems = Problems()
        params = problems.object(params or {}, "params")
        problems.only(params, {"unit_id", "from", "to", "by"})
        unit_id = problems.text(params, "unit_id", max_length=36, required=True)
        # the period's days are Vietnam's, like the bounds of the query below (the
        # server's own date is a day behind from 17:00 UTC)
        today = self.clock.today()
        start = problems.date(params, "from") or today.replace(day=1)
        end = problems.date(params, "to") or today
        if start > end:
            problems.add("to", "Ngày kết thúc trước ngày bắt đầu.", "Ends before it starts.")
        by = problems.choice(params, "by", ("unit", "person"), default="unit")
        problems.raise_if_any()
        if not caller.has_role(unit_id, HEAD, UNIT_HEAD, CLERK, ADMIN):
            raise Forbidden("Chỉ lãnh đạo, văn thư hoặc quản trị của đơn vị xem báo cáo.",
                            "Only the unit's leaders, clerks or administrators see its "
                            "reports.")
        select_ = select(WorkItem, Processing).join(
            Processing, Processing.id == WorkItem.processing_id).where(
            Processing.unit_id == unit_id, Processing.direction == "incoming",
            WorkItem.kind.in_(domain.HANDLING),
            WorkItem.created_at >= day_start(start),
            WorkItem.created_at < day_start(end + timedelta(days=1)))
        return {"unit_id": unit_id, "from": start, "to": end, "by": by, "select": select_}
