"""An uploaded or named file: its name and bytes, with the size limit every reader relies on."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from loaders.errors import UnreadableFile, refuse

MAX_UPLOAD_MB = 100  # the one upload limit: .streamlit/config.toml's server.maxUploadSize is this
MAX_FILE_BYTES = MAX_UPLOAD_MB * 1024 * 1024  # megabytes as Streamlit counts them (and says "MB")


@dataclass(frozen=True)
class SourceFile:
    """`name` is masked where the gate finds personal data in it ('orosanmalan_[namn].csv'):
    the name is shown and logged, never the file's content."""

    name: str
    data: bytes

    def __post_init__(self):
        from loaders.anonymise import safe_file_name
        object.__setattr__(self, "name", safe_file_name(self.name))

    @property
    def suffix(self) -> str:
        return Path(self.name.lower()).suffix

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def _too_large(name: str, size: int, limit: int) -> UnreadableFile:
    return refuse(name, f"Filen är för stor ({megabytes(size)} MB; högst {megabytes(limit)} MB). "
                  "Dela upp den i flera filer, till exempel per år.", error=UnreadableFile)


def megabytes(size: int) -> str:
    """A size in megabytes (2^20 bytes, as Streamlit's uploader counts them), Swedish style: '100', '1,4'."""
    mb = size / (1024 * 1024)
    return f"{mb:.0f}" if mb >= 10 or mb == int(mb) else f"{mb:.1f}".replace(".", ",")


def check_size(file: SourceFile) -> None:
    """Refuse empty and oversized files before any reader looks at them."""
    if not file.data or file.data.isspace():  # isspace() stops at the first byte of content; strip() copied it all
        raise refuse(file.name, "Filen är tom. Exportera filen igen och kontrollera att den "
                     "innehåller rader.", error=UnreadableFile)
    if len(file.data) > MAX_FILE_BYTES:
        raise _too_large(file.name, len(file.data), MAX_FILE_BYTES)


def from_path(path: str | Path) -> SourceFile:
    path = Path(path)
    if not path.is_file():
        raise refuse(path.name, f"Filen finns inte: {path}", error=UnreadableFile)
    if path.stat().st_size > MAX_FILE_BYTES:
        raise _too_large(path.name, path.stat().st_size, MAX_FILE_BYTES)
    return SourceFile(path.name, path.read_bytes())
