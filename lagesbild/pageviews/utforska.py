"""Utforska's view: the breakdown as a table, its chart (or why there is none), and the two files.

Counts in the files are numbers (Excel sums them); a count the privacy rule shows as "<k" is an
empty cell in the number column (never its value, never a 0), and in the long layout the column
"Skyddat" says "<k" beside it. A 0 is a true 0 (no incidents).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd
import plotly.graph_objects as go

from lagesbild import figures, presenters, settings
from lagesbild import formatting as fmt
from lagesbild.exports import ExportFile, file_name
from lagesbild.domain.vocab import FOCUS_AREAS, STRATEGIC_AREAS
from lagesbild.privacy import EXTERNAL, Policy
from lagesbild.queries.explore import Breakdown
from lagesbild.queries.incidents import DIMENSIONS

TOTAL = "Totalt"
COUNT = "Antal"
PROTECTED = "Skyddat"
WIDE, LONG = "bred", "lång"
LAYOUTS = {WIDE: "Bred (som tabellen)", LONG: "Lång (en rad per cell)"}


@dataclass(frozen=True)
class UtforskaView:
    table: pd.DataFrame              # the wide table of labels, as the page shows it
    caption: str
    chart: go.Figure | None          # None: too large to chart (chart_note says why)
    chart_note: str | None
    export: ExportFile               # numbers as numbers, in the chosen layout
    csv_name: str
    excel_name: str
    protected_note: str              # how a "<k" cell is written in the files


def build(b: Breakdown, rows: list[str], cols: list[str], policy: Policy, layout: str, selection: str,
          period: tuple[dt.date, dt.date], demo: bool, data_version: str) -> UtforskaView:
    """Everything Utforska shows for a non-empty breakdown `b` of the selection described by `selection`."""
    layout = layout if cols else LONG  # without columns the table is already one row per cell
    long = _sorted(b.long, cols + rows)  # series (colours) in canonical order, x in calendar order
    chart, chart_note = explore_chart(long, rows, cols, b.totals)
    wide = layout == WIDE and not b.long.empty  # both tables pivot: on one grid
    grids = _pivot(b.long, rows, cols, {"n_label": "0", "n": 0.0}) if wide else {}
    table = export_table(b, rows, cols, layout, policy, grid=grids.get("n"))
    about = about_lines(rows, cols, policy, layout, selection, period, demo, data_version)
    names = [DIMENSIONS[d] for d in rows], [DIMENSIONS[d] for d in cols]
    parts = ["utforska", " x ".join([" och ".join(names[0]), *names[1]]),
             period[0].isoformat(), period[1].isoformat(), "extern" if policy.audience == EXTERNAL else "intern",
             layout, "demodata" if demo else ""]
    return UtforskaView(
        table=wide_table(b, rows, cols, grid=grids.get("n_label")),
        caption=caption(len(long), policy),
        chart=chart, chart_note=chart_note,
        export=ExportFile(table, about),
        csv_name=file_name("lagesbild", *parts, suffix="csv"),
        excel_name=file_name("lagesbild", *parts, suffix="xlsx"),
        protected_note=protected_note(policy),
    )


def caption(cells: int, policy: Policy) -> str:
    external = policy.audience == EXTERNAL
    return (f"{fmt.number(cells)} celler. " + presenters.privacy_note(policy)
            + (" Extern export: alla tal skyddas, eftersom materialet lämnar centret." if external else "")
            + " Vecka kan inte kombineras med platstyp eller åldersgrupp (de finns per månad).")


def protected_note(policy: Policy) -> str:
    return (f"I filerna är antalen tal (Excel kan summera dem). Ett skyddat tal, som här visas som "
            f"{policy.label()}, är en tom cell i kolumnen – aldrig det verkliga talet och aldrig 0 – och "
            f"i den långa formen står {policy.label()} i kolumnen \"{PROTECTED}\" bredvid. 0 betyder inga "
            "händelser. Överst i CSV-filen och på Excel-bladet \"Om urvalet\" står period, filter, "
            "publik och dataversion.")


# --- the table ------------------------------------------------------------------------------------

def _col_keys(long: pd.DataFrame, cols: list[str]) -> pd.Series:
    return pd.Series([" · ".join(map(str, labels)) for labels in zip(*(long[f"{c}_label"] for c in cols))],
                     index=long.index)


CANONICAL = {"strategic_area": list(STRATEGIC_AREAS), "focus_area": list(FOCUS_AREAS)}


def _sort_key(column: pd.Series) -> pd.Series:
    """Strategic and focus areas in their canonical order (as the KPIs), everything else by code
    (months, weeks and quarters in calendar order)."""
    order = CANONICAL.get(column.name)
    return column.map({c: i for i, c in enumerate(order)}).fillna(len(order)) if order else column


def _sorted(long: pd.DataFrame, dims: list[str]) -> pd.DataFrame:
    try:
        return long.sort_values(dims, kind="stable", na_position="last", key=_sort_key)
    except TypeError:
        return long


def _ordered(long: pd.DataFrame, dims: list[str], labels: list[str]) -> pd.DataFrame:
    """The distinct label combinations of `dims` in the order of `_sort_key`; first appearance
    where codes cannot be compared."""
    pairs = long[dims + labels].drop_duplicates(subset=labels)
    try:
        pairs = pairs.sort_values(dims, kind="stable", na_position="last", key=_sort_key)
    except TypeError:
        pass
    return pairs[labels]


def _pivot(long: pd.DataFrame, rows: list[str], cols: list[str], fills: dict[str, object]) -> dict[str, pd.DataFrame]:
    """Rows × columns of each value column in `fills` (on one grid: the labels the page shows and
    the numbers the files hold share the ordering and the cells); a combination the query did not
    return is `fills[value]`."""
    row_labels = [f"{r}_label" for r in rows]
    cells = long[row_labels].assign(_col=_col_keys(long, cols), **{f"_{v}": long[v] for v in fills})
    cells = cells.drop_duplicates(subset=[*row_labels, "_col"]).set_index([*row_labels, "_col"])
    order = _ordered(long, rows, row_labels)
    index = pd.MultiIndex.from_frame(order) if len(row_labels) > 1 else pd.Index(order[row_labels[0]])
    columns = list(dict.fromkeys(_col_keys(_ordered(long, cols, [f"{c}_label" for c in cols]), cols)))
    # A combination the query did not return has no incidents: a true 0 (a hidden cell was
    # returned, with the label "<k" and the number NaN, and stays so).
    unseen = cells.assign(_seen=True)["_seen"].unstack("_col").reindex(index=index, columns=columns).isna()
    return {v: cells[f"_{v}"].unstack("_col").reindex(index=index, columns=columns).mask(unseen, fill)
            for v, fill in fills.items()}


def wide_table(b: Breakdown, rows: list[str], cols: list[str], grid: pd.DataFrame | None = None) -> pd.DataFrame:
    """Rows × columns of labels ('<k' where small, '0' where none) with a published total per row.
    `grid`: the labels' pivot when the caller has it (build makes it once with the numbers')."""
    long, row_labels = b.long, [f"{r}_label" for r in rows]
    if long.empty:
        return pd.DataFrame(columns=[DIMENSIONS[r] for r in rows])
    if cols:
        table = (grid if grid is not None else _pivot(long, rows, cols, {"n_label": "0"})["n_label"]).copy()
        totals = b.totals.set_index(row_labels)["n_label"]
        table[TOTAL] = totals.reindex(table.index).to_numpy()
    else:
        order = _ordered(long, rows, row_labels)
        table = order.merge(long[row_labels + ["n_label"]], on=row_labels, how="left") \
            .set_index(row_labels).rename(columns={"n_label": COUNT})
    return _named(table.reset_index(), row_labels)


def _named(table: pd.DataFrame, row_labels: list[str]) -> pd.DataFrame:
    table.columns = [DIMENSIONS.get(c.removesuffix("_label"), c) if c in row_labels else c for c in table.columns]
    table.columns.name = None
    return table


def _counts(values) -> pd.array:
    """Published counts as whole numbers; NaN (shown as '<k') stays missing."""
    return pd.array(pd.array(values, dtype="Float64").round(), dtype="Int64")


def export_table(b: Breakdown, rows: list[str], cols: list[str], layout: str, policy: Policy,
                 grid: pd.DataFrame | None = None) -> pd.DataFrame:
    """The published cells as numbers: wide (as the page's table, a total per row) or long (one row
    per cell, with the column 'Skyddat'). Hidden cells are empty, never their value. `grid`: the
    numbers' pivot when the caller has it."""
    long = b.long
    row_labels = [f"{r}_label" for r in rows]
    if layout == LONG or not cols:
        dims = rows + cols
        order = _ordered(long, dims, [f"{d}_label" for d in dims])
        cells = order.merge(long, on=list(order.columns), how="left")
        out = pd.DataFrame({DIMENSIONS[d]: cells[f"{d}_label"].to_numpy() for d in dims})
        out[COUNT] = _counts(cells["n"].to_numpy())
        out[PROTECTED] = [policy.label() if s else "" for s in cells["suppressed"].astype(bool)]
        return out
    numbers = grid if grid is not None else _pivot(long, rows, cols, {"n": 0.0})["n"]
    table = numbers.apply(lambda column: pd.Series(_counts(column.to_numpy()), index=column.index))
    totals = b.totals.set_index(row_labels)["n"]
    table[TOTAL] = _counts(totals.reindex(table.index).to_numpy())
    return _named(table.reset_index(), row_labels)


def about_lines(rows: list[str], cols: list[str], policy: Policy, layout: str, selection: str,
                period: tuple[dt.date, dt.date], demo: bool, data_version: str) -> tuple[tuple[str, str], ...]:
    audience = ("Extern (alla tal skyddade: materialet lämnar centret)" if policy.audience == EXTERNAL
                else "Intern (personrelaterade tal skyddade)")
    lines = [
        ("Lägesbild", "Utforska – urval" + (" (DEMODATA: påhittade siffror)" if demo else "")),
        ("Period", f"{period[0].isoformat()} – {period[1].isoformat()} (hela ISO-veckor, "
                   f"{fmt.week_label(period[0])} – {fmt.week_label(period[1] - dt.timedelta(days=6))})"),
        ("Urval", selection),
        ("Rader", ", ".join(DIMENSIONS[r] for r in rows)),
        ("Kolumner", ", ".join(DIMENSIONS[c] for c in cols) or "–"),
        ("Form", LAYOUTS[layout]),
        ("Publik", audience),
        ("Skyddade tal", f"Tom cell = skyddat tal (i appen {policy.label()}), 0 = inga händelser. "
                         f"Tal från {policy.k} och uppåt har ett litet brus (högst ±{policy.ptable.max_deviation}), "
                         "så delarna summerar inte alltid exakt till totalen."),
        ("Dataversion", data_version),
    ]
    if demo:
        lines.append(("Demodata", "Ja – siffrorna är påhittade och genererade av Lägesbild."))
    return tuple(lines)


# --- the chart ------------------------------------------------------------------------------------

def explore_chart(long: pd.DataFrame, rows: list[str], cols: list[str],
                  totals: pd.DataFrame | None = None) -> tuple[go.Figure | None, str | None]:
    """The chart; or, when the breakdown is too large to read as one, the published row totals as
    a chart of their own (one row dimension, few enough rows), or no chart; with the reason."""
    limit = settings.value("chart_max_cells")
    time = rows[0] in figures.TIME_DIMS
    color_dim = cols[0] if cols else (rows[1] if len(rows) > 1 else None)
    series = long[f"{color_dim}_label"].nunique() if color_dim else 1
    if series > figures.MAX_SERIES:
        why = (f"{fmt.number(series)} värden av {DIMENSIONS[color_dim].lower()} i var sin färg går inte att "
               f"skilja åt (högst {figures.MAX_SERIES})")
    elif not time and len(long) > limit:
        why = (f"{fmt.number(len(long))} staplar blir oläsliga och tar lång tid att rita "
               f"(högst {fmt.number(limit)})")
    else:
        return figures.explore_chart(long, rows, cols), None
    if totals is not None and len(rows) == 1 and len(totals) <= limit:
        shown = _sorted(totals.assign(**{rows[0]: _codes(long, rows[0], totals)}), rows)
        return (figures.explore_chart(shown, rows, []),
                f"Diagrammet visar totalen per {DIMENSIONS[rows[0]].lower()}: {why}. Tabellen och filerna "
                "innehåller alla celler.")
    return None, (f"Inget diagram: {why}. Tabellen och filerna innehåller alla celler; välj en grövre "
                  "indelning för ett diagram.")


def _codes(long: pd.DataFrame, dim: str, totals: pd.DataFrame) -> list:
    """The code of each row total (for the canonical or calendar order), from the cells' labels."""
    codes = dict(zip(long[f"{dim}_label"], long[dim]))
    return [codes.get(label) for label in totals[f"{dim}_label"]]
