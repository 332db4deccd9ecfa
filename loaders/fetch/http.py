"""HTTP for the feeds: a User-Agent naming the product and a contact, a rate limit that holds
across processes (the call times are kept in feed_state), retries with back-off on HTTP 429/5xx
and network errors, and named errors with a Swedish message for everything else."""
from __future__ import annotations

import datetime as dt
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import httpx

from lagesbild import config
from lagesbild.calendar import utc_now
from lagesbild.errors import LagesbildError

SETTINGS_FILE = config.DATA_DIR / "feeds" / "feeds.json"
RETRY_STATUS = {429, 500, 502, 503, 504}


class FetchError(LagesbildError):
    """A fetch failed; nothing was stored. The message says why, in Swedish."""


class NetworkDown(FetchError):
    """The server could not be reached (no network, DNS, timeout)."""


class RateLimited(FetchError):
    """The feed's own limit of calls per hour would be exceeded; try again later."""


class BadResponse(FetchError):
    """The server answered with an error, or with something that is not the expected format."""


def settings(path: Path = SETTINGS_FILE) -> dict:
    with path.open(encoding="utf-8") as fh:
        return json.load(fh)


def user_agent(values: dict | None = None) -> str:
    values = values or settings()
    contact = os.environ.get("LAGESBILD_CONTACT") or values["contact"]
    return f"{values['product']} contact: {contact}"


@dataclass
class Clock:
    """Wall time and sleeping; tests pass a fake one that advances when it sleeps."""
    now: Callable[[], dt.datetime] = utc_now  # stored as last_success_at: UTC like every stored time
    sleep: Callable[[float], None] = lambda seconds: time.sleep(seconds)


@dataclass
class RateLimit:
    """At least `min_interval` seconds between calls and at most `per_hour` calls in any hour."""
    min_interval: float
    per_hour: int
    calls: list[dt.datetime] = field(default_factory=list)

    def wait(self, clock: Clock) -> None:
        now = clock.now()
        self.calls = [c for c in self.calls if now - c < dt.timedelta(hours=1)]
        if len(self.calls) >= self.per_hour:
            free = min(self.calls) + dt.timedelta(hours=1)
            raise RateLimited(f"Högst {self.per_hour} anrop per timme är tillåtna; nästa anrop får "
                              f"göras tidigast {free:%H:%M:%S}. Inget hämtades.")
        if self.calls:
            gap = (now - max(self.calls)).total_seconds()
            if gap < self.min_interval:
                clock.sleep(self.min_interval - gap)
        self.calls.append(clock.now())

    def text(self) -> str:
        return ",".join(c.isoformat() for c in self.calls)

    @staticmethod
    def parse(text: str) -> list[dt.datetime]:
        return [dt.datetime.fromisoformat(t) for t in (text or "").split(",") if t.strip()]


@dataclass
class Fetcher:
    """GET with the rules above. `client` is an httpx.Client (tests mock it with respx)."""
    name: str
    limit: RateLimit
    clock: Clock = field(default_factory=Clock)
    retries: int = 3
    backoff: float = 10.0
    timeout: float = 30.0
    client: httpx.Client | None = None

    def get(self, url: str, params: dict | None = None) -> httpx.Response:
        client = self.client or httpx.Client(timeout=self.timeout, follow_redirects=True)
        try:
            return self._get(client, url, params)
        finally:
            if self.client is None:
                client.close()

    def _get(self, client: httpx.Client, url: str, params: dict | None) -> httpx.Response:
        headers = {"User-Agent": user_agent(), "Accept": "application/json"}
        for attempt in range(self.retries + 1):
            self.limit.wait(self.clock)
            last = attempt == self.retries
            try:
                response = client.get(url, params=params, headers=headers)
            except httpx.TransportError as exc:
                if last:
                    raise NetworkDown(f"{self.name}: servern svarar inte ({type(exc).__name__}). "
                                      "Kontrollera nätverket och försök igen; inget hämtades.") from None
                self.clock.sleep(self._delay(attempt, None))
                continue
            if response.status_code in RETRY_STATUS and not last:
                self.clock.sleep(self._delay(attempt, response.headers.get("Retry-After")))
                continue
            if response.status_code >= 400:
                raise BadResponse(f"{self.name}: servern svarade HTTP {response.status_code}"
                                  f"{' efter ' + str(self.retries + 1) + ' försök' if response.status_code in RETRY_STATUS else ''}"
                                  "; inget hämtades.")
            return response
        raise AssertionError("unreachable")

    def _delay(self, attempt: int, retry_after: str | None) -> float:
        delay = self.backoff * 2 ** attempt
        if retry_after and retry_after.strip().isdigit():
            delay = max(delay, float(retry_after))
        return min(delay, 600.0)


def json_body(response: httpx.Response, name: str):
    try:
        return response.json()
    except ValueError:
        raise BadResponse(f"{name}: svaret är inte JSON (formatet kan ha ändrats); inget hämtades.") from None
