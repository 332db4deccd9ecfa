"""Demo actions (insatser) and outcome indicators, placed in time relative to the demo data.

Some actions answer the clusters the demo injects (lagesbild.demo._inject_signals: vehicle fires in
Norsborg and youth fights in Hallunda in the last week, graffiti in Storvreten five weeks before),
some were followed by a drop (the generated incidents of their areas and categories are thinned
while they run: `with_effects`), one by a drop that moved next door, some by nothing, one was
cancelled, one is too small for a verdict. The outcome indicators follow seed 003 (graduation 77 %
in 2015 → 91 % in 2019 …) and are labelled as demo data.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sqlalchemy import Connection, insert, select

from lagesbild.store import actions as action_store
from lagesbild.store.models import Area, Category, OutcomeIndicator


@dataclass(frozen=True)
class DemoAction:
    title: str
    description: str
    kind: str
    responsible: str
    areas: str
    targets: str
    start: int             # days from the Monday of the demo's last week
    length: int | None     # days; None: open-ended
    status: str
    decided: int           # days from the same Monday
    follow_up: int | None = None
    reason: str = ""
    drop: float = 0.0      # share of the targeted events removed while the action runs
    moved_to: str = ""     # område that gets the removed events (displacement)
    notes: tuple[tuple[int, str], ...] = ()


W = 7
ACTIONS = [
    DemoAction("Ökad vuxennärvaro vid Fittja centrum", "Polis och fältare kvällstid fredag och lördag, "
               "samverkan med centrumägaren.", "närvaro", "Polisen", "0127R005", "ungdomsgrupp; ungdomsvald; hot",
               -62 * W, 16 * W, "avslutad", -63 * W, None, drop=0.5,
               notes=((-58 * W, "Färre grupperingar på torget enligt fältarna."),
                      (-46 * W, "Avslutad enligt plan; fortsatt fältarbete i ordinarie verksamhet."))),
    DemoAction("Ny belysning i gångtunnlarna", "Byte till LED och fler armaturer i tre gångtunnlar, "
               "efter trygghetsvandringen.", "fysisk", "Kommunen – gatuenheten", "0127R001",
               "trasig_belysning; otrygg_plats; skadegorelse", -90 * W, 20 * W, "avslutad", -92 * W, None, drop=0.4,
               notes=((-84 * W, "Två av tre tunnlar klara."), (-70 * W, "Klart. Följs upp vid nästa vandring."))),
    DemoAction("MVP-pass i årskurs 9", "Mentorer i årskurs 9 håller pass för årskurs 6 varannan vecka.", "mvp",
               "Kommunen – skola", "0127R016", "fokus:barn och unga", -95 * W, 20 * W, "avslutad", -97 * W,
               notes=((-75 * W, "Alla planerade pass genomförda."),)),
    DemoAction("Ordningsvakter vid Norsborgs centrum", "Ordningsvakter kvällstid, fokus på narkotikaförsäljning.",
               "ordningsvakter", "Botkyrkabyggen", "0127R010", "narkotika_indikation; narkotikabrott",
               -40 * W, 16 * W, "avslutad", -41 * W, drop=0.45, moved_to="0127R007",
               notes=((-30 * W, "Polisen ser mer aktivitet vid Hallunda centrum."),)),
    DemoAction("Klottersanering och snabbare anmälan i Storvreten", "Sanering inom 24 timmar och "
               "tätare tillsyn i trapphusen.", "fysisk", "Botkyrkabyggen", "0127R013", "klotter",
               -4 * W + 3, None, "pågår", -4 * W + 2, 2, drop=0.3,
               notes=((-2 * W, "Sanering sker inom ett dygn."),)),
    DemoAction("Vuxennärvaro efter bråk mellan unga i Hallunda", "Fältare och föräldravandrare kvällstid, "
               "dialog med skolan.", "fältarbete", "Kommunen – fältare", "0127R007", "ungdomsvald; ungdomsgrupp",
               W, 8 * W, "planerad", 2, 2 * W + 2),
    DemoAction("Ökad patrullering vid parkeringarna i Norsborg", "Efter fordonsbränderna: polis och "
               "räddningstjänst patrullerar parkeringarna nattetid.", "närvaro",
               "Polisen och Södertörns brandförsvarsförbund", "0127R010", "brand_fordon", 4, 4 * W, "pågår", 2, W + 2),
    DemoAction("Föräldravandringar i Alby", "Föräldrar går kvällsvandringar helger.", "föräldravandring",
               "Kommunen – fältare", "0127K1", "fokus:barn och unga", -30 * W, None, "avbruten", -31 * W,
               reason="För få föräldrar anmälde sig; tas upp igen till våren."),
    DemoAction("Trygghetsvandring i Tullinge centrum", "Vandring i mörker med boende och föreningar.", "dialog",
               "Kommunen – trygghetssamordnare", "0127R009", "strategiskt:trygghetsskapande", 3 * W, 1, "planerad",
               -W + 2, 3 * W + 1),
    DemoAction("Dialog med föreningslivet i Vårsta", "Månatliga möten med idrottsföreningar om unga.",
               "dialog", "Kommunen – fritid", "0127R020", "ungdomsgrupp", -20 * W, None, "pågår", -21 * W, -W + 3,
               notes=((-8 * W, "Föreningarna vill ha fler kvällsaktiviteter."),)),
]


def last_monday(end: dt.date) -> dt.date:
    return end - dt.timedelta(days=6)


def _span(a: DemoAction, end: dt.date) -> tuple[dt.date, dt.date | None]:
    start = last_monday(end) + dt.timedelta(days=a.start)
    return start, (start + dt.timedelta(days=a.length - 1) if a.length else None)


def applicable(conn: Connection) -> list[DemoAction]:
    """The demo actions whose områden the store has: all of them for Botkyrka's areas, none for
    another municipality set up with `init --kommun` (its demo data then has no actions)."""
    codes = set(conn.execute(select(Area.code)).scalars())
    return [a for a in ACTIONS
            if {c.strip() for c in a.areas.split(";") if c.strip()} <= codes and (not a.moved_to or a.moved_to in codes)]


def with_effects(incidents: pd.DataFrame, conn: Connection, end: dt.date, seed: int) -> pd.DataFrame:
    """The generated incidents with the demo actions' effects: a share of the targeted events in
    the targeted område removed while the action ran (moved to `moved_to` where given)."""
    rng = np.random.default_rng(seed + 14)
    areas = dict(conn.execute(select(Area.code, Area.id)).all())
    cats = dict(conn.execute(select(Category.code, Category.id)).all())
    keep = np.ones(len(incidents), dtype=bool)
    moved = []
    for a in (a for a in applicable(conn) if a.drop):
        start, stop = _span(a, end)
        stop = stop or end
        ids = [cats[c.strip()] for c in a.targets.split(";")]
        hit = (incidents["area_id"] == areas[a.areas]) & incidents["category_id"].isin(ids) \
            & (incidents["occurred_at"] >= pd.Timestamp(start)) & (incidents["occurred_at"] < pd.Timestamp(stop + dt.timedelta(days=1)))
        chosen = hit.to_numpy() & (rng.random(len(incidents)) < a.drop)
        keep &= ~chosen
        if a.moved_to:  # placed in cells where the neighbour has events already (the map needs a cell)
            there = incidents[incidents["area_id"] == areas[a.moved_to]][["cell_e", "cell_n"]].dropna()
            cells = there.iloc[rng.integers(0, len(there), int(chosen.sum()))]
            moved.append(incidents[chosen].assign(area_id=areas[a.moved_to], cell_e=cells["cell_e"].to_numpy(),
                                                  cell_n=cells["cell_n"].to_numpy(),
                                                  natural_key=lambda d: d["natural_key"] + "-m"))
    out = pd.concat([incidents[keep], *moved], ignore_index=True)
    out["cell_e"], out["cell_n"] = out["cell_e"].astype("Int64"), out["cell_n"].astype("Int64")
    return out


def store(conn: Connection, end: dt.date, import_id: int) -> int:
    """Write the demo actions with their notes (history marked 'demo')."""
    monday = last_monday(end)
    actions = applicable(conn)
    for i, a in enumerate(actions, start=1):
        start, stop = _span(a, end)
        key = f"I-{i:04d}"
        action_store.save(conn, key, dict(
            title=a.title, description=a.description, kind=a.kind, responsible_actor=a.responsible,
            area_codes=a.areas, targets=a.targets, observation_keys="", start_date=start, end_date=stop,
            status=a.status, status_reason=a.reason, est_step="insats" if a.status != "avslutad" else "återkoppling",
            decided_on=monday + dt.timedelta(days=a.decided),
            follow_up_on=monday + dt.timedelta(days=a.follow_up) if a.follow_up is not None else None),
            via="demo", import_id=import_id, demo=True)
        for day, note in a.notes:
            action_store.add_note(conn, key, monday + dt.timedelta(days=day), note, via="demo")
    return len(actions)


DEMO_SOURCE = "Demodata efter seed 003 (Länsstyrelsen 2020:24), påhittade mellanår"
# indicator -> region (code, kind, name) -> values 2015 …
OUTCOMES = {
    "gymnasieexamen": {("0127", "kommun", "Botkyrka"): [77, 80, 84, 88, 91, 90, 89, 90, 91, 90, 91],
                       ("0180", "kommun", "Stockholm"): [90, 90, 89, 88, 87, 88, 88, 87, 88, 88, 87]},
    "misstankt_vald_12_20": {("0127", "kommun", "Botkyrka"): [30.0, 29.8, 29.4, 29.1, 28.8, 28.1, 27.5, 27.9, 27.0, 26.4, 26.1],
                             ("0000", "riket", "Riket"): [22.0, 22.3, 22.6, 22.8, 23.0, 22.4, 22.1, 22.5, 22.2, 21.9, 21.7]},
    "ak6_kunskapskrav": {("0127", "kommun", "Botkyrka"): [62, 63, 65, 66, 68, 67, 68, 69, 70, 70, 71],
                         ("0000", "riket", "Riket"): [75, 75, 76, 76, 77, 76, 76, 77, 77, 77, 78]},
    "abc_foraldrar": {("0127", "kommun", "Botkyrka"): [110, 130, 160, 190, 220, 150, 200, 230, 240, 250, 260]},
}


def store_outcomes(conn: Connection, import_id: int) -> int:
    from loaders.kinds.outcomes import known_indicators
    meta = known_indicators()
    rows = [dict(indicator=ind, name=meta[ind]["name"], region_code=code, region_kind=kind, region_name=name,
                 year=2015 + i, gender="T", value=float(v), unit=meta[ind]["unit"],
                 strategic_area=meta[ind]["strategic_area"] or None, focus_area=meta[ind]["focus_area"] or None,
                 source=DEMO_SOURCE, demo=True, import_id=import_id)
            for ind, regions in OUTCOMES.items() for (code, kind, name), values in regions.items()
            for i, v in enumerate(values)]
    conn.execute(insert(OutcomeIndicator.__table__), rows)
    return len(rows)
