from datetime import date, datetime, timedelta, timezone

from services.workflow import reports

TODAY = date(2026, 3, 10)
VIETNAM = timezone(timedelta(hours=7))
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=VIETNAM)


def at(day: date, hour: int = 15, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=VIETNAM)


def part(item_id, *, state="open", kind="lead", user=None, unit=None, parent=None,
         due=date(2026, 3, 5), due_at=None, done=None, document="d1"):
    return reports.Part(item_id=item_id, kind=kind, state=state, user_id=user, unit_id=unit,
                        parent_id=parent, due_date=due, due_at=due_at,
                        done_at=done if done is None or isinstance(done, datetime)
                        else at(done), document_id=document,
                        subject="S", code="01/UBND", urgency="normal")


def test_a_part_done_by_its_deadline_is_on_time_and_after_it_is_late():
    assert reports.status_of(part("a", state="done", done=date(2026, 3, 5)), TODAY, NOW) == \
        "done_on_time"
    assert reports.status_of(part("a", state="done", done=date(2026, 3, 6)), TODAY, NOW) == \
        "done_late"


def test_an_open_part_past_its_deadline_is_overdue_and_otherwise_open():
    assert reports.status_of(part("a"), TODAY, NOW) == "overdue"
    assert reports.status_of(part("a", due=date(2026, 3, 10)), TODAY, NOW) == "open"
    assert reports.status_of(part("a", state="forwarded"), TODAY, NOW) == "overdue"


def test_by_unit_counts_top_level_parts_and_by_person_the_parts_people_hold():
    parts = [part("u", unit="STC", state="forwarded"),
             part("p", user="bao", parent="u", state="done", done=date(2026, 3, 4)),
             part("c", kind="co_handler", user="thu", due=None),
             part("i", kind="for_info", unit="XA"),
             part("x", unit="SNV", state="closed")]
    by_unit = {r["id"]: r for r in reports.build(parts, "unit", TODAY, NOW)}
    assert set(by_unit) == {"STC", "thu"}
    assert (by_unit["STC"]["received"], by_unit["STC"]["overdue"]) == (1, 1)
    assert by_unit["thu"]["open"] == 1
    by_person = {r["id"]: r for r in reports.build(parts, "person", TODAY, NOW)}
    assert set(by_person) == {"bao", "thu"}
    assert by_person["bao"]["done_on_time"] == 1
    assert reports.totals(list(by_unit.values()))["received"] == 2


def test_the_most_overdue_come_first_and_the_table_ends_with_totals():
    parts = [part("a", unit="A", due=date(2026, 3, 20)),
             part("b", unit="B"), part("c", unit="B", document="d2")]
    rows = reports.build(parts, "unit", TODAY, NOW)
    assert [r["id"] for r in rows] == ["B", "A"]
    columns, table = reports.table(rows, {"A": "Sở A", "B": "Sở B"})
    assert columns[1] == "Đơn vị / cán bộ" and table[0][1] == "Sở B"
    assert table[-1][:3] == ["", "Tổng cộng", "3"]


def test_a_deadline_in_hours_is_late_or_overdue_from_the_minute_it_passes():
    due_at = datetime(2026, 3, 10, 9, 30, tzinfo=VIETNAM)
    hourly = {"due": date(2026, 3, 10), "due_at": due_at}
    assert reports.status_of(part("a", **hourly), TODAY, NOW) == "overdue"
    assert reports.status_of(part("a", **hourly), TODAY, due_at) == "open"
    assert reports.status_of(part("a", state="done", done=due_at, **hourly), TODAY, NOW) == \
        "done_on_time"
    assert reports.status_of(part("a", state="done", done=due_at + timedelta(minutes=1),
                                  **hourly), TODAY, NOW) == "done_late"


def test_a_part_done_late_in_the_evening_counts_by_vietnam_day_not_utc():
    # 23:30 on 5 March in Vietnam is 16:30 UTC the same day; 00:30 on 6 March is still
    # 5 March in UTC but late in Vietnam.
    assert reports.status_of(part("a", state="done", done=at(date(2026, 3, 5), 23, 30)),
                             TODAY, NOW) == "done_on_time"
    assert reports.status_of(part("a", state="done", done=at(date(2026, 3, 6), 0, 30)
                                  .astimezone(timezone.utc)), TODAY, NOW) == "done_late"
