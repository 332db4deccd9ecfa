"""Parsing cell values as Swedish files write them; every rule about a value lives here.

Parsers raise ValueError with a Swedish message; `Collector` turns those into Problems with file,
row, column and value, so that a report lists every bad cell instead of stopping at the first.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Callable

import numpy as np
import pandas as pd

from lagesbild.calendar import local_today
from lagesbild.errors import Problem
from loaders.errors import FileRefused

MAX_PROBLEMS = 200
EARLIEST = dt.date(2000, 1, 1)
MAX_COUNT = 10_000
_SPACES = re.compile(r"[\s\u00a0\u202f]")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$")
_DATE_TIME = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2})(?:[ T](\d{1,2}[:.]\d{2}(?:[:.]\d{2})?))?$")


def today() -> dt.date:
    """The Swedish day now: a file may hold events up to the end of it."""
    return local_today()


def parse_date(text: str) -> dt.date:
    return parse_datetime(text).date()


_EXCEL_SERIAL = re.compile(r"^(\d{5})(?:[.,](\d+))?$")
EXCEL_EPOCH = dt.datetime(1899, 12, 30)  # Excel's day 0 (it counts 1900 as a leap year)


def parse_datetime(text: str) -> dt.datetime:
    """'2024-03-05 14:30', '2024-03-05 14.30', '2024-03-05T14:30:00', '20240305', '2024-03-05', and
    Excel's serial day numbers ('45356', '45356,604' with the time) from cells without a date format."""
    s = str(text).strip()
    serial = _EXCEL_SERIAL.match(s)
    if serial:
        days = float(f"{serial.group(1)}.{serial.group(2) or 0}")
        return check_date(EXCEL_EPOCH + dt.timedelta(minutes=round(days * 24 * 60)))
    if re.fullmatch(r"\d{8}", s):
        s = f"{s[:4]}-{s[4:6]}-{s[6:]}"
    m = _DATE_TIME.match(s)
    try:
        if m:
            y, mo, d = (int(p) for p in m.group(1).split("-"))
            value = dt.datetime(y, mo, d)
            if m.group(2):
                t = parse_time(m.group(2))
                value = value.replace(hour=t.hour, minute=t.minute)
        else:
            value = dt.datetime.fromisoformat(s)
            if value.tzinfo is not None:
                from zoneinfo import ZoneInfo
                value = value.astimezone(ZoneInfo("Europe/Stockholm")).replace(tzinfo=None)
    except ValueError:
        raise ValueError("Datumet går inte att tolka. Skriv det som ÅÅÅÅ-MM-DD eller "
                         "ÅÅÅÅ-MM-DD TT:MM.") from None
    return check_date(value)


def check_date(value: dt.datetime) -> dt.datetime:
    if value.date() > today():
        raise ValueError("Datumet ligger i framtiden. Kontrollera datumet (ÅÅÅÅ-MM-DD).")
    if value.date() < EARLIEST:
        raise ValueError("Datumet är orimligt tidigt (före år 2000). Kontrollera datumet.")
    return value


def parse_time(text: str) -> dt.time:
    m = _TIME.match(str(text).strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError("Klockslaget går inte att tolka. Skriv det som TT:MM, till exempel 21:30.")
    return dt.time(int(m.group(1)), int(m.group(2)))


def parse_number(text: str) -> float:
    """'6 578 123,5', '59,24', '17.84', '−3' (Unicode minus) -> float."""
    s = _SPACES.sub("", str(text)).replace("\u2212", "-").replace(",", ".")
    try:
        return float(s)
    except ValueError:
        raise ValueError("Talet går inte att tolka. Använd siffror med decimalkomma, "
                         "till exempel 59,2412.") from None


def parse_count(text: str, default: int | None = None) -> int:
    """A non-negative whole number (empty -> default)."""
    if str(text).strip() == "" and default is not None:
        return default
    value = parse_number(text) if str(text).strip() else float("nan")
    if value != value:
        raise ValueError("Värdet saknas. Fyll i ett heltal (0 eller mer).")
    if value < 0:
        raise ValueError("Antalet får inte vara negativt.")
    if not float(value).is_integer():
        raise ValueError("Antalet ska vara ett heltal.")
    if value > MAX_COUNT * 100:
        raise ValueError("Antalet är orimligt stort. Kontrollera värdet.")
    return int(value)


def parse_incident_count(text: str) -> int:
    value = parse_count(text, default=1)
    if value == 0:
        raise ValueError("Antalet ska vara minst 1 för en händelse (ta bort raden annars).")
    if value > MAX_COUNT:
        raise ValueError(f"Antalet är orimligt stort (mer än {MAX_COUNT}). Kontrollera värdet.")
    return value


def _strict_strptime(text, fmt: str):
    """strptime that refuses what it would roll over (30 February): the day must stay the same."""
    import pyarrow.compute as pc
    import pyarrow as pa
    parsed = pc.strptime(text, fmt, "s", error_is_null=True)
    same = pc.equal(pc.day(parsed), pc.cast(pc.utf8_slice_codeunits(text, 8, 10), pa.int64()))
    return pc.if_else(pc.fill_null(same, False), parsed, None)


def _fast_datetimes(series: pd.Series) -> pd.Series:
    """The cells in the common ISO shapes parsed at once (pyarrow); NaT for every other cell."""
    out = pd.Series(pd.NaT, index=series.index, dtype="datetime64[ns]")
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        text = pa.array(series, type=pa.large_string(), from_pandas=True)
    except Exception:  # noqa: BLE001 - no pyarrow or not all strings: the slow path parses
        return out
    minute = pc.match_substring_regex(text, r"^\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}$")
    day = pc.match_substring_regex(text, r"^\d{4}-\d{2}-\d{2}$")
    spaced = pc.replace_substring(text, "T", " ")
    with_time = _strict_strptime(pc.if_else(minute, spaced, None), "%Y-%m-%d %H:%M")
    date_only = _strict_strptime(pc.if_else(day, text, None), "%Y-%m-%d")
    values = pc.coalesce(with_time, date_only)
    first = pa.scalar(dt.datetime.combine(EARLIEST, dt.time()), pa.timestamp("s"))
    last = pa.scalar(dt.datetime.combine(today() + dt.timedelta(days=1), dt.time()), pa.timestamp("s"))
    in_range = pc.fill_null(pc.and_(pc.greater_equal(values, first), pc.less(values, last)), False)
    values = pc.if_else(in_range, values, None)
    return pd.Series(values.to_numpy(zero_copy_only=False), index=series.index).astype("datetime64[ns]")


class Collector:
    """Gathers Problems for one file; `raise_if_any` refuses the file with all of them."""

    def __init__(self, file: str, error: type[FileRefused] = FileRefused):
        self.file, self.error, self.problems = file, error, []

    def add(self, row: int | None, column: str | None, value, message: str) -> None:
        self.problems.append(Problem(self.file, row, column, None if value is None else str(value),
                                     message))

    def convert(self, series: pd.Series, parse: Callable, column: str) -> pd.Series:
        """Parse every cell; a bad cell becomes a Problem and None.

        Each distinct value is parsed once (files repeat their categories, dates and numbers).
        """
        if len(series) and pd.api.types.infer_dtype(series, skipna=False) == "string":
            return self._convert_strings(series, parse, column)
        out = []
        for row, value in series.items():
            try:
                out.append(parse(value))
            except ValueError as exc:
                self.add(int(row), column, value, str(exc))
                out.append(None)
        return pd.Series(out, index=series.index, dtype=object)

    def _convert_strings(self, series: pd.Series, parse: Callable, column: str) -> pd.Series:
        """convert() for a column of strings: parse each distinct value, then index the results."""
        codes, distinct = pd.factorize(series.to_numpy(dtype=object))
        results = np.empty(len(distinct), dtype=object)
        errors: dict[int, str] = {}
        for i, value in enumerate(distinct):
            try:
                results[i] = parse(value)
            except ValueError as exc:
                errors[i] = str(exc)
        if errors:
            for pos in np.flatnonzero(np.isin(codes, list(errors))):
                self.add(int(series.index[pos]), column, series.iloc[pos], errors[codes[pos]])
        return pd.Series(results[codes], index=series.index, dtype=object)

    def convert_datetimes(self, series: pd.Series, column: str) -> pd.Series:
        """parse_datetime for a whole column, as datetime64 (NaT where a cell is bad).

        'YYYY-MM-DD HH:MM', 'YYYY-MM-DDTHH:MM' and 'YYYY-MM-DD' in range are parsed at once;
        every other cell goes through parse_datetime, with its messages.
        """
        fast = _fast_datetimes(series)
        slow = fast.isna()
        if slow.any():
            rest = self.convert(series[slow], parse_datetime, column)
            fast[slow] = pd.to_datetime(rest.where(rest.notna(), None))
        return fast

    def raise_if_any(self) -> None:
        if not self.problems:
            return
        problems = self.problems[:MAX_PROBLEMS]
        if len(self.problems) > MAX_PROBLEMS:
            problems.append(Problem(self.file, None, None, None,
                                    f"… och {len(self.problems) - MAX_PROBLEMS} problem till."))
        raise self.error(problems)
