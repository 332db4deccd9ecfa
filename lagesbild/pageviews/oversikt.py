"""Översikt's view: the KPIs per strategic area, the rate map, the bars, the table and the flags."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lagesbild import figures, map_figures, presenters
from lagesbild import formatting as fmt
from lagesbild.domain.vocab import STRATEGIC_AREAS
from lagesbild.privacy import Policy
from lagesbild.queries.filters import Filters

LEVELS = {"kommundel": "Kommundel", "omrade": "Område (RegSO)"}
MAP_HEIGHT = 520


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str
    delta: str | None
    help: str


@dataclass(frozen=True)
class Comparison:
    """How the period is compared: `same` when the previous period is the same weeks last year
    (a 52-week period), so the page shows that comparison once and says so."""

    same: bool
    what: str  # the delta's words: "föregående period" or "samma veckor i fjol"
    note: str | None


@dataclass(frozen=True)
class OversiktView:
    empty: bool
    comparison: Comparison
    kpis: tuple[Kpi, ...] = ()
    deck: object = None  # pydeck.Deck
    legend_html: str = ""
    bar: object = None  # plotly Figure; customdata: the area codes (for clicks)
    bar_codes: tuple[str, ...] = ()
    table: pd.DataFrame | None = None
    table_note: str = ""
    flags_kind: str = "info"  # info | success | lines
    flags_text: str = ""
    flags_lines: tuple[str, ...] = ()
    flags_note: str = ""
    drill_hint: str = ""


def comparison(f: Filters) -> Comparison:
    """With 52 weeks (364 days) the previous period and the same period last year are the same
    weeks; the manager needs that one comparison, named for what it is. Periods that overlap
    (e.g. 'Förra året': 365 days against 364) are both shown, with a note."""
    prev, ly = f.previous_period(), f.same_period_last_year()
    if (prev.start, prev.end) == (ly.start, ly.end):
        return Comparison(True, "samma veckor i fjol",
                          f"Med {f.days // 7} veckor är föregående period samma veckor som i fjol "
                          f"({fmt.date_range(ly.start, ly.end)}): jämförelsen visas en gång.")
    overlap = (min(prev.end, ly.end) - max(prev.start, ly.start)).days + 1
    if overlap > 0:
        return Comparison(False, "föregående period",
                          f"Föregående period ({fmt.date_range(prev.start, prev.end)}) och samma period i fjol "
                          f"({fmt.date_range(ly.start, ly.end)}) har {fmt.number(overlap)} dagar gemensamt.")
    return Comparison(False, "föregående period", None)


def kpis(total: pd.DataFrame, cmp: Comparison) -> tuple[Kpi, ...]:
    """One metric per strategic area, in the canonical order; grey arrows (more or fewer, not
    better or worse) against the previous period (or the same weeks last year when they are one)."""
    out = []
    for code, name in STRATEGIC_AREAS.items():
        row = total[total["strategic_area"] == code]
        if row.empty:
            out.append(Kpi(name, "0", None, ""))
            continue
        r = row.iloc[0]
        if cmp.same:
            delta = presenters.metric_delta(r["change_ly"], r["n"], r["n_ly"], r["n_ly_label"], cmp.what)
            help_text = f"Samma veckor i fjol (= föregående period): {r['n_ly_label']}"
        else:
            delta = presenters.metric_delta(r["change_prev"], r["n"], r["n_prev"], r["n_prev_label"], cmp.what)
            help_text = f"Föregående period: {r['n_prev_label']}. Samma period i fjol: {r['n_ly_label']}"
        out.append(Kpi(name, r["n_label"], delta, help_text))
    return tuple(out)


def map_features(summary: pd.DataFrame, geometries: dict[int, dict], cmp: Comparison) -> list[dict]:
    rate_text = [("–" if r != r else fmt.number(r, 1)) for r in summary["rate"]]
    lines = [("Händelser", "n_label"), ("Per 1 000 inv.", "rate_text")]
    lines += ([("Samma veckor i fjol", "n_ly_label")] if cmp.same else
              [("Föregående period", "n_prev_label"), ("Samma period i fjol", "n_ly_label")])
    return map_figures.area_features(summary.assign(rate_text=rate_text), geometries, "rate", lines)


def label_priority(summary: pd.DataFrame, feats: list[dict]) -> list[float]:
    """Where names would overlap, the area with the higher rate is named (the one the room asks about)."""
    rate = dict(zip(summary["code"], summary["rate"].fillna(-1.0)))
    return [float(rate.get(f["properties"]["code"], -1.0)) for f in feats]


def table(summary: pd.DataFrame, cmp: Comparison) -> pd.DataFrame:
    t = presenters.area_table(summary)
    return t.drop(columns=["Föregående period", "Mot föregående"]) if cmp.same else t


def flags_part(flags, names: dict, category_names: dict, policy: Policy) -> tuple[str, str, tuple[str, ...]]:
    if flags.baseline is None:
        return "info", "Det finns för lite data före perioden för att jämföra mot en baslinje.", ()
    if flags.cells.empty:
        return ("success", f"Inget område × kategori avviker statistiskt under {presenters.period_text(flags.baseline)} "
                f"{presenters.baseline_text(flags.baseline)}.", ())
    return "lines", "", tuple(presenters.unusual_lines(flags.cells.head(8), names, category_names, policy))


def build(f: Filters, level: str, summary: pd.DataFrame, total: pd.DataFrame, flags, geometries: dict[int, dict],
          kommun: dict[int, dict], areas: pd.DataFrame, category_names: dict, policy: Policy,
          basemap: str = map_figures.OFFLINE) -> OversiktView:
    cmp = comparison(f)
    if summary["n"].fillna(0).sum() == 0 and not summary["n_suppressed"].any():
        return OversiktView(empty=True, comparison=cmp)
    feats = map_features(summary, geometries, cmp)
    kommun_feats = [{"geometry": g} for g in kommun.values()]
    lg = map_figures.legend(summary["rate"], "Händelser per 1 000 invånare i perioden", decimals=1,
                            hidden=f"dolt (under {policy.k}) eller inga invånare")
    names = dict(zip(areas["id"], areas["name"]))
    kind, text, lines = flags_part(flags, names, category_names, policy)
    unit = "kommundel" if level == "kommundel" else "område"
    return OversiktView(
        empty=False, comparison=cmp, kpis=kpis(total, cmp),
        deck=map_figures.choropleth(feats, MAP_HEIGHT, basemap, kommun_feats, priority=label_priority(summary, feats)),
        legend_html=map_figures.legend_html(lg),
        bar=figures.bar_by_area(summary, "n", "n_label", None, "Antal händelser", codes=summary["code"]),
        bar_codes=tuple(summary["code"]),
        table=table(summary, cmp),
        table_note=(f"Invånare {summary.attrs.get('population_year', '')}. " + presenters.percent_rule_note() + " "
                    + presenters.privacy_note(policy)),
        flags_kind=kind, flags_text=text, flags_lines=lines, flags_note=presenters.flags_test_note(flags),
        drill_hint=(f"Klicka på en {unit} på kartan eller en stapel för att visa "
                    + ("dess områden." if level == "kommundel" else "bara det området.")),
    )


def drill_code(event) -> str | None:
    """The area code a click chose: a pydeck selection (the feature's `code`) or a plotly bar
    selection (the point's customdata). None when nothing is selected."""
    if not event:
        return None
    sel = event.get("selection", {}) if hasattr(event, "get") else {}
    for objects in (sel.get("objects") or {}).values():
        for obj in objects:
            props = obj.get("properties", obj) if isinstance(obj, dict) else {}
            if props.get("code"):
                return str(props["code"])
    for point in sel.get("points") or []:
        data = point.get("customdata")
        if isinstance(data, (list, tuple)):
            data = data[0] if data else None
        if data:
            return str(data)
    return None

