"""CSV as Excel writes it in Sweden (semicolon, decimal comma) or plain comma/tab separated."""
from __future__ import annotations

import csv
import io

import pandas as pd

from loaders.readers import frame_from_rows
from loaders.readers.text import decode
from loaders.source import SourceFile

DELIMITERS = ";,\t|"


def sniff_delimiter(text: str) -> str:
    """The delimiter that occurs most often in the first ten non-blank lines (semicolon on ties)."""
    lines = [line for line in text.splitlines()[:200] if line.strip()][:10]
    counts = {d: sum(line.count(d) for line in lines) for d in DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ";"


def csv_rows(text: str, delimiter: str | None = None) -> list[tuple[int, list[str]]]:
    """(line number, cells) for every record; quoted fields may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or sniff_delimiter(text))
    rows = []
    start = 1
    for cells in reader:
        rows.append((start, cells))
        start = reader.line_num + 1
    return rows


def read_csv(file: SourceFile) -> pd.DataFrame:
    text = decode(file.name, file.data)
    return frame_from_rows(file.name, csv_rows(text))
