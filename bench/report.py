"""Summaries, targets and the Markdown table of a bench run."""
from __future__ import annotations

import os
import platform
import subprocess

import numpy as np

TARGETS = {"p95_s": {"sqlite": 0.3, "postgresql": 0.5}, "speedup_vs_naive": 20,
           "import_rows_per_s": 100_000, "import_vs_naive": 3, "payload_bytes": 2_000_000,
           "rows_per_query": 5000, "rss_mb": 600}


def machine() -> dict:
    mem = next((int(line.split()[1]) for line in open("/proc/meminfo") if line.startswith("MemTotal")), 0)
    cpu = next((line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo")
                if line.startswith("model name")), platform.processor())
    return {"nproc": os.cpu_count(), "memory_gb": round(mem / 1024 / 1024, 1), "cpu": cpu,
            "platform": platform.platform()}


def versions(pg_url: str | None) -> dict:
    import sqlite3

    import pandas
    import sqlalchemy
    import streamlit
    out = {"python": platform.python_version(), "streamlit": streamlit.__version__,
           "pandas": pandas.__version__, "sqlalchemy": sqlalchemy.__version__,
           "sqlite": sqlite3.sqlite_version}
    if pg_url:
        from sqlalchemy import create_engine, text
        try:
            eng = create_engine(pg_url)
            with eng.connect() as c:
                out["postgresql"] = c.execute(text("show server_version")).scalar()
            eng.dispose()
        except Exception as exc:  # noqa: BLE001
            out["postgresql"] = f"unavailable ({type(exc).__name__})"
    try:
        out["git_commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                                           text=True, check=False).stdout.strip()
    except OSError:
        pass
    return out


def stats(values: list[float]) -> dict:
    a = np.asarray(values, dtype=float)
    return {"median_s": round(float(np.median(a)), 4), "p95_s": round(float(np.percentile(a, 95)), 4),
            "n": len(a)}


def summarise_backend(backend: str, result: dict) -> dict:
    """Per page and interaction: median/p95, naive time, speed-up; the checks against targets."""
    pages = result["pages"]
    naive = result.get("naive_pages", {})
    limit = TARGETS["p95_s"][backend]
    rows = []
    for page, inter in pages["times"].items():
        naive_s = float(np.median(naive[page])) if page in naive else None
        for name, values in inter.items():
            s = stats(values)
            speedup = naive_s / s["p95_s"] if naive_s else None
            rows.append({"page": page, "interaction": name, **s, "naive_s": naive_s and round(naive_s, 3),
                         "speedup": speedup and round(speedup, 1),
                         "ok_p95": s["p95_s"] <= limit,
                         "ok_speedup": speedup is not None and speedup >= TARGETS["speedup_vs_naive"]})
    payload = max((v for p in pages["payload_bytes"].values() for v in p.values()), default=0)
    max_rows = max(pages["rows"].values(), default=0)
    imp, naive_imp = result["import"], result["naive_import"]
    ratio = imp["rows_per_s"] / naive_imp["rows_per_s"]
    return {
        "interactions": rows,
        "import": {**imp, "naive_rows_per_s": round(naive_imp["rows_per_s"]), "ratio": round(ratio, 2)},
        "checks": {
            "p95": all(r["ok_p95"] for r in rows),
            "worst_p95_s": max(r["p95_s"] for r in rows),
            "speedup": all(r["ok_speedup"] for r in rows),
            "min_speedup": min((r["speedup"] for r in rows if r["speedup"]), default=None),
            "import_rows_per_s": imp["rows_per_s"] >= TARGETS["import_rows_per_s"],
            "import_vs_naive": ratio >= TARGETS["import_vs_naive"],
            "payload": payload <= TARGETS["payload_bytes"], "max_payload_bytes": payload,
            "rows": max_rows <= TARGETS["rows_per_query"], "max_rows": max_rows,
            "rss": pages["peak_rss_mb"] < TARGETS["rss_mb"], "peak_rss_mb": round(pages["peak_rss_mb"]),
            "warmup_s": pages.get("warmup_s"),
        },
    }


def _yes(ok: bool) -> str:
    return "✅" if ok else "❌"


def markdown(run: dict) -> str:
    m, v = run["machine"], run["versions"]
    lines = [f"# Bench results ({run['date']})", "",
             f"{run['rows']:,} incidents".replace(",", " ") + f", {run['areas']} areas, {run['categories']} "
             f"categories, {run['walks']['observations']} walk observations, {run['walks']['housing_rows']} "
             f"housing rows. Machine: {m['nproc']} cores, {m['memory_gb']} GB, {m['cpu']}. "
             + ", ".join(f"{k} {val}" for k, val in v.items()) + ".", "",
             f"Page times are **cold**: `st.cache_data` is cleared before every timed AppTest run, and "
             f"every repetition uses other arguments ({run['reps']} repetitions per interaction). "
             "The naive page is the same page's numbers computed by loading the incident rows into "
             "pandas (one run per page; rendering not included). Speed-up = naive / p95.", ""]
    for backend, s in run["summary"].items():
        c, imp = s["checks"], s["import"]
        lines += [f"## {backend}", "",
                  f"Import: {imp['rows']:,} rows in {imp['seconds']:.1f} s = **{imp['rows_per_s']:,.0f} rows/s** "
                  f"{_yes(c['import_rows_per_s'])} (target ≥ 100 000); naive read_csv + to_sql "
                  f"{imp['naive_rows_per_s']:,} rows/s, ratio **{imp['ratio']}×** {_yes(c['import_vs_naive'])} "
                  "(target ≥ 3×).".replace(",", " "), "",
                  "| page | interaction | median s | p95 s | naive s | speed-up |",
                  "|---|---|---:|---:|---:|---:|"]
        for r in s["interactions"]:
            lines.append(f"| {r['page']} | {r['interaction']} | {r['median_s']:.3f} | {r['p95_s']:.3f} "
                         f"{_yes(r['ok_p95'])} | {r['naive_s'] if r['naive_s'] is not None else '–'} | "
                         f"{r['speedup'] if r['speedup'] is not None else '–'} {_yes(r['ok_speedup'])} |")
        lines += ["", f"Worst p95 {c['worst_p95_s']:.3f} s {_yes(c['p95'])}; smallest speed-up "
                  f"{c['min_speedup']}× {_yes(c['speedup'])}; largest element payload "
                  f"{c['max_payload_bytes'] / 1e6:.2f} MB {_yes(c['payload'])}; most rows returned by one query "
                  f"{c['max_rows']} {_yes(c['rows'])}; peak RSS of the app process {c['peak_rss_mb']} MB "
                  f"{_yes(c['rss'])}."
                  + (f" Before the first page (as the server's warm-up does) the incident rows were read into "
                     f"memory in {c['warmup_s']:.1f} s." if c.get("warmup_s") is not None else ""), ""]
    if run.get("concurrent"):
        lines += ["## Many people at once", ""]
        for result in run["concurrent"].values():
            lines.append(concurrent_markdown(result))
    if run.get("browser"):
        lines += ["## In the browser", "", browser_markdown(run["browser"]), ""]
    lines += [f"Generation {run['timings']['generate_s']:.0f} s; whole run {run['timings']['total_s']:.0f} s.", ""]
    return "\n".join(lines)


def browser_markdown(browser: dict) -> str:
    """Time to a finished page in Debian's Chromium (bench/browser_time.py), demo store."""
    if "error" in browser:
        return f"Not measured: {browser['error']}."
    names = {"oversikt": "Översikt", "karta": "Karta"}
    lines = ["Fresh browser context per load (cold browser cache, warm server), medians: wall = navigation "
             "start to the first frame with every chart and map drawn; task / script = the page's "
             "main-thread busy and JavaScript time.", "",
             "| page | wall ms | task ms | script ms |", "|---|---:|---:|---:|"]
    for page, m in browser.items():
        lines.append(f"| {names.get(page, page)} | {m['wall_ms']} | {m['task_ms']} | {m['script_ms']} |")
    return "\n".join(lines)


def concurrent_markdown(result: dict) -> str:
    """The 'many people at once' table of one store (bench/concurrent.py)."""
    imp = "with an import running" if result["with_import"] else "without an import"
    lines = [f"### Many people at once: {result['store']} ({imp})", "",
             f"Sessions over Streamlit's websocket, each opening pages and changing filters with an "
             f"exponential think time (mean {next((s['think_s'] for s in result['scenarios'] if s['sessions'] > 1), 5)} s); "
             f"page run = rerun request to script_finished. Target p95 ≤ {result['target_p95_s']} s at 20 sessions "
             f"on {result['nproc']} cores.", "",
             "Server CPU: cores used by the server processes together, and CPU seconds per page run; "
             "waited: cores' worth of time their threads were ready but waited for a core (the machine "
             "was busy); import: rows the import committed during the scenario (nice: its CPU priority).", "",
             "| sessions | replicas | import nice | runs | p50 s | p95 s | max s | p95 / one session | errors "
             "| server CPU (cores) | CPU s / run | waited (cores) | peak RSS MB | load avg | import rows |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for s in result["scenarios"]:
        head = f"| {s['sessions']} | {s['replicas']} | {s.get('import_nice', 0)} "
        if not s.get("runs"):
            lines.append(head + "| 0 |" + " – |" * 11)
            continue
        imported = s["import"]["rows_committed"] if s.get("import") else "–"
        lines.append(head + f"| {s['runs']} | {s['p50_s']:.2f} | {s['p95_s']:.2f} "
                     f"{_yes(s['ok_p95'])} | {s['max_s']:.2f} | {s.get('p95_vs_one', '–')} | "
                     f"{s['runs_with_errors']} | {s['cpu_cores']:.2f} | {s.get('cpu_s_per_run', '–')} | "
                     f"{s.get('runqueue_wait_cores', '–')} | {s['peak_rss_mb']} | {s['loadavg']:.1f} | {imported} |")
    lines.append("")
    return "\n".join(lines)
