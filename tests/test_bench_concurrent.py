"""bench/concurrent.py: sessions over Streamlit's websocket against a real server (issue 13).

Two sessions for a few seconds against a fresh demo store with an import running: every page run
is timed, finishes (script_finished) and shows no exception or error message; a filter sent in the
URL reaches the bound widget.
"""
from __future__ import annotations

import asyncio
import math

import pytest

from bench import concurrent


def test_two_sessions_record_latencies_without_errors(tmp_path):
    result = concurrent.run("demo", "2x1", seconds=6, think=1, import_rows=2000,
                            work=tmp_path, keep_runs=True, timeout=60)
    (s,) = result["scenarios"]
    runs = s["runs_detail"]
    assert len(runs) >= 4, runs  # both sessions opened the app and did something more
    assert {r["session"] for r in runs} == {0, 1}
    assert [r["errors"] for r in runs] == [[] for _ in runs]  # no exception, no st.error, no timeout
    assert all(0 < r["s"] < 60 and math.isfinite(r["s"]) for r in runs)
    assert all(r["bytes"] > 1000 for r in runs)  # each run delivered a page, not an empty reply
    assert s["runs"] == len(runs) and s["p50_s"] <= s["p95_s"] <= s["max_s"] == round(max(r["s"] for r in runs), 3)
    assert {r["what"].split(":")[0] for r in runs} >= {"open"}
    assert s["runs_with_errors"] == 0 and s["cpu_cores"] > 0 and s["peak_rss_mb"] > 50
    # The import ran beside the sessions (whether it commits within seconds depends on the machine).
    assert s["import"]["failures"] == [] and s["import"]["files_started"] >= 1


def test_a_filter_in_the_url_reaches_the_bound_widget(tmp_path):
    from bench.wsclient import Session
    url, _, _ = concurrent.demo_store(tmp_path)
    (port,) = ports = [concurrent.free_port()]
    procs = concurrent.start_servers(url, ports, None, None, tmp_path)

    async def drive():
        s = await Session.open(port)
        first = await s.run("", {})
        area = s.options["omrade"][2]
        changed = await s.run("", {"period": "Senaste 4 veckorna", "omrade": [area]}, history=True)
        other = await s.run("trender", {"period": "Senaste 4 veckorna", "omrade": [area]})
        await s.close()
        return first, changed, other, area, s

    try:
        first, changed, other, area, s = asyncio.run(drive())
    finally:
        concurrent.stop(procs)
    assert first.errors == changed.errors == other.errors == []
    assert s.values["period"] == ["Senaste 4 veckorna"] and s.values["omrade"] == [area]
    assert "trender" in s.pages and other.seconds > 0


@pytest.mark.parametrize("text, expected", [("1x1,20x2", [(1, 1, 0), (20, 2, 0)]), ("10", [(10, 1, 0)]),
                                            ("20x2n", [(20, 2, 10)])])
def test_parse_scenarios(text, expected):
    assert concurrent.parse_scenarios(text) == expected


def test_serve_replicas_flags():
    from lagesbild.serve import split_replicas, with_port
    assert split_replicas(["--replicas", "3", "--server.port", "8600"]) == (3, ["--server.port", "8600"])
    assert split_replicas(["--replicas=2", "--x.y", "z"]) == (2, ["--x.y", "z"])
    assert split_replicas(["--server.port=9000"]) == (1, ["--server.port=9000"])
    assert with_port(["--server.port", "8600", "--a.b", "c"], 8601) == ["--a.b", "c", "--server.port", "8601"]
    assert with_port(["--server.port=8600"], 8602) == ["--server.port", "8602"]
    with pytest.raises(SystemExit):
        split_replicas(["--replicas", "0"])


def test_serve_starts_replicas_on_consecutive_ports(tmp_path):
    import os
    import signal
    import subprocess
    import sys
    url, _, _ = concurrent.demo_store(tmp_path)
    port = concurrent.free_port()
    while concurrent.free_port() == port + 1:  # pragma: no cover - the next port must be free too
        port = concurrent.free_port()
    proc = subprocess.Popen([sys.executable, "-m", "lagesbild.serve", "--replicas", "2", "--server.port", str(port),
                             "--server.address", "127.0.0.1", "--server.headless", "true"],
                            cwd=concurrent.ROOT, env={**os.environ, "DATABASE_URL": url},
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for p in (port, port + 1):
            concurrent.wait_healthy(p, proc, limit=90)

        async def one(p):
            from bench.wsclient import Session
            s = await Session.open(p)
            run = await s.run("", {})
            await s.close()
            return run

        runs = [asyncio.run(one(p)) for p in (port, port + 1)]
        assert [r.errors for r in runs] == [[], []] and all(r.bytes > 1000 for r in runs)
    finally:
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    assert "Replikor: 2 servrar" in err and proc.returncode == 0



def test_a_person_switches_pages_or_changes_a_shown_filter():
    import random
    rng = random.Random(5)
    options = {"omrade": ["Alby", "Fittja", "Hallunda"], "strategi": ["Trygghetsskapande"], "kalla": ["Polisen"]}
    seen = [concurrent.next_interaction(rng, "veckobriefing", {"omrade": ["Alby"]}, options) for _ in range(300)]
    assert not [s for s in seen if s[0] == "filter:period"]  # Veckobriefing shows no period widget
    assert all(page != "veckobriefing" for what, page, _, _ in seen if what == "page")
    assert all(page == "veckobriefing" and history for what, page, _, history in seen if what != "page")
    assert {what for what, *_ in seen} == {"page", "filter:omrade", "filter:strategi", "filter:kalla"}
    assert all(set(p.get("omrade", [])) <= set(options["omrade"]) for _, _, p, _ in seen)
