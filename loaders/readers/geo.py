"""Area boundaries: GeoJSON (also with the legacy `crs` member), GeoPackage, zipped Shapefile."""
from __future__ import annotations

import tempfile
from pathlib import Path

import geopandas as gpd

from loaders.errors import UnreadableFile, refuse
from loaders.readers.ziputil import open_zip
from loaders.source import SourceFile, check_size

SUFFIXES = (".geojson", ".json", ".gpkg", ".zip")


def read_boundaries(file: SourceFile) -> gpd.GeoDataFrame:
    """The features with their properties; the CRS as the file states it (None when it does not)."""
    check_size(file)
    if file.suffix not in SUFFIXES:
        raise refuse(file.name, "Gränsfiler ska vara GeoJSON (.geojson), GeoPackage (.gpkg) eller "
                     "en zippad Shapefile (.zip).", error=UnreadableFile)
    if file.suffix == ".zip":
        return _read_zipped_shapefile(file)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"upload{file.suffix}"
        path.write_bytes(file.data)
        return _read(file.name, str(path))


def _read(name: str, source) -> gpd.GeoDataFrame:
    import pyogrio
    try:
        frame = pyogrio.read_dataframe(source)
    except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds; all mean "unreadable"
        detail = str(exc).splitlines()[0][:160] if str(exc) else type(exc).__name__
        raise refuse(name, f"Filen går inte att läsa som geodata ({detail}). Kontrollera att den "
                     "är en giltig GeoJSON, GeoPackage eller zippad Shapefile.",
                     error=UnreadableFile) from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        raise refuse(name, "Filen innehåller inga geometrier.", error=UnreadableFile)
    return frame


def _read_zipped_shapefile(file: SourceFile) -> gpd.GeoDataFrame:
    archive = open_zip(file.name, file.data, "zip-fil")
    shapes = [n for n in archive.namelist() if n.lower().endswith(".shp") and "__macosx" not in n.lower()]
    if len(shapes) != 1:
        raise refuse(file.name, f"Zip-filen ska innehålla exakt en Shapefile (.shp), den innehåller "
                     f"{len(shapes)}.", error=UnreadableFile)
    with tempfile.TemporaryDirectory() as tmp:
        for member in archive.infolist():
            target = Path(tmp) / Path(member.filename).name
            if not member.is_dir() and target.name:
                target.write_bytes(archive.read(member))
        return _read(file.name, str(Path(tmp) / Path(shapes[0]).name))
