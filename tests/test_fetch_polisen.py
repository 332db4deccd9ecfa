"""`python -m loaders fetch polisen` against recorded responses built from the real snapshots in
../shared/reference-data (respx: no test reaches the internet), on SQLite and PostgreSQL."""
from __future__ import annotations

import datetime as dt
import json

import httpx
import pytest
import respx
from sqlalchemy import func, select

from lagesbild.errors import InputError
from lagesbild.store.models import FeedState, ImportLog, Incident
from loaders.fetch import polisen
from loaders.fetch.http import BadResponse, Clock, NetworkDown, RateLimit, RateLimited
from loaders.kinds.polisen import published_at

URL = "https://polisen.se/api/events"


class FakeClock(Clock):
    """Starts at a fixed time; sleeping advances it (and records how long)."""

    def __init__(self, start=dt.datetime(2026, 8, 22, 18, 0)):
        self.t, self.slept = start, []
        super().__init__(now=lambda: self.t, sleep=self._sleep)

    def _sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.t += dt.timedelta(seconds=seconds)

    def advance(self, **kw) -> None:
        self.t += dt.timedelta(**kw)


def recorded(reference_data, since: str) -> list[dict]:
    """A response as the API gives it: the real Botkyrka events published since `since`, then
    the real national snapshot of 2026-08-22 (500 events in all)."""
    botkyrka = json.loads((reference_data / "polisen_events_botkyrka.json").read_text(encoding="utf-8"))
    snapshot = json.loads((reference_data / "polisen_api_events_snapshot_2026-08-22.json").read_text(encoding="utf-8"))
    local = [e for e in botkyrka if published_at(e["datetime"]) >= dt.datetime.fromisoformat(since)]
    return (local + snapshot)[:500]


def count(engine, model, *where) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model.__table__).where(*where)).scalar()


def feed_state(engine) -> dict:
    with engine.connect() as conn:
        return dict(conn.execute(select(FeedState.__table__)).mappings().one())


@respx.mock
def test_fetch_stores_new_events_once_and_logs_the_import(empty_engine, reference_data, monkeypatch):
    monkeypatch.setenv("LAGESBILD_CONTACT", "vpc@botkyrka.se")
    first, second = recorded(reference_data, "2026-07-01"), recorded(reference_data, "2026-06-01")
    route = respx.get(URL).mock(side_effect=[httpx.Response(200, json=first), httpx.Response(200, json=second)])
    clock = FakeClock()
    out = polisen.fetch(empty_engine, clock=clock)
    n_first = sum(e["name"].endswith(", Botkyrka") for e in first)
    assert n_first > 0 and out.result.stored.inserted == count(empty_engine, Incident) > 0
    assert "Första hämtningen" in out.warnings[0]
    ua = route.calls[0].request.headers["User-Agent"]
    assert "Lagesbild" in ua and "vpc@botkyrka.se" in ua
    clock.advance(seconds=3)  # the next call must wait until 10 s have passed
    again = polisen.fetch(empty_engine, clock=clock)
    assert clock.slept == [7.0]
    assert again.result.stored.duplicates == out.result.stored.inserted  # idempotent: only new ones stored
    assert again.result.stored.inserted == count(empty_engine, Incident) - out.result.stored.inserted > 0
    assert count(empty_engine, ImportLog, ImportLog.kind == "polisen", ImportLog.status == "ok") == 2
    state = feed_state(empty_engine)
    assert state["last_status"] == "ok" and state["last_success_at"] == dt.datetime(2026, 8, 22, 18, 0, 3)
    assert len(RateLimit.parse(state["recent_calls"])) == 2


@respx.mock
def test_429_and_5xx_are_retried_with_back_off(empty_engine, reference_data):
    respx.get(URL).mock(side_effect=[httpx.Response(429, headers={"Retry-After": "30"}),
                                     httpx.Response(503), httpx.Response(200, json=recorded(reference_data, "2026-08-01"))])
    clock = FakeClock()
    out = polisen.fetch(empty_engine, clock=clock)
    assert out.result.stored.inserted > 0
    assert clock.slept == [30.0, 20.0]  # Retry-After honoured, then 10 s * 2


@respx.mock
def test_server_errors_after_the_retries_store_nothing(empty_engine):
    respx.get(URL).mock(return_value=httpx.Response(502))
    clock = FakeClock()
    with pytest.raises(BadResponse, match="HTTP 502 efter 4 försök"):
        polisen.fetch(empty_engine, clock=clock)
    assert count(empty_engine, Incident) == 0
    state = feed_state(empty_engine)
    assert state["last_status"] == "fel" and state["last_success_at"] is None and "502" in state["last_message"]


@respx.mock
def test_network_down_is_a_clear_error(empty_engine):
    respx.get(URL).mock(side_effect=httpx.ConnectError("Name or service not known"))
    with pytest.raises(NetworkDown, match="servern svarar inte"):
        polisen.fetch(empty_engine, clock=FakeClock())
    assert count(empty_engine, Incident) == 0 and count(empty_engine, ImportLog) == 0


@pytest.mark.parametrize("body, error", [
    (b"<html>Underh\xc3\xa5ll</html>", BadResponse),          # not JSON
    (json.dumps({"message": "moved"}).encode(), BadResponse),  # not a list
    (json.dumps([{"id": 1, "datetime": "2026-08-22 10:00:00 +02:00", "namn": "x"}]).encode(), InputError),
])
@respx.mock
def test_a_changed_format_stores_nothing(empty_engine, body, error):
    respx.get(URL).mock(return_value=httpx.Response(200, content=body))
    with pytest.raises(error):
        polisen.fetch(empty_engine, clock=FakeClock())
    assert count(empty_engine, Incident) == 0
    assert feed_state(empty_engine)["last_status"] == "fel"


def test_rate_limit_at_most_60_calls_an_hour_and_10_s_apart():
    clock, limit = FakeClock(), RateLimit(10, 60)
    for _ in range(60):
        limit.wait(clock)
    assert clock.slept == [10.0] * 59
    with pytest.raises(RateLimited, match="Högst 60 anrop per timme"):
        limit.wait(clock)
    clock.advance(minutes=51)  # the first call is now an hour old
    limit.wait(clock)


@respx.mock
def test_a_gap_longer_than_the_feed_reaches_back_is_warned(empty_engine, reference_data):
    respx.get(URL).mock(return_value=httpx.Response(200, json=recorded(reference_data, "2026-08-01")))
    clock = FakeClock(dt.datetime(2026, 8, 1, 12, 0))
    polisen.fetch(empty_engine, clock=clock)  # the previous success, two weeks before the snapshot
    clock.t = dt.datetime(2026, 8, 22, 18, 0)
    out = polisen.fetch(empty_engine, clock=clock)
    assert any("händelser kan saknas mellan 2026-08-01 12:00" in w for w in out.warnings)


@respx.mock
def test_command_line_fetch(empty_engine, reference_data, capsys, monkeypatch):
    from loaders.__main__ import main
    slept = []
    monkeypatch.setattr("loaders.fetch.http.time.sleep", slept.append)
    respx.get(URL).mock(return_value=httpx.Response(200, json=recorded(reference_data, "2026-08-01")))
    url = empty_engine.url.render_as_string(hide_password=False)
    assert main(["fetch", "polisen", "--db", url]) == 0
    assert "Importerat" in capsys.readouterr().out
    respx.get(URL).mock(side_effect=httpx.ConnectError("down"))
    assert main(["fetch", "polisen", "--db", url]) == 2
    assert "servern svarar inte" in capsys.readouterr().err
    assert sum(slept) >= 10 + 20 + 40  # waited between calls and backed off (not really: patched)
