"""Pure functions that build the pydeck maps: aggregated cells and areas, never single incidents.

Tooltips: Streamlit (1.67) fills the deck's tooltip template `{"html": ...}` with the hovered
object's fields and HTML-escapes every value it inserts, so markup in a value shows as raw
`<b>…</b>`. The markup lives in the one template (`TOOLTIP`); objects carry plain-text fields
(`title`, `l1`…`l4`; an unused line is an empty `<div>`, which takes no room).

Basemaps: `OFFLINE` draws no tiles (the kommun and area outlines and the area names are layers of
the map itself, so it works without internet, as in a meeting room); `ONLINE` asks Carto for a light
street map, which needs internet.
"""
from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pydeck as pdk
from pydeck.bindings.json_tools import default_serialize

from lagesbild import formatting as fmt
from lagesbild.domain.geo import to_wgs84


class CompactDeck(pdk.Deck):
    """A Deck whose JSON has no indentation: pydeck pretty-prints, which more than doubles the
    payload Streamlit sends to the browser for a map of a few thousand cells, and its indented
    json.dumps runs the pure-Python encoder (0.3 s for 3 000 cells). The same JSON, keys sorted as
    pydeck sorts them, written in one pass by the C encoder."""

    def to_json(self) -> str:
        return json.dumps(self, sort_keys=True, default=default_serialize, separators=(",", ":"),
                          ensure_ascii=False)


VIEW = pdk.ViewState(latitude=59.20, longitude=17.84, zoom=10.3, pitch=0)
REDS = [(254, 229, 217), (252, 187, 161), (252, 146, 114), (251, 106, 74), (222, 45, 38), (165, 15, 21)]
BLUES = [(222, 235, 247), (198, 219, 239), (158, 202, 225), (107, 174, 214), (49, 130, 189), (8, 81, 156)]
STATUS_COLORS = {"försenad": [196, 69, 54, 230], "öppen": [224, 162, 31, 230],
                 "åtgärdad": [58, 157, 93, 200], "avslagen": [154, 165, 177, 200]}
HIDDEN_COLOR = [160, 160, 160, 90]
OFFLINE, ONLINE = "enkel", "gatukarta"
BASEMAPS = {OFFLINE: "Enkel bakgrund (fungerar utan internet)", ONLINE: "Gatukarta från Carto (kräver internet)"}
TOOLTIP_LINES = 4
TOOLTIP = {"html": "<b>{title}</b>" + "".join(f"<div>{{l{i}}}</div>" for i in range(1, TOOLTIP_LINES + 1)),
           "style": {"fontSize": "15px", "lineHeight": "1.35", "backgroundColor": "#1f2630", "color": "#ffffff",
                     "padding": "8px 10px", "borderRadius": "4px"}}


def tip(title: str, lines: list[str] | tuple[str, ...] = ()) -> dict:
    """The plain-text fields the tooltip template shows: a title and up to four lines."""
    lines = list(lines)[:TOOLTIP_LINES]
    return {"title": str(title), **{f"l{i}": (lines[i - 1] if i <= len(lines) else "")
                                     for i in range(1, TOOLTIP_LINES + 1)}}


# --- colours and their legend ---------------------------------------------------------------------

def class_edges(values: pd.Series, classes: int) -> np.ndarray:
    """The inner class edges of a quantile classification (fewer when values repeat)."""
    finite = values.astype(float).dropna()
    if finite.empty:
        return np.array([])
    return np.unique(np.quantile(finite, np.linspace(0, 1, classes + 1)[1:-1]))


def color_scale(values: pd.Series, ramp=REDS, alpha: int = 190) -> list[list[int]]:
    """A colour per value (quantile classes); hidden (NaN) values are grey."""
    v = values.astype(float)
    if v.dropna().empty:
        return [HIDDEN_COLOR for _ in v]
    edges = class_edges(v, len(ramp))
    classes = np.searchsorted(edges, v.to_numpy(), side="right").tolist()
    colors = [[*c, alpha] for c in ramp]
    return [HIDDEN_COLOR if x != x else list(colors[k]) for x, k in zip(v.tolist(), classes)]


@dataclass(frozen=True)
class Legend:
    """What the colours of a map mean: a title with the unit and one (colour, range) per class."""

    title: str
    entries: tuple[tuple[tuple[int, ...], str], ...]
    note: str = ""


def legend(values: pd.Series, title: str, ramp=REDS, decimals: int = 0, hidden: str | None = None,
           transform=None) -> Legend:
    """The legend of `color_scale(values)` (or of `color_scale(transform(values))`): the classes
    that occur, each with its range in the values' own unit; `hidden` names the grey colour."""
    v = values.astype(float)
    t = transform(v) if transform else v
    edges = class_edges(t, len(ramp))
    finite = v.dropna()
    entries = []
    if not finite.empty:
        classes = np.searchsorted(edges, t.dropna().to_numpy(), side="right")
        for k in sorted(set(classes.tolist())):
            members = finite.to_numpy()[classes == k]
            lo, hi = float(members.min()), float(members.max())
            text = fmt.number(lo, decimals) if lo == hi else f"{fmt.number(lo, decimals)}–{fmt.number(hi, decimals)}"
            entries.append((tuple(ramp[k]), text))
    if hidden and v.isna().any():
        entries.append((tuple(HIDDEN_COLOR[:3]), hidden))
    return Legend(title, tuple(entries))


def legend_html(lg: Legend, font_px: int = 16) -> str:
    """The legend as a row of colour swatches with their ranges, large enough for a projector."""
    items = "".join(
        f'<span style="display:inline-flex;align-items:center;margin:0 14px 4px 0;white-space:nowrap">'
        f'<span style="display:inline-block;width:22px;height:16px;margin-right:6px;border:1px solid #555;'
        f'background:rgb{tuple(color)}"></span>{html.escape(text)}</span>' for color, text in lg.entries)
    note = f'<div style="font-size:{font_px - 2}px;color:#333">{html.escape(lg.note)}</div>' if lg.note else ""
    return (f'<div style="font-size:{font_px}px;color:#111;line-height:1.4">'
            f'<div style="font-weight:600;margin-bottom:4px">{html.escape(lg.title)}</div>'
            f'<div style="display:flex;flex-wrap:wrap">{items}</div>{note}</div>')


# --- areas --------------------------------------------------------------------------------------

def area_features(areas: pd.DataFrame, geometries: dict[int, dict], value: str | None,
                  tooltip_lines: list[tuple[str, str]], ramp=REDS, fill=None) -> list[dict]:
    """GeoJSON features for areas with their fill colour (by `value`, or the one colour `fill`),
    their code and name (for labels and clicks) and the plain-text tooltip fields."""
    colors = [fill] * len(areas) if value is None else color_scale(areas[value], ramp)
    feats = []
    for (_, row), color in zip(areas.iterrows(), colors):
        geom = geometries.get(row["area_id"])
        if geom is None:
            continue
        lines = [f"{label}: {row[col]}" for label, col in tooltip_lines]
        feats.append({"type": "Feature", "geometry": geom,
                      "properties": {"fill": list(color or [0, 0, 0, 0]), "code": row.get("code", ""),
                                     "name": row["name"], **tip(row["name"], lines)}})
    return feats


def area_layer(features: list[dict], layer_id: str = "areas", filled: bool = True,
               line_color=(40, 40, 40, 200), line_px: float = 1.5) -> pdk.Layer:
    """Areas as GeoJSON polygons; each feature's properties carry fill, name and tooltip fields."""
    return pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features}, id=layer_id,
                     pickable=filled, stroked=True, filled=filled, get_fill_color="properties.fill",
                     get_line_color=list(line_color), line_width_min_pixels=line_px)


def label_points(features: list[dict]) -> pd.DataFrame:
    """A point inside each area (not its centroid, which can fall outside a bent area) and its name."""
    from shapely.geometry import shape

    rows = []
    for feat in features:
        pt = shape(feat["geometry"]).representative_point()
        rows.append({"lon": round(pt.x, 5), "lat": round(pt.y, 5), "name": feat["properties"]["name"]})
    return pd.DataFrame(rows, columns=["lon", "lat", "name"])


def characters(texts) -> list[str]:
    """The characters of `texts`: the TextLayer's character set (its font atlas is ASCII unless told,
    and the names have å, ä and ö; each glyph costs the browser a distance-field drawing, so only
    the glyphs used). ('auto' reaches deck.gl through Streamlit's JSON converter as a function.)"""
    return sorted(set("".join(map(str, texts))) | {" "})


def _pixels(lon: np.ndarray, lat: np.ndarray, zoom: float) -> tuple[np.ndarray, np.ndarray]:
    """Web Mercator pixel coordinates at `zoom` (deck.gl's 512-pixel world)."""
    world = 512 * 2 ** zoom
    x = world * (lon + 180) / 360
    y = world * (1 - np.log(np.tan(np.pi / 4 + np.radians(lat) / 2)) / np.pi) / 2
    return x, y


def placed_labels(points: pd.DataFrame, areas: list[float], zoom: float, size_px: int) -> pd.DataFrame:
    """The labels that fit at `zoom` without overlapping, the largest areas first (as a printed
    map names them). Decided here once, so the browser needs no collision pass."""
    x, y = _pixels(points["lon"].to_numpy(float), points["lat"].to_numpy(float), zoom)
    half_w = np.array([len(str(t)) * size_px * 0.3 + 3 for t in points["name"]])
    half_h = size_px * 0.65
    kept: list[int] = []
    for i in np.argsort(-np.asarray(areas, dtype=float), kind="stable"):
        if all(abs(x[i] - x[j]) > half_w[i] + half_w[j] or abs(y[i] - y[j]) > 2 * half_h for j in kept):
            kept.append(int(i))
    return points.iloc[sorted(kept)].reset_index(drop=True)


def label_layer(features: list[dict], zoom: float | None = None, layer_id: str = "labels",
                size_px: int = 15, priority: list[float] | None = None) -> pdk.Layer:
    """The area names, dark on a white halo so they read over any fill; at the map's first zoom
    only the names that do not overlap (`zoom` None: all), by `priority` (default: the larger area
    first). (A string property is an expression to
    pydeck; a literal string is written in single quotes.)"""
    from shapely.geometry import shape

    points = label_points(features)
    if zoom is not None and len(points):
        order = priority if priority is not None else [shape(f["geometry"]).area for f in features]
        points = placed_labels(points, order, zoom, size_px)
    layer = pdk.Layer("TextLayer", points.to_dict("records"), id=layer_id, pickable=False,
                      get_position=["lon", "lat"], get_text="name", get_size=size_px, size_units="'pixels'",
                      get_color=[20, 20, 20, 255], font_family="'Arial, Helvetica, sans-serif'",
                      font_weight=600, font_settings={"sdf": True}, outline_width=4,
                      outline_color=[255, 255, 255, 235],
                      get_text_anchor="'middle'", get_alignment_baseline="'center'")
    layer.character_set = characters(points["name"])  # set after: pydeck would make the list an expression
    return layer


def base_layers(kommun: list[dict]) -> list[pdk.Layer]:
    """The offline base: the kommun's outline on a light ground (what a street map would give)."""
    feats = [{"type": "Feature", "geometry": f["geometry"], "properties": {"fill": [242, 240, 235, 255]}}
             for f in kommun]
    return [pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": feats}, id="kommun", pickable=False,
                      stroked=True, filled=True, get_fill_color="properties.fill",
                      get_line_color=[90, 90, 90, 255], line_width_min_pixels=2)]


def view_for(features: list[dict], height_px: int = 430, width_px: int = 700) -> pdk.ViewState:
    """A view that shows all the features (Web Mercator zoom from their bounding box)."""
    coords = np.array([pt for f in features for pt in _points(f["geometry"])])
    if coords.size == 0:
        return VIEW
    (lon0, lat0), (lon1, lat1) = coords.min(axis=0), coords.max(axis=0)
    lat_c = (lat0 + lat1) / 2
    span_x = max(lon1 - lon0, 1e-3) / 360
    span_y = max(math.log(math.tan(math.pi / 4 + math.radians(lat1) / 2))
                 - math.log(math.tan(math.pi / 4 + math.radians(lat0) / 2)), 1e-5) / (2 * math.pi)
    zoom = min(math.log2(width_px / 512 / span_x), math.log2(height_px / 512 / span_y)) - 0.15
    return pdk.ViewState(latitude=float(lat_c), longitude=float((lon0 + lon1) / 2), zoom=float(zoom), pitch=0)


def _points(geometry: dict):
    coords = geometry["coordinates"]
    rings = coords if geometry["type"] == "Polygon" else [r for poly in coords for r in poly]
    return [pt for ring in rings for pt in ring]


def choropleth(features: list[dict], height_px: int = 430, basemap: str = OFFLINE,
               kommun: list[dict] | None = None, labels: bool = True,
               priority: list[float] | None = None) -> pdk.Deck:
    """Areas coloured by value, with their names (where names would overlap, the higher
    `priority` is named); over the offline base or a street map."""
    layers = (base_layers(kommun) if kommun and basemap == OFFLINE else []) + [area_layer(features)]
    view = view_for(features, height_px)
    if labels:
        layers.append(label_layer(features, view.zoom, priority=priority))
    return layered_map(layers, view, basemap)


# --- cells and walks ----------------------------------------------------------------------------

def cell_polygons(cells: pd.DataFrame, size: int) -> pd.DataFrame:
    """Square polygons (WGS84) of grid cells given by their SWEREF99 TM lower-left corners."""
    e, n = cells["cell_e"].to_numpy(dtype=float), cells["cell_n"].to_numpy(dtype=float)
    corners = [(e, n), (e + size, n), (e + size, n + size), (e, n + size)]
    lonlat = [to_wgs84(x, y) for x, y in corners]
    lon = np.round(np.column_stack([c[0] for c in lonlat]), 5).tolist()  # 5 decimals: about 1 m
    lat = np.round(np.column_stack([c[1] for c in lonlat]), 5).tolist()
    polys = [[[x, y] for x, y in zip(lo, la)] for lo, la in zip(lon, lat)]
    return cells.assign(polygon=polys)


def density_colors(cells: pd.DataFrame) -> list[list[int]]:
    """Cells are classed on log(1 + n): a few busy cells do not wash out the rest."""
    return color_scale(np.log1p(cells["n"].astype(float)), REDS, 200)


def density_legend(cells: pd.DataFrame, size: int) -> Legend:
    return legend(cells["n"], f"Händelser per ruta ({fmt.number(size)} × {fmt.number(size)} m) i perioden",
                  REDS, transform=np.log1p)


def density_layer(cells: pd.DataFrame, size: int) -> pdk.Layer:
    """Grid cells coloured by event count; tooltip says what a cell is and how many events.

    Drawn as a GridCellLayer: one corner point per cell (the SWEREF99 TM lower-left corner in
    WGS84) and the cell size in metres, instanced by the GPU. The PolygonLayer it replaces sent four
    corners per cell and had the browser triangulate every square; the squares now stand square to
    north rather than to the SWEREF grid (about 2.4° apart here, some 10 m at a 250 m cell's edge)."""
    lon, lat = to_wgs84(cells["cell_e"].to_numpy(dtype=float), cells["cell_n"].to_numpy(dtype=float))
    title = f"Ruta {size} × {size} m"
    records = [{"p": [x, y], "fill": c, **tip(title, [f"Händelser: {lab}"])}
               for x, y, c, lab in zip(np.round(lon, 5).tolist(), np.round(lat, 5).tolist(), density_colors(cells),
                                       cells["n_label"])]
    return pdk.Layer("GridCellLayer", records, id="density", pickable=True, get_position="p",
                     get_fill_color="fill", cell_size=size, extruded=False, coverage=1)


def observation_layer(obs: pd.DataFrame, size: int = 250) -> pdk.Layer:
    """Safety-walk observations per cell and status, as dots at the cell centre."""
    lon, lat = to_wgs84(obs["cell_e"].to_numpy(dtype=float) + size / 2, obs["cell_n"].to_numpy(dtype=float) + size / 2)
    data = pd.DataFrame({"lon": np.round(lon, 5), "lat": np.round(lat, 5), "n": obs["n"].astype(int),
                         "fill": [STATUS_COLORS.get(s, HIDDEN_COLOR) for s in obs["status"]]})
    tips = pd.DataFrame([tip("Trygghetsvandring", [f"{s}: {n} iakttagelse{'r' if n != 1 else ''}"])
                         for s, n in zip(obs["status"], obs["n"])], index=data.index)
    data = pd.concat([data, tips], axis=1)
    return pdk.Layer("ScatterplotLayer", data.to_dict("records"), id="observations", pickable=True,
                     get_position=["lon", "lat"], get_fill_color="fill", get_radius="40 + 15 * n",
                     radius_min_pixels=4, stroked=True, get_line_color=[255, 255, 255], line_width_min_pixels=1)


def walk_legend() -> Legend:
    return Legend("Trygghetsvandringar: iakttagelser per ruta (större prick: fler)",
                  tuple((tuple(STATUS_COLORS[s][:3]), s) for s in ("försenad", "öppen", "åtgärdad", "avslagen")))


def layered_map(layers: list[pdk.Layer], view: pdk.ViewState | None = None, basemap: str = OFFLINE) -> pdk.Deck:
    """The deck: no tiles at all offline, or Carto's light street map online. Offline needs
    map_provider=None *and* pydeck's default map_style: pydeck then writes mapStyle "__MAP_STYLE__",
    the one value for which Streamlit loads no basemap (with map_style=None it fetches Carto's
    positron style, which fails without internet)."""
    if basemap == ONLINE:
        return CompactDeck(layers=layers, initial_view_state=view or VIEW, map_provider="carto",
                           map_style=pdk.map_styles.CARTO_LIGHT, tooltip=TOOLTIP)
    return CompactDeck(layers=layers, initial_view_state=view or VIEW, map_provider=None, tooltip=TOOLTIP)
