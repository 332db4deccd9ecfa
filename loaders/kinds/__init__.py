"""One module per kind of data. Each has `prepare` (read, map, validate, anonymise, place:
nothing written) and `store` (write the prepared rows inside the caller's transaction)."""
from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from loaders.source import SourceFile


@dataclass
class Options:
    source: str | None = None
    mapping: str | None = None
    year: int | None = None
    deso_key: SourceFile | None = None


@dataclass
class Prepared:
    """Validated, anonymised rows ready to store, and what the user should know about them."""

    kind: str
    file: SourceFile
    source: str | None
    rows_read: int
    tables: dict[str, pd.DataFrame]
    preview: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    # A file read in pieces (loaders.kinds.incidents): the rows are not held but prepared again,
    # a piece at a time, while they are stored; `accepted` counts them. Its options and what the
    # check learnt about the whole file (`facts`) go with it.
    streamed: bool = False
    accepted: int | None = None
    options: Options | None = None
    facts: dict = field(default_factory=dict)

    @property
    def rows_accepted(self) -> int:
        if self.accepted is not None:
            return self.accepted
        main = next(iter(self.tables.values()), pd.DataFrame())
        return len(main)


class StoreAgain(Exception):
    """Raised by a kind's `store` when the rows it stored so far must be stored otherwise (a file
    read in pieces turned out to have a row without an id in a later piece): the caller rolls the
    transaction back and stores the file once more (Prepared.facts now says what was learnt)."""


@dataclass
class Stored:
    inserted: int = 0
    duplicates: int = 0
    updated: int = 0
    corrections: list[str] = field(default_factory=list)  # "Fittja 2026 K2 störningsärenden 55 → 72"


def count_note(counter: dict[str, int]) -> str:
    return ", ".join(f"{k} ({v})" for k, v in sorted(counter.items(), key=lambda kv: (-kv[1], kv[0])))
