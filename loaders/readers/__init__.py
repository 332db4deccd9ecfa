"""One small reader per file format: bytes in, rows out. No validation beyond "can it be read"."""
from __future__ import annotations

from typing import Iterator

import pandas as pd

from loaders.errors import UnreadableFile, refuse
from loaders.source import SourceFile, check_size

TABLE_SUFFIXES = (".csv", ".txt", ".xlsx")
TOTAL_WORDS = {"totalt", "total", "summa", "totalsumma", "summa totalt", "totalt antal", "grand total", "sum"}
TITLE_SCAN = 20  # the header is looked for among the first this many non-blank rows


def read_table(file: SourceFile) -> pd.DataFrame:
    """A CSV or .xlsx file as a frame of strings; the index is the row number in the file.

    Title rows above the header are skipped (see frame_from_rows), and so is a totals row at the
    bottom ('Totalt', 'Summa' … in its first filled cell), as Excel reports often have them.
    """
    check_size(file)
    if file.suffix == ".xlsx":
        from loaders.readers.xlsx import read_xlsx
        return drop_total_rows(read_xlsx(file))
    if file.suffix in (".csv", ".txt", ""):
        from loaders.readers.csvfile import read_csv
        return drop_total_rows(read_csv(file))
    if file.suffix == ".xls":
        raise refuse(file.name, "Det gamla Excel-formatet .xls stöds inte. Spara filen som "
                     ".xlsx eller CSV i Excel.", error=UnreadableFile)
    raise refuse(file.name, f"Filtypen '{file.suffix}' stöds inte här. Använd CSV eller .xlsx.",
                 error=UnreadableFile)


def read_table_chunks(file: SourceFile, rows: int) -> Iterator[pd.DataFrame]:
    """read_table's frame in pieces of about `rows` rows (never an empty piece unless the file
    has no rows). A CSV the fast path reads is streamed from its bytes (see csvfile.csv_chunks),
    so reading a large export costs one piece's memory; .xlsx (bounded by its own limits) is
    read whole and handed out in slices. The totals rows at the bottom are dropped as read_table
    drops them: one piece is held back so that the last ones can be looked at together."""
    check_size(file)
    if file.suffix in (".csv", ".txt", ""):
        from loaders.readers.csvfile import csv_chunks
        pieces = csv_chunks(file, rows)
    else:
        frame = read_table(file)
        pieces = (frame.iloc[i:i + rows] for i in range(0, max(len(frame), 1), rows))
    held: list[pd.DataFrame] = []  # the last piece with a row that is not a total, and any after it
    for piece in pieces:
        if held and not (len(piece) and drop_total_rows(piece).empty):
            yield from (p for p in held if len(p))
            held = []
        held.append(piece)
    if held:
        yield drop_total_rows(pd.concat(held) if len(held) > 1 else held[0])


def is_total_row(cells) -> bool:
    """A row whose first filled cell says 'Totalt', 'Summa' or the like."""
    first = next((str(c).strip() for c in cells if str(c).strip()), "")
    return first.casefold().rstrip(":").strip() in TOTAL_WORDS


def drop_total_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without the totals rows at its bottom."""
    end = len(frame)
    while end and is_total_row(frame.iloc[end - 1].tolist()):
        end -= 1
    return frame if end == len(frame) else frame.iloc[:end]


def header_position(rows: list[tuple[int, list[str]]]) -> int:
    """Where the header is: the first row with more than half as many filled cells as the widest of
    the first rows (a title row such as 'Händelser 2024' or 'Period:;2024-01' has fewer)."""
    filled = [sum(1 for c in cells if c) for _, cells in rows[:TITLE_SCAN]]
    need = max(2, max(filled) // 2 + 1)
    return next((i for i, n in enumerate(filled) if n >= need), 0)


def frame_from_rows(file: str, rows: list[tuple[int, list[str]]]) -> pd.DataFrame:
    """Header = the first row that is not a title row; blank rows are dropped; cells are stripped."""
    rows = [(n, [c.strip() for c in cells]) for n, cells in rows]
    rows = [(n, cells) for n, cells in rows if any(cells)]
    if not rows:
        raise refuse(file, "Filen innehåller inga rader. Exportera filen igen.", error=UnreadableFile)
    rows = rows[header_position(rows):]
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
