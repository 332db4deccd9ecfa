"""Zip containers (.xlsx, zipped Shapefile): look at the uncompressed sizes before opening."""
from __future__ import annotations

import io
import zipfile

from loaders.errors import UnreadableFile, refuse

MAX_UNCOMPRESSED = 300 * 1024 * 1024
MAX_RATIO = 200  # uncompressed/compressed for members larger than 1 MB
MAX_MEMBERS = 10_000


def open_zip(name: str, data: bytes, what: str) -> zipfile.ZipFile:
    """The archive, after checking it is one and is no zip bomb."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, ValueError, OSError):
        raise refuse(name, f"Filen är ingen giltig {what}. Spara eller exportera den igen.",
                     error=UnreadableFile) from None
    check_bomb(name, archive)
    return archive


def check_bomb(name: str, archive: zipfile.ZipFile) -> None:
    infos = archive.infolist()
    total = sum(i.file_size for i in infos)
    ratio_bomb = any(i.file_size > 1024 * 1024 and i.file_size > MAX_RATIO * max(i.compress_size, 1)
                     for i in infos)
    if len(infos) > MAX_MEMBERS or total > MAX_UNCOMPRESSED or ratio_bomb:
        raise refuse(name, f"Filen packas upp till {total / 1e6:.0f} MB och ser ut som en "
                     "zip-bomb; den öppnas inte. Spara om filen från originalprogrammet.",
                     error=UnreadableFile)
