"""Actions (insatser) of the EST cycle: their vocabularies and the codes of what they target.

An action targets areas (område or kommundel codes) and a problem: category codes, or a whole
strategic or focus area written 'strategiskt:<code>' / 'fokus:<code>'. Lists are stored and
exported as '; '-separated codes, so that a CSV export imports back unchanged.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

KINDS: dict[str, str] = {
    "närvaro": "Ökad närvaro/patrullering",
    "fysisk": "Belysning/fysisk åtgärd",
    "fältarbete": "Fältarbete",
    "föräldravandring": "Föräldravandring",
    "mvp": "MVP/Tåget-pass",
    "dialog": "Dialog",
    "ordningsvakter": "Ordningsvakter",
    "annat": "Annat",
}
STATUSES: dict[str, str] = {"planerad": "Planerad", "pågår": "Pågår", "avslutad": "Avslutad",
                            "avbruten": "Avbruten"}
EST_STEPS: dict[str, str] = {"kartläggning": "Kartläggning", "analys": "Analys", "insats": "Insats",
                             "uppföljning": "Uppföljning", "återkoppling": "Återkoppling"}
STRATEGIC_PREFIX, FOCUS_PREFIX = "strategiskt:", "fokus:"
SEPARATOR = "; "


def split_codes(text: str | None) -> list[str]:
    """'a; b;c' -> ['a', 'b', 'c'] (empty parts dropped, order kept, duplicates removed)."""
    parts = [p.strip() for p in str(text or "").replace("\n", ";").split(";")]
    return list(dict.fromkeys(p for p in parts if p))


def join_codes(codes) -> str:
    return SEPARATOR.join(dict.fromkeys(str(c).strip() for c in codes if str(c).strip()))


@dataclass(frozen=True)
class Targets:
    """What an action targets, split by kind of code."""

    categories: tuple[str, ...] = ()
    strategic_areas: tuple[str, ...] = ()
    focus_areas: tuple[str, ...] = ()

    @classmethod
    def parse(cls, text: str | None) -> "Targets":
        codes = split_codes(text)
        strategic = tuple(c[len(STRATEGIC_PREFIX):] for c in codes if c.startswith(STRATEGIC_PREFIX))
        focus = tuple(c[len(FOCUS_PREFIX):] for c in codes if c.startswith(FOCUS_PREFIX))
        cats = tuple(c for c in codes if not c.startswith((STRATEGIC_PREFIX, FOCUS_PREFIX)))
        return cls(cats, strategic, focus)

    def codes(self) -> list[str]:
        return [*self.categories, *[STRATEGIC_PREFIX + s for s in self.strategic_areas],
                *[FOCUS_PREFIX + f for f in self.focus_areas]]


def running(start: dt.date, end: dt.date | None, status: str, first: dt.date, last: dt.date) -> bool:
    """True when an action runs on some day of first..last (not cancelled before it started)."""
    if status == "avbruten" and end is None:
        return False
    return start <= last and (end is None or end >= first)


def iso_week(day: dt.date) -> str:
    """'2026-W46'."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"
