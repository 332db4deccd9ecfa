"""Coordinates: SWEREF99 TM (EPSG:3006) <-> WGS84, and the 250 m grid used to coarsen points."""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from pyproj import Transformer

from lagesbild import settings

CELL_SIZE_M: int = settings.value("cell_size_m")  # fixed: the stored cells are of this size


@lru_cache(maxsize=None)
def _transformer(src: int, dst: int) -> Transformer:
    return Transformer.from_crs(src, dst, always_xy=True)


def to_sweref(lon, lat):
    """WGS84 lon/lat -> SWEREF99 TM easting/northing (arrays or scalars)."""
    return _transformer(4326, 3006).transform(lon, lat)


def to_wgs84(east, north):
    """SWEREF99 TM easting/northing -> WGS84 lon/lat."""
    return _transformer(3006, 4326).transform(east, north)


def cell_of(east, north, size: int = CELL_SIZE_M):
    """Lower-left corner of the grid cell holding each point (integers, metres)."""
    e = (np.floor(np.asarray(east, dtype=float) / size) * size).astype(np.int64)
    n = (np.floor(np.asarray(north, dtype=float) / size) * size).astype(np.int64)
    return e, n


def cell_centre(cell_e, cell_n, size: int = CELL_SIZE_M):
    """Centre of cells given by their lower-left corners."""
    return np.asarray(cell_e) + size / 2, np.asarray(cell_n) + size / 2


def geom_to_sweref(geom):
    """A shapely geometry in WGS84 -> the same in SWEREF99 TM."""
    import shapely
    return shapely.transform(geom, lambda x, y: to_sweref(x, y), interleaved=False)


def geom_to_wgs84(geom):
    """A shapely geometry in SWEREF99 TM -> the same in WGS84."""
    import shapely
    return shapely.transform(geom, lambda x, y: to_wgs84(x, y), interleaved=False)
