"""Outcome indicators per year (seed 003: graduation, suspected violent crime 12–20 …).

Two formats: Kolada's data export (the JSON its API returns for /v2/data/kpi/<id>/…, saved to a
file: {"values": [{"kpi", "municipality" (or "municipality_id"), "period", "values": [{"gender",
"value"}]}]}) and a plain CSV/xlsx with one value per row (data/mappings/outcomes.csv). Kolada's
region ids: '0000' the country, '00xx' a region (county), four digits a kommun. Names, units and
strategic/focus areas of known indicators come from data/outcomes/indicators.csv.

Key: indicator, region, year and gender. The same value again is a duplicate; another value is a
correction, stored and reported old → new.
"""
from __future__ import annotations

import csv
import json

import pandas as pd
from sqlalchemy import Connection, and_, insert, select, update

from lagesbild import config
from lagesbild.domain.taxonomy import normalise_label
from lagesbild.domain.vocab import FOCUS_AREAS, STRATEGIC_AREAS
from lagesbild.store.models import OutcomeIndicator
from loaders.errors import UnreadableFile, refuse
from loaders.kinds import Options, Prepared, Stored
from loaders.kinds.common import gate, raise_all, read_mapped
from loaders.place import load_index
from loaders.values import Collector, parse_count, parse_number

KIND = "outcomes"
FIELDS = {"indicator", "name", "region", "year", "value", "unit", "gender", "source", "strategic_area", "focus_area"}
REQUIRED = [("indicator", "name"), ("region",), ("year",), ("value",)]
TYPED = {"year", "value"}
KEY = ["indicator", "region_code", "year", "gender"]
INDICATORS_FILE = config.DATA_DIR / "outcomes" / "indicators.csv"
REGIONS = {"0000": ("riket", "Riket"), "riket": ("riket", "Riket"), "sverige": ("riket", "Riket"),
           "0001": ("lan", "Stockholms län"), "stockholms län": ("lan", "Stockholms län"),
           "länet": ("lan", "Stockholms län"), "region stockholm": ("lan", "Stockholms län")}


def known_indicators() -> dict[str, dict]:
    with INDICATORS_FILE.open(encoding="utf-8-sig", newline="") as fh:
        return {r["indicator"]: r for r in csv.DictReader(fh)}


def parse_year(text) -> int:
    year = parse_count(text)
    if not 1990 <= year <= 2100:
        raise ValueError("Året ska vara ett årtal, till exempel 2019.")
    return year


def kolada_rows(file_name: str, data: bytes) -> pd.DataFrame:
    """Kolada's JSON as rows of (indicator, region, year, gender, value) text cells."""
    try:
        doc = json.loads(data.decode("utf-8-sig"))
        values = doc["values"]
        rows = [{"indicator": str(v["kpi"]), "region": str(v.get("municipality", v.get("municipality_id", ""))),
                 "year": str(v["period"]), "gender": str(g.get("gender") or "T"),
                 "value": "" if g.get("value") is None else str(g["value"])}
                for v in values for g in v.get("values", [])]
    except (ValueError, KeyError, TypeError, AttributeError):
        raise refuse(file_name, "Filen är inte Koladas dataexport (JSON med 'values', 'kpi', 'municipality', "
                     "'period'). Spara svaret från Koladas API som fil, eller använd en CSV.",
                     error=UnreadableFile) from None
    frame = pd.DataFrame(rows, columns=["indicator", "region", "year", "gender", "value"])
    frame.index = range(1, len(frame) + 1)  # the n-th value of the file
    return frame[frame["value"] != ""]


def prepare(conn: Connection, file, options: Options) -> Prepared:
    if file.suffix == ".json":
        f = kolada_rows(file.name, file.data)
        h = {c: c for c in f.columns}
        found, source = Collector(file.name), "Kolada (RKA), CC BY 4.0"
    else:
        mapped = read_mapped(file, KIND, None, options.mapping, FIELDS, REQUIRED, TYPED)
        f, h = mapped.frame, mapped.headers
        found, source = gate(file.name, mapped), file.name
    problems = Collector(file.name)
    meta = known_indicators()
    text = lambda name, default="": (f[name] if name in f else pd.Series(default, index=f.index)).fillna(default).astype(str).str.strip()  # noqa: E731
    indicator = text("indicator")
    indicator = indicator.where(indicator != "", text("name").map(normalise_label))
    regions = problems.convert(text("region"), _region_parser(conn), h["region"])
    rows = pd.DataFrame({
        "indicator": indicator.str[:64],
        "name": [(n or meta.get(i, {}).get("name") or i)[:200] for i, n in zip(indicator, text("name"))],
        "region_code": [r[0] if r else None for r in regions], "region_kind": [r[1] if r else None for r in regions],
        "region_name": [r[2] if r else None for r in regions],
        "year": problems.convert(f["year"], parse_year, h["year"]),
        "gender": text("gender", "T").str[:1].str.upper().replace("", "T"),
        "value": problems.convert(f["value"], parse_number, h["value"]),
        "unit": [(u or meta.get(i, {}).get("unit", ""))[:16] for i, u in zip(indicator, text("unit"))],
        "strategic_area": _area_codes(problems, text("strategic_area"), STRATEGIC_AREAS, h.get("strategic_area"),
                                      indicator, meta, "strategic_area"),
        "focus_area": _area_codes(problems, text("focus_area"), FOCUS_AREAS, h.get("focus_area"), indicator, meta,
                                  "focus_area"),
        "source": [(s or source)[:200] for s in text("source")],
    }, index=f.index)
    raise_all(found, problems)
    _check_conflicts(problems, rows)
    problems.raise_if_any()
    unknown = sorted(set(rows["indicator"]) - set(meta) - set(rows.loc[text("name") != "", "indicator"]))
    notes = [f"Okända indikatorer utan namn (visas med sin kod): {', '.join(unknown)}. Lägg till dem i "
             "data/outcomes/indicators.csv."] if unknown else []
    return Prepared(KIND, file, None, len(f), {"outcomes": rows}, rows, notes)


def _region_parser(conn: Connection):
    index = load_index(conn)

    def parse(value) -> tuple[str, str, str]:
        label = normalise_label(value)
        if label in REGIONS:
            kind, name = REGIONS[label]
            return ("0000" if kind == "riket" else "0001", kind, name)
        kommun = index.kommun
        if kommun is not None and label in (normalise_label(kommun.code), normalise_label(kommun.name), "kommunen"):
            return (kommun.code, "kommun", kommun.name)
        found = index.by_label(value)
        if found is None:
            raise ValueError("Okänd region. Skriv kommunen, ett område, 'Stockholms län' eller 'Riket' "
                             "(eller Koladas kod).")
        area = index.areas[found]
        return (area.code, area.level, area.name)
    return parse


def _area_codes(problems, given: pd.Series, vocab: dict, header, indicator, meta, field) -> list:
    lookup = {normalise_label(k): k for k in vocab} | {normalise_label(v): k for k, v in vocab.items()}
    out = []
    for row, value, ind in zip(given.index, given, indicator):
        value = value or meta.get(ind, {}).get(field, "")
        if value and normalise_label(value) not in lookup:
            problems.add(int(row), header, value, "Okänt värde. Använd ett av: " + ", ".join(vocab.values()) + ".")
        out.append(lookup.get(normalise_label(value)) if value else None)
    return out


def _check_conflicts(problems: Collector, rows: pd.DataFrame) -> None:
    repeated = rows[rows.duplicated(KEY, keep=False)]
    for _, group in repeated.groupby(KEY):
        if group["value"].nunique() > 1:
            problems.add(int(group.index[1]), None, None, f"Samma indikator, region och år finns också på rad "
                         f"{group.index[0]} men med ett annat värde. Behåll en av raderna.")


def store(conn: Connection, prepared: Prepared, import_id: int) -> Stored:
    t = OutcomeIndicator.__table__
    rows = prepared.tables["outcomes"].drop_duplicates(KEY)
    result = Stored()
    for r in rows.to_dict("records"):
        old = conn.execute(select(t.c.id, t.c.value).where(and_(*[t.c[k] == r[k] for k in KEY]))).first()
        if old is None:
            conn.execute(insert(t).values(**r, demo=False, import_id=import_id))
            result.inserted += 1
        elif float(old.value) != float(r["value"]):
            conn.execute(update(t).where(t.c.id == old.id).values(value=r["value"], import_id=import_id))
            result.corrections.append(f"{r['name']} {r['region_name']} {r['year']} {old.value:g} → {r['value']:g}")
            result.updated += 1
    result.duplicates = len(prepared.tables["outcomes"]) - result.inserted - result.updated
    return result
