"""Any municipality from SCB's files (`python -m lagesbild init --kommun CODE`), read from
../shared/reference-data where they are (nothing copied into the repository)."""
from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select

from lagesbild import config
from lagesbild.errors import AreaDefinitionError
from lagesbild.municipality import municipality_rows, resync_areas, build_municipality
from lagesbild.setup import ensure_database
from lagesbild.store.models import Area, AreaPopulation, Incident


def test_sodertalje_from_scb_files(reference_data):
    rows, outline = municipality_rows("0181", reference_dir=reference_data)
    assert len(rows) == 31 and {r["kommun_name"] for r in rows} == {"Södertälje"}
    by_name = {r["regso_name"]: r for r in rows}
    assert by_name["Hovsjö"]["regso_code"] == "0181R012"
    assert by_name["Hovsjö"]["socioeconomic_type"] == "1"  # SCB's index file, 2023
    assert by_name["Ronna centrum-Ronna Park-Västra Ronna"]["socioeconomic_type"] == "1"
    with (reference_data / "scb_deso_age_stockholms_lan.csv").open(encoding="utf-8") as fh:
        expected = sum(int(r["total"]) for r in csv.DictReader(fh) if r["deso"].startswith("0181"))
    assert sum(int(r["population_2022"]) for r in rows) == expected
    assert len(outline) > 20


def test_botkyrka_rebuilt_with_its_kommundel_file_matches_the_shipped_areas(reference_data):
    """The shipped area file is the example of the optional kommundelar CSV."""
    rows, _ = municipality_rows("127", reference_dir=reference_data, kommundelar=config.AREAS_FILE)
    with config.AREAS_FILE.open(encoding="utf-8") as fh:
        shipped = {r["regso_code"]: r for r in csv.DictReader(fh)}
    assert {r["regso_code"] for r in rows} == set(shipped)
    for r in rows:
        s = shipped[r["regso_code"]]
        assert (r["kommundel"], r["population_2022"], r["socioeconomic_type"]) == \
            (s["kommundel"], s["population_2022"], s["socioeconomic_type"])


@pytest.mark.parametrize("kommun, message", [("9999", "finns inte i SCB:s nyckel"),
                                             ("01x1", "fyra siffror")])
def test_unknown_kommun_is_refused(reference_data, kommun, message):
    with pytest.raises(AreaDefinitionError, match=message):
        municipality_rows(kommun, reference_dir=reference_data)


def test_missing_reference_files_are_named(tmp_path, monkeypatch):
    monkeypatch.delenv("LAGESBILD_REFERENCE_DIR", raising=False)
    with pytest.raises(AreaDefinitionError, match="koppling"):
        municipality_rows("0181", reference_dir=tmp_path)


def test_init_sets_up_a_new_store_for_the_kommun(blank_engine, reference_data):
    areas = build_municipality("0181", range(2021, 2024), reference_dir=reference_data)
    ensure_database(blank_engine, demo=False, areas=areas)
    ensure_database(blank_engine, demo=False, areas=areas)  # again: the same, nothing doubled
    with blank_engine.connect() as conn:
        levels = dict(conn.execute(select(Area.level, func.count()).group_by(Area.level)).all())
        kommun = conn.execute(select(Area.name).where(Area.level == "kommun")).scalar()
        pop = conn.execute(select(AreaPopulation.population).join(Area, Area.id == AreaPopulation.area_id)
                           .where(Area.level == "kommun", AreaPopulation.year == 2022)).scalar()
    assert levels == {"kommun": 1, "kommundel": 31, "omrade": 31, "okant": 1} and kommun == "Södertälje"
    assert pop == sum(d.population[2022] for d in areas if d.level == "omrade")


def test_a_store_of_another_kommun_is_not_overwritten(empty_engine, reference_data):
    areas = build_municipality("0181", range(2022, 2023), reference_dir=reference_data)
    with empty_engine.begin() as conn, pytest.raises(AreaDefinitionError, match="redan uppsatt för Botkyrka"):
        resync_areas(conn, areas)


def test_demo_data_for_the_second_kommun(tmp_path, reference_data):
    from lagesbild.__main__ import main
    db = f"sqlite:///{tmp_path / 'sodertalje.db'}"
    assert main(["init", "--db", db, "--kommun", "0181", "--reference-dir", str(reference_data)]) == 0
    from lagesbild.store.engine import make_engine
    engine = make_engine(db)
    with engine.connect() as conn:
        per_area = conn.execute(select(Incident.area_id, func.count()).group_by(Incident.area_id)).all()
        omraden = conn.execute(select(func.count()).select_from(Area).where(Area.level == "omrade")).scalar()
    assert len(per_area) == omraden == 31
    engine.dispose()
