"""fast import: a slim incidents table keyed by (source, natural_key), without foreign keys

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21 09:00:00

At county scale (millions of incidents) the import was dominated by writing each incident:
- the calendar columns (day, ISO year/week, week and month start, hour, weekday) are dropped:
  the marts are now computed from the prepared rows at import (lagesbild.store.marts.add_rows)
  and no query reads incidents by period;
- the surrogate `id` is dropped: (source, natural_key) is the primary key (the unique constraint
  it replaces was needed anyway for duplicate-safe imports), one index instead of two, and on
  SQLite the table is WITHOUT ROWID (one B-tree);
- the foreign keys to areas, categories and imports are dropped: they cost more than half of
  PostgreSQL's insert time (a trigger per row and key). The loader takes every id from those
  tables in the same transaction, and categories and areas are never deleted (sync only adds
  and updates), so the references hold by construction (tests/test_store.py checks it).
- on SQLite the marts become WITHOUT ROWID tables: a mart row is then written into one B-tree
  (its primary key) instead of two (the rowid table and the primary key index).
Existing rows are carried over.
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

KEEP = ("source", "natural_key", "occurred_at", "source_category", "category_id", "area_id",
        "cell_e", "cell_n", "place_type", "age_group", "count", "import_id")


def upgrade() -> None:
    op.create_table(
        'incidents_new',
        sa.Column('source', sa.String(length=32), nullable=False),
        sa.Column('natural_key', sa.String(length=64), nullable=False),
        sa.Column('occurred_at', sa.DateTime(), nullable=False),
        sa.Column('source_category', sa.String(length=160), nullable=False),
        sa.Column('category_id', sa.Integer(), nullable=False),
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('cell_e', sa.Integer(), nullable=True),
        sa.Column('cell_n', sa.Integer(), nullable=True),
        sa.Column('place_type', sa.String(length=32), nullable=False),
        sa.Column('age_group', sa.String(length=8), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('source', 'natural_key', name='pk_incidents_new'),
        sqlite_with_rowid=False,
    )
    cols = ", ".join(f'"{c}"' for c in KEEP)
    op.execute(f'INSERT INTO incidents_new ({cols}) SELECT {cols} FROM incidents')
    op.drop_table('incidents')
    op.rename_table('incidents_new', 'incidents')
    if op.get_bind().dialect.name == "postgresql":
        op.execute('ALTER TABLE incidents RENAME CONSTRAINT pk_incidents_new TO pk_incidents')
    else:
        _marts_without_rowid()


MARTS = ("mart_incident_week", "mart_incident_combo", "mart_incident_month_total",
         "mart_incident_month", "mart_incident_cell")


def _marts_without_rowid() -> None:
    bind = op.get_bind()
    for name in MARTS:
        create = bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (name,)).scalar()
        if create is None or "WITHOUT ROWID" in create.upper():
            continue
        indexes = [r[0] for r in bind.exec_driver_sql(
            "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? AND sql IS NOT NULL",
            (name,)).all()]
        head, paren, rest = create.partition("(")
        op.execute(f"CREATE TABLE {name}_new ({rest} WITHOUT ROWID")
        op.execute(f"INSERT INTO {name}_new SELECT * FROM {name}")
        op.execute(f"DROP TABLE {name}")
        op.execute(f"ALTER TABLE {name}_new RENAME TO {name}")
        for index in indexes:
            op.execute(index)


def downgrade() -> None:
    raise NotImplementedError("0003 drops derived columns; restore from a backup to go back.")
