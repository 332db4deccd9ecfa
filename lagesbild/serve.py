"""`python -m lagesbild.serve [--replicas N] [streamlit flags]`: start the app, or refuse to when it
would be reachable from other machines without sign-in (lagesbild.access.mode). `make run` uses it.

Exit code 2 and a Swedish message on refusal; otherwise this is `streamlit run app.py [flags]`.
`--replicas N` (N > 1) starts N such servers on the ports P, P+1, … P+N-1 (P: --server.port,
default 8501) on the same database: a Streamlit server is one process, so this is how the app uses
more than one core. Put a load balancer with sticky sessions in front (a browser's session lives
in one process: docs/operations.md, "Many people at once" in docs/performance.md).
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from lagesbild.access.mode import OpenModeRefused, auth_provider, check_startup

APP = Path(__file__).resolve().parent.parent / "app.py"


def flag_options(args: list[str]) -> dict[str, object]:
    """'--server.address 1.2.3.4' / '--server.address=1.2.3.4' → {'server.address': '1.2.3.4'};
    options given several times (secrets.files) become lists."""
    out: dict[str, object] = {}
    i = 0
    while i < len(args):
        arg = args[i]
        if arg.startswith("--") and "." in arg:
            name, eq, value = arg[2:].partition("=")
            if not eq and i + 1 < len(args):
                value, i = args[i + 1], i + 1
            out[name] = [*out[name], value] if name == "secrets.files" and name in out else (
                [value] if name == "secrets.files" else value)
        i += 1
    return out


def startup_settings(args: list[str]) -> tuple[str | None, str | None]:
    """The server address and the sign-in provider Streamlit will use with these flags."""
    from streamlit import config as st_config
    from streamlit.runtime.secrets import secrets_singleton
    options = flag_options(args)
    if "server.address" not in options and os.environ.get("STREAMLIT_SERVER_ADDRESS"):
        options["server.address"] = os.environ["STREAMLIT_SERVER_ADDRESS"]
    st_config.get_config_options(force_reparse=True, options_from_flags=options)
    secrets_singleton.load_if_toml_exists()
    auth = secrets_singleton.get("auth") if secrets_singleton.load_if_toml_exists() else None
    return st_config.get_option("server.address"), auth_provider(auth)


def split_replicas(args: list[str]) -> tuple[int, list[str]]:
    """'--replicas 3' / '--replicas=3' taken out of the flags: (3, the other flags)."""
    out, replicas, i = [], 1, 0
    while i < len(args):
        name, eq, value = args[i].partition("=")
        if name == "--replicas":
            if not eq:
                i += 1
                value = args[i] if i < len(args) else ""
            if not value.isdigit() or int(value) < 1:
                raise SystemExit("--replicas tar ett heltal ≥ 1")
            replicas = int(value)
        else:
            out.append(args[i])
        i += 1
    return replicas, out


def with_port(args: list[str], port: int) -> list[str]:
    """The flags with --server.port set to `port` (replacing any given)."""
    out, i = [], 0
    while i < len(args):
        if args[i] == "--server.port":
            i += 2
            continue
        if not args[i].startswith("--server.port="):
            out.append(args[i])
        i += 1
    return [*out, "--server.port", str(port)]


def run_replicas(replicas: int, args: list[str]) -> int:
    """N servers as child processes on consecutive ports; SIGINT/SIGTERM stop them all."""
    first = int(flag_options(args).get("server.port") or os.environ.get("STREAMLIT_SERVER_PORT") or 8501)
    ports = list(range(first, first + replicas))
    print(f"Replikor: {replicas} servrar på portarna {ports[0]}–{ports[-1]} (samma databas); "
          "lägg en lastbalanserare med fasta sessioner (sticky) framför.", file=sys.stderr)
    children = [subprocess.Popen([sys.executable, "-m", "lagesbild.serve", *with_port(args, port)])
                for port in ports]

    def forward(signum, _frame):
        for child in children:
            if child.poll() is None:
                child.send_signal(signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    codes = [child.wait() for child in children]
    return max(codes, default=0)


def main(args: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if args is None else args)
    replicas, args = split_replicas(args)
    address, provider = startup_settings(args)
    try:
        check_startup(address, provider)
    except OpenModeRefused as exc:
        print(exc, file=sys.stderr)
        return 2
    print("Inloggning: " + (f"på ({provider})" if provider else "AV – öppet läge, bara den här datorn "
                             f"({address})"), file=sys.stderr)
    if replicas > 1:
        return run_replicas(replicas, args)
    from lagesbild.warmup import warm_up
    warm_up()  # the pages' imports done and out of the garbage collector's way before the first request
    from streamlit.web import cli
    sys.argv = ["streamlit", "run", str(APP), *args]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
