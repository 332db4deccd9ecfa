"""Re-imports that must neither count twice nor lose a correction: natural keys from canonical
values, corrected housing figures, and walk protocols ordered by their date (both backends)."""
from __future__ import annotations

import pytest

from lagesbild.store.keys import hashed, id_keys, row_keys
from tests.test_loaders_kinds import WALK_HEAD
from tests.test_loaders_support import csv_bytes, rows, run, scalar

BASE = ["Tidpunkt;Kategori;Område;E;N",
        "2024-03-05 14:30;Misshandel;Fittja;662100;6570800",
        "2024-03-06 10:00;Rån;Alby;;",
        "2024-03-06 10:00;Rån;Alby;;"]


@pytest.mark.parametrize("lines", [
    pytest.param(["Tidpunkt;Kategori;Område;E;N;Anteckning",
                  "2024-03-05 14:30;Misshandel;Fittja;662100;6570800;",
                  "2024-03-06 10:00;Rån;Alby;;;", "2024-03-06 10:00;Rån;Alby;;;"], id="extra empty column"),
    pytest.param(["Tidpunkt;Kategori;Område;E;N;Åldersgrupp;Platstyp;Antal",
                  "2024-03-05 14:30;Misshandel;Fittja;662100;6570800;;;1",
                  "2024-03-06 10:00;Rån;Alby;;;;;1", "2024-03-06 10:00;Rån;Alby;;;;;01"],
                 id="empty optional fields and count spelled out"),
    pytest.param(["N;E;Område;Kategori;Tidpunkt",
                  "6570800;662100;Fittja;Misshandel;2024-03-05 14:30",
                  ";;Alby;Rån;2024-03-06 10:00", ";;Alby;Rån;2024-03-06 10:00"], id="columns reordered"),
    pytest.param(["Datum och tid;Händelsetyp;Stadsdel;Östlig koordinat;Nordlig koordinat",
                  "2024-03-05T14:30;MISSHANDEL;fittja;662100;6570800",
                  "2024-03-06 10:00;rån;Alby;;", "2024-03-06 10:00;Rån ;Alby;;"], id="other headers and spelling"),
    pytest.param(["Datum;Tid;Kategori;Område;E;N",
                  "2024-03-05;14:30;Misshandel;Fittja;662100,0;6570800",
                  "2024-03-06;10:00;Rån;Alby;;", "2024-03-06;10:00;Rån;Alby;;"], id="date and time apart"),
])
def test_the_same_rows_in_another_layout_are_not_stored_again(empty_engine, lines):
    first = run(empty_engine, "incidents", "a.csv", csv_bytes(BASE), source="polis")
    assert (first.stored.inserted, first.stored.duplicates) == (3, 0)
    again = run(empty_engine, "incidents", "b.csv", csv_bytes(lines), source="polis")
    assert (again.stored.inserted, again.stored.duplicates) == (0, 3)
    assert scalar(empty_engine, "SELECT SUM(n) FROM mart_incident_week") == 3


@pytest.mark.parametrize("raw", ["19811218-9876", "198112189876", "K-2024-0042", "  811218+9876 ", "x" * 100])
def test_a_key_holds_no_trace_of_the_id(raw):
    [key] = id_keys([raw])
    assert key.startswith("id:") and len(key) == 43
    assert key == hashed(raw.strip(), "id:")
    assert not any(part in key for part in ("811218", "9876", "K-2024", "xxx"))


def test_row_keys_count_identical_rows_and_ignore_the_frame_index():
    import pandas as pd
    frame = pd.DataFrame({"occurred_at": pd.to_datetime(["2024-03-05 14:30:59", "2024-03-05 14:30:00"]),
                          "source_category": ["rån", "rån"], "area_id": [3, 3],
                          "cell_e": pd.array([None, None], dtype="Int64"), "cell_n": pd.array([None, None], dtype="Int64"),
                          "place_type": ["okänd", "okänd"], "age_group": ["okänd", "okänd"], "count": [1, 1]},
                         index=[7, 9])
    keys = row_keys(frame)
    assert [k[-2:] for k in keys] == ["-0", "-1"] and keys[0][:-2] == keys[1][:-2]
    assert keys == row_keys(frame.reset_index(drop=True))


def test_ids_are_stored_as_hashes(empty_engine):
    data = csv_bytes(["Ärendenummer;Datum;Kategori;Område", "BB-1;2024-01-02;Klotter;Fittja"])
    run(empty_engine, "incidents", "bb.csv", data, source="botkyrkabyggen")
    assert rows(empty_engine, "SELECT natural_key FROM incidents") == [(hashed("BB-1", "id:"),)]


# --- corrected housing figures ---------------------------------------------------------------

HOUSING_HEAD = "Område;Period;Lägenheter;Vakanta;Omflyttning;Störningsärenden;Skadegörelse;Avhysningar"


def housing(disturbances: int, damage: int = 6) -> bytes:
    return csv_bytes([HOUSING_HEAD, f"Fittja;2026-Q2;1 250;12;31;{disturbances};{damage};1",
                      "Fittja;2026-Q1;1 250;12;31;40;6;1", "Alby;2026-Q2;980;4;22;9;3;0"])


@pytest.mark.parametrize("disturbances, damage, expected", [
    (72, 6, ["Fittja 2026 K2 störningsärenden 55 → 72"]),
    (72, 8, ["Fittja 2026 K2 störningsärenden 55 → 72, skadegörelse 6 → 8"]),
])
def test_a_corrected_housing_figure_updates_and_says_old_and_new(empty_engine, disturbances, damage, expected):
    run(empty_engine, "housing", "bb.csv", housing(55), source="botkyrkabyggen")
    corrected = run(empty_engine, "housing", "bb2.csv", housing(disturbances, damage), source="botkyrkabyggen")
    assert (corrected.stored.inserted, corrected.stored.duplicates, corrected.stored.updated) == (0, 2, 1)
    assert corrected.stored.corrections == expected
    assert corrected.summary().endswith(f"0 nya, 2 dubbletter, 1 rättad: {expected[0]}")
    assert rows(empty_engine, "SELECT h.disturbance_cases, h.damage FROM housing_figures h JOIN areas a "
                "ON a.id = h.area_id WHERE a.name = 'Fittja' ORDER BY h.period_start") == [(40, 6), (disturbances, damage)]
    assert scalar(empty_engine, "SELECT message FROM imports WHERE file_name = 'bb2.csv'") == f"1 rättad: {expected[0]}."
    again = run(empty_engine, "housing", "bb2.csv", housing(disturbances, damage), source="botkyrkabyggen")
    assert (again.stored.inserted, again.stored.duplicates, again.stored.corrections) == (0, 3, [])


# --- walk protocols ordered by their date ----------------------------------------------------

def protocol(responsible: str, status: str = "Planerad", fixed: str = "", first_fixed: str = "",
             protocol_date: str | None = None) -> bytes:
    head = WALK_HEAD + (";Protokolldatum" if protocol_date is not None else "")
    extra = f";{protocol_date}" if protocol_date is not None else ""
    first_status = "Åtgärdad" if first_fixed else "Ny"
    return csv_bytes([head,
                      "TV-2024-03;2024-03-12;Mörker;Fittja;1;Belysning;Släckt gatlampa;Byt armatur;Kommunen;Hög;"
                      f"2024-04-12;{first_status};{first_fixed};;Lisa Berg{extra}",
                      "TV-2024-03;2024-03-12;Mörker;Fittja;2;Vegetation/skymd sikt;Buskage skymmer sikten;Beskär;"
                      f"{responsible};Medel;2024-05-12;{status};{fixed};;Lisa Berg{extra}"], "cp1252")


def responsible(engine) -> str:
    return scalar(engine, "SELECT responsible_actor FROM observations WHERE category = 'vegetation'")


@pytest.mark.parametrize("older, newer", [
    pytest.param(protocol("Kommunen"), protocol("Botkyrkabyggen", first_fixed="2024-04-20"),
                 id="dated by a fixed date in the newer protocol"),
    pytest.param(protocol("Kommunen", protocol_date="2024-03-15"),
                 protocol("Botkyrkabyggen", protocol_date="2024-05-02"), id="protocol date column"),
])
def test_an_older_walk_protocol_never_overwrites_a_newer_one(empty_engine, older, newer):
    run(empty_engine, "walks", "tv1.csv", older)
    assert run(empty_engine, "walks", "tv2.csv", newer).stored.updated >= 1
    assert responsible(empty_engine) == "Botkyrkabyggen"
    again = run(empty_engine, "walks", "tv1.csv", older)
    assert (again.stored.inserted, again.stored.updated) == (0, 0)
    assert responsible(empty_engine) == "Botkyrkabyggen"
    assert scalar(empty_engine, "SELECT COUNT(*) FROM observations") == 2


def test_a_newer_walk_protocol_imported_first_is_kept(empty_engine):
    run(empty_engine, "walks", "tv2.csv", protocol("Botkyrkabyggen", protocol_date="2024-05-02"))
    assert run(empty_engine, "walks", "tv1.csv", protocol("Kommunen", protocol_date="2024-03-15")).stored.updated == 0
    assert responsible(empty_engine) == "Botkyrkabyggen"
    later = run(empty_engine, "walks", "tv3.csv", protocol("Fältgruppen", protocol_date="2024-06-01"))
    assert later.stored.updated == 1 and responsible(empty_engine) == "Fältgruppen"


# --- stores made before the keys were hashed (migration 0005) ------------------------------------

INCIDENT_COLUMNS = ["source", "occurred_at", "source_category", "category_id", "area_id", "cell_e", "cell_n",
                    "place_type", "age_group", "count", "import_id"]


def test_migration_0005_rewrites_stored_keys_as_the_loaders_make_them(empty_engine, blank_engine):
    """Rows stored with the old keys (raw ids, hashes of raw rows, raw walk ids) get exactly the
    keys today's loaders give the same files, so re-importing an old file adds nothing."""
    from sqlalchemy import text
    from lagesbild.store.engine import migrate
    from tests.test_loaders_kinds import walk_protocol
    run(empty_engine, "incidents", "a.csv", csv_bytes(BASE), source="polis")
    run(empty_engine, "incidents", "bb.csv", csv_bytes(["Ärendenummer;Datum;Kategori;Område",
                                                         "BB-1;2024-01-02;Klotter;Fittja"]), source="botkyrkabyggen")
    run(empty_engine, "walks", "tv.csv", walk_protocol("Åtgärdad", "2024-04-20"))
    incidents = rows(empty_engine, f"SELECT natural_key, {', '.join(INCIDENT_COLUMNS)} FROM incidents "
                     "ORDER BY source, occurred_at, natural_key")
    old_keys = {"botkyrkabyggen": ["id:BB-1"], "polis": ["row:aaa-0", "row:bbb-0", "row:bbb-1"]}
    migrate(blank_engine, "0003")
    with blank_engine.begin() as conn:
        conn.execute(text("INSERT INTO areas (id, code, name, level, geometry_schematic, sort_order) "
                          "VALUES (1, 'X', 'Xby', 'omrade', false, 0)"))
        for (key, *values), old in zip(incidents, old_keys["botkyrkabyggen"] + old_keys["polis"]):
            conn.execute(text(f"INSERT INTO incidents (natural_key, {', '.join(INCIDENT_COLUMNS)}) VALUES "
                              f"(:key, {', '.join(':' + c for c in INCIDENT_COLUMNS)})"),
                         {"key": old, **dict(zip(INCIDENT_COLUMNS, values))})
        conn.execute(text("INSERT INTO safety_walks (id, walk_key, walked_on, light, area_id, organisations) "
                          "VALUES (1, 'walk:TV-2024-03', '2024-03-12', 'mörker', 1, '')"))
        for nr, fixed in (("1", None), ("2", "2024-04-20")):
            conn.execute(text("INSERT INTO observations (walk_id, obs_key, area_id, category, description, "
                              "proposed_action, responsible_actor, priority, status, status_reason, fixed_on) VALUES "
                              "(1, :key, 1, 'belysning', '', '', 'Kommunen', 'hög', 'ny', '', :fixed)"),
                         {"key": f"walk:TV-2024-03/{nr}", "fixed": fixed})
    migrate(blank_engine)
    key_sql = "SELECT natural_key FROM incidents ORDER BY source, occurred_at, natural_key"
    assert rows(blank_engine, key_sql) == rows(empty_engine, key_sql)
    assert rows(blank_engine, "SELECT walk_key FROM safety_walks") == rows(empty_engine, "SELECT walk_key FROM safety_walks")
    obs_sql = "SELECT obs_key FROM observations ORDER BY obs_key"
    assert rows(blank_engine, obs_sql) == rows(empty_engine, obs_sql)
    assert [str(d) for (d,) in rows(blank_engine, "SELECT protocol_date FROM observations ORDER BY fixed_on")] in (
        ["2024-04-20", "2024-03-12"], ["2024-03-12", "2024-04-20"])


def test_a_newer_protocol_without_changes_still_dates_the_observation(empty_engine):
    run(empty_engine, "walks", "tv1.csv", protocol("Kommunen", protocol_date="2024-03-15"))
    same = run(empty_engine, "walks", "tv2.csv", protocol("Kommunen", protocol_date="2024-05-02"))
    assert (same.stored.updated, same.stored.duplicates) == (0, 2)
    assert run(empty_engine, "walks", "tv0.csv", protocol("Fältgruppen", protocol_date="2024-04-01")).stored.updated == 0
    assert responsible(empty_engine) == "Kommunen"
