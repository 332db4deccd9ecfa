"""The pages show exactly the published views the attack suite attacks, nothing computed beside them.

On the attack suite's small store (SQLite and PostgreSQL) every count-bearing element of the pages
(metrics, tables, map tooltips, the explorer's download) is compared with what the query layer
publishes for the same selection. Together with tests/test_privacy_attacks.py (differencing of those
views) and the read gate (lagesbild.privacy.assert_published on every cached query), this covers
the pages: they receive nothing but published numbers and show them as they are.
"""
from __future__ import annotations

import datetime as dt
import io
import json
import re

import pandas as pd
import pytest

from lagesbild.domain.vocab import STRATEGIC_AREAS
from lagesbild.privacy import Policy
from lagesbild.queries import compare, explore, housing, maps
from lagesbild.queries.areas import area_frame
from lagesbild.queries.filters import Filters
from lagesbild import presenters
from lagesbild.exports import csv_file
from lagesbild.pageviews import utforska
from tests.conftest import plotly_array
from tests.test_pages import run_page
from tests.test_privacy_attacks import WEEKS, attack_store  # noqa: F401 - the fixture

FOUR_WEEKS = Filters(WEEKS[0], WEEKS[-1] + dt.timedelta(days=6))


@pytest.fixture
def attack_app(attack_store, monkeypatch):  # noqa: F811 - pytest fixture chaining
    monkeypatch.setenv("DATABASE_URL", attack_store.url.render_as_string(hide_password=False))
    monkeypatch.setenv("LAGESBILD_TODAY", "2026-11-04")  # last complete week: 2026-W44, the store's last
    return attack_store


def test_oversikt_shows_the_published_overview(attack_app):
    at = run_page("oversikt", {"period": "Senaste 4 veckorna"})
    assert not at.exception
    with attack_app.connect() as conn:
        summary, total, _ = compare.overview(conn, FOUR_WEEKS, "kommundel", Policy(), WEEKS[0])
    metrics = {m.label: m.value for m in at.metric}
    for code, name in STRATEGIC_AREAS.items():
        row = total[total.strategic_area == code]
        assert metrics[name] == (row["n_label"].iloc[0] if len(row) else "0")
    table = at.dataframe[0].value
    assert table["Antal"].tolist() == summary["n_label"].tolist()
    assert table["Föregående period"].tolist() == summary["n_prev_label"].tolist()


def test_utforska_table_and_download_are_the_published_breakdown(attack_app):
    at = run_page("utforska", {"period": "Senaste 4 veckorna", "omrade": ["Fittja"], "rader": ["Område"],
                               "kolumner": ["Kategori"]})
    assert not at.exception
    with attack_app.connect() as conn:
        b = explore.explore(conn, Filters(FOUR_WEEKS.start, FOUR_WEEKS.end, areas=("0127K2",)),
                            ["omrade"], ["category"], Policy())
    pd.testing.assert_frame_equal(at.dataframe[0].value.reset_index(drop=True),
                                  utforska.wide_table(b, ["omrade"], ["category"]).reset_index(drop=True),
                                  check_dtype=False)
    # The download is written from the same published cells: the number where shown, empty where "<k".
    view = utforska.build(b, ["omrade"], ["category"], Policy(), utforska.LONG, "urval",
                          (FOUR_WEEKS.start, FOUR_WEEKS.end), False, "import 1")
    text = csv_file(view.export).decode("utf-8-sig")
    csv = pd.read_csv(io.StringIO(text.split("\n\n", 1)[1]), sep=";", dtype=str, keep_default_na=False)
    cells = b.long.set_index(["omrade_label", "category_label"])["n_label"]
    shown = csv.set_index(["Område", "Kategori"])
    assert len(shown) == len(cells)
    for key, label in cells.items():
        number, protected = shown.loc[key, "Antal"], shown.loc[key, "Skyddat"]
        assert (number, protected) == (("", label) if label.startswith("<") else (label.replace("\u00a0", ""), ""))


def test_karta_tooltips_are_the_published_cells(attack_app):
    at = run_page("karta", {"period": "Anpassad", "datum": ["2026-10-01", "2026-10-31"], "vandringar": "false"})
    assert not at.exception
    with attack_app.connect() as conn:
        cells = maps.density(conn, Filters(dt.date(2026, 10, 1), dt.date(2026, 10, 31)), Policy())
    spec = json.dumps([json.loads(d.proto.json) for d in at.get("deck_gl_json_chart")], ensure_ascii=False)
    shown = sorted(re.findall(r"Händelser: ([^<\"]*?)(?:<|\")", spec))
    assert shown == sorted(cells["n_label"]) and len(shown) > 0


def test_boende_shows_the_published_evictions(attack_app):
    at = run_page("boende")
    at.segmented_control(key="niva").set_value("omrade").run()
    assert not at.exception
    with attack_app.connect() as conn:
        from lagesbild.ui.filters import period_dates
        start, end = period_dates("Senaste 52 veckorna", dt.date(2026, 11, 1))
        figures = housing.housing(conn, Filters(start, end), "omrade", Policy())
    pd.testing.assert_frame_equal(at.dataframe[-1].value.reset_index(drop=True),
                                  presenters.housing_table(figures).reset_index(drop=True), check_dtype=False)
    assert "<5" in presenters.housing_table(figures).to_string()  # Albyberget's 2 and Fittja's 3


def test_veckobriefing_metrics_are_the_published_week(attack_app):
    at = run_page("veckobriefing")
    assert not at.exception
    week = Filters(WEEKS[-1], WEEKS[-1] + dt.timedelta(days=6))
    with attack_app.connect() as conn:
        by_strategy = compare.briefing(conn, week, Policy(), WEEKS[0], 12)[0].table
    metrics = {m.label: m.value for m in at.metric}
    for code, name in STRATEGIC_AREAS.items():
        row = by_strategy[by_strategy.strategic_area == code]
        assert metrics[name] == (row["n_label"].iloc[0] if len(row) else "0")


def _plotted(at) -> list[float]:
    values = []
    for chart in at.get("plotly_chart"):
        for trace in json.loads(chart.proto.spec).get("data", []):
            for axis in ("y", "z"):
                flat = pd.Series(plotly_array(trace.get(axis)), dtype=object)
                values += [float(x) for x in pd.to_numeric(flat, errors="coerce").dropna()]
    return values


def test_trender_chart_plots_only_published_values(attack_app):
    at = run_page("trender", {"period": "Senaste 4 veckorna"})
    assert not at.exception
    from lagesbild.queries import trends
    with attack_app.connect() as conn:
        series = trends.series(conn, FOUR_WEEKS, "month", "strategic_area", "count", Policy())
    published = set(pd.concat([series["value"], series["value_ly"], series["rolling"]]).dropna().round(6))
    plotted = _plotted(at)
    assert plotted and set(pd.Series(plotted).round(6)) <= published


def test_pyramiden_table_is_the_published_breakdown(attack_app):
    at = run_page("pyramiden", {"period": "Senaste 4 veckorna"})
    assert not at.exception
    with attack_app.connect() as conn:
        by_area = compare.pyramid_by_area(conn, FOUR_WEEKS, Policy())
    pd.testing.assert_frame_equal(at.dataframe[0].value.reset_index(drop=True),
                                  presenters.pyramid_table(by_area).reset_index(drop=True), check_dtype=False)
