"""fetched feeds: feed state, Kolada key figures, population per age band

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 15:40:00

- feed_state: per fetched feed the last attempt and success, its message and the call times
  of the last hour (the rate limit of polisen.se holds across processes).
- kolada_values: Kolada key figures per municipality, year and gender (fetched from api.kolada.se).
- area_population_band: population of an age band ('12-20') per area and year.
"""
from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'feed_state',
        sa.Column('feed', sa.String(length=32), nullable=False),
        sa.Column('last_attempt_at', sa.DateTime(), nullable=True),
        sa.Column('last_success_at', sa.DateTime(), nullable=True),
        sa.Column('last_status', sa.String(length=16), nullable=False),
        sa.Column('last_message', sa.Text(), nullable=False),
        sa.Column('last_import_id', sa.Integer(), nullable=True),
        sa.Column('recent_calls', sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint('feed', name=op.f('pk_feed_state')))
    op.create_table(
        'kolada_values',
        sa.Column('kpi', sa.String(length=16), nullable=False),
        sa.Column('municipality', sa.String(length=8), nullable=False),
        sa.Column('year', sa.SmallInteger(), nullable=False),
        sa.Column('gender', sa.String(length=1), nullable=False),
        sa.Column('value', sa.Float(), nullable=True),
        sa.Column('import_id', sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint('kpi', 'municipality', 'year', 'gender', name=op.f('pk_kolada_values')))
    op.create_table(
        'area_population_band',
        sa.Column('area_id', sa.Integer(), nullable=False),
        sa.Column('year', sa.SmallInteger(), nullable=False),
        sa.Column('band', sa.String(length=8), nullable=False),
        sa.Column('population', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['area_id'], ['areas.id'],
                                name=op.f('fk_area_population_band_area_id_areas')),
        sa.PrimaryKeyConstraint('area_id', 'year', 'band', name=op.f('pk_area_population_band')))


def downgrade() -> None:
    op.drop_table('area_population_band')
    op.drop_table('kolada_values')
    op.drop_table('feed_state')
