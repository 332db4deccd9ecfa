"""Named exceptions of the import pipeline. Every one carries Problems in Swedish."""
from __future__ import annotations

from lagesbild.errors import InputError, Problem


class FileRefused(InputError):
    """The file was refused; nothing was written.

    Its problems hold nothing that the anonymisation gate would refuse: the file name, column,
    value and message of each are masked (loaders.anonymise.safe_problem), so that the report,
    the import log and any log line repeat no personal data found in the file.
    """

    def __init__(self, problems: list[Problem]):
        from loaders.anonymise import safe_problem  # anonymise raises FileRefused itself
        super().__init__([safe_problem(p) for p in problems])


class UnreadableFile(FileRefused):
    """The file could not be read as the format it claims to be."""


class MappingError(FileRefused):
    """The column mapping does not fit the file (or the mapping file itself is wrong)."""


class PersonalDataFound(FileRefused):
    """The anonymisation gate found something that may identify a person."""


class DemoDataPresent(FileRefused):
    """Real data would be mixed with the generated demo data."""


def refuse(file: str, message: str, row: int | None = None, column: str | None = None,
           value: str | None = None, error: type[FileRefused] = FileRefused) -> FileRefused:
    """An exception with a single problem (raise the result)."""
    return error([Problem(file, row, column, value, message)])
