"""`python -m bench memory`: peak memory and speed of one import of the largest accepted file.

The upload limit is loaders.source.MAX_UPLOAD_MB (100 MB). One seeded semicolon CSV just under it,
in the Swedish export style of the bench (`bench/generate.py`: Id, Tidpunkt, Kategori, Område, E, N,
Platstyp, Åldersgrupp; one source), is

- checked (`loaders.report.check_upload`: what the Datakällor page does on upload: prepare,
  nothing written) and
- imported (`loaders.pipeline.run_import`: what the page's "Importera" and the command line do)

each in a fresh subprocess on a fresh bench database (SQLite by default; `--backends
sqlite,postgresql`). The subprocess imports everything and opens the database first, then resets
its peak resident set (`/proc/self/clear_refs`), reads the file and runs the step; the figure is
the peak (`VmHWM`) above the resident set just before the file was read, so it includes the
file's own bytes (which the upload holds anyway). Runs in one to two minutes.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import generate, store

ROOT = Path(__file__).resolve().parent.parent
WORK = store.WORK / "memory"
SOURCE = "polis"
STEPS = ("check", "import")


def log(message: str) -> None:
    print(f"[bench memory {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- the file ----------------------------------------------------------------------------------

def largest_file(directory: Path = WORK, limit_bytes: int | None = None) -> tuple[Path, int]:
    """A seeded incidents CSV of one source just under the upload limit; (path, rows). Reused."""
    from loaders.source import MAX_FILE_BYTES
    limit = limit_bytes or MAX_FILE_BYTES
    path = directory / f"incidents_largest_{limit}.csv"
    meta = path.with_suffix(".json")
    if path.exists() and meta.exists():
        return path, json.loads(meta.read_text())["rows"]
    directory.mkdir(parents=True, exist_ok=True)
    labels = generate.write_taxonomy(store.WORK / "taxonomy")
    one = {s: labels[SOURCE] for s in labels}  # every row in the taxonomy of the one source
    sample = _lines(generate.incidents(20_000, generate.bench_areas(), one))
    per_row = len(sample.encode("utf-8")) / 20_000
    rows = int((limit - 200) / per_row * 0.995)
    text = _lines(generate.incidents(rows, generate.bench_areas(), one))
    while len(text.encode("utf-8")) > limit:  # trim whole lines until it fits
        text = text[:text.rfind("\n", 0, len(text) - 1) + 1]
    path.write_text(text, encoding="utf-8")
    rows = text.count("\n") - 1
    meta.write_text(json.dumps({"rows": rows, "bytes": path.stat().st_size}))
    return path, rows


def _lines(frame) -> str:
    ids = [f"PM-{t[2:4]}-K{i:07d}" for i, t in enumerate(frame["Tidpunkt"], start=1_000_000)]
    body = frame.drop(columns="source").assign(Id=ids)[generate.HEADER]
    return body.to_csv(sep=";", index=False, lineterminator="\n")


# --- the database ------------------------------------------------------------------------------

PG_DB = f"{store.PG_DB}_memory"  # not the database `make bench` uses


def template_database(backend: str) -> str:
    """A bench database with areas and taxonomy and no incidents; its URL."""
    if backend == "sqlite":
        url = store.fresh_database(backend, WORK)
    else:
        store._pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')
        store._pg_admin(f'CREATE DATABASE "{PG_DB}"')
        url = store.PG_ADMIN_URL.rpartition("/")[0] + f"/{PG_DB}"
    store.set_up(url, generate.area_defs(generate.bench_areas()))
    return url


def drop_template(backend: str) -> None:
    if backend == "sqlite":
        store.drop_database(backend, WORK)
    else:
        store._pg_admin(f'DROP DATABASE IF EXISTS "{PG_DB}" WITH (FORCE)')


def copy_of(backend: str, url: str, n: int) -> str:
    """A fresh copy of the template database for one measurement."""
    if backend == "sqlite":
        target = WORK / f"run{n}.db"
        shutil.copyfile(WORK / "bench.db", target)
        return f"sqlite:///{target}"
    name = f"{PG_DB}{n}"
    store._pg_admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    store._pg_admin(f'CREATE DATABASE "{name}" TEMPLATE "{PG_DB}"')
    return url.rpartition("/")[0] + f"/{name}"


def drop_copy(backend: str, url: str) -> None:
    if backend == "sqlite":
        for p in WORK.glob(Path(url.split("///", 1)[1]).name + "*"):
            p.unlink()
    else:
        store._pg_admin(f'DROP DATABASE IF EXISTS "{url.rpartition("/")[2]}" WITH (FORCE)')


# --- one measurement (in a subprocess) ---------------------------------------------------------

def _status_kb(field: str) -> int:
    with open("/proc/self/status") as fh:
        return next(int(line.split()[1]) for line in fh if line.startswith(field + ":"))


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _cpu_seconds() -> float:
    """CPU time of this process (every thread): on a shared machine steadier than the clock."""
    import resource
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(step: str, url: str, path: str) -> dict:
    """Run one step on the file in this process; its peak memory above the baseline and its time."""
    from lagesbild.store.engine import make_engine
    from loaders.kinds import Options
    from loaders.pipeline import run_import
    from loaders.report import check_upload
    from loaders.source import from_path
    import loaders.kinds.incidents  # noqa: F401 - imported before the baseline
    store.patch_config()
    engine = make_engine(url)
    with engine.connect():
        pass
    reset = _reset_peak()
    baseline = _status_kb("VmRSS")
    started, cpu = time.perf_counter(), _cpu_seconds()
    file = from_path(path)
    if step == "check":
        check = check_upload(engine, "incidents", file.name, file.data, Options(source=SOURCE))
        if not check.ok:
            raise SystemExit(f"the bench file was refused: {check.problems[:3]}")
        rows, inserted = check.prepared.rows_read, 0
    else:
        result = run_import(engine, "incidents", file, Options(source=SOURCE), imported_by="bench")
        rows, inserted = result.rows_read, result.stored.inserted
    seconds, cpu = time.perf_counter() - started, _cpu_seconds() - cpu
    peak = _status_kb("VmHWM")
    engine.dispose()
    return {"step": step, "rows": rows, "inserted": inserted, "seconds": round(seconds, 2),
            "rows_per_s": round(rows / seconds), "cpu_s": round(cpu, 2), "baseline_mb": round(baseline / 1024),
            "peak_mb": round(peak / 1024), "peak_above_baseline_mb": round((peak - baseline) / 1024),
            "peak_reset": reset, "file_mb": round(os.path.getsize(path) / 2**20, 1)}


def run_step(step: str, url: str, path: Path) -> dict:
    cmd = [sys.executable, "-m", "bench.memory", "--child", step, url, str(path)]
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise RuntimeError(f"bench.memory {step} failed:\n{proc.stderr[-4000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def run(backends: list[str], reps: int = 1, steps: tuple[str, ...] = STEPS) -> dict:
    os.chdir(ROOT)
    store.patch_config()
    path, rows = largest_file()
    log(f"file {path.name}: {path.stat().st_size / 2**20:.1f} MB, {rows:,} rows")
    out: dict[str, list[dict]] = {}
    for backend in backends:
        url = template_database(backend)
        out[backend] = []
        for step in steps:
            for n in range(reps):
                copy = copy_of(backend, url, n)
                try:
                    result = run_step(step, copy, path)
                finally:
                    drop_copy(backend, copy)
                log(f"{backend} {step}: peak +{result['peak_above_baseline_mb']} MB above "
                    f"{result['baseline_mb']} MB; {result['seconds']} s = {result['rows_per_s']:,} rows/s "
                    f"(CPU {result['cpu_s']} s)")
                out[backend].append(result)
        drop_template(backend)
    return {"file": path.name, "file_mb": round(path.stat().st_size / 2**20, 1), "rows": rows, "results": out}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench memory")
    p.add_argument("--backends", default="sqlite")
    p.add_argument("--reps", type=int, default=1)
    p.add_argument("--steps", default=",".join(STEPS))
    p.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "memory.json"))
    p.add_argument("--child", nargs=3, metavar=("STEP", "URL", "FILE"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.child:
        print(json.dumps(measure(*args.child)))
        return 0
    result = run([b.strip() for b in args.backends.split(",") if b.strip()], args.reps,
                 tuple(s.strip() for s in args.steps.split(",") if s.strip()))
    Path(args.out).write_text(json.dumps(result, indent=1))
    print(json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
