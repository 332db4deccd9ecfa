"""Natural keys of stored rows: hashes of canonical values, never raw ids or raw rows.

- An export's own id: 'id:' + a hash of the id. The key holds no trace of the id itself, so a
  personnummer or a case number in a source's id column is never stored (also not in a key).
- A row without an id: 'row:' + a hash of the row's canonical, stored values (the time to the
  minute, the normalised source category, the area, the 250 m cell, place type, age group and
  count) + its ordinal among identical rows of the file. Only what the row means enters the key,
  not how the file spelled it: an extra empty column, another column order, another header for
  the same field or '5' versus '05' give the same keys, so the rows are not stored again.
- Walks and observations: 'walk:' / 'obs:' + a hash of the walk's id (or date, area and light)
  and the observation's number.
"""
from __future__ import annotations

import hashlib
from typing import Iterable

import pandas as pd

SEPARATOR = "\x1f"
ROW_FIELDS = ["occurred_at", "source_category", "area_id", "cell_e", "cell_n", "place_type", "age_group", "count"]


# Hex digits written as letters (0-9 -> g-p, a-f stay): a key has no run of digits, so nothing in
# it can look like a personnummer or a phone number to the anonymisation gate, which the keys
# are checked with (tests/privacy_checks.py).
_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def digest(text: str, length: int) -> str:
    """The first `length` characters of the text's SHA-256, in the letters a–p."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:length].translate(_LETTERS)


def hashed(value: str, prefix: str, length: int = 40) -> str:
    """prefix + `length` letters of the value's SHA-256 (fits the 64-character keys)."""
    return prefix + digest(str(value), length)


def digests(texts: Iterable[str], length: int) -> list[str]:
    """`digest` of many texts at once: the hex digits turned into letters in one pass over all of
    them (a third less time than one `translate` per key)."""
    sha = hashlib.sha256
    hexes = "\n".join([sha(t.encode("utf-8")).hexdigest()[:length] for t in texts])
    return hexes.translate(_LETTERS).split("\n") if hexes else []


def id_keys(ids: Iterable[str]) -> list[str]:
    # A column is stripped as a whole (iterating an Arrow-backed column value by value is slow).
    texts = pd.Series(ids, dtype=object) if not isinstance(ids, pd.Series) else ids
    return ["id:" + d for d in digests(texts.astype(str).str.strip().tolist(), 40)]


def _canonical_text(column: pd.Series) -> pd.Series:
    if column.name == "occurred_at":
        return pd.to_datetime(column).dt.strftime("%Y-%m-%d %H:%M").fillna("")
    if pd.api.types.is_numeric_dtype(column.dtype):
        values = pd.Series(pd.array(column, dtype="Int64"))
        return values.astype(object).where(values.notna(), "").astype(str)
    return column.fillna("").astype(str)


def row_keys(rows: pd.DataFrame) -> list[str]:
    """'row:<hash of the canonical values>-<ordinal among identical rows>' per row (ROW_FIELDS)."""
    if rows.empty:
        return []
    texts = [_canonical_text(rows[c].reset_index(drop=True)) for c in ROW_FIELDS]
    joined = texts[0].str.cat(texts[1:], sep=SEPARATOR)
    hashes = pd.Series(digests(joined.tolist(), 24))
    ordinals = hashes.groupby(hashes, sort=False).cumcount()
    return ("row:" + hashes + "-" + ordinals.astype(str)).tolist()
