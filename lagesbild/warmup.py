"""What a server process does once before it takes its first request (`python -m lagesbild.serve`).

1. Import what the pages import (the query layer, the view builders, the figures, the access
   rules, plotly, pydeck), so that the first person to open a page after a restart does not wait
   for it.
2. Move everything alive at that point — modules, classes, constants; no session's data yet —
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


def warm_up() -> int:
    """Import the pages' modules, then freeze what is alive; returns how many objects were frozen."""
    for name in modules():
        importlib.import_module(name)
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
