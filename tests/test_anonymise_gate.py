"""The anonymisation gate: what it refuses (and as what), what it lets through, and that no
refusal repeats the personal data it found, in the report, the import log or the log."""
from __future__ import annotations

import json
import logging

import pandas as pd
import pytest

from lagesbild.errors import InputError, Problem
from loaders import anonymise
from loaders.__main__ import main
from loaders.source import SourceFile
from tests.privacy_checks import assert_no_personal_data, no_personal_data_left  # noqa: F401
from tests.test_loaders_support import csv_bytes, refused_log, rows, run, snapshot

PNR = "personnummer"
NAME, PHONE, EMAIL, ADDRESS = "namn", "telefon", "e-post", "adress"

REFUSED = [
    # personnummer and samordningsnummer (valid date and check digit), however written
    ("811218-9876", PNR), ("8112189876", PNR), ("811218+9876", PNR), ("811218–9876", PNR),
    ("811218\u00a09876", PNR), ("811218 - 9876", PNR), ("811218 9876", PNR), ("ÄR-8112189876", PNR),
    ("19811218-9876", PNR), ("198112189876", PNR), ("Elev 811218\u20119876 klottrade", PNR),
    ("811278-9873", PNR), ("19850661-1238", PNR), ("ärende8112189876x", PNR), ("８１１２１８-９８７６", PNR),
    # names, any case, any order, lists of first names and surnames of many origins
    ("Anna Svensson", NAME), ("anna svensson", NAME), ("ANNA SVENSSON", NAME),
    ("Zlatan Ibrahimović", NAME), ("Nguyen Thi Lan", NAME), ("Kevin Andersson", NAME),
    ("kevin andersson", NAME), ("Svensson, Anna", NAME), ("SVENSSON, ANNA", NAME), ("A. Svensson", NAME),
    ("A.Svensson", NAME), ("Mohammed Hassan", NAME), ("Fatima Ali", NAME), ("Lars\u2003Ek", NAME),
    ("Anmälare: Erik Johansson, mamma", NAME), ("Sågs av Anna Svenssons granne", NAME),
    ("träffade Anna Svensson vid Alby centrum", NAME), ("Anna-Karin Lindqvist", NAME),
    ("orosanmalan_Anna_Svensson.csv", NAME), ("Emma Berg", NAME),
    # phone numbers
    ("070-123 45 67", PHONE), ("070.123.45.67", PHONE), ("+46 70 123 45 67", PHONE),
    ("08-123 456 78", PHONE), ("0701234567", PHONE), ("+46701234567", PHONE),
    ("(08) 123 456 78", PHONE), ("+46 (0)8 123 456 78", PHONE), ("0046 70 123 45 67", PHONE),
    ("ring 0046(8)1234567", PHONE), ("tel 08–123\u00a045\u00a067", PHONE),
    # e-mail, also written to dodge a filter
    ("anna.svensson@botkyrka.se", EMAIL), ("anna.svensson(at)botkyrka.se", EMAIL),
    ("anna [at] botkyrka [dot] se", EMAIL), ("anna @ botkyrka.se", EMAIL), ("a@b.se", EMAIL),
    # street addresses with a number, apartment numbers
    ("Storgatan 12", ADDRESS), ("hallundavägen 12", ADDRESS), ("Tumbavägen12", ADDRESS),
    ("Norsborgs gård 3", ADDRESS), ("Storvretsvägen 5B", ADDRESS), ("Storvretsvägen 5 B", ADDRESS),
    ("lgh 1102", ADDRESS), ("Lägenhet nr 1102", ADDRESS), ("Ågatan\u00a012", ADDRESS),
    ("Per Albin Hanssons väg 3", ADDRESS), ("bråk utanför Hallunda torg 4", ADDRESS),
]

PASSED = [
    "Per Albin Hanssons väg", "Astrid Lindgrens park", "per albin hanssons väg", "Olof Palmes plats",
    "20240305-0001", "2024030500001", "Skadegörelse", "Misshandel, ej grov", "Brand i container",
    "Klotter", "Våld i nära relation", "12", "6578123", "59,24", "1 234 567", "2024-03-05",
    "2024-03-05 14:30", "2024-03-05 14.30", "14:30", "05-03-2024", "01.02.2024", "2024-W10",
    "0127R005", "TV-2024-03", "polisen.se:649137",
    "Alby", "Albyberget", "Hallunda-Norsborg", "Tumba centrum", "Eriksberg-Sturehov", "Hågelby",
    "Tullinge centrum", "Skäcklinge", "Trasig belysning vid Alby centrum",
    "Släckt gatlampa vid gångtunneln", "Buskage skymmer sikten", "Byt armatur", "Beskär",
    "Kommunen – parkenheten", "Södertörns brandförsvarsförbund", "Per vecka", "Antal per område",
    "Lokal i källaren plan 2", "riksväg 73", "Ring 112 vid brand", "Kontrollera datumet",
    "Vecka kan inte kombineras med platstyp", "Bedöms inte som trygghetsproblem efter platsbesök",
    "Ungdomar samlas vid pendeltågsstationen på kvällarna", "Nedskräpning vid återvinningsstationen",
    "www.botkyrka.se", "Dela upp den i flera filer, till exempel per år.",
]


@pytest.mark.parametrize("text,kind", REFUSED)
def test_personal_data_is_refused_as_what_it_is(text, kind):
    assert anonymise.classify(text) == kind
    assert text in set(anonymise._candidates(pd.Series([text] + [f"K{i}" for i in range(3000)])))


@pytest.mark.parametrize("text", PASSED)
def test_places_categories_numbers_and_dates_pass(text):
    assert anonymise.find(text) == []


@pytest.mark.parametrize("text,kind", REFUSED)
def test_redaction_leaves_nothing_the_gate_would_refuse(text, kind):
    masked = anonymise.redact(text, partial=True)
    assert anonymise.find(masked) == [] and masked != text


@pytest.mark.parametrize("name,safe", [
    ("orosanmalan_Anna_Svensson_811218-9876.csv", "orosanmalan_[namn]_[personnummer].csv"),
    ("kevin andersson 0701234567.xlsx", "[namn] [telefon].xlsx"),
    ("händelser_20240305-0001.csv", "händelser_20240305-0001.csv"),
    ("kommun.csv", "kommun.csv"),
])
def test_file_names_are_masked(name, safe):
    assert SourceFile(name, b"x").name == safe


def test_a_problem_keeps_where_and_what_but_not_the_value():
    problem = anonymise.safe_problem(Problem(
        "Anna_Svensson.csv", 14, "Beskrivning", "Elev 811218-9876",
        "Kategorin finns inte: 'kommun,Anna Svensson 811218-9876,<kategorikod>'"))
    assert str(problem) == ("[namn].csv, rad 14, kolumn 'Beskrivning': Kategorin finns inte: "
                            "'kommun,[namn] [personnummer],<kategorikod>' (värde: 'Elev 8112**-****')")


def test_a_dropped_column_may_hold_names(empty_engine):
    data = csv_bytes(["Vandring;Datum;Ljus;Område;Nr;Kategori;Beskrivning;Förslag till åtgärd;Ansvarig;"
                      "Prioritet;Klart senast;Status;Åtgärdad datum;Motivering;Protokollförare",
                      "TV-1;2024-03-12;Mörker;Fittja;1;Belysning;Trasig belysning vid Fittja centrum;"
                      "Byt armatur;Kommunen;Hög;2024-04-12;Ny;;;Kevin Andersson"])
    assert run(empty_engine, "walks", "tv.csv", data).stored.inserted == 1


INC = "Datum;Kategori;Område;Antal;Beskrivning;Öst;Nord"
ROW = "2024-01-02;Klotter;Fittja;1;;;"
PERSONAL = "811218-9876"


def _incidents(**cells) -> bytes:
    row = dict(zip(INC.split(";"), ROW.split(";")))
    row.update(cells)
    return csv_bytes([INC, ";".join(row.values())])


# Each route by which a cell reaches a message: the gate, and every parser or check that names
# the value it could not use.
ROUTES = {
    "free text (the gate)": ("incidents", _incidents(Beskrivning=f"Elev {PERSONAL}"),
                             {"source": "kommun"}),
    "date": ("incidents", _incidents(Datum=PERSONAL), {"source": "kommun"}),
    "count": ("incidents", _incidents(Antal=PERSONAL), {"source": "kommun"}),
    "unmapped category": ("incidents", _incidents(Kategori=f"Hot mot {PERSONAL}"), {"source": "kommun"}),
    "coordinates": ("incidents", _incidents(Öst=PERSONAL, Nord="6578000"), {"source": "kommun"}),
    "walk status": ("walks", csv_bytes([
        "Datum;Område;Nr;Kategori;Beskrivning;Ansvarig;Prioritet;Status",
        f"2024-04-10;Fittja;1;Belysning;Släckt lampa;Kommunen;Hög;{PERSONAL}"]), {}),
    "housing count": ("housing", csv_bytes([
        "Område;Period;Lägenheter;Vakanta;Omflyttning;Störningsärenden;Skadegörelse;Avhysningar",
        f"Fittja;2024-Q1;1200;{PERSONAL};30;12;4;0"]), {"source": "botkyrkabyggen"}),
    "police event name": ("polisen", json.dumps([{
        "id": 7, "datetime": "2025-05-02 10:00:00 +02:00", "name": f"Misshandel {PERSONAL}, Botkyrka",
        "summary": "", "type": "Misshandel", "location": {}}]).encode(), {}),
    "population year": ("population", csv_bytes(["region;år;total", f"0127R005;{PERSONAL};7675"]), {}),
    "column header": ("incidents", csv_bytes([f"Datum;Kategori;{PERSONAL}", "2024-01-02;Klotter;x"]),
                      {"source": "kommun"}),
}


@pytest.mark.parametrize("route", list(ROUTES))
def test_a_refusal_repeats_no_personal_data(empty_engine, route, caplog):
    kind, data, options = ROUTES[route]
    name = "orosanmalan_Anna_Svensson_811218-9876.csv" if kind != "polisen" else "Anna_Svensson.json"
    before = snapshot(empty_engine)
    with pytest.raises(InputError) as refused:
        run(empty_engine, kind, name, data, **options)
    report = str(refused.value)
    assert PERSONAL not in report and "Svensson" not in report and "8112189876" not in report
    assert snapshot(empty_engine) == before
    assert refused_log(empty_engine) == [(kind, "refused")]
    (file_name, message), = rows(empty_engine, "select file_name, message from imports")
    assert "Svensson" not in file_name and PERSONAL not in message
    assert_no_personal_data(empty_engine, caplog.records)


def test_the_report_says_where_and_what_with_the_value_masked(empty_engine):
    with pytest.raises(InputError) as refused:
        run(empty_engine, "incidents", "orosanmalan_Anna_Svensson_811218-9876.csv",
            _incidents(Beskrivning=f"Elev {PERSONAL}"), source="kommun")
    assert [str(p) for p in refused.value.problems] == [
        "orosanmalan_[namn]_[personnummer].csv, rad 2, kolumn 'Beskrivning': Värdet ser ut att "
        "innehålla ett personnummer eller samordningsnummer. Ta bort uppgiften ur filen, eller "
        "markera kolumnen som 'drop' i mappningen om kolumnen inte behövs. (värde: '8112**-****')"]


def test_the_command_line_prints_no_personal_data(tmp_path, capsys, caplog):
    path = tmp_path / "orosanmalan_Anna_Svensson_811218-9876.csv"
    path.write_bytes(_incidents(Beskrivning="Ring Kevin Andersson på 070-123 45 67"))
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    caplog.set_level(logging.DEBUG)
    assert main(["import", "incidents", str(path), "--source", "kommun", "--db", db]) == 2
    out = capsys.readouterr()
    assert "Svensson" not in out.err + out.out and "Andersson" not in out.err and "070" not in out.err
    assert "orosanmalan_[namn]_[personnummer].csv, rad 2, kolumn 'Beskrivning'" in out.err
    from lagesbild.store.engine import make_engine
    engine = make_engine(db)
    assert_no_personal_data(engine, caplog.records)
    engine.dispose()


def test_the_check_finds_personal_data_in_the_import_log_and_the_log(empty_engine):
    from sqlalchemy import delete, insert

    from lagesbild.store.models import ImportLog
    with empty_engine.begin() as conn:
        conn.execute(insert(ImportLog.__table__).values(
            kind="incidents", file_name="orosanmalan_Anna_Svensson.csv", sha256="0" * 64,
            imported_at=pd.Timestamp("2024-01-01").to_pydatetime(), rows_read=0, status="refused",
            message="rad 2: 811218-9876"))
    try:
        found = r"imports\.file_name.*namn.*imports\.message.*personnummer"
        with pytest.raises(AssertionError, match=found):
            assert_no_personal_data(empty_engine)
    finally:
        with empty_engine.begin() as conn:
            conn.execute(delete(ImportLog.__table__))
    record = logging.LogRecord("loaders", logging.WARNING, __file__, 1, "avvisad: %s",
                               ("070-123 45 67",), None)
    with pytest.raises(AssertionError, match="telefon"):
        assert_no_personal_data(None, [record])


def _reference_texts() -> list[str]:
    """Every label, area name, alias and demo text Lägesbild itself ships: none is a person."""
    import csv
    from pathlib import Path

    from lagesbild.demo_profiles import REJECT_REASONS, RESPONSIBLE, WALK_TEXT
    texts = set(RESPONSIBLE) | set(REJECT_REASONS) | {t for pair in WALK_TEXT.values() for t in pair}
    for path in Path(anonymise.ROOT / "data").glob("*/*.csv"):
        if path.parent.name != "privacy":
            with path.open(encoding="utf-8") as f:
                texts.update(cell for row in csv.reader(f) for cell in row)
    return sorted(texts)


def test_nothing_lagesbild_ships_is_taken_for_personal_data():
    assert {t: anonymise.classify(t) for t in _reference_texts() if anonymise.classify(t)} == {}


def test_the_upload_check_shows_no_personal_data(empty_engine):
    from loaders.kinds import Options
    from loaders.report import check_upload, problems_frame
    check = check_upload(empty_engine, "incidents", "orosanmalan_Anna_Svensson_811218-9876.csv",
                         _incidents(Beskrivning="Kevin Andersson, 070-123 45 67"), Options(source="kommun"))
    shown = problems_frame(check.problems).to_string()
    assert not check.ok and "orosanmalan_[namn]_[personnummer].csv" in shown
    assert anonymise.find(shown) == [] and "Andersson" not in shown and "070" not in shown


def test_an_accepted_file_is_logged_under_its_masked_name(empty_engine):
    result = run(empty_engine, "incidents", "orosanmalan_Anna_Svensson_811218-9876.csv", _incidents(),
                 source="kommun")
    assert result.summary().startswith("Importerat: orosanmalan_[namn]_[personnummer].csv (incidents)")
    assert rows(empty_engine, "select file_name, status from imports") == [
        ("orosanmalan_[namn]_[personnummer].csv", "ok")]


@pytest.mark.parametrize("value", ["Anna Svensson", "svensson, anna", "A. Svensson", "A.Svensson",
                                   "\uff21\uff0eSvensson", "ANNA_SVENSSON", "Anna  ,  Svensson",
                                   "anna\u3000svensson", "Lars\u2003Ek", "Ks Svensson", "ring Anna Svensson 12"])
def test_two_words_that_name_a_person_stay_candidates(value):
    """The prefilter's name branch needs two words with no digit between them (TWO_WORDS)."""
    assert anonymise.classify(value) == "namn"
    assert value in set(anonymise._candidates(pd.Series([value] + [f"K{i}" for i in range(3000)])))


def test_a_case_number_whose_words_are_split_by_digits_is_not_searched():
    """'KS' is a listed surname's genitive ('K'), but the words of 'KS-21-K1000000' are separated
    by digits: no name rule can pair them, so `find` (~45 µs a value) is not run on such ids."""
    ids = [f"KS-21-K{1000000 + i}" for i in range(3000)]
    searched = [v for v, hit in zip(ids, anonymise._maybe_personal(ids)) if hit]
    assert searched and all("0046" in v for v in searched)  # only the phone branch's '0046' ones
    assert all(anonymise.find(v) == [] for v in ids[:50])
