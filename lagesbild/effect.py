"""The effect measure of an action: before/after against comparison areas, with displacement.

Pure arithmetic on true counts (no database, no Streamlit). What a page or the PDF prints of it is
decided by `verdict` (never on too few events) and the counts themselves go through
lagesbild.privacy.publish in the query layer (lagesbild.queries.effect).

Two measures, both from the counts of one period before and one after the start of the action:

- Weighted displacement difference (WDD; Ratcliffe & Breen 2011, with the Poisson variance of
  Wheeler & Ratcliffe 2018, "A simple weighted displacement difference test to evaluate place
  based crime interventions", Crime Science 7:11). With T target areas, D their neighbours
  (displacement) and C comparison areas, 0 before and 1 after:

      WDD = (T1 − T0) − wT·(C1 − C0) + (D1 − D0) − wD·(C1 − C0)
      Var(WDD) = T0 + T1 + D0 + D1 + (wT + wD)²·(C0 + C1)        (counts as independent Poisson)

  The comparison areas are weighted by population (wT = population of T / population of C, wD
  likewise), so a larger comparison group counts as much as an area of the target's size.
  WDD < 0: fewer events in the target and its neighbours together than the comparison's trend
  gives, i.e. a reduction that was not simply displaced next door. z = WDD / √Var.
- Difference in differences with a Poisson model: on the 2×2 table the saturated Poisson model
  log μ = a + b·after + g·target + d·after·target gives the rate ratio
      RR = exp(d) = (T1/T0) / (C1/C0),   SE(log RR) = √(1/T0 + 1/T1 + 1/C0 + 1/C1).

What the test can tell: whether the change in the targeted areas and categories is larger than
chance variation of counts around the comparison areas' trend. What it cannot: that the action
caused it (a before/after is not an experiment; other actions, police operations, reporting
changes or regression to the mean after a peak — actions are often started *because* of a peak —
give the same picture), nor anything when the counts are small.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

MIN_EVENTS = 20  # target before + after, and the comparison in each period, at least this many
Z95 = 1.959963984540054


@dataclass(frozen=True)
class PeriodCounts:
    """Events in the period before and the period after (true counts)."""

    before: int
    after: int

    @property
    def change(self) -> int:
        return self.after - self.before


@dataclass(frozen=True)
class Estimate:
    value: float
    variance: float

    @property
    def se(self) -> float:
        return math.sqrt(self.variance)

    @property
    def z(self) -> float:
        return self.value / self.se if self.variance > 0 else 0.0

    @property
    def p(self) -> float:
        """Two-sided p-value of z under the normal approximation."""
        return math.erfc(abs(self.z) / math.sqrt(2))

    def interval(self) -> tuple[float, float]:
        return self.value - Z95 * self.se, self.value + Z95 * self.se


def wdd(target: PeriodCounts, comparison: PeriodCounts, displacement: PeriodCounts | None = None,
        w_target: float = 1.0, w_displacement: float = 1.0) -> Estimate:
    """The weighted displacement difference and its Poisson variance (see the module doc)."""
    d = displacement or PeriodCounts(0, 0)
    wd = w_displacement if displacement is not None else 0.0
    value = target.change - w_target * comparison.change + d.change - wd * comparison.change
    variance = target.before + target.after + d.before + d.after \
        + (w_target + wd) ** 2 * (comparison.before + comparison.after)
    return Estimate(value, variance)


def local_effect(target: PeriodCounts, comparison: PeriodCounts, w_target: float = 1.0) -> Estimate:
    """The change in the target beyond the comparison's: WDD without the displacement area."""
    return wdd(target, comparison, None, w_target)


@dataclass(frozen=True)
class RateRatio:
    ratio: float
    low: float
    high: float
    p: float


def rate_ratio(target: PeriodCounts, comparison: PeriodCounts) -> RateRatio | None:
    """(T1/T0)/(C1/C0) with its 95 % interval (Poisson DiD); None when a count is 0."""
    cells = (target.before, target.after, comparison.before, comparison.after)
    if min(cells) <= 0:
        return None
    log_rr = math.log(target.after / target.before) - math.log(comparison.after / comparison.before)
    se = math.sqrt(sum(1 / n for n in cells))
    p = math.erfc(abs(log_rr / se) / math.sqrt(2))
    return RateRatio(math.exp(log_rr), math.exp(log_rr - Z95 * se), math.exp(log_rr + Z95 * se), p)


class TooFewEvents(ValueError):
    """Too few events for a verdict (the message says what was missing, in Swedish)."""


def check_enough(target: PeriodCounts, comparison: PeriodCounts, minimum: int = MIN_EVENTS) -> None:
    if target.before + target.after < minimum:
        raise TooFewEvents(f"För få händelser i insatsområdet (färre än {minimum} före och efter "
                           "tillsammans) för en bedömning.")
    if min(comparison.before, comparison.after) < minimum:
        raise TooFewEvents(f"För få händelser i jämförelseområdena (färre än {minimum} i en av "
                           "perioderna) för en bedömning.")


@dataclass(frozen=True)
class Verdict:
    text: str            # one sentence, Swedish
    shown: bool          # False: too few events, no estimate is shown
    wdd: Estimate | None = None
    local: Estimate | None = None
    ratio: RateRatio | None = None


def verdict(target: PeriodCounts, comparison: PeriodCounts, displacement: PeriodCounts | None,
            w_target: float, w_displacement: float, minimum: int = MIN_EVENTS) -> Verdict:
    """What may be said: never a verdict on too few events; a change only when |z| ≥ 1.96."""
    try:
        check_enough(target, comparison, minimum)
    except TooFewEvents as exc:
        return Verdict(str(exc), False)
    total = wdd(target, comparison, displacement, w_target, w_displacement)
    local = local_effect(target, comparison, w_target)
    ratio = rate_ratio(target, comparison)
    if total.z <= -Z95:
        text = ("Minskningen är större än jämförelseområdenas utveckling ger, även med grannområdena "
                "medräknade (ingen tydlig förflyttning).")
    elif total.z >= Z95:
        text = "Ökningen är större än jämförelseområdenas utveckling ger."
    elif local.z <= -Z95:
        text = ("Minskning i insatsområdet jämfört med jämförelseområdena, men inte säkerställd när "
                "grannområdena räknas med: förflyttning eller slump kan inte uteslutas.")
    else:
        text = "Ingen säkerställd skillnad mot jämförelseområdenas utveckling."
    return Verdict(text, True, total, local, ratio)


CAVEAT = ("Före/efter med jämförelseområden visar om förändringen är större än slumpen kring "
          "jämförelseområdenas utveckling, inte att insatsen orsakade den: andra insatser samtidigt, "
          "ändrad anmälningsbenägenhet och återgång efter en topp (insatser startas ofta just efter "
          "en topp) ger samma bild. Ingen bedömning visas på färre än "
          f"{MIN_EVENTS} händelser.")
