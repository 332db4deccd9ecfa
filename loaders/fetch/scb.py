"""SCB population through the PxWeb API v2 (JSON-stat 2), per RegSO of the store's kommun and
year, all ages and (when the table has single-year ages) 12-20. The response goes through the
population kind exactly as a saved JSON-stat file would (`python -m loaders import population
FILE.json` on a machine without internet)."""
from __future__ import annotations

import re

from sqlalchemy import Engine, select

from lagesbild.errors import InputError
from lagesbild.store.models import Area
from loaders.fetch import state
from loaders.fetch.http import Clock, FetchError, settings
from loaders.fetch.polisen import FetchResult, _message, fetcher
from loaders.kinds import Options
from loaders.pipeline import run_import
from loaders.source import SourceFile

FEED = "scb"
REGSO = re.compile(r"^\d{4}R\d{3}$")


def regso_codes(engine: Engine) -> list[str]:
    with engine.connect() as conn:
        codes = conn.execute(select(Area.code).where(Area.level == "omrade").order_by(Area.code)).scalars()
        return [c for c in codes if REGSO.match(c)]


def request(engine: Engine, years: list[int]) -> tuple[str, dict]:
    own = settings()[FEED]
    regions = ",".join(c + own.get("region_suffix", "") for c in regso_codes(engine))
    if not regions:
        raise FetchError("SCB: butiken har inga RegSO-områden att hämta befolkning för "
                         "(python -m lagesbild init --kommun KOD).")
    fill = {"regions": regions, "years": ",".join(str(y) for y in years)}
    return own["url"].format(table=own["table"]), {k: v.format(**fill) for k, v in own["params"].items()}


def fetch(engine: Engine, years: list[int], *, clock: Clock | None = None, client=None,
          imported_by: str = "hämtning") -> FetchResult:
    http = fetcher(engine, clock, client, FEED)
    started = http.clock.now()
    try:
        url, params = request(engine, years)
        response = http.get(url, params)
        file = SourceFile(f"scb-{settings()[FEED]['table']}-{started:%Y%m%dT%H%M}.json", response.content)
        result = run_import(engine, "population", file, Options(), imported_by=imported_by)
    except (FetchError, InputError) as exc:
        state.write(engine, FEED, attempt=started, ok=False, message=_message(exc), calls=http.limit.text())
        raise
    state.write(engine, FEED, attempt=started, ok=True, message=result.summary(), calls=http.limit.text(),
                import_id=result.import_id)
    return FetchResult(FEED, result)
