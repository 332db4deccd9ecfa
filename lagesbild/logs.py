"""Application logging with the standard library: one line per import, check, rebuild, backup
and unexpected error, to the file in LAGESBILD_LOG_FILE, else (the app only) to standard error.
The command line prints its own report and logs only when LAGESBILD_LOG_FILE is set.

Lines hold ids, kinds, sources, counts and exception class names, never file contents, cell
values or problem texts (those may quote a refused value), so the log holds no personal data.
"""
from __future__ import annotations

import logging
import sys

from lagesbild import settings

ROOT = "lagesbild"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(level: int = logging.INFO, command_line: bool = False) -> logging.Logger:
    """Attach one handler to the 'lagesbild' logger (once per process)."""
    logger = logging.getLogger(ROOT)
    path = settings.value("log_file")
    if not logger.handlers and (path or not command_line):
        handler = logging.FileHandler(path, encoding="utf-8") if path else logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter(FORMAT))
        logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
    return logger


def get(name: str) -> logging.Logger:
    return logging.getLogger(f"{ROOT}.{name}")
