"""changed_weeks: the weeks of the marts that each writing transaction changed

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 09:00:00

Karta sums the map's cells in memory (lagesbild.queries.cell_columns): at 3 000 000 incidents a
county's 52 weeks are about 220 000 rows of mart_incident_cell, which SQLite groups in 0.16–0.36 s
and numpy in about 0.015 s. The copy in memory is kept in step with the store by this log: every
transaction that changes the marts adds a row with the weeks it touched (NULL: all of them, a
rebuild), so a server reads again only those weeks after an import. The first row says "all": a
server that starts reads every week once.
"""
from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    changes = op.create_table('changed_weeks',
                              sa.Column('id', sa.Integer(), nullable=False),
                              sa.Column('token', sa.String(length=64), nullable=False),
                              sa.Column('first_week', sa.Date(), nullable=True),
                              sa.Column('last_week', sa.Date(), nullable=True),
                              sa.PrimaryKeyConstraint('id', name=op.f('pk_changed_weeks')))
    op.bulk_insert(changes, [{"token": "", "first_week": None, "last_week": None}])


def downgrade() -> None:
    op.drop_table('changed_weeks')
