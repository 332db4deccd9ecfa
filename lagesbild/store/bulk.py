"""Fast, duplicate-safe bulk writes shared by the demo generator, every loader and the marts.

SQLite: executemany on the DBAPI cursor, the values converted a column at a time.
PostgreSQL: COPY (CSV written by pyarrow, a column at a time) straight into the table inside a
savepoint; only when that hits an existing key (a re-import, an overlapping export) the rows go
through a temporary table and INSERT ... ON CONFLICT.

insert_ignore skips rows whose key is already stored and returns how many it inserted;
add_counts adds counts (column n) to the rows with the same key, or replaces or keeps them.
"""
from __future__ import annotations

import datetime as dt
import io
import math

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Date, DateTime, Table

COPY_CHUNK = 8_000_000  # bytes per COPY write


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
    missing = series.isna().to_numpy()
    if kind == "M":
        values = series.dt.to_pydatetime()
        return [None if m else v for v, m in zip(values, missing)] if missing.any() else list(values)
    if kind not in "biuf" and pd.api.types.infer_dtype(series, skipna=True) == "string":
        return _distinct_then_take(series)
    values = series.to_numpy(dtype=object)  # numeric and string dtypes give Python scalars
    if missing.any():
        values = values.copy()
        values[missing] = None
    if kind in "biuf" or pd.api.types.infer_dtype(values, skipna=True) in ("date", "empty", "boolean"):
        return values.tolist()
    return [_python_value(v) for v in values]


def _distinct_then_take(series: pd.Series, text=None) -> list:
    """The column's distinct values converted once (by `text`, else as they are) and repeated
    by reference: most columns repeat a few values (source, category, place type, weeks)."""
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = np.asarray(uniques, dtype=object) if text is None else text(uniques)
    return np.append(values, None)[codes].tolist()  # code -1 (missing) takes the None at the end


def _as_datetime64(series: pd.Series) -> np.ndarray | None:
    """The column as datetime64 (NaT where missing), or None when it holds something else."""
    if series.dtype.kind == "M":
        return series.to_numpy()
    if series.dtype == object and pd.api.types.infer_dtype(series, skipna=True) in ("date", "datetime"):
        try:
            return pd.to_datetime(series).to_numpy()
        except (TypeError, ValueError):
            return None
    return None


def iso_text(values: np.ndarray, unit: str) -> np.ndarray:
    """datetime64 values as 'YYYY-MM-DD' (unit 'D') or 'YYYY-MM-DD HH:MM:SS' (unit 's'), the
    text SQLAlchemy stores in SQLite, as an object array (None where NaT)."""
    text = np.datetime_as_string(values.astype(f"datetime64[{unit}]"), unit=unit)
    if unit == "s" and len(text):
        chars = text.view(np.uint32).reshape(len(text), -1).copy()
        chars[:, 10] = ord(" ")  # 'T' -> ' ', in place of a per-value replace
        text = chars.view(text.dtype).reshape(len(text))
    out = text.astype(object)
    out[np.isnat(values)] = None
    return out


def _sqlite_text(series: pd.Series, sql_type) -> list | None:
    """Dates and whole-second datetimes as text, converted a column at a time (each distinct value
    once); None for any other column."""
    if not isinstance(sql_type, (Date, DateTime)):
        return None
    values = _as_datetime64(series)
    if values is None or len(values) == 0:
        return None
    unit = "s" if isinstance(sql_type, DateTime) else "D"
    present = values[~np.isnat(values)]
    if unit == "s" and (present.astype("datetime64[s]") != present).any():
        return None  # fractions of a second: SQLAlchemy's own format, row by row
    return _distinct_then_take(pd.Series(values), lambda u: iso_text(np.asarray(u, dtype=values.dtype), unit))


def _records(df: pd.DataFrame, table: Table, columns: list[str]) -> list[tuple]:
    return list(zip(*((_sqlite_text(df[c], table.c[c].type) or _column(df[c])) for c in columns)))


def _sqlite_write(conn: Connection, sql: str, df: pd.DataFrame, table: Table, columns: list[str],
                  chunk: int = 100_000) -> int:
    raw = conn.connection.driver_connection
    before = raw.total_changes
    cursor = raw.cursor()
    for start in range(0, len(df), chunk):
        cursor.executemany(sql, _records(df.iloc[start:start + chunk], table, columns))
    cursor.close()
    return raw.total_changes - before


def insert_ignore(conn: Connection, table: Table, df: pd.DataFrame) -> int:
    """Insert the frame's rows, skipping rows that violate a unique constraint. Returns inserted."""
    if df.empty:
        return 0
    if "rkey" in table.c and "rkey" not in df:  # every new record gets its random record key
        from lagesbild.privacy import record_keys
        df = df.assign(rkey=record_keys(len(df)))
    columns = [c for c in df.columns if c in table.c]
    if conn.dialect.name == "postgresql":
        return _pg_write(conn, table, df, columns, "ON CONFLICT DO NOTHING")
    sql = f'INSERT INTO "{table.name}" ({_names(columns)}) VALUES ({", ".join("?" for _ in columns)}) ' \
          f'ON CONFLICT DO NOTHING'
    return _sqlite_write(conn, sql, df, table, columns)


def add_counts(conn: Connection, table: Table, df: pd.DataFrame, keys: list[str],
               on_conflict: str = "add") -> None:
    """Insert the rows; where a row with the same key is stored: "add" its n (and key sum ksum) to
    the stored ones, "replace" the stored values, or "ignore" the new row."""
    if df.empty:
        return
    columns = [c for c in df.columns if c in table.c]
    others = [c for c in columns if c not in keys]
    added = ", ".join(f'"{c}" = "{table.name}"."{c}" + excluded."{c}"' for c in ("n", "ksum") if c in others)
    action = {"add": f"DO UPDATE SET {added}",
              "replace": "DO UPDATE SET " + ", ".join(f'"{c}" = excluded."{c}"' for c in others),
              "ignore": "DO NOTHING"}[on_conflict]
    conflict = f"ON CONFLICT ({_names(keys)}) {action}"
    if conn.dialect.name == "postgresql":
        _pg_write(conn, table, df, columns, conflict)
        return
    sql = f'INSERT INTO "{table.name}" ({_names(columns)}) VALUES ({", ".join("?" for _ in columns)}) {conflict}'
    _sqlite_write(conn, sql, df, table, columns)


def _names(columns: list[str]) -> str:
    return ", ".join(f'"{c}"' for c in columns)


# --- PostgreSQL ---------------------------------------------------------------------------------

def _arrow_csv(df: pd.DataFrame, table: Table, columns: list[str]) -> bytes | None:
    """The rows as CSV for COPY (FORMAT csv): strings quoted where needed, missing values empty
    and unquoted (PostgreSQL reads those as NULL). None when a column has no clear arrow type."""
    try:
        import pyarrow as pa
        import pyarrow.csv as pacsv
        arrays = []
        for c in columns:
            values = _as_datetime64(df[c]) if isinstance(table.c[c].type, (Date, DateTime)) else None
            if values is not None and isinstance(table.c[c].type, Date) and not isinstance(table.c[c].type, DateTime):
                arrays.append(pa.array(values.astype("datetime64[D]"), mask=np.isnat(values)))
            elif values is not None:
                arrays.append(pa.array(values, mask=np.isnat(values)))
            else:
                arrays.append(pa.Array.from_pandas(df[c]))
        buf = io.BytesIO()
        pacsv.write_csv(pa.Table.from_arrays(arrays, names=columns), buf,
                        pacsv.WriteOptions(include_header=False, quoting_style="needed"))
        return buf.getvalue()
    except Exception:  # noqa: BLE001 - mixed object columns: the row-by-row COPY below
        return None


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "t" if value else "f"
    text = str(value)
    return text.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_rows(cur, target: str, df: pd.DataFrame, table: Table, columns: list[str]) -> None:
    cols = _names(columns)
    data = _arrow_csv(df, table, columns)
    if data is not None:
        with cur.copy(f'COPY "{target}" ({cols}) FROM STDIN WITH (FORMAT csv)') as copy:
            for start in range(0, len(data), COPY_CHUNK):
                copy.write(data[start:start + COPY_CHUNK])
        return
    with cur.copy(f'COPY "{target}" ({cols}) FROM STDIN') as copy:
        buf = io.StringIO()
        for record in zip(*(_column(df[c]) for c in columns)):
            buf.write("\t".join(_copy_text(v) for v in record))
            buf.write("\n")
            if buf.tell() > COPY_CHUNK:
                copy.write(buf.getvalue())
                buf = io.StringIO()
        copy.write(buf.getvalue())


def _pg_write(conn: Connection, table: Table, df: pd.DataFrame, columns: list[str], conflict: str) -> int:
    """COPY straight into the table; on a key that is already stored, roll back to the savepoint
    and go through a temporary table with `conflict`. Returns the rows inserted."""
    import psycopg
    raw = conn.connection.driver_connection
    with raw.cursor() as cur:
        cur.execute("SAVEPOINT bulk_copy")
        try:
            _copy_rows(cur, table.name, df, table, columns)
            cur.execute("RELEASE SAVEPOINT bulk_copy")
            return len(df)
        except psycopg.errors.UniqueViolation:
            cur.execute("ROLLBACK TO SAVEPOINT bulk_copy")
            cur.execute("RELEASE SAVEPOINT bulk_copy")
        temp = f"tmp_{table.name}"
        cur.execute(f'CREATE TEMP TABLE IF NOT EXISTS "{temp}" (LIKE "{table.name}" INCLUDING DEFAULTS) ON COMMIT DROP')
        cur.execute(f'TRUNCATE "{temp}"')
        _copy_rows(cur, temp, df, table, columns)
        cols = _names(columns)
        cur.execute(f'INSERT INTO "{table.name}" ({cols}) SELECT {cols} FROM "{temp}" {conflict}')
        inserted = cur.rowcount
        cur.execute(f'DROP TABLE "{temp}"')
    return inserted
