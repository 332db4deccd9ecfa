"""A seeded, realistic demo data set: same seed -> same data.

Incidents from the four actors with higher rates in the northern areas, evenings and weekends,
fire peaks around Valborg, Easter and New Year, a summer dip in school incidents and a slow
decline in youth violence; safety walks with observations; quarterly housing figures.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass

import numpy as np
import pandas as pd
import shapely
from dateutil.easter import easter
from shapely.geometry import shape

from lagesbild.calendar import last_complete_week_end
from lagesbild.demo_profiles import (AGES, AREA_FACTOR, DEMO_STREAMS, HOURS, HOUSING_AREA_FACTOR,
                                     PLACES, REJECT_REASONS, RESPONSIBLE, WALK_TEXT)
from lagesbild.domain.geo import cell_of, geom_to_sweref
from lagesbild.domain.taxonomy import normalise_label

DEMO_SEED = 20171


@dataclass(frozen=True)
class DemoArea:
    id: int
    code: str
    population: int
    socioeconomic_type: int
    geometry: dict  # GeoJSON, WGS84


def demo_period(today: dt.date, years: int = 3) -> tuple[dt.date, dt.date]:
    """From the Monday of ISO week 1, `years` full years back, to the last complete week."""
    end = last_complete_week_end(today)
    start = dt.date.fromisocalendar(end.isocalendar().year - years, 1, 1)
    return start, end


def _day_factors(days: pd.DatetimeIndex, profile: str, start_year: int) -> np.ndarray:
    month, dow = days.month.to_numpy(), days.day_of_week.to_numpy()
    doy = days.day_of_year.to_numpy()
    f = np.ones(len(days))
    if profile in ("violence", "youth", "place", "fire", "traffic", "home"):
        f *= np.where(dow >= 4, 1.35, 0.88)
    if profile in ("school",):
        f *= np.where(dow >= 5, 0.02, 1.0)
        summer = (month == 7) | ((month == 6) & (days.day > 12)) | ((month == 8) & (days.day < 18))
        winter = ((month == 12) & (days.day > 21)) | ((month == 1) & (days.day < 8))
        week = days.isocalendar().week.to_numpy()
        f *= np.where(summer | winter | (week == 8) | (week == 44), 0.05, 1.0)
    if profile in ("social", "office"):
        f *= np.where(dow >= 5, 0.15, 1.2)
    if profile == "youth":
        f *= np.where((month >= 6) & (month <= 8), 1.35, 1.0)
    if profile == "grassfire":
        f *= np.select([(month >= 4) & (month <= 5), (month >= 6) & (month <= 8), month <= 2],
                       [2.4, 1.6, 0.2], 1.0)
    if profile in ("fire", "grassfire"):
        f *= _fire_peaks(days)
    if profile in ("school", "youth"):
        f *= 0.96 ** ((days.year.to_numpy() - start_year) + doy / 365.0)  # slow decline
    return f


def _fire_peaks(days: pd.DatetimeIndex) -> np.ndarray:
    f = np.ones(len(days))
    md = days.month.to_numpy() * 100 + days.day.to_numpy()
    f[md == 430] *= 6.0   # Valborgsmässoafton
    f[md == 1231] *= 7.0  # nyårsafton
    f[md == 101] *= 5.0   # nyårsdagen
    easter_days = set()
    for year in set(days.year):
        e = easter(year)
        easter_days |= {e + dt.timedelta(days=k) for k in (-3, -2, -1, 0, 1)}
    f[np.isin(days.date, list(easter_days))] *= 2.5
    return f


def _pick(rng, weights: dict[str, float], n: int) -> np.ndarray:
    keys = list(weights)
    p = np.array(list(weights.values()), dtype=float)
    return np.array(keys, dtype=object)[rng.choice(len(keys), size=n, p=p / p.sum())]


def _points_in(rng, geometry: dict, n: int, hotspots: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """n points in the area (SWEREF99 TM), 60 % around its hotspots, the rest spread out."""
    poly = geom_to_sweref(shape(geometry))
    minx, miny, maxx, maxy = poly.bounds
    xs, ys = np.empty(0), np.empty(0)
    while len(xs) < n:
        m = max(2 * (n - len(xs)), 64)
        near = rng.random(m) < 0.6
        centre = hotspots[rng.integers(0, len(hotspots), m)]
        x = np.where(near, centre[:, 0] + rng.normal(0, 280, m), rng.uniform(minx, maxx, m))
        y = np.where(near, centre[:, 1] + rng.normal(0, 280, m), rng.uniform(miny, maxy, m))
        inside = shapely.contains_xy(poly, x, y)
        xs, ys = np.concatenate([xs, x[inside]]), np.concatenate([ys, y[inside]])
    return xs[:n], ys[:n]


def _hotspots(rng, geometry: dict, k: int = 3) -> np.ndarray:
    poly = geom_to_sweref(shape(geometry))
    c = poly.representative_point()
    pts = [(c.x, c.y)]
    minx, miny, maxx, maxy = poly.bounds
    while len(pts) < k:
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if poly.contains(shapely.Point(x, y)):
            pts.append((x, y))
    return np.array(pts)


def generate_incidents(areas: list[DemoArea], category_ids: dict[tuple[str, str], int],
                       start: dt.date, end: dt.date, seed: int = DEMO_SEED) -> pd.DataFrame:
    """One row per incident, ready for the incidents table (without import_id)."""
    rng = np.random.default_rng(seed)
    days = pd.date_range(start, end, freq="D")
    total_pop = sum(a.population for a in areas)
    hotspots = {a.code: _hotspots(rng, a.geometry) for a in areas}
    frames = []
    for source, label, per_year, profile in DEMO_STREAMS:
        day_f = _day_factors(days, profile, start.year)
        area_f = np.array([a.population / total_pop * (HOUSING_AREA_FACTOR if profile == "housing"
                                                       else AREA_FACTOR)[a.socioeconomic_type]
                           for a in areas])
        area_f /= area_f.sum()
        lam = per_year / 365.25 * np.outer(day_f / day_f.mean(), area_f)
        counts = rng.poisson(lam)
        frames.append(_expand(rng, counts, days, areas, hotspots, source, label, profile))
    df = pd.concat(frames, ignore_index=True)
    df = _inject_signals(rng, df, areas, hotspots, end)
    df["category_id"] = [category_ids[(s, normalise_label(c))] for s, c in
                         zip(df["source"], df["source_category"])]
    df["source_category"] = df["source_category"].map(normalise_label)
    df = df.sort_values("occurred_at", kind="stable").reset_index(drop=True)
    df["natural_key"] = [f"demo-{i:07d}" for i in range(len(df))]
    return to_minutes(df)


def _expand(rng, counts, days, areas, hotspots, source, label, profile) -> pd.DataFrame:
    day_idx, area_idx = np.nonzero(counts)
    reps = counts[day_idx, area_idx]
    day_idx, area_idx = np.repeat(day_idx, reps), np.repeat(area_idx, reps)
    n = len(day_idx)
    hours_p = np.array(HOURS[profile], dtype=float)
    hours = rng.choice(24, size=n, p=hours_p / hours_p.sum())
    minutes = rng.integers(0, 60, n)
    occurred = days[day_idx] + pd.to_timedelta(hours, unit="h") + pd.to_timedelta(minutes, unit="m")
    east, north = np.empty(n), np.empty(n)
    for i, a in enumerate(areas):
        mask = area_idx == i
        if mask.any():
            east[mask], north[mask] = _points_in(rng, a.geometry, int(mask.sum()), hotspots[a.code])
    cell_e, cell_n = cell_of(east, north)
    return pd.DataFrame({
        "occurred_at": occurred, "source": source, "source_category": label,
        "area_id": np.array([a.id for a in areas])[area_idx], "cell_e": cell_e, "cell_n": cell_n,
        "place_type": _pick(rng, PLACES[profile], n),
        "age_group": _pick(rng, AGES.get(profile, {"okänd": 1.0}), n), "count": 1,
    })


def _inject_signals(rng, df, areas, hotspots, end) -> pd.DataFrame:
    """A few real-looking clusters so that 'what stands out' has something to find."""
    by_code = {a.code: a for a in areas}
    week_start = end - dt.timedelta(days=6)
    signals = [("0127R010", "raddningstjanst", "Brand i fordon", week_start, 9, "fire"),
               ("0127R007", "polis", "Ungdomsbråk", week_start, 7, "youth"),
               ("0127R013", "botkyrkabyggen", "Klotter", week_start - dt.timedelta(weeks=5), 18,
                "housing")]
    extra = []
    for code, source, label, start, n, profile in signals:
        a = by_code.get(code)
        if a is None:
            continue
        days = pd.DatetimeIndex([pd.Timestamp(start) + pd.Timedelta(days=int(d))
                                 for d in rng.integers(0, 7, n)])
        counts = np.ones((n, 1), dtype=int)
        part = _expand(rng, counts, days, [a], hotspots, source, label, profile)
        extra.append(part)
    return pd.concat([df, *extra], ignore_index=True)


def to_minutes(df: pd.DataFrame) -> pd.DataFrame:
    """The rows with occurred_at as datetime64 to the minute, as the incidents table keeps it
    (the week and month a row counts in are derived when the marts are built)."""
    return df.assign(occurred_at=pd.to_datetime(df["occurred_at"]).dt.floor("min"))


def generate_walks(areas: list[DemoArea], start: dt.date, end: dt.date,
                   seed: int = DEMO_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """About 25 walks a year with 10–30 observations each, statuses as of `end`."""
    rng = np.random.default_rng(seed + 1)
    weights = np.array([AREA_FACTOR[a.socioeconomic_type] for a in areas], dtype=float)
    walks, observations = [], []
    n_walks = int(round(25 * (end - start).days / 365.25))
    walk_days = sorted(start + dt.timedelta(days=int(d)) for d in
                       rng.integers(0, (end - start).days - 3, n_walks))
    categories = list(WALK_TEXT)
    for w, day in enumerate(walk_days):
        area = areas[rng.choice(len(areas), p=weights / weights.sum())]
        key = f"demo-walk-{w:04d}"
        walks.append(dict(walk_key=key, walked_on=day, area_id=area.id,
                          light="mörker" if day.month in (10, 11, 12, 1, 2, 3) else "dagsljus",
                          organisations="Kommunen, Polisen, Botkyrkabyggen, Räddningstjänsten"))
        n_obs = int(rng.integers(10, 31))
        east, north = _points_in(rng, area.geometry, n_obs, _hotspots(rng, area.geometry))
        cell_e, cell_n = cell_of(east, north)
        for j in range(n_obs):
            observations.append(_observation(rng, key, j, area.id, day, end, categories,
                                             int(cell_e[j]), int(cell_n[j])))
    return pd.DataFrame(walks), pd.DataFrame(observations)


def _observation(rng, walk_key, j, area_id, day, today, categories, cell_e, cell_n) -> dict:
    category = categories[int(rng.integers(0, len(categories)))]
    priority = ["hög", "medel", "låg"][int(rng.choice(3, p=[0.25, 0.5, 0.25]))]
    deadline = day + dt.timedelta(days={"hög": 30, "medel": 60, "låg": 120}[priority])
    age = (today - day).days
    r = rng.random()
    status, fixed_on, reason = "ny", None, ""
    p_done = min(0.85, age / 200)
    if r < p_done:
        late = rng.random() < 0.3
        span = (deadline - day).days
        fix_after = int(rng.integers(span + 1, span + 90)) if late else int(rng.integers(3, span + 1))
        fixed = day + dt.timedelta(days=fix_after)
        if fixed <= today:
            status, fixed_on = "åtgärdad", fixed
        else:
            status = "planerad"
    elif r < p_done + 0.06 and age > 30:
        status, reason = "avslagen", REJECT_REASONS[int(rng.integers(0, len(REJECT_REASONS)))]
    elif age > 14 and rng.random() < 0.6:
        status = "planerad"
    description, action = WALK_TEXT[category]
    return dict(obs_key=f"{walk_key}-{j:02d}", walk_key=walk_key, area_id=area_id, cell_e=cell_e,
                cell_n=cell_n, category=category, description=description, proposed_action=action,
                responsible_actor=RESPONSIBLE[int(rng.integers(0, len(RESPONSIBLE)))],
                priority=priority, deadline=deadline, status=status, status_reason=reason,
                fixed_on=fixed_on)


def generate_housing(areas: list[DemoArea], start: dt.date, end: dt.date,
                     seed: int = DEMO_SEED) -> pd.DataFrame:
    """Quarterly Botkyrkabyggen figures per område for every complete quarter in the period."""
    rng = np.random.default_rng(seed + 2)
    quarters = pd.period_range(pd.Timestamp(start), pd.Timestamp(end), freq="Q")
    rows = []
    for a in areas:
        share = HOUSING_AREA_FACTOR[a.socioeconomic_type] / 1.8
        apartments = int(a.population / 2.4 * share * 0.55)
        for q in quarters:
            q_end = q.end_time.date()
            if q_end > end:
                continue
            disturbance_rate = 0.012 + 0.01 * (5 - a.socioeconomic_type) / 4
            rows.append(dict(
                source="botkyrkabyggen", area_id=a.id, period_kind="quarter",
                period_start=q.start_time.date(), period_end=q_end, apartments=apartments,
                vacant=int(rng.binomial(apartments, 0.015)),
                moves_out=int(rng.binomial(apartments, 0.025 + 0.01 * (a.socioeconomic_type <= 2))),
                disturbance_cases=int(rng.poisson(apartments * disturbance_rate)),
                damage=int(rng.poisson(apartments * disturbance_rate * 0.6)),
                evictions=int(rng.poisson(apartments * 0.0008))))
    return pd.DataFrame(rows)


def fingerprint(df: pd.DataFrame) -> str:
    """A short hash of a frame's content (used to show that the same seed gives the same data)."""
    payload = json.dumps(df.astype(str).to_numpy().tolist(), ensure_ascii=False)
    return hashlib.sha256(payload.encode()).hexdigest()[:16]
