"""Browser time to a finished page (issue 12): `python bench/browser_time.py http://127.0.0.1:PORT 5 ",karta"`
against a running `streamlit run app.py` on the demo data, with Debian's Chromium; `make bench`
calls `measure` on a server of its own (bench/__main__.py, run_browser).

Measure: a fresh browser context (cold browser cache; the server's cache is warmed by one discarded
load per page) navigates to the page; wall_ms = performance.now() (ms since navigation start) at the
first animation frame where ALL hold: the app reports data-test-script-state=notRunning, every
[data-testid=stDeckGlJsonChart] holds a <canvas> of non-zero size, every .js-plotly-plot has its
.main-svg, no stSkeleton or stSpinner is shown, and an h1 is present. task_ms / script_ms: the
page's main-thread busy time and JS time (Chrome DevTools Performance metrics) one second later.
Medians of N loads per page.
"""
import json
import statistics
import sys
import time

from playwright.sync_api import sync_playwright

DONE = """() => {
  const app = document.querySelector('[data-testid=stApp]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  if (!document.querySelector('h1')) return false;
  const decks = document.querySelectorAll('[data-testid=stDeckGlJsonChart]');
  if (decks.length === 0) return false;
  for (const d of decks) { const c = d.querySelector('canvas'); if (!c || !c.width || !c.height) return false; }
  for (const p of document.querySelectorAll('.js-plotly-plot')) if (!p.querySelector('.main-svg')) return false;
  if (document.querySelector('[data-testid=stSkeleton]') || document.querySelector('[data-testid=stSpinner]')) return false;
  return performance.now();
}"""


def measure(url: str, n: int, paths: list[str]) -> dict:
    """{page: {wall_ms, task_ms, script_ms}} (medians of n loads, after one discarded load)."""
    out = {}
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu",
            "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"])
        for path in paths:
            rows = []
            for i in range(n + 1):
                ctx = b.new_context(viewport={"width": 1920, "height": 1080})
                page = ctx.new_page()
                cdp = ctx.new_cdp_session(page); cdp.send("Performance.enable")
                page.goto(f"{url}/{path}", wait_until="commit")
                t = page.wait_for_function(DONE, polling="raf", timeout=120_000).json_value()
                time.sleep(1.0)  # let the map finish its frames
                m = {x["name"]: x["value"] for x in cdp.send("Performance.getMetrics")["metrics"]}
                if i:
                    rows.append((t, m["TaskDuration"] * 1000, m["ScriptDuration"] * 1000))
                ctx.close()
            med = lambda k: round(statistics.median(r[k] for r in rows))
            out[path or "oversikt"] = {"wall_ms": med(0), "task_ms": med(1), "script_ms": med(2)}
        b.close()
    return out


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1], int(sys.argv[2]), sys.argv[3].split(","))))
