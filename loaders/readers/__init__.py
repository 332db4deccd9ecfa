"""One small reader per file format: bytes in, rows out. No validation beyond "can it be read"."""
from __future__ import annotations

import pandas as pd

from loaders.errors import UnreadableFile, refuse
from loaders.source import SourceFile, check_size

TABLE_SUFFIXES = (".csv", ".txt", ".xlsx")


def read_table(file: SourceFile) -> pd.DataFrame:
    """A CSV or .xlsx file as a frame of strings; the index is the row number in the file."""
    check_size(file)
    if file.suffix == ".xlsx":
        from loaders.readers.xlsx import read_xlsx
        return read_xlsx(file)
    if file.suffix in (".csv", ".txt", ""):
        from loaders.readers.csvfile import read_csv
        return read_csv(file)
    if file.suffix == ".xls":
        raise refuse(file.name, "Det gamla Excel-formatet .xls stöds inte. Spara filen som "
                     ".xlsx eller CSV i Excel.", error=UnreadableFile)
    raise refuse(file.name, f"Filtypen '{file.suffix}' stöds inte här. Använd CSV eller .xlsx.",
                 error=UnreadableFile)


def frame_from_rows(file: str, rows: list[tuple[int, list[str]]]) -> pd.DataFrame:
    """Header = the first row; blank rows are dropped; cells are stripped strings."""
    rows = [(n, [c.strip() for c in cells]) for n, cells in rows]
    rows = [(n, cells) for n, cells in rows if any(cells)]
    if not rows:
        raise refuse(file, "Filen innehåller inga rader. Exportera filen igen.", error=UnreadableFile)
    header_no, header = rows[0]
    while header and not header[-1]:
        header = header[:-1]
    _check_header(file, header_no, header)
    width = len(header)
    problems = []
    body = []
    for n, cells in rows[1:]:
        extra = [c for c in cells[width:] if c]
        if extra:
            problems.append(refuse(file, f"Raden har fler fält ({len(cells)}) än rubrikraden "
                                   f"({width}). Kontrollera avgränsare och citattecken.", row=n).problems[0])
        body.append((n, (cells + [""] * width)[:width]))
    if problems:
        raise UnreadableFile(problems)
    frame = pd.DataFrame([c for _, c in body], columns=header, index=[n for n, _ in body], dtype="str")
    frame.index.name = "rad"
    return frame


def _check_header(file: str, row: int, header: list[str]) -> None:
    seen: set[str] = set()
    for i, name in enumerate(header, start=1):
        key = name.casefold()
        if not name:
            raise refuse(file, f"Kolumn {i} saknar rubrik. Ge alla kolumner en rubrik i första raden.",
                         row=row, error=UnreadableFile)
        if key in seen:
            raise refuse(file, "Rubriken förekommer två gånger. Ge kolumnerna olika namn.",
                         row=row, column=name, error=UnreadableFile)
        seen.add(key)
