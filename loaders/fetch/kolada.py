"""Kolada (api.kolada.se v3): the key figures listed in data/feeds/kolada_kpis.csv for the
store's kommun, its county and the country, per year and gender, into kolada_values.

Kept apart from any Kolada-format file import (the actions issue): this table holds what the
API delivered, logged in the import log as kind 'kolada_api'. All or nothing: the whole answer
(every page) is checked before one transaction replaces the values it covers.
"""
from __future__ import annotations

import csv
import hashlib
import json

from sqlalchemy import Engine, delete, insert, select

from lagesbild import config
from lagesbild.store.locks import take_write_lock
from lagesbild.store.models import Area, KoladaValue
from loaders import import_log
from loaders.fetch import state
from loaders.fetch.http import BadResponse, Clock, FetchError, json_body, settings
from loaders.fetch.polisen import FetchResult, _message, fetcher

FEED = "kolada"
KIND = "kolada_api"
KPI_FILE = config.DATA_DIR / "feeds" / "kolada_kpis.csv"
MAX_PAGES = 50


def kpi_ids(path=KPI_FILE) -> list[str]:
    with path.open(encoding="utf-8") as fh:
        return [r["kpi"].strip() for r in csv.DictReader(fh) if r["kpi"].strip()]


def municipalities(engine: Engine) -> list[str]:
    """The store's kommun, its county (Kolada: '00' + länskod) and the country."""
    with engine.connect() as conn:
        kommun = conn.execute(select(Area.code).where(Area.level == "kommun")).scalar()
    if not kommun:
        raise FetchError("Kolada: butiken har ingen kommun (python -m lagesbild init).")
    return [kommun, "00" + kommun[:2], settings()[FEED]["country"]]


def parse(pages: list) -> list[dict]:
    """Rows kpi, municipality, year, gender, value; BadResponse when the format is not Kolada's."""
    rows = {}
    for page in pages:
        if not isinstance(page, dict) or not isinstance(page.get("values"), list):
            raise BadResponse("Kolada: svaret saknar listan 'values' (formatet kan ha ändrats); inget sparades.")
        for item in page["values"]:
            try:
                kpi, place, year = str(item["kpi"]), str(item["municipality"]), int(item["period"])
                for v in item["values"]:
                    value = v.get("value")
                    row = dict(kpi=kpi, municipality=place, year=year, gender=str(v.get("gender") or "T")[:1],
                               value=None if value is None else float(value))
                    rows[(row["kpi"], row["municipality"], row["year"], row["gender"])] = row
            except (KeyError, TypeError, ValueError):
                raise BadResponse("Kolada: ett värde saknar kpi, municipality, period eller values "
                                  "(formatet kan ha ändrats); inget sparades.") from None
    return list(rows.values())


def fetch(engine: Engine, years: list[int], *, clock: Clock | None = None, client=None,
          imported_by: str = "hämtning") -> FetchResult:
    http = fetcher(engine, clock, client, FEED)
    started = http.clock.now()
    kpis = kpi_ids()
    try:
        places = municipalities(engine)
        url = settings()[FEED]["url"].format(kpis=",".join(kpis), municipalities=",".join(places),
                                             years=",".join(str(y) for y in years))
        pages = []
        while url and len(pages) < MAX_PAGES:
            pages.append(json_body(http.get(url), "Kolada"))
            url = pages[-1].get("next_page") or pages[-1].get("next_url") if isinstance(pages[-1], dict) else None
        rows = parse(pages)
    except FetchError as exc:
        state.write(engine, FEED, attempt=started, ok=False, message=_message(exc), calls=http.limit.text())
        raise
    import_id = _store(engine, rows, kpis, places, years, pages, imported_by)
    summary = (f"Hämtat: Kolada, {len(rows)} värden ({len(set(r['kpi'] for r in rows))} nyckeltal, "
               f"{', '.join(places)}, {min(years)}–{max(years)})")
    state.write(engine, FEED, attempt=started, ok=True, message=summary, calls=http.limit.text(), import_id=import_id)
    return FetchResult(FEED, None, [summary])


def _store(engine: Engine, rows: list[dict], kpis: list[str], places: list[str], years: list[int],
           pages: list, imported_by: str) -> int:
    body = json.dumps(pages, sort_keys=True).encode()
    import_id = import_log.start(engine, KIND, None, f"api.kolada.se ({', '.join(kpis)})",
                                 hashlib.sha256(body).hexdigest(), imported_by)
    k = KoladaValue.__table__
    try:
        with engine.begin() as conn:
            take_write_lock(conn, own_import=import_id)
            before = {(r.kpi, r.municipality, r.year, r.gender): r.value for r in conn.execute(
                select(k).where(k.c.kpi.in_(kpis), k.c.municipality.in_(places), k.c.year.in_(years)))}
            conn.execute(delete(k).where(k.c.kpi.in_(kpis), k.c.municipality.in_(places), k.c.year.in_(years)))
            if rows:
                conn.execute(insert(k), [dict(r, import_id=import_id) for r in rows])
            same = sum(before.get((r["kpi"], r["municipality"], r["year"], r["gender"]), "x") == r["value"] for r in rows)
            import_log.finish(conn, import_id, rows_read=len(rows), rows_accepted=len(rows), rows_duplicate=same,
                              message=f"{len(rows) - same} nya eller ändrade värden.")
    except BaseException as exc:
        import_log.abandoned(engine, import_id, exc)
        raise
    return import_id
