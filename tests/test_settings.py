"""Settings: declared once, documented in docs/settings.md, parsed and refused with a clear message."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from lagesbild import calendar, settings
from lagesbild.settings import SETTINGS, SettingError

DOC = Path(__file__).resolve().parents[1] / "docs" / "settings.md"


def _doc_rows() -> dict[str, tuple[str, str, str]]:
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^\| `(\w+)` \| (.*?) \| (.*?) \| (.*) \|$", line)
        if m:
            rows[m.group(1)] = (m.group(2), m.group(3), m.group(4))
    return rows


def test_the_docs_list_every_setting_as_declared():
    rows = _doc_rows()
    assert set(rows) == set(SETTINGS)
    for name, s in SETTINGS.items():
        env, default, help_text = rows[name]
        assert env == (f"`{s.env}`" if s.env else "(fixed in code)")
        assert default == (f"`{s.default}`" if s.default is not None else "–")
        assert help_text == s.help


@pytest.mark.parametrize("name,env,text,expected", [
    ("k", "LAGESBILD_K", "7", 7),
    ("baseline_weeks", "LAGESBILD_BASELINE_WEEKS", "8", 8),
    ("significance", "LAGESBILD_SIGNIFICANCE", "0.01", 0.01),
    ("today", "LAGESBILD_TODAY", "2026-11-18", dt.date(2026, 11, 18)),
    ("row_limit", "LAGESBILD_ROW_LIMIT", "", 5000),  # empty: the default
])
def test_values_come_from_the_environment(monkeypatch, name, env, text, expected):
    monkeypatch.setenv(env, text)
    assert settings.value(name) == expected


@pytest.mark.parametrize("env,text", [("LAGESBILD_K", "0"), ("LAGESBILD_K", "fem"),
                                      ("LAGESBILD_SIGNIFICANCE", "5"), ("LAGESBILD_TODAY", "18/11/2026")])
def test_bad_values_are_refused_with_the_variable_named(monkeypatch, env, text):
    monkeypatch.setenv(env, text)
    name = next(n for n, s in SETTINGS.items() if s.env == env)
    with pytest.raises(SettingError, match=env):
        settings.value(name)


def test_defaults(monkeypatch):
    for s in SETTINGS.values():
        if s.env:
            monkeypatch.delenv(s.env, raising=False)
    assert (settings.value("k"), settings.value("baseline_weeks"), settings.value("min_for_percent"),
            settings.value("significance"), settings.value("cell_size_m"), settings.value("today")) == \
        (5, 12, 10, 0.05, 250, None)


@pytest.mark.parametrize("day,monday,last_end,key", [
    (dt.date(2026, 11, 18), dt.date(2026, 11, 16), dt.date(2026, 11, 15), "2026-W47"),
    (dt.date(2026, 11, 16), dt.date(2026, 11, 16), dt.date(2026, 11, 15), "2026-W47"),
    (dt.date(2026, 11, 22), dt.date(2026, 11, 16), dt.date(2026, 11, 15), "2026-W47"),
    (dt.date(2027, 1, 1), dt.date(2026, 12, 28), dt.date(2026, 12, 27), "2026-W53"),
    (dt.date(2025, 12, 29), dt.date(2025, 12, 29), dt.date(2025, 12, 28), "2026-W01"),
])
def test_calendar(day, monday, last_end, key):
    assert calendar.monday(day) == monday
    assert calendar.last_complete_week_end(day) == last_end
    assert calendar.week_key(day) == key
    assert calendar.week_end(day) == monday + dt.timedelta(days=6)


def test_vectorised_weeks_and_months_match_the_scalar_rule():
    import pandas as pd
    days = pd.Series(pd.date_range("2024-12-25", "2026-01-06", freq="13h"))
    weeks, months = calendar.week_and_month_starts(days)
    assert [pd.Timestamp(w).date() for w in weeks] == [calendar.monday(d.date()) for d in days]
    assert [pd.Timestamp(m).date() for m in months] == [d.date().replace(day=1) for d in days]
