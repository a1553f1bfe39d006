"""Secrecy on workflow's read surfaces (services/workflow/secrecy.py): the one redaction
used by the inbox, the processing report, a document's processing and its history, over
every confidentiality level × every clearance."""
import json
from datetime import date, datetime, timedelta, timezone

import pytest

from services.common.identity import CONFIDENTIALITY_LEVELS, Caller, Membership, \
    clearance_covers
from services.workflow import reports, secrecy

LEVELS = CONFIDENTIALITY_LEVELS
# What no uncleared reader may find, wherever it appears.
PARTICULARS = {"code": "15/BC-BCA", "subject": "Kế hoạch bảo vệ mục tiêu trọng yếu",
               "issuer_name": "Bộ Công an", "instruction": "Giao Công an tỉnh chủ trì ngay",
               "note": "Đã rà soát hiện trường", "reason": "Thiếu phương án dự phòng",
               "comment": "Đồng ý phương án hai"}


def reader(clearance, *memberships):
    return Caller(user_id="reader", username="reader", clearance=clearance,
                  memberships=tuple(Membership(u, r) for u, r in memberships))


def inbox_row(level):
    return {"id": "i1", "kind": "to_assign", "state": "open", "document_id": "d1",
            "subject": PARTICULARS["subject"], "code": PARTICULARS["code"],
            "issuer_name": PARTICULARS["issuer_name"], "arrival_number": 7,
            "urgency": "flash", "confidentiality": level, "due_date": "2026-03-12",
            "processing_state": "awaiting_assignment", "created_at": "2026-03-10T08:00:00"}


def processing(level):
    return {"document_id": "d1", "state": "in_progress", "confidentiality": level,
            "instruction": PARTICULARS["instruction"], "due_date": "2026-03-20",
            "items": [{"id": "i2", "kind": "lead", "state": "returned", "user_id": "u1",
                       "instruction": PARTICULARS["instruction"], "progress": 40,
                       "result_note": PARTICULARS["note"],
                       "return_reason": PARTICULARS["reason"], "done_by": "u1"}]}


def history_event(level):
    return {"at": "2026-03-10T08:00:00", "actor_id": "u1", "action": "assigned",
            "details": {"instruction": PARTICULARS["instruction"], "note": PARTICULARS["note"],
                        "reason": PARTICULARS["reason"], "comment": PARTICULARS["comment"],
                        "lead": {"unit_id": "stc", "user_id": None, "name": "Sở Tài chính",
                                 "due_date": "2026-03-20"}, "due_date": "2026-03-20"}}


SURFACES = {"inbox": inbox_row, "processing": processing, "history": history_event}


def leaks(record) -> set[str]:
    text = json.dumps(record, ensure_ascii=False)
    return {name for name, value in PARTICULARS.items() if value in text}


@pytest.mark.parametrize("surface", sorted(SURFACES))
@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("clearance", LEVELS)
def test_a_reader_sees_the_particulars_only_when_cleared_for_the_level(surface, level,
                                                                      clearance):
    record = SURFACES[surface](level)
    shown = secrecy.redact(record, level, reader(clearance))
    if LEVELS.index(clearance) >= LEVELS.index(level):
        assert shown == record
    else:
        assert leaks(shown) == set(), (surface, level, clearance)
        assert shown["redacted"] is True
    assert record == SURFACES[surface](level)    # the stored record is never changed


@pytest.mark.parametrize("level", LEVELS[1:])
def test_what_an_uncleared_reader_still_sees_is_that_the_document_exists(level):
    row = secrecy.redact(inbox_row(level), level, reader("none"))
    assert row["subject"] == "Văn bản mật" and row["code"] is None
    assert (row["arrival_number"], row["urgency"], row["confidentiality"], row["due_date"],
            row["processing_state"]) == (7, "flash", level, "2026-03-12",
                                         "awaiting_assignment")
    shown = secrecy.redact(processing(level), level, reader("none"))
    assert (shown["items"][0]["state"], shown["items"][0]["progress"],
            shown["items"][0]["user_id"]) == ("returned", 40, "u1")
    event = secrecy.redact(history_event(level), level, reader("none"))
    assert event["details"]["lead"]["name"] == "Sở Tài chính"
    assert event["details"]["due_date"] == "2026-03-20"


def test_a_service_reads_everything_and_an_unknown_level_counts_as_the_highest():
    service = Caller(user_id="system:x", username="x", system=True)
    assert secrecy.redact(inbox_row("top_secret"), "top_secret", service) == \
        inbox_row("top_secret")
    assert leaks(secrecy.redact(inbox_row("cosmic"), "cosmic", reader("secret"))) == set()
    assert not clearance_covers("secret", "cosmic") and clearance_covers("top_secret", None)
    assert not clearance_covers("bogus", "confidential")


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("clearance", LEVELS)
def test_the_processing_reports_documents_are_redacted_but_still_counted(level, clearance):
    now = datetime(2026, 3, 10, 10, tzinfo=timezone(timedelta(hours=7)))
    part = reports.Part(item_id="i", kind="lead", state="open", user_id="u1", unit_id=None,
                        parent_id=None, due_date=date(2026, 3, 5), due_at=None, done_at=None,
                        document_id="d1", subject=PARTICULARS["subject"],
                        code=PARTICULARS["code"], urgency="normal", confidentiality=level)
    rows = reports.redacted(reports.build([part], "person", now.date(), now),
                            reader(clearance))
    assert (rows[0]["received"], rows[0]["overdue"]) == (1, 1)
    listed = rows[0]["documents"]["overdue"][0]
    assert listed["document_id"] == "d1" and listed["confidentiality"] == level
    cleared = LEVELS.index(clearance) >= LEVELS.index(level)
    if cleared:
        assert listed["subject"] == PARTICULARS["subject"]
    else:
        assert leaks(rows) == set() and listed["subject"] == "Văn bản mật"


class Named:
    def __init__(self, user_id=None, unit_id=None):
        self.user_id, self.unit_id = user_id, unit_id


SCOPE = {"users": {"u-none": {"name": "Chưa cấp", "clearance": "none"},
                   "u-secret": {"name": "Tối mật", "clearance": "secret"}},
         "units": {"unit-a": {"name": "Phòng A", "leader_user_ids": ["u-none", "u-secret"],
                              "leader_clearances": {"u-none": "none",
                                                    "u-secret": "secret"}},
                   "unit-b": {"name": "Phòng B", "leader_user_ids": ["u-none"],
                              "leader_clearances": {"u-none": "none"}},
                   "unit-c": {"name": "Phòng C", "leader_user_ids": []}}}


@pytest.mark.parametrize("level, refused", [
    ("none", []),
    ("confidential", ["Chưa cấp", "Phòng B", "Phòng C"]),
    ("secret", ["Chưa cấp", "Phòng B", "Phòng C"]),
    ("top_secret", ["Chưa cấp", "Tối mật", "Phòng A", "Phòng B", "Phòng C"]),
])
def test_a_secret_document_goes_only_to_cleared_people_or_units_with_a_cleared_leader(
        level, refused):
    named = [Named(user_id="u-none"), Named(user_id="u-secret"), Named(unit_id="unit-a"),
             Named(unit_id="unit-b"), Named(unit_id="unit-c")]
    assert secrecy.refused_assignees(level, named, SCOPE) == refused


def test_a_units_part_of_a_secret_document_is_told_to_its_cleared_leaders_only():
    unit = SCOPE["units"]["unit-a"]
    assert secrecy.cleared_leaders(unit, "none") == ["u-none", "u-secret"]
    assert secrecy.cleared_leaders(unit, "secret") == ["u-secret"]
    assert secrecy.cleared_leaders(unit, "top_secret") == []

