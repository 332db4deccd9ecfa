"""One entry point for every feed (the command line and the "Hämta nu" button)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import Engine

from lagesbild.calendar import local_today

FEEDS = {"polisen": "Polisens händelser (polisen.se)", "scb": "Befolkning (SCB, PxWeb)",
         "kolada": "Nyckeltal (Kolada)"}


def year_range(text: str | None, today: dt.date | None = None) -> list[int]:
    """'2020-2024' or '2022' or None (the five years before this one)."""
    if not text:
        this = (today or local_today()).year
        return list(range(this - 5, this))
    first, _, last = text.partition("-")
    return list(range(int(first), int(last or first) + 1))


def run_fetch(engine: Engine, feed: str, *, replace_demo: bool = False, years: str | None = None,
              imported_by: str = "hämtning", client=None, clock=None):
    if feed == "polisen":
        from loaders.fetch import polisen
        return polisen.fetch(engine, replace_demo=replace_demo, imported_by=imported_by,
                             client=client, clock=clock)
    if feed == "scb":
        from loaders.fetch import scb
        return scb.fetch(engine, year_range(years), imported_by=imported_by, client=client, clock=clock)
    if feed == "kolada":
        from loaders.fetch import kolada
        return kolada.fetch(engine, year_range(years), imported_by=imported_by, client=client, clock=clock)
    raise ValueError(f"unknown feed {feed}")
