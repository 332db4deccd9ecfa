"""The calendar every part counts in: today, ISO weeks (Monday first), the last complete week,
months, quarters. One home for these rules (the queries, the marts, the loaders, the demo data and
the pages all ask here)."""
from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd

from lagesbild import settings


LOCAL_TIME = ZoneInfo("Europe/Stockholm")  # what the pages show times in


def utc_now() -> dt.datetime:
    """The time an event is stored at (imports, the audit log, fetches, action changes): UTC,
    naive, whole seconds, whatever the server's time zone."""
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None, microsecond=0)


def local(value) -> dt.datetime | None:
    """A stored UTC time (naive) as Swedish local time (naive); None for nothing."""
    if value is None or pd.isna(value):
        return None
    at = pd.Timestamp(value).to_pydatetime()
    at = at.replace(tzinfo=dt.timezone.utc) if at.tzinfo is None else at
    return at.astimezone(LOCAL_TIME).replace(tzinfo=None)


def local_time(value) -> str:
    """A stored UTC time as 'ÅÅÅÅ-MM-DD HH:MM' in Swedish local time; '–' for nothing."""
    at = local(value)
    return at.strftime("%Y-%m-%d %H:%M") if at is not None else "–"


def utc_start_of(day: dt.date) -> dt.datetime:
    """The stored (UTC, naive) time at which the Swedish local `day` begins."""
    return dt.datetime.combine(day, dt.time(), LOCAL_TIME).astimezone(dt.timezone.utc).replace(tzinfo=None)


def local_today(now: dt.datetime | None = None) -> dt.date:
    """The Swedish calendar day now (or at the aware time `now`), whatever the server's time zone:
    on a server that runs in UTC, 23:30 on Sunday is already Monday in Botkyrka."""
    return (now or dt.datetime.now(dt.timezone.utc)).astimezone(LOCAL_TIME).date()


def today() -> dt.date:
    """The day the numbers are counted up to: the Swedish day, or the setting `today`
    (LAGESBILD_TODAY) for reproducible tests and screenshots. Events in the audit log and notes
    are dated by the real day (`local_today`), never by the setting."""
    return settings.value("today") or local_today()


def monday(day: dt.date) -> dt.date:
    """The Monday of the ISO week of `day`."""
    return day - dt.timedelta(days=day.weekday())


def week_end(day: dt.date) -> dt.date:
    """The Sunday of the ISO week of `day`."""
    return monday(day) + dt.timedelta(days=6)


def whole_weeks(start: dt.date, end: dt.date) -> tuple[tuple[dt.date, dt.date] | None, list[tuple[dt.date, dt.date]]]:
    """The whole ISO weeks of start..end (their first Monday and last Sunday; None: none) and the
    days outside them (at most two ranges of up to 6 days)."""
    first = start + dt.timedelta(days=-start.weekday() % 7)
    last = end - dt.timedelta(days=(end.weekday() + 1) % 7)
    if first > last:
        return None, ([(start, end)] if start <= end else [])
    one = dt.timedelta(days=1)
    return (first, last), [r for r in ((start, first - one), (last + one, end)) if r[0] <= r[1]]


def last_complete_week_end(day: dt.date) -> dt.date:
    """The Sunday that ends the last complete ISO week before `day`."""
    return day - dt.timedelta(days=day.weekday() + 1)


def week_key(day: dt.date) -> str:
    """'2026-W47': the ISO year and week of `day` (a stable key for links and files)."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def week_number(day: dt.date) -> int:
    return day.isocalendar().week


def quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def week_and_month_starts(occurred: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Monday of the ISO week and first day of the month of each time, as datetime64[D]
    (vectorised, for millions of rows)."""
    days = pd.to_datetime(occurred).to_numpy().astype("datetime64[D]")
    # 1970-01-01 was a Thursday: days since epoch + 3 mod 7 is the weekday, Monday = 0.
    weekday = (days.astype(np.int64) + 3) % 7
    return days - weekday.astype("timedelta64[D]"), days.astype("datetime64[M]").astype("datetime64[D]")
