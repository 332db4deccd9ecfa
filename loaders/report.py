"""What the upload page shows, as pure functions: a check that never raises, and the report."""
from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from sqlalchemy import Engine

from lagesbild.errors import InputError, LagesbildError, Problem
from lagesbild.store.failures import store_failure
from loaders.anonymise import safe_problem
from loaders.kinds import Options, Prepared
from loaders.pipeline import prepare
from loaders.source import SourceFile

REPORT_COLUMNS = ["Fil", "Rad", "Kolumn", "Värde", "Vad som är fel och vad du kan göra"]


@dataclass
class Check:
    prepared: Prepared | None
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return self.prepared is not None and not self.problems


def check_upload(engine: Engine, kind: str, name: str, data: bytes, options: Options) -> Check:
    """Prepare the file without writing; any failure becomes problems, never an exception."""
    file = SourceFile(name, data)
    name = file.name  # masked where it holds personal data
    try:
        return Check(prepare(engine, kind, file, options), [])
    except InputError as exc:
        return Check(None, list(exc.problems))
    except LagesbildError as exc:
        return Check(None, [safe_problem(Problem(name, None, None, None, str(exc)))])
    except Exception as exc:  # noqa: BLE001 - a bad upload must never crash the page
        failure = store_failure(exc)
        if failure is not None:
            return Check(None, [Problem(name, None, None, None, failure.message)])
        return Check(None, [Problem(name, None, None, None, "Filen kunde inte läsas "
                                    f"({type(exc).__name__}). Kontrollera filtypen och försök igen.")])


def problems_frame(problems: list[Problem]) -> pd.DataFrame:
    return pd.DataFrame([(p.file, p.row, p.column, p.value, p.message) for p in problems],
                        columns=REPORT_COLUMNS)
