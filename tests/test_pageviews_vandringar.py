"""Trygghetsvandringar's view from small inline frames, exact values (lagesbild.pageviews.vandringar)."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

import pandas as pd

from lagesbild.pageviews import vandringar
from lagesbild.pageviews.vandringar import Metric
from lagesbild.queries.walks import WalkKpis
from tests.conftest import plotly_array

TODAY = dt.date(2026, 11, 18)
KPIS = WalkKpis(walks=1, observations=4, open=2, overdue=1, fixed=2, median_days=17.5, share_in_time=0.5)
STATUS = pd.DataFrame({"category": ["belysning", "klotter"], "open": [0, 2], "fixed": [2, 0], "rejected": [0, 0],
                       "overdue": [0, 1], "total": [2, 2]})
FIXES = pd.DataFrame({"walked_on": [dt.date(2026, 10, 8)] * 2, "fixed_on": [dt.date(2026, 10, 15), dt.date(2026, 11, 5)],
                      "deadline": [dt.date(2026, 10, 22), dt.date(2026, 10, 29)], "category": ["belysning", "vegetation"],
                      "days": [7, 28], "in_time": [True, False]})
OVERDUE = pd.DataFrame({"area": ["Fittja"], "walked_on": [dt.date(2026, 10, 8)], "category": ["klotter"],
                        "description": ["=Klotter på vägg"], "proposed_action": ["Sanera"],
                        "responsible_actor": ["Botkyrkabyggen"], "priority": ["lag"],
                        "deadline": [dt.date(2026, 11, 5)], "status": ["ny"], "days_overdue": [13]})


def test_the_view():
    view = vandringar.build(KPIS, STATUS, "category", FIXES, OVERDUE, TODAY, "v. 40 2026 – v. 44 2026")
    assert view.selection == "**Urval:** vandringar v. 40 2026 – v. 44 2026" and view.empty is None
    assert view.metrics == (Metric("Vandringar", "1"), Metric("Iakttagelser", "4"), Metric("Öppna", "2"),
                            Metric("Försenade", "1", help="Öppna iakttagelser vars tidsfrist har passerat"),
                            Metric("Mediantid till åtgärd", "18 dagar", "50\u00a0% inom tidsfrist"))  # whole days
    bars = {t.name: plotly_array(t.x) for t in view.status.data}  # groups bottom-up: klotter, belysning
    assert bars == {"Åtgärdade": [0, 2], "Öppna i tid": [1, 0], "Försenade": [1, 0], "Avslagna": [0, 0]}
    assert list(view.status.data[0].y) == ["Klotter", "Belysning"]
    assert [plotly_array(t.x) for t in view.fix_times.data] == [[7], [28]]
    row = view.overdue.iloc[0].to_dict()
    assert row["Iakttagelse"] == "'=Klotter på vägg"  # free text neutralised against formulas
    assert (row["Tidsfrist"], row["Dagar sen"], row["Område"]) == ("5 nov 2026", 13, "Fittja")
    assert view.overdue_note.startswith("Öppna iakttagelser (ny eller planerad) från vandringar i perioden vars "
                                        "tidsfrist passerat per 18 nov 2026, äldst först.")


def test_nothing_fixed_and_nothing_overdue():
    kpis = replace(KPIS, fixed=0, median_days=None, share_in_time=None, overdue=0)
    view = vandringar.build(kpis, STATUS, "category", FIXES.iloc[0:0],
                            OVERDUE.iloc[0:0], TODAY, "urval")
    assert view.metrics[-1] == Metric("Mediantid till åtgärd", "–")
    assert view.fix_times is None and view.overdue is None


def test_no_walks():
    view = vandringar.build(replace(KPIS, observations=0), STATUS, "category", FIXES, OVERDUE, TODAY, "urval")
    assert (view.empty, view.metrics, view.status) == (vandringar.EMPTY, (), None)
