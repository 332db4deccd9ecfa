"""actions (insatser), their follow-up notes and history, and outcome indicators

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-29 15:22:01

New tables only (issue 14): `actions` (one row per decided action; its areas and targets as codes),
`action_notes` (återkoppling with dates), `action_changes` (who changed which field when;
`changed_by` is filled in by the sign-in work of issue 15) and `outcome_indicators` (yearly
values per kommun, area or comparison region, imported from Kolada's export or a plain CSV).
"""
from alembic import op
import sqlalchemy as sa


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('responsible_actor', sa.String(length=80), nullable=False),
    sa.Column('area_codes', sa.Text(), nullable=False),
    sa.Column('targets', sa.Text(), nullable=False),
    sa.Column('observation_keys', sa.Text(), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_reason', sa.Text(), nullable=False),
    sa.Column('est_step', sa.String(length=16), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('follow_up_on', sa.Date(), nullable=True),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_actions_import_id_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions')),
    sa.UniqueConstraint('action_key', name=op.f('uq_actions_action_key'))
    )
    op.create_table('outcome_indicators',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('indicator', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('region_code', sa.String(length=32), nullable=False),
    sa.Column('region_kind', sa.String(length=16), nullable=False),
    sa.Column('region_name', sa.String(length=120), nullable=False),
    sa.Column('year', sa.SmallInteger(), nullable=False),
    sa.Column('gender', sa.String(length=1), nullable=False),
    sa.Column('value', sa.Float(), nullable=False),
    sa.Column('unit', sa.String(length=16), nullable=False),
    sa.Column('strategic_area', sa.String(length=40), nullable=True),
    sa.Column('focus_area', sa.String(length=40), nullable=True),
    sa.Column('source', sa.String(length=200), nullable=False),
    sa.Column('demo', sa.Boolean(), nullable=False),
    sa.Column('import_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['import_id'], ['imports.id'], name=op.f('fk_outcome_indicators_import_id_imports')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outcome_indicators')),
    sa.UniqueConstraint('indicator', 'region_code', 'year', 'gender', name=op.f('uq_outcome_indicators_indicator'))
    )
    op.create_table('action_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('changed_at', sa.DateTime(), nullable=False),
    sa.Column('changed_by', sa.String(length=120), nullable=True),
    sa.Column('via', sa.String(length=16), nullable=False),
    sa.Column('field', sa.String(length=40), nullable=False),
    sa.Column('old_value', sa.Text(), nullable=True),
    sa.Column('new_value', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_changes_action_id_actions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_changes'))
    )
    with op.batch_alter_table('action_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_changes_action_id'), ['action_id'], unique=False)

    op.create_table('action_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('noted_on', sa.Date(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('changed_by', sa.String(length=120), nullable=True),
    sa.ForeignKeyConstraint(['action_id'], ['actions.id'], name=op.f('fk_action_notes_action_id_actions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_notes'))
    )
    with op.batch_alter_table('action_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_notes_action_id'), ['action_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('action_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_notes_action_id'))

    op.drop_table('action_notes')
    with op.batch_alter_table('action_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_changes_action_id'))

    op.drop_table('action_changes')
    op.drop_table('outcome_indicators')
    op.drop_table('actions')
