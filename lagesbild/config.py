"""Paths of the embedded defaults, and the two settings every part needs (lagesbild.settings)."""
from __future__ import annotations

from pathlib import Path

from lagesbild import settings

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
DEFAULT_DB_PATH = DATA_DIR / "lagesbild.db"
TAXONOMY_DIR = DATA_DIR / "taxonomy"
AREAS_FILE = DATA_DIR / "areas" / "botkyrka.csv"
OUTLINE_FILE = DATA_DIR / "areas" / "botkyrka_outline.csv"
MAPPINGS_DIR = DATA_DIR / "mappings"


def database_url() -> str:
    """The database to use: DATABASE_URL, or the embedded SQLite file under data/."""
    return settings.value("database_url") or f"sqlite:///{DEFAULT_DB_PATH}"


def suppression_k() -> int:
    """Smallest person-related count that may be shown exactly (DESIGN.md: default 5)."""
    return settings.value("k")
