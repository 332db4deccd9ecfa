"""What every page shows on the demo data, pinned: a change to any metric, table or sentence of a
page is a test failure until the snapshot is renewed on purpose.

The snapshot (tests/golden/pages.json) is the same for SQLite and PostgreSQL: the demo data and its
record keys come from one seed, so the published numbers are identical on both backends. After an
intended change: `LAGESBILD_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/test_golden_pages.py -k sqlite`,
then read the diff of the JSON before committing it.
"""
from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from tests.conftest import DEMO_TODAY
from tests.test_pages import run_page

GOLDEN = Path(__file__).resolve().parent / "golden" / "pages.json"
# Datakällor and Granskning show import and sign-in times: not stable between runs.
PAGES = ["oversikt", "veckobriefing", "trender", "karta", "pyramiden", "insatser", "vandringar", "boende", "utforska"]


_TIME = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?")


def _stable(value):
    """Times of day (when the demo was seeded, when a change was logged) are not part of the view."""
    if isinstance(value, str):
        return _TIME.sub("<tid>", value)
    if isinstance(value, list):
        return [_stable(v) for v in value]
    if isinstance(value, dict):
        return {k: _stable(v) for k, v in value.items()}
    return value


def _view(at) -> dict:
    """Every metric, table and text of a page run, as plain strings."""
    return _stable({
        "metrics": [[m.label, m.value, m.delta or ""] for m in at.metric],
        "tables": [df.value.astype(str).to_dict(orient="split") for df in at.dataframe],
        "texts": [t.value for t in [*at.markdown, *at.caption, *at.info, *at.warning, *at.success]
                  if "Demodata" not in t.value],
    })


@pytest.fixture
def demo_app(demo_engine, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", demo_engine.url.render_as_string(hide_password=False))
    monkeypatch.setenv("LAGESBILD_TODAY", DEMO_TODAY.isoformat())
    return demo_engine


def test_every_page_shows_what_the_snapshot_holds(demo_app):
    import streamlit as st
    st.cache_data.clear()
    views = {}
    for page in PAGES:
        at = run_page(page)
        assert not at.exception, (page, [e.value for e in at.exception])
        views[page] = json.loads(json.dumps(_view(at), default=str))
    if os.environ.get("LAGESBILD_UPDATE_GOLDEN") == "1":
        GOLDEN.write_text(json.dumps(views, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    golden = json.loads(GOLDEN.read_text(encoding="utf-8"))
    for page in PAGES:
        assert views[page] == golden[page], f"{page} differs from tests/golden/pages.json"
