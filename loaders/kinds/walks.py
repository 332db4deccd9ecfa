"""Safety-walk protocols (trygghetsvandringar): one row per observation, walk columns repeated.

Keys: hashes of the walk's id column (else date + area + light) and the observation's number
within the walk (lagesbild.store.keys). A newer protocol with the same observation updates its status, fixed date, reason,
deadline and responsible actor; a status never goes back (åtgärdad/avslagen -> ny is skipped).
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, select, update

from lagesbild.domain.taxonomy import normalise_label
from lagesbild.domain.vocab import LIGHT, PRIORITIES, WALK_CATEGORIES, WALK_STATUSES
from lagesbild.store.bulk import insert_ignore
from lagesbild.store.models import Observation, SafetyWalk
from lagesbild.store.keys import hashed
from loaders.kinds import Options, Prepared, Stored
from loaders.kinds.common import cells, coordinates, gate, place_rows, raise_all, read_mapped, unplaced_note
from loaders.place import load_index
from loaders.source import SourceFile
from loaders.values import Collector, parse_date

KIND = "walks"
FIELDS = {"walk_id", "walk_date", "light", "area", "organisations", "obs_id", "east", "north", "lon",
          "lat", "place", "category", "description", "proposed_action", "responsible", "priority",
          "deadline", "status", "status_reason", "fixed_on", "protocol_date"}
REQUIRED = [("walk_date",), ("obs_id",), ("category",), ("status",), ("responsible",), ("priority",)]
TYPED = {"walk_date", "east", "north", "lon", "lat", "deadline", "fixed_on", "protocol_date"}
STATUS_RANK = {"ny": 0, "planerad": 1, "åtgärdad": 2, "avslagen": 2}
UPDATABLE = ["status", "fixed_on", "status_reason", "deadline", "responsible_actor", "priority",
             "proposed_action"]
AS_OF = "protocol_date"
LIGHT_ALIASES = {"dag": "dagsljus", "ljust": "dagsljus", "kväll": "mörker", "mörkt": "mörker"}


def _vocab(problems, f, h, field, vocab, aliases=None, default=None) -> pd.Series:
    lookup = {normalise_label(k): k for k in vocab} | {normalise_label(v): k for k, v in vocab.items()}
    lookup |= {normalise_label(k): v for k, v in (aliases or {}).items()}

    def parse(value):
        if not str(value).strip() and default:
            return default
        code = lookup.get(normalise_label(value))
        if code is None:
            raise ValueError("Okänt värde. Använd ett av: " + ", ".join(vocab.values()) + ".")
        return code
    return problems.convert(f[field], parse, h[field]) if field in f else pd.Series(default, index=f.index)


def _optional_dates(problems, f, h, field) -> pd.Series:
    if field not in f:
        return pd.Series(None, index=f.index, dtype=object)
    present = f[field][f[field].str.strip() != ""]
    out = pd.Series(None, index=f.index, dtype=object)
    out[present.index] = problems.convert(present, parse_date, h[field])
    return out


def prepare(conn: Connection, file: SourceFile, options: Options) -> Prepared:
    mapped = read_mapped(file, KIND, options.source, options.mapping, FIELDS, REQUIRED, TYPED)
    f, h = mapped.frame, mapped.headers
    found, problems = gate(file.name, mapped), Collector(file.name)
    text = lambda name: f[name] if name in f else pd.Series("", index=f.index)  # noqa: E731
    walked = problems.convert(f["walk_date"], parse_date, h["walk_date"])
    obs = pd.DataFrame({
        "category": _vocab(problems, f, h, "category", WALK_CATEGORIES,
                           {"vegetation/skymd sikt": "vegetation", "skymd sikt": "vegetation"}),
        "status": _vocab(problems, f, h, "status", WALK_STATUSES),
        "priority": _vocab(problems, f, h, "priority", PRIORITIES),
        "deadline": _optional_dates(problems, f, h, "deadline"),
        "fixed_on": _optional_dates(problems, f, h, "fixed_on"),
        "description": text("description"), "proposed_action": text("proposed_action"),
        "responsible_actor": text("responsible").str[:80], "status_reason": text("status_reason"),
    }, index=f.index)
    light = _vocab(problems, f, h, "light", LIGHT, LIGHT_ALIASES, default="mörker")
    east, north = coordinates(problems, mapped)
    _check_status(problems, obs, walked, h)
    raise_all(found, problems)
    index = load_index(conn)
    walk_keys = _walk_keys(f, walked, light)
    obs["obs_key"] = [hashed(f"{w}/{o.strip()}", "obs:") for w, o in zip(walk_keys, f["obs_id"])]
    obs["walk_key"] = walk_keys
    obs["area_id"] = place_rows(index, f, east, north)
    obs["cell_e"], obs["cell_n"] = cells(east, north)
    obs[AS_OF] = _protocol_dates(problems, f, h, walked, obs["fixed_on"])
    walks = pd.DataFrame({"walk_key": walk_keys, "walked_on": walked, "light": light,
                          "area_id": obs["area_id"], "organisations": text("organisations")},
                         index=f.index).drop_duplicates("walk_key")
    _check_repeats(problems, obs)
    problems.raise_if_any()
    names = {i: a.name for i, a in index.areas.items()}
    preview = obs.assign(område=obs["area_id"].map(names)).drop(columns=["area_id", "cell_e", "cell_n"])
    return Prepared(KIND, file, options.source, len(f), {"observations": obs, "walks": walks},
                    preview, unplaced_note(list(obs["area_id"]), index))


def _protocol_dates(problems: Collector, f, h, walked: pd.Series, fixed: pd.Series) -> pd.Series:
    """The protocol's date per row: its own `protocol_date` cell, else the latest walk or fixed
    date anywhere in the file (the date the protocol was at least written on)."""
    latest = max([d for d in list(walked) + list(fixed) if d is not None and d == d], default=None)
    given = _optional_dates(problems, f, h, AS_OF)
    return given.where(given.notna(), latest)


def _walk_keys(f, walked, light) -> list[str]:
    if "walk_id" in f and (f["walk_id"].str.strip() != "").all():
        return [hashed(v.strip(), "walk:") for v in f["walk_id"]]
    area = f["area"] if "area" in f else pd.Series("", index=f.index)
    return [hashed(f"{d}/{normalise_label(a)}/{li}", "walk:") for d, a, li in zip(walked, area, light)]


def _check_status(problems: Collector, obs: pd.DataFrame, walked: pd.Series, h) -> None:
    for row, record in zip(obs.index, obs.to_dict("records")):
        o = {k: None if v is None or (isinstance(v, float) and v != v) else v for k, v in record.items()}
        if o["status"] == "åtgärdad" and o["fixed_on"] is None:
            problems.add(int(row), h.get("fixed_on", "åtgärdad datum"), None,
                         "Status är åtgärdad men datum för åtgärden saknas. Fyll i datumet.")
        if o["status"] not in ("åtgärdad", None) and o["fixed_on"] is not None:
            problems.add(int(row), h["status"], o["status"],
                         "Datum för åtgärd är ifyllt men status är inte åtgärdad.")
        if o["status"] == "avslagen" and not str(o["status_reason"]).strip():
            problems.add(int(row), h.get("status_reason", "motivering"), None,
                         "Status är avslagen men motivering saknas. Skriv varför.")
        if o["fixed_on"] is not None and walked[row] is not None and o["fixed_on"] < walked[row]:
            problems.add(int(row), h["fixed_on"], o["fixed_on"],
                         "Åtgärdsdatumet ligger före vandringen.")


def _check_repeats(problems: Collector, obs: pd.DataFrame) -> None:
    repeated = obs[obs.duplicated("obs_key", keep=False)]
    for _, group in repeated.groupby("obs_key"):
        if len(group.astype(str).drop_duplicates()) > 1:
            problems.add(int(group.index[1]), None, None, f"Samma observation finns också på rad "
                         f"{group.index[0]} men med annat innehåll. Behåll en av raderna.")


def store(conn: Connection, prepared: Prepared, import_id: int) -> Stored:
    walks_t, obs_t = SafetyWalk.__table__, Observation.__table__
    walks = prepared.tables["walks"]
    insert_ignore(conn, walks_t, walks.assign(import_id=import_id))
    keys = list(walks["walk_key"])
    walk_ids = dict(conn.execute(select(walks_t.c.walk_key, walks_t.c.id)
                                 .where(walks_t.c.walk_key.in_(keys))).all())
    obs = prepared.tables["observations"].drop_duplicates("obs_key")
    obs = obs.assign(walk_id=obs["walk_key"].map(walk_ids), import_id=import_id)
    stored = _stored_observations(conn, list(obs["obs_key"]))
    new = obs[~obs["obs_key"].isin(stored)]
    inserted = insert_ignore(conn, obs_t, new)
    updated = sum(_update(conn, o, stored[o["obs_key"]]) for _, o in obs[obs["obs_key"].isin(stored)].iterrows())
    return Stored(inserted=inserted, duplicates=len(prepared.tables["observations"]) - inserted - updated,
                  updated=updated)


def _stored_observations(conn: Connection, keys: list[str]) -> dict[str, dict]:
    obs_t = Observation.__table__
    found = {}
    for start in range(0, len(keys), 500):
        rows = conn.execute(select(obs_t.c.obs_key, obs_t.c[AS_OF], *[obs_t.c[c] for c in UPDATABLE])
                            .where(obs_t.c.obs_key.in_(keys[start:start + 500]))).mappings()
        found |= {r["obs_key"]: dict(r) for r in rows}
    return found


def _older(new: pd.Series, old: dict) -> bool:
    """True when the new row comes from an older protocol than the stored one."""
    return old[AS_OF] is not None and not pd.isna(new[AS_OF]) and new[AS_OF] < old[AS_OF]


def _update(conn: Connection, new: pd.Series, old: dict) -> int:
    """Update a stored observation from a newer protocol; 1 if a field changed, 0 otherwise (a
    newer protocol that changes nothing still moves the stored protocol date forward)."""
    if STATUS_RANK[new["status"]] < STATUS_RANK[old["status"]] or _older(new, old):
        return 0
    changes = {c: new[c] for c in UPDATABLE if new[c] != old[c] and not (pd.isna(new[c]) and old[c] is None)}
    newer = not pd.isna(new[AS_OF]) and (old[AS_OF] is None or new[AS_OF] > old[AS_OF])
    if not changes and not newer:
        return 0
    obs_t = Observation.__table__
    values = changes | ({AS_OF: new[AS_OF]} if newer else {})
    conn.execute(update(obs_t).where(obs_t.c.obs_key == new["obs_key"])
                 .values(**{k: (None if pd.isna(v) else v) for k, v in values.items()}))
    return 1 if changes else 0
