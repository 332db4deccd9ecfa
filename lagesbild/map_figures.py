"""Pure functions that build the pydeck maps: aggregated cells and areas, never single incidents."""
from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pydeck as pdk

from pydeck.bindings.json_tools import default_serialize

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


def color_scale(values: pd.Series, ramp=REDS, alpha: int = 190) -> list[list[int]]:
    """A colour per value (quantile classes); hidden (NaN) values are grey."""
    v = values.astype(float)
    finite = v.dropna()
    if finite.empty:
        return [HIDDEN_COLOR for _ in v]
    edges = np.unique(np.quantile(finite, np.linspace(0, 1, len(ramp) + 1)[1:-1]))
    classes = np.searchsorted(edges, v.to_numpy(), side="right").tolist()
    colors = [[*c, alpha] for c in ramp]
    return [HIDDEN_COLOR if x != x else list(colors[k]) for x, k in zip(v.tolist(), classes)]


def area_layer(features: list[dict], layer_id: str = "areas", filled: bool = True) -> pdk.Layer:
    """Areas as GeoJSON polygons; each feature's properties carry fill, name and tooltip text."""
    return pdk.Layer("GeoJsonLayer", {"type": "FeatureCollection", "features": features}, id=layer_id,
                     pickable=filled, stroked=True, filled=filled, get_fill_color="properties.fill",
                     get_line_color=[40, 40, 40, 200], line_width_min_pixels=1.5)


def area_features(areas: pd.DataFrame, geometries: dict[int, dict], value: str,
                  tooltip_lines: list[tuple[str, str]], ramp=REDS) -> list[dict]:
    """GeoJSON features for areas with their fill colour and the text the tooltip shows."""
    colors = color_scale(areas[value], ramp)
    feats = []
    for (_, row), fill in zip(areas.iterrows(), colors):
        geom = geometries.get(row["area_id"])
        if geom is None:
            continue
        text = "<br/>".join(f"{label}: {row[col]}" for label, col in tooltip_lines)
        feats.append({"type": "Feature", "geometry": geom,
                      "properties": {"fill": fill, "tooltip": f"<b>{row['name']}</b><br/>{text}"}})
    return feats


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


def choropleth(features: list[dict], height_px: int = 430) -> pdk.Deck:
    return CompactDeck(layers=[area_layer(features)], initial_view_state=view_for(features, height_px),
                    map_style=None, tooltip={"html": "{tooltip}"})


def cell_polygons(cells: pd.DataFrame, size: int) -> pd.DataFrame:
    """Square polygons (WGS84) of grid cells given by their SWEREF99 TM lower-left corners."""
    e, n = cells["cell_e"].to_numpy(dtype=float), cells["cell_n"].to_numpy(dtype=float)
    corners = [(e, n), (e + size, n), (e + size, n + size), (e, n + size)]
    lonlat = [to_wgs84(x, y) for x, y in corners]
    lon = np.round(np.column_stack([c[0] for c in lonlat]), 5).tolist()  # 5 decimals: about 1 m
    lat = np.round(np.column_stack([c[1] for c in lonlat]), 5).tolist()
    polys = [[[x, y] for x, y in zip(lo, la)] for lo, la in zip(lon, lat)]
    return cells.assign(polygon=polys)


def density_layer(cells: pd.DataFrame, size: int) -> pdk.Layer:
    """Grid cells coloured by event count; tooltip says what a cell is and how many events."""
    polygons = cell_polygons(cells, size)["polygon"]
    fills = color_scale(np.log1p(cells["n"].astype(float)), REDS, 200)
    records = [{"polygon": p, "fill": c, "tooltip": f"Ruta {size} × {size} m<br/>Händelser: {lab}"}
               for p, c, lab in zip(polygons, fills, cells["n_label"])]  # the records pydeck makes of a frame
    return pdk.Layer("PolygonLayer", records, id="density", pickable=True,
                     get_polygon="polygon", get_fill_color="fill", stroked=False)


def observation_layer(obs: pd.DataFrame, size: int = 250) -> pdk.Layer:
    """Safety-walk observations per cell and status, as dots at the cell centre."""
    lon, lat = to_wgs84(obs["cell_e"].to_numpy(dtype=float) + size / 2, obs["cell_n"].to_numpy(dtype=float) + size / 2)
    data = pd.DataFrame({"lon": lon, "lat": lat, "n": obs["n"].astype(int),
                         "fill": [STATUS_COLORS.get(s, HIDDEN_COLOR) for s in obs["status"]],
                         "tooltip": [f"<b>Trygghetsvandring</b><br/>{s}: {n} iakttagelse{'r' if n != 1 else ''}"
                                     for s, n in zip(obs["status"], obs["n"])]})
    return pdk.Layer("ScatterplotLayer", data, id="observations", pickable=True, get_position=["lon", "lat"],
                     get_fill_color="fill", get_radius="40 + 15 * n", radius_min_pixels=4,
                     stroked=True, get_line_color=[255, 255, 255], line_width_min_pixels=1)


def layered_map(layers: list[pdk.Layer], view: pdk.ViewState | None = None) -> pdk.Deck:
    return CompactDeck(layers=layers, initial_view_state=view or VIEW, map_style=None, tooltip={"html": "{tooltip}"})
