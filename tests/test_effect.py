"""The effect measure against values computed by hand (the arithmetic is written out below).

What these tests can tell: that lagesbild.effect computes the WDD, its Poisson variance, the rate
ratio and its interval exactly as the formulas in its docstring say, and that no verdict is given
on too few events. What they cannot tell: whether the formulas suit a given action (comparison
areas that really are comparable, independence of the counts, no concurrent actions); that is a
matter of method, described in docs/actions.md.
"""
from __future__ import annotations

import math

import pytest

from lagesbild.effect import (MIN_EVENTS, PeriodCounts, check_enough, TooFewEvents, local_effect,
                              rate_ratio, verdict, wdd)

T = PeriodCounts(before=40, after=25)
C = PeriodCounts(before=200, after=190)
D = PeriodCounts(before=30, after=33)
W_T, W_D = 10_000 / 50_000, 8_000 / 50_000   # populations: target 10 000, neighbours 8 000, comparison 50 000


def test_wdd_by_hand():
    # WDD = (T1 − T0) − wT(C1 − C0) + (D1 − D0) − wD(C1 − C0)
    #     = (25 − 40) − 0.2·(190 − 200) + (33 − 30) − 0.16·(190 − 200) = −15 + 2 + 3 + 1.6 = −8.4
    # Var = T0 + T1 + D0 + D1 + (wT + wD)²(C0 + C1) = 40 + 25 + 30 + 33 + 0.36²·390 = 128 + 50.544 = 178.544
    # z = −8.4 / √178.544 = −8.4 / 13.36203 = −0.62865
    e = wdd(T, C, D, W_T, W_D)
    assert e.value == pytest.approx(-8.4)
    assert e.variance == pytest.approx(178.544)
    assert e.z == pytest.approx(-0.62865, abs=1e-5)
    assert e.p == pytest.approx(0.52959, abs=1e-4)  # 2·(1 − Φ(0.62865))


def test_local_effect_by_hand():
    # (25 − 40) − 0.2·(190 − 200) = −13; Var = 40 + 25 + 0.2²·390 = 80.6; z = −13/8.97775 = −1.44802
    e = local_effect(T, C, W_T)
    assert (e.value, e.variance) == (pytest.approx(-13.0), pytest.approx(80.6))
    assert e.z == pytest.approx(-1.44802, abs=1e-5)
    low, high = e.interval()   # −13 ± 1.96·8.97775
    assert (low, high) == (pytest.approx(-30.5960, abs=1e-3), pytest.approx(4.5960, abs=1e-3))


def test_rate_ratio_by_hand():
    # RR = (25/40)/(190/200) = 0.625/0.95 = 0.657895
    # SE(log RR) = √(1/40 + 1/25 + 1/200 + 1/190) = √0.0752632 = 0.274341
    # 95 %: exp(−0.418710 ∓ 1.959964·0.274341) = exp(−0.956409) … exp(0.118989) = 0.384271 … 1.126354
    #   (e^−0.95 = 0.386741, e^−0.006408 = 0.993612: 0.386741·0.993612 = 0.384271)
    rr = rate_ratio(T, C)
    assert rr.ratio == pytest.approx(0.657895, abs=1e-6)
    assert rr.low == pytest.approx(0.384271, abs=1e-5)
    assert rr.high == pytest.approx(1.126354, abs=1e-5)
    assert rr.p == pytest.approx(math.erfc(0.418710 / 0.274341 / math.sqrt(2)), abs=1e-5)


def test_rate_ratio_needs_every_cell():
    assert rate_ratio(PeriodCounts(0, 5), C) is None


def test_a_clear_drop_not_displaced_is_called_a_reduction():
    # T 60 → 20, C 300 → 300, D 20 → 22, wT = wD = 0.2:
    # WDD = −40 − 0 + 2 − 0 = −38; Var = 60 + 20 + 20 + 22 + 0.4²·600 = 218; z = −38/14.7648 = −2.5737
    v = verdict(PeriodCounts(60, 20), PeriodCounts(300, 300), PeriodCounts(20, 22), 0.2, 0.2)
    assert v.shown and v.wdd.value == pytest.approx(-38) and v.wdd.variance == pytest.approx(218)
    assert v.wdd.z == pytest.approx(-2.5737, abs=1e-4)
    assert v.text.startswith("Minskningen är större")


def test_a_drop_moved_next_door_is_not_called_a_reduction():
    # T 60 → 20 but D 20 → 58: WDD = −40 + 38 = −2 (z ≈ −0.13); locally −40 (z = −40/√(80 + 0.04·600) = −3.92)
    v = verdict(PeriodCounts(60, 20), PeriodCounts(300, 300), PeriodCounts(20, 58), 0.2, 0.2)
    assert v.wdd.value == pytest.approx(-2)
    assert v.local.z == pytest.approx(-40 / math.sqrt(104), abs=1e-9)
    assert "förflyttning" in v.text and v.text.startswith("Minskning i insatsområdet jämfört")


def test_an_increase_is_called_an_increase():
    v = verdict(PeriodCounts(20, 60), PeriodCounts(300, 300), None, 0.2, 0.2)
    # without neighbours: WDD = 40, Var = 80 + 0.04·600 = 104, z = 3.92
    assert v.wdd.value == pytest.approx(40) and v.wdd.variance == pytest.approx(104)
    assert v.text.startswith("Ökningen")


@pytest.mark.parametrize("target, comparison", [
    (PeriodCounts(8, 5), PeriodCounts(300, 300)),          # 13 < 20 in the target
    (PeriodCounts(0, 0), PeriodCounts(300, 300)),
    (PeriodCounts(60, 20), PeriodCounts(300, 19)),         # comparison after < 20
    (PeriodCounts(60, 20), PeriodCounts(3, 300)),
])
def test_no_verdict_on_too_few_events(target, comparison):
    v = verdict(target, comparison, PeriodCounts(20, 20), 0.2, 0.2)
    assert not v.shown and v.wdd is None and "För få händelser" in v.text
    with pytest.raises(TooFewEvents):
        check_enough(target, comparison)


def test_the_threshold_is_inclusive():
    half = MIN_EVENTS // 2
    assert verdict(PeriodCounts(half, MIN_EVENTS - half), PeriodCounts(MIN_EVENTS, MIN_EVENTS), None, 1, 1).shown
