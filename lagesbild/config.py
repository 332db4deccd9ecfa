"""Settings read from the environment, with the embedded defaults."""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DEFAULT_DB_PATH = DATA_DIR / "lagesbild.db"
TAXONOMY_DIR = DATA_DIR / "taxonomy"
AREAS_FILE = DATA_DIR / "areas" / "botkyrka.csv"
OUTLINE_FILE = DATA_DIR / "areas" / "botkyrka_outline.csv"
MAPPINGS_DIR = DATA_DIR / "mappings"


def database_url() -> str:
    """The database to use: DATABASE_URL, or the embedded SQLite file under data/."""
    return os.environ.get("DATABASE_URL") or f"sqlite:///{DEFAULT_DB_PATH}"


def suppression_k() -> int:
    """Smallest person-related count that may be shown exactly (DESIGN.md: default 5)."""
    return int(os.environ.get("LAGESBILD_K", "5"))
