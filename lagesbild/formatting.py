"""Swedish formatting for the UI: numbers `1 234,5`, dates, ISO weeks `v. 47`, month names."""
from __future__ import annotations

import datetime as dt
import math

NBSP = "\u00a0"
MONTHS = ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september",
          "oktober", "november", "december"]
MONTHS_SHORT = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]
WEEKDAYS = ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"]


def number(value, decimals: int = 0) -> str:
    """1234.5 -> '1 234,5' (non-breaking space as thousands separator, comma as decimal sign)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    text = f"{value:,.{decimals}f}"
    return text.replace(",", NBSP).replace(".", ",")


def percent(value, decimals: int = 0, signed: bool = False) -> str:
    """0.123 -> '12 %' (or '+12 %' when signed)."""
    if value is None or (isinstance(value, float) and (math.isnan(value) or math.isinf(value))):
        return "–"
    shown = round(abs(value) * 100, decimals)
    sign = "" if shown == 0 else ("+" if signed and value > 0 else ("−" if value < 0 else ""))
    return f"{sign}{number(shown, decimals)}{NBSP}%"


def iso_week(year: int, week: int, with_year: bool = True) -> str:
    return f"v.{NBSP}{week} {year}" if with_year else f"v.{NBSP}{week}"


def week_label(monday: dt.date) -> str:
    y, w, _ = monday.isocalendar()
    return iso_week(y, w)


def date(value: dt.date) -> str:
    """2026-11-16 -> '16 nov 2026'."""
    return f"{value.day} {MONTHS_SHORT[value.month - 1]} {value.year}"


def date_range(start: dt.date, end: dt.date) -> str:
    return f"{date(start)} – {date(end)}"


def month_label(first: dt.date, long: bool = False) -> str:
    names = MONTHS if long else MONTHS_SHORT
    return f"{names[first.month - 1]} {first.year}"


def quarter_label(first: dt.date) -> str:
    return f"kv{(first.month - 1) // 3 + 1} {first.year}"
