"""record keys for the Cell Key Method: incidents.rkey, housing_figures.rkey, key sums in the marts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29 15:00:00

Every stored record gets a random record key (0 … 65 535, lagesbild.privacy.KEY_MODULUS); every
mart carries the sum of the record keys of its rows (`ksum`), the weekly mart also their running
total (`kcum`, in the covering index of the running-total lookups). Existing records get random
keys here; the marts are rebuilt with their key sums by lagesbild.setup.ensure_database right
after the migration (meta key `rebuild_marts`), with the same code every import uses.
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

MARTS = ("mart_incident_week", "mart_incident_month_total", "mart_incident_month", "mart_incident_cell")


def upgrade() -> None:
    for table in ("incidents", "housing_figures"):
        op.add_column(table, sa.Column('rkey', sa.Integer(), server_default='0', nullable=False))
    random_key = ("(random() & 65535)" if op.get_bind().dialect.name == "sqlite"
                  else "floor(random() * 65536)::integer")
    op.execute(f"UPDATE incidents SET rkey = {random_key}")
    op.execute(f"UPDATE housing_figures SET rkey = {random_key}")
    for table in MARTS:
        op.add_column(table, sa.Column('ksum', sa.BigInteger(), server_default='0', nullable=False))
    op.add_column('mart_incident_week', sa.Column('kcum', sa.BigInteger(), server_default='0', nullable=False))
    op.drop_index('ix_mart_incident_week_cum', table_name='mart_incident_week')
    op.create_index('ix_mart_incident_week_cum', 'mart_incident_week',
                    ['area_id', 'category_id', 'source', 'week_start', 'cum', 'kcum'], unique=False)
    meta = sa.table("meta_info", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.delete().where(meta.c.key == "rebuild_marts"))
    op.execute(meta.insert().values(key="rebuild_marts", value="0004: key sums"))


def downgrade() -> None:
    raise NotImplementedError("0004 adds record keys; restore from a backup to go back.")
