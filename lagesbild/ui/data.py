"""The query layer as the pages call it: each query wrapped once by `cached` (a connection, a cache
keyed by the data version and the arguments, and the read gate that refuses unpublished counts), or
by `fresh` (the same without the cache, for logs that change without a data change).

A page calls `data.overview(f, level, policy, first)` — the same name and signature as
`lagesbild.queries.compare.overview(conn, …)` without the connection — so a reader can follow a
page's number to its query.
"""
from __future__ import annotations

import functools
from typing import Callable, TypeVar

import streamlit as st

from lagesbild import audit
from lagesbild.access.rules import check_query, enforce_policy
from lagesbild.access.users import user_frame
from lagesbild.access.ui import current_user
from lagesbild.privacy import assert_published
from lagesbild.queries import areas as areas_q
from lagesbild.queries import compare, explore as explore_q, housing as housing_q, incidents, maps, trends, walks
from lagesbild.queries import actions as actions_q, effect as effect_q, followup as followup_q
from lagesbild.queries import imports as imports_q
from lagesbild.ui.common import data_version, engine

F = TypeVar("F", bound=Callable)
_QUERIES: dict[str, Callable] = {}  # filled by `cached` and `fresh`: keyed by the query's full name


def _execute(name: str, args: tuple, kwargs: tuple):
    with engine().connect() as conn:
        result = _QUERIES[name](conn, *args, **dict(kwargs))
    assert_published(result)  # the read gate: nothing with key sums reaches a page
    return result


class _Refused:
    """A query's refusal (QueryError) kept in the cache like a result: a breakdown with too many
    cells is not counted again on every rerun until the selection or the data change."""

    def __init__(self, exc: incidents.QueryError):
        self.kind, self.message = type(exc), str(exc)

    def raise_again(self):
        raise self.kind(self.message)


@st.cache_data(max_entries=512, show_spinner=False)
def _run(name: str, version: str, args: tuple, kwargs: tuple):
    try:
        return _execute(name, args, kwargs)
    except incidents.QueryError as exc:
        return _Refused(exc)


def _wrap(query: F, run: Callable) -> F:
    name = f"{query.__module__}.{query.__qualname__}"
    _QUERIES[name] = query

    @functools.wraps(query)
    def call(*args, **kwargs):
        # The signed-in user's role must allow the query; an external audience gets external
        # policies only (lagesbild.access.rules).
        user = current_user()
        check_query(user, query.__name__)
        args, kwargs = enforce_policy(user, query.__name__, args, dict(kwargs))
        result = run(name, args, tuple(sorted(kwargs.items())))
        if isinstance(result, _Refused):
            result.raise_again()
        return result
    return call  # type: ignore[return-value]


def cached(query: F) -> F:
    """`query(conn, *args, **kwargs)` as `query(*args, **kwargs)`, cached until the data change."""
    return _wrap(query, lambda name, args, kwargs: _run(name, data_version(), args, kwargs))


def fresh(query: F) -> F:
    """As `cached`, but read anew on every page run: for logs that change without a data change
    (a refused or running import, a sign-in, a changed role)."""
    return _wrap(query, _execute)


area_frame = cached(areas_q.area_frame)
area_choices = cached(areas_q.area_choices)
geometries = cached(areas_q.geometries)
any_schematic = cached(areas_q.any_schematic)
data_range = cached(incidents.data_range)
counts = cached(incidents.counts)
overview = cached(compare.overview)
briefing = cached(compare.briefing)
pyramid = cached(compare.pyramid)
pyramid_by_area = cached(compare.pyramid_by_area)
category_names = cached(compare.category_names)
series = cached(trends.series)
year_over_year = cached(trends.year_over_year)
density = cached(maps.density)
explore = cached(explore_q.explore)
walk_kpis = cached(walks.kpis)
walk_status_by = cached(walks.status_by)
walk_time_to_fix = cached(walks.time_to_fix)
walk_actions = cached(walks.action_list)
walk_overdue_by_actor = cached(walks.overdue_by_actor)
walk_cells = cached(walks.observation_cells)
housing = cached(housing_q.housing)
housing_signals = cached(housing_q.latest_signals)
housing_incident_rates = cached(housing_q.incident_rates)
action_list = cached(actions_q.action_list)
week_actions = cached(actions_q.week_actions)
action_bands = cached(actions_q.bands)
action_notes = cached(actions_q.notes)
action_history = cached(actions_q.history)
action_export = cached(actions_q.export_frame)
effect_view = cached(effect_q.effect_view)
yearly_follow_up = cached(followup_q.yearly_follow_up)
outcomes = cached(followup_q.outcomes)
lagesbild_document = cached(followup_q.document)
freshness = cached(imports_q.freshness)
import_log = fresh(imports_q.import_log)
audit_events = fresh(audit.events)
users = fresh(user_frame)
