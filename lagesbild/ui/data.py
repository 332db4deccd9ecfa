"""Cached access to the query layer: one entry point, keyed by data version and arguments."""
from __future__ import annotations

from typing import Callable

import streamlit as st

from lagesbild.privacy import assert_published
from lagesbild.queries import actions, compare, effect, explore, followup, housing, incidents, maps, trends, walks
from lagesbild.queries import areas as areas_q
from lagesbild.ui.common import data_version, engine

QUERIES: dict[str, Callable] = {
    "area_frame": areas_q.area_frame,
    "area_choices": areas_q.area_choices,
    "geometries": areas_q.geometries,
    "any_schematic": areas_q.any_schematic,
    "data_range": incidents.data_range,
    "counts": incidents.counts,
    "compare_periods": compare.compare_periods,
    "area_summary": compare.area_summary,
    "overview": compare.overview,
    "briefing": compare.briefing,
    "unusual": compare.unusual,
    "week_vs_baseline": compare.week_vs_baseline,
    "pyramid": compare.pyramid,
    "pyramid_by_area": compare.pyramid_by_area,
    "category_names": compare.category_names,
    "series": trends.series,
    "year_over_year": trends.year_over_year,
    "density": maps.density,
    "explore": explore.explore,
    "walk_kpis": walks.kpis,
    "walk_status_by": walks.status_by,
    "walk_time_to_fix": walks.time_to_fix,
    "walk_actions": walks.action_list,
    "walk_overdue_by_actor": walks.overdue_by_actor,
    "walk_cells": walks.observation_cells,
    "housing": housing.housing,
    "housing_signals": housing.latest_signals,
    "housing_incident_rates": housing.incident_rates,
    "action_list": actions.action_list,
    "week_actions": actions.week_actions,
    "action_bands": actions.bands,
    "action_notes": actions.notes,
    "action_history": actions.history,
    "action_export": actions.export_frame,
    "effect_view": effect.effect_view,
    "yearly_follow_up": followup.yearly_follow_up,
    "outcomes": followup.outcomes,
    "lagesbild_document": followup.document,
}


@st.cache_data(max_entries=512, show_spinner=False)
def _cached(name: str, version: str, args: tuple, kwargs: tuple):
    with engine().connect() as conn:
        result = QUERIES[name](conn, *args, **dict(kwargs))
    assert_published(result)  # the read gate: nothing with key sums reaches a page
    return result


def q(name: str, *args, **kwargs):
    """Run query `name` of the query layer with a connection, cached until the data changes."""
    return _cached(name, data_version(), args, tuple(sorted(kwargs.items())))
