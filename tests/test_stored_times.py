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
