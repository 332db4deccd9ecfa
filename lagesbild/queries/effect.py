"""Before/after of an action against comparison areas, with displacement to neighbouring areas.

The counts are the incidents of the targeted categories (a strategic or focus area counts as all its
categories) per område, from the incident marts (lagesbild.queries.incidents.period_table), in the
same number of whole weeks before the action's start week and from it to its end (or to the last
week with data). Areas: the targeted områden (a kommundel counts as its områden); their neighbours
(områden within 100 m of them: where a moved problem would show); comparison areas chosen by the
user, else the områden of the targets' SCB socio-economic type that are neither targeted nor
neighbours (all other områden when there are none).

The measure (lagesbild.effect) is computed on the published counts (lagesbild.privacy.publish), the
same numbers the table shows, and a verdict is only given on enough events.
"""
from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field

import pandas as pd
import shapely
from shapely.geometry import shape
from sqlalchemy import Connection, select

from lagesbild import effect
from lagesbild import formatting as fmt
from lagesbild.domain.actions import Targets, split_codes
from lagesbild.domain.geo import geom_to_sweref
from lagesbild.errors import LagesbildError
from lagesbild.privacy import KEY_COLUMN, Policy, publish
from lagesbild.queries.areas import area_frame, population
from lagesbild.queries.filters import Filters, monday
from lagesbild.queries.incidents import data_range, key_column, period_table
from lagesbild.store.models import Action, Area, Category, CategoryFocus

NEIGHBOUR_METRES = 100
GROUPS = {"target": "Insatsområde", "displacement": "Grannområden", "comparison": "Jämförelseområden"}


class NoEffectView(LagesbildError):
    """The action cannot be judged yet (not started, no data after its start, nothing targeted)."""


@dataclass
class EffectView:
    key: str
    before: tuple[dt.date, dt.date]
    after: tuple[dt.date, dt.date]
    table: pd.DataFrame          # published: group, areas, before/after labels (and values)
    verdict: str
    shown: bool                  # False: too few events, no estimate
    estimate: str = ""           # the WDD and rate ratio in words (only when shown)
    comparison_rule: str = ""
    notes: list[str] = field(default_factory=list)


def category_codes(conn: Connection, targets: Targets) -> tuple[str, ...]:
    """The categories an action targets: its own, and those of its strategic and focus areas."""
    cat, focus = Category.__table__, CategoryFocus.__table__
    codes = set(targets.categories)
    if targets.strategic_areas:
        codes |= set(conn.execute(select(cat.c.code).where(cat.c.strategic_area.in_(targets.strategic_areas))).scalars())
    if targets.focus_areas:
        codes |= set(conn.execute(select(cat.c.code).join(focus, focus.c.category_id == cat.c.id)
                                  .where(focus.c.focus_area.in_(targets.focus_areas))).scalars())
    return tuple(sorted(codes))


def omraden_of(areas: pd.DataFrame, codes) -> set[int]:
    """Ids of the områden named by `codes` (a kommundel stands for its områden)."""
    chosen = areas[areas["code"].isin(list(codes))]
    ids = set(chosen.loc[chosen["level"] == "omrade", "id"])
    ids |= set(areas.loc[(areas["level"] == "omrade") & areas["parent_id"].isin(chosen.loc[chosen["level"] == "kommundel", "id"]), "id"])
    return ids


def neighbours(conn: Connection, target: set[int]) -> set[int]:
    """Områden within NEIGHBOUR_METRES of a targeted område, the targets excluded."""
    a = Area.__table__
    rows = conn.execute(select(a.c.id, a.c.geometry_geojson).where(a.c.level == "omrade",
                                                                  a.c.geometry_geojson.is_not(None))).all()
    geoms = {i: geom_to_sweref(shape(json.loads(g))) for i, g in rows}
    if not target or not all(t in geoms for t in target):
        return set()
    zone = shapely.union_all([geoms[t] for t in target]).buffer(NEIGHBOUR_METRES)
    return {i for i, g in geoms.items() if i not in target and g.intersects(zone)}


def comparison_areas(areas: pd.DataFrame, target: set[int], excluded: set[int],
                     chosen: tuple[str, ...] = ()) -> tuple[set[int], str]:
    """(ids, how they were chosen): the user's choice, else the targets' socio-economic type."""
    if chosen:
        return omraden_of(areas, chosen) - target, "valda av användaren"
    omr = areas[areas["level"] == "omrade"]
    types = set(omr.loc[omr["id"].isin(target), "socioeconomic_type"].dropna())
    same = set(omr.loc[omr["socioeconomic_type"].isin(types), "id"]) - target - excluded
    if same:
        kinds = ", ".join(str(int(t)) for t in sorted(types))
        return same, f"områden av samma socioekonomiska typ enligt SCB ({kinds}), utom insats- och grannområden"
    return set(omr["id"]) - target - excluded, "alla övriga områden (inga av samma socioekonomiska typ)"


def periods(start: dt.date, end: dt.date | None, last_data: dt.date) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """Whole weeks: from the start week to the end week (or the last week with data), and as many
    weeks right before it."""
    first = monday(start)
    stop = min(end or last_data, last_data)
    last = monday(stop) + dt.timedelta(days=6)
    if last < first:
        raise NoEffectView("Insatsen har inte börjat, eller det finns inga data efter dess start ännu.")
    weeks = (last - first).days // 7 + 1
    return (first - dt.timedelta(weeks=weeks), first - dt.timedelta(days=1)), (first, last)


def action_row(conn: Connection, key: str) -> dict:
    row = conn.execute(select(Action.__table__).where(Action.action_key == key)).mappings().first()
    if row is None:
        raise NoEffectView(f"Insatsen {key} finns inte.")
    return dict(row)


def effect_view(conn: Connection, key: str, policy: Policy, chosen: tuple[str, ...] = ()) -> EffectView:
    action = action_row(conn, key)
    if action["status"] == "avbruten":
        raise NoEffectView("Insatsen avbröts: " + (action["status_reason"] or "inget skäl angivet") + ".")
    categories = category_codes(conn, Targets.parse(action["targets"]))
    if not categories:
        raise NoEffectView("Insatsen anger inga kategorier eller områden att följa (fältet Problem).")
    areas = area_frame(conn)
    target = omraden_of(areas, split_codes(action["area_codes"]))
    if not target:
        raise NoEffectView("Insatsen anger inga områden.")
    _, last_data = data_range(conn)
    if last_data is None:
        raise NoEffectView("Det finns inga händelser i databasen.")
    before, after = periods(action["start_date"], action["end_date"], last_data)
    near = neighbours(conn, target)
    comparison, rule = comparison_areas(areas, target, near, chosen)
    groups = {"target": target, "displacement": near - comparison, "comparison": comparison}
    f = Filters(before[0], after[1], categories=categories)
    counts = period_table(conn, f, [before, after], ("omrade",))
    sums = _group_sums(counts, groups)
    pop = population(conn, action["start_date"].year)
    people = {g: float(pop.reindex(list(ids)).fillna(0).sum()) for g, ids in groups.items()}
    table = _published_table(sums, groups, areas, policy)
    # The measure reads the published counts, as every rate and flag does: a printed WDD computed
    # from true counts beside the published ones would tell the sum of their noise. A count shown
    # as "<k" enters as 0, so the minimum-events rule gives no verdict on it.
    shown = table.set_index("group")
    c = {g: effect.PeriodCounts(_published_count(shown.at[g, "before"]), _published_count(shown.at[g, "after"]))
         for g in groups}
    w_t = people["target"] / people["comparison"] if people["comparison"] else 1.0
    w_d = people["displacement"] / people["comparison"] if people["comparison"] else 1.0
    v = effect.verdict(c["target"], c["comparison"], c["displacement"] if groups["displacement"] else None, w_t, w_d)
    notes = _concurrent(conn, action, target)
    return EffectView(key, before, after, table, v.text, v.shown, _estimate_text(v) if v.shown else "", rule, notes)


def _published_count(value) -> int:
    return 0 if pd.isna(value) else int(value)


def _group_sums(counts: pd.DataFrame, groups: dict[str, set[int]]) -> pd.DataFrame:
    rows = []
    for g, ids in groups.items():
        part = counts[counts["omrade"].isin(list(ids))]
        rows.append({"group": g, "n0": int(part["n0"].sum()), "n1": int(part["n1"].sum()),
                     "k0": int(part[key_column(0)].sum()), "k1": int(part[key_column(1)].sum()),
                     "s0": bool(part["s0"].any()), "s1": bool(part["s1"].any())})
    return pd.DataFrame(rows).set_index("group")


def _published_table(sums: pd.DataFrame, groups, areas: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    names = dict(zip(areas["id"], areas["name"]))
    out = pd.DataFrame({"group": list(GROUPS), "Grupp": list(GROUPS.values()),
                        "Områden": [", ".join(sorted(names[i] for i in groups[g])) or "–" for g in GROUPS]})
    for i, label in ((0, "before"), (1, "after")):
        part = pd.DataFrame({"n": [sums.loc[g, f"n{i}"] for g in GROUPS], KEY_COLUMN: [sums.loc[g, f"k{i}"] for g in GROUPS],
                             "sensitive": [sums.loc[g, f"s{i}"] for g in GROUPS]})
        published = publish(part, policy)
        out[label] = published["n"].to_numpy()
        out[f"{label}_label"] = published["n_label"].to_numpy()
    return out


def _estimate_text(v: effect.Verdict) -> str:
    low, high = v.wdd.interval()
    text = (f"Viktad förflyttningsskillnad (WDD): {fmt.number(round(v.wdd.value))} händelser "
            f"(95 %: {fmt.number(round(low))} till {fmt.number(round(high))}; z = {fmt.number(v.wdd.z, 1)}).")
    if v.ratio is not None:
        text += (f" Kvot mot jämförelseområdena (Poisson, skillnad i skillnader): {fmt.number(v.ratio.ratio, 2)} "
                 f"(95 %: {fmt.number(v.ratio.low, 2)}–{fmt.number(v.ratio.high, 2)}).")
    return text


def _concurrent(conn: Connection, action: dict, target: set[int]) -> list[str]:
    """Other actions in the same områden at the same time: the result cannot be told apart."""
    a = Action.__table__
    areas = area_frame(conn)
    others = conn.execute(select(a.c.action_key, a.c.title, a.c.area_codes, a.c.start_date, a.c.end_date)
                          .where(a.c.action_key != action["action_key"], a.c.status != "avbruten")).all()
    end = action["end_date"] or dt.date.max
    same = [f"{k} {t}" for k, t, codes, s, e in others
            if omraden_of(areas, split_codes(codes)) & target and s <= end and (e is None or e >= action["start_date"])]
    return [f"Samtidiga insatser i samma områden: {', '.join(same)}. Effekterna kan inte skiljas åt."] if same else []
