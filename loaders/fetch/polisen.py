"""polisen.se/api/events, fetched: the response goes through the polisen kind exactly as an
imported file does (time and kommun from `name`, district from `summary`; only the store's kommun
is kept; natural key polisen.se:<id>, so a repeated fetch stores only new events).

The API returns only the latest ~500 events of the whole country (about a week). When the oldest
event of a response was published after the previous successful fetch, events in between may
have been lost: the result says so (and Datakällor warns when the last success is older than
`lost_after_hours`).
"""
from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field

from sqlalchemy import Engine

from lagesbild.errors import InputError
from loaders.fetch import state
from loaders.fetch.http import BadResponse, Clock, Fetcher, FetchError, RateLimit, json_body, settings
from loaders.kinds import Options
from loaders.kinds.polisen import published_at
from loaders.pipeline import ImportResult, run_import
from loaders.source import SourceFile

FEED = "polisen"


@dataclass
class FetchResult:
    feed: str
    result: ImportResult | None
    warnings: list[str] = field(default_factory=list)

    def summary(self) -> str:
        head = self.result.summary() if self.result else f"{self.feed}: hämtat"
        return "\n".join([head, *self.warnings])


def fetcher(engine: Engine, clock: Clock | None = None, client=None, feed: str = FEED) -> Fetcher:
    values = settings()
    own = values[feed]
    with engine.connect() as conn:
        calls = state.read(conn, feed)["recent_calls"]
    return Fetcher(feed, RateLimit(own["min_interval_seconds"], own["max_calls_per_hour"],
                                   RateLimit.parse(calls)),
                   clock or Clock(), values["retries"], values["backoff_seconds"],
                   values["timeout_seconds"], client)


def fetch(engine: Engine, *, clock: Clock | None = None, client=None, replace_demo: bool = False,
          imported_by: str = "hämtning") -> FetchResult:
    """Fetch the current events and import them; raise FetchError or InputError (nothing stored)."""
    http = fetcher(engine, clock, client)
    started = http.clock.now()
    with engine.connect() as conn:
        previous = state.read(conn, FEED)["last_success_at"]
    try:
        response = http.get(settings()[FEED]["url"])
        events = json_body(response, "polisen.se")
        if not isinstance(events, list):
            raise BadResponse("polisen.se: svaret är ingen lista med händelser (formatet kan ha ändrats); "
                              "inget hämtades.")
        file = SourceFile(f"polisen.se-api-events-{started:%Y%m%dT%H%M}.json", response.content)
        result = run_import(engine, "polisen", file, Options(source="polis"),
                            replace_demo=replace_demo, imported_by=imported_by)
    except (FetchError, InputError) as exc:
        state.write(engine, FEED, attempt=started, ok=False, message=_message(exc), calls=http.limit.text())
        raise
    warnings = gap_warnings(previous, events, settings()[FEED]["lost_after_hours"], started)
    if not os.environ.get("LAGESBILD_CONTACT"):
        warnings.append("Ange en kontakt (e-post eller webbadress) i LAGESBILD_CONTACT: polisen.se ber varje "
                        "klient att namnge sig och en kontakt i User-Agent.")
    state.write(engine, FEED, attempt=started, ok=True, message=" ".join([result.summary(), *warnings]),
                calls=http.limit.text(), import_id=result.import_id)
    return FetchResult(FEED, result, warnings)


def _message(exc: Exception) -> str:
    if isinstance(exc, InputError):
        return "; ".join(str(p) for p in exc.problems)
    return str(exc)


def oldest_published(events: list) -> dt.datetime | None:
    times = []
    for e in events:
        try:
            times.append(published_at(e.get("datetime", "")))
        except (ValueError, AttributeError):
            continue
    return min(times) if times else None


def gap_warnings(previous: dt.datetime | None, events: list, lost_after_hours: float,
                 now: dt.datetime) -> list[str]:
    """Why events may be missing: the response does not reach back to the previous fetch."""
    oldest = oldest_published(events)
    if previous is None:
        return ["Första hämtningen: flödet ger bara de senaste ~500 händelserna i landet"
                + (f" (sedan {oldest:%Y-%m-%d %H:%M})" if oldest else "")
                + "; äldre händelser importeras från fil."]
    if oldest is not None and oldest > previous:
        return [f"Varning: händelser kan saknas mellan {previous:%Y-%m-%d %H:%M} och {oldest:%Y-%m-%d %H:%M}. "
                "Flödet ger bara de senaste ~500 händelserna i landet; hämta oftare (se README, schemaläggning)."]
    if now - previous > dt.timedelta(hours=lost_after_hours):
        return [f"Senaste lyckade hämtningen var {previous:%Y-%m-%d %H:%M}, mer än {lost_after_hours:g} timmar "
                "sedan; hämta varje timme (se README, schemaläggning)."]
    return []
