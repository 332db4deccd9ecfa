"""Named exceptions shared by the domain, the store and the loaders."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, said so that a coordinator can fix it."""

    file: str
    row: int | None
    column: str | None
    value: str | None
    message: str

    def __str__(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"rad {self.row}")
        if self.column:
            where.append(f"kolumn '{self.column}'")
        value = f" (värde: '{self.value}')" if self.value not in (None, "") else ""
        return f"{', '.join(where)}: {self.message}{value}"


class LagesbildError(Exception):
    """Base class of every error this application raises on purpose."""


class InputError(LagesbildError):
    """An input file was refused; `problems` lists every reason."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))

    def __reduce__(self):  # pickled with its problems (the import prepares files in a worker process)
        return type(self), (self.problems,)


class TaxonomyError(InputError):
    """The taxonomy files in data/taxonomy are not valid."""


class AreaDefinitionError(InputError):
    """The area definition file is not valid."""
