"""What a server process does once before it takes its first request (`python -m lagesbild.serve`).

1. Import what the pages import (the query layer, the view builders, the figures, the access
   rules, plotly, pydeck), so that the first person to open a page after a restart does not wait
   for it.
2. Read the store's incident rows into memory (lagesbild.queries.facts, what the map and the
   breakdowns by place type and age group sum): at 3 000 000 incidents about 5–6 s, which would
   otherwise fall on the first person to open Karta. A store
   that cannot be read yet (not created, not migrated) is skipped: the first page run reads it.
3. Move everything alive at that point — modules, classes, constants; no session's data yet —
   out of the garbage collector's sight (`gc.freeze()`). Otherwise every full collection walks
   all of them again while every session waits. Measured with `python -m bench concurrent` (an
   import running, alternating runs): one session's page runs p50 0.19–0.21 → 0.06–0.08 s; twenty
   sessions p95 0.99–1.12 → 0.33–0.35 s on the demo store and 1.82 → 0.61 s on the 3 M store; the
   imports alone (without the freeze) changed nothing.
"""
from __future__ import annotations

import gc
import importlib
import pkgutil
import time
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from lagesbild import config, logs

log = logs.get("warmup")

PACKAGES = ("lagesbild.pageviews", "lagesbild.queries", "lagesbild.access")  # not lagesbild.ui: its caches
# are declared when the page first runs, inside Streamlit's runtime
MODULES = ("lagesbild.figures", "lagesbild.map_figures", "lagesbild.presenters", "lagesbild.action_presenters",
           "lagesbild.handout", "lagesbild.freshness", "lagesbild.exports", "loaders.pipeline", "loaders.report",
           "plotly.graph_objects", "pydeck")


def modules() -> list[str]:
    """Every module the warm-up imports: the listed ones and each module of the listed packages."""
    names = list(MODULES)
    for package in PACKAGES:
        pkg = importlib.import_module(package)
        names += [f"{package}.{m.name}" for m in pkgutil.iter_modules(pkg.__path__)]
    return names


def read_facts(url: str | None = None) -> float | None:
    """Read the store's incident rows into this process's copy; seconds taken, None if it could not."""
    from lagesbild.queries.facts import facts
    from lagesbild.store.engine import get_engine
    url = url or config.database_url()
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None  # not created yet: the app creates it (and opening it here would make an empty file)
    started = time.perf_counter()
    try:
        with get_engine(url).connect() as conn:
            rows = facts(conn).size()
    except SQLAlchemyError as exc:
        log.warning("warm-up: incidents not read (%s); the first page run reads them", type(exc).__name__)
        return None
    seconds = time.perf_counter() - started
    log.info("warm-up: incidents read, rows=%d seconds=%.2f", rows, seconds)
    return seconds


def warm_up() -> int:
    """Import the pages' modules, read the incidents, then freeze what is alive; returns how many
    objects were frozen."""
    for name in modules():
        importlib.import_module(name)
    read_facts()
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
