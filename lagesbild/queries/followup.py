"""The yearly follow-up and the lägesbild document (law 2023:196 §4): kartläggning, analysis and
the action plan with follow-up, from the same query functions the pages use (published counts).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import pandas as pd
from sqlalchemy import Connection, select

from lagesbild import calendar, presenters
from lagesbild.domain.actions import Targets
from lagesbild.domain.vocab import FOCUS_AREAS, STRATEGIC_AREAS
from lagesbild.privacy import Policy
from lagesbild.queries import actions as actions_q
from lagesbild.queries import effect as effect_q
from lagesbild.queries.compare import area_summary, category_names, unusual
from lagesbild.queries.filters import Filters
from lagesbild.queries.frames import frame
from lagesbild.queries.incidents import data_range
from lagesbild.queries.trends import year_over_year
from lagesbild.store.models import Category, CategoryFocus, OutcomeIndicator

out_t = OutcomeIndicator.__table__


def year_filters(year: int, last_data: dt.date) -> Filters:
    """The ISO weeks of `year` up to the last week with data."""
    start = dt.date.fromisocalendar(year, 1, 1)
    end = dt.date.fromisocalendar(year + 1, 1, 1) - dt.timedelta(days=1)
    return Filters(start, min(end, last_data))


def outcomes(conn: Connection) -> pd.DataFrame:
    """Every outcome indicator value (gender total), with its strategic and focus area labels."""
    df = frame(conn.execute(select(out_t.c.indicator, out_t.c.name, out_t.c.region_code, out_t.c.region_kind,
                                   out_t.c.region_name, out_t.c.year, out_t.c.value, out_t.c.unit,
                                   out_t.c.strategic_area, out_t.c.focus_area, out_t.c.source, out_t.c.demo)
                            .where(out_t.c.gender == "T").order_by(out_t.c.indicator, out_t.c.region_kind, out_t.c.year)),
               ["indicator", "name", "region_code", "region_kind", "region_name", "year", "value", "unit",
                "strategic_area", "focus_area", "source", "demo"])
    return df.assign(strategic_label=df["strategic_area"].map(STRATEGIC_AREAS).fillna("–"),
                     focus_label=df["focus_area"].map(FOCUS_AREAS).fillna("–"))


def outcome_table(df: pd.DataFrame, years: int = 5) -> pd.DataFrame:
    """One row per indicator and region, the last `years` years as columns (the kommun first)."""
    if df.empty:
        return pd.DataFrame()
    every = sorted(df["year"].unique())
    last = every[:1] + [y for y in every[-years:] if y != every[0]]  # the first year, and the latest
    part = df[df["year"].isin(last)]
    order = {"kommun": 0, "kommundel": 1, "omrade": 2, "lan": 3, "riket": 4}
    wide = part.pivot_table(index=["strategic_label", "name", "unit", "region_kind", "region_name"], columns="year",
                            values="value", aggfunc="first", sort=False).reset_index()
    wide = wide.sort_values(["strategic_label", "name", "region_kind"], key=lambda s: s.map(order) if s.name == "region_kind" else s)
    from lagesbild import formatting as fmt
    out = pd.DataFrame({"Strategiskt område": wide["strategic_label"], "Indikator": wide["name"],
                        "Region": wide["region_name"], "Enhet": wide["unit"]})
    decimals = [1 if any(v == v and v % 1 for v in row) else 0 for row in wide[last].to_numpy()]
    for y in last:
        out[str(y)] = [fmt.number(v, d) if v == v else "–" for v, d in zip(wide[y], decimals)]
    return out.reset_index(drop=True)


def action_areas(conn: Connection, targets: str) -> tuple[list[str], list[str]]:
    """The strategic and focus areas an action's targets belong to (codes)."""
    t = Targets.parse(targets)
    cat, focus = Category.__table__, CategoryFocus.__table__
    strategic, foci = set(t.strategic_areas), set(t.focus_areas)
    if t.categories:
        strategic |= set(conn.execute(select(cat.c.strategic_area).where(cat.c.code.in_(t.categories))).scalars())
        foci |= set(conn.execute(select(focus.c.focus_area).join(cat, cat.c.id == focus.c.category_id)
                                 .where(cat.c.code.in_(t.categories))).scalars())
    return sorted(strategic), sorted(foci)


@dataclass
class YearlyFollowUp:
    year: int
    summary: pd.DataFrame        # per strategic area: started, finished, running, cancelled (numbers of actions)
    actions: pd.DataFrame        # per action: areas, problem, dates, status, before/after (published), verdict
    notes: list[str] = field(default_factory=list)


def yearly_follow_up(conn: Connection, year: int, policy: Policy, today: dt.date | None = None) -> YearlyFollowUp:
    """The actions that ran in `year`, each with its before/after and verdict (lagesbild.effect).
    Started: the start lies in the year and not after `today` (default calendar.today())."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    today = today or calendar.today()
    df = actions_q.action_list(conn)
    df = df[actions_q._mask(df, [s <= last and (e is None or e >= first) for s, e in zip(df["start_date"], df["end_date"])])]
    rows = []
    for r in df.to_dict("records"):
        strategic, foci = action_areas(conn, r["targets"])
        row = {"Id": r["action_key"], "Insats": r["title"], "Typ": r["kind_label"], "Ansvarig": r["responsible_actor"],
               "Områden": r["areas_label"], "Problem": r["targets_label"],
               "Strategiskt område": ", ".join(STRATEGIC_AREAS.get(s, s) for s in strategic),
               "Fokusområde": ", ".join(FOCUS_AREAS.get(f, f) for f in foci),
               "Period": f"{r['start_date']} – {r['end_date'] or 'tills vidare'}", "Status": r["status_label"],
               "Före": "–", "Efter": "–", "Bedömning": "", "strategic": strategic,
               "started": first <= r["start_date"] <= min(last, today) and r["status"] != "planerad", "finished": r["status"] == "avslutad" and
               r["end_date"] is not None and first <= r["end_date"] <= last, "cancelled": r["status"] == "avbruten"}
        if r["status"] == "avbruten":
            row["Bedömning"] = "Avbruten: " + (r["status_reason"] or "")
        else:
            try:
                view = effect_q.effect_view(conn, r["action_key"], policy)
            except effect_q.NoEffectView as exc:
                row["Bedömning"] = str(exc)
            else:
                target = view.table.iloc[0]
                row.update({"Före": target["before_label"], "Efter": target["after_label"], "Bedömning": view.verdict})
        rows.append(row)
    table = pd.DataFrame(rows)
    summary = _summary(table)
    shown = table.drop(columns=["strategic", "started", "finished", "cancelled"]) if len(table) else table
    return YearlyFollowUp(year, summary, shown.reset_index(drop=True))


NO_STRATEGIC_AREA = "Utan strategiskt område"


def _summary(table: pd.DataFrame) -> pd.DataFrame:
    """One row per strategic area; actions whose targets name none get a row of their own (shown
    only when there are such actions), so that every action of the year is counted somewhere."""
    out = []
    groups = [(name, lambda s, code=code: code in s) for code, name in STRATEGIC_AREAS.items()]
    if len(table) and not all(table["strategic"].map(len)):
        groups.append((NO_STRATEGIC_AREA, lambda s: not s))
    for name, belongs in groups:
        part = table[[belongs(s) for s in table["strategic"]]] if len(table) else table
        out.append({"Strategiskt område": name, "Insatser under året": len(part),
                    "Startade": int(part["started"].sum()) if len(part) else 0,
                    "Avslutade": int(part["finished"].sum()) if len(part) else 0,
                    "Avbrutna": int(part["cancelled"].sum()) if len(part) else 0})
    return pd.DataFrame(out)


@dataclass
class LagesbildDocument:
    """Everything the yearly lägesbild document prints, published."""

    year: int
    period: tuple[dt.date, dt.date]
    areas: pd.DataFrame          # kartläggning per kommundel: count, previous year, rate per 1 000
    trends: pd.DataFrame         # per strategic area, year over year
    unusual_lines: list[str]
    unusual_note: str
    follow_up: YearlyFollowUp
    outcomes: pd.DataFrame
    population_year: int | None = None


def document(conn: Connection, year: int, policy: Policy) -> LagesbildDocument:
    first_data, last_data = data_range(conn)
    if last_data is None:
        raise effect_q.NoEffectView("Det finns inga händelser i databasen.")
    f = year_filters(year, last_data)
    summary = area_summary(conn, f, "kommundel", policy)
    areas = pd.DataFrame({"Kommundel": summary["name"], "Antal": summary["n_label"],
                          "Föregående period": summary["n_prev_label"],
                          "Per 1 000 invånare": [presenters.fmt.number(v, 1) if v == v else "–" for v in summary["rate"]],
                          "Invånare": [presenters.fmt.number(v) for v in summary["population"]]})
    trends = presenters.year_table(year_over_year(conn, f, "strategic_area", policy), "strategic_area")
    flags = unusual(conn, f, "kommundel", policy, first_data, 2)
    from lagesbild.queries.areas import area_frame
    names = area_frame(conn)
    lines = [presenters.plain(x) for x in presenters.unusual_lines(flags.cells, dict(zip(names["id"], names["name"])),
                                                                   category_names(conn), policy)]
    note = presenters.flags_test_note(flags)
    return LagesbildDocument(year, (f.start, f.end), areas, trends, lines, note, yearly_follow_up(conn, year, policy),
                             outcome_table(outcomes(conn)), summary.attrs.get("population_year"))
