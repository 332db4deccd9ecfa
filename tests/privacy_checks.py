"""Checks that the store and the logs hold nothing the anonymisation gate would refuse.

`assert_no_personal_data(engine, records)` reads the import log (file names and messages), the
natural keys of incidents, walks and observations, and the given log records, and runs every
text through the gate's own finder. The autouse fixture `no_personal_data_left` does so after
every test of a module that imports it, with the test's `empty_engine` and the captured log.
"""
from __future__ import annotations

import logging

import pytest
from sqlalchemy import select

from lagesbild.store.models import ImportLog, Incident, Observation, SafetyWalk
from loaders import anonymise

SCANNED = [(ImportLog, "file_name"), (ImportLog, "message"), (Incident, "natural_key"),
           (SafetyWalk, "walk_key"), (Observation, "obs_key")]


def personal_data_in(texts) -> list[str]:
    """Every text that holds personal data, masked, with the kinds found."""
    found = []
    for text in texts:
        hits = anonymise.find(str(text)) if text else []
        if hits:
            found.append(f"{anonymise.redact(str(text))[:200]!r}: {sorted({h.kind for h in hits})}")
    return found


def stored_texts(engine) -> dict[str, list[str]]:
    with engine.connect() as conn:
        return {f"{model.__tablename__}.{column}":
                list(conn.execute(select(getattr(model, column)).distinct()).scalars())
                for model, column in SCANNED}


def assert_no_personal_data(engine=None, records=()) -> None:
    problems = {}
    for where, texts in (stored_texts(engine) if engine is not None else {}).items():
        if found := personal_data_in(texts):
            problems[where] = found
    if found := personal_data_in(r.getMessage() for r in records):
        problems["log"] = found
    assert not problems, f"personal data left in the store or the log: {problems}"


@pytest.fixture(autouse=True)
def no_personal_data_left(request, caplog):
    """After the test: the test's store (if it has an `empty_engine`) and the log are clean."""
    engine = request.getfixturevalue("empty_engine") if "empty_engine" in request.fixturenames else None
    caplog.set_level(logging.INFO)
    yield
    assert_no_personal_data(engine, caplog.records)
