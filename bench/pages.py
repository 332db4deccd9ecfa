"""Drive every page with AppTest through realistic interactions; time them cold.

Run as a subprocess per backend (`python -m bench.pages URL OUT.json --reps N`) so that the
peak RSS it reports (ru_maxrss) is that of one app process serving every page.
Cold = st.cache_data is cleared before every timed run, so every query of the run goes to the
database (the engine, a cache_resource, stays). Each repetition also uses other arguments.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PERIODS = ["Senaste 13 veckorna", "Förra året", "Senaste 4 veckorna", "Hittills i år",
           "Senaste veckan", "Senaste 52 veckorna"]
STRATEGI = ["våldsförebyggande", "trygghetsskapande", "brottsförebyggande", "brottsbekämpande"]
STRATEGI_LABELS = ["Våldsförebyggande", "Trygghetsskapande", "Brottsförebyggande", "Brottsbekämpande insatser"]
ROWS = [["omrade"], ["category"], ["kommundel", "source"], ["month"], ["omrade", "place_type"], ["week"]]
COLS = [["strategic_area"], ["source"], ["age_group"], ["pyramid_level"], ["quarter"], ["focus_area"]]
PAGES = ["oversikt", "veckobriefing", "trender", "karta", "pyramiden", "vandringar", "boende",
         "utforska", "datakallor"]


def _walk(tree):
    """Every element (not block) of the tree; Block.__iter__ already recurses."""
    from streamlit.testing.v1.element_tree import Block
    return (node for node in tree if not isinstance(node, Block))


BIG = {"plotly_chart", "deck_gl_json_chart", "arrow_data_frame", "dataframe", "table",
       "vega_lite_chart", "download_button", "json"}


def payloads(at) -> dict[str, int]:
    """Serialized size of every chart, map, table and download element, by type#index."""
    out: dict[str, int] = {}
    for i, el in enumerate(_walk(at._tree)):
        ty = getattr(el, "type", type(el).__name__)
        proto = getattr(el, "proto", None)
        if proto is None or not hasattr(proto, "SerializeToString"):
            continue
        size = len(proto.SerializeToString())
        if ty in BIG or size > 20_000:
            out[f"{ty}#{i}"] = size
    return out


class Recorder:
    """Wraps the query layer's functions to record the rows each returns to a page."""

    def __init__(self):
        self.rows: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)
        self.page = ""

    def install(self) -> None:
        from lagesbild.ui import data
        for name, fn in list(data._QUERIES.items()):  # the functions `cached` wraps, by full name
            data._QUERIES[name] = self._wrap(name.rsplit(".", 1)[-1], fn)

    def _wrap(self, name, fn):
        def wrapped(*args, **kwargs):
            started = time.perf_counter()
            result = fn(*args, **kwargs)
            seconds = time.perf_counter() - started
            key = f"{self.page}:{name}"
            self.rows[key] = max(self.rows[key], _row_count(result))
            self.seconds[key] = max(self.seconds[key], seconds)
            return result
        return wrapped


def _row_count(result) -> int:
    import pandas as pd
    if isinstance(result, pd.DataFrame):
        return len(result)
    if hasattr(result, "long") and hasattr(result, "totals"):
        return len(result.long) + len(result.totals)
    if isinstance(result, (list, tuple, dict)):
        return len(result)
    return 1


def _filter_params(rep: int, labels: list[str]) -> list[tuple[str, dict]]:
    """(interaction, query params) for the sidebar changes of one repetition."""
    return [("period", {"period": PERIODS[rep % len(PERIODS)]}),
            ("area", {"omrade": [labels[(3 * rep) % len(labels)]]}),
            ("strategi", {"strategi": STRATEGI_LABELS[rep % len(STRATEGI)]})]


def _page_actions(page: str, rep: int):
    """(interaction, function(at)) for the page's own widgets."""
    if page == "veckobriefing":
        return [("vecka", lambda at: at.selectbox(key="vecka").select(
            at.selectbox(key="vecka").options[1 + rep % 25]))]
    if page == "utforska":
        return [("rader", lambda at: at.multiselect(key="rader").set_value(ROWS[rep % len(ROWS)])),
                ("kolumner", lambda at: at.multiselect(key="kolumner").set_value(COLS[rep % len(COLS)]))]
    return []


def _errors(at) -> list[str]:
    return [str(e.value)[:300] for e in at.exception] + [str(e.value)[:300] for e in at.error]


class Driver:
    """Opens a page with given sidebar filters (URL query params, as a shared link does) and
    times the page's run with st.cache_data cleared first (cold)."""

    def __init__(self, timeout: float, recorder: "Recorder"):
        import streamlit as st
        from streamlit.testing.v1 import AppTest
        self.st, self.AppTest, self.timeout, self.rec = st, AppTest, timeout, recorder

    def open(self, page: str, params: dict):
        at = self.AppTest.from_file(str(ROOT / "app.py"), default_timeout=self.timeout)
        at.query_params.update(params)
        self.rec.page = "oversikt"  # the first run shows the default page
        at.run()
        self.rec.page = page
        if page != "oversikt":
            at.switch_page(f"views/{page}.py")
        at.query_params.update(params)
        return at, self.timed(at, params)

    def timed(self, at, params: dict) -> float:
        at.query_params.update(params)
        self.st.cache_data.clear()
        started = time.perf_counter()
        at.run()
        return time.perf_counter() - started


def drive(reps: int, timeout: float = 120) -> dict:
    rec = Recorder()
    rec.install()
    times: dict[str, dict[str, list[float]]] = defaultdict(lambda: defaultdict(list))
    warm: dict[str, list[float]] = defaultdict(list)
    sizes: dict[str, dict[str, int]] = defaultdict(dict)
    errors: dict[str, list[str]] = defaultdict(list)
    # As the server does before its first request (lagesbild.serve → warmup): the incidents read
    # into memory. Timed apart (warmup_s), not in any page's time.
    from lagesbild.warmup import read_facts
    warmup_s = read_facts()
    started = time.perf_counter()
    d = Driver(timeout, rec)
    at = d.AppTest.from_file(str(ROOT / "app.py"), default_timeout=timeout).run()
    ms = at.multiselect(key="omrade")
    labels = list(ms.proto.options)
    startup = time.perf_counter() - started

    def record(page, name, at, seconds):
        times[page][name].append(seconds)
        errors[page].extend(_errors(at))
        for k, v in payloads(at).items():
            sizes[page][k] = max(sizes[page].get(k, 0), v)

    for page in PAGES:
        rec.page = page
        for rep in range(reps):
            at, seconds = d.open(page, {})
            record(page, "open", at, seconds)
            for name, act in _page_actions(page, rep):
                act(at)
                record(page, name, at, d.timed(at, {}))
            t0 = time.perf_counter()
            at.run()
            warm[page].append(time.perf_counter() - t0)
            for name, params in _filter_params(rep, labels):
                at, seconds = d.open(page, params)
                record(page, name, at, seconds)
    return {"times": times, "warm": warm, "payload_bytes": sizes, "rows": dict(rec.rows),
            "query_max_s": {k: round(v, 4) for k, v in rec.seconds.items()},
            "errors": {k: sorted(set(v))[:5] for k, v in errors.items() if v},
            "startup_s": startup, "warmup_s": warmup_s, "area_options": len(labels),
            "peak_rss_mb": _peak_rss_mb(),
            "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _peak_rss_mb() -> float:
    """VmHWM: the peak resident set of this process since exec (ru_maxrss would also count the
    parent's memory when the subprocess was forked from it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("url")
    p.add_argument("out")
    p.add_argument("--reps", type=int, default=5)
    p.add_argument("--today", default="2026-11-18")
    args = p.parse_args()
    os.environ["DATABASE_URL"] = args.url
    os.environ["LAGESBILD_TODAY"] = args.today
    os.chdir(ROOT)
    sys.path.insert(0, str(ROOT))
    from bench.store import patch_config
    patch_config()
    result = drive(args.reps)
    Path(args.out).write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main())
