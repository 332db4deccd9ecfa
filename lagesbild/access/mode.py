"""Sign-in on (an identity provider in .streamlit/secrets.toml [auth]) or the explicit open mode.

Open mode is for one person on one computer: the server must listen on a loopback address only.
A server reachable from other machines without sign-in refuses to start (lagesbild.serve) and,
should it be started some other way, serves no page (app.py, `open_mode_problem`).
"""
from __future__ import annotations

import ipaddress
from typing import Mapping

from lagesbild.errors import LagesbildError

LOOPBACK_NAMES = {"localhost", "ip6-localhost"}
REFUSAL = ("Lägesbild startar inte: servern skulle nås från andra datorer ({where}) men inloggning är "
           "inte konfigurerad. Lägg in kommunens identitetsleverantör i .streamlit/secrets.toml "
           "([auth], se README), eller kör i öppet läge bara på den här datorn med "
           "--server.address 127.0.0.1.")


class OpenModeRefused(LagesbildError):
    """Sign-in is off and the server would be reachable from other machines."""


def is_loopback(host: str | None) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost; None or '' (all interfaces) is not loopback."""
    if not host:
        return False
    host = host.strip("[]")
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def auth_provider(auth: Mapping | None) -> str | None:
    """The provider name for st.login ('default' for the flat form), or None when [auth] is not
    complete enough to sign anyone in."""
    if not auth or not auth.get("redirect_uri") or not auth.get("cookie_secret"):
        return None
    if auth.get("client_id") and auth.get("server_metadata_url"):
        return "default"
    named = [k for k, v in auth.items() if isinstance(v, Mapping) and v.get("client_id")
             and v.get("server_metadata_url")]
    return named[0] if named else None


def check_startup(address: str | None, provider: str | None) -> None:
    if provider is None and not is_loopback(address):
        raise OpenModeRefused(REFUSAL.format(where=f"server.address = {address!r}" if address
                                             else "server.address är inte satt: alla nätverkskort"))


def _host_of(host_header: str) -> str:
    host = host_header.strip()
    if host.startswith("["):
        return host[1:host.find("]")]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def open_mode_problem(address: str | None, headers: Mapping[str, str], in_server: bool) -> str | None:
    """Why this open-mode request must not be served, or None. Outside a server (AppTest) only
    the headers count; a proxy in front of the server (X-Forwarded-For, Forwarded) or a Host that
    is not loopback means someone else could be asking."""
    if in_server and not is_loopback(address):
        return REFUSAL.format(where=f"server.address = {address!r}" if address else "alla nätverkskort")
    lowered = {k.lower(): v for k, v in headers.items()}
    if "x-forwarded-for" in lowered or "forwarded" in lowered:
        return REFUSAL.format(where="begäran kom via en proxy")
    host = lowered.get("host")
    if host and not is_loopback(_host_of(host)):
        return REFUSAL.format(where=f"Host: {host}")
    return None
