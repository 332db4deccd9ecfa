"""changed_weeks: the weeks of the marts that each writing transaction changed

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-30 09:00:00

The map and the breakdowns by place type and age group sum the incident rows held in memory
(lagesbild.queries.facts): at 3 000 000 incidents a county's 52 weeks are about 300 000 rows,
which numpy sums in a few hundredths of a second where SQL's GROUP BY over the marts took
0.15–0.45 s. The copy is kept in step with the store by this log: every write of the marts adds a
row with the weeks it touched (NULL: all of them, a rebuild) and the import whose rows it added,
so a server reads only that import's rows (through the new index on incidents.import_id) after
an import. The first row says "all": a server that starts reads every incident once.
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
                              sa.Column('import_id', sa.Integer(), nullable=True),
                              sa.PrimaryKeyConstraint('id', name=op.f('pk_changed_weeks')))
    op.bulk_insert(changes, [{"token": "", "first_week": None, "last_week": None, "import_id": None}])
    op.create_index('ix_incidents_import_id', 'incidents', ['import_id'])


def downgrade() -> None:
    op.drop_index('ix_incidents_import_id', table_name='incidents')
    op.drop_table('changed_weeks')
