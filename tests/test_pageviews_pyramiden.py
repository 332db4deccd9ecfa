"""Våldspyramiden's view from small inline frames, exact values (lagesbild.pageviews.pyramiden)."""
from __future__ import annotations

import pandas as pd

from lagesbild.pageviews import pyramiden
from lagesbild.privacy import Policy

LEVELS = pd.DataFrame({"pyramid_level": [2, 4], "n": [float("nan"), 6.0], "n_label": ["<5", "6"],
                       "pyramid_level_label": ["2 Hot om våld", "4 Misshandel"]})
BY_AREA = pd.DataFrame({"kommundel": [2, 3, 6], "pyramid_level": [4, 4, 2], "n": [5.0, float("nan"), float("nan")],
                        "n_label": ["5", "<5", "<5"], "kommundel_label": ["Alby", "Fittja", "Tumba"],
                        "pyramid_level_label": ["4 Misshandel", "4 Misshandel", "2 Hot om våld"]})


def test_the_view():
    view = pyramiden.build(LEVELS, BY_AREA, Policy(k=5), "v. 44 2026 – v. 45 2026")
    assert view.selection == "**Urval:** v. 44 2026 – v. 45 2026" and view.empty is None
    # The table: kommundel × level, levels in order, "0" where a kommundel has none.
    assert view.table.to_dict(orient="list") == {"Kommundel": ["Alby", "Fittja", "Tumba"],
                                                 "2 Hot om våld": ["0", "0", "<5"],
                                                 "4 Misshandel": ["5", "<5", "0"]}
    assert list(view.pyramid.data[0].text) == ["6", "<5"]  # level 4 above level 2
    assert view.note.startswith("Personrelaterade tal under 5 visas som <5;")


def test_the_note_follows_k_and_audience():
    view = pyramiden.build(LEVELS, BY_AREA, Policy(k=3).external(), "urval")
    assert view.note.startswith("Alla tal under 3 visas som <3;")


def test_nothing_with_a_level():
    view = pyramiden.build(LEVELS.iloc[0:0], BY_AREA.iloc[0:0], Policy(), "urval")
    assert (view.empty, view.pyramid, view.table) == (pyramiden.EMPTY, None, None)
