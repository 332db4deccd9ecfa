"""The taxonomy: canonical categories and how each source's own categories map onto them.

It lives in two CSV files under data/taxonomy that a coordinator may edit:
- categories.csv: code, name, strategic_area, focus_areas ("|"-separated), pyramid_level (1-5
  or empty), sensitivity (person/plats), description;
- source_categories.csv: source, source_category, category_code ("-" = not an incident, ignored).
"""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from lagesbild.domain.vocab import FOCUS_AREAS, PYRAMID_LEVELS, SENSITIVITY, STRATEGIC_AREAS
from lagesbild.errors import Problem, TaxonomyError

IGNORED = "-"
CATEGORY_COLUMNS = ["code", "name", "strategic_area", "focus_areas", "pyramid_level",
                    "sensitivity", "description"]
MAPPING_COLUMNS = ["source", "source_category", "category_code"]


@dataclass(frozen=True)
class Category:
    code: str
    name: str
    strategic_area: str
    focus_areas: tuple[str, ...]
    pyramid_level: int | None
    sensitivity: str
    description: str

    @property
    def is_person_related(self) -> bool:
        return self.sensitivity == "person"


@dataclass(frozen=True)
class Taxonomy:
    categories: tuple[Category, ...]
    mapping: dict[tuple[str, str], str]  # (source, source category lower-case) -> code or IGNORED

    def by_code(self) -> dict[str, Category]:
        return {c.code: c for c in self.categories}

    def canonical(self, source: str, source_category: str) -> str | None:
        """Canonical code for a source category, IGNORED, or None when it is not mapped."""
        return self.mapping.get((source, normalise_label(source_category)))


def normalise_label(label: str) -> str:
    return " ".join(str(label).split()).casefold()


def _read_rows(path: Path, columns: list[str]) -> list[dict[str, str]]:
    if not path.exists():
        raise TaxonomyError([Problem(path.name, None, None, None, "filen saknas")])
    with path.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in columns if c not in (reader.fieldnames or [])]
        if missing:
            raise TaxonomyError([Problem(path.name, 1, c, None, "kolumnen saknas i rubrikraden")
                                 for c in missing])
        return [{k: (v or "").strip() for k, v in row.items() if k} for row in reader]


def _category_problems(file: str, row_no: int, row: dict[str, str]) -> list[Problem]:
    problems = []

    def bad(column: str, message: str) -> None:
        problems.append(Problem(file, row_no, column, row.get(column), message))

    if not row["code"]:
        bad("code", "koden får inte vara tom")
    if not row["name"]:
        bad("name", "namnet får inte vara tomt")
    if row["strategic_area"] not in STRATEGIC_AREAS:
        bad("strategic_area", "okänt strategiskt område; använd " + ", ".join(STRATEGIC_AREAS))
    for focus in filter(None, row["focus_areas"].split("|")):
        if focus.strip() not in FOCUS_AREAS:
            bad("focus_areas", f"okänt fokusområde '{focus}'; använd " + ", ".join(FOCUS_AREAS))
    level = row["pyramid_level"]
    if level and (not level.isdigit() or int(level) not in PYRAMID_LEVELS):
        bad("pyramid_level", "nivån i våldspyramiden ska vara 1–5 eller tom")
    if row["sensitivity"] not in SENSITIVITY:
        bad("sensitivity", "ska vara 'person' eller 'plats'")
    return problems


def _to_category(row: dict[str, str]) -> Category:
    return Category(
        code=row["code"],
        name=row["name"],
        strategic_area=row["strategic_area"],
        focus_areas=tuple(f.strip() for f in row["focus_areas"].split("|") if f.strip()),
        pyramid_level=int(row["pyramid_level"]) if row["pyramid_level"] else None,
        sensitivity=row["sensitivity"],
        description=row.get("description", ""),
    )


def load_taxonomy(directory: Path) -> Taxonomy:
    """Read and validate both taxonomy files; raise TaxonomyError listing every problem."""
    cat_file, map_file = directory / "categories.csv", directory / "source_categories.csv"
    problems: list[Problem] = []
    categories: list[Category] = []
    seen_codes: set[str] = set()
    for row_no, row in enumerate(_read_rows(cat_file, CATEGORY_COLUMNS), start=2):
        row_problems = _category_problems(cat_file.name, row_no, row)
        if row["code"] in seen_codes:
            row_problems.append(Problem(cat_file.name, row_no, "code", row["code"],
                                        "koden finns redan på en tidigare rad"))
        problems += row_problems
        if not row_problems:
            categories.append(_to_category(row))
            seen_codes.add(row["code"])
    mapping: dict[tuple[str, str], str] = {}
    for row_no, row in enumerate(_read_rows(map_file, MAPPING_COLUMNS), start=2):
        key = (row["source"], normalise_label(row["source_category"]))
        code = row["category_code"]
        if not row["source"] or not row["source_category"]:
            problems.append(Problem(map_file.name, row_no, "source_category", None,
                                    "källa och källans kategori måste fyllas i"))
        elif code != IGNORED and code not in seen_codes:
            problems.append(Problem(map_file.name, row_no, "category_code", code,
                                    "koden finns inte i categories.csv (använd '-' för att ignorera)"))
        elif key in mapping and mapping[key] != code:
            problems.append(Problem(map_file.name, row_no, "source_category", row["source_category"],
                                    "kategorin är redan mappad till en annan kod"))
        else:
            mapping[key] = code
    if problems:
        raise TaxonomyError(problems)
    return Taxonomy(tuple(categories), mapping)
