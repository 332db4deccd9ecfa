"""Utforska's view builder on a small inline breakdown: the table, the chart rule, and the files
(numbers as numbers, read back with pandas and openpyxl)."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd
import pytest
from openpyxl import load_workbook

from lagesbild.exports import csv_file, excel_file
from lagesbild.pageviews import utforska
from lagesbild.privacy import EXTERNAL, Policy
from lagesbild.queries.explore import Breakdown

NA = pd.NA
JAN, FEB, MAR = dt.date(2026, 1, 1), dt.date(2026, 2, 1), dt.date(2026, 3, 1)
PERIOD = (dt.date(2025, 12, 29), dt.date(2026, 3, 29))


def breakdown(rows=("kommundel",)) -> Breakdown:
    """Two kommundelar × three months, as the query returns them (sorted by the codes): Alby has no
    January (a true 0 in the table), its March is hidden ("<5"), Fittja has no March."""
    long = pd.DataFrame({
        "kommundel": [1, 1, 2, 2],
        "month": [FEB, MAR, JAN, FEB],
        "n": [12.0, float("nan"), 1234.0, 7.0],
        "suppressed": [False, True, False, False],
        "n_label": ["12", "<5", "1\u00a0234", "7"],
        "kommundel_label": ["Alby", "Alby", "Fittja", "Fittja"],
        "month_label": ["feb 2026", "mar 2026", "jan 2026", "feb 2026"],
    })
    if rows == ("kommundel",):
        totals = pd.DataFrame({"kommundel_label": ["Alby", "Fittja"], "n": [15.0, 1243.0], "n_label": ["15", "1\u00a0243"]})
    else:  # by month
        totals = pd.DataFrame({"month_label": ["jan 2026", "feb 2026", "mar 2026"], "n": [1234.0, 20.0, float("nan")],
                               "n_label": ["1\u00a0234", "20", "<5"]})
    return Breakdown(long.sort_values(["month", "kommundel"]) if rows == ("month",) else long, totals)


def build(layout=utforska.WIDE, policy=Policy(), rows=("kommundel",), cols=("month",), demo=True):
    return utforska.build(breakdown(tuple(rows)), list(rows), list(cols), policy, layout, "29 dec 2025 – 29 mar 2026 · alla områden",
                          PERIOD, demo, "import 7 · 5981fbc6")


def test_the_table_has_months_in_calendar_order_zeros_and_hidden_labels():
    table = build().table
    assert list(table.columns) == ["Kommundel", "jan 2026", "feb 2026", "mar 2026", "Totalt"]
    assert table.values.tolist() == [["Alby", "0", "12", "<5", "15"],
                                     ["Fittja", "1\u00a0234", "7", "0", "1\u00a0243"]]


def test_the_wide_export_holds_numbers_and_an_empty_cell_where_hidden():
    table = build().export.table
    assert list(table.columns) == ["Kommundel", "jan 2026", "feb 2026", "mar 2026", "Totalt"]
    assert [str(t) for t in table.dtypes[1:]] == ["Int64", "Int64", "Int64", "Int64"]
    assert table.astype(object).where(table.notna(), None).values.tolist() == [
        ["Alby", 0, 12, None, 15], ["Fittja", 1234, 7, 0, 1243]]


def test_the_long_export_has_one_row_per_cell_and_says_which_are_protected():
    table = build(utforska.LONG).export.table
    assert list(table.columns) == ["Kommundel", "Månad", "Antal", "Skyddat"]
    assert table.astype(object).where(table.notna(), None).values.tolist() == [
        ["Alby", "feb 2026", 12, ""], ["Alby", "mar 2026", None, "<5"],
        ["Fittja", "jan 2026", 1234, ""], ["Fittja", "feb 2026", 7, ""]]


def _csv(data: bytes) -> tuple[list[str], pd.DataFrame]:
    assert data.startswith(b"\xef\xbb\xbf")  # UTF-8 with BOM: Excel reads å, ä, ö
    text = data.decode("utf-8-sig")
    head, body = text.split("\n\n", 1)
    return head.splitlines(), pd.read_csv(io.StringIO(body), sep=";", decimal=",")


def test_the_csv_is_the_swedish_excel_dialect_with_a_header_block():
    head, table = _csv(csv_file(build().export))
    assert head == [
        "Lägesbild;Utforska – urval (DEMODATA: påhittade siffror)",
        "Period;2025-12-29 – 2026-03-29 (hela ISO-veckor, v.\u00a01 2026 – v.\u00a013 2026)",
        "Urval;29 dec 2025 – 29 mar 2026 · alla områden",
        "Rader;Kommundel",
        "Kolumner;Månad",
        "Form;Bred (som tabellen)",
        "Publik;Intern (personrelaterade tal skyddade)",
        "Skyddade tal;Tom cell = skyddat tal (i appen <5), 0 = inga händelser. Tal från 5 och uppåt har ett "
        "litet brus (högst ±2), så delarna summerar inte alltid exakt till totalen.",
        "Dataversion;import 7 · 5981fbc6",
        "Demodata;Ja – siffrorna är påhittade och genererade av Lägesbild.",
    ]
    assert list(table.columns) == ["Kommundel", "jan 2026", "feb 2026", "mar 2026", "Totalt"]
    assert table["jan 2026"].tolist() == [0, 1234] and table["jan 2026"].dtype == "int64"
    assert table["mar 2026"].isna().tolist() == [True, False]  # the hidden cell is empty, not 0, not "<5"
    assert table["Totalt"].sum() == 1258


def test_the_csv_writes_no_thousands_separator_and_a_decimal_comma():
    from lagesbild.exports import ExportFile
    data = csv_file(ExportFile(pd.DataFrame({"Område": ["Alby"], "Antal": [1234], "Per 1 000 inv.": [12.5]})))
    assert data.decode("utf-8-sig") == "Område;Antal;Per 1 000 inv.\nAlby;1234;12,5\n"


def test_the_excel_file_has_numeric_cells_and_a_sheet_about_the_selection():
    book = load_workbook(io.BytesIO(excel_file(build().export)))
    assert book.sheetnames == ["Urval", "Om urvalet"]
    rows = [[c.value for c in row] for row in book["Urval"].iter_rows()]
    assert rows == [["Kommundel", "jan 2026", "feb 2026", "mar 2026", "Totalt"],
                    ["Alby", 0, 12, None, 15], ["Fittja", 1234, 7, 0, 1243]]
    numbers = [c for row in book["Urval"].iter_rows(min_row=2, min_col=2) for c in row if c.value is not None]
    assert all(c.data_type == "n" and isinstance(c.value, int) for c in numbers) and len(numbers) == 7
    about = dict(row for row in book["Om urvalet"].iter_rows(min_row=2, values_only=True))
    assert about["Publik"] == "Intern (personrelaterade tal skyddade)"
    assert about["Dataversion"] == "import 7 · 5981fbc6" and "Demodata" in about
    assert about["Period"].startswith("2025-12-29 – 2026-03-29")


def test_the_long_excel_file_keeps_numbers_beside_the_protected_mark():
    book = load_workbook(io.BytesIO(excel_file(build(utforska.LONG).export)))
    rows = [[c.value for c in row] for row in book["Urval"].iter_rows()]
    assert rows[2] == ["Alby", "mar 2026", None, "<5"] and rows[3] == ["Fittja", "jan 2026", 1234, None]


def test_file_names_say_what_the_file_is():
    view = build()
    assert view.csv_name == "lagesbild_utforska_kommundel-x-manad_2025-12-29_2026-03-29_intern_bred_demodata.csv"
    assert view.excel_name.endswith("_intern_bred_demodata.xlsx")
    two = build(rows=("kommundel", "month"), cols=())
    assert two.csv_name == "lagesbild_utforska_kommundel-och-manad_2025-12-29_2026-03-29_intern_lang_demodata.csv"
    external = build(utforska.LONG, Policy(audience=EXTERNAL), demo=False)
    assert external.csv_name == "lagesbild_utforska_kommundel-x-manad_2025-12-29_2026-03-29_extern_lang.csv"


def test_exported_text_is_neutralised():
    b = breakdown()
    b.long["kommundel_label"] = ["=HYPERLINK(1)", "=HYPERLINK(1)", "Fittja", "Fittja"]
    b.totals["kommundel_label"] = ["=HYPERLINK(1)", "Fittja"]
    view = utforska.build(b, ["kommundel"], ["month"], Policy(), utforska.WIDE, "x", PERIOD, False, "v")
    book = load_workbook(io.BytesIO(excel_file(view.export)))
    assert book["Urval"]["A2"].value == "'=HYPERLINK(1)" and book["Urval"]["A2"].data_type == "s"


def test_a_chart_of_bars_or_of_lines_within_the_limits():
    bars = build().chart
    assert [t.type for t in bars.data] == ["bar", "bar", "bar"]
    lines = build(rows=("month",), cols=("kommundel",)).chart
    assert [t.type for t in lines.data] == ["scatter", "scatter"] and build().chart_note is None


def test_too_many_bars_give_a_chart_of_the_row_totals(monkeypatch):
    monkeypatch.setenv("LAGESBILD_CHART_MAX_CELLS", "3")
    view = build()
    assert [(t.type, list(t.x), list(t.y)) for t in view.chart.data] == [("bar", ["Alby", "Fittja"], [15.0, 1243.0])]
    assert view.chart_note == ("Diagrammet visar totalen per kommundel: 4 staplar blir oläsliga och tar lång tid "
                               "att rita (högst 3). Tabellen och filerna innehåller alla celler.")
    assert build(rows=("month",), cols=("kommundel",)).chart_note is None  # lines: the bar limit does not apply


def test_no_chart_when_even_the_totals_are_too_many(monkeypatch):
    monkeypatch.setenv("LAGESBILD_CHART_MAX_CELLS", "1")
    view = build()
    assert view.chart is None
    assert view.chart_note == ("Inget diagram: 4 staplar blir oläsliga och tar lång tid att rita (högst 1). "
                               "Tabellen och filerna innehåller alla celler; välj en grövre indelning för ett diagram.")


def test_more_series_than_colours_give_the_row_totals(monkeypatch):
    monkeypatch.setattr(utforska.figures, "MAX_SERIES", 2)
    view = build(rows=("month",), cols=("kommundel",))
    assert view.chart_note is None  # two series: within the limit
    view = build(rows=("kommundel",), cols=("month",))
    assert view.chart_note.startswith("Diagrammet visar totalen per kommundel: 3 värden av månad i var sin färg "
                                      "går inte att skilja åt (högst 2)")
    assert [list(t.x) for t in view.chart.data] == [["Alby", "Fittja"]]


def test_the_caption_and_the_note_on_protected_cells():
    view = build()
    assert view.caption.startswith("4 celler. Personrelaterade tal under 5 visas som <5;")
    assert "tom cell i kolumnen – aldrig det verkliga talet och aldrig 0" in view.protected_note


def test_months_as_rows_in_calendar_order_with_their_totals():
    view = build(rows=("month",), cols=("kommundel",))
    assert view.table.values.tolist() == [["jan 2026", "0", "1\u00a0234", "1\u00a0234"],
                                          ["feb 2026", "12", "7", "20"],
                                          ["mar 2026", "<5", "0", "<5"]]
    assert view.export.table.astype(object).where(view.export.table.notna(), None).values.tolist() == [
        ["jan 2026", 0, 1234, 1234], ["feb 2026", 12, 7, 20], ["mar 2026", None, 0, None]]


def test_strategic_areas_in_their_canonical_order():
    long = pd.DataFrame({"kommundel": [1, 1], "strategic_area": ["brottsbekämpande", "trygghetsskapande"],
                         "n": [3.0, 9.0], "suppressed": [False, False], "n_label": ["3", "9"],
                         "kommundel_label": ["Alby", "Alby"],
                         "strategic_area_label": ["Brottsbekämpande insatser", "Trygghetsskapande"]})
    b = Breakdown(long, pd.DataFrame({"kommundel_label": ["Alby"], "n": [12.0], "n_label": ["12"]}))
    table = utforska.wide_table(b, ["kommundel"], ["strategic_area"])
    assert list(table.columns) == ["Kommundel", "Trygghetsskapande", "Brottsbekämpande insatser", "Totalt"]
