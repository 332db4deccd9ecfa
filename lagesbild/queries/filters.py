"""The shared filters of every page, and how they become SQL conditions."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from sqlalchemy import Connection, or_, select

from lagesbild.calendar import monday  # noqa: F401 - the queries' week rule, from its one home
from lagesbild.store.models import Area, Category, CategoryFocus

areas_t, cat_t, focus_t = Area.__table__, Category.__table__, CategoryFocus.__table__


@dataclass(frozen=True)
class Filters:
    """A selection: period (inclusive dates), areas (kommundel or område codes), sources, etc."""

    start: dt.date
    end: dt.date
    areas: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    strategic_areas: tuple[str, ...] = ()
    focus_areas: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def shifted(self, days: int) -> "Filters":
        return replace(self, start=self.start + dt.timedelta(days=days),
                       end=self.end + dt.timedelta(days=days))

    def previous_period(self) -> "Filters":
        return self.shifted(-self.days)

    def same_period_last_year(self) -> "Filters":
        """The same weeks one year earlier (52 weeks, so weekdays line up)."""
        return self.shifted(-364)

    def with_period(self, start: dt.date, end: dt.date) -> "Filters":
        return replace(self, start=start, end=end)


def area_ids(conn: Connection, codes: tuple[str, ...]) -> list[int] | None:
    """Ids of the chosen areas and of the områden inside chosen kommundelar (None: no filter)."""
    if not codes:
        return None
    parent = areas_t.alias("parent")
    rows = conn.execute(select(areas_t.c.id).select_from(
        areas_t.outerjoin(parent, areas_t.c.parent_id == parent.c.id))
        .where(or_(areas_t.c.code.in_(codes), parent.c.code.in_(codes)))).scalars().all()
    return list(rows)


def category_ids(conn: Connection, f: Filters) -> list[int] | None:
    """Ids of the categories the taxonomy filters choose (None: no such filter)."""
    conditions = category_conditions(f, cat_t.c.id)
    return conn.execute(select(cat_t.c.id).where(*conditions)).scalars().all() if conditions else None


def category_conditions(f: Filters, category_col) -> list:
    """Conditions on a category id column for the taxonomy filters."""
    conds = []
    if f.strategic_areas:
        conds.append(category_col.in_(select(cat_t.c.id).where(cat_t.c.strategic_area.in_(f.strategic_areas))))
    if f.focus_areas:
        conds.append(category_col.in_(select(focus_t.c.category_id).where(focus_t.c.focus_area.in_(f.focus_areas))))
    if f.categories:
        conds.append(category_col.in_(select(cat_t.c.id).where(cat_t.c.code.in_(f.categories))))
    return conds
