"""JSON-stat 2.0 datasets, as SCB's PxWeb API v2 returns them (outputFormat=json-stat2) and as
Statistikdatabasen saves them: one row per cell with the code of every dimension and the value."""
from __future__ import annotations

import json
from itertools import product

import pandas as pd

from loaders.errors import UnreadableFile, refuse
from loaders.readers.text import decode
from loaders.source import SourceFile, check_size


def read_jsonstat(file: SourceFile) -> pd.DataFrame:
    check_size(file)
    try:
        doc = json.loads(decode(file.name, file.data))
    except json.JSONDecodeError as exc:
        raise refuse(file.name, f"Filen är ingen giltig JSON (rad {exc.lineno}).", error=UnreadableFile) from None
    if isinstance(doc, dict) and doc.get("class") != "dataset" and isinstance(doc.get("dataset"), dict):
        doc = doc["dataset"]  # JSON-stat 1.x wraps the dataset
    if not isinstance(doc, dict) or not isinstance(doc.get("id"), list) or "dimension" not in doc \
            or "value" not in doc:
        raise refuse(file.name, "Filen är inte JSON-stat (spara tabellen från Statistikdatabasen som "
                     "JSON-stat 2 eller hämta den från PxWeb API v2 med outputFormat=json-stat2).",
                     error=UnreadableFile)
    ids, sizes = doc["id"], doc.get("size") or []
    try:
        codes = [_codes(doc["dimension"][d]["category"]) for d in ids]
    except (KeyError, TypeError):
        raise refuse(file.name, "JSON-stat-filen saknar kategorierna för en dimension.", error=UnreadableFile) from None
    if [len(c) for c in codes] != list(sizes):
        raise refuse(file.name, "JSON-stat-filens 'size' stämmer inte med dimensionerna.", error=UnreadableFile)
    values = doc["value"]
    cells = list(product(*codes))
    if isinstance(values, dict):
        values = [values.get(str(i)) for i in range(len(cells))]
    if len(values) != len(cells):
        raise refuse(file.name, "JSON-stat-filen har fel antal värden.", error=UnreadableFile)
    frame = pd.DataFrame(cells, columns=ids, dtype=object)
    frame["value"] = values
    return frame


def _codes(category: dict) -> list[str]:
    index = category.get("index")
    if isinstance(index, dict):
        return [c for c, _ in sorted(index.items(), key=lambda kv: kv[1])]
    if isinstance(index, list):
        return list(index)
    return list(category["label"])  # a single category may come without an index
