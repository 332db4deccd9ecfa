"""`python -m bench [--rows N] [--reps N] [--backends sqlite,postgresql]`: the county-scale bench.
`python -m bench memory [--backends …]`: peak memory of the largest accepted file (bench/memory.py).
`python -m bench concurrent [--store demo|URL …]`: many sessions at once over the websocket
(bench/concurrent.py).
`python -m bench versus BASE …`: every page, cold, this checkout against earlier commits, taking
turns on their own demo stores (bench/versus.py).
`python -m bench --import-only [--rows N] [--reps N]`: only the import beside the naive one (each
repetition on a fresh database, the two alternating), written to bench/results/import.json.

1. Generate (seeded) 50 areas, 60 categories, N incidents as CSV files, walks and housing.
2. Per backend: a fresh database, the import through the real loader beside the naive
   read_csv + to_sql import, then every page through AppTest (a subprocess, for its peak RSS)
   beside the naive pandas page.
3. Many people at once (bench/concurrent.py): sessions over the websocket against real servers
   with an import running, on a fresh demo store and on the SQLite bench store.
4. The browser's time to a finished Översikt and Karta (bench/browser_time.py, Debian's Chromium)
   against one server on a fresh demo store.
5. Write bench/results/latest.json and bench/results/latest.md.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from bench import generate, naive, report, store

RESULTS = Path(__file__).resolve().parent / "results"
ROOT = Path(__file__).resolve().parent.parent


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


def build_data(rows: int) -> dict:
    """The CSV files, taxonomy and reference frames (reused when the manifest matches)."""
    csv_dir = store.WORK / "csv"
    manifest = store.WORK / "manifest.json"
    areas = generate.bench_areas()
    labels = generate.write_taxonomy(store.WORK / "taxonomy")
    wanted = {"rows": rows, "seed": generate.SEED, "version": 2}
    if manifest.exists() and json.loads(manifest.read_text()).get("key") == wanted:
        files = [(Path(p), s, n) for p, s, n in json.loads(manifest.read_text())["files"]]
        if all(p.exists() for p, _, _ in files):
            return {"areas": areas, "files": files, "reused": True}
    frame = generate.incidents(rows, areas, labels)
    files = generate.write_incident_files(frame, csv_dir)
    del frame
    manifest.write_text(json.dumps({"key": wanted, "files": [(str(p), s, n) for p, s, n in files]}))
    return {"areas": areas, "files": files, "reused": False}


def run_pages(url: str, reps: int, out: Path) -> dict:
    cmd = [sys.executable, "-m", "bench.pages", url, str(out), "--reps", str(reps),
           "--today", generate.TODAY.isoformat()]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"bench.pages failed:\n{proc.stderr[-4000:]}")
    return json.loads(out.read_text())


def run_backend(backend: str, data: dict, reps: int, keep: bool) -> dict:
    from sqlalchemy import select

    from lagesbild.store.engine import make_engine
    from lagesbild.store.models import Area
    url = store.fresh_database(backend)
    store.set_up(url, generate.area_defs(data["areas"]))
    log(f"{backend}: importing {sum(n for _, _, n in data['files']):,} rows from {len(data['files'])} files")
    imported = store.import_incidents(url, data["files"])
    log(f"{backend}: import {imported['rows_per_s']:,.0f} rows/s ({imported['seconds']:.1f} s); naive import …")
    naive_imp = store.naive_import(url, data["files"])
    log(f"{backend}: naive import {naive_imp['rows_per_s']:,.0f} rows/s ({naive_imp['seconds']:.1f} s)")
    engine = make_engine(url)
    with engine.connect() as conn:
        ids = dict(conn.execute(select(Area.code, Area.id).where(Area.level == "omrade")).all())
    walks, observations = generate.walks(ids)
    extra = store.add_walks_and_housing(url, walks, observations, generate.housing(ids))
    # Planner statistics, as autovacuum (PostgreSQL) or a scheduled ANALYZE (SQLite) keeps them.
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.exec_driver_sql("VACUUM ANALYZE" if backend == "postgresql" else "ANALYZE")
    log(f"{backend}: pages through AppTest ({reps} repetitions, cold) …")
    pages = run_pages(url, reps, store.WORK / f"pages_{backend}.json")
    log(f"{backend}: naive pages …")
    naive_pages = naive.run(engine)
    engine.dispose()
    many = run_concurrent(url, backend)
    if not keep:
        store.drop_database(backend)
    return {"url": url.split("@")[-1], "import": imported, "naive_import": naive_imp, "walks": extra,
            "pages": pages, "naive_pages": naive_pages, **({"concurrent": many} if many else {})}


CONCURRENT = {"seconds": 30.0, "demo": "1x1,10x1,20x1,20x2n", "store": "20x1,20x2n"}


def run_concurrent(url: str | None, backend: str = "demo") -> dict | None:
    """bench/concurrent.py on the demo store (url None) or on the SQLite bench store."""
    from bench import concurrent
    if not CONCURRENT["seconds"] or backend not in ("demo", "sqlite"):
        return None
    log(f"{backend}: many people at once ({CONCURRENT['seconds']:.0f} s per scenario) …")
    if url is None:
        return concurrent.run("demo", CONCURRENT["demo"], CONCURRENT["seconds"])
    return concurrent.run(url, CONCURRENT["store"], CONCURRENT["seconds"], taxonomy=str(store.WORK / "taxonomy"),
                          today=generate.TODAY.isoformat(), import_rows=50_000, label=f"{backend} bench store")


BROWSER = {"loads": 3, "paths": ["", "karta"]}  # "" is Översikt, the default page


def run_browser() -> dict:
    """bench/browser_time.py against one `python -m lagesbild.serve` on a fresh demo store (its
    cache warmed by one discarded load per page); {} when skipped (--browser-loads 0), and
    {"error": reason} when there is no Chromium."""
    from bench import browser_time, concurrent
    if not BROWSER["loads"]:
        return {}
    if not Path("/usr/bin/chromium").exists():
        return {"error": "no /usr/bin/chromium (apt-get install chromium)"}
    log(f"browser: time to a finished Översikt and Karta ({BROWSER['loads']} loads each) …")
    work = store.WORK / "browser"
    work.mkdir(parents=True, exist_ok=True)
    for old in work.glob("demo.db*"):
        old.unlink()
    url = f"sqlite:///{work / 'demo.db'}"  # the demo store as `make run` shows it
    subprocess.run([sys.executable, "-m", "lagesbild", "init"], cwd=ROOT, env=concurrent.server_env(url, None),
                   check=True, capture_output=True)
    port = concurrent.free_port()
    procs = concurrent.start_servers(url, [port], None, None, work)
    try:
        return browser_time.measure(f"http://127.0.0.1:{port}", BROWSER["loads"], BROWSER["paths"])
    finally:
        concurrent.stop(procs)


def run_import_only(backend: str, data: dict, reps: int) -> dict:
    """The import through the loader and the naive import, `reps` times each, alternating (so that
    the machine's load hits both alike), each loader import on a fresh database."""
    runs = []
    for rep in range(reps):
        url = store.fresh_database(backend)
        store.set_up(url, generate.area_defs(data["areas"]))
        imported = store.import_incidents(url, data["files"])
        naive_imp = store.naive_import(url, data["files"])
        ratio = imported["rows_per_s"] / naive_imp["rows_per_s"]
        log(f"{backend} #{rep + 1}: import {imported['rows_per_s']:,.0f} rows/s ({imported['seconds']:.1f} s, "
            f"CPU {imported['cpu_s']:.1f} s), naive {naive_imp['rows_per_s']:,.0f} rows/s ({naive_imp['seconds']:.1f} s, "
            f"CPU {naive_imp['cpu_s']:.1f} s), ratio {ratio:.2f}x")
        runs.append({"import": imported, "naive_import": naive_imp, "ratio": ratio})
        store.drop_database(backend)
    median = sorted(runs, key=lambda r: r["import"]["rows_per_s"])[len(runs) // 2]
    return {"runs": runs, "median_rows_per_s": median["import"]["rows_per_s"],
            "median_naive_rows_per_s": sorted(r["naive_import"]["rows_per_s"] for r in runs)[len(runs) // 2],
            "median_ratio": sorted(r["ratio"] for r in runs)[len(runs) // 2]}


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["memory"]:
        from bench import memory
        return memory.main(argv[1:])
    if argv[:1] == ["concurrent"]:
        from bench import concurrent
        return concurrent.main(argv[1:])
    if argv[:1] == ["versus"]:
        from bench import versus
        return versus.main(argv[1:])
    p = argparse.ArgumentParser(prog="python -m bench")
    p.add_argument("--rows", type=int, default=3_000_000, help="incidents to generate (default 3 000 000)")
    p.add_argument("--reps", type=int, default=5, help="repetitions per page interaction")
    p.add_argument("--backends", default="sqlite,postgresql")
    p.add_argument("--keep", action="store_true", help="keep the bench databases afterwards")
    p.add_argument("--out", default=str(RESULTS), help="directory for latest.json and latest.md")
    p.add_argument("--concurrent-seconds", type=float, default=CONCURRENT["seconds"],
                   help="length of each many-sessions scenario (0: skip them)")
    p.add_argument("--browser-loads", type=int, default=BROWSER["loads"],
                   help="page loads per page for the browser's time (0: skip it)")
    p.add_argument("--import-only", action="store_true",
                   help="only the import and the naive import (bench/results/import.json)")
    args = p.parse_args(argv)
    CONCURRENT["seconds"] = args.concurrent_seconds
    BROWSER["loads"] = args.browser_loads
    started = time.perf_counter()
    os.chdir(ROOT)
    store.WORK.mkdir(parents=True, exist_ok=True)
    store.patch_config()
    log(f"generating {args.rows:,} incidents …")
    t0 = time.perf_counter()
    data = build_data(args.rows)
    gen_s = time.perf_counter() - t0
    log(f"data ready in {gen_s:.1f} s ({'reused' if data['reused'] else 'generated'})")
    backends = [b.strip() for b in args.backends.split(",") if b.strip()]
    if args.import_only:
        results = {b: run_import_only(b, data, args.reps) for b in backends}
        run = {"date": dt.datetime.now().isoformat(timespec="seconds"), "rows": args.rows, "reps": args.reps,
               "machine": report.machine(), "versions": report.versions(
                   store.PG_ADMIN_URL if "postgresql" in backends else None), "results": results}
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        (out / "import.json").write_text(json.dumps(run, ensure_ascii=False, indent=1, default=str))
        for b, r in results.items():
            log(f"{b}: median {r['median_rows_per_s']:,.0f} rows/s, naive {r['median_naive_rows_per_s']:,.0f}, "
                f"ratio {r['median_ratio']:.2f}x")
        return 0
    results = {b: run_backend(b, data, args.reps, args.keep) for b in backends}
    demo_many = run_concurrent(None)
    browser = run_browser()
    run = {"date": dt.datetime.now().isoformat(timespec="seconds"), "rows": args.rows, "reps": args.reps,
           "areas": len(data["areas"]), "categories": 60,
           "walks": next(iter(results.values()))["walks"] if results else {},
           "machine": report.machine(),
           "versions": report.versions(store.PG_ADMIN_URL if "postgresql" in backends else None),
           "results": results,
           "summary": {b: report.summarise_backend(b, r) for b, r in results.items()},
           "concurrent": {**({"demo": demo_many} if demo_many else {}),
                          **{b: r.pop("concurrent") for b, r in results.items() if r.get("concurrent")}},
           "browser": browser,
           "timings": {"generate_s": gen_s, "total_s": time.perf_counter() - started}}
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(run, ensure_ascii=False, indent=1, default=str))
    (out / "latest.md").write_text(report.markdown(run))
    log(f"done in {run['timings']['total_s']:.0f} s: {out / 'latest.md'}")
    print(report.markdown(run))
    return 0


if __name__ == "__main__":
    sys.exit(main())
