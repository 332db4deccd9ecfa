"""CSV as Excel writes it in Sweden (semicolon, decimal comma) or plain comma/tab separated."""
from __future__ import annotations

import codecs
import csv
import io
from typing import Iterator

import pandas as pd

from loaders.errors import UnreadableFile, refuse
from loaders.readers import _check_header, frame_from_rows
from loaders.readers.text import decode_utf8_aware, text_encoding
from loaders.source import SourceFile

DELIMITERS = ";,\t|"


def sniff_delimiter(text: str) -> str:
    """The delimiter that occurs most often in the first ten non-blank lines (semicolon on ties)."""
    lines = [line for line in text.splitlines()[:200] if line.strip()][:10]
    counts = {d: sum(line.count(d) for line in lines) for d in DELIMITERS}
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] else ";"


def csv_rows(text: str, delimiter: str | None = None, name: str = "-") -> list[tuple[int, list[str]]]:
    """(line number, cells) for every record; quoted fields may span lines."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter or sniff_delimiter(text))
    rows = []
    start = 1
    try:
        for cells in reader:
            rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise _csv_refusal(name, start, exc) from None
    return rows


def _csv_refusal(name: str, line: int, exc: csv.Error) -> UnreadableFile:
    if "field larger than field limit" in str(exc):
        limit = f"{csv.field_size_limit():,}".replace(",", " ")
        return refuse(name, f"Ett fält som börjar på den här raden är längre än {limit} tecken. Oftast "
                      "beror det på ett citattecken (\") som aldrig stängs, så att resten av filen blir ett "
                      "enda fält: rätta citattecknet eller korta texten.",
                      row=line, error=UnreadableFile)
    return refuse(name, "Raden går inte att läsa som CSV. Kontrollera citattecken och avgränsare.",
                  row=line, error=UnreadableFile)


def read_csv(file: SourceFile) -> pd.DataFrame:
    text, utf8 = decode_utf8_aware(file.name, file.data)
    raw = memoryview(file.data)[3 if file.data.startswith(codecs.BOM_UTF8) else 0:] if utf8 else None
    fast = _simple_frame(file.name, text, raw)
    return fast if fast is not None else frame_from_rows(file.name, csv_rows(text, name=file.name))


def _first_lines(text: str, n: int) -> str:
    """A prefix of the text holding at least its first n lines (for sniff_delimiter)."""
    pos = 0
    for _ in range(n):
        pos = text.find("\n", pos) + 1
        if pos == 0:
            return text
    return text[:pos]


def _simple_frame(file: str, text: str, raw: memoryview | None = None) -> pd.DataFrame | None:
    """The frame frame_from_rows would give, parsed by pyarrow, for a file without quotes, carriage
    returns or blank lines inside; None for anything else (the csv module then reads it).

    `raw` is the text's UTF-8 bytes when the file is UTF-8 (read as they are: no second copy).
    Memory (ru_maxrss, an 88 MB UTF-8 file of 1.17 million rows): reading it peaks at about 370 MB
    above the file's bytes (the text, pyarrow's columns, the trimmed columns, the frame); it was
    620 MB when the bytes were encoded again from the text and every column filtered."""
    if any(ch in text for ch in '"\r\x1c\x1d\x1e\x1f'):
        return None
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        import pyarrow.csv as pacsv
    except ImportError:
        return None
    delimiter = sniff_delimiter(_first_lines(text, 200))
    pos, line_no = 0, 1
    while True:  # the header: the first line with a non-empty cell
        end = text.find("\n", pos)
        line = text[pos:] if end < 0 else text[pos:end]
        if any(c.strip() for c in line.split(delimiter)):
            break
        if end < 0:
            return None
        pos, line_no = end + 1, line_no + 1
    cells = [c.strip() for c in line.split(delimiter)]
    header = list(cells)
    while header and not header[-1]:
        header = header[:-1]
    if end < 0:
        return None
    last = len(text)
    while last > end + 1 and text[last - 1] == "\n":
        last -= 1
    if last <= end + 1 or text.find("\n\n", end + 1, last) >= 0:
        return None  # no body, or blank lines inside it: frame_from_rows numbers those
    data = raw if raw is not None else text.encode("utf-8")
    body = pa.py_buffer(data)[len(text[:end + 1].encode("utf-8")):]
    try:
        table = pacsv.read_csv(
            body,
            read_options=pacsv.ReadOptions(column_names=[f"c{i}" for i in range(len(cells))]),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False, double_quote=False,
                                             escape_char=False, newlines_in_values=False,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={f"c{i}": pa.string() for i in range(len(cells))},
                                                 strings_can_be_null=False, null_values=[]))
    except (pa.ArrowInvalid, ValueError):
        return None
    columns = [pc.utf8_trim_whitespace(table.column(i)) for i in range(len(cells))]
    rows, table, data, body = table.num_rows, None, None, None  # only the trimmed columns from here
    if any(pc.any(pc.not_equal(c, "")).as_py() for c in columns[len(header):]):
        return None  # cells beyond the header: frame_from_rows reports them
    _check_header(file, line_no, header)
    blank = pc.equal(columns[0], "")
    for c in columns[1:]:
        blank = pc.and_(blank, pc.equal(c, ""))
    keep = pc.invert(blank)
    index = pd.RangeIndex(line_no + 1, line_no + 1 + rows)
    if not pc.all(keep).as_py():  # blank rows (only delimiters) are dropped; no copy without them
        columns = [pc.filter(col, keep) for col in columns]
        index = index[keep.to_numpy(zero_copy_only=False)]
    data = {}
    for name, col in zip(header, columns):
        data[name] = pd.array(col, dtype="str")
    columns = None
    frame = pd.DataFrame(data, index=index, columns=header, dtype="str")
    frame.index.name = "rad"
    if frame.empty:
        return None
    return frame


# --- in pieces ---------------------------------------------------------------------------------

BLOCK_BYTES = 1024 * 1024  # pyarrow parses this much at a time


def csv_chunks(file: SourceFile, rows: int) -> Iterator[pd.DataFrame]:
    """read_csv's frame in pieces of about `rows` rows (the same cells, row numbers and
    refusals). A file the fast path reads is parsed from its bytes a block at a time, so no
    copy of the whole text and no frame of the whole file is ever made; any other file (quotes,
    blank lines, UTF-16, …) is read whole by read_csv and handed out in slices. Should the fast
    path stop in the middle (a short or long line), read_csv reads the file and the rows not yet
    handed out follow from it."""
    stream = _stream(file, rows)
    if stream is None:
        yield from _slices(read_csv(file), rows)
        return
    last = None
    try:
        for frame in stream:
            last = frame.index[-1]
            yield frame
    except _Fallback:
        rest = read_csv(file)
        yield from _slices(rest if last is None else rest[rest.index > last], rows)
        return
    if last is None:  # only blank rows: read_csv says what it makes of them
        yield from _slices(read_csv(file), rows)


class _Fallback(Exception):
    """The fast path cannot read the rest of the file; read_csv must."""


def _slices(frame: pd.DataFrame, rows: int) -> Iterator[pd.DataFrame]:
    for start in range(0, len(frame), rows):
        yield frame.iloc[start:start + rows]
    if frame.empty:
        yield frame


def _stream(file: SourceFile, rows: int):
    """The layout the fast path (_simple_frame) needs, checked on the bytes; a generator of
    frames, or None when the file is not for the fast path."""
    data = file.data
    if any(ch in data for ch in (b'"', b"\r", b"\x1c", b"\x1d", b"\x1e", b"\x1f")):
        return None
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        return None
    encoding = text_encoding(file.name, data)
    if encoding is None:
        return None
    codec, bom = encoding
    head = data[bom:bom + 4 * 1024 * 1024].decode(codec, errors="replace")
    delimiter = sniff_delimiter(_first_lines(head, 200))
    layout = _layout(data, bom, codec, delimiter)
    if layout is None:
        return None
    line_no, header, width, body_start = layout
    try:
        _check_header(file.name, line_no, header)
    except UnreadableFile:
        return None  # read_csv finds the header the same way and refuses it
    return _frames(memoryview(data)[body_start:], codec, delimiter, header, width, line_no + 1, rows)


def _layout(data: bytes, bom: int, codec: str, delimiter: str):
    """(header line number, header, cells per line, where the body starts) as _simple_frame
    finds them, or None for a file without a body or with blank lines inside it."""
    pos, line_no = bom, 1
    while True:
        end = data.find(b"\n", pos)
        line = data[pos:] if end < 0 else data[pos:end]
        cells = [c.strip() for c in line.decode(codec).split(delimiter)]
        if any(cells):
            break
        if end < 0:
            return None
        pos, line_no = end + 1, line_no + 1
    if end < 0:
        return None
    header = list(cells)
    while header and not header[-1]:
        header = header[:-1]
    last = len(data)
    while last > end + 1 and data[last - 1:last] == b"\n":
        last -= 1
    if last <= end + 1 or data.find(b"\n\n", end + 1, last) >= 0:
        return None
    return line_no, header, len(cells), end + 1


def _frames(body, codec: str, delimiter: str, header: list[str], width: int, first_row: int,
            rows: int) -> Iterator[pd.DataFrame]:
    import pyarrow as pa
    import pyarrow.csv as pacsv
    names = [f"c{i}" for i in range(width)]
    try:
        reader = pacsv.open_csv(
            pa.BufferReader(pa.py_buffer(body)),
            read_options=pacsv.ReadOptions(column_names=names, block_size=BLOCK_BYTES,
                                           encoding="utf8" if codec == "utf-8" else codec),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False, double_quote=False,
                                             escape_char=False, newlines_in_values=False,
                                             ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                                 strings_can_be_null=False, null_values=[]))
    except (pa.ArrowInvalid, ValueError):
        raise _Fallback from None
    pending, row = None, first_row
    while True:
        try:
            batch = pa.Table.from_batches([reader.read_next_batch()])
        except StopIteration:
            break
        except (pa.ArrowInvalid, ValueError):
            raise _Fallback from None
        pending = batch if pending is None else pa.concat_tables([pending, batch])
        while pending.num_rows >= rows:  # slices share the parsed buffers: no copy
            frame, row = _frame(pending.slice(0, rows), header, row), row + rows
            pending = pending.slice(rows)
            if frame is not None:
                yield frame
    if pending is not None and pending.num_rows:
        frame = _frame(pending, header, row)
        if frame is not None:
            yield frame


def _frame(table, header: list[str], first_row: int) -> pd.DataFrame | None:
    """One piece as _simple_frame makes the whole: trimmed strings, blank rows dropped, the index
    the row numbers; None when every row of the piece is blank."""
    import pyarrow.compute as pc
    columns = [pc.utf8_trim_whitespace(table.column(i)) for i in range(table.num_columns)]
    rows = table.num_rows
    if any(pc.any(pc.not_equal(c, "")).as_py() for c in columns[len(header):]):
        raise _Fallback  # cells beyond the header: read_csv reports them
    blank = pc.equal(columns[0], "")
    for c in columns[1:]:
        blank = pc.and_(blank, pc.equal(c, ""))
    keep = pc.invert(blank)
    index = pd.RangeIndex(first_row, first_row + rows)
    if not pc.all(keep).as_py():
        columns = [pc.filter(col, keep) for col in columns]
        index = index[keep.to_numpy(zero_copy_only=False)]
    if len(index) == 0:
        return None
    frame = pd.DataFrame({name: pd.array(col, dtype="str") for name, col in zip(header, columns)},
                         index=index, columns=header, dtype="str")
    frame.index.name = "rad"
    return frame
