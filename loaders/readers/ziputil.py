"""Zip containers (.xlsx, zipped Shapefile): look at the names and sizes before opening anything.

Python's zipfile never reads more than a member's declared size (and checks its CRC), so the sizes
in the directory are the sizes that can be unpacked; they are checked here, before any reading:
the number of members, the total, the ratio of the whole archive and the ratio of each member.
"""
from __future__ import annotations

import io
import re
import zipfile

from loaders.errors import UnreadableFile, refuse

MAX_UNCOMPRESSED = 300 * 1024 * 1024  # all members together
MAX_MEMBERS = 1_000  # an .xlsx from Excel has a few dozen parts, a Shapefile a handful
MAX_RATIO = 200  # uncompressed/compressed, for the archive and for every member ...
RATIO_FROM = 256 * 1024  # ... once it unpacks to more than this (tiny members compress any way)
UNSAFE_NAME = re.compile(r"(^|[/\\])\.\.([/\\]|$)|^[/\\]|^[A-Za-z]:|\x00")


def open_zip(name: str, data: bytes, what: str) -> zipfile.ZipFile:
    """The archive, after checking it is one, is no zip bomb and names no path outside itself."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError, EOFError):
        raise refuse(name, f"Filen är ingen giltig {what}. Spara eller exportera den igen.",
                     error=UnreadableFile) from None
    check_names(name, archive)
    check_bomb(name, archive, len(data))
    return archive


def check_names(name: str, archive: zipfile.ZipFile) -> None:
    """Refuse members named like absolute paths, drive letters or with a '..' part ('a/..')."""
    for info in archive.infolist():
        if UNSAFE_NAME.search(info.filename):
            raise refuse(name, "Zip-filen innehåller en fil med en otillåten sökväg (absolut sökväg "
                         "eller '..'); den öppnas inte. Packa filerna igen utan mappar runt dem.",
                         value=info.filename[:80], error=UnreadableFile)


def check_bomb(name: str, archive: zipfile.ZipFile, size: int | None = None) -> None:
    """Refuse too many members, too much in total, or a ratio no real export has."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise refuse(name, f"Zip-filen innehåller {len(infos)} filer (högst {MAX_MEMBERS}); den "
                     "öppnas inte. Spara om filen från originalprogrammet.", error=UnreadableFile)
    total = sum(i.file_size for i in infos)
    packed = size if size is not None else sum(i.compress_size for i in infos)
    ratio_bomb = total > RATIO_FROM and total > MAX_RATIO * max(packed, 1)
    ratio_bomb = ratio_bomb or any(i.file_size > RATIO_FROM and i.file_size > MAX_RATIO * max(i.compress_size, 1)
                                   for i in infos)
    if total > MAX_UNCOMPRESSED or ratio_bomb:
        raise refuse(name, f"Filen packas upp till {_mb(total)} MB och ser ut som en "
                     "zip-bomb; den öppnas inte. Spara om filen från originalprogrammet.",
                     error=UnreadableFile)


def _mb(size: int) -> str:
    """Megabytes as a Swedish reader expects them: '294', '3,0', '0,4'."""
    return f"{size / 1e6:.0f}" if size >= 10e6 else f"{size / 1e6:.1f}".replace(".", ",")
