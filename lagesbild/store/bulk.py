"""Fast, duplicate-safe bulk inserts shared by the demo generator and every loader.

SQLite: executemany of INSERT ... ON CONFLICT DO NOTHING on the DBAPI cursor.
PostgreSQL: COPY into a temporary table, then INSERT ... SELECT ... ON CONFLICT DO NOTHING; the
COPY data is written as CSV by pyarrow, a column at a time.
Both return how many rows were actually inserted; the rest were duplicates.
"""
from __future__ import annotations

import datetime as dt
import io
import math

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Table


def _python_value(v):
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if hasattr(v, "item"):  # numpy scalar
        return v.item()
    return v


def _column(series: pd.Series) -> list:
    """One column as plain Python values (None where missing), converted a column at a time."""
    kind = series.dtype.kind
    missing = series.isna()
    if kind == "M":
        values = series.dt.to_pydatetime()
        return [None if m else v for v, m in zip(values, missing)] if missing.any() else list(values)
    if kind in "biu":
        return series.tolist()
    if kind == "f":
        return series.astype(object).where(~missing, None).tolist()
    inferred = pd.api.types.infer_dtype(series, skipna=True)
    values = series.astype(object).where(~missing, None)
    if inferred in ("string", "date", "empty"):
        return values.tolist()
    if inferred == "integer":
        return [None if m else int(v) for v, m in zip(values, missing)]
    return [_python_value(v) for v in values]


def _records(df: pd.DataFrame, columns: list[str], sqlite: bool = False) -> list[tuple]:
    return list(zip(*((_sqlite_text(df[c]) if sqlite else None) or _column(df[c]) for c in columns)))


def _sqlite_text(series: pd.Series) -> list | None:
    """Dates and whole-second datetimes as the text sqlite3's adapters would store ('2024-03-05',
    '2024-03-05 14:30:00'), converted a column at a time; None for any other column."""
    if series.dtype.kind == "M":
        values = series
        if len(values) == 0 or (values.dropna().dt.microsecond != 0).any() \
                or (values.dropna().dt.nanosecond != 0).any():
            return None
        text = pd.Series(np.datetime_as_string(values.to_numpy(dtype="datetime64[s]"), unit="s"),
                         index=values.index).str.replace("T", " ", regex=False)
    elif series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) == "date":
        if not series.dropna().map(type).eq(dt.date).all():
            return None
        text = pd.Series(np.datetime_as_string(series.to_numpy().astype("datetime64[D]"), unit="D"),
                         index=series.index)
    else:
        return None
    return text.astype(object).where(series.notna(), None).tolist()


def insert_ignore(conn: Connection, table: Table, df: pd.DataFrame, chunk: int = 50_000) -> int:
    """Insert the frame's rows, skipping rows that violate a unique constraint. Returns inserted."""
    if df.empty:
        return 0
    columns = [c for c in df.columns if c in table.c]
    if conn.dialect.name == "postgresql":
        return _copy_insert_pg(conn, table, df, columns)
    cols = ", ".join(f'"{c}"' for c in columns)
    marks = ", ".join("?" for _ in columns)
    sql = f'INSERT INTO "{table.name}" ({cols}) VALUES ({marks}) ON CONFLICT DO NOTHING'
    raw = conn.connection.driver_connection
    before = raw.total_changes
    cursor = raw.cursor()
    for start in range(0, len(df), chunk):
        cursor.executemany(sql, _records(df.iloc[start:start + chunk], columns, sqlite=True))
    cursor.close()
    return raw.total_changes - before


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _arrow_csv(df: pd.DataFrame, columns: list[str]) -> bytes | None:
    """The rows as CSV for COPY (FORMAT csv): strings quoted, missing values empty and unquoted
    (PostgreSQL reads those as NULL). None when a column has no clear type for pyarrow."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
        frame = pa.Table.from_pandas(df[columns], preserve_index=False)
        buf = io.BytesIO()
        pacsv.write_csv(frame, buf, pacsv.WriteOptions(include_header=False, quoting_style="needed"))
        return buf.getvalue()
    except Exception:  # noqa: BLE001 - mixed object columns: the row-by-row COPY below
        return None


def _copy_rows(cur, temp: str, cols: str, df: pd.DataFrame, columns: list[str]) -> None:
    data = _arrow_csv(df, columns)
    if data is not None:
        with cur.copy(f'COPY "{temp}" ({cols}) FROM STDIN WITH (FORMAT csv)') as copy:
            for start in range(0, len(data), 8_000_000):
                copy.write(data[start:start + 8_000_000])
        return
    with cur.copy(f'COPY "{temp}" ({cols}) FROM STDIN') as copy:
        buf = io.StringIO()
        for record in _records(df, columns):
            buf.write("\t".join(_copy_text(v) for v in record))
            buf.write("\n")
            if buf.tell() > 8_000_000:
                copy.write(buf.getvalue())
                buf = io.StringIO()
        copy.write(buf.getvalue())


def _copy_insert_pg(conn: Connection, table: Table, df: pd.DataFrame, columns: list[str]) -> int:
    raw = conn.connection.driver_connection
    cols = ", ".join(f'"{c}"' for c in columns)
    temp = f"tmp_{table.name}"
    with raw.cursor() as cur:
        cur.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{temp}" (LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DROP')
        cur.execute(f'TRUNCATE "{temp}"')
        _copy_rows(cur, temp, cols, df, columns)
        cur.execute(f'INSERT INTO "{table.name}" ({cols}) SELECT {cols} FROM "{temp}" ON CONFLICT DO NOTHING')
        inserted = cur.rowcount
        cur.execute(f'DROP TABLE "{temp}"')
    return inserted
