"""hashed natural keys and the protocol date of observations

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 15:00:00

- observations.protocol_date: the date of the walk protocol that last set an observation's
  fields, so that an older protocol imported later never overwrites a newer one's (backfilled
  with the later of the walk date and the fixed date).
- Natural keys become hashes of canonical values (lagesbild.store.keys): the stored keys are
  rewritten in the new form, so a file imported before this revision is still recognised:
  incidents 'id:<raw id>' -> 'id:<hash>', 'row:<hash of the raw row>' -> 'row:<hash of the
  stored canonical values>'; walks 'walk:<raw id>' -> 'walk:<hash>'; observations '<walk key>/<nr>'
  -> 'obs:<hash>'. Keys that were hashes already (ids longer than the key column) stay.
  The rewrite is not undone by a downgrade (the raw ids are not kept anywhere).
"""
from __future__ import annotations

import re

import pandas as pd
import sqlalchemy as sa
from alembic import op

from lagesbild.store.keys import hashed, row_keys

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

HASHED_ID = re.compile(r"^id:[a-p]{40}$")
HASHED_WALK = re.compile(r"^walk:[a-p]{40}$")
ROW_COLUMNS = ["source", "natural_key", "import_id", "occurred_at", "source_category", "area_id",
               "cell_e", "cell_n", "place_type", "age_group", "count"]


def upgrade() -> None:
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('protocol_date', sa.Date(), nullable=True))
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE observations SET protocol_date = (SELECT w.walked_on FROM safety_walks w "
                         "WHERE w.id = observations.walk_id)"))
    conn.execute(sa.text("UPDATE observations SET protocol_date = fixed_on "
                         "WHERE fixed_on IS NOT NULL AND (protocol_date IS NULL OR fixed_on > protocol_date)"))
    _rekey_incidents(conn)
    _rekey_walks(conn)


def downgrade() -> None:
    with op.batch_alter_table('observations', schema=None) as batch_op:
        batch_op.drop_column('protocol_date')


def _rekey_incidents(conn) -> None:
    result = conn.execute(sa.text(f"SELECT {', '.join(ROW_COLUMNS)} FROM incidents "
                                  "WHERE natural_key LIKE 'id:%' OR natural_key LIKE 'row:%'"))
    rows = pd.DataFrame(result.fetchall(), columns=ROW_COLUMNS)
    if rows.empty:
        return
    changes = []
    ids = rows[rows["natural_key"].str.startswith("id:")]
    changes += [(s, old, hashed(old[3:], "id:")) for s, old in zip(ids["source"], ids["natural_key"])
                if not HASHED_ID.match(old)]
    plain = rows[rows["natural_key"].str.startswith("row:")].sort_values(["source", "import_id", "natural_key"])
    for source, part in plain.groupby("source"):
        part = part.assign(occurred_at=pd.to_datetime(part["occurred_at"], format="ISO8601"))
        changes += list(zip([source] * len(part), part["natural_key"], row_keys(part)))
    _update(conn, "incidents", "natural_key",
            [{"s": s, "old": old, "new": new} for s, old, new in changes if old != new], "source = :s AND ")


def _rekey_walks(conn) -> None:
    walks = conn.execute(sa.text("SELECT id, walk_key FROM safety_walks WHERE walk_key LIKE 'walk:%'")).all()
    new_walk = {i: (k if HASHED_WALK.match(k) else hashed(k[5:], "walk:")) for i, k in walks}
    old_walk = dict(walks)
    observations = conn.execute(sa.text("SELECT walk_id, obs_key FROM observations")).all()
    obs_changes = []
    for walk_id, key in observations:
        old = old_walk.get(walk_id)
        if old is not None and key.startswith(old + "/"):
            obs_changes.append({"old": key, "new": hashed(f"{new_walk[walk_id]}/{key[len(old) + 1:]}", "obs:")})
    _update(conn, "observations", "obs_key", obs_changes)
    _update(conn, "safety_walks", "walk_key",
            [{"old": old_walk[i], "new": new} for i, new in new_walk.items() if new != old_walk[i]])


def _update(conn, table: str, column: str, changes: list[dict], where: str = "") -> None:
    if changes:
        conn.execute(sa.text(f"UPDATE {table} SET {column} = :new WHERE {where}{column} = :old"), changes)
