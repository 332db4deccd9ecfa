"""Figure builders are pure: check their traces and layers directly."""
from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest
import pandas as pd

from lagesbild import figures, handout, map_figures, presenters


def test_bar_by_area_shows_hidden_values_as_text_not_bars():
    df = pd.DataFrame({"name": ["Alby", "Fittja"], "n": [12.0, np.nan], "n_label": ["12", "<5"]})
    fig = figures.bar_by_area(df, "n", "n_label", None, "Antal")
    bar = fig.data[0]
    assert list(bar.y) == ["Fittja", "Alby"]          # drawn bottom-up
    assert list(bar.x) == [0.0, 12.0]
    assert list(bar.text) == ["<5", "12"]
    assert fig.layout.separators == ", "


def test_trend_lines_draws_line_rolling_last_year_and_partial_marker():
    periods = [dt.date(2026, m, 1) for m in range(1, 5)]
    df = pd.DataFrame({"period": periods, "split": "x", "split_label": "Trygghetsskapande",
                       "value": [10.0, 12.0, 11.0, 4.0], "rolling": [np.nan, np.nan, 11.0, 9.0],
                       "value_ly": [9.0, 9.0, 10.0, 12.0], "n_label": ["10", "12", "11", "4"],
                       "partial": [False, False, False, True]})
    fig = figures.trend_lines(df, "month", "Antal")
    names = [t.name for t in fig.data]
    assert names == ["Trygghetsskapande", "Trygghetsskapande – del av period",
                     "Trygghetsskapande – glidande medel", "Trygghetsskapande – föregående år"]
    assert list(fig.data[0].y) == [10.0, 12.0, 11.0]
    assert list(fig.data[1].y) == [4.0] and fig.data[1].mode == "markers"
    assert fig.data[2].line.dash == "dash" and fig.data[3].line.dash == "dot"
    assert list(fig.layout.xaxis.ticktext) == ["jan 2026", "feb 2026", "mar 2026", "apr 2026"]


def test_heat_table_annotates_hidden_cells():
    df = pd.DataFrame({"x": ["a", "b", "a", "b"], "y": ["A", "A", "B", "B"], "n": [3.0, np.nan, 7.0, 1.0],
                       "n_label": ["3", "<5", "7", "1"]})
    fig = figures.heat_table(df, "x", "y", "Antal")
    assert fig.data[0].text.tolist() == [["3", "<5"], ["7", "1"]]
    assert np.isnan(fig.data[0].z[0][1])


def test_status_bars_split_open_into_in_time_and_overdue():
    df = pd.DataFrame({"category": ["Klotter"], "open": [5], "fixed": [10], "rejected": [1], "overdue": [2], "total": [16]})
    fig = figures.status_bars(df, "category", "Kategori")
    assert [t.name for t in fig.data] == ["Åtgärdade", "Öppna i tid", "Försenade", "Avslagna"]
    assert [list(t.x) for t in fig.data] == [[10], [3], [2], [1]]


def test_density_layer_squares_and_tooltip():
    cells = pd.DataFrame({"cell_e": [660000], "cell_n": [6570000], "n": [7.0], "n_label": ["7"]})
    layer = map_figures.density_layer(cells, 250)
    data = layer.data
    assert len(data) == 1 and layer.type == "GridCellLayer" and layer.cell_size == 250
    assert (data[0]["title"], data[0]["l1"], data[0]["l2"]) == ("Ruta 250 × 250 m", "Händelser: 7", "")
    assert all(len(str(c).split(".")[1]) <= 5 for c in data[0]["p"])
    assert data[0]["p"] == map_figures.cell_polygons(cells, 250)["polygon"][0][0]  # the lower-left corner
    lon, lat = data[0]["p"]
    assert 17.8 < lon < 17.9 and 59.2 < lat < 59.3


def test_choropleth_colours_hidden_areas_grey_and_fits_the_view():
    geom = {"type": "Polygon", "coordinates": [[[17.8, 59.2], [17.9, 59.2], [17.9, 59.3], [17.8, 59.2]]]}
    areas = pd.DataFrame({"area_id": [1, 2], "name": ["A", "B"], "rate": [3.0, np.nan], "n_label": ["30", "<5"]})
    feats = map_figures.area_features(areas, {1: geom, 2: geom}, "rate", [("Händelser", "n_label")])
    assert feats[1]["properties"]["fill"] == map_figures.HIDDEN_COLOR
    assert feats[1]["properties"]["l1"] == "Händelser: <5"  # plain text: Streamlit escapes it in the tooltip
    deck = map_figures.choropleth(feats)
    spec = json.loads(deck.to_json())
    assert [l["@@type"] for l in spec["layers"]] == ["GeoJsonLayer", "TextLayer"]
    assert spec["mapStyle"] == "__MAP_STYLE__"  # no tiles from the internet
    assert abs(spec["initialViewState"]["longitude"] - 17.85) < 1e-9


def test_tooltip_template_holds_the_markup_and_objects_plain_fields():
    assert map_figures.TOOLTIP["html"] == "<b>{title}</b><div>{l1}</div><div>{l2}</div><div>{l3}</div><div>{l4}</div>"
    assert map_figures.tip("Fittja", ["Händelser: <5"]) == {"title": "Fittja", "l1": "Händelser: <5", "l2": "", "l3": "",
                                                           "l4": ""}


def test_legend_classes_follow_the_colour_scale():
    values = pd.Series([1.0, 2.0, 3.0, 4.0, np.nan])
    lg = map_figures.legend(values, "Antal", ramp=map_figures.REDS[:2], hidden="dolt")
    colours = map_figures.color_scale(values, map_figures.REDS[:2])
    assert lg.entries == ((map_figures.REDS[0], "1–2"), (map_figures.REDS[1], "3–4"), ((160, 160, 160), "dolt"))
    assert [c[:3] for c in colours[:4]] == [list(map_figures.REDS[0])] * 2 + [list(map_figures.REDS[1])] * 2
    html = map_figures.legend_html(lg)
    assert "font-size:16px" in html and "Antal" in html and "3–4" in html


def test_label_points_lie_inside_bent_areas():
    u = {"type": "Polygon", "coordinates": [[[0, 0], [3, 0], [3, 3], [2, 3], [2, 1], [1, 1], [1, 3], [0, 3], [0, 0]]]}
    pts = map_figures.label_points([{"geometry": u, "properties": {"name": "U"}}])
    from shapely.geometry import Point, shape
    assert shape(u).contains(Point(pts["lon"][0], pts["lat"][0]))


def test_handout_is_one_self_contained_page():
    page = handout.weekly_handout(handout.Handout(
        "Veckobriefing vecka 46", "9–15 nov 2026", (handout.Kpi("Trygghetsskapande", "98", "normalt 95,4"),),
        ("Brand i fordon i Norsborg: 9 händelser",), "226 prövade",
        pd.DataFrame({"Kommundel": ["Alby"], "Våldsförebyggande": ["<5"]}), pd.DataFrame(), pd.DataFrame(), demo=True))
    assert page.startswith("<!doctype html>") and "@page { size: A4" in page
    assert "&lt;5" in page and "Demodata" in page and "<script" not in page


def test_change_text_only_gives_percent_when_allowed():
    assert presenters.change_text(0.25, "50", "40") == "+25\u00a0%"
    assert presenters.change_text(np.nan, "6", "<5") == "6 mot <5"


def test_baseline_and_chance_in_words():
    import datetime as dt
    from lagesbild import presenters
    from lagesbild.queries.compare import Baseline, Flags
    week = Baseline(periods=12, weeks=1, start=dt.date(2026, 8, 24), current=dt.date(2026, 11, 16))
    assert presenters.baseline_text(week) == ("jämfört med genomsnittet för 12 föregående veckor "
                                              "(v.\u00a035 2026 – v.\u00a046 2026)")
    assert presenters.weekly_mean_text(week) == "medel per vecka v.\u00a035 2026 – v.\u00a046 2026"
    assert presenters.period_text(week) == "v.\u00a047 2026"
    four = Baseline(periods=3, weeks=4, start=dt.date(2026, 8, 24), current=dt.date(2026, 11, 16))
    assert presenters.period_text(four) == "v.\u00a047 2026 – v.\u00a050 2026"
    assert presenters.baseline_text(None) == "ingen baslinje (för lite data före perioden)"
    assert [presenters.chance_text(q) for q in (0.0004, 0.004, 0.03)] == [
        "mycket osannolikt att det är slump", "osannolikt att det är slump (q = 0,004)",
        "troligen inte slump (q = 0,03)"]
    note = presenters.flags_test_note(Flags(cells=None, baseline=week, tested=40))
    assert note.startswith("Test: 40 kombinationer") and "(Benjamini–Hochberg, 5\u00a0%)" in note


@pytest.mark.parametrize("change,now,before,expected", [
    (0.12, 112.0, 100.0, "+12\u00a0% mot föregående period"),
    (-0.05, 95.0, 100.0, "-5\u00a0% mot föregående period"),
    (float("nan"), 8.0, 6.0, "+2 mot föregående period (6)"),
    (float("nan"), 6.0, 8.0, "-2 mot föregående period (8)"),
    (float("nan"), 7.0, 7.0, "±0 mot föregående period (7)"),
    (float("nan"), float("nan"), 8.0, None),
])
def test_metric_delta_arrow_follows_the_sign(change, now, before, expected):
    from lagesbild import presenters
    assert presenters.metric_delta(change, now, before, presenters.fmt.number(before), "föregående period") == expected


@pytest.mark.parametrize("now,expected_mean,text", [
    (87.0, 95.6, "-8,6 mot normalt 95,6"), (104.0, 95.6, "+8,4 mot normalt 95,6"),
    (float("nan"), 3.2, "normalt 3,2"), (12.0, float("nan"), "normalt <5 totalt"),
])
def test_normal_delta_arrow_follows_the_sign(now, expected_mean, text):
    from lagesbild import presenters
    assert presenters.normal_delta(now, expected_mean, "<5") == text


def test_heat_table_columns_follow_the_given_order():
    df = pd.DataFrame({"x": ["B", "A", "C"], "y": ["r", "r", "r"], "n": [1.0, 2.0, 3.0], "n_label": ["1", "2", "3"]})
    fig = figures.heat_table(df, "x", "y", "Antal", x_order=["A", "B", "C"])
    assert list(fig.data[0].x) == ["A", "B", "C"]
    assert list(figures.heat_table(df, "x", "y", "Antal").data[0].x) == ["B", "A", "C"]


def test_placed_labels_keep_the_larger_area_where_names_would_overlap():
    pts = pd.DataFrame({"lon": [17.80, 17.8001, 17.90], "lat": [59.2, 59.2, 59.2], "name": ["Liten", "Stor", "Annan"]})
    kept = map_figures.placed_labels(pts, [1.0, 5.0, 2.0], zoom=10, size_px=15)
    assert kept["name"].tolist() == ["Stor", "Annan"]
    assert map_figures.placed_labels(pts, [1.0, 5.0, 2.0], zoom=22, size_px=15)["name"].tolist() == ["Liten", "Stor", "Annan"]
