"""An uploaded or named file: its name and bytes, with the size limit every reader relies on."""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from loaders.errors import UnreadableFile, refuse

MAX_FILE_BYTES = 100 * 1024 * 1024


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
    return refuse(name, f"Filen är för stor ({size / 1e6:.1f} MB; högst {limit / 1e6:.1f} MB). "
                  "Dela upp den i flera filer, till exempel per år.", error=UnreadableFile)


def check_size(file: SourceFile) -> None:
    """Refuse empty and oversized files before any reader looks at them."""
    if not file.data.strip():
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
