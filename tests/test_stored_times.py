"""Stored times are UTC whatever the server's time zone; pages show them in Swedish local time
(lagesbild.calendar: utc_now, local, local_time, utc_start_of)."""
import datetime as dt
import os
import time

import pytest
from sqlalchemy import insert

from lagesbild import audit, calendar
from lagesbild.store.models import AuditEvent


@pytest.mark.parametrize("stored, shown", [
    (dt.datetime(2026, 11, 10, 7, 5), "2026-11-10 08:05"),     # CET, UTC+1
    (dt.datetime(2026, 7, 1, 22, 30), "2026-07-02 00:30"),     # CEST, UTC+2: the next Swedish day
    (dt.datetime(2026, 3, 29, 0, 59), "2026-03-29 01:59"),     # the last minute before summer time
    (dt.datetime(2026, 3, 29, 1, 0), "2026-03-29 03:00"),      # summer time from 01:00 UTC
    (None, "–"),
])
def test_local_time(stored, shown):
    assert calendar.local_time(stored) == shown


def test_a_swedish_day_starts_at_its_utc_time():
    assert calendar.utc_start_of(dt.date(2026, 11, 10)) == dt.datetime(2026, 11, 9, 23, 0)
    assert calendar.utc_start_of(dt.date(2026, 7, 2)) == dt.datetime(2026, 7, 1, 22, 0)


def test_utc_now_does_not_follow_the_server_time_zone(monkeypatch):
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    time.tzset()
    try:
        stored = calendar.utc_now()
        utc = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        assert abs((utc - stored).total_seconds()) < 5 and stored.microsecond == 0
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_the_audit_log_shows_local_time_and_filters_by_swedish_days(empty_engine):
    with empty_engine.begin() as conn:
        for at in (dt.datetime(2026, 7, 1, 21, 59), dt.datetime(2026, 7, 1, 22, 0)):  # 23:59 and 00:00 local
            conn.execute(insert(AuditEvent.__table__).values(at=at, actor="u", action=audit.IMPORT,
                                                             outcome=audit.OK, detail=""))
    with empty_engine.connect() as conn:
        july_2 = audit.events(conn, audit.EventFilter(start=dt.date(2026, 7, 2), end=dt.date(2026, 7, 2)))
        july_1 = audit.events(conn, audit.EventFilter(start=dt.date(2026, 7, 1), end=dt.date(2026, 7, 1)))
    assert list(july_2["at"]) == [dt.datetime(2026, 7, 2, 0, 0)]
    assert list(july_1["at"]) == [dt.datetime(2026, 7, 1, 23, 59)]


@pytest.mark.parametrize("now, day", [
    (dt.datetime(2026, 11, 29, 23, 30, tzinfo=dt.timezone.utc), dt.date(2026, 11, 30)),  # CET: already Monday
    (dt.datetime(2026, 11, 29, 22, 59, tzinfo=dt.timezone.utc), dt.date(2026, 11, 29)),
    (dt.datetime(2026, 7, 1, 22, 0, tzinfo=dt.timezone.utc), dt.date(2026, 7, 2)),       # CEST
])
def test_the_swedish_day_is_not_the_servers_day(now, day):
    assert calendar.local_today(now) == day


def test_the_default_audit_period_holds_an_event_of_the_late_evening(empty_engine):
    """The CI run of 2026-11-29 failed at 23:05 UTC: Granskning's default period ended on the
    server's day (UTC), so the download just made (00:05 in Sweden, the next day) was not listed."""
    from lagesbild.pageviews import granskning
    at = dt.datetime(2026, 11, 29, 23, 5)  # stored UTC
    with empty_engine.begin() as conn:
        conn.execute(insert(AuditEvent.__table__).values(at=at, actor="u", action=audit.DOWNLOAD,
                                                         outcome=audit.OK, detail=""))
    today = calendar.local_today(at.replace(tzinfo=dt.timezone.utc))
    with empty_engine.connect() as conn:
        shown = audit.events(conn, granskning.event_filter(granskning.default_period(today), [audit.DOWNLOAD], "", None))
    assert list(shown["action"]) == [audit.DOWNLOAD]


def test_no_module_dates_by_the_servers_clock():
    """Every 'today' comes from lagesbild.calendar (the Swedish day), none from date.today()."""
    from pathlib import Path
    root = Path(__file__).resolve().parent.parent
    offenders = [str(p.relative_to(root)) for d in ("lagesbild", "loaders", "views") for p in (root / d).rglob("*.py")
                 if "date.today()" in p.read_text(encoding="utf-8") and p.name != "calendar.py"]
    offenders += ["app.py"] if "date.today()" in (root / "app.py").read_text(encoding="utf-8") else []
    assert offenders == ["lagesbild/setup.py"]  # only the population years (a range of years), which no hour moves


@pytest.mark.parametrize("start, end, core, edges", [
    ("2025-11-17", "2026-11-15", ("2025-11-17", "2026-11-15"), []),                      # a named period
    ("2025-11-19", "2026-11-12", ("2025-11-24", "2026-11-08"),
     [("2025-11-19", "2025-11-23"), ("2026-11-09", "2026-11-12")]),
    ("2025-11-19", "2025-11-21", None, [("2025-11-19", "2025-11-21")]),                  # inside one week
    ("2025-11-23", "2025-11-24", None, [("2025-11-23", "2025-11-24")]),                  # Sunday, Monday
])
def test_whole_weeks_and_the_days_outside_them(start, end, core, edges):
    day = dt.date.fromisoformat
    assert calendar.whole_weeks(day(start), day(end)) == (
        tuple(map(day, core)) if core else None, [(day(a), day(b)) for a, b in edges])
