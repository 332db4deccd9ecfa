"""Column mappings kept as data: data/mappings/<kind>.csv, or <kind>_<source>.csv for one source.

A mapping file has two columns, `field` and `columns`: the field the loader needs and the
header(s) that may hold it in an export, separated by "|" (first match wins, case-insensitive).
The field `drop` lists columns that are removed before anything else looks at them (the
anonymisation gate included). A new export layout needs a new header in a mapping, not code.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from lagesbild import config
from lagesbild.errors import Problem
from loaders.errors import MappingError, refuse

DROP = "drop"


@dataclass(frozen=True)
class Mapping:
    name: str
    fields: dict[str, tuple[str, ...]]
    drop: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mapped:
    """The file's rows under field names, and the columns the anonymisation gate must read."""

    frame: pd.DataFrame          # columns = fields; index = row number in the file
    headers: dict[str, str]      # field -> header in the file (for messages)
    gate: pd.DataFrame           # every column that is neither dropped nor a parsed field


def mapping_path(kind: str, source: str | None, explicit: str | Path | None = None) -> Path:
    if explicit:
        return Path(explicit)
    specific = config.MAPPINGS_DIR / f"{kind}_{source}.csv"
    return specific if source and specific.exists() else config.MAPPINGS_DIR / f"{kind}.csv"


def _header_key(name: str) -> str:
    return " ".join(str(name).split()).casefold()


def load_mapping(path: Path, allowed: set[str]) -> Mapping:
    """Read a mapping file; refuse unknown fields so that a typo is not silently ignored."""
    if not path.is_file():
        raise refuse(path.name, f"Mappningsfilen finns inte: {path}", error=MappingError)
    text = path.read_text(encoding="utf-8-sig")
    rows = [r for r in csv.DictReader(io.StringIO(text)) if (r.get("field") or "").strip()
            and not r["field"].strip().startswith("#")]
    fields: dict[str, tuple[str, ...]] = {}
    drop: list[str] = []
    problems = []
    for n, r in enumerate(rows, start=2):
        field = r["field"].strip()
        headers = tuple(h.strip() for h in (r.get("columns") or "").split("|") if h.strip())
        if field == DROP:
            drop += headers
        elif field not in allowed:
            problems.append(Problem(path.name, n, "field", field, "okänt fält i mappningen; "
                                    "tillåtna är " + ", ".join(sorted(allowed | {DROP}))))
        else:
            fields[field] = fields.get(field, ()) + headers
    if problems:
        raise MappingError(problems)
    return Mapping(path.name, fields, tuple(drop))


def apply_mapping(file: str, frame: pd.DataFrame, mapping: Mapping,
                  required: list[tuple[str, ...]], typed: set[str]) -> Mapped:
    """Pick the mapped columns; refuse when a required field (or group of fields) is missing.

    `required` lists groups of fields of which at least one must be present; `typed` are fields
    that are parsed strictly (dates, numbers) and therefore need no personal-data scan.
    """
    by_key = {_header_key(c): c for c in frame.columns}
    headers = {}
    for field, alternatives in mapping.fields.items():
        found = next((by_key[_header_key(a)] for a in alternatives if _header_key(a) in by_key), None)
        if found is not None:
            headers[field] = found
    missing = [group for group in required if not any(f in headers for f in group)]
    if missing:
        raise MappingError([_missing_problem(file, mapping, group) for group in missing])
    dropped = {by_key[_header_key(d)] for d in mapping.drop if _header_key(d) in by_key}
    used = {c for f, c in headers.items() if f in typed} | dropped
    out = pd.DataFrame({f: frame[c] for f, c in headers.items()}, index=frame.index)
    return Mapped(out, headers, frame[[c for c in frame.columns if c not in used]])


def _missing_problem(file: str, mapping: Mapping, group: tuple[str, ...]) -> Problem:
    names = [a for f in group for a in mapping.fields.get(f, ())]
    wanted = ", ".join(f"'{n}'" for n in names) or "(ingen rubrik i mappningen)"
    return Problem(file, 1, group[0], None,
                   f"Kolumnen saknas: ingen av rubrikerna {wanted} finns i filen. Lägg till "
                   f"kolumnen eller ange rubriken i mappningen {mapping.name}.")
