"""Honest freshness: per source the last date with data, the last import or fetch, the expected
cadence (data/feeds/cadence.csv: police hourly, partners weekly, housing quarterly) and whether
the source is stale or has not delivered the latest complete period yet ("Botkyrkabyggen har
inte levererat v. 47"), so that missing data is never read as a drop.

Streams: an incident source (polis, kommun, botkyrkabyggen, raddningstjanst, …) or 'housing'.
A stream that never delivered anything is not listed (nothing leans on it). Dates only: no counts.
"""
from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
from sqlalchemy import Connection, func, select

from lagesbild import config, demo_marker
from lagesbild import formatting as fmt
from lagesbild.calendar import local_time
from lagesbild.store.models import MartIncidentCombo, FeedState, HousingFigure, ImportLog, MartIncidentWeek

CADENCE_FILE = config.DATA_DIR / "feeds" / "cadence.csv"
FEED_OF_STREAM = {"polis": "polisen"}  # streams that are also fetched


@dataclass(frozen=True)
class Cadence:
    stream: str
    label: str
    expected: str
    every_hours: float
    stale_after_hours: float
    period: str  # week, quarter


@dataclass(frozen=True)
class StreamStatus:
    cadence: Cadence
    last_data: dt.date | None         # the last day with data
    last_delivery: dt.datetime | None  # the last successful import or fetch
    stale: bool
    missing: list[dt.date]            # starts of complete periods not delivered yet
    demo: bool = False                # the store holds the generated demo data (nothing to watch)

    @property
    def missing_label(self) -> str:
        if not self.missing:
            return ""
        label = fmt.week_label if self.cadence.period == "week" else fmt.quarter_label
        first, last = label(self.missing[0]), label(self.missing[-1])
        return first if first == last else f"{first} – {last}"

    def messages(self) -> list[str]:
        out = []
        name = self.cadence.label
        if self.missing:
            out.append(f"{name} har inte levererat {self.missing_label}: siffrorna för den perioden är "
                       "ofullständiga, inte en nedgång.")
        if self.stale:
            data = fmt.date(self.last_data) if self.last_data else "–"
            when = local_time(self.last_delivery)  # stored UTC, said in Swedish time
            out.append(f"{name}: senaste data {data}, senast importerad/hämtad {when}; "
                       f"väntas {self.cadence.expected}.")
        return out


def load_cadence(path: Path = CADENCE_FILE) -> dict[str, Cadence]:
    with path.open(encoding="utf-8") as fh:
        return {r["stream"]: Cadence(r["stream"], r["label"], r["expected"], float(r["every_hours"]),
                                     float(r["stale_after_hours"]), r["period"]) for r in csv.DictReader(fh)}


def period_start(day: dt.date, period: str) -> dt.date:
    if period == "quarter":
        return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)
    return day - dt.timedelta(days=day.weekday())


def next_period(start: dt.date, period: str) -> dt.date:
    if period == "quarter":
        return (pd.Timestamp(start) + pd.DateOffset(months=3)).date()
    return start + dt.timedelta(weeks=1)


def missing_periods(delivered_through: dt.date | None, today: dt.date, period: str) -> list[dt.date]:
    """Complete periods (ended before today) after the one holding `delivered_through`."""
    if delivered_through is None:
        return []
    out, start = [], next_period(period_start(delivered_through, period), period)
    while next_period(start, period) <= today:
        out.append(start)
        start = next_period(start, period)
    return out


def _last_data(conn: Connection) -> dict[str, dt.date]:
    w, h = MartIncidentWeek.__table__, HousingFigure.__table__
    combo = MartIncidentCombo.__table__
    # Per source its latest week, read backwards along the weekly mart's primary key (week first):
    # a few rows per source, where a GROUP BY over the whole mart read 2.5 M rows at county scale.
    latest = (select(w.c.week_start).where(w.c.source == combo.c.source, w.c.n > 0)
              .order_by(w.c.week_start.desc()).limit(1).scalar_subquery())
    out = {s: last + dt.timedelta(days=6) for s, last in
           conn.execute(select(combo.c.source, latest).group_by(combo.c.source)) if last is not None}
    housing = conn.execute(select(func.max(h.c.period_end))).scalar()
    if housing is not None:
        out["housing"] = housing
    return out


def _last_delivery(conn: Connection) -> dict[str, dt.datetime]:
    log = ImportLog.__table__
    rows = conn.execute(select(log.c.kind, log.c.source, func.max(log.c.imported_at))
                        .where(log.c.status == "ok").group_by(log.c.kind, log.c.source)).all()
    out: dict[str, dt.datetime] = {}
    for kind, source, when in rows:
        # The demo is one import without a source (demo_marker): kept under its kind, spread over
        # the streams it wrote in stream_status.
        stream = ("housing" if kind == "housing" else "polis" if kind == "polisen"
                  else demo_marker.KIND if kind == demo_marker.KIND else source)
        if stream and (stream not in out or when > out[stream]):
            out[stream] = when
    for stream, when in _last_fetch(conn).items():
        if stream not in out or when > out[stream]:
            out[stream] = when
    return out


def _last_fetch(conn: Connection) -> dict[str, dt.datetime]:
    feeds = dict(conn.execute(select(FeedState.feed, FeedState.last_success_at)).all())
    return {stream: feeds[feed] for stream, feed in FEED_OF_STREAM.items() if feeds.get(feed)}


def stream_status(conn: Connection, today: dt.date, cadence: dict[str, Cadence] | None = None) -> list[StreamStatus]:
    """The status of every stream that holds data, in the order of the cadence file."""
    cadence = cadence or load_cadence()
    data, delivery, fetched = _last_data(conn), _last_delivery(conn), _last_fetch(conn)
    demo_at = delivery.pop(demo_marker.KIND, None)  # the demo's import delivered every stream with data
    out = []
    for stream in [*cadence, *sorted(set(data) - set(cadence))]:
        if stream not in data and stream not in delivery:
            continue
        c = cadence.get(stream) or Cadence(stream, stream, "varje vecka", 168, 336, "week")
        last_data, last_delivery = data.get(stream), delivery.get(stream)
        if demo_at is not None and stream in data:
            last_delivery = max(filter(None, [last_delivery, demo_at]))
        through = last_data
        if stream in fetched:  # a fetched feed has delivered everything up to its last fetch
            through = max(filter(None, [last_data, fetched[stream].date() - dt.timedelta(days=1)]))
        age = (today - through).days * 24 if through else None
        stale = age is not None and age > c.stale_after_hours
        out.append(StreamStatus(c, last_data, last_delivery, stale, missing_periods(through, today, c.period),
                                demo=demo_at is not None))
    return out


DEMO_STATUS = f"{demo_marker.LABEL}: bevakas inte"  # generated data: neither late nor current


def status_label(s: StreamStatus) -> str:
    if s.demo:
        return DEMO_STATUS
    return "Inaktuell" if s.stale else ("Ej levererat: " + s.missing_label if s.missing else "Aktuell")


def freshness_table(statuses: list[StreamStatus]) -> pd.DataFrame:
    rows = [(s.cadence.label, fmt.date(s.last_data) if s.last_data else "–",
             local_time(s.last_delivery), s.cadence.expected,
             status_label(s))
            for s in statuses]
    return pd.DataFrame(rows, columns=["Källa", "Senaste datum med data", "Senast importerad/hämtad",
                                       "Väntas", "Status"])


def warnings(statuses: list[StreamStatus], streams: tuple[str, ...] | None = None) -> list[str]:
    return [m for s in statuses if streams is None or s.cadence.stream in streams for m in s.messages()]


def mark_undelivered(series: pd.DataFrame, grain: str, delivered_through: dt.date | None) -> pd.DataFrame:
    """Mark the periods of a trend series whose counted days reach past `delivered_through` as
    partial, so they are drawn apart (as a period that is not over yet is). A series with an `end`
    column (trends.series: the last day each point counts) is judged by it; otherwise each
    period's end is its month or quarter's last day."""
    if delivered_through is None or series.empty or "period" not in series:
        return series
    if "end" in series:
        ends = pd.to_datetime(series["end"]).dt.date
    else:
        months = 1 if grain == "month" else 3
        ends = pd.Series([(pd.Timestamp(p) + pd.DateOffset(months=months)).date() - dt.timedelta(days=1)
                          for p in series["period"]], index=series.index)
    return series.assign(partial=series["partial"].astype(bool) | (ends > delivered_through))


def delivered_through(statuses: list[StreamStatus], today: dt.date) -> dt.date | None:
    """The earliest end of delivery among incident streams that lack a period (None: all delivered)."""
    ends = [s.missing[0] - dt.timedelta(days=1) for s in statuses if s.missing and s.cadence.stream != "housing"]
    return min(ends) if ends else None
