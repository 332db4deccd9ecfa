"""Actions (insatser): saved with history, listed per week, and round-tripped through CSV/Excel."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest

from lagesbild.queries import actions as aq
from lagesbild.store import actions as store
from loaders.errors import FileRefused, PersonalDataFound
from tests.test_loaders_support import csv_bytes, rows, run, scalar
from tests.privacy_checks import no_personal_data_left  # noqa: F401 - autouse

MONDAY = dt.date(2026, 11, 9)


def _seed(engine):
    with engine.begin() as conn:
        store.save(conn, None, dict(
            title="Ökad närvaro vid Fittja centrum", description="Polis och fältare kvällstid fre–lör",
            kind="närvaro", responsible_actor="Polisen", area_codes="0127R005", targets="ungdomsgrupp; ran",
            start_date=dt.date(2026, 10, 5), end_date=dt.date(2026, 11, 29), status="pågår",
            est_step="insats", decided_on=dt.date(2026, 9, 30), follow_up_on=dt.date(2026, 11, 12)))
        store.add_note(conn, "I-0001", dt.date(2026, 10, 20), "Färre grupperingar på torget enligt fältarna")
        store.save(conn, None, dict(
            title="Ny belysning i gångtunneln", kind="fysisk", responsible_actor="Kommunen – gatuenheten",
            area_codes="0127K2", targets="strategiskt:trygghetsskapande", start_date=dt.date(2026, 11, 10),
            end_date=None, status="planerad", est_step="insats", decided_on=dt.date(2026, 11, 11)))
        store.save(conn, None, dict(
            title="Föräldravandring", kind="föräldravandring", responsible_actor="Kommunen – fältare",
            area_codes="0127R001", targets="fokus:barn och unga", start_date=dt.date(2026, 3, 1),
            end_date=dt.date(2026, 3, 31), status="avbruten", status_reason="För få föräldrar anmälde sig",
            est_step="insats", decided_on=dt.date(2026, 2, 20)))


def test_saving_keeps_the_history_of_every_change(empty_engine):
    _seed(empty_engine)
    with empty_engine.begin() as conn:
        key, changed = store.save(conn, "I-0002", {"status": "pågår", "title": "Ny belysning i gångtunneln"},
                                  changed_by="samordnare")
        assert (key, changed) == ("I-0002", ["status"])
        assert store.save(conn, "I-0002", {"status": "pågår"}) == ("I-0002", [])
        history = aq.history(conn, "I-0002")
    assert list(history["field"]) == ["skapad", "status"]
    assert history.iloc[1][["changed_by", "via", "old_value", "new_value"]].tolist() == ["samordnare", "app", "planerad", "pågår"]


def test_typed_text_with_personal_data_is_refused(empty_engine):
    _seed(empty_engine)
    with empty_engine.begin() as conn, pytest.raises(store.PersonalDataInText):
        store.add_note(conn, "I-0001", dt.date(2026, 11, 1), "Ring 070-123 45 67 om nycklarna")
    assert scalar(empty_engine, "select count(*) from action_notes") == 1


def test_the_week_shows_running_due_and_new_actions(empty_engine):
    _seed(empty_engine)
    with empty_engine.connect() as conn:
        week = aq.week_actions(conn, MONDAY)
        fittja = aq.week_actions(conn, MONDAY, ("0127K2",))   # the kommundel Fittja holds område 0127R005
        alby = aq.week_actions(conn, MONDAY, ("0127K1",))
    assert sorted(week.running["action_key"]) == ["I-0001", "I-0002"]
    assert list(week.due["action_key"]) == ["I-0001"]          # follow-up due 2026-11-12
    assert list(week.new["action_key"]) == ["I-0002"]          # decided 2026-11-11
    assert sorted(fittja.running["action_key"]) == ["I-0001", "I-0002"]
    assert alby.running.empty and list(fittja.running.sort_values("action_key")["areas_label"]) == ["Fittja", "Fittja"]


def test_the_list_carries_the_latest_note_and_the_same_types_with_or_without_rows(empty_engine):
    with empty_engine.connect() as conn:
        none, none_week = aq.action_list(conn), aq.week_actions(conn, MONDAY)
        no_bands = aq.bands(conn, (), dt.date(2026, 1, 1), dt.date(2026, 12, 31))
    _seed(empty_engine)
    with empty_engine.begin() as conn:
        store.add_note(conn, "I-0001", dt.date(2026, 11, 3), "Lugnare på fredagarna")
    with empty_engine.connect() as conn:
        listed, week = aq.action_list(conn), aq.week_actions(conn, MONDAY)
        bands = aq.bands(conn, ("0127K2",), dt.date(2026, 10, 1), dt.date(2026, 11, 30))
    first = listed.set_index("action_key").loc["I-0001"]
    assert (first["notes"], first["last_note_on"], first["last_note"]) == (2, dt.date(2026, 11, 3), "Lugnare på fredagarna")
    assert listed.set_index("action_key").loc["I-0003", ["notes", "last_note_on", "last_note"]].tolist() == [0, None, ""]
    assert list(listed["action_key"]) == ["I-0002", "I-0001", "I-0003"]        # newest decision first
    assert listed.loc[listed["action_key"] == "I-0003", "decided_week"].item() == "2026-W08"
    # The planned I-0002 is not a band; I-0001 runs from 5 October to 29 November.
    assert bands[["start", "end", "key"]].values.tolist() == [[dt.date(2026, 10, 5), dt.date(2026, 11, 29), "I-0001"]]
    assert bands["label"].item() == "I-0001 Ökad närvaro vid Fittja cen…"
    for empty, full in [(none, listed), (none_week.running, week.running), (none_week.new, week.due), (no_bands, bands)]:
        assert empty.empty and list(empty.columns) == list(full.columns)
        assert {c: str(t) for c, t in empty.dtypes.items()} == {c: str(t) for c, t in full.dtypes.items()}


def _export(engine) -> pd.DataFrame:
    with engine.connect() as conn:
        return aq.export_frame(conn)


def test_actions_round_trip_through_csv_and_excel(empty_engine):
    _seed(empty_engine)
    before = _export(empty_engine)
    data = before.to_csv(index=False, sep=";").encode("utf-8-sig")
    result = run(empty_engine, "actions", "insatser.csv", data)
    assert (result.stored.inserted, result.stored.updated, result.stored.duplicates) == (0, 0, 3)
    buf = io.BytesIO()
    before.to_excel(buf, index=False)
    result = run(empty_engine, "actions", "insatser.xlsx", buf.getvalue())
    assert (result.stored.inserted, result.stored.updated, result.stored.duplicates) == (0, 0, 3)
    pd.testing.assert_frame_equal(_export(empty_engine), before)
    assert scalar(empty_engine, "select count(*) from action_changes where via = 'import'") == 0


def test_an_edited_export_changes_the_action_and_adds_the_note(empty_engine):
    _seed(empty_engine)
    edited = _export(empty_engine)
    edited.loc[edited["Id"] == "I-0002", "Status"] = "Pågår"
    edited.loc[edited["Id"] == "I-0002", "Återkoppling"] = "2026-11-16: Armaturerna beställda"
    new = edited.iloc[[0]].assign(Id="", Rubrik="Dialogmöte med föreningar", Typ="Dialog", Återkoppling="")
    data = pd.concat([edited, new]).to_csv(index=False).encode("utf-8")
    result = run(empty_engine, "actions", "insatser.csv", data)
    assert (result.stored.inserted, result.stored.updated, result.stored.duplicates) == (1, 1, 2)
    assert rows(empty_engine, "select a.status, n.note from actions a join action_notes n on n.action_id = a.id "
                "where a.action_key = 'I-0002'") == [("pågår", "Armaturerna beställda")]
    assert rows(empty_engine, "select field, via from action_changes c join actions a on a.id = c.action_id "
                "where a.action_key = 'I-0002' order by c.id") == [("skapad", "app"), ("status", "import"),
                                                                  ("återkoppling", "import")]


HEAD = "Rubrik;Typ;Ansvarig;Områden;Problem;Start;Slut;Status;Skäl;Beslutad;Beskrivning"
GOOD = "Trygghetsvandring;Dialog;Polisen;Fittja;klotter;2026-10-01;2026-10-31;Avslutad;;2026-09-28;Kvällsvandring"


@pytest.mark.parametrize("line, column, words", [
    (GOOD.replace(";Fittja;", ";Atlantis;"), "Områden", "Okänt område"),
    (GOOD.replace(";klotter;", ";kattsnatteri;"), "Problem", "Okänt problem"),
    (GOOD.replace(";Dialog;", ";Trolleri;"), "Typ", "Okänt värde"),
    (GOOD.replace("2026-10-31", "2026-09-01"), "Slut", "före startdatumet"),
    (GOOD.replace("2026-10-01", "1 oktober"), "Start", "går inte att tolka"),
    (GOOD.replace(";Avslutad;", ";Avbruten;"), "Skäl", "skäl saknas"),
    (GOOD.replace("Trygghetsvandring", ""), "Rubrik", "Rubriken saknas"),
])
def test_bad_rows_are_refused_with_file_row_and_column(empty_engine, line, column, words):
    with pytest.raises(FileRefused) as refused:
        run(empty_engine, "actions", "insatser.csv", csv_bytes([HEAD, GOOD, line]))
    problem = refused.value.problems[0]
    assert (problem.file, problem.row, problem.column) == ("insatser.csv", 3, column)
    assert words in problem.message
    assert scalar(empty_engine, "select count(*) from actions") == 0


def test_personal_data_in_an_action_file_is_refused(empty_engine):
    line = GOOD.replace("Kvällsvandring", "Kontakt 19121212-1212")
    with pytest.raises(PersonalDataFound):
        run(empty_engine, "actions", "insatser.csv", csv_bytes([HEAD, line]))
    assert scalar(empty_engine, "select count(*) from actions") == 0


def test_actions_are_not_mixed_into_the_demo_silently(empty_engine):
    from lagesbild.setup import seed_demo
    from loaders.errors import DemoDataPresent
    from tests.conftest import DEMO_TODAY
    with empty_engine.begin() as conn:
        seed_demo(conn, DEMO_TODAY)
    data = csv_bytes([HEAD, GOOD])
    with pytest.raises(DemoDataPresent):
        run(empty_engine, "actions", "insatser.csv", data)
    result = run(empty_engine, "actions", "insatser.csv", data, replace_demo=True)
    assert result.stored.inserted == 1 and result.demo_removed > 0
    assert rows(empty_engine, "select title from actions") == [("Trygghetsvandring",)]


def test_changes_are_stored_in_utc_whatever_the_server_clock(monkeypatch):
    """Historik shows stored times in Swedish local time, so they must be stored as UTC."""
    import time

    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        utc = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        assert abs(store.now() - utc) < dt.timedelta(seconds=5)
    finally:
        monkeypatch.undo()
        time.tzset()
