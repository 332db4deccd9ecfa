"""`python -m bench concurrent [--store demo|URL] ...`: many people at once (issue 13).

N sessions act like people in a meeting against real `streamlit run app.py` servers
(`python -m lagesbild.serve`, as `make run` starts it), driven over Streamlit's own websocket
protocol (bench/wsclient.py, loopback only). Each session opens the app, then, after a think time
drawn from an exponential distribution (mean 5 s), either opens another page or changes a sidebar
filter (period, område, strategiskt område, källa: the URL-bound filters bench/pages.py also
changes); 20 sessions ask for about 4 page runs a second. A page run is timed from the rerun
request to `script_finished`. Meanwhile an import runs in a separate process into the same store
(`python -m loaders import incidents FILE --source S`, file after file until the phase ends).

Each scenario (sessions × replicas) gets fresh server processes (cold caches, as after a restart;
one warm-up run per replica is not counted) and runs for a fixed time; runs still in flight when
it ends are waited for (bounded by the run timeout). With R replicas the sessions are assigned
round-robin, as a sticky load balancer spreads browsers (docs/operations.md).

Reported per scenario: p50/p95/max page-run latency, runs, errors; the servers' CPU (cores used,
from /proc/<pid>/stat) and peak RSS (VmHWM) summed over replicas; the import's rows and commits;
the machine's load. `python -m bench concurrent --help` for the options.
"""
from __future__ import annotations

import argparse
import asyncio
import csv
import datetime as dt
import json
import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
WORK = Path(__file__).resolve().parent / "work" / "concurrent"
TARGET_P95_S = 2.0
PAGES = ["", "veckobriefing", "trender", "karta", "pyramiden", "vandringar", "boende", "utforska",
         "datakallor"]  # "" is the default page, Översikt (bench/pages.py PAGES)
FILTERS = ["period", "omrade", "strategi", "kalla"]
OWN_PERIOD = {"veckobriefing", "datakallor", "granskning"}
PERIODS = ["Senaste veckan", "Senaste 4 veckorna", "Senaste 13 veckorna", "Senaste 52 veckorna",
           "Hittills i år", "Förra året"]
TICKS = os.sysconf("SC_CLK_TCK")


def log(message: str) -> None:
    print(f"[concurrent {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --------------------------------------------------------------------------- the people

def next_interaction(rng: random.Random, page: str, params: dict, options: dict) -> tuple[str, str, dict, bool]:
    """(what, page, params, history): open another page (40 %) or change one sidebar filter."""
    if rng.random() < 0.4:
        return "page", rng.choice([p for p in PAGES if p != page]), params, False
    # Pages that choose their own week show no period widget (app.py OWN_PERIOD): nobody changes it there.
    name = rng.choice([f for f in FILTERS if not (f == "period" and page in OWN_PERIOD)])
    new = dict(params)
    if name == "period":
        new["period"] = rng.choice(PERIODS)
    else:
        choices = options.get(name, [])
        k = rng.choice([0, 1, 1, 2]) if choices else 0
        if k:
            new[name] = rng.sample(choices, min(k, len(choices)))
        else:
            new.pop(name, None)
    return f"filter:{name}", page, new, True


async def person(index: int, port: int, think: float, deadline: float, seed: int, runs: list,
                 timeout: float) -> None:
    from bench.wsclient import Session
    rng = random.Random(seed * 1000 + index)
    await asyncio.sleep(rng.expovariate(1 / think))  # people arrive one by one
    if time.perf_counter() >= deadline:
        return
    session = await Session.open(port)
    try:
        page, params, what, history = "", {}, "open", False
        while True:
            started = time.perf_counter()
            try:
                run = await session.run(page, params, history=history, timeout=timeout)
                runs.append({"session": index, "port": port, "what": what, "page": page or "oversikt",
                             "t": started, "s": run.seconds, "errors": run.errors, "bytes": run.bytes})
            except (TimeoutError, asyncio.TimeoutError):
                runs.append({"session": index, "port": port, "what": what, "page": page or "oversikt",
                             "t": started, "s": timeout, "errors": ["timeout"], "bytes": 0})
                return
            await asyncio.sleep(rng.expovariate(1 / think))
            if time.perf_counter() >= deadline:
                return
            what, page, params, history = next_interaction(rng, page, params, session.options)
    finally:
        await session.close()


async def drive(ports: list[int], sessions: int, think: float, seconds: float, seed: int,
                timeout: float) -> list[dict]:
    runs: list[dict] = []
    deadline = time.perf_counter() + seconds
    await asyncio.gather(*(person(i, ports[i % len(ports)], think, deadline, seed, runs, timeout)
                           for i in range(sessions)))
    return runs


async def warm_up(ports: list[int], timeout: float) -> list[dict]:
    from bench.wsclient import Session
    out = []
    for port in ports:
        session = await Session.open(port)
        run = await session.run("", {}, timeout=timeout)
        await session.close()
        out.append({"s": run.seconds, "errors": run.errors})
    return out


# --------------------------------------------------------------------------- servers

def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(url: str, today: str | None) -> dict:
    env = {**os.environ, "DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    if today:
        env["LAGESBILD_TODAY"] = today
    return env


def start_servers(url: str, ports: list[int], taxonomy: str | None, today: str | None,
                  logs: Path) -> list[subprocess.Popen]:
    """One `python -m lagesbild.serve` process per port (through `serve` below when the store
    uses another taxonomy directory than data/, as the 3M bench store does)."""
    procs = []
    for port in ports:
        flags = ["--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"]
        cmd = ([sys.executable, "-m", "bench.concurrent", "serve", taxonomy, *flags] if taxonomy
               else [sys.executable, "-m", "lagesbild.serve", *flags])
        out = open(logs / f"server_{port}.log", "w")
        procs.append(subprocess.Popen(cmd, cwd=ROOT, env=server_env(url, today), stdout=out,
                                      stderr=subprocess.STDOUT))
    for port, proc in zip(ports, procs):
        wait_healthy(port, proc)
    return procs


def wait_healthy(port: int, proc: subprocess.Popen, limit: float = 120) -> None:
    end = time.time() + limit
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server on port {port} not healthy after {limit} s")


def stop(procs: list[subprocess.Popen]) -> None:
    for p in procs:
        if p.poll() is None:
            p.send_signal(signal.SIGINT)
    for p in procs:
        try:
            p.wait(15)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


class Sampler(threading.Thread):
    """CPU seconds and resident memory of the given processes, from /proc (every 0.5 s)."""

    def __init__(self, pids: list[int]):
        super().__init__(daemon=True)
        self.pids, self.halt = pids, threading.Event()
        self.rss_peak_sum = 0.0
        self.start_cpu = self._cpu()
        self.start_t = time.perf_counter()
        self.start_machine = _machine_cpu()
        self.threads: dict[tuple[int, str], list[float]] = {}  # (pid, tid) -> [cpu0, wait0, cpu, wait]
        self._threads(first=True)

    def _threads(self, first: bool = False) -> None:
        """Run and run-queue-wait nanoseconds per thread (/proc/PID/task/TID/schedstat). Streamlit
        runs every page run in a new thread, so threads are followed as they come and go."""
        for pid in self.pids:
            try:
                tids = os.listdir(f"/proc/{pid}/task")
            except OSError:
                continue
            for tid in tids:
                try:
                    cpu, wait, _ = (int(v) for v in Path(f"/proc/{pid}/task/{tid}/schedstat").read_text().split())
                except (OSError, ValueError):
                    continue
                entry = self.threads.setdefault((pid, tid), [cpu, wait, cpu, wait] if first else [0, 0, cpu, wait])
                entry[2], entry[3] = cpu, wait

    def _cpu(self) -> dict[int, float]:
        out = {}
        for pid in self.pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
                out[pid] = (int(fields[11]) + int(fields[12])) / TICKS
            except (OSError, IndexError):
                pass
        return out

    def run(self) -> None:
        while not self.halt.wait(0.25):
            self._threads()
            self.rss_peak_sum = max(self.rss_peak_sum, sum(_status(pid, "VmRSS") for pid in self.pids))

    def result(self) -> dict:
        self.halt.set()
        self._threads()
        seconds = time.perf_counter() - self.start_t
        waited = sum(e[3] - e[1] for e in self.threads.values()) / 1e9
        end = self._cpu()
        cpu = sum(end.get(p, 0) - self.start_cpu.get(p, 0) for p in self.pids)
        busy0, total0 = self.start_machine
        busy1, total1 = _machine_cpu()
        return {"cpu_cores": round(cpu / seconds, 2),
                "peak_rss_mb": round(sum(_status(p, "VmHWM") for p in self.pids)),
                "peak_rss_mb_each": [round(_status(p, "VmHWM")) for p in self.pids],
                "peak_rss_sum_sampled_mb": round(self.rss_peak_sum),
                # Seconds the servers' threads were ready to run but waited for a core, per second:
                # how much the machine (other processes, the import) held the servers back.
                "runqueue_wait_cores": round(waited / seconds, 2),
                "machine_busy": round((busy1 - busy0) / max(total1 - total0, 1), 2),
                "loadavg": os.getloadavg()[0]}


def _status(pid: int, field: str) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _machine_cpu() -> tuple[int, int]:
    vals = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    idle = vals[3] + vals[4]
    return sum(vals) - idle, sum(vals)


# --------------------------------------------------------------------------- the import

class Importer(threading.Thread):
    """File after file through `python -m loaders import incidents` until stopped."""

    def __init__(self, url: str, files: list[tuple[Path, str, int]], taxonomy: str | None, logs: Path,
                 nice: int = 0, more=None):
        super().__init__(daemon=True)
        self.more = more  # more(k) -> [one more file], made when the given ones are imported
        self.url, self.files, self.taxonomy, self.logs, self.nice = url, files, taxonomy, logs, nice
        self.halt = threading.Event()
        self.proc: subprocess.Popen | None = None
        self.rows = self.commits = self.started = 0
        self.failures: list[str] = []
        self.cpu_s = 0.0

    def run(self) -> None:
        i = 0
        while not self.halt.is_set():
            if i >= len(self.files):
                if self.more is None:
                    break
                self.files = [*self.files, *self.more(i)]
            path, source, rows = self.files[i]
            i += 1
            self.started += 1
            cmd = [sys.executable, "-m", "bench.concurrent", "import", self.taxonomy or "-", self.url,
                   str(path), source]
            with open(self.logs / "import.log", "a") as out:
                self.proc = subprocess.Popen(cmd, cwd=ROOT, env=server_env(self.url, None), stdout=out,
                                             stderr=subprocess.STDOUT,
                                             preexec_fn=(lambda: os.nice(self.nice)) if self.nice else None)
                ru0 = _children_cpu()
                code = self.proc.wait()
                self.cpu_s += _children_cpu() - ru0
            if code == 0:
                self.rows += rows
                self.commits += 1
            elif not self.halt.is_set():
                self.failures.append(f"{path.name}: exit {code}")

    def finish(self) -> dict:
        self.halt.set()
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)  # the loader rolls back and logs 'avbruten'
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:  # the next start marks it avbruten (process gone)
                self.proc.kill()
        self.join(30)
        return {"rows_committed": self.rows, "files_committed": self.commits, "files_started": self.started,
                "nice": self.nice, "failures": self.failures}


def _children_cpu() -> float:
    import resource
    ru = resource.getrusage(resource.RUSAGE_CHILDREN)
    return ru.ru_utime + ru.ru_stime


# --------------------------------------------------------------------------- stores

def demo_store(work: Path) -> tuple[str, str | None, str | None]:
    """A fresh copy of the demo store (`python -m lagesbild init`), marked as holding real data so
    that the import may add to it (the demo guard refuses to mix real rows with demo rows)."""
    db = work / "demo.db"
    for p in work.glob("demo.db*"):
        p.unlink()
    url = f"sqlite:///{db}"
    subprocess.run([sys.executable, "-m", "lagesbild", "init"], cwd=ROOT, env=server_env(url, None),
                   check=True, capture_output=True)
    from sqlalchemy import create_engine, update
    from lagesbild import demo_marker
    from lagesbild.store.models import ImportLog
    eng = create_engine(url)
    with eng.begin() as conn:  # the demo import renamed: its rows stay, the store no longer holds demo data
        log = ImportLog.__table__
        conn.execute(update(log).where(log.c.kind == demo_marker.KIND).values(kind="bench_seed"))
    eng.dispose()
    return url, None, None


def demo_import_files(work: Path, files: int, rows: int, tag: str, seed: int = 7) -> list[tuple[Path, str, int]]:
    """Police exports of the last year over the shipped areas and the police's counted categories;
    ids carry `tag` so that every scenario imports new rows (not duplicates)."""
    import pandas as pd
    with open(ROOT / "data" / "taxonomy" / "source_categories.csv", encoding="utf-8") as f:
        labels = [r["source_category"] for r in csv.DictReader(f) if r["source"] == "polis" and r["category_code"] not in ("", "-")]
    with open(ROOT / "data" / "areas" / "botkyrka.csv", encoding="utf-8") as f:
        areas = [r["regso_name"] for r in csv.DictReader(f)]
    rng = np.random.default_rng(seed)
    end = np.datetime64(dt.date.today() - dt.timedelta(days=1), "m")
    out = []
    for k in range(files):
        rng = np.random.default_rng([seed, k, len(tag)])
        stamps = (end - rng.integers(0, 365 * 24 * 60, rows).astype("timedelta64[m]")).astype(str)
        frame = pd.DataFrame({"Id": [f"CB-{tag}-{k}-{i:07d}" for i in range(rows)],
                              "Tidpunkt": np.char.replace(stamps, "T", " "),
                              "Kategori": np.array(labels, dtype=object)[rng.integers(0, len(labels), rows)],
                              "Område": np.array(areas, dtype=object)[rng.integers(0, len(areas), rows)]})
        path = work / f"import_{k}.csv"
        frame.to_csv(path, sep=";", index=False, lineterminator="\n")
        out.append((path, "polis", rows))
    return out


def bench_import_files(work: Path, files: int, rows: int, tag: str) -> list[tuple[Path, str, int]]:
    """More police exports for the 3M bench store (bench/generate.py areas and taxonomy, new ids)."""
    from bench import generate
    areas = generate.bench_areas()
    labels = generate.write_taxonomy(generate_taxonomy_dir())
    out = []
    for k in range(files):
        frame = generate.incidents(rows * 3, areas, labels, seed=generate.SEED + 100 + k)
        part = frame[frame["source"] == "polis"].head(rows)
        part = part.drop(columns="source").assign(Id=[f"PM-C{tag}-{k}-{i:07d}" for i in range(len(part))])
        path = work / f"bench_import_{k}.csv"
        part[generate.HEADER].to_csv(path, sep=";", index=False, lineterminator="\n")
        out.append((path, "polis", len(part)))
    return out


def generate_taxonomy_dir() -> Path:
    from bench import store
    return store.WORK / "taxonomy"


# --------------------------------------------------------------------------- one scenario

def summarise(runs: list[dict]) -> dict:
    ok = [r["s"] for r in runs if r["what"] != "warm-up"]
    if not ok:
        return {"runs": 0}
    a = np.asarray(ok)
    errors = sorted({e for r in runs for e in r["errors"]})
    return {"runs": len(a), "p50_s": round(float(np.median(a)), 3),
            "p95_s": round(float(np.percentile(a, 95)), 3), "max_s": round(float(a.max()), 3),
            "mean_s": round(float(a.mean()), 3),
            "runs_with_errors": sum(1 for r in runs if r["errors"]), "errors": errors[:5]}


def scenario(url: str, sessions: int, replicas: int, seconds: float, think: float, seed: int,
             taxonomy: str | None, today: str | None, import_files, logs: Path,
             base_port: int | None, timeout: float, keep_runs: bool = False, nice: int = 0) -> dict:
    ports = ([base_port + i for i in range(replicas)] if base_port else [free_port() for _ in range(replicas)])
    label = (f"{sessions} session{'s' if sessions > 1 else ''}, {replicas} replica{'s' if replicas > 1 else ''}"
             + (f", import at nice {nice}" if nice else ""))
    log(f"{label}: starting servers on {ports}")
    tag = f"{sessions}x{replicas}n{nice}"
    make = import_files
    more = (lambda k: make(f"{tag}m{k}", 1)) if make else None  # one more file when the first run out
    import_files = make(tag, 2) if make else []
    procs = start_servers(url, ports, taxonomy, today, logs)
    importer = None
    try:
        warm = asyncio.run(warm_up(ports, timeout))  # one run per replica (a server in use is warm)
        importer = Importer(url, import_files, taxonomy, logs, nice, more) if import_files else None
        if importer:
            importer.start()
        sampler = Sampler([p.pid for p in procs])
        sampler.start()
        started = time.perf_counter()
        runs = asyncio.run(drive(ports, sessions, think, seconds, seed, timeout))
        wall = time.perf_counter() - started
        resources = sampler.result()
        imported = importer.finish() if importer else None
    finally:
        if importer and importer.is_alive():
            importer.finish()
        stop(procs)
    out = {"sessions": sessions, "replicas": replicas, "import_nice": nice, "seconds": round(wall, 1), "think_s": think,
           **summarise(runs), **resources, "import": imported,
           "warm_up_s": [round(r["s"], 3) for r in warm],
           "runs_per_s": round(len(runs) / wall, 2),
           # The servers' CPU per page run: what the load costs, whatever else the machine does.
           "cpu_s_per_run": round(resources["cpu_cores"] * wall / max(len(runs), 1), 3),
           "by_page": {p: summarise([r for r in runs if r["page"] == p])
                       for p in sorted({r["page"] for r in runs})},
           "by_what": {w: summarise([r for r in runs if r["what"].split(":")[0] == w])
                       for w in ("open", "page", "filter")}}
    if keep_runs:
        out["runs_detail"] = runs
    log(f"{label}: {out['runs']} runs, p50 {out.get('p50_s')} s, p95 {out.get('p95_s')} s, max "
        f"{out.get('max_s')} s, errors {out.get('runs_with_errors')}; server CPU {out['cpu_cores']} cores, "
        f"peak RSS {out['peak_rss_mb']} MB; import {imported}")
    return out


def parse_scenarios(text: str) -> list[tuple[int, int, int]]:
    """'1x1,20x2,20x2n' -> [(1, 1, 0), (20, 2, 0), (20, 2, 10)]: sessions x replicas, and the
    import's niceness (suffix 'n': nice 10, the import yields the cores to the servers)."""
    out = []
    for part in text.split(","):
        part = part.strip()
        nice = 10 if part.endswith("n") else 0
        s, _, r = part.rstrip("n").partition("x")
        out.append((int(s), int(r or 1), nice))
    return out


def run(store: str = "demo", scenarios: str = "1x1,10x1,20x1,20x2", seconds: float = 40, think: float = 5,
        single_think: float = 1.0, seed: int = 13, with_import: bool = True, import_rows: int = 100_000,
        base_port: int | None = None, timeout: float = 120,
        taxonomy: str | None = None, today: str | None = None, work: Path = WORK,
        keep_runs: bool = False, label: str | None = None) -> dict:
    """Every scenario on one store; returns the result dict (also for bench/__main__.py)."""
    if base_port is None and os.environ.get("BENCH_PORT"):
        base_port = int(os.environ["BENCH_PORT"])  # servers on BENCH_PORT, BENCH_PORT+1, … (else free ports)
    work.mkdir(parents=True, exist_ok=True)
    logs = work / "logs"
    logs.mkdir(exist_ok=True)
    if store == "demo":
        url, taxonomy, today = demo_store(work)
        maker = demo_import_files
    else:
        url, maker = store, bench_import_files
    files = (lambda tag, n: maker(work, n, import_rows, tag)) if with_import else None
    incidents = _count_incidents(url)
    results = []
    for sessions, replicas, nice in parse_scenarios(scenarios):
        # One session alone never overlaps itself: its think time only sets how many runs are timed.
        th = single_think if sessions == 1 else think
        results.append(scenario(url, sessions, replicas, seconds, th, seed, taxonomy, today, files, logs,
                                base_port, timeout, keep_runs, nice))
    base = next((r for r in results if r["sessions"] == 1 and r.get("runs")), None)
    for r in results:
        if base and r.get("runs"):
            r["p50_vs_one"] = round(r["p50_s"] / base["p50_s"], 1)
            r["p95_vs_one"] = round(r["p95_s"] / base["p95_s"], 1)
        r["ok_p95"] = bool(r.get("runs")) and r["p95_s"] <= TARGET_P95_S
    name = label or ("demo store" if store == "demo" else store.split("@")[-1].split("/")[-1])
    count = f"{incidents:,}".replace(",", " ")
    return {"store": f"{name}, {count} incidents before the import", "url": url.split("@")[-1],
            "with_import": with_import, "import_rows_per_file": import_rows, "scenarios": results,
            "target_p95_s": TARGET_P95_S, "nproc": os.cpu_count()}


def _count_incidents(url: str) -> int:
    from sqlalchemy import create_engine, text
    eng = create_engine(url)
    try:
        with eng.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM incidents")).scalar() or 0
    finally:
        eng.dispose()


# --------------------------------------------------------------------------- entry points

def _serve(argv: list[str]) -> int:
    """`python -m bench.concurrent serve TAXONOMY_DIR [streamlit flags]`: lagesbild.serve with the
    bench taxonomy (config.TAXONOMY_DIR), which the 3M bench store was built with."""
    from lagesbild import config
    config.TAXONOMY_DIR = Path(argv[0])
    from lagesbild.serve import main as serve
    return serve(argv[1:])


def _import(argv: list[str]) -> int:
    """`python -m bench.concurrent import TAXONOMY_DIR|- URL FILE SOURCE`: `python -m loaders import`."""
    taxonomy, url, path, source = argv
    if taxonomy != "-":
        from lagesbild import config
        config.TAXONOMY_DIR = Path(taxonomy)
    from loaders.__main__ import main as loaders_main
    return loaders_main(["import", "incidents", path, "--source", source, "--db", url])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["serve"]:
        return _serve(argv[1:])
    if argv[:1] == ["import"]:
        return _import(argv[1:])
    p = argparse.ArgumentParser(prog="python -m bench concurrent")
    p.add_argument("--store", default="demo", help="'demo' (a fresh demo store) or a database URL")
    p.add_argument("--taxonomy", help="taxonomy directory the store was built with (the 3M bench store: "
                   "bench/work/taxonomy)")
    p.add_argument("--today", help="LAGESBILD_TODAY for the servers")
    p.add_argument("--scenarios", default="1x1,10x1,20x1,20x2", help="SESSIONSxREPLICAS, comma-separated")
    p.add_argument("--seconds", type=float, default=40, help="length of each scenario")
    p.add_argument("--think", type=float, default=5, help="mean think time (exponential), s")
    p.add_argument("--no-import", action="store_true", help="no import during the run")
    p.add_argument("--import-rows", type=int, default=100_000, help="rows per imported file")
    p.add_argument("--port", type=int, help="first port (default: free ports)")
    p.add_argument("--seed", type=int, default=13)
    p.add_argument("--out", default=str(Path(__file__).resolve().parent / "results" / "concurrent.json"))
    args = p.parse_args(argv)
    result = run(args.store, args.scenarios, args.seconds, args.think, seed=args.seed,
                 with_import=not args.no_import, import_rows=args.import_rows, base_port=args.port,
                 taxonomy=args.taxonomy, today=args.today)
    from bench.report import concurrent_markdown
    out = Path(args.out)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=1))
    out.with_suffix(".md").write_text(concurrent_markdown(result))
    print(concurrent_markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
