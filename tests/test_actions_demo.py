"""The demo's actions, their before/after on both backends, the yearly document and its PDFs."""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest
from sqlalchemy import select

from lagesbild import figures, report_pdf
from lagesbild.demo import demo_period
from lagesbild.privacy import Policy, assert_published
from lagesbild.queries import actions as aq
from lagesbild.queries import effect as eq
from lagesbild.queries import followup
from lagesbild.queries.filters import monday
from lagesbild.store.models import Area, Category, Incident
from tests.conftest import DEMO_TODAY, published_labels


def _views(engine):
    with engine.connect() as conn:
        keys = list(aq.action_list(conn)["action_key"])
        out = {}
        for key in keys:
            try:
                out[key] = eq.effect_view(conn, key, Policy())
            except eq.NoEffectView as exc:
                out[key] = str(exc)
    return out


def test_the_demo_has_actions_for_every_view(demo_engine):
    _, end = demo_period(DEMO_TODAY)
    views = _views(demo_engine)
    verdicts = [v.verdict for v in views.values() if isinstance(v, eq.EffectView)]
    assert any(v.startswith("Minskningen är större") for v in verdicts)       # followed by a drop
    assert any(v.startswith("Ingen säkerställd") for v in verdicts)           # followed by nothing
    assert any(v.startswith("För få händelser") for v in verdicts)            # too small for a verdict
    assert any("avbröts" in v for v in views.values() if isinstance(v, str))
    with demo_engine.connect() as conn:
        week = aq.week_actions(conn, monday(end))
    assert len(week.new) >= 2 and len(week.running) >= 2 and len(week.due) >= 1
    # the injected clusters of the last week (vehicle fires in Norsborg, youth fights in Hallunda) got decisions
    assert {"Norsborg", "Hallunda"} <= set(week.new["areas_label"])


def test_no_estimate_is_shown_on_too_few_events(demo_engine):
    for view in (v for v in _views(demo_engine).values() if isinstance(v, eq.EffectView)):
        assert_published(view)
        if not view.shown:
            assert view.estimate == "" and view.verdict.startswith("För få")


def _true_counts(engine, view: eq.EffectView, key: str) -> pd.DataFrame:
    """The target's events before and after, straight from the incident rows (not the marts)."""
    with engine.connect() as conn:
        action = eq.action_row(conn, key)
        cats = eq.category_codes(conn, eq.Targets.parse(action["targets"]))
        areas = eq.omraden_of(eq.area_frame(conn), eq.split_codes(action["area_codes"]))
        rows = conn.execute(select(Incident.occurred_at, Incident.count, Incident.rkey,
                                   Category.sensitivity == "person")
                            .join(Category, Category.id == Incident.category_id)
                            .where(Category.code.in_(cats), Incident.area_id.in_(areas))).all()
    df = pd.DataFrame(rows, columns=["occurred_at", "count", "rkey", "person"])
    day = pd.to_datetime(df["occurred_at"]).dt.date
    df["period"] = [("before" if view.before[0] <= d <= view.before[1] else
                     "after" if view.after[0] <= d <= view.after[1] else None) for d in day]
    return df[df["period"].notna()]


def test_before_and_after_agree_with_the_incident_rows(demo_engine):
    views = {k: v for k, v in _views(demo_engine).items() if isinstance(v, eq.EffectView)}
    for key, view in views.items():
        expected = published_labels(_true_counts(demo_engine, view, key), "period")
        target = view.table.iloc[0]
        assert target["before_label"] == expected.get("before", "0"), key
        assert target["after_label"] == expected.get("after", "0"), key


def test_comparison_areas_share_the_socioeconomic_type(demo_engine):
    with demo_engine.connect() as conn:
        areas = eq.area_frame(conn)
        fittja = set(areas.loc[areas["name"] == "Fittja", "id"]) & set(areas.loc[areas["level"] == "omrade", "id"])
        near = eq.neighbours(conn, fittja)
        chosen, rule = eq.comparison_areas(areas, fittja, near)
    names = dict(zip(areas["id"], areas["name"]))
    assert {names[i] for i in near} == {"Albyberget", "Albydalen", "Hallunda", "Slagsta", "Tullinge villastad"}
    assert {names[i] for i in chosen} == {"Norsborg"} and "socioekonomiska typ" in rule   # type 1, not a neighbour


def test_the_lagesbild_document_and_the_pdfs(demo_engine, tmp_path):
    _, end = demo_period(DEMO_TODAY)
    with demo_engine.connect() as conn:
        doc = followup.document(conn, end.year - 1, Policy())
    assert_published(doc)
    assert len(doc.follow_up.actions) >= 3 and set(doc.follow_up.summary["Strategiskt område"]) >= {"Trygghetsskapande"}
    assert "Gymnasieelever med examen inom 4 år" in set(doc.outcomes["Indikator"])
    data = report_pdf.lagesbild_pdf(doc, True, "Personrelaterade tal under 5 visas som <5.")
    assert data.startswith(b"%PDF-") and data.rstrip().endswith(b"%%EOF")
    assert len(re.findall(rb"/Type /Page\b", data)) >= 2


def test_the_weekly_pdf_carries_the_actions():
    table = pd.DataFrame({"Id": ["I-0001"], "Insats": ["Ökad närvaro – Fittja centrum"], "Områden": ["Fittja"],
                          "Ansvarig": ["Polisen"], "Status": ["Pågår"], "Slut": ["tills vidare"], "Återkoppling": ["–"]})
    from lagesbild.handout import Handout, Kpi
    data = report_pdf.weekly_pdf(Handout("Veckobriefing vecka 46", "alla områden", (Kpi("Trygghetsskapande", "98", "normalt 95,4"),),
                                         ("Brand i fordon i Norsborg: 9 händelser",), "baslinje", pd.DataFrame(),
                                         pd.DataFrame(), pd.DataFrame(), {"Pågår denna vecka": table}, False,
                                         "Skyddade tal."))
    assert data.startswith(b"%PDF-") and len(re.findall(rb"/Type /Page\b", data)) >= 1


def test_action_bands_are_labelled_vrects():
    series = pd.DataFrame({"period": [dt.date(2026, m, 1) for m in (1, 2, 3)], "value": [10.0, 12.0, 8.0],
                           "n_label": ["10", "12", "8"], "split_label": ["Trygghetsskapande"] * 3,
                           "rolling": [10.0, 11.0, 10.0], "value_ly": [9.0, 9.0, 9.0], "partial": [False] * 3})
    bands = pd.DataFrame({"start": [dt.date(2026, 1, 12)], "end": [dt.date(2026, 2, 20)], "label": ["I-0001 Belysning"]})
    fig = figures.trend_lines(series, "month", "Antal", bands=bands)
    assert [(s.type, s.x0, s.x1) for s in fig.layout.shapes] == [("rect", pd.Timestamp("2026-01-12"), pd.Timestamp("2026-02-20"))]
    assert [a.text for a in fig.layout.annotations] == ["I-0001 Belysning"]
    assert len(figures.trend_lines(series, "month", "Antal").layout.shapes) == 0


def test_removing_the_demo_removes_its_actions_and_indicators(empty_engine):
    from lagesbild.setup import seed_demo
    from loaders.demo_guard import remove_demo
    with empty_engine.begin() as conn:
        seed_demo(conn, DEMO_TODAY)
    with empty_engine.begin() as conn:
        assert len(aq.actions(conn)) >= 8 and not followup.outcomes(conn).empty
        remove_demo(conn)
    with empty_engine.connect() as conn:
        assert aq.actions(conn).empty and followup.outcomes(conn).empty


def test_the_yearly_follow_up_counts_what_started_and_every_cancelled_action(demo_engine):
    """A planned action (I-0009 starts after today) has not started; I-0008 (cancelled, no strategic
    area) is counted in a row of its own, so no action of the year falls outside the summary."""
    with demo_engine.connect() as conn:
        follow = followup.yearly_follow_up(conn, DEMO_TODAY.year, Policy(), DEMO_TODAY)
        listed = aq.action_list(conn)
    summary = follow.summary.set_index("Strategiskt område")
    assert summary.at[followup.NO_STRATEGIC_AREA, "Avbrutna"] == 1
    assert summary["Avbrutna"].sum() == 1 == (follow.actions["Status"] == "Avbruten").sum()
    with demo_engine.connect() as conn:
        tryggt = {k for k, t in zip(listed["action_key"], listed["targets"])
                  if "trygghetsskapande" in followup.action_areas(conn, t)[0]}
    started = {k for k, s, st in zip(listed["action_key"], listed["start_date"], listed["status"])
               if k in tryggt and s.year == DEMO_TODAY.year and s <= DEMO_TODAY and st != "planerad"}
    assert "I-0009" in tryggt and "I-0009" not in started
    assert summary.at["Trygghetsskapande", "Startade"] == len(started)
