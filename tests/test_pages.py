"""Every page through AppTest on the demo data: no exception, the right numbers, nothing leaked."""
from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pandas as pd
import pytest
from sqlalchemy import select
from streamlit.testing.v1 import AppTest

from lagesbild import formatting as fmt
from lagesbild.domain.vocab import STRATEGIC_AREAS
from lagesbild.store.models import Area, Category, Incident
from tests.conftest import DEMO_TODAY, plotly_array, published_labels, with_calendar_columns

APP = str(Path(__file__).resolve().parents[1] / "app.py")
PAGES = ["oversikt", "veckobriefing", "trender", "karta", "pyramiden", "vandringar", "boende", "utforska",
         "datakallor", "insatser"]
TITLES = {"oversikt": "Översikt", "veckobriefing": "Veckobriefing", "trender": "Trender", "karta": "Karta",
          "pyramiden": "Våldspyramiden", "vandringar": "Trygghetsvandringar", "boende": "Boende",
          "utforska": "Utforska", "datakallor": "Datakällor", "insatser": "Insatser"}


@pytest.fixture
def app_env(sqlite_demo_engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", sqlite_demo_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("LAGESBILD_TODAY", DEMO_TODAY.isoformat())
    return sqlite_demo_engine


def run_page(page: str, params: dict | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    for key, value in (params or {}).items():
        at.query_params[key] = value
    at.run()
    if page != "oversikt":
        at.switch_page(f"views/{page}.py")
        at.run()
    return at


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_without_exception(app_env, page):
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if "referens" in e.value], "the page failed (app.py caught it)"
    assert at.title[0].value == TITLES[page]
    if page != "datakallor":
        assert any("Demodata" in i.value for i in at.info), "the demo notice is missing"


def _week_counts(engine, start: dt.date, end: dt.date) -> pd.DataFrame:
    with engine.connect() as conn:
        rows = conn.execute(select(Incident.occurred_at, Incident.count, Category.strategic_area, Area.kommundel_id,
                                   Incident.rkey, Category.sensitivity == "person")
                            .join(Category, Category.id == Incident.category_id)
                            .join(Area, Area.id == Incident.area_id)).all()
    df = with_calendar_columns(pd.DataFrame(rows, columns=["occurred_at", "count", "strategic_area", "kommundel_id",
                                                           "rkey", "person"]))
    df = df[(df.week_start >= start) & (df.week_start <= end)]
    return df[["week_start", "count", "strategic_area", "kommundel_id", "rkey", "person"]]


def test_overview_numbers_match_an_independent_count(app_env):
    at = run_page("oversikt")
    df = _week_counts(app_env, dt.date(2025, 11, 17), dt.date(2026, 11, 15))
    expected = published_labels(df, "strategic_area")
    metrics = {m.label: m.value for m in at.metric}
    for code, name in STRATEGIC_AREAS.items():
        assert metrics[name] == expected[code]
    table = at.dataframe[0].value.set_index("Område")
    with app_env.connect() as conn:
        names = dict(conn.execute(select(Area.id, Area.name)).all())
    per_area = published_labels(df, "kommundel_id")
    for area_id, label in per_area.items():
        assert table.loc[names[area_id], "Antal"] == label


def test_weekly_briefing_numbers_and_flags(app_env):
    at = run_page("veckobriefing")
    week = published_labels(_week_counts(app_env, dt.date(2026, 11, 9), dt.date(2026, 11, 9)), "strategic_area")
    metrics = {m.label: m.value for m in at.metric}
    for code, name in STRATEGIC_AREAS.items():
        assert metrics[name] == week[code]
    text = " ".join(m.value for m in at.markdown)
    assert "**Brand i fordon** i **Norsborg**" in text and "**Våld mellan unga** i **Hallunda**" in text


def test_weekly_briefing_another_week(app_env):
    at = run_page("veckobriefing")
    at.selectbox(key="vecka").select("2026-W40").run()
    assert not at.exception
    assert at.header[0].value.startswith("Vecka 40")
    week = published_labels(_week_counts(app_env, dt.date(2026, 9, 28), dt.date(2026, 9, 28)), "strategic_area")
    assert at.metric[0].value == week["trygghetsskapande"]


def test_filters_come_from_the_url(app_env):
    """A shared link (?period=Senaste+veckan&omrade=Fittja) opens the same view."""
    at = run_page("oversikt", {"period": "Senaste veckan", "omrade": ["Fittja"]})
    assert not at.exception
    df = _week_counts(app_env, dt.date(2026, 11, 9), dt.date(2026, 11, 9))
    with app_env.connect() as conn:
        fittja = conn.execute(select(Area.id).where(Area.code == "0127K2")).scalar()
    table = at.dataframe[0].value
    assert table["Område"].tolist() == ["Fittja"]
    assert table["Antal"].tolist() == [published_labels(df[df.kommundel_id == fittja], "kommundel_id")[fittja]]


def test_explorer_breakdown_change(app_env):
    at = run_page("utforska")
    at.multiselect(key="rader").set_value(["year"]).run()
    at.multiselect(key="kolumner").set_value(["source"]).run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table.columns) == ["År", "Botkyrkabyggen", "Kommunen", "Polisen", "Räddningstjänsten", "Totalt"]


def test_explorer_strategic_area_as_rows(app_env):
    """It was the columns' default: choosing it as rows crashed (StreamlitDefaultNotInOptionsError)."""
    at = run_page("utforska")
    at.multiselect(key="rader").set_value(["strategic_area"]).run()
    assert not at.exception, [e.value for e in at.exception]
    assert list(at.dataframe[0].value.columns) == ["Strategiskt område", "Antal"]
    at = run_page("utforska", {"rader": "strategic_area"})
    assert not at.exception, [e.value for e in at.exception]


def test_empty_selection_says_so(app_env):
    at = run_page("oversikt", {"period": "Förra året", "kalla": ["Polisen"], "strategi": ["Trygghetsskapande"]})
    assert not at.exception
    assert any("inga händelser" in w.value for w in at.warning)


# --- the suppression scan ---------------------------------------------------------------------
# With k set absurdly high and only person-related categories selected, every count a page shows
# must be hidden. Any digit that is a count in a table, chart, map tooltip or metric is a leak.

HUGE_K = 1_000_000
COUNT_COLUMNS = re.compile(r"^(Antal|Föregående period|Samma period i fjol|Totalt|\d{4}|\d .*|"
                           r"Brottsbekämpande.*|Trygghetsskapande|Brottsförebyggande|Våldsförebyggande)$")


def _is_hidden_or_zero(text) -> bool:
    t = str(text).replace("\u00a0", " ").strip()
    return t in {"0", "–", ""} or t.startswith("<") or not re.search(r"\d", t)


def _leaks_in_plotly(spec: dict) -> list:
    leaks = []
    for trace in spec.get("data", []):
        for axis in ("x", "y", "z"):
            flat = pd.Series(plotly_array(trace.get(axis)), dtype=object)  # typed arrays decoded
            if flat.empty:
                continue
            numeric = pd.to_numeric(flat, errors="coerce")
            is_count_axis = (trace.get("type") in ("bar", "funnel") and axis == ("x" if trace.get("orientation") == "h" else "y")) \
                or (trace.get("type") == "heatmap" and axis == "z") or (trace.get("type") == "scatter" and axis == "y")
            if is_count_axis and (numeric.fillna(0) > 0).any():
                leaks.append((trace.get("name"), axis, numeric[numeric > 0].tolist()[:5]))
        for text in pd.Series(trace.get("text") or []).explode().dropna():
            if not _is_hidden_or_zero(text):
                leaks.append((trace.get("name"), "text", text))
    return leaks


def _leaks_in_deck(spec: dict) -> list:
    tooltips = re.findall(r"Händelser: ([^<\"]*?)(?:<|\")", json.dumps(spec, ensure_ascii=False))
    return [t for t in tooltips if not _is_hidden_or_zero(t)]


@pytest.mark.parametrize("page", ["oversikt", "veckobriefing", "trender", "karta", "pyramiden", "utforska"])
def test_suppression_scan(app_env, monkeypatch, page):
    monkeypatch.setenv("LAGESBILD_K", str(HUGE_K))
    at = run_page(page, {"fokus": ["Våld i nära relationer"], "strategi": ["Våldsförebyggande"]})
    assert not at.exception
    leaks = []
    for m in at.metric:
        if not _is_hidden_or_zero(m.value):
            leaks.append(("metric", m.label, m.value))
    for df in at.dataframe:
        table = df.value
        for col in table.columns:
            if COUNT_COLUMNS.match(str(col)):
                leaks += [("table", col, v) for v in table[col] if not _is_hidden_or_zero(v)]
            if col == "Per 1 000 inv.":
                leaks += [("table", col, v) for v in table[col] if v != "–"]
    for chart in at.get("plotly_chart"):
        leaks += [("chart", *leak) for leak in _leaks_in_plotly(json.loads(chart.proto.spec))]
    for deck in at.get("deck_gl_json_chart"):
        leaks += [("map", leak) for leak in _leaks_in_deck(json.loads(deck.proto.json))]
    for md in at.markdown:
        if "händelser, fler" in md.value or "händelser, färre" in md.value:
            leaks += [("flag", md.value)] if not re.search(r": <", md.value) else []
    assert leaks == []


def test_suppression_scan_sees_numbers_when_k_is_normal(app_env):
    """The scan above is not vacuous: with the normal k the same selection shows counts."""
    at = run_page("oversikt", {"fokus": ["Våld i nära relationer"], "strategi": ["Våldsförebyggande"]})
    assert any(not _is_hidden_or_zero(m.value) for m in at.metric)
    assert any(_leaks_in_plotly(json.loads(c.proto.spec)) for c in at.get("plotly_chart"))


def test_safety_walk_numbers_match_an_independent_count(app_env):
    from lagesbild.store.models import Observation, SafetyWalk
    at = run_page("vandringar")
    with app_env.connect() as conn:
        obs = pd.DataFrame(conn.execute(select(SafetyWalk.walked_on, Observation.status, Observation.deadline)
                                        .join(SafetyWalk, SafetyWalk.id == Observation.walk_id)).all(),
                           columns=["walked_on", "status", "deadline"])
    sel = obs[(obs.walked_on >= dt.date(2025, 11, 17)) & (obs.walked_on <= dt.date(2026, 11, 15))]
    open_ = sel.status.isin(["ny", "planerad"])
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Iakttagelser"] == fmt.number(len(sel))
    assert metrics["Öppna"] == fmt.number(open_.sum())
    assert metrics["Försenade"] == fmt.number((open_ & (sel.deadline < DEMO_TODAY)).sum())
    assert len(at.dataframe[0].value) == (open_ & (sel.deadline < DEMO_TODAY)).sum()


def test_pyramid_levels_match_an_independent_count(app_env):
    at = run_page("pyramiden")
    with app_env.connect() as conn:
        rows = with_calendar_columns(pd.DataFrame(
            conn.execute(select(Category.pyramid_level, Incident.count, Area.kommundel_id, Incident.occurred_at,
                                Incident.rkey, Category.sensitivity == "person")
                         .join(Category, Category.id == Incident.category_id)
                         .join(Area, Area.id == Incident.area_id)
                         .where(Category.pyramid_level.is_not(None))).all(),
            columns=["level", "count", "kommundel", "occurred_at", "rkey", "person"]))
        rows = rows[(rows.week_start >= dt.date(2025, 11, 17)) & (rows.week_start <= dt.date(2026, 11, 15))]
        names = dict(conn.execute(select(Area.id, Area.name)).all())
    table = at.dataframe[0].value.set_index("Kommundel")
    expected = published_labels(rows, ["kommundel", "level"])
    for (kd, level), label in expected.items():
        assert table.loc[names[kd]].filter(like=f"{int(level)} ").iloc[0] == label


def test_explorer_total_matches_an_independent_count(app_env):
    at = run_page("utforska")
    df = _week_counts(app_env, dt.date(2025, 11, 17), dt.date(2026, 11, 15))
    table = at.dataframe[0].value.set_index("Kommundel")
    with app_env.connect() as conn:
        names = dict(conn.execute(select(Area.id, Area.name)).all())
    # Each row total is a published cell of its own (the kommundel's records and their keys).
    for area_id, label in published_labels(df, "kommundel_id").items():
        assert table.loc[names[area_id], "Totalt"] == label


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_on_an_empty_store(empty_engine, monkeypatch, page):
    """A new municipality's store before its first import: every page says so, none fails (and
    nothing reaches the read gate unpublished)."""
    monkeypatch.setenv("DATABASE_URL", empty_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("LAGESBILD_TODAY", DEMO_TODAY.isoformat())
    at = run_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not [e.value for e in at.error if "referens" in e.value]
    assert at.title[0].value == TITLES[page]


def test_insatser_page_records_a_decision_and_its_follow_up(tmp_path, monkeypatch):
    """Decide an action on the page, follow it up, and see both in the store and its history
    (a store of its own: the app seeds the demo into it, this test writes)."""
    from lagesbild.queries.actions import actions, history
    from lagesbild.store.engine import make_engine
    url = f"sqlite:///{tmp_path / 'store.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("LAGESBILD_TODAY", DEMO_TODAY.isoformat())
    at = run_page("insatser")
    assert not at.exception
    at.text_input[0].input("Ökad närvaro vid Fittja torg")
    at.text_input[1].input("Polisen")
    at.multiselect[0].select("0127R005")
    next(b for b in at.button if b.label == "Spara insatsen").click().run()
    assert not at.exception, [e.value for e in at.exception]
    engine = make_engine(url)
    with engine.connect() as conn:
        new = actions(conn).set_index("title").loc["Ökad närvaro vid Fittja torg"]
    assert (new["area_codes"], new["status"], new["decided_on"]) == ("0127R005", "planerad", DEMO_TODAY)
    at.selectbox(key="uppfolj").select(new["action_key"]).run()
    at.text_area[-1].input("Färre grupperingar på torget")
    next(b for b in at.button if b.label == "Spara uppföljningen").click().run()
    assert not at.exception, [e.value for e in at.exception]
    with engine.connect() as conn:
        assert list(history(conn, new["action_key"])["field"]) == ["skapad", "återkoppling"]
    engine.dispose()


def test_veckobriefing_shows_no_period_it_ignores(app_env):
    at = run_page("veckobriefing")
    assert not at.exception
    assert [s.label for s in at.sidebar.selectbox] == []  # the week is chosen on the page itself
    assert "Period" in [s.label for s in run_page("oversikt").sidebar.selectbox]
