"""`python -m bench versus BASE [BASE …] [--rounds 3] [--reps 2] [--pages trender,…] [--rows N]`: is
this code slower than an earlier commit? Every page through AppTest, cold (bench/pages.py), on each
checkout's own fresh store, the checkouts taking turns round after round so that a change in the
machine's load falls on all of them alike. Reports per page the median run time of each checkout
and the median over the page's interactions of the ratio this code / base.

The store is the demo store (`python -m lagesbild init`), or with `--rows N` the benchmark's SQLite
store of N generated incidents with walks and housing (`make bench`'s, built by each checkout's own
bench.store and bench.generate, so each imports through its own pipeline into its own schema; at
3 000 000 rows that takes a few minutes per checkout).

Each BASE is a commit; it is checked out with `git worktree` under bench/work/versus/<commit>
(removed again afterwards) and runs its own bench/pages.py on a demo store its own
`python -m lagesbild init` makes, so a base with another schema is measured as it was.
"""
from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work" / "versus"
TODAY = "2026-11-18"

# Run inside a checkout: its own bench.pages.drive on its own store (the bench taxonomy with --rows).
_DRIVER = """
import json, os, sys
root, out, reps, pages = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
os.chdir(root); sys.path.insert(0, root)
if os.environ.get("VERSUS_BENCH_STORE"):
    from bench.store import patch_config
    patch_config()
import bench.pages as bp
if pages:
    bp.PAGES = pages.split(",")
res = bp.drive(reps)
json.dump({"times": res["times"], "errors": res["errors"]}, open(out, "w"), default=str)
"""


def _env(checkout: Path) -> dict:
    return {**os.environ, "DATABASE_URL": f"sqlite:///{checkout / 'data' / 'versus.db'}", "LAGESBILD_TODAY": TODAY,
            "PYTHONPATH": str(checkout)}


# Run inside a checkout: its own bench store of N rows (make bench's SQLite store); prints its URL.
_STORE = """
import os, sys
root, rows = sys.argv[1], int(sys.argv[2])
os.chdir(root); sys.path.insert(0, root)
from bench import generate, store
from bench.__main__ import build_data
store.patch_config()
data = build_data(rows)
url = store.fresh_database("sqlite")
store.set_up(url, generate.area_defs(data["areas"]))
store.import_incidents(url, data["files"])
from sqlalchemy import select
from lagesbild.store.engine import make_engine
from lagesbild.store.models import Area
engine = make_engine(url)
with engine.connect() as conn:
    ids = dict(conn.execute(select(Area.code, Area.id).where(Area.level == "omrade")).all())
store.add_walks_and_housing(url, *generate.walks(ids), generate.housing(ids))
with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
    conn.exec_driver_sql("ANALYZE")
print(url)
"""


def prepare(commit: str, rows: int = 0) -> Path:
    """A worktree of `commit` with a fresh store (the demo, or `rows` bench incidents)."""
    path = WORK / commit
    if not path.exists():
        WORK.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "worktree", "add", "--detach", "-f", str(path), commit], cwd=ROOT, check=True,
                       capture_output=True)
    _init(path, rows)
    return path


STORE_URLS: dict[Path, str] = {}  # checkout -> its bench store (with --rows)


def _init(checkout: Path, rows: int = 0) -> None:
    if rows:
        done = subprocess.run([sys.executable, "-c", _STORE, str(checkout), str(rows)], cwd=checkout,
                              env={**os.environ, "PYTHONPATH": str(checkout)}, check=True, capture_output=True,
                              text=True)
        STORE_URLS[checkout] = done.stdout.strip().splitlines()[-1]
        return
    (checkout / "data" / "versus.db").unlink(missing_ok=True)
    subprocess.run([sys.executable, "-m", "lagesbild", "init"], cwd=checkout, env=_env(checkout), check=True,
                   capture_output=True)


def run_once(checkout: Path, out: Path, reps: int, pages: str) -> dict:
    env = _env(checkout)
    if checkout in STORE_URLS:  # the bench store, with the bench taxonomy and the bench's today
        env.update(DATABASE_URL=STORE_URLS[checkout], LAGESBILD_TODAY=_bench_today(checkout), VERSUS_BENCH_STORE="1")
    subprocess.run([sys.executable, "-c", _DRIVER, str(checkout), str(out), str(reps), pages], cwd=checkout,
                   env=env, check=True, capture_output=True)
    return json.loads(out.read_text())


def _bench_today(checkout: Path) -> str:
    done = subprocess.run([sys.executable, "-c", "from bench import generate; print(generate.TODAY.isoformat())"],
                          cwd=checkout, env={**os.environ, "PYTHONPATH": str(checkout)}, check=True,
                          capture_output=True, text=True)
    return done.stdout.strip()


def compare(runs: dict[str, list[dict]], this: str) -> list[dict]:
    """Per page: each checkout's median run time and this / base per interaction (median, range)."""
    times: dict[str, dict[tuple[str, str], list[float]]] = defaultdict(lambda: defaultdict(list))
    for name, results in runs.items():
        for result in results:
            for page, interactions in result["times"].items():
                for interaction, seconds in interactions.items():
                    times[page][(name, interaction)] += seconds
    rows = []
    for page, by in times.items():
        interactions = sorted({i for _, i in by})
        row = {"page": page, "median_s": {n: statistics.median([s for (m, _), v in by.items() if m == n for s in v])
                                          for n in runs if any(m == n for m, _ in by)}}
        for name in runs:
            if name == this:
                continue
            ratios = [statistics.median(by[(this, i)]) / statistics.median(by[(name, i)])
                      for i in interactions if by.get((name, i)) and by.get((this, i))]
            row[f"ratio_vs_{name}"] = (statistics.median(ratios), min(ratios), max(ratios)) if ratios else None
        rows.append(row)
    return rows


def markdown(rows: list[dict], names: list[str], this: str) -> str:
    bases = [n for n in names if n != this]
    head = ["page", *[f"{n} median s" for n in names], *[f"{this} / {b} (median, range)" for b in bases]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in rows:
        cells = [r["page"], *[f"{r['median_s'].get(n, float('nan')):.3f}" for n in names]]
        for b in bases:
            ratio = r.get(f"ratio_vs_{b}")
            cells.append(f"{ratio[0]:.2f} ({ratio[1]:.2f}–{ratio[2]:.2f})" if ratio else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(prog="python -m bench versus")
    p.add_argument("bases", nargs="+", help="earlier commits to compare this checkout with")
    p.add_argument("--rounds", type=int, default=3)
    p.add_argument("--reps", type=int, default=2, help="repetitions per page and round (bench/pages.py)")
    p.add_argument("--pages", default="", help="comma-separated pages (default: every page)")
    p.add_argument("--rows", type=int, default=0,
                   help="compare on the benchmark's SQLite store of this many incidents (default: the demo store)")
    p.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "versus.md")
    args = p.parse_args(argv)
    checkouts = {b: prepare(b, args.rows) for b in args.bases}
    this = "this"
    _init(ROOT, args.rows)
    checkouts[this] = ROOT
    runs: dict[str, list[dict]] = {n: [] for n in checkouts}
    for r in range(args.rounds):
        for name, path in checkouts.items():
            print(f"round {r + 1}/{args.rounds}: {name} …", flush=True)
            runs[name].append(run_once(path, WORK / f"{name}-{r}.json", args.reps, args.pages))
    errors = {n: [res["errors"] for res in rs if res["errors"]] for n, rs in runs.items()}
    rows = compare(runs, this)
    text = markdown(rows, list(checkouts), this)
    if any(errors.values()):
        text += "\n\nErrors: " + json.dumps(errors, ensure_ascii=False)[:2000]
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text + "\n")
    print(text)
    for base in args.bases:
        subprocess.run(["git", "worktree", "remove", "--force", str(WORK / base)], cwd=ROOT, check=False,
                       capture_output=True)
    return 0
