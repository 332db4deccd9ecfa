"""an index on incidents.occurred_at: the edge days of exact-date periods

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29 19:20:00

Every page counts exactly the dates its "Urval" line states (issue 12). Whole ISO weeks and
months come from the marts; the few days of a period that neither a week nor a month covers
(Karta's first and last month, a custom period that starts mid-week) are read from the incident
rows by date. Without an index that read is a scan of every incident: at 3 000 000 incidents on
SQLite Karta's 52 weeks took 0.77 s and Översikt's "Förra året" 0.89 s; with it 0.43 s and 0.23 s.
"""
from alembic import op


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('ix_incidents_occurred_at', 'incidents', ['occurred_at'])


def downgrade() -> None:
    op.drop_index('ix_incidents_occurred_at', table_name='incidents')
