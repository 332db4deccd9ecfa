"""The server's warm-up (lagesbild.warmup): the pages' modules imported and frozen before the first
request, and `python -m lagesbild.serve` doing it before Streamlit starts."""
from __future__ import annotations

import gc

from lagesbild import serve, warmup


def test_the_warm_up_imports_every_view_builder_and_query_module_and_freezes_them():
    names = warmup.modules()
    assert {"lagesbild.pageviews.oversikt", "lagesbild.pageviews.veckobriefing", "lagesbild.queries.incidents",
            "lagesbild.queries.maps", "lagesbild.figures", "plotly.graph_objects"} <= set(names)
    assert not [n for n in names if n.startswith("lagesbild.ui")]  # their caches belong to the runtime
    try:
        frozen = warmup.warm_up()
        assert frozen > 10_000 and gc.get_freeze_count() == frozen
    finally:
        gc.unfreeze()  # the rest of the test run collects as usual


def test_the_warm_up_reads_the_incidents_of_the_store(demo_engine, tmp_path):
    from lagesbild.queries.facts import facts
    url = demo_engine.url.render_as_string(hide_password=False)
    assert warmup.read_facts(url) is not None
    with demo_engine.connect() as conn:
        copy = facts(conn)
        held, reads = copy.size(), copy.full_reads
        assert held == conn.exec_driver_sql("SELECT COUNT(*) FROM incidents").scalar() > 50_000
        facts(conn)
        assert copy.full_reads == reads and copy.week_reads == 0  # the page's first run finds it done
    missing = tmp_path / "inte-skapad.db"
    assert warmup.read_facts(f"sqlite:///{missing}") is None and not missing.exists()


def test_the_server_warms_up_before_streamlit_starts(monkeypatch):
    calls = []
    monkeypatch.setattr(warmup, "warm_up", lambda: calls.append("warm_up") or 0)
    from streamlit.web import cli
    monkeypatch.setattr(cli, "main", lambda: calls.append("streamlit") or 0)
    assert serve.main(["--server.address", "127.0.0.1", "--server.port", "8599"]) == 0
    assert calls == ["warm_up", "streamlit"]
