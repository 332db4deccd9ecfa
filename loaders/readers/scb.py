"""SCB Statistikdatabasen CSV exports: title rows above the header, footnotes below the data.

Returns the table between them as strings: the header row is the first row with two or more
cells of which a later one is filled in; the data ends at the first row whose first cell or all
value cells are empty (where SCB puts its footnotes).
"""
from __future__ import annotations

import pandas as pd

from loaders.errors import UnreadableFile, refuse
from loaders.readers.csvfile import csv_rows
from loaders.readers.text import decode
from loaders.source import SourceFile, check_size


def read_scb(file: SourceFile) -> pd.DataFrame:
    check_size(file)
    if file.suffix == ".xlsx":
        from loaders.readers.xlsx import read_xlsx
        return read_xlsx(file)
    text = decode(file.name, file.data)
    rows = [(n, [c.strip().strip('"') for c in cells]) for n, cells in csv_rows(text, name=file.name)]
    start = next((i for i, (_, cells) in enumerate(rows)
                  if len(cells) >= 2 and any(cells[1:])), None)
    if start is None:
        raise refuse(file.name, "Hittar ingen rubrikrad med minst två kolumner. Exportera tabellen "
                     "från Statistikdatabasen som CSV (kommaavgränsad med rubrik).", error=UnreadableFile)
    header_no, header = rows[start]
    header = [h or f"kolumn{i + 1}" for i, h in enumerate(header)]
    body = []
    for n, cells in rows[start + 1:]:
        cells = (cells + [""] * len(header))[:len(header)]
        if not cells[0] or not any(cells[1:]):
            break
        body.append((n, cells))
    if not body:
        raise refuse(file.name, "Tabellen har inga datarader under rubrikraden.", row=header_no,
                     error=UnreadableFile)
    frame = pd.DataFrame([c for _, c in body], columns=header, index=[n for n, _ in body], dtype=object)
    frame.index.name = "rad"
    return frame
