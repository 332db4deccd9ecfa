"""`python -m lagesbild.serve [streamlit flags]`: start the app, or refuse to when it would be
reachable from other machines without sign-in (lagesbild.access.mode). `make run` uses it.

Exit code 2 and a Swedish message on refusal; otherwise this is `streamlit run app.py [flags]`.
"""
from __future__ import annotations

import os
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


def main(args: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if args is None else args)
    address, provider = startup_settings(args)
    try:
        check_startup(address, provider)
    except OpenModeRefused as exc:
        print(exc, file=sys.stderr)
        return 2
    print("Inloggning: " + (f"på ({provider})" if provider else "AV – öppet läge, bara den här datorn "
                             f"({address})"), file=sys.stderr)
    from streamlit.web import cli
    sys.argv = ["streamlit", "run", str(APP), *args]
    return cli.main()


if __name__ == "__main__":
    sys.exit(main())
