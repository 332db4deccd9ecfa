"""Decoding text files as Swedish users save them: UTF-8 (with or without BOM), UTF-16 from
Excel's "Unicode text", or Windows-1252 from Excel's "CSV (semikolonavgränsad)"."""
from __future__ import annotations

import codecs
import re

from loaders.errors import UnreadableFile, refuse

MOJIBAKE = re.compile("Ã[\u00a4\u00a5\u00b6\u0084\u0085\u0096\u00a9]|Ã¤|Ã¶|Ã¥")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def decode(name: str, data: bytes) -> str:
    """The file's text; refuse binary content and text that was saved in the wrong encoding."""
    return decode_utf8_aware(name, data)[0]


def decode_utf8_aware(name: str, data: bytes) -> tuple[str, bool]:
    """decode(), and whether the bytes after a BOM are that text in UTF-8 (then a parser can read
    the bytes themselves instead of a second copy encoded from the text)."""
    utf8 = False
    if data.startswith(codecs.BOM_UTF8):
        text, utf8 = _strict(name, data[3:], "utf-8"), True
    elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text = _strict(name, data, "utf-16")
    elif b"\x00" in data[:4096]:
        raise _binary(name)
    else:
        try:
            text, utf8 = data.decode("utf-8"), True
        except UnicodeDecodeError:
            text = _strict(name, data, "cp1252")
    if len(CONTROL.findall(text[:65536])) > 2:
        raise _binary(name)
    if "\x00" in text:
        raise refuse_nul(name, text.count("\n", 0, text.index("\x00")) + 1)
    if MOJIBAKE.search(text):
        raise _mojibake(name)
    return text, utf8


SCAN_BYTES = 8 * 1024 * 1024  # text_encoding decodes this much at a time (cut at a line end)


def text_encoding(name: str, data: bytes) -> tuple[str, int] | None:
    """(codec, length of the BOM) of a UTF-8 or Windows-1252 file, checked as decode_utf8_aware
    checks it (the same refusals) but a piece at a time, keeping no text: for readers that stream
    the bytes. None for UTF-16 and for a file with a line longer than SCAN_BYTES (decode those whole)."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None
    bom = 3 if data.startswith(codecs.BOM_UTF8) else 0
    if not bom and b"\x00" in data[:4096]:
        raise _binary(name)
    pieces = _pieces(data, bom)
    if pieces is None:
        return None
    codec = "utf-8" if bom or _decodes(data, pieces, "utf-8") else "cp1252"
    for i, (pos, end) in enumerate(pieces):
        try:
            text = data[pos:end].decode(codec)
        except UnicodeDecodeError:
            raise _strict(name, data[bom:], codec) from None  # the refusal, with its byte
        _check_piece(name, text, first=i == 0, line=1 + data.count(b"\n", bom, pos) if "\x00" in text else 0)
    return codec, bom


def _pieces(data: bytes, start: int) -> list[tuple[int, int]] | None:
    """(start, end) of pieces of about SCAN_BYTES, each ending at a line end (or the end)."""
    out, pos = [], start
    while pos < len(data):
        end = len(data) if pos + SCAN_BYTES >= len(data) else data.rfind(b"\n", pos, pos + SCAN_BYTES) + 1
        if end <= pos:
            return None
        out.append((pos, end))
        pos = end
    return out


def _decodes(data: bytes, pieces: list[tuple[int, int]], codec: str) -> bool:
    try:
        for pos, end in pieces:
            data[pos:end].decode(codec)
    except UnicodeDecodeError:
        return False
    return True


def _check_piece(name: str, text: str, first: bool, line: int) -> None:
    """decode_utf8_aware's checks of the decoded text, for one piece (`line`: its first line)."""
    if first and len(CONTROL.findall(text[:65536])) > 2:
        raise _binary(name)
    if "\x00" in text:
        raise refuse_nul(name, line + text.count("\n", 0, text.index("\x00")))
    if MOJIBAKE.search(text):
        raise _mojibake(name)


def _mojibake(name: str) -> UnreadableFile:
    return refuse(name, "Teckenkodningen är fel: 'ä', 'å' och 'ö' har blivit till 'Ã¤', 'Ã¥' "
                  "och 'Ã¶'. Öppna originalfilen och spara den igen som 'CSV UTF-8' i Excel.",
                  error=UnreadableFile)


def refuse_nul(name: str, line: int) -> UnreadableFile:
    """NUL characters (byte 0) belong in no text file, and PostgreSQL cannot store them."""
    return refuse(name, "Filen innehåller ett NUL-tecken (byte 0), som inte hör hemma i en textfil; "
                  "filen är troligen skadad eller sparad i fel format. Öppna den och spara den igen "
                  "som 'CSV UTF-8' i Excel.", row=line, error=UnreadableFile)


def _strict(name: str, data: bytes, encoding: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        raise refuse(name, f"Filen går inte att läsa som text (okänd teckenkodning, byte "
                     f"{exc.start + 1}). Spara den som 'CSV UTF-8' i Excel.",
                     error=UnreadableFile) from None


def _binary(name: str) -> UnreadableFile:
    return refuse(name, "Filen innehåller binära data och är ingen textfil. Välj en CSV-, "
                  ".xlsx-, JSON- eller GeoJSON-fil.", error=UnreadableFile)
