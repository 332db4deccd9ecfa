"""`python -m loaders fetch scb` (PxWeb API v2, JSON-stat 2) and `fetch kolada` (API v3) against
recorded responses (respx; no test reaches the internet), on SQLite and PostgreSQL; the same
JSON-stat saved as a file imports offline."""
from __future__ import annotations

import csv
import json

import httpx
import pytest
import respx
from sqlalchemy import select

from lagesbild.errors import InputError
from lagesbild.store.models import Area, AreaPopulation, AreaPopulationBand, FeedState, ImportLog, KoladaValue
from loaders.fetch import kolada, scb
from loaders.fetch.http import BadResponse, NetworkDown
from loaders.kinds import Options
from loaders.pipeline import run_import
from loaders.source import SourceFile
from tests.test_fetch_polisen import FakeClock

SCB_URL = "https://statistikdatabasen.scb.se/api/v2/tables/TAB6574/data"
BANDS = ["0-4 år", "5-9 år", "10-14 år", "15-19 år", "20-24 år", "25-29 år", "30-34 år", "35-39 år", "40-44 år",
         "45-49 år", "50-54 år", "55-59 år", "60-64 år", "65-69 år", "70-74 år", "75-79 år", "80-år"]


def jsonstat(regions: list[str], ages: list[str], years: list[str], values: list) -> dict:
    """A JSON-stat 2.0 dataset shaped as PxWeb API v2 returns it."""
    dim = lambda codes: {"category": {"index": {c: i for i, c in enumerate(codes)}, "label": {c: c for c in codes}}}  # noqa: E731
    return {"version": "2.0", "class": "dataset", "label": "Folkmängd per region efter ålder och kön",
            "id": ["Region", "Alder", "Kon", "ContentsCode", "Tid"], "size": [len(regions), len(ages), 1, 1, len(years)],
            "dimension": {"Region": dim(regions), "Alder": dim(ages), "Kon": dim(["1+2"]),
                          "ContentsCode": dim(["000007Y3"]), "Tid": dim(years)},
            "value": values}


def recorded_population(reference_data, level: str = "regso") -> tuple[dict, dict[str, int]]:
    """From SCB's real DeSO table (≈2022): Botkyrka per RegSO (as the API answers) or per DeSO
    (as a saved file may be), ages in SCB's 5-year bands plus the total."""
    with (reference_data / "scb_koppling_deso2018_regso2020.csv").open(encoding="utf-8-sig") as fh:
        key = {r["DeSO_2018"]: r["RegSOkod_2020"] for r in csv.DictReader(fh) if r["Kommun"] == "0127"}
    cells: dict[str, list[int]] = {}
    with (reference_data / "scb_deso_age_stockholms_lan.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["deso"] in key:
                region = key[r["deso"]] if level == "regso" else r["deso"]
                row = [int(r["total"])] + [int(r[b]) for b in BANDS]
                cells[region] = [a + b for a, b in zip(cells.get(region, [0] * len(row)), row)]
    regions = sorted(cells)
    values = [v for region in regions for v in cells[region]]
    totals = {}
    for deso, regso in key.items():
        totals[regso] = cells[regso][0] if level == "regso" else totals.get(regso, 0) + cells[deso][0]
    return jsonstat(regions, ["totalt", *BANDS], ["2022"], values), totals


def population(engine, year: int, level: str = "omrade") -> dict[str, int]:
    a, p = Area.__table__, AreaPopulation.__table__
    with engine.connect() as conn:
        return dict(conn.execute(select(a.c.code, p.c.population).join(p, p.c.area_id == a.c.id)
                                 .where(p.c.year == year, a.c.level == level)).all())


@respx.mock
def test_scb_population_per_regso_from_the_api(empty_engine, reference_data):
    doc, expected = recorded_population(reference_data)
    route = respx.get(SCB_URL).mock(return_value=httpx.Response(200, json=doc))
    out = scb.fetch(empty_engine, [2022], clock=FakeClock())
    assert population(empty_engine, 2022) == expected
    assert population(empty_engine, 2022)["0127R002"] == 8726  # Albydalen (DESIGN.md)
    assert sum(population(empty_engine, 2022, "kommun").values()) == 95383
    params = route.calls[0].request.url.params
    assert params["outputFormat"] == "json-stat2" and params["valueCodes[Tid]"] == "2022"
    assert params["valueCodes[Region]"].split(",")[0] == "0127R001" and len(params["valueCodes[Region]"].split(",")) == 20
    assert any("12-20" in n for n in out.result.notes)  # 5-year bands: the youth band is said to be missing
    again = scb.fetch(empty_engine, [2022], clock=FakeClock())
    assert again.result.stored.inserted == 0 and again.result.stored.updated == 0  # idempotent


def test_saved_jsonstat_file_imports_offline_per_deso(empty_engine, reference_data):
    doc, expected = recorded_population(reference_data, "deso")
    key = SourceFile("koppling.csv", (reference_data / "scb_koppling_deso2018_regso2020.csv").read_bytes())
    run_import(empty_engine, "population", SourceFile("befolkning.json", json.dumps(doc).encode()),
               Options(deso_key=key))
    assert population(empty_engine, 2022) == expected


def test_youth_band_from_single_year_ages(empty_engine):
    ages = ["totalt", *[str(a) for a in range(0, 25)]]
    values = [1000] + [10 + a for a in range(25)]
    doc = jsonstat(["0127R005"], ages, ["2024"], values)
    run_import(empty_engine, "population", SourceFile("fittja.json", json.dumps(doc).encode()), Options())
    with empty_engine.connect() as conn:
        band = conn.execute(select(AreaPopulationBand.population).join(Area, Area.id == AreaPopulationBand.area_id)
                            .where(Area.code == "0127R005", AreaPopulationBand.year == 2024)).scalar()
    assert band == sum(10 + a for a in range(12, 21)) and population(empty_engine, 2024)["0127R005"] == 1000


@respx.mock
def test_scb_failures_store_nothing(empty_engine):
    respx.get(SCB_URL).mock(side_effect=[httpx.Response(503), httpx.Response(200, json={"error": "moved"})])
    with pytest.raises(InputError):
        scb.fetch(empty_engine, [2022], clock=FakeClock())
    respx.get(SCB_URL).mock(side_effect=httpx.ConnectTimeout("timeout"))
    with pytest.raises(NetworkDown):
        scb.fetch(empty_engine, [2022], clock=FakeClock())
    assert population(empty_engine, 2022)["0127R002"] != 0  # the shipped figures stay
    with empty_engine.connect() as conn:
        assert conn.execute(select(FeedState.last_status).where(FeedState.feed == "scb")).scalar() == "fel"


KOLADA = "https://api.kolada.se/v3/data/kpi/N17457,N15428,N15507/municipality/0127,0001,0000/year/2015,2019"


def kolada_page(values, next_page=None) -> dict:
    return {"count": len(values), "values": values, **({"next_page": next_page} if next_page else {})}


def kolada_value(kpi, place, year, total, women=None):
    values = [{"gender": "T", "count": 1, "status": "", "value": total}]
    if women is not None:
        values.append({"gender": "K", "count": 1, "status": "", "value": women})
    return {"kpi": kpi, "municipality": place, "period": year, "values": values}


@respx.mock
def test_kolada_key_figures_for_kommun_county_and_country(empty_engine):
    """Botkyrka's graduation share 77 % (2015) and 91 % (2019) as seed 003 gives them; two pages."""
    respx.get(KOLADA).mock(return_value=httpx.Response(200, json=kolada_page(
        [kolada_value("N17457", "0127", 2015, 77.0, 79.5), kolada_value("N17457", "0127", 2019, 91.0)],
        next_page="https://api.kolada.se/v3/data/kpi/N17457/municipality/0127,0001,0000/year/2015,2019?page=2")))
    respx.get("https://api.kolada.se/v3/data/kpi/N17457/municipality/0127,0001,0000/year/2015,2019",
              params={"page": "2"}).mock(return_value=httpx.Response(200, json=kolada_page(
                  [kolada_value("N17457", "0001", 2019, 88.0), kolada_value("N17457", "0000", 2019, None)])))
    kolada.fetch(empty_engine, [2015, 2019], clock=FakeClock())
    kolada.fetch(empty_engine, [2015, 2019], clock=FakeClock())  # again: replaced, not doubled
    with empty_engine.connect() as conn:
        rows = conn.execute(select(KoladaValue.municipality, KoladaValue.year, KoladaValue.gender, KoladaValue.value)
                            .order_by(KoladaValue.municipality, KoladaValue.year, KoladaValue.gender)).all()
        log = conn.execute(select(ImportLog.kind, ImportLog.status, ImportLog.rows_duplicate)
                           .order_by(ImportLog.id)).all()
    assert [tuple(r) for r in rows] == [("0000", 2019, "T", None), ("0001", 2019, "T", 88.0),
                                        ("0127", 2015, "K", 79.5), ("0127", 2015, "T", 77.0), ("0127", 2019, "T", 91.0)]
    assert [tuple(r) for r in log] == [("kolada_api", "ok", 0), ("kolada_api", "ok", 5)]


@pytest.mark.parametrize("response, error", [
    (httpx.Response(200, json={"data": []}), BadResponse),
    (httpx.Response(200, json={"values": [{"kpi": "N17457", "values": []}]}), BadResponse),
    (httpx.Response(200, content=b"<html>"), BadResponse),
    (httpx.Response(404), BadResponse),
])
@respx.mock
def test_kolada_failures_store_nothing(empty_engine, response, error):
    respx.get(KOLADA).mock(return_value=response)
    with pytest.raises(error):
        kolada.fetch(empty_engine, [2015, 2019], clock=FakeClock())
    with empty_engine.connect() as conn:
        assert conn.execute(select(KoladaValue)).first() is None
