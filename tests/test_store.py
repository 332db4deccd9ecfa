"""The store: migrations give the same schema on SQLite and PostgreSQL; demo data is seeded."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
import datetime as dt

from sqlalchemy import func, inspect, select

from lagesbild.demo import demo_period
from lagesbild.store.models import Area, Base, Incident, MartIncidentWeek
from tests.conftest import DEMO_TODAY


def _schema(engine) -> dict:
    insp = inspect(engine)
    schema = {}
    for table in sorted(insp.get_table_names()):
        if table == "alembic_version":
            continue
        cols = {c["name"]: (type(c["type"]).__name__.upper().replace("BIGINTEGER", "INTEGER"),
                            c["nullable"]) for c in insp.get_columns(table)}
        uniques = sorted(tuple(u["column_names"]) for u in insp.get_unique_constraints(table))
        indexes = sorted(tuple(i["column_names"]) for i in insp.get_indexes(table)
                         if not i.get("duplicates_constraint"))
        pk = tuple(insp.get_pk_constraint(table)["constrained_columns"])
        schema[table] = (cols, uniques, indexes, pk)
    return schema


def test_migrations_match_the_models(empty_engine):
    with empty_engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_sqlite_and_postgresql_get_the_same_schema(tmp_path, pg_template):
    from lagesbild.store.engine import make_engine
    from lagesbild.setup import ensure_database
    from tests.conftest import _pg_url
    sqlite = make_engine(f"sqlite:///{tmp_path / 's.db'}")
    ensure_database(sqlite, demo=False)
    pg = make_engine(_pg_url(pg_template))
    a, b = _schema(sqlite), _schema(pg)
    assert set(a) == set(b) == set(Base.metadata.tables)
    for table in a:
        cols_a, uq_a, ix_a, pk_a = a[table]
        cols_b, uq_b, ix_b, pk_b = b[table]
        assert set(cols_a) == set(cols_b), table
        assert {k: v[1] for k, v in cols_a.items()} == {k: v[1] for k, v in cols_b.items()}, table
        assert uq_a == uq_b and ix_a == ix_b and pk_a == pk_b, table
    pg.dispose()


def test_reference_data_holds_the_areas_of_botkyrka(empty_engine):
    with empty_engine.connect() as conn:
        levels = dict(conn.execute(select(Area.level, func.count()).group_by(Area.level)).all())
    assert levels == {"kommun": 1, "kommundel": 6, "omrade": 20, "okant": 1}


def test_demo_data_covers_three_years_up_to_the_last_complete_week(demo_engine):
    start, end = demo_period(DEMO_TODAY)
    with demo_engine.connect() as conn:
        lo, hi, n = conn.execute(select(func.min(Incident.occurred_at), func.max(Incident.occurred_at),
                                        func.sum(Incident.count))).one()
        lo, hi = lo.date(), hi.date()
        mart_total = conn.execute(select(func.sum(MartIncidentWeek.n))).scalar()
        per_source = dict(conn.execute(select(Incident.source, func.count()).group_by(Incident.source)).all())
    assert str(start) == "2023-01-02" and str(end) == "2026-11-15"
    assert str(lo) == "2023-01-02" and str(hi) == "2026-11-15"
    years = (end - start).days / 365.25
    assert 13_000 < n / years < 17_000
    assert mart_total == n
    assert set(per_source) == {"polis", "kommun", "botkyrkabyggen", "raddningstjanst"}


def test_the_same_seed_gives_the_same_demo_data():
    import json

    from lagesbild import config
    from lagesbild.demo import DemoArea, fingerprint, generate_incidents, generate_walks
    from lagesbild.domain.areas import build_area_defs
    defs = [d for d in build_area_defs(config.AREAS_FILE, config.OUTLINE_FILE, range(2022, 2023)) if d.level == "omrade"]
    areas = [DemoArea(i, d.code, d.population[2022], d.socioeconomic_type, json.loads(json.dumps(d.geometry)))
             for i, d in enumerate(defs, start=1)]
    ids = {k: 1 for k in _all_demo_category_keys()}
    start, end = DEMO_TODAY.replace(month=1, day=5), DEMO_TODAY.replace(month=3, day=1)
    a, b = generate_incidents(areas, ids, start, end), generate_incidents(areas, ids, start, end)
    assert len(a) > 1000 and fingerprint(a) == fingerprint(b)
    assert fingerprint(generate_walks(areas, start, end)[1]) == fingerprint(generate_walks(areas, start, end)[1])
    assert fingerprint(generate_incidents(areas, ids, start, end, seed=1)) != fingerprint(a)


def _all_demo_category_keys():
    from lagesbild.demo_profiles import DEMO_STREAMS
    from lagesbild.domain.taxonomy import normalise_label
    return [(source, normalise_label(label)) for source, label, _, _ in DEMO_STREAMS]


def test_migration_0003_carries_incidents_and_marts_over(blank_engine):
    """A store made before 0003 (calendar columns, surrogate id, foreign keys) keeps its rows."""
    from sqlalchemy import text
    from lagesbild.store.engine import migrate
    migrate(blank_engine, "0002")
    with blank_engine.begin() as conn:
        conn.execute(text("INSERT INTO areas (id, code, name, level, geometry_schematic, sort_order) "
                          "VALUES (1, 'X', 'Xby', 'omrade', false, 0)"))
        conn.execute(text("INSERT INTO categories (id, code, name, strategic_area, sensitivity, description, "
                          "sort_order) VALUES (1, 'rån', 'Rån', 'brottsbekämpande', 'person', '', 0)"))
        conn.execute(text(
            "INSERT INTO incidents (id, occurred_at, day, iso_year, iso_week, week_start, month_start, hour, "
            "weekday, source, source_category, category_id, area_id, cell_e, cell_n, place_type, age_group, "
            "count, import_id, natural_key) VALUES (1, '2024-03-05 14:30:00', '2024-03-05', 2024, 10, "
            "'2024-03-04', '2024-03-01', 14, 2, 'polis', 'rån', 1, 1, 662000, 6570750, 'gata', '21+', 2, "
            "NULL, 'id:1')"))
        conn.execute(text("INSERT INTO mart_incident_week (week_start, area_id, category_id, source, iso_year, "
                          "iso_week, n, cum) VALUES ('2024-03-04', 1, 1, 'polis', 2024, 10, 2, 2)"))
    migrate(blank_engine)
    with blank_engine.connect() as conn:
        row = conn.execute(select(Incident.source, Incident.natural_key, Incident.occurred_at, Incident.count,
                                  Incident.cell_e, Incident.place_type)).one()
        from lagesbild.store.keys import hashed  # 0005 hashes the key
        assert tuple(row) == ("polis", hashed("1", "id:"), dt.datetime(2024, 3, 5, 14, 30), 2, 662000, "gata")
        assert conn.execute(text("SELECT n, cum FROM mart_incident_week")).one() == (2, 2)
        if blank_engine.dialect.name == "sqlite":
            schemas = conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'table' "
                                        "AND (name LIKE 'mart%' OR name = 'incidents')")).all()
            assert len(schemas) == 4 and all("WITHOUT ROWID" in sql for _, sql in schemas)
            assert conn.execute(text("SELECT COUNT(*) FROM sqlite_master WHERE type = 'index' "
                                     "AND name LIKE 'ix_mart_incident_week%'")).scalar() == 2


def test_migration_0010_fills_the_monthly_running_totals_on_the_next_start(empty_engine):
    """A store of 0009 has no monthly running totals: 0010 adds them (zero) and asks for a rebuild,
    which the next start (ensure_database) does; then `check` holds and a month's end counts right."""
    from sqlalchemy import text
    from lagesbild.setup import ensure_database
    from lagesbild.store.check import check_store
    from tests.test_integrity import incident_file
    from tests.test_loaders_support import run
    run(empty_engine, "incidents", "a.csv", incident_file(1, 40), source="polis")
    with empty_engine.begin() as conn:  # as 0010 leaves a store of 0009: zeros, a rebuild asked for
        conn.execute(text("UPDATE mart_incident_month_total SET cum = 0, kcum = 0"))
        conn.execute(text("INSERT INTO meta_info (key, value) VALUES ('rebuild_marts', '0010')"))
    assert not check_store(empty_engine).ok
    ensure_database(empty_engine, demo=False)
    assert check_store(empty_engine).ok
    with empty_engine.connect() as conn:
        last = conn.execute(text("SELECT cum FROM mart_incident_month_total ORDER BY month_start DESC LIMIT 1")).scalar()
        assert last == conn.execute(text("SELECT SUM(count) FROM incidents")).scalar()
