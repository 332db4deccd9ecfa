"""lagesbild.ui.data: a refusal (QueryError) is cached like a result, so a breakdown with too many
cells is not counted again on every rerun; the page still gets the same error each time."""
import contextlib

import pytest
import streamlit as st

from lagesbild.access.rules import open_mode_user
from lagesbild.queries.incidents import QueryError, TooManyRowsError
from lagesbild.ui import data


class _Engine:
    def connect(self):
        return contextlib.nullcontext(None)


@pytest.fixture
def outside_streamlit(monkeypatch):
    monkeypatch.setattr(data, "current_user", lambda: open_mode_user(frozenset({"polis"})))
    monkeypatch.setattr(data, "data_version", lambda: "v1")
    monkeypatch.setattr(data, "engine", lambda: _Engine())
    st.cache_data.clear()
    yield
    st.cache_data.clear()


def test_a_refusal_is_asked_once_and_said_every_time(outside_streamlit, monkeypatch):
    calls = []

    def too_big(conn, rows):
        calls.append(rows)
        raise TooManyRowsError(f"Urvalet ger fler än 5 000 rader ({rows}).")

    wrapped = data.cached(too_big)
    for _ in range(3):
        with pytest.raises(TooManyRowsError, match=r"fler än 5 000 rader \(omrade\)"):
            wrapped("omrade")
    assert calls == ["omrade"]
    with pytest.raises(QueryError):
        wrapped("kategori")  # other arguments: asked anew
    assert calls == ["omrade", "kategori"]


def test_other_errors_are_not_cached(outside_streamlit):
    calls = []

    def broken(conn):
        calls.append(1)
        raise RuntimeError("database gone")

    wrapped = data.cached(broken)
    for _ in range(2):
        with pytest.raises(RuntimeError):
            wrapped()
    assert len(calls) == 2
