"""Several files of one kind in a row, each all or nothing (its own transaction), as when a
center loads years of exports at once.

While one file is written, the next one is read, checked, anonymised and placed in a second
thread, so that the two halves of an import use both cores: preparing a file (pandas and
pyarrow) takes about as long as writing it, and both release Python's lock for most of their
work (SQLite and PostgreSQL while they store rows, pyarrow and pandas while they parse and group).
Files are written in the order given. Preparing reads only what imports of one kind do not
change (areas, taxonomy, mappings); everything that depends on stored rows (duplicates, updates)
happens when the file is written.
"""
from __future__ import annotations

from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy import Engine

from lagesbild.errors import InputError
from loaders.kinds import Options, Prepared
from loaders.pipeline import ImportResult, log_refusal, prepare_or_stream, run_import
from loaders.source import SourceFile, from_path

Outcome = ImportResult | InputError


def _prepare_in_worker(engine: Engine, kind: str, path: str, options: Options) -> tuple[SourceFile, Prepared | InputError]:
    """Runs in the worker thread (with a connection of its own): read and prepare one file (a
    large incidents file is only opened here: it is checked a piece at a time while it is stored)."""
    try:
        file = from_path(path)
    except InputError as exc:
        return SourceFile(Path(path).name, b""), exc
    try:
        return file, prepare_or_stream(engine, kind, file, options)
    except InputError as exc:
        return file, exc


def import_files(engine: Engine, kind: str, paths: Iterable[str | Path],
                 options: Options | list[Options] | None = None, *,
                 imported_by: str | None = None, replace_demo: bool = False,
                 on_result: Callable[[Path, Outcome], None] | None = None) -> list[Outcome]:
    """Import every file (with its own Options when a list is given, e.g. another source); a
    refused file is logged and reported, the others go on."""
    paths = [Path(p) for p in paths]
    per_file = options if isinstance(options, list) else [options or Options()] * len(paths)
    outcomes: list[Outcome] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="prepare") as pool:
        def submit(i: int) -> Future | None:
            return pool.submit(_prepare_in_worker, engine, kind, str(paths[i]), per_file[i]) if i < len(paths) else None
        pending = submit(0)
        for i, path in enumerate(paths):
            file, prepared = pending.result()
            pending = submit(i + 1)  # the next file is prepared while this one is written
            if isinstance(prepared, InputError):
                log_refusal(engine, kind, file, per_file[i].source, prepared, imported_by)
                outcome: Outcome = prepared
            else:
                try:
                    outcome = run_import(engine, kind, file, per_file[i], prepared=prepared,
                                         imported_by=imported_by, replace_demo=replace_demo)
                except InputError as exc:
                    outcome = exc
            outcomes.append(outcome)
            if on_result:
                on_result(path, outcome)
    return outcomes
