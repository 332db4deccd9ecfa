"""Every setting of Lägesbild, declared once (name, environment variable, default, help), read through
`value()`. docs/settings.md lists them; tests/test_settings.py checks that the two agree.

A setting is read from its environment variable each time it is asked for (cheap), so tests and
the command line can set it; the app reads them on each run.
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from typing import Any, Callable

from lagesbild.errors import LagesbildError


class SettingError(LagesbildError):
    """An environment variable holds a value its setting cannot take."""


@dataclass(frozen=True)
class Setting:
    name: str                   # how the code asks for it
    env: str | None             # the environment variable, None when fixed in code
    default: str | None         # as text, as it would be written in the environment
    parse: Callable[[str], Any]
    help: str


def _positive_int(text: str) -> int:
    n = int(text)
    if n < 1:
        raise ValueError("must be 1 or more")
    return n


def _level(text: str) -> float:
    x = float(text)
    if not 0 < x < 1:
        raise ValueError("must be between 0 and 1")
    return x


SETTINGS: dict[str, Setting] = {s.name: s for s in [
    Setting("database_url", "DATABASE_URL", None, str,
            "SQLAlchemy URL of the store; unset: the embedded SQLite file data/lagesbild.db."),
    Setting("k", "LAGESBILD_K", "5", _positive_int,
            "Smallest person-related count shown as a number; smaller ones are shown as <k "
            "(lagesbild/privacy.py, docs/privacy.md)."),
    Setting("today", "LAGESBILD_TODAY", None, dt.date.fromisoformat,
            "Fixes today's date (YYYY-MM-DD) for reproducible tests and screenshots; unset: the real date."),
    Setting("baseline_weeks", "LAGESBILD_BASELINE_WEEKS", "12", _positive_int,
            "Veckobriefing: how many weeks before the chosen week make its 'normal week'."),
    Setting("baseline_periods", "LAGESBILD_BASELINE_PERIODS", "8", _positive_int,
            "Översikt: at most this many periods of the selection's length before it make the "
            "baseline of the flags."),
    Setting("min_for_percent", "LAGESBILD_MIN_FOR_PERCENT", "10", _positive_int,
            "A percent change is shown only when both counts are at least this; otherwise the counts."),
    Setting("significance", "LAGESBILD_SIGNIFICANCE", "0.05", _level,
            "False discovery rate of the flags (Poisson test, Benjamini–Hochberg)."),
    Setting("row_limit", "LAGESBILD_ROW_LIMIT", "5000", _positive_int,
            "Most rows one breakdown may send to a page (more: the page asks for a coarser one)."),
    Setting("chart_max_cells", "LAGESBILD_CHART_MAX_CELLS", "300", _positive_int,
            "Utforska: most bars one chart draws; a larger breakdown is shown as a table only (the page "
            "says why), as a chart of thousands of bars is unreadable and slow to draw in the browser."),
    Setting("cell_size_m", None, "250", _positive_int,
            "Side of the SWEREF99 TM grid cell points are coarsened to at import, in metres (SCB's "
            "grid). Fixed: the stored cells are of this size."),
    Setting("log_file", "LAGESBILD_LOG_FILE", None, str,
            "File for the application log (one line per import, fetch, check and error); unset: "
            "standard error for the app, nothing for the command line."),
]}


def value(name: str) -> Any:
    """The current value of a setting (parsed), or None when it has no value."""
    setting = SETTINGS[name]
    text = os.environ.get(setting.env) if setting.env else None
    if text in (None, ""):
        text = setting.default
    if text is None:
        return None
    try:
        return setting.parse(text)
    except ValueError as exc:
        raise SettingError(f"{setting.env}={text!r}: {exc}. {setting.help}") from exc
