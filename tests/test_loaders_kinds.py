"""Safety walks, housing figures, area boundaries and population: realistic and real files."""
from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

import geopandas as gpd
import pytest
from shapely.geometry import box

from tests.test_loaders_support import csv_bytes, rows, run, scalar, snapshot, xlsx_bytes
from tests.privacy_checks import no_personal_data_left  # noqa: F401 - autouse: store and log checked after each test

WALK_HEAD = ("Vandring;Datum;Ljus;Område;Nr;Kategori;Beskrivning;Förslag till åtgärd;Ansvarig;"
             "Prioritet;Klart senast;Status;Åtgärdad datum;Motivering;Protokollförare")


def walk_protocol(status: str, fixed: str = "", reason: str = "") -> bytes:
    return csv_bytes([WALK_HEAD,
                      "TV-2024-03;2024-03-12;Mörker;Fittja;1;Belysning;Släckt gatlampa vid gångtunneln;"
                      "Byt armatur;Kommunen;Hög;2024-04-12;Ny;;;Lisa Berg",
                      f"TV-2024-03;2024-03-12;Mörker;Fittja;2;Vegetation/skymd sikt;Buskage skymmer sikten;"
                      f"Beskär;Botkyrkabyggen;Medel;2024-05-12;{status};{fixed};{reason};Lisa Berg"], "cp1252")


def test_a_newer_walk_protocol_updates_the_observation_instead_of_duplicating(empty_engine):
    first = run(empty_engine, "walks", "tv1.csv", walk_protocol("Planerad"))
    assert (first.stored.inserted, first.stored.updated) == (2, 0)
    newer = run(empty_engine, "walks", "tv2.csv", walk_protocol("Åtgärdad", "2024-04-20"))
    assert (newer.stored.inserted, newer.stored.updated, newer.stored.duplicates) == (0, 1, 1)
    assert rows(empty_engine, "select category, status from observations where fixed_on is not null") == [
        ("vegetation", "åtgärdad")]
    assert scalar(empty_engine, "select count(*) from safety_walks") == 1
    older = run(empty_engine, "walks", "tv1.csv", walk_protocol("Planerad"))
    assert (older.stored.inserted, older.stored.updated) == (0, 0)
    assert scalar(empty_engine, "select status from observations where category = 'vegetation'") == "åtgärdad"


def test_walk_protocol_as_xlsx(empty_engine):
    data = xlsx_bytes(["Datum", "Område", "Nr", "Kategori", "Beskrivning", "Ansvarig", "Prioritet", "Status",
                       "Motivering"],
                      [[dt.datetime(2024, 9, 3), "Alby", 1, "Klotter", "Klotter på elskåp", "Kommunen", "låg",
                        "Avslagen", "Ägs av Ellevio, vidarebefordrat"]])
    assert run(empty_engine, "walks", "tv.xlsx", data).stored.inserted == 1
    assert rows(empty_engine, "select light, status, status_reason from observations o "
                "join safety_walks w on w.id = o.walk_id") == [
        ("mörker", "avslagen", "Ägs av Ellevio, vidarebefordrat")]


HOUSING = ["Område;Period;Lägenheter;Vakanta;Omflyttning;Störningsärenden;Skadegörelse;Avhysningar;Förvaltare",
           "Fittja;2024-Q1;1 250;12;31;14;6;1;Kim Ek",
           "",
           "Hallunda;2024 kv1;980;4;22;9;3;0;Kim Ek",
           "Fittja;2024-Q1;1 250;12;31;14;6;1;Kim Ek"]


def test_housing_figures_with_duplicates_inside_and_across_files(empty_engine):
    data = csv_bytes(HOUSING, "cp1252")
    first = run(empty_engine, "housing", "bb.csv", data, source="botkyrkabyggen")
    assert (first.rows_read, first.stored.inserted, first.stored.duplicates) == (3, 2, 1)
    assert rows(empty_engine, "select a.name, h.period_kind, h.apartments, h.vacant from housing_figures h "
                "join areas a on a.id = h.area_id order by a.name") == [
        ("Fittja", "quarter", 1250, 12), ("Hallunda", "quarter", 980, 4)]
    again = run(empty_engine, "housing", "bb.csv", data, source="botkyrkabyggen")
    assert (again.stored.inserted, again.stored.duplicates) == (0, 3)


@pytest.mark.parametrize("text, expected", [
    ("2024-Q1", ("quarter", dt.date(2024, 1, 1), dt.date(2024, 3, 31))),
    ("Kv 4 2023", ("quarter", dt.date(2023, 10, 1), dt.date(2023, 12, 31))),
    ("2024K2", ("quarter", dt.date(2024, 4, 1), dt.date(2024, 6, 30))),
    ("2024-02", ("month", dt.date(2024, 2, 1), dt.date(2024, 2, 29))),
])
def test_housing_periods(text, expected):
    from loaders.kinds.housing import parse_period
    assert parse_period(text) == expected


def test_real_kommun_boundaries_in_sweref_with_legacy_crs_member(empty_engine, reference_data):
    data = (reference_data / "kommuner_stockholms_lan_sweref99tm.geojson").read_bytes()
    result = run(empty_engine, "areas", "kommuner.geojson", data)
    assert (result.rows_read, result.stored.updated) == (26, 1)
    assert result.notes == ["25 objekt i filen matchar inget område och hoppas över."]
    geometry = json.loads(scalar(empty_engine, "select geometry_geojson from areas where code = '0127'"))
    minx, miny, maxx, maxy = _bounds(geometry)
    assert (round(minx, 2), round(miny, 2), round(maxx, 2), round(maxy, 2)) == (17.66, 59.04, 17.98, 59.27)
    again = run(empty_engine, "areas", "kommuner.geojson", data)
    assert (again.stored.updated, again.stored.duplicates) == (0, 1)


def _bounds(geometry: dict) -> tuple:
    from shapely.geometry import shape
    return shape(geometry).bounds


def _regso_frame(crs: int) -> gpd.GeoDataFrame:
    frame = gpd.GeoDataFrame({"RegSOkod": ["0127R005", "0127R007"], "RegSO": ["Fittja", "Hallunda"]},
                             geometry=[box(17.85, 59.24, 17.87, 59.26), box(17.81, 59.24, 17.83, 59.25)],
                             crs=4326)
    return frame.to_crs(crs)


def test_geopackage_in_sweref_is_reprojected(empty_engine, tmp_path):
    path = tmp_path / "regso.gpkg"
    _regso_frame(3006).to_file(path, driver="GPKG")
    result = run(empty_engine, "areas", "regso.gpkg", path.read_bytes())
    assert result.stored.updated == 2
    geometry = json.loads(scalar(empty_engine, "select geometry_geojson from areas where code = '0127R005'"))
    assert tuple(round(v, 3) for v in _bounds(geometry)) == (17.85, 59.24, 17.87, 59.26)
    assert rows(empty_engine, "select name, level from areas where geometry_schematic = false and "
                "level <> 'okant' order by name, level") == [
        ("Fittja", "kommundel"), ("Fittja", "omrade"), ("Hallunda", "omrade")]  # Fittja: its only område


def test_zipped_shapefile(empty_engine, tmp_path):
    _regso_frame(3006).to_file(tmp_path / "regso.shp")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for part in tmp_path.glob("regso.*"):
            z.write(part, f"export/{part.name}")
    assert run(empty_engine, "areas", "regso.zip", buf.getvalue()).stored.updated == 2


SCB_EXPORT = ["\ufeff\"Folkmängden efter region och år\"", "",
              "\"region\",\"2022\",\"2023\"",
              "\"0127R005 Fittja\",7675,7702",
              "\"Botkyrka (Hallunda)\",6107,6150",
              "\"0180R001 Stockholm\",1000,1001",
              "", "\"Fotnoter:\"", "\"Källa: SCB\""]


def test_scb_export_with_bom_title_and_footer(empty_engine):
    data = ("\r\n".join(SCB_EXPORT) + "\r\n").encode("utf-8")
    result = run(empty_engine, "population", "scb.csv", data)
    # 2022 equals the shipped populations (duplicates); 2023 updates Fittja, Hallunda and the
    # kommundel Fittja (summed from its only område)
    assert (result.rows_read, result.stored.updated, result.stored.duplicates) == (3, 3, 3)
    assert result.notes == ["1 rader gäller regioner utanför kommunens områden och hoppas över."]
    assert rows(empty_engine, "select a.name, p.year, p.population from area_population p join areas a "
                "on a.id = p.area_id where a.code in ('0127R005', '0127R007') and p.year in (2022, 2023) "
                "order by a.name, p.year") == [
        ("Fittja", 2022, 7675), ("Fittja", 2023, 7702), ("Hallunda", 2022, 6107), ("Hallunda", 2023, 6150)]


def test_deso_table_through_the_scb_key(empty_engine, reference_data):
    result = run(empty_engine, "population", "age.csv",
                 (reference_data / "scb_deso_age_stockholms_lan.csv").read_bytes(), year=2024,
                 deso_key=_source(reference_data / "scb_koppling_deso2018_regso2020.csv"))
    assert result.rows_read == 1287
    assert rows(empty_engine, "select a.name, p.population from area_population p join areas a "
                "on a.id = p.area_id where p.year = 2024 and a.level <> 'omrade' order by a.sort_order") == [
        ("Botkyrka", 95383), ("Alby", 14215), ("Fittja", 7675), ("Hallunda-Norsborg", 20743),
        ("Tullinge", 20375), ("Tumba", 27654), ("Vårsta-Grödinge", 4721)]
    assert scalar(empty_engine, "select p.population from area_population p join areas a on a.id = p.area_id "
                  "where a.name = 'Albydalen' and p.year = 2024") == 8726


def _source(path):
    from loaders.source import from_path
    return from_path(path)


def test_areas_and_population_never_touch_incidents(empty_engine, reference_data):
    before = snapshot(empty_engine)
    run(empty_engine, "areas", "k.geojson", (reference_data / "kommuner_sverige_wgs84.geojson").read_bytes())
    after = snapshot(empty_engine)
    assert {k: v for k, v in after.items() if k != "geometry"} == {k: v for k, v in before.items() if k != "geometry"}
