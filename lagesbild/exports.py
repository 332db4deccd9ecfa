"""What leaves the app as a file: CSV and Excel written with numbers as numbers, a block that says
what the file holds, and no live formulas.

The OWASP rule for CSV injection: a text cell starting with = + - @ tab or carriage return is
prefixed with a single quote, so that Excel and LibreOffice show it as text instead of running
it (`=HYPERLINK(…)`, `+cmd|…`, `@SUM(…)`). Numbers stay numbers, and so does text that is only a
number ("-3", "1 234,5"); column names are treated like cells. A carriage return inside text
becomes a line feed: CSV writers quote fields with line feeds but not always those with a lone
carriage return, which would otherwise split the row.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass

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


# --- Writing the files --------------------------------------------------------------------------
# Swedish Excel opens a CSV by double click when it is separated by semicolons, uses a decimal
# comma and starts with a UTF-8 byte order mark; numbers are written bare (no thousands separator),
# so that Excel reads them as numbers. A file starts with a block that says what it holds (period,
# filters, audience, data version, "Demodata"): in the CSV as `Fält;Värde` lines ended by one empty
# line, in Excel as a sheet of its own ("Om urvalet") after the data sheet.

CSV_SEPARATOR = ";"
CSV_DECIMAL = ","
CSV_ENCODING = "utf-8-sig"  # UTF-8 with BOM


@dataclass(frozen=True)
class ExportFile:
    """One table to write, with the lines that say what it is (label, value pairs)."""

    table: pd.DataFrame
    about: tuple[tuple[str, str], ...] = ()
    sheet: str = "Urval"


def about_frame(about) -> pd.DataFrame:
    return neutralise_formulas(pd.DataFrame(list(about), columns=["Fält", "Värde"]))


def to_csv_bytes(df: pd.DataFrame) -> bytes:
    """The table alone as CSV in the Swedish Excel dialect (`;`, decimal comma, UTF-8 with BOM)."""
    return df.to_csv(sep=CSV_SEPARATOR, index=False, decimal=CSV_DECIMAL).encode(CSV_ENCODING)


def to_excel_bytes(df: pd.DataFrame, sheet: str = "Urval") -> bytes:
    """The table alone as an Excel workbook; numeric columns stay numeric cells."""
    return _workbook([(sheet, df)])


def csv_file(export: ExportFile) -> bytes:
    """The header block (`Fält;Värde` lines), one empty line, then the table; numbers bare."""
    table = neutralise_formulas(export.table)
    head = about_frame(export.about).to_csv(sep=CSV_SEPARATOR, index=False, header=False) if export.about else ""
    body = table.to_csv(sep=CSV_SEPARATOR, index=False, decimal=CSV_DECIMAL)
    return ((head + "\n" if head else "") + body).encode(CSV_ENCODING)


def excel_file(export: ExportFile) -> bytes:
    """The table on its own sheet (numeric cells, a frozen header row), the header block on the
    sheet "Om urvalet"."""
    sheets = [(export.sheet, neutralise_formulas(export.table))]
    if export.about:
        sheets.append(("Om urvalet", about_frame(export.about)))
    return _workbook(sheets)


def _workbook(sheets: list[tuple[str, pd.DataFrame]]) -> bytes:
    buf = io.BytesIO()
    with pd.ExcelWriter(buf, engine="openpyxl") as writer:
        for name, df in sheets:
            df.to_excel(writer, index=False, sheet_name=name)
            ws = writer.sheets[name]
            ws.freeze_panes = "A2"
            for i, column in enumerate(df.columns, start=1):
                width = max([len(str(column))] + [len(str(v)) for v in df[column].head(200)])
                ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = min(60, max(8, width + 2))
    return buf.getvalue()


def file_name(*parts: str, suffix: str) -> str:
    """'lagesbild_utforska_kommundel-x-strategiskt-omrade_2025-11-17_2026-11-15_intern.csv': lower case
    ASCII words joined by '_' (å, ä, ö spelled a, a, o), nothing but what the parts say."""
    words = [_slug(p) for p in parts if p]
    return "_".join(w for w in words if w) + f".{suffix}"


def _slug(text: str) -> str:
    text = text.lower().translate(str.maketrans("åäöéü", "aaoeu"))
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")
