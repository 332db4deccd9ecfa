"""drop mart_incident_month and mart_incident_cell: nothing reads them

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-30 10:00:00

The map and the breakdowns by place type and age group sum the incident rows held in memory
(lagesbild.queries.facts), to the exact day; these two marts held nearly one row per incident
(2.5 M and 2.1 M rows for 3 M incidents, about half of a SQLite store) and were written by every
import. The downgrade makes them anew and asks the next start for a rebuild (meta key
`rebuild_marts`), as 0011 did.
"""
from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table('mart_incident_month')
    op.drop_table('mart_incident_cell')


def downgrade() -> None:
    op.create_table('mart_incident_month',
                    sa.Column('month_start', sa.Date(), nullable=False),
                    sa.Column('area_id', sa.Integer(), nullable=False),
                    sa.Column('category_id', sa.Integer(), nullable=False),
                    sa.Column('source', sa.String(length=32), nullable=False),
                    sa.Column('place_type', sa.String(length=32), nullable=False),
                    sa.Column('age_group', sa.String(length=8), nullable=False),
                    sa.Column('n', sa.Integer(), nullable=False),
                    sa.Column('ksum', sa.BigInteger(), server_default='0', nullable=False),
                    sa.PrimaryKeyConstraint('month_start', 'area_id', 'category_id', 'source', 'place_type',
                                            'age_group', name=op.f('pk_mart_incident_month')),
                    sqlite_with_rowid=False)
    op.create_table('mart_incident_cell',
                    sa.Column('week_start', sa.Date(), nullable=False),
                    sa.Column('category_id', sa.Integer(), nullable=False),
                    sa.Column('cell_e', sa.Integer(), nullable=False),
                    sa.Column('cell_n', sa.Integer(), nullable=False),
                    sa.Column('area_id', sa.Integer(), nullable=False),
                    sa.Column('source', sa.String(length=32), nullable=False),
                    sa.Column('n', sa.Integer(), nullable=False),
                    sa.Column('ksum', sa.BigInteger(), server_default='0', nullable=False),
                    sa.PrimaryKeyConstraint('week_start', 'category_id', 'cell_e', 'cell_n', 'area_id', 'source',
                                            name=op.f('pk_mart_incident_cell')),
                    sqlite_with_rowid=False)
    meta = sa.table("meta_info", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(meta.delete().where(meta.c.key == "rebuild_marts"))
    op.execute(meta.insert().values(key="rebuild_marts", value="0013 downgraded: marts by place type and cell"))
