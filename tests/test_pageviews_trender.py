"""Trender's view builder on small inline frames, with exact expected values."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from lagesbild import freshness
from lagesbild.pageviews import trender
from lagesbild.privacy import Policy

D = dt.date


def points(reference=None) -> pd.DataFrame:
    df = pd.DataFrame({
        "period": [D(2026, 9, 1), D(2026, 10, 1), D(2026, 11, 1)],
        "end": [D(2026, 9, 30), D(2026, 10, 31), D(2026, 11, 15)],
        "split": ["Alla"] * 3,
        "n": [12.0, 20.0, 9.0], "n_label": ["12", "20", "9"], "suppressed": [False] * 3,
        "value": [12.0, 20.0, 9.0], "value_ly": [10.0, 18.0, 7.0], "rolling": [None, None, 13.67],
        "partial": [True, False, True],
        "reference": reference if reference is not None else [float("nan")] * 3,
        "reference_label": [None] * 3,
    })
    return df


def years(measure="count") -> pd.DataFrame:
    df = pd.DataFrame({"strategic_area": ["våldsförebyggande", "våldsförebyggande"], "year": [2025, 2026],
                       "n": [100.0, 120.0], "n_label": ["100", "120"], "suppressed": [False, False],
                       "value": [1.25, 1.5] if measure == "rate" else [100.0, 120.0]})
    df.attrs["through"] = [(2025, 16, 11), (2026, 15, 11)]
    return df


def test_counts_month_view():
    view = trender.build(points(), years(), grain="month", split="none", measure="count", policy=Policy())
    assert view.empty is None and view.reference_note is None
    names = [t.name for t in view.figure.data]
    assert names == ["Alla händelser", "Alla händelser – del av period", "Alla händelser – glidande medel",
                     "Alla händelser – föregående år"]
    assert list(view.figure.data[0].y) == [20.0]  # the whole month on the line, the slices apart
    assert list(view.figure.data[1].y) == [12.0, 9.0]
    assert view.notes.startswith("Streckad linje: glidande medelvärde (3 månader); prickad: samma del av "
                                 "månaden året innan (samma veckor); ofylld ring: månaden ingår bara delvis")
    assert view.year_heading == "År mot år: antal händelser"
    assert view.year_table.to_dict(orient="records") == [
        {"": "Våldsförebyggande", "2025": "100", "2026": "120", "2025→2026": "+20\u00a0%"}]
    assert view.year_note.startswith("Tabellen visar antal händelser. Varje år räknas 1 januari till söndagen i "
                                     "samma ISO-vecka som urvalets slut (2026: 15/11, 2025: 16/11)")


def test_rates_with_the_kommun_reference():
    view = trender.build(points(reference=[1.0, 2.0, 0.5]), years("rate"), grain="week", split="none",
                         measure="rate", policy=Policy(), reference=True, areas=("0127K2",))
    ref = [t for t in view.figure.data if t.name.endswith("hela kommunen")]
    assert len(ref) == 1 and list(ref[0].y) == [1.0, 2.0, 0.5]
    assert "lång streckad linje: hela kommunen" in view.notes
    assert "glidande medelvärde (4 veckor); prickad: samma ISO-vecka året innan" in view.notes
    assert view.year_heading == "År mot år: händelser per 1 000 invånare"
    assert view.year_table.to_dict(orient="records") == [
        {"": "Våldsförebyggande", "2025": "1,25", "2026": "1,50", "2025→2026": "+20\u00a0%"}]


def test_reference_asked_for_with_counts_says_why_not():
    view = trender.build(points(), years(), grain="month", split="none", measure="count", policy=Policy(),
                         reference=True, areas=("0127K2",))
    assert view.reference_note.startswith("Jämförelsen med hela kommunen visas per 1 000 invånare")
    assert not [t for t in view.figure.data if t.name.endswith("hela kommunen")]
    assert trender.reference_available("rate", ())[0] is False
    assert trender.reference_available("rate", ("0127K2",))[0] is True


def test_undelivered_days_are_drawn_apart_and_empty_selection_warns():
    marked = freshness.mark_undelivered(points(), "month", D(2026, 10, 20))  # the one rule, by each point's `end`
    assert list(marked["partial"]) == [True, True, True]
    empty = points().assign(n=0.0, value=0.0)
    view = trender.build(empty, years().iloc[:0], grain="month", split="none", measure="count", policy=Policy())
    assert view.empty == trender.EMPTY and view.figure is None
    assert view.year_empty == "Inga händelser att jämföra."
