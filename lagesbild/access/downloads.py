"""The one door for downloads: only a user with Right.DOWNLOAD gets the bytes, and every
download (which selection, which audience) is logged."""
from __future__ import annotations

from typing import Callable

from sqlalchemy import Engine

from lagesbild import audit
from lagesbild.access.rules import AccessDenied, Right, User, require


def download(user: User, engine: Engine, make: Callable[[], bytes], what: str,
             right: Right = Right.DOWNLOAD) -> bytes:
    """The file's bytes from `make()`, after the check; `what` names the file, selection and audience."""
    try:
        require(user, right, "ladda ned")
    except AccessDenied as exc:
        audit.record(engine, user, audit.DOWNLOAD, f"{what}: {exc}", outcome=audit.DENIED)
        raise
    data = make()
    audit.record(engine, user, audit.DOWNLOAD, what)
    return data
