"""Every bad input gets a clear Swedish message, leaves the store as it was, and is logged."""
from __future__ import annotations

import io
import json
import zipfile

import pytest

from lagesbild.errors import InputError
from tests.test_loaders_support import csv_bytes, refused_log, run, snapshot
from tests.privacy_checks import no_personal_data_left  # noqa: F401 - autouse: store and log checked after each test

INC = "Datum;Kategori;Område;Antal;Beskrivning"


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * 3_000_000)
    return buf.getvalue()


def _bowtie() -> bytes:
    ring = [[17.86, 59.24], [17.87, 59.25], [17.87, 59.24], [17.86, 59.25], [17.86, 59.24]]
    return json.dumps({"type": "FeatureCollection", "features": [{
        "type": "Feature", "properties": {"regso_kod": "0127R005", "namn": "Fittja"},
        "geometry": {"type": "Polygon", "coordinates": [ring]}}]}).encode()


CASES = {
    "empty file": ("incidents", "tom.csv", b"", {},
                   "tom.csv: Filen är tom. Exportera filen igen och kontrollera att den innehåller rader."),
    "only blank rows": ("incidents", "blank.csv", b";;;\r\n;;;\r\n", {},
                        "blank.csv: Filen innehåller inga rader. Exportera filen igen."),
    "double-encoded utf-8": ("incidents", "fel.csv", csv_bytes([INC, "2024-01-02;KrÃ¤nkande behandling;;;"]), {},
                             "fel.csv: Teckenkodningen är fel: 'ä', 'å' och 'ö' har blivit till 'Ã¤', 'Ã¥' och "
                             "'Ã¶'. Öppna originalfilen och spara den igen som 'CSV UTF-8' i Excel."),
    "binary garbage": ("incidents", "skräp.csv", bytes(range(256)) * 8, {},
                       "skräp.csv: Filen innehåller binära data och är ingen textfil. Välj en CSV-, .xlsx-, "
                       "JSON- eller GeoJSON-fil."),
    "missing column": ("incidents", "k.csv", csv_bytes(["Datum;Område", "2024-01-02;Fittja"]), {},
                       "k.csv, rad 1, kolumn 'category': Kolumnen saknas: ingen av rubrikerna 'Kategori', "
                       "'Händelsetyp', 'Typ', 'Brottstyp', 'Ärendetyp', 'category' finns i filen. Lägg till "
                       "kolumnen eller ange rubriken i mappningen incidents.csv."),
    "unparseable date": ("incidents", "k.csv", csv_bytes([INC, "2024-13-45;Klotter;Fittja;1;"]), {},
                         "k.csv, rad 2, kolumn 'Datum': Datumet går inte att tolka. Skriv det som ÅÅÅÅ-MM-DD "
                         "eller ÅÅÅÅ-MM-DD TT:MM. (värde: '2024-13-45')"),
    "future date": ("incidents", "k.csv", csv_bytes([INC, "2099-01-01;Klotter;Fittja;1;"]), {},
                    "k.csv, rad 2, kolumn 'Datum': Datumet ligger i framtiden. Kontrollera datumet "
                    "(ÅÅÅÅ-MM-DD). (värde: '2099-01-01')"),
    "negative count": ("incidents", "k.csv", csv_bytes([INC, "2024-01-02;Klotter;Fittja;-2;"]), {},
                       "k.csv, rad 2, kolumn 'Antal': Antalet får inte vara negativt. (värde: '-2')"),
    "personnummer in free text": ("incidents", "k.csv",
                                  csv_bytes([INC, "2024-01-02;Klotter;Fittja;1;Elev 811218-9876 klottrade"]), {},
                                  "k.csv, rad 2, kolumn 'Beskrivning': Värdet ser ut att innehålla ett "
                                  "personnummer eller samordningsnummer. Ta bort uppgiften ur filen, eller markera "
                                  "kolumnen som 'drop' i mappningen om kolumnen inte behövs. (värde: '8112**-****')"),
    "phone number": ("incidents", "k.csv", csv_bytes([INC, "2024-01-02;Klotter;Fittja;1;Ring 070-123 45 67"]), {},
                     "k.csv, rad 2, kolumn 'Beskrivning': Värdet ser ut att innehålla ett telefonnummer. Ta "
                     "bort uppgiften ur filen, eller markera kolumnen som 'drop' i mappningen om kolumnen inte "
                     "behövs. (värde: '[telefon]')"),
    "name column": ("incidents", "k.csv", csv_bytes(["Datum;Kategori;Elevens namn", "2024-01-02;Klotter;X"]), {},
                    "k.csv, rad 1, kolumn 'Elevens namn': Kolumnen ser ut att innehålla personuppgifter. "
                    "Ta bort den ur filen eller markera den som 'drop' i mappningen."),
    "unmapped category": ("incidents", "k.csv", csv_bytes([INC, "2024-01-02;Hemlig kategori;Fittja;1;",
                                                           "2024-01-03;Hemlig kategori;Fittja;1;"]), {},
                          "k.csv, rad 2, kolumn 'Kategori': Kategorin finns inte i taxonomin (2 rader). Lägg "
                          "till en rad 'kommun,Hemlig kategori,<kategorikod>' i "
                          "data/taxonomy/source_categories.csv (kategorikod '-' om kategorin inte ska räknas). "
                          "(värde: 'Hemlig kategori')"),
    "unknown source": ("incidents", "k.csv", csv_bytes([INC]), {"source": "okänd"},
                       "k.csv: Okänd källa 'okänd'. Ange en av: botkyrkabyggen, kommun, polis, raddningstjanst "
                       "(nya källor läggs till i data/taxonomy/source_categories.csv)."),
    "old excel": ("incidents", "k.xls", b"\xd0\xcf\x11\xe0" + b"x" * 100, {},
                  "k.xls: Det gamla Excel-formatet .xls stöds inte. Spara filen som .xlsx eller CSV i Excel."),
    "xlsx zip bomb": ("incidents", "bomb.xlsx", _zip_bomb(), {},
                      "bomb.xlsx: Filen packas upp till 3,0 MB och ser ut som en zip-bomb; den öppnas inte. "
                      "Spara om filen från originalprogrammet."),
    "xlsx that is no zip": ("incidents", "k.xlsx", b"PK not really a zip", {},
                            "k.xlsx: Filen är ingen giltig Excel-fil (.xlsx). Spara eller exportera den igen."),
    "invalid json": ("polisen", "events.json", b'[{"id": 1,', {},
                     "events.json: Filen är ingen giltig JSON (rad 1, tecken 11). Hämta filen från "
                     "polisen.se/api/events igen."),
    "police name without time": ("polisen", "events.json", json.dumps([{
        "id": 7, "datetime": "2025-05-02 10:00:00 +02:00", "name": "Misshandel, Botkyrka",
        "summary": "", "type": "Misshandel", "location": {}}]).encode(), {},
        "events.json, rad 1, kolumn 'name': Tidpunkten i 'name' går inte att tolka (väntat t.ex. "
        "'12 augusti 03.13, …'). (värde: 'Misshandel, Botkyrka')"),
    "geojson with invalid geometry": ("areas", "omraden.geojson", _bowtie(), {},
                                      "omraden.geojson, rad 1, kolumn 'geometry': Ogiltig geometri (t.ex. en "
                                      "polygon som korsar sig själv). Rätta den i ett GIS-program (t.ex. QGIS: "
                                      "'Fix geometries'). (värde: 'Self-intersection[17.865 59.245]')"),
    "geojson that is not geodata": ("areas", "x.geojson", b"hello", {}, None),
    "housing with negative count": ("housing", "bb.csv", csv_bytes([
        "Område;Period;Lägenheter;Vakanta;Omflyttning;Störningsärenden;Skadegörelse;Avhysningar",
        "Fittja;2024-Q1;1200;-3;30;12;4;0"]), {"source": "botkyrkabyggen"},
        "bb.csv, rad 2, kolumn 'Vakanta': Antalet får inte vara negativt. (värde: '-3')"),
    "walk fixed without date": ("walks", "tv.csv", csv_bytes([
        "Datum;Område;Nr;Kategori;Beskrivning;Ansvarig;Prioritet;Status",
        "2024-04-10;Fittja;1;Belysning;Släckt lampa;Kommunen;Hög;Åtgärdad"]), {},
        "tv.csv, rad 2, kolumn 'åtgärdad datum': Status är åtgärdad men datum för åtgärden saknas. Fyll i datumet."),
    "population without year": ("population", "scb.csv", csv_bytes(["region,total", "0127R005,7675"]), {},
                                "scb.csv: Filen anger inget år. Ange vilket år siffrorna gäller (kommandoraden: "
                                "--year 2022)."),
}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_is_refused_clearly_and_changes_nothing(empty_engine, case):
    kind, name, data, options, expected = CASES[case]
    options = {"source": "kommun", **options} if kind == "incidents" else options
    before = snapshot(empty_engine)
    with pytest.raises(InputError) as refused:
        run(empty_engine, kind, name, data, **options)
    if expected is not None:
        assert str(refused.value.problems[0]) == expected
    else:
        assert str(refused.value.problems[0]).startswith(f"{name}: Filen går inte att läsa som geodata")
    assert snapshot(empty_engine) == before
    assert refused_log(empty_engine) == [(kind, "refused")]


def test_a_too_large_file_is_refused(empty_engine, monkeypatch):
    import loaders.source
    monkeypatch.setattr(loaders.source, "MAX_FILE_BYTES", 1024 * 1024)
    before = snapshot(empty_engine)
    with pytest.raises(InputError) as refused:
        run(empty_engine, "incidents", "stor.csv", b"x" * 1_500_000, source="kommun")
    assert str(refused.value) == ("stor.csv: Filen är för stor (1,4 MB; högst 1 MB). Dela upp den i "
                                  "flera filer, till exempel per år.")
    assert snapshot(empty_engine) == before


def test_every_problem_in_a_file_is_listed(empty_engine):
    data = csv_bytes([INC, "2024-13-01;Klotter;Fittja;1;", "2024-01-02;Klotter;Fittja;x;",
                      "2024-01-03;Klotter;Fittja;1;a@b.se"])
    with pytest.raises(InputError) as refused:
        run(empty_engine, "incidents", "k.csv", data, source="kommun")
    assert [(p.row, p.column) for p in refused.value.problems] == [
        (4, "Beskrivning"), (2, "Datum"), (3, "Antal")]
