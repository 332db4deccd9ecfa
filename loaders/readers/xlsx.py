"""Excel .xlsx via openpyxl (read-only), the first sheet with content.

openpyxl parses with defusedxml (installed, see requirements.txt); before that, every XML part is
checked for a DOCTYPE, which Excel never writes and entity attacks need. A password-protected
workbook is an OLE container holding an 'EncryptedPackage', and is named as such.
"""
from __future__ import annotations

import datetime as dt
import io
import zipfile
from xml.etree.ElementTree import ParseError

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
    return str(value).replace("\x00", "")  # an '_x0000_' escape is no text (PostgreSQL refuses it)


OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ENCRYPTED = "EncryptedPackage".encode("utf-16-le")
XML_ERRORS: tuple[type[Exception], ...] = (ParseError,)
try:
    from defusedxml import DefusedXmlException
    XML_ERRORS += (DefusedXmlException,)
except ImportError:  # pragma: no cover - defusedxml is a pinned requirement
    pass


def _check_container(file: SourceFile) -> None:
    """Name what is not an .xlsx at all: an encrypted workbook, or the old format renamed."""
    if not file.data.startswith(OLE_MAGIC):
        return
    if ENCRYPTED in file.data:
        raise refuse(file.name, "Filen är lösenordsskyddad (krypterad), så den går inte att läsa. Öppna "
                     "den i Excel, ta bort lösenordet (Arkiv > Info > Skydda arbetsbok > Kryptera med "
                     "lösenord, töm fältet) och spara den igen.", error=UnreadableFile)
    raise refuse(file.name, "Filen är i det gamla Excel-formatet (.xls) fast den heter .xlsx. Spara "
                 "den som .xlsx (Excel-arbetsbok) eller CSV i Excel.", error=UnreadableFile)


def _check_xml_parts(name: str, archive: zipfile.ZipFile) -> None:
    """Refuse XML parts with a DOCTYPE (entity declarations: 'billion laughs', external entities)."""
    for info in archive.infolist():
        if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
            continue
        with archive.open(info) as part:
            head = part.read(4096)
        if b"<!DOCTYPE" in head.upper() or "<!DOCTYPE".encode("utf-16-le") in head.upper():
            raise _xml_refusal(name, info.filename)


def _xml_refusal(name: str, part: str) -> UnreadableFile:
    return refuse(name, f"Excel-filen innehåller XML som Excel inte skriver (entiteter eller DOCTYPE i "
                  f"'{part}') och öppnas inte. Öppna den i Excel och spara den igen som .xlsx.",
                  error=UnreadableFile)


def read_xlsx(file: SourceFile) -> pd.DataFrame:
    import openpyxl

    _check_container(file)
    archive = open_zip(file.name, file.data, "Excel-fil (.xlsx)")
    try:
        _check_xml_parts(file.name, archive)
    finally:
        archive.close()
    try:
        book = openpyxl.load_workbook(io.BytesIO(file.data), read_only=True, data_only=True)
    except XML_ERRORS:
        raise _xml_refusal(file.name, "arbetsboken") from None
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise refuse(file.name, f"Excel-filen går inte att öppna ({type(exc).__name__}). "
                     "Spara den igen som .xlsx.", error=UnreadableFile) from None
    try:
        for sheet in book.worksheets:
            try:
                rows = [(n, [cell_text(v) for v in values])
                        for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)]
            except XML_ERRORS:
                raise _xml_refusal(file.name, f"bladet {sheet.title}") from None
            if any(any(cells) for _, cells in rows):
                return frame_from_rows(file.name, rows)
    finally:
        book.close()
    raise refuse(file.name, "Excel-filen innehåller inga rader. Exportera filen igen.",
                 error=UnreadableFile)
