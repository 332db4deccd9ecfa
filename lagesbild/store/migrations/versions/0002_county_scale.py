"""county scale: running totals in the weekly mart, a slim monthly mart, no unused incident indexes

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21 07:00:00

- mart_incident_week.cum: running total per (area, category, source), so that a period's count is
  two index lookups (ix_mart_incident_week_cum, covering) instead of a scan of every week;
- mart_incident_combo: the (area, category, source) combinations those lookups start from;
- mart_incident_month_total: the monthly mart without place type and age group;
- ix_incidents_week and ix_incidents_month are dropped: the marts are now updated from the rows
  of each import (by primary key) and no query reads incidents by period.
Existing data is carried over: the new columns and tables are filled from the marts.
"""
from alembic import op
import sqlalchemy as sa


RUNNING_TOTALS = """
UPDATE mart_incident_week SET cum = x.cum
FROM (SELECT week_start, area_id, category_id, source,
             SUM(n) OVER (PARTITION BY area_id, category_id, source ORDER BY week_start) AS cum
      FROM mart_incident_week) AS x
WHERE mart_incident_week.week_start = x.week_start AND mart_incident_week.area_id = x.area_id
  AND mart_incident_week.category_id = x.category_id AND mart_incident_week.source = x.source
"""

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_index('ix_incidents_month')
        batch_op.drop_index('ix_incidents_week')
    with op.batch_alter_table('mart_incident_week', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cum', sa.BigInteger(), server_default='0', nullable=False))
        batch_op.create_index('ix_mart_incident_week_cum',
                              ['area_id', 'category_id', 'source', 'week_start', 'cum'], unique=False)
    op.create_table('mart_incident_combo',
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.PrimaryKeyConstraint('area_id', 'category_id', 'source', name=op.f('pk_mart_incident_combo'))
    )
    op.create_table('mart_incident_month_total',
    sa.Column('month_start', sa.Date(), nullable=False),
    sa.Column('area_id', sa.Integer(), nullable=False),
    sa.Column('category_id', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=32), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month_start', 'area_id', 'category_id', 'source',
                            name=op.f('pk_mart_incident_month_total'))
    )
    op.execute("INSERT INTO mart_incident_month_total (month_start, area_id, category_id, source, n) "
               "SELECT month_start, area_id, category_id, source, SUM(n) FROM mart_incident_month "
               "GROUP BY month_start, area_id, category_id, source")
    op.execute("INSERT INTO mart_incident_combo (area_id, category_id, source) "
               "SELECT DISTINCT area_id, category_id, source FROM mart_incident_week")
    op.execute(RUNNING_TOTALS)


def downgrade() -> None:
    op.drop_table('mart_incident_month_total')
    op.drop_table('mart_incident_combo')
    with op.batch_alter_table('mart_incident_week', schema=None) as batch_op:
        batch_op.drop_index('ix_mart_incident_week_cum')
        batch_op.drop_column('cum')
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.create_index('ix_incidents_week', ['week_start'], unique=False)
        batch_op.create_index('ix_incidents_month', ['month_start'], unique=False)
