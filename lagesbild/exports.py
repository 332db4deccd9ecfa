"""What leaves the app as a file (CSV, Excel, the tables' own download) holds no live formulas.

The OWASP rule for CSV injection: a text cell starting with = + - @ tab or carriage return is
prefixed with a single quote, so that Excel and LibreOffice show it as text instead of running
it (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`). Numbers stay numbers, and so does text that is only a
number ("-3", "1 234,5"); column names are treated like cells. A carriage return inside text
becomes a line feed: CSV writers quote fields with line feeds but not always those with a lone
carriage return, which would otherwise split the row.
"""
from __future__ import annotations

import re

import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")  # and full-width
PLAIN_NUMBER = re.compile(r"[+-]?\d[\d \u00a0]*([.,]\d+)?")


def neutralise_text(value):
    """The value, with a leading quote when it is text a spreadsheet would read as a formula."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_START) and not PLAIN_NUMBER.fullmatch(value):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def neutralise_formulas(df: pd.DataFrame) -> pd.DataFrame:
    """A copy of the frame with every text cell (and column name) neutralised; numbers untouched.
    Only the cells that need it go through `neutralise_text` (a table of 20 000 walk actions is
    checked column by column, not cell by cell)."""
    out = df.copy()
    for column in out.columns:
        values = out[column]
        if not (values.dtype == object or pd.api.types.is_string_dtype(values.dtype)):
            continue
        text = values.where(values.map(type) == str) if values.dtype == object else values
        risky = (text.str.startswith(FORMULA_START) | text.str.contains("\r", regex=False)).fillna(False)
        if risky.any():
            out.loc[risky.to_numpy(dtype=bool), column] = values[risky.to_numpy(dtype=bool)].map(neutralise_text)
    out.columns = [neutralise_text(c) for c in out.columns]
    return out
