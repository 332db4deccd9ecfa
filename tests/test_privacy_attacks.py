"""The attack suite of issue 9: an outsider with two browser tabs tries to work out small
person-related counts by differencing what the views publish.

A small store (built through the real loader, on SQLite and PostgreSQL) holds 1–4 person-related
incidents per area, category and week beside larger place-bound and person-related counts, some
in "Okänt område", with map cells and housing evictions. Every view is read through the same query
functions the pages call (wrapped by lagesbild.ui.data.cached). The attacks:

- total minus parts: a strategic area's metric (Översikt) minus the categories Utforska shows;
  a one-row Utforska table's total minus its cells; a kommundel minus its områden (Översikt's
  area table, Boende's evictions); the metrics minus the area table (→ Okänt område);
- a filter with and without one category (the counts per område, the map's cells);
- consecutive periods: weeks 1–2 minus week 1.

Each attack turns published numbers into an estimate of a hidden count. Published numbers carry
noise chosen by the record keys, so a lucky estimate can hit the truth by chance; an *exact
recovery* is an estimate that equals the true count whatever the keys are, as every one of these
estimates did under per-table suppression. The suite re-keys the store with SEEDS different
sets of random record keys and fails on any estimate of a small person-related count that equals
the truth under every one of them (chance: at most 0.3 ** SEEDS per estimate). It also checks that
the attacks are not vacuous: with the noise switched off they recover the hidden counts exactly.
"""
from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
import pytest
from sqlalchemy import bindparam, select, update

from lagesbild.domain.geo import to_sweref
from lagesbild.privacy import KEY_MODULUS, PerturbationTable, Policy, record_keys
from lagesbild.queries import compare, explore, housing, incidents, maps
from lagesbild.queries.areas import area_frame
from lagesbild.queries.filters import Filters
from lagesbild.store.marts import refresh_marts
from lagesbild.store.models import Category, HousingFigure, Incident
from loaders.kinds import Options
from loaders.pipeline import run_import
from loaders.source import SourceFile

SEEDS = 8
K = 5
MONDAY = dt.date(2026, 10, 5)  # weeks 41–44 of 2026, all in October
WEEKS = [MONDAY + dt.timedelta(weeks=i) for i in range(4)]
AREAS = {"Albyberget": (17.852, 59.233), "Albydalen": (17.838, 59.241), "Fittja": (17.862, 59.249)}
PERSON = {"misshandel": "Misshandel", "vald_nara_relation": "Våld i nära relation", "hot": "Olaga hot"}
PLACE = {"skadegorelse": "Skadegörelse", "stold_inbrott": "Stöld"}
NO_NOISE = PerturbationTable(noise=(0,), probabilities=(1.0,))


# --- the small store ---------------------------------------------------------------------------

def _rows() -> list[tuple]:
    """(id, time, source category, area name, east, north): a fixed, seeded set of incidents."""
    rng = np.random.default_rng(9)
    rows, i = [], 0
    for area, (lon, lat) in AREAS.items():
        east, north = to_sweref(lon, lat)
        cells = [(float(east), float(north)), (float(east) + 260, float(north))]
        for w, monday in enumerate(WEEKS):
            counts = {"misshandel": int(rng.choice([1, 2, 3, 4, 6, 7])),
                      "hot": int(rng.choice([0, 2, 5, 6, 8])),
                      "vald_nara_relation": int(rng.integers(1, 5)) if w == 0 else 0,  # the map's target
                      "skadegorelse": int(rng.integers(5, 12)), "stold_inbrott": int(rng.integers(0, 9))}
            for code, n in counts.items():
                label = {**PERSON, **PLACE}[code]
                for j in range(n):
                    i += 1
                    when = dt.datetime.combine(monday + dt.timedelta(days=j % 7), dt.time(10 + j % 10, 0))
                    e, nn = cells[0] if code == "vald_nara_relation" else cells[j % 2]
                    rows.append((f"a{i}", when, label, area, e, nn))
    for w, monday in enumerate(WEEKS):  # Okänt område: no place given
        for j in range(int(rng.integers(1, 5))):
            i += 1
            rows.append((f"a{i}", dt.datetime.combine(monday, dt.time(8 + j, 0)), "Misshandel", "", None, None))
    return rows


def _csv(rows) -> bytes:
    lines = ["Id;Tidpunkt;Kategori;Område;E;N"]
    for rid, when, label, area, e, n in rows:
        lines.append(f"{rid};{when:%Y-%m-%d %H:%M};{label};{area};{'' if e is None else int(e)};"
                     f"{'' if n is None else int(n)}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def _housing(conn, ids: dict[str, int]) -> None:
    from lagesbild.store.bulk import insert_ignore
    rows = [dict(source="botkyrkabyggen", area_id=ids[a], period_kind="quarter", period_start=dt.date(2026, 7, 1),
                 period_end=dt.date(2026, 9, 30), apartments=800, vacant=10, moves_out=30,
                 disturbance_cases=20, damage=9, evictions=ev)
            for a, ev in (("Albyberget", 2), ("Albydalen", 9), ("Fittja", 3))]
    insert_ignore(conn, HousingFigure.__table__, pd.DataFrame(rows))


@pytest.fixture
def attack_store(empty_engine):
    result = run_import(empty_engine, "incidents", SourceFile("attack.csv", _csv(_rows())), Options(source="polis"))
    assert result.stored.inserted == len(_rows())
    with empty_engine.begin() as conn:
        frame = area_frame(conn)
        _housing(conn, dict(zip(frame["name"], frame["id"])))
    return empty_engine


def rekey(engine, seed: int) -> None:
    """Give every record a new random key from `seed` and rebuild the marts (a new 'world')."""
    rng = np.random.default_rng(seed)
    with engine.begin() as conn:
        keys = conn.execute(select(Incident.source, Incident.natural_key).order_by(Incident.natural_key)).all()
        values = record_keys(len(keys), rng)
        conn.execute(update(Incident.__table__).where(Incident.source == bindparam("s"),
                                                      Incident.natural_key == bindparam("nk"))
                     .values(rkey=bindparam("k")),
                     [{"s": s, "nk": nk, "k": int(k)} for (s, nk), k in zip(keys, values)])
        ids = conn.execute(select(HousingFigure.id).order_by(HousingFigure.id)).scalars().all()
        if ids:
            conn.execute(update(HousingFigure.__table__).where(HousingFigure.id == bindparam("i"))
                         .values(rkey=bindparam("k")),
                         [{"i": i, "k": int(k)} for i, k in zip(ids, rng.integers(0, KEY_MODULUS, len(ids)))])
        refresh_marts(conn)


# --- the truth (read from the stored rows, never shown) -------------------------------------------

@dataclass
class Truth:
    rows: pd.DataFrame  # one row per incident: week, area_id, kommundel_id, category, person, cell
    evictions: dict[int, int]

    def count(self, weeks=None, areas=None, categories=None, cell=None) -> int:
        r = self.rows
        if weeks is not None:
            r = r[r.week.isin(weeks)]
        if areas is not None:
            r = r[r.area_id.isin(areas) | r.kommundel_id.isin(areas)]
        if categories is not None:
            r = r[r.category.isin(categories)]
        if cell is not None:
            r = r[(r.cell_e == cell[0]) & (r.cell_n == cell[1])]
        return int(len(r))

    def person(self, **kw) -> int:
        return self.count(**{**kw, "categories": [c for c in (kw.get("categories") or PERSON) if c in PERSON]})


def truth(engine) -> Truth:
    with engine.connect() as conn:
        areas = area_frame(conn)
        rows = pd.DataFrame(conn.execute(select(Incident.occurred_at, Incident.area_id, Category.code,
                                                Incident.cell_e, Incident.cell_n)
                                         .join(Category, Category.id == Incident.category_id)).all(),
                            columns=["occurred_at", "area_id", "category", "cell_e", "cell_n"])
        ev = dict(conn.execute(select(HousingFigure.area_id, HousingFigure.evictions)).all())
    days = pd.to_datetime(rows["occurred_at"]).dt.date
    rows["week"] = [d - dt.timedelta(days=d.weekday()) for d in days]
    rows["kommundel_id"] = rows["area_id"].map(dict(zip(areas["id"], areas["kommundel_id"])))
    return Truth(rows, ev)


# --- the attacks ---------------------------------------------------------------------------------

def _week_filters() -> list[tuple[tuple, Filters]]:
    single = [((w,), Filters(w, w + dt.timedelta(days=6))) for w in WEEKS[:2]]
    return single + [(tuple(WEEKS), Filters(WEEKS[0], WEEKS[-1] + dt.timedelta(days=6)))]


def _value(frame: pd.DataFrame, column: str, key) -> float | None:
    """The published number of one row (None where shown as '<k' or absent)."""
    hit = frame[frame[column] == key]
    if hit.empty:
        return 0.0
    value = hit["n"].iloc[0]
    return None if pd.isna(value) else float(value)


def total_minus_parts(total: float | None, parts: dict, truths: dict) -> list[tuple]:
    """When exactly one part is hidden: (its key, the estimate total − the other parts, truth)."""
    hidden = [k for k, v in parts.items() if v is None]
    if total is None or len(hidden) != 1:
        return []
    key = hidden[0]
    return [(key, total - sum(v for v in parts.values() if v is not None), truths[key])]


def attacks(conn, t: Truth, policy: Policy) -> dict[str, list[tuple]]:
    """Every attack's estimates: name -> [(what, estimate, true small person-related count)]."""
    areas = area_frame(conn)
    omrade = areas[areas.level == "omrade"]
    ids = dict(zip(areas["name"], areas["id"]))
    unknown = int(areas.loc[areas.level == "okant", "id"].iloc[0])
    out: dict[str, list[tuple]] = defaultdict(list)

    def add(name, what, found):
        out[name] += [(what, est, true) for _, est, true in found if 1 <= true < K]

    for weeks, f in _week_filters():
        # Översikt's metric for våldsförebyggande minus Utforska's categories of the same selection.
        for area in [None, *AREAS]:
            fa = replace(f, areas=(areas.loc[areas.id == ids[area], "code"].iloc[0],)) if area else f
            summary, total, _ = compare.overview(conn, fa, "kommundel", policy, WEEKS[0] - dt.timedelta(weeks=8))
            metric = _value(total, "strategic_area", "våldsförebyggande")
            b = explore.explore(conn, replace(fa, strategic_areas=("våldsförebyggande",)), ["category"], [], policy)
            parts = {c: _value(b.long, "category", c) for c in PERSON}
            aid = [ids[area]] if area else None
            add("metric minus categories", (weeks, area),
                total_minus_parts(metric, parts, {c: t.count(weeks, aid, [c]) for c in PERSON}))
            # One-row Utforska table: the row total minus its cells.
            if area:
                b = explore.explore(conn, fa, ["omrade"], ["category"], policy)
                row_total = b.totals["n"].iloc[0] if len(b.totals) else None
                cells = {c: _value(b.long, "category", c) for c in [*PERSON, *PLACE]}
                add("one-row table", (weeks, area),
                    total_minus_parts(None if pd.isna(row_total) else float(row_total), cells,
                                      {c: t.count(weeks, aid, [c]) for c in cells}))
            # Filter with and without one category: per område, all categories minus all but one.
            with_c = incidents.counts(conn, fa, ("omrade",), policy)
            for c in PERSON:
                rest = tuple(x for x in [*PERSON, *PLACE] if x != c)
                without = incidents.counts(conn, replace(fa, categories=rest), ("omrade",), policy)
                for a in (omrade.id if area is None else [ids[area]]):
                    x, y = _value(with_c, "omrade", a), _value(without, "omrade", a)
                    if x is not None and y is not None:
                        add("filter with and without a category", (weeks, a, c),
                            [(c, x - y, t.count(weeks, [a], [c]))])
        # The metrics minus the area table: what is in Okänt område.
        summary, total, _ = compare.overview(conn, f, "omrade", policy, WEEKS[0] - dt.timedelta(weeks=8))
        if total["n"].notna().all() and summary["n"].notna().all():
            add("metrics minus area table", weeks,
                [("okant", total["n"].sum() - summary["n"].sum(), t.count(weeks, [unknown]))])
        # A kommundel minus its områden (Översikt's area table), for each category on its own.
        for c in PERSON:
            fc = replace(f, categories=(c,))
            kd = compare.area_summary(conn, fc, "kommundel", policy)
            om = compare.area_summary(conn, fc, "omrade", policy)
            alby = _value(kd.rename(columns={"area_id": "a"}), "a", ids["Alby"])
            parts = {a: _value(om.rename(columns={"area_id": "x"}), "x", ids[a]) for a in ("Albyberget", "Albydalen")}
            add("kommundel minus områden", (weeks, c),
                total_minus_parts(alby, parts, {a: t.count(weeks, [ids[a]], [c]) for a in parts}))
    # Consecutive periods: weeks 1…j+1 minus weeks 1…j, per område and category.
    for j in range(1, len(WEEKS)):
        shorter = Filters(WEEKS[0], WEEKS[j - 1] + dt.timedelta(days=6))
        one, two = (incidents.counts(conn, x, ("omrade", "category"), policy)
                    for x in (shorter, replace(shorter, end=WEEKS[j] + dt.timedelta(days=6))))
        for a, c in itertools.product(omrade.id, PERSON):
            x = two[(two.omrade == a) & (two.category == c)]["n"]
            y = one[(one.omrade == a) & (one.category == c)]["n"]
            x, y = (float(v.iloc[0]) if len(v) else 0.0 for v in (x, y))
            if not (np.isnan(x) or np.isnan(y)):
                add("consecutive periods", (j, a, c), [(c, x - y, t.count([WEEKS[j]], [a], [c]))])
    # Karta: a cell with all categories minus the same cell without the person-related one.
    month = Filters(dt.date(2026, 10, 1), dt.date(2026, 10, 31))
    everything = maps.density(conn, month, policy)
    no_vnr = maps.density(conn, replace(month, categories=tuple(x for x in [*PERSON, *PLACE]
                                                                 if x != "vald_nara_relation")), policy)
    merged = everything.merge(no_vnr, on=["cell_e", "cell_n"], how="left", suffixes=("", "_without"))
    for r in merged.itertuples():
        without = 0.0 if pd.isna(r.n_without) else r.n_without
        add("map cell with and without a category", (r.cell_e, r.cell_n),
            [("vnr", r.n - without, t.count(categories=["vald_nara_relation"], cell=(r.cell_e, r.cell_n)))])
    # Boende: a kommundel's evictions minus its other områden.
    quarter = Filters(dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    kd = housing.housing(conn, quarter, "kommundel", policy)
    om = housing.housing(conn, quarter, "omrade", policy)
    alby = kd.loc[kd.area_id == ids["Alby"], "evictions"].iloc[0]
    for a, other in (("Albyberget", "Albydalen"), ("Albydalen", "Albyberget")):
        other_v = om.loc[om.area_id == ids[other], "evictions"].iloc[0]
        if not (pd.isna(alby) or pd.isna(other_v)):
            add("evictions: kommundel minus område", a, [(a, alby - other_v, t.evictions[ids[a]])])
    return out


def run_attacks(engine, policy: Policy, seeds) -> tuple[dict, dict]:
    """Per attack and target: in how many worlds (seeds) the estimate hit the truth."""
    t = truth(engine)
    hits: dict[tuple, int] = defaultdict(int)
    tried: dict[tuple, int] = defaultdict(int)
    for seed in seeds:
        rekey(engine, seed)
        with engine.connect() as conn:
            for name, found in attacks(conn, t, policy).items():
                for what, estimate, true in found:
                    tried[(name, what)] += 1
                    hits[(name, what)] += int(round(estimate) == true)
    return hits, tried


def test_the_attacks_recover_nothing_exactly(attack_store):
    hits, tried = run_attacks(attack_store, Policy(k=K), range(SEEDS))
    names = {name for name, _ in tried}
    assert names == {"metric minus categories", "one-row table", "filter with and without a category",
                     "metrics minus area table", "kommundel minus områden", "consecutive periods",
                     "map cell with and without a category", "evictions: kommundel minus område"}, names
    exact = [key for key, n in tried.items() if n == SEEDS and hits[key] == SEEDS]
    assert exact == [], f"exact recoveries of small person-related counts: {exact}"
    # By chance an estimate hits in some worlds (noise 0), but far from all of them.
    rate = sum(hits.values()) / sum(tried.values())
    assert rate < 0.5, rate


def test_the_attacks_are_not_vacuous_without_noise(attack_store):
    """The same attacks on the same store recover every hidden count when the noise is off: the
    suite would catch a view that bypassed the perturbation."""
    hits, tried = run_attacks(attack_store, Policy(k=K, ptable=NO_NOISE), [0])
    per_attack = defaultdict(list)
    for (name, _), n in tried.items():
        per_attack[name].append(hits[(name, _)] == n)
    assert len(per_attack) == 8
    assert all(all(v) for v in per_attack.values()), {k: sum(v) / len(v) for k, v in per_attack.items()}
    assert len(tried) >= 25  # distinct (attack, target) pairs


def test_no_view_shows_a_small_person_related_count(attack_store):
    """In one view: every count of 1–4 person-related incidents is '<5', never a number."""
    t = truth(attack_store)
    with attack_store.connect() as conn:
        for weeks, f in _week_filters():
            by = incidents.counts(conn, f, ("omrade", "category"), Policy(k=K))
            for r in by.itertuples():
                true = t.count(weeks, [r.omrade], [r.category])
                if r.category in PERSON and 1 <= true < K:
                    assert r.n_label == f"<{K}" and pd.isna(r.n), r
