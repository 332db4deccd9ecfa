"""Excel .xlsx via openpyxl (read-only), the first sheet with content."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd

from loaders.errors import UnreadableFile, refuse
from loaders.readers import frame_from_rows
from loaders.readers.ziputil import open_zip
from loaders.source import SourceFile


def cell_text(value) -> str:
    """A cell as the text a user would see, with ISO dates and '.' as decimal point."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.strftime("%Y-%m-%d %H:%M:%S" if value.second else "%Y-%m-%d %H:%M")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def read_xlsx(file: SourceFile) -> pd.DataFrame:
    import openpyxl

    archive = open_zip(file.name, file.data, "Excel-fil (.xlsx)")
    archive.close()
    try:
        book = openpyxl.load_workbook(io.BytesIO(file.data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise refuse(file.name, f"Excel-filen går inte att öppna ({type(exc).__name__}). "
                     "Spara den igen som .xlsx.", error=UnreadableFile) from None
    try:
        for sheet in book.worksheets:
            rows = [(n, [cell_text(v) for v in values])
                    for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
            if any(any(cells) for _, cells in rows):
                return frame_from_rows(file.name, rows)
    finally:
        book.close()
    raise refuse(file.name, "Excel-filen innehåller inga rader. Exportera filen igen.",
                 error=UnreadableFile)
