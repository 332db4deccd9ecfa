"""Query results as pandas frames."""
from __future__ import annotations

from typing import Iterable, Sequence

import pandas as pd


def frame(rows: Iterable, columns: Sequence[str]) -> pd.DataFrame:
    """A frame of result rows, each passed to pandas as a plain tuple: given SQLAlchemy Row
    objects, pandas probes every row's attributes (about 7 µs a row: 20 ms for 3 000 rows)."""
    if hasattr(rows, "all"):  # a Result: fetch at once (iterating it fetches row by row)
        rows = rows.all()
    return pd.DataFrame([tuple(r) for r in rows], columns=list(columns))
