"""The agency directory of the axis, kept in the exchange's database: synchronised by a
timer (only what changed since the last sync, where the axis can say so), with each change
in its history, and searched by the recipient picker by name — with or without diacritics —
or by mã định danh. Plain functions over a SQLAlchemy session."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, or_, select

from services.common.text import fold as fold_text
from services.exchange.models import Agency, AgencyChange


def fold(text: str) -> str:
    """"Sở Tài chính" and "so tai chinh" meet (services.common.text.fold, trimmed)."""
    return fold_text(text or "").strip()


def last_change(session) -> datetime | None:
    return session.execute(select(func.max(Agency.changed_at))).scalar()


def _facts(row: Agency) -> dict:
    return {"name": row.name, "parent_id": row.parent_id, "deleted": row.deleted}


def apply_agencies(session, agencies, now: datetime) -> dict:
    """Keep what the axis said of each agency; ``{created, changed, deleted}`` counts.
    An agency the axis repeats unchanged changes nothing."""
    counts = {"created": 0, "changed": 0, "deleted": 0}
    for agency in agencies:
        organ_id = (agency.organ_id or "").strip()[:35]
        if not organ_id:
            continue
        row = session.get(Agency, organ_id)
        after = {"name": (agency.name or organ_id)[:300], "parent_id": agency.parent_id or None,
                 "deleted": bool(agency.deleted)}
        if row is None:
            if after["deleted"]:
                continue
            session.add(Agency(organ_id=organ_id, name=after["name"],
                               folded_name=fold(after["name"])[:300],
                               parent_id=after["parent_id"], email=agency.email,
                               deleted=False, changed_at=agency.changed_at, synced_at=now))
            session.add(AgencyChange(organ_id=organ_id, change="created", before=None,
                                     after=after, at=now))
            counts["created"] += 1
            continue
        before = _facts(row)
        row.changed_at = max(filter(None, (row.changed_at, agency.changed_at)), default=None)
        row.synced_at = now
        if before == after:
            continue
        change = "deleted" if after["deleted"] else "renamed" if \
            before["name"] != after["name"] else "restored" if before["deleted"] else "moved"
        row.name, row.folded_name = after["name"], fold(after["name"])[:300]
        row.parent_id, row.deleted = after["parent_id"], after["deleted"]
        row.email = agency.email or row.email
        session.add(AgencyChange(organ_id=organ_id, change=change, before=before, after=after,
                                 at=now))
        counts["deleted" if after["deleted"] else "changed"] += 1
    return counts


def search(session, text: str, page: int, page_size: int) -> tuple[int, list[dict]]:
    """Agencies in force whose name contains ``text`` (marks or not) or whose mã định danh
    starts with it; by name."""
    query = select(Agency).where(Agency.deleted.is_(False))
    if text:
        folded = fold(text)
        query = query.where(or_(Agency.folded_name.contains(folded),
                                Agency.organ_id.startswith(text.strip().upper())))
    total = session.execute(select(func.count()).select_from(query.subquery())).scalar_one()
    rows = session.execute(query.order_by(Agency.name).offset((page - 1) * page_size)
                           .limit(page_size)).scalars()
    return total, [agency_out(row) for row in rows]


def history(session, organ_id: str) -> list[dict]:
    return [{"change": c.change, "before": c.before, "after": c.after, "at": c.at.isoformat()}
            for c in session.execute(select(AgencyChange).where(
                AgencyChange.organ_id == organ_id).order_by(AgencyChange.id)).scalars()]


def agency_out(row: Agency) -> dict:
    return {"organ_id": row.organ_id, "name": row.name, "parent_id": row.parent_id,
            "email": row.email, "deleted": row.deleted,
            "synced_at": row.synced_at.isoformat()}
