"""Statistics for flags and Swedish formatting."""
from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from lagesbild import formatting as fmt
from lagesbild.stats import benjamini_hochberg, conditional_p, flag_unusual


def test_conditional_test_matches_binomial_tail():
    # 9 events now against 8 in 8 earlier weeks: P(X >= 9 | n=17, p=1/9)
    higher, lower = conditional_p(np.array([9]), np.array([8]), 8)
    assert higher[0] == pytest.approx(2.71086991e-05, rel=1e-6)
    assert lower[0] == pytest.approx(0.99999735, rel=1e-6)


def test_benjamini_hochberg():
    q = benjamini_hochberg(np.array([0.01, 0.04, 0.03, 0.5]))
    assert q.tolist() == pytest.approx([0.04, 0.0533333, 0.0533333, 0.5], rel=1e-5)


def test_flag_unusual_flags_a_real_rise_and_not_noise():
    current = pd.DataFrame({"area": ["A", "B", "C"], "n": [12, 3, 2]})
    baseline = pd.DataFrame({"area": ["A", "B", "C"], "n": [12, 30, 16]})  # A: 1/week normally
    out = flag_unusual(current, baseline, ["area"], 12)
    flagged = out[out.direction.notna()]
    assert flagged["area"].tolist() == ["A"]
    assert flagged["direction"].tolist() == ["up"]
    assert flagged["expected"].tolist() == [1.0]
    assert out.attrs["cells_tested"] == 3


def test_cells_with_too_few_events_are_not_tested():
    out = flag_unusual(pd.DataFrame({"a": ["A"], "n": [2]}), pd.DataFrame({"a": ["A"], "n": [1]}), ["a"], 8)
    assert out.empty


@pytest.mark.parametrize("value,decimals,text", [
    (1234.5, 1, "1\u00a0234,5"), (0, 0, "0"), (1234567, 0, "1\u00a0234\u00a0567"), (3.14159, 2, "3,14"),
    (None, 0, "–"), (float("nan"), 1, "–"),
])
def test_number(value, decimals, text):
    assert fmt.number(value, decimals) == text


def test_percent_and_weeks():
    assert fmt.percent(0.123, signed=True) == "+12\u00a0%"
    assert fmt.percent(-0.004, signed=True) == "0\u00a0%"
    assert fmt.percent(-0.25) == "−25\u00a0%"
    assert fmt.week_label(dt.date(2026, 11, 16)) == "v.\u00a047 2026"
    assert fmt.week_label(dt.date(2021, 1, 3)) == "v.\u00a053 2020"
    assert fmt.month_label(dt.date(2026, 3, 1), long=True) == "mars 2026"
    assert fmt.date(dt.date(2026, 11, 9)) == "9 nov 2026"
