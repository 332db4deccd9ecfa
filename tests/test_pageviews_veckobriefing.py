"""Veckobriefing's view builder on small inline frames: the weeks offered, a link to a week that is
not offered, a week not over, the KPIs with their arrows, the heat table in projector type, the
handout and the PDF from the same view; and the one empty-selection text every page uses."""
from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pandas as pd
import pytest

from lagesbild import figures, handout, presenters, report_pdf
from lagesbild.pageviews import veckobriefing as vb
from lagesbild.privacy import Policy
from lagesbild.queries.compare import Baseline, Flags, WeekComparison

D = dt.date
MONDAY = D(2026, 11, 9)          # v. 46
TODAY = D(2026, 11, 18)          # a Wednesday of v. 47
BASELINE = Baseline(periods=12, weeks=1, start=D(2026, 8, 17), current=MONDAY)
NBSP = "\u00a0"


def week() -> WeekComparison:
    table = pd.DataFrame({"strategic_area": ["trygghetsskapande", "våldsförebyggande", "brottsbekämpande"],
                          "n": [87.0, np.nan, 30.0], "n_label": ["87", "<5", "30"],
                          "suppressed": [False, True, False], "expected": [95.6, 3.3, 30.0]})
    return WeekComparison(table, BASELINE)


def flags(cells: bool = True) -> Flags:
    df = pd.DataFrame({"area_id": [3], "category": ["brand_fordon"], "observed": [9.0], "observed_label": ["9"],
                       "expected": [2.1], "expected_suppressed": [False], "direction": ["up"], "q": [0.0004]})
    return Flags(df if cells else df.iloc[0:0], BASELINE, 226)


def cells() -> pd.DataFrame:
    return pd.DataFrame({"kommundel": [1, 1, 2], "strategic_area": ["våldsförebyggande", "trygghetsskapande", "trygghetsskapande"],
                         "n": [np.nan, 50.0, 37.0], "n_label": ["<5", "50", "37"], "suppressed": [True, False, False]})


def actors() -> pd.DataFrame:
    return pd.DataFrame({"responsible_actor": ["Polisen", "Botkyrkabyggen"], "overdue": [2, 3], "due": [0, 1], "new": [1, 0]})


def build(monday=MONDAY, key="2026-W46", week_cells=None, link_notice=None, demo=True):
    return vb.build(monday=monday, key=key, week=week(), flags=flags(), policy=Policy(),
                    cells=cells() if week_cells is None else week_cells,
                    area_names={1: "Alby", 2: "Fittja", 3: "Norsborg"}, category_names={"brand_fordon": "Brand i fordon"},
                    action_tables={}, actors=actors(), housing_signals=pd.DataFrame(),
                    selection="9 nov 2026 – 15 nov 2026 · alla områden", demo=demo, late="", today=TODAY,
                    data_first=D(2023, 1, 2), data_last=D(2026, 11, 22), link_notice=link_notice)


# --- the weeks offered --------------------------------------------------------------------------

def test_the_weeks_are_the_complete_weeks_and_the_week_not_over_when_it_has_data():
    choice = vb.week_choices(D(2026, 11, 15), D(2026, 11, 22), TODAY, count=3)
    assert choice.weeks == {"2026-W47": D(2026, 11, 16), "2026-W46": D(2026, 11, 9), "2026-W45": D(2026, 11, 2),
                            "2026-W44": D(2026, 10, 26)}
    assert choice.default == "2026-W46" and choice.notice is None
    assert choice.label("2026-W46") == f"v.{NBSP}46 2026 (9 nov 2026 – 15 nov 2026)"


def test_the_week_not_over_is_left_out_when_it_has_no_data():
    choice = vb.week_choices(D(2026, 11, 15), D(2026, 11, 15), TODAY, count=2)
    assert list(choice.weeks) == ["2026-W46", "2026-W45"]


@pytest.mark.parametrize("requested,default,notice", [
    ("2026-W45", "2026-W45", None),                                   # a key opens that week
    (f"v.{NBSP}45 2026 (2 nov 2026 – 8 nov 2026)", "2026-W46", None),  # as the widget writes it: Streamlit selects it
    ("2020-W01", "2026-W46", "Veckan 2020-W01 i länken finns inte bland de veckor som kan väljas "
                             f"(v.{NBSP}45 2026 – v.{NBSP}46 2026). Sidan visar v.{NBSP}46 2026 i stället."),
])
def test_a_link_to_a_week(requested, default, notice):
    choice = vb.week_choices(D(2026, 11, 15), D(2026, 11, 15), TODAY, requested, count=2)
    assert (choice.default, choice.notice) == (default, notice)


# --- the view -----------------------------------------------------------------------------------

def test_the_kpis_follow_the_canonical_order_and_the_sign():
    view = build()
    assert [(k.label, k.value, k.note) for k in view.kpis] == [
        ("Trygghetsskapande", "87", "-8,6 mot normalt 95,6"),
        ("Brottsförebyggande", "0", "±0,0 mot normalt 0,0"),
        ("Våldsförebyggande", "<5", "normalt 3,3"),
        ("Brottsbekämpande insatser", "30", "±0,0 mot normalt 30,0"),
    ]
    assert view.header == "Vecka 46, 9 nov 2026 – 15 nov 2026" and view.notices == () and view.empty is None
    assert view.normal_caption == f"Normalt = medel per vecka v.{NBSP}34 2026 – v.{NBSP}45 2026."


def test_the_flags_and_the_walks():
    view = build()
    assert view.flag_state == "some"
    assert view.flag_lines == ("**Brand i fordon** i **Norsborg**: 9 händelser, fler än väntat (normalt 2,1); "
                               "mycket osannolikt att det är slump",)
    assert view.overdue == 5 and list(view.actor_table.columns) == ["Ansvarig", "Försenade",
                                                                    "Förfaller inom 14 dagar", "Nya i perioden"]


def test_the_heat_table_in_projector_type():
    fig = build().heat
    heat = fig.data[0]
    assert list(heat.x) == ["Trygghetsskapande", "Våldsförebyggande"] and list(heat.y) == ["Alby", "Fittja"]
    assert heat.text.tolist() == [["50", "<5"], ["37", "0"]]
    sizes = [fig.layout.font.size, fig.layout.xaxis.tickfont.size, fig.layout.yaxis.tickfont.size,
             fig.layout.legend.font.size, heat.textfont.size, heat.colorbar.tickfont.size]
    assert min(sizes) >= 18 and fig.layout.xaxis.tickfont.color == figures.PROJECTOR_TEXT


def test_a_week_not_over_says_so():
    view = build(D(2026, 11, 16), "2026-W47")
    assert view.notices == ("Vecka 47 är inte slut: talen gäller de dagar som har data hittills och är därför "
                            "lägre än en hel vecka. Jämför med normalt först när veckan är slut.",)


def test_an_empty_week_says_which_data_exist():
    view = build(D(2022, 12, 26), "2022-W52", week_cells=cells().iloc[0:0])
    assert view.heat is None and view.area_table.empty
    assert view.empty.text.startswith("Perioden 26 dec 2022 – 1 jan 2023 ligger före de data som finns: "
                                      "data finns från 2 jan 2023 till och med v.")
    assert view.empty.offer == (D(2023, 1, 2), D(2023, 1, 8))


def test_the_handout_and_the_pdf_come_from_the_same_view():
    view = build(link_notice="x")
    h = view.handout
    assert h.title == "Veckobriefing vecka 46, 9 nov 2026 – 15 nov 2026" and h.kpis == view.kpis
    assert h.area_table.values.tolist() == [["Alby", "50", "<5"], ["Fittja", "37", "0"]]
    assert list(h.area_table.columns) == ["Kommundel", "Trygghetsskapande", "Våldsförebyggande"]
    assert h.flags == ("Brand i fordon i Norsborg: 9 händelser, fler än väntat (normalt 2,1); "
                       "mycket osannolikt att det är slump",)
    page = handout.weekly_handout(h)
    assert "-8,6 mot normalt 95,6" in page and "&lt;5" in page and "Demodata" in page
    pdf = report_pdf.weekly_pdf(h)
    assert pdf.startswith(b"%PDF-") and len(re.findall(rb"/Type /Page\b", pdf)) >= 1
    assert (view.pdf_name, view.html_name) == ("lagesbild_veckobriefing_2026-W46_demodata.pdf",
                                               "lagesbild_veckobriefing_2026-W46_demodata.html")


# --- the empty-selection text every page uses ---------------------------------------------------

FIRST, LAST = D(2023, 1, 2), D(2026, 11, 22)


@pytest.mark.parametrize("start,end,first,last,text,offer", [
    (D(2026, 11, 9), D(2026, 11, 15), D(2026, 11, 16), D(2026, 11, 22),
     "Perioden 9 nov 2026 – 15 nov 2026 ligger före de data som finns: data finns från 16 nov 2026 till och med "
     f"v.{NBSP}47 2026, en vecka som har börjat men inte är slut (16 nov 2026 – 22 nov 2026).",
     (D(2026, 11, 16), D(2026, 11, 22))),
    (D(2026, 10, 5), D(2026, 11, 1), D(2025, 1, 6), D(2026, 3, 29),
     "Perioden 5 okt 2026 – 1 nov 2026 ligger efter de data som finns: data finns från 6 jan 2025 till 29 mar 2026.",
     (D(2026, 3, 2), D(2026, 3, 29))),
    (D(2025, 11, 17), D(2026, 11, 15), FIRST, D(2026, 11, 15),
     "Urvalet innehåller inga händelser med de valda filtren under perioden 17 nov 2025 – 15 nov 2026. Data finns "
     "från 2 jan 2023 till 15 nov 2026. Ta bort ett filter eller välj en längre period.", None),
    (D(2025, 11, 17), D(2026, 11, 15), None, None,
     "Det finns inga händelser i databasen än. Importera filer under *Datakällor*.", None),
])
def test_empty_selection_message(start, end, first, last, text, offer):
    empty = presenters.empty_selection_message(start, end, first, last, TODAY)
    assert (empty.text, empty.offer) == (text, offer)
    if start == D(2026, 11, 9):
        assert empty.offer_label == "Visa 16 nov 2026 – 22 nov 2026"
