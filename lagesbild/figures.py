"""Pure functions that build the charts: data in, plotly figure out. No database, no Streamlit.

Every figure uses Swedish separators (`1 234,5`), large readable type for the projector, and shows
hidden (suppressed) values as "<k" text instead of a bar or a point.
"""
from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio

from lagesbild import formatting as fmt

PALETTE = ["#1b6ca8", "#e07a1f", "#3a9d5d", "#b8336a", "#6c5b9e", "#8c6d31", "#2a9d8f", "#c44536"]
# Every chart's template, set once for the process: passed per figure, plotly validated the whole
# template into each one (0.05 s a chart); as the default it is merged in when the figure is sent.
pio.templates.default = "plotly_white"

STRATEGIC_COLORS = {"Trygghetsskapande": "#2a9d8f", "Brottsförebyggande": "#1b6ca8",
                    "Våldsförebyggande": "#b8336a", "Brottsbekämpande insatser": "#6c5b9e"}


def layout(title: str | None = None, height: int = 420, **extra) -> dict:
    """The common layout of every chart as a dict (Swedish separators, large type, legend on top;
    the template is the process default, above), with `extra` layout properties merged in
    (xaxis/yaxis merged key by key)."""
    out = dict(separators=", ", height=height,
               font=dict(size=15), title=dict(text=title, font=dict(size=18)) if title else None,
               margin=dict(l=10, r=10, t=50 if title else 20, b=10),
               legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0),
               hoverlabel=dict(font_size=14),
               xaxis=dict(separatethousands=True), yaxis=dict(separatethousands=True))
    for key, value in extra.items():
        out[key] = {**out[key], **value} if key in ("xaxis", "yaxis") else value
    return out


def figure(traces: list[dict], title: str | None = None, height: int = 420, **extra) -> go.Figure:
    """A chart built in one go from its traces (dicts with `type`) and `layout(title, height,
    **extra)`: plotly validates each property once (adding trace by trace and updating the layout
    step by step cost several times as much)."""
    return go.Figure(data=traces, layout=layout(title, height, **extra))


def _title(text: str) -> dict:
    return dict(title=dict(text=text))


PROJECTOR_TEXT = "#111111"  # near black: readable from the back of the room
PROJECTOR_SIZE = 20         # px of every text in a projector figure (ticks, legend, colour bar, cells)


def projector_layout(fig: go.Figure, size: int = PROJECTOR_SIZE) -> go.Figure:
    """The same figure for a projector at 1920×1080: every text (axis ticks and titles, legend,
    colour bar, cell texts, annotations) at least `size` px and near black, grid lines darker.
    Applied by a page's view builder after the figure is built; returns a new figure, made in one
    go from the figure's dict (plotly's step-by-step updates cost 0.09 s for one heat table)."""
    dark = dict(size=size, color=PROJECTOR_TEXT)
    spec = fig.to_plotly_json()
    # The template is the process default (above): validated again it would cost 0.05 s.
    layout = _merged({k: v for k, v in spec["layout"].items() if k != "template"}, dict(font=dark, legend=dict(font=dark), hoverlabel=dict(font=dict(size=size)),
                                          title=dict(font=dict(size=size + 4, color=PROJECTOR_TEXT))))
    axis = dict(tickfont=dark, title=dict(font=dark), gridcolor="#c8c8c8", linecolor="#555555")
    for name in {"xaxis", "yaxis"} | {k for k in layout if k.startswith(("xaxis", "yaxis"))}:
        layout[name] = _merged(layout.get(name, {}), axis)
    if layout.get("annotations"):
        layout["annotations"] = [_merged(a, dict(font=dark)) for a in layout["annotations"]]
    styles = {"heatmap": dict(textfont=dict(size=size), colorbar=dict(tickfont=dark, title=dict(font=dark))),
              "bar": dict(textfont=dark)}
    data = [_merged(t, styles.get(t.get("type"), {})) for t in spec["data"]]
    return go.Figure(data=data, layout=layout)


def _merged(base: dict, extra: dict) -> dict:
    """`base` with `extra` merged in, dicts key by key (as plotly's update does)."""
    out = dict(base)
    for key, value in extra.items():
        out[key] = _merged(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def bar_by_area(df: pd.DataFrame, value: str, label: str, title: str, value_name: str,
                decimals: int = 0, codes: pd.Series | None = None) -> go.Figure:
    """Horizontal bars per area; hidden values appear as '<k' text at zero. `codes`: each bar's
    area code as its customdata, so a click on a bar tells which area it was."""
    d = df.iloc[::-1]
    text = [lab if pd.isna(v) else fmt.number(v, decimals) for v, lab in zip(d[value], d[label])]
    custom = None if codes is None else [[c] for c in list(codes)[::-1]]
    top = float(d[value].max()) if d[value].notna().any() else 1.0
    bar = dict(type="bar", x=d[value].fillna(0), y=d["name"], orientation="h", text=text, customdata=custom,
               textposition="outside", marker_color=PALETTE[0], cliponaxis=False,
               hovertemplate="%{y}<br>" + value_name + ": %{text}<extra></extra>")
    return figure([bar], title, max(300, 42 * len(d) + 90), xaxis=dict(**_title(value_name), range=[0, top * 1.18 or 1]))


def _period_ticks(periods: list, grain: str) -> tuple[list, list]:
    if grain == "quarter":
        return periods, [fmt.quarter_label(p) for p in periods]
    step = max(1, len(periods) // 12)
    chosen = periods[::step]
    if grain == "week":
        return chosen, [fmt.week_label(p) for p in chosen]
    return chosen, [fmt.month_label(p) for p in chosen]


def period_label(period, grain: str) -> str:
    """'v. 47 2026', 'november 2026', 'kv4 2026': the name of a series' period (its first day)."""
    if grain == "week":
        return fmt.week_label(period)
    return fmt.quarter_label(period) if grain == "quarter" else fmt.month_label(period, long=True)


def trend_lines(df: pd.DataFrame, grain: str, value_name: str, decimals: int = 0,
                show_last_year: bool = True, show_rolling: bool = True,
                bands: pd.DataFrame | None = None, reference_name: str = "hela kommunen") -> go.Figure:
    """One line per split (e.g. strategic area), its rolling mean (dashed), last year (dotted) and,
    where the frame has a `reference` value (the whole kommun), a thin long-dashed line of it on the
    same y-axis.

    A period that is not over yet or only partly in the selection (`partial`) is drawn as a hollow
    marker off the line, so an incomplete month does not look like a sudden drop. `bands`: action
    periods to mark (band_shapes). The figure is built in one go from its traces and layout (plotly
    validates each property once; adding trace by trace cost 0.1 s for 16 traces).
    """
    traces = []
    single = df["split_label"].nunique() == 1
    # The strategic areas in their canonical order (as the KPIs), other splits as they come.
    names = list(dict.fromkeys(df["split_label"]))
    names = [n for n in STRATEGIC_COLORS if n in names] + [n for n in names if n not in STRATEGIC_COLORS]
    for i, split in enumerate(names):
        part = df[df["split_label"] == split]
        color = STRATEGIC_COLORS.get(split, PALETTE[i % len(PALETTE)])
        periods = list(part["period"])
        labels = [period_label(p, grain) for p in periods]
        shown = [lab if pd.isna(v) else fmt.number(v, decimals) for v, lab in zip(part["value"], part["n_label"])]
        whole = ~part["partial"].to_numpy(dtype=bool) if "partial" in part else [True] * len(part)
        custom = list(zip(labels, shown))

        def pick(values, keep=True):
            return [v for v, w in zip(values, whole) if w == keep]

        def numbers(values, keep=True):
            return np.asarray(pick(values, keep), dtype="float64")
        traces.append(dict(type="scatter", x=pick(periods), y=numbers(part["value"]), mode="lines+markers", name=split,
                           line=dict(color=color, width=3), legendgroup=split, customdata=pick(custom),
                           hovertemplate="%{customdata[0]}<br>" + split + ": %{customdata[1]}<extra></extra>"))
        if not all(whole):
            traces.append(dict(type="scatter", x=pick(periods, False), y=numbers(part["value"], False), mode="markers",
                               name=f"{split} – del av period", legendgroup=split, showlegend=False,
                               marker=dict(color="white", size=10, line=dict(color=color, width=2)),
                               customdata=pick(custom, False),
                               hovertemplate="%{customdata[0]} (ofullständig)<br>" + split
                               + ": %{customdata[1]}<extra></extra>"))
        if show_rolling:
            traces.append(dict(type="scatter", x=pick(periods), y=numbers(part["rolling"]), mode="lines",
                               name=f"{split} – glidande medel", legendgroup=split,
                               line=dict(color=color, dash="dash", width=2), hoverinfo="skip", showlegend=single))
        if show_last_year:
            # Whole periods only, as the rolling mean: last year's value of a partial period counts
            # only its days too, and a line through it would look like a sudden jump.
            traces.append(dict(type="scatter", x=pick(periods), y=numbers(part["value_ly"]), mode="lines",
                               legendgroup=split, name=f"{split} – föregående år",
                               line=dict(color=color, dash="dot", width=1.5), opacity=0.6, hoverinfo="skip",
                               showlegend=single))
        if "reference" in part and part["reference"].notna().any():
            ref = [fmt.number(v, decimals) if pd.notna(v) else "–" for v in part["reference"]]
            # Every point, the partial ones too: the kommun's value counts the same days.
            traces.append(dict(type="scatter", x=periods, y=part["reference"].to_numpy(dtype="float64"), mode="lines",
                               name=f"{split} – {reference_name}", legendgroup=split,
                               line=dict(color=color, dash="longdash", width=1.5), opacity=0.8,
                               customdata=list(zip(labels, ref)),
                               hovertemplate="%{customdata[0]}<br>" + split + f", {reference_name}: "
                               + "%{customdata[1]}<extra></extra>"))
    tickvals, ticktext = _period_ticks(sorted(df["period"].unique()), grain)
    shapes, notes = band_shapes(bands) if bands is not None and len(bands) else ([], [])
    return go.Figure(data=traces, layout=layout(
        None, 460, xaxis=dict(tickvals=tickvals, ticktext=ticktext),
        yaxis=dict(title=dict(text=value_name), rangemode="tozero"), shapes=shapes, annotations=notes))


def grouped_bars(df: pd.DataFrame, x: str, color: str | None, value_name: str,
                 horizontal: bool = False) -> go.Figure:
    """Bars of `n` by x (labels), one colour per `color` label; hidden cells show '<k'."""
    traces = []
    groups = df.groupby(color, sort=False) if color else [(value_name, df)]
    for i, (name, part) in enumerate(groups):
        c = STRATEGIC_COLORS.get(name, PALETTE[i % len(PALETTE)])
        text = [lab if pd.isna(v) else "" for v, lab in zip(part["n"], part["n_label"])]
        kw = dict(x=part["n"].fillna(0), y=part[x], orientation="h") if horizontal else dict(x=part[x], y=part["n"].fillna(0))
        traces.append(dict(type="bar", name=str(name), marker_color=c, text=text, textposition="outside",
                           customdata=part["n_label"], cliponaxis=False,
                           hovertemplate="%{" + ("y" if horizontal else "x") + "}<br>" + str(name)
                           + ": %{customdata}<extra></extra>", **kw))
    height = max(320, 28 * df[x].nunique() * (1 if not color else min(3, df[color].nunique())) + 120) if horizontal else 440
    axis = {"xaxis" if horizontal else "yaxis": _title(value_name)}
    return figure(traces, None, min(height, 1400), barmode="group", showlegend=bool(color), **axis)


def pyramid(df: pd.DataFrame) -> go.Figure:
    """The violence pyramid: level 1 (mild) at the bottom and widest, level 5 at the top."""
    d = df.sort_values("pyramid_level", ascending=False)
    text = [lab for lab in d["n_label"]]
    funnel = dict(type="funnel", y=d["pyramid_level_label"], x=d["n"].fillna(0), text=text,
                  textinfo="text", connector=dict(visible=False),
                  marker=dict(color=["#7f1d1d", "#b91c1c", "#dc2626", "#f87171", "#fecaca"][:len(d)]),
                  hovertemplate="%{y}: %{text}<extra></extra>")
    return figure([funnel], None, 380)


def heat_table(df: pd.DataFrame, x: str, y: str, value_name: str, x_order: list | None = None) -> go.Figure:
    """A heatmap of n over x × y labels, each cell annotated with its label ('<k' when hidden);
    columns in `x_order` (those present) when given, else in the order they first appear."""
    xs, ys = list(dict.fromkeys(df[x])), list(dict.fromkeys(df[y]))
    if x_order is not None:
        xs = [v for v in x_order if v in set(xs)] + [v for v in xs if v not in set(x_order)]
    cells = df.pivot(index=y, columns=x, values=["n", "n_label"])
    z = cells["n"].reindex(index=ys, columns=xs).astype("float64")  # hidden stay NaN
    txt = cells["n_label"].reindex(index=ys, columns=xs).fillna("0")
    heat = dict(type="heatmap", z=z.to_numpy(), x=xs, y=ys, text=txt.to_numpy(), texttemplate="%{text}",
                colorscale="Reds", colorbar=dict(title=dict(text=value_name)),
                hovertemplate="%{y} · %{x}: %{text}<extra></extra>")
    return figure([heat], None, max(320, 34 * len(ys) + 120), yaxis=dict(autorange="reversed"))


def status_bars(df: pd.DataFrame, group: str, group_name: str) -> go.Figure:
    """Stacked bars of safety-walk observations per group: fixed, open (of which overdue), rejected."""
    d = df.iloc[::-1]
    traces = []
    for col, name, color in (("fixed", "Åtgärdade", "#3a9d5d"), ("open_in_time", "Öppna i tid", "#e0a21f"),
                             ("overdue", "Försenade", "#c44536"), ("rejected", "Avslagna", "#9aa5b1")):
        values = d["open"] - d["overdue"] if col == "open_in_time" else d[col]
        traces.append(dict(type="bar", y=d[group], x=values, name=name, orientation="h", marker_color=color,
                           hovertemplate="%{y}<br>" + name + ": %{x}<extra></extra>"))
    return figure(traces, None, max(300, 40 * len(d) + 120), barmode="stack",
                  xaxis=_title("Antal iakttagelser"), yaxis=_title(group_name))


def fix_time_histogram(df: pd.DataFrame) -> go.Figure:
    """Days from walk to fix, split by whether the deadline held."""
    traces = [dict(type="histogram", x=df.loc[df.in_time == in_time, "days"], name=name, marker_color=color,
                   xbins=dict(size=7), hovertemplate="%{x} dagar: %{y}<extra></extra>")
              for in_time, name, color in ((True, "Inom tidsfrist", "#3a9d5d"), (False, "Efter tidsfrist", "#c44536"))]
    return figure(traces, None, 360, barmode="stack", xaxis=_title("Dagar från vandring till åtgärd"),
                  yaxis=_title("Antal"))


def housing_lines(df: pd.DataFrame, measure: str, measure_name: str) -> go.Figure:
    """One line per area of a housing measure over quarters."""
    traces = []
    for i, (area, part) in enumerate(df.groupby("area", sort=False)):
        labels = [fmt.quarter_label(p) for p in part["period_start"]]
        traces.append(dict(type="scatter", x=part["period_start"], y=part[measure], name=area, mode="lines+markers",
                           line=dict(color=PALETTE[i % len(PALETTE)], width=3), customdata=labels,
                           hovertemplate="%{customdata}<br>" + area + ": %{y:.2f}<extra></extra>"))
    periods = sorted(df["period_start"].unique())
    return figure(traces, None, 420, xaxis=dict(tickvals=periods, ticktext=[fmt.quarter_label(p) for p in periods]),
                  yaxis=dict(**_title(measure_name), rangemode="tozero"))


def scatter_housing_incidents(df: pd.DataFrame, x: str, x_name: str) -> go.Figure:
    """Areas as points: a housing measure against the incident rate of the same area."""
    points = dict(type="scatter", x=df[x], y=df["rate"], mode="markers+text", text=df["area"],
                  textposition="top center", marker=dict(size=14, color=PALETTE[0]),
                  hovertemplate="%{text}<br>" + x_name + ": %{x:.2f}<br>Händelser per 1 000 inv.: %{y:.1f}<extra></extra>")
    return figure([points], None, 420, xaxis=_title(x_name), yaxis=_title("Händelser per 1 000 invånare"))


TIME_DIMS = ("week", "month", "quarter", "year")
MAX_SERIES = 12  # more colours than this in one chart cannot be told apart (Utforska draws none)


def explore_chart(long: pd.DataFrame, rows: list[str], cols: list[str]) -> go.Figure:
    """Lines when the first row dimension is time, bars otherwise; one colour per column value."""
    x = f"{rows[0]}_label"
    color = f"{cols[0]}_label" if cols else (f"{rows[1]}_label" if len(rows) > 1 else None)
    if rows[0] in TIME_DIMS:
        groups = long.groupby(color, sort=False) if color else [("Antal", long)]
        traces = [dict(type="scatter", x=part[x], y=part["n"], name=str(name), mode="lines+markers",
                       line=dict(color=STRATEGIC_COLORS.get(name, PALETTE[i % len(PALETTE)]), width=2.5),
                       customdata=part["n_label"],
                       hovertemplate="%{x}<br>" + str(name) + ": %{customdata}<extra></extra>")
                  for i, (name, part) in enumerate(groups)]
        return figure(traces, None, 440, yaxis=dict(**_title("Antal"), rangemode="tozero"))
    return grouped_bars(long, x, color, "Antal", horizontal=long[x].nunique() > 8)


BAND_COLORS = ["#f4a261", "#90be6d", "#8ecae6", "#cdb4db", "#ffd166", "#a3c4bc"]


def band_shapes(bands: pd.DataFrame, max_labels: int = 8) -> tuple[list[dict], list[dict]]:
    """Action periods on a time axis: (shapes, annotations) for one labelled band from start to end
    per row of `bands` (columns start, end, label), as plotly's add_vrect draws them. With more than
    `max_labels` bands the labels are left to the hover text of the table beside the chart."""
    shapes, notes = [], []
    for i, b in enumerate(bands.itertuples(index=False)):
        x0, x1 = pd.Timestamp(b.start), pd.Timestamp(b.end)
        shapes.append(dict(type="rect", xref="x", yref="y domain", x0=x0, x1=x1, y0=0, y1=1,
                           fillcolor=BAND_COLORS[i % len(BAND_COLORS)], opacity=0.22, line=dict(width=0),
                           layer="below"))
        if len(bands) <= max_labels:
            top = i % 2 == 0
            notes.append(dict(text=b.label, x=x0, xref="x", xanchor="left", y=1 if top else 0, yref="y domain",
                              yanchor="top" if top else "bottom", showarrow=False, font=dict(size=11)))
    return shapes, notes


def outcome_lines(df: pd.DataFrame, indicator_name: str, unit: str) -> go.Figure:
    """One yearly outcome indicator: a line per region (the kommun bold, comparisons thinner)."""
    traces = []
    for i, (region, part) in enumerate(df.groupby("region_name", sort=False)):
        main = part["region_kind"].iloc[0] in ("kommun", "kommundel", "omrade") and i == 0
        traces.append(dict(type="scatter", x=part["year"], y=part["value"], name=region, mode="lines+markers",
                           line=dict(color=PALETTE[i % len(PALETTE)], width=3.5 if main else 2,
                                     dash=None if main else "dot"),
                           hovertemplate="%{x}<br>" + region + ": %{y}<extra></extra>"))
    # Years, not numbers: no thousands separator on the x-axis.
    return figure(traces, indicator_name, 360, yaxis=_title(unit),
                  xaxis=dict(dtick=1, title=None, separatethousands=False, tickformat="d"),
                  legend=dict(orientation="h", yanchor="top", y=-0.12, xanchor="left", x=0))
