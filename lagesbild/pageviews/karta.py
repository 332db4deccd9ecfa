"""Karta's view: grid density, area outlines and names, safety walks and housing, with legends."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from lagesbild import formatting as fmt
from lagesbild import map_figures
from lagesbild.domain.geo import CELL_SIZE_M
from lagesbild.privacy import Policy
from lagesbild.queries.filters import Filters

MAP_HEIGHT = 620
BORDER_FILL = [255, 255, 255, 1]  # all but invisible, yet pickable: a click on an area selects it


@dataclass(frozen=True)
class KartaView:
    deck: object  # pydeck.Deck
    legends_html: tuple[str, ...]
    caption: str
    empty_warning: str | None
    cells_metric: str
    events_metric: str


def outline_features(areas: pd.DataFrame, geometries: dict[int, dict]) -> list[dict]:
    """The områden as outlines with their names (tooltip: the name; a click selects the area)."""
    omr = areas[areas.level == "omrade"].rename(columns={"id": "area_id"})
    return map_figures.area_features(omr, geometries, None, [], fill=BORDER_FILL)


def chosen_outlines(f: Filters, areas: pd.DataFrame, geometries: dict[int, dict]) -> list[dict]:
    """The områden the area filter chose (an område, or the områden of a chosen kommundel)."""
    if not f.areas:
        return []
    ids = set(areas[areas.code.isin(f.areas)]["id"])
    omr = areas[(areas.level == "omrade") & (areas["id"].isin(ids) | areas["parent_id"].isin(ids))]
    return map_figures.area_features(omr.rename(columns={"id": "area_id"}), geometries, None, [], fill=[0, 0, 0, 0])


def housing_features(signals: pd.DataFrame, areas: pd.DataFrame, geometries: dict[int, dict]) -> list[dict]:
    codes = dict(zip(areas["id"], areas["code"]))
    shown = signals.assign(name=signals["area"], code=signals["area_id"].map(codes),
                           per100=[fmt.number(v, 1) for v in signals["disturbance_cases_per_100"]])
    return map_figures.area_features(shown, geometries, "disturbance_cases_per_100",
                                     [("Störningsärenden per 100 lgh", "per100")], map_figures.BLUES)


def caption(f: Filters, size: int, policy: Policy, show_walks: bool) -> str:
    legend = [f"Rutor: {fmt.number(size)} × {fmt.number(size)} m, händelser {fmt.date_range(f.start, f.end)}"]
    if size > CELL_SIZE_M:
        legend.append("rutorna är sammanslagna eftersom urvalet annars blir för stort att visa")
    legend.append(f"rutor med färre än {policy.k} personrelaterade händelser visas inte")
    if show_walks:
        legend.append("prickar: trygghetsvandringar (röd försenad, gul öppen, grön åtgärdad, grå avslagen)")
    return "; ".join(legend) + "."


def build(f: Filters, cells: pd.DataFrame, policy: Policy, areas: pd.DataFrame, omrade_geoms: dict[int, dict],
          kommun_geoms: dict[int, dict], *, walk_cells: pd.DataFrame | None = None,
          housing: pd.DataFrame | None = None, show_borders: bool = True,
          basemap: str = map_figures.OFFLINE) -> KartaView:
    size = cells.attrs.get("cell_size", CELL_SIZE_M)
    kommun = [{"type": "Feature", "geometry": g, "properties": {}} for g in kommun_geoms.values()]
    layers = map_figures.base_layers(kommun) if basemap == map_figures.OFFLINE else []
    legends = []
    if housing is not None and not housing.empty:
        layers.append(map_figures.area_layer(housing_features(housing, areas, omrade_geoms), "housing"))
        legends.append(map_figures.legend_html(map_figures.legend(
            housing["disturbance_cases_per_100"], "Boende: störningsärenden per 100 lägenheter", map_figures.BLUES, 1)))
    outlines = outline_features(areas, omrade_geoms) if show_borders else []
    if outlines:
        layers.append(map_figures.area_layer(outlines, "borders"))
    if not cells.empty:
        layers.append(map_figures.density_layer(cells, size))
        legends.insert(0, map_figures.legend_html(map_figures.density_legend(cells, size)))
    chosen = chosen_outlines(f, areas, omrade_geoms)
    if chosen:
        layers.append(map_figures.area_layer(chosen, "chosen", filled=False, line_color=(20, 20, 20, 255), line_px=3.5))
    if walk_cells is not None and not walk_cells.empty:
        layers.append(map_figures.observation_layer(walk_cells))
        legends.append(map_figures.legend_html(map_figures.walk_legend()))
    view = map_figures.view_for(chosen or kommun, MAP_HEIGHT, 1100)
    if outlines:
        layers.append(map_figures.label_layer(outlines, view.zoom, size_px=14))
    return KartaView(
        deck=map_figures.layered_map(layers, view, basemap),
        legends_html=tuple(legends),
        caption=caption(f, size, policy, walk_cells is not None),
        empty_warning=None if not cells.empty else "Inga händelser med plats i urvalet. Välj en längre period eller färre filter.",
        cells_metric=fmt.number(len(cells)),
        events_metric=fmt.number(cells["n"].sum()) if not cells.empty else "0",
    )
