"""Area boundaries: GeoJSON (also with the legacy `crs` member), GeoPackage, zipped Shapefile.

Uploaded content never chooses how it is read. GDAL guesses the format from the content (a VRT
document named `.geojson` is opened as a VRT, which can read server files and fetch URLs), so:

- GeoJSON is parsed here with the json module and shapely; GDAL never sees it.
- A GeoPackage must start as an SQLite file with the GeoPackage application id; a Shapefile's
  `.shp` must carry the Shapefile file code. Only then is GDAL (pyogrio) given the file, from a
  temporary directory holding nothing else, with network access and external access blocked.
- A `.prj` or a GeoJSON `crs` member is taken only as an EPSG code (or CRS84), never as a PROJ string.
"""
from __future__ import annotations

import json
import re
import struct
import tempfile
from pathlib import Path

import geopandas as gpd
import pandas as pd

from loaders.errors import UnreadableFile, refuse
from loaders.readers.ziputil import open_zip
from loaders.source import SourceFile, check_size

SUFFIXES = (".geojson", ".json", ".gpkg", ".zip")
GEOJSON_TYPES = {"FeatureCollection", "Feature"}
SQLITE_MAGIC = b"SQLite format 3\x00"
GPKG_IDS = (b"GPKG", b"GP10", b"GP11")
SHAPEFILE_CODE = 9994
SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")
EPSG_NAME = re.compile(r"^(?:urn:ogc:def:crs:)?EPSG:{1,2}(?:[\d.]*:)?(\d{4,6})$", re.IGNORECASE)
CRS84_NAME = re.compile(r"^urn:ogc:def:crs:OGC:(?:1\.3:)?CRS84$", re.IGNORECASE)
# GDAL settings while it reads an upload: no network (every HTTP request goes to a closed port),
# no /vsicurl/ probing, no SQLite virtual tables over other files.
GDAL_SAFE = {"GDAL_HTTP_PROXY": "127.0.0.1:9", "GDAL_HTTP_TIMEOUT": "1",
             "CPL_VSIL_CURL_ALLOWED_EXTENSIONS": ".invalid", "GDAL_DISABLE_READDIR_ON_OPEN": "EMPTY_DIR",
             "OGR_SQLITE_ALLOW_EXTERNAL_ACCESS": "NO",
             "GDAL_HTTP_MAX_RETRY": "0"}
WRONG_KIND = ("Gränsfiler ska vara GeoJSON (.geojson), GeoPackage (.gpkg) eller en zippad Shapefile "
              "(.zip).")


def read_boundaries(file: SourceFile) -> gpd.GeoDataFrame:
    """The features with their properties; the CRS as the file states it (None when it does not)."""
    check_size(file)
    if file.suffix not in SUFFIXES:
        raise refuse(file.name, WRONG_KIND, error=UnreadableFile)
    if file.suffix == ".zip":
        return _read_zipped_shapefile(file)
    if file.suffix == ".gpkg":
        return _read_geopackage(file)
    return read_geojson(file.name, file.data)


# GeoJSON ----------------------------------------------------------------------------------------

def read_geojson(name: str, data: bytes) -> gpd.GeoDataFrame:
    """A GeoJSON FeatureCollection (or one Feature) read without GDAL."""
    doc = _json(name, data)
    features = doc.get("features") if doc.get("type") == "FeatureCollection" else [doc]
    if not isinstance(features, list) or not all(isinstance(f, dict) for f in features):
        raise _unreadable(name, "'features' ska vara en lista av objekt")
    crs = _crs(name, doc.get("crs"))
    props, geoms = [], []
    for row, feature in enumerate(features, start=1):
        props.append(feature.get("properties") or {})
        geoms.append(_geometry(name, row, feature.get("geometry")))
    if not features:
        raise refuse(name, "Filen innehåller inga geometrier.", error=UnreadableFile)
    if not all(isinstance(p, dict) for p in props):
        raise _unreadable(name, "'properties' ska vara ett objekt")
    return gpd.GeoDataFrame(pd.DataFrame(props, index=pd.RangeIndex(len(props))), geometry=geoms, crs=crs)


def _json(name: str, data: bytes) -> dict:
    try:
        doc = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise _unreadable(name, "ingen text i UTF-8") from None
    except json.JSONDecodeError as exc:
        raise _unreadable(name, f"ingen giltig JSON, rad {exc.lineno}, tecken {exc.colno}") from None
    except RecursionError:
        raise _unreadable(name, "ingen giltig JSON, för djupt nästlad") from None
    if not isinstance(doc, dict) or doc.get("type") not in GEOJSON_TYPES:
        raise _unreadable(name, "ingen GeoJSON: 'type' ska vara 'FeatureCollection' eller 'Feature'")
    return doc


def _crs(name: str, member) -> str | None:
    """The legacy `crs` member as 'EPSG:nnnn'; None without one (RFC 7946: WGS84, or metres)."""
    if member is None:
        return None
    props = member.get("properties") if isinstance(member, dict) else None
    text = str(props.get("name", "")) if isinstance(props, dict) else ""
    if isinstance(props, dict) and member.get("type") == "EPSG" and str(props.get("code", "")).isdigit():
        text = f"EPSG:{props['code']}"
    if CRS84_NAME.match(text.strip()):
        return "EPSG:4326"
    match = EPSG_NAME.match(text.strip())
    if not match or not _known_epsg(int(match.group(1))):
        raise refuse(name, "Koordinatsystemet i filens 'crs' går inte att tolka. Ange det som "
                     "EPSG-kod (t.ex. 'EPSG:3006' för SWEREF99 TM) eller ta bort 'crs' (WGS84).",
                     column="crs", value=text[:60], error=UnreadableFile)
    return f"EPSG:{match.group(1)}"


def _known_epsg(code: int) -> bool:
    from pyproj import CRS
    from pyproj.exceptions import CRSError
    try:
        CRS.from_epsg(code)
    except CRSError:
        return False
    return True


def _geometry(name: str, row: int, geometry):
    from shapely.geometry import shape
    if geometry is None:
        return None
    try:
        return shape(geometry)
    except Exception:  # noqa: BLE001 - shapely raises many kinds for malformed coordinates
        raise refuse(name, "Geometrin går inte att läsa (fel typ eller felaktiga koordinater). "
                     "Exportera filen igen som GeoJSON.", row=row, column="geometry",
                     error=UnreadableFile) from None


# GeoPackage and Shapefile: through GDAL, after checking what the bytes are -------------------

def _read_geopackage(file: SourceFile) -> gpd.GeoDataFrame:
    head = file.data[:100]
    if not head.startswith(SQLITE_MAGIC) or head[68:72] not in GPKG_IDS:
        raise _unreadable(file.name, "ingen GeoPackage")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "upload.gpkg"
        path.write_bytes(file.data)
        return _read(file.name, path)


def _read_zipped_shapefile(file: SourceFile) -> gpd.GeoDataFrame:
    archive = open_zip(file.name, file.data, "zip-fil")
    members = [i for i in archive.infolist() if not i.is_dir() and "__macosx" not in i.filename.lower()]
    shapes = [i for i in members if i.filename.lower().endswith(".shp")]
    if len(shapes) != 1:
        raise refuse(file.name, f"Zip-filen ska innehålla exakt en Shapefile (.shp), den innehåller "
                     f"{len(shapes)}.", error=UnreadableFile)
    stem = shapes[0].filename[:-4]
    parts = {i.filename[len(stem):].lower(): i for i in members
             if i.filename.lower().startswith(stem.lower()) and i.filename[len(stem):].lower() in SHAPEFILE_PARTS}
    if ".dbf" not in parts or ".shx" not in parts:
        raise refuse(file.name, "Zip-filen ska innehålla Shapefilens alla delar (.shp, .shx och .dbf "
                     "med samma namn). Zippa alla filer med det namnet.", error=UnreadableFile)
    shp = archive.read(parts[".shp"])
    if len(shp) < 100 or struct.unpack(">i", shp[:4])[0] != SHAPEFILE_CODE:
        raise _unreadable(file.name, f"{Path(shapes[0].filename).name} är ingen Shapefile")
    with tempfile.TemporaryDirectory() as tmp:
        for suffix, member in parts.items():
            data = shp if suffix == ".shp" else archive.read(member)
            if suffix == ".prj":
                data = _checked_prj(file.name, data)
            (Path(tmp) / f"upload{suffix}").write_bytes(data)
        return _read(file.name, Path(tmp) / "upload.shp")


def _checked_prj(name: str, data: bytes) -> bytes:
    """A .prj is WKT (text starting with a CRS keyword); anything else is dropped (CRS unknown)."""
    text = data.decode("latin-1").strip()
    return data if re.match(r"^(PROJCS|GEOGCS|PROJCRS|GEOGCRS|GEODCRS|COMPD_CS)\[", text) else b""


def _read(name: str, path: Path) -> gpd.GeoDataFrame:
    import pyogrio
    pyogrio.set_gdal_config_options(GDAL_SAFE)  # process-wide on purpose: nothing here needs the network
    try:
        frame = pyogrio.read_dataframe(str(path))
    except Exception as exc:  # noqa: BLE001 - GDAL raises many kinds; all mean "unreadable"
        raise _unreadable(name, type(exc).__name__) from None
    if not isinstance(frame, gpd.GeoDataFrame) or frame.empty:
        raise refuse(name, "Filen innehåller inga geometrier.", error=UnreadableFile)
    return frame


def _unreadable(name: str, detail: str) -> UnreadableFile:
    """The refusal for content that is not the format its name says; the detail is ours, never
    text from the file or from GDAL (which may quote the file or what it points to)."""
    return refuse(name, f"Filen går inte att läsa som geodata ({detail}). Kontrollera att den är en "
                  "giltig GeoJSON (.geojson), GeoPackage (.gpkg) eller zippad Shapefile (.zip).",
                  error=UnreadableFile)
