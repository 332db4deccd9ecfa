"""Insatser's view from small inline frames, exact values (lagesbild.pageviews.insatser)."""
from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pandas as pd

from lagesbild.pageviews import insatser
from lagesbild.privacy import Policy

TODAY = dt.date(2026, 11, 18)
AREAS = pd.DataFrame({"code": ["0127K1", "0127R1", "0127R2"], "level": ["kommundel", "omrade", "omrade"]})
CHOICES = [("0127K1", "Alby"), ("0127R1", "Albyberget"), ("0127R2", "Albydalen")]


def actions() -> pd.DataFrame:
    rows = [("I-1", "Mer belysning", "pågående", dt.date(2026, 9, 1), None),
            ("I-2", "Fältarbete", "avbruten", dt.date(2026, 8, 1), dt.date(2026, 9, 1)),
            ("I-3", "Föräldravandringar", "planerad", dt.date(2027, 1, 10), None),
            ("I-4", "MVP i skolan", "avslutad", dt.date(2025, 2, 1), dt.date(2025, 6, 1))]
    df = pd.DataFrame(rows, columns=["action_key", "title", "status", "start_date", "end_date"])
    return df.assign(areas_label="Alby", targets_label="Fokus: narkotika", kind_label="Närvaro",
                     responsible_actor="Polisen", status_label=df["status"], follow_up_on=None, last_note=None,
                     decided_week="v. 35 2026")


def test_the_view():
    view = insatser.build(actions(), {"klotter": "Klotter"}, AREAS, CHOICES, TODAY)
    assert view.listing.columns.tolist() == list(insatser.LIST_COLUMNS.values())
    first = view.listing.iloc[0].to_dict()
    assert (first["Id"], first["Slut"], first["Nästa återkoppling"], first["Start"]) == ("I-1", "–", "–", "2026-09-01")
    assert view.judged["action_key"].tolist() == ["I-1", "I-4"]  # started and not cancelled
    assert view.years == [2027, 2026, 2025]
    assert view.omraden == ["0127R1", "0127R2"]
    assert view.areas == {"0127K1": "Alby", "0127R1": "Albyberget", "0127R2": "Albydalen"}
    assert view.targets["strategiskt:våldsförebyggande"] == "Strategiskt: Våldsförebyggande"
    assert view.targets["fokus:narkotika"] == "Fokus: Narkotika" and view.targets["klotter"] == "Klotter"
    assert len(view.targets) == 4 + 4 + 1


def test_no_actions_yet():
    view = insatser.build(actions().iloc[0:0], {}, AREAS, CHOICES, TODAY)
    assert view.listing is None and view.judged.empty and view.years == [2026]


def test_form_problems():
    start = dt.date(2026, 11, 18)
    assert insatser.form_problems(" ", "", [], start, dt.date(2026, 11, 1)) == [
        "Rubrik saknas.", "Ansvarig saknas.", "Välj minst ett område.", "Slut ligger före start."]
    assert insatser.form_problems("Belysning", "Kommunen", ["0127R1"], start, None) == []


def test_the_effect_in_words():
    view = SimpleNamespace(before=(dt.date(2026, 6, 1), dt.date(2026, 8, 30)),
                           after=(dt.date(2026, 9, 1), dt.date(2026, 11, 29)),
                           table=pd.DataFrame({"Grupp": ["Insatsområden"], "Områden": ["Albyberget"], "before": [12.0],
                                               "before_label": ["12"], "after": [7.0], "after_label": ["7"]}),
                           verdict="Minskningen är större än i jämförelseområdena.", shown=True,
                           estimate="Skillnad i skillnader: −4.", comparison_rule="samma socioekonomiska typ",
                           notes=["Få händelser."])
    said = insatser.effect(view, Policy(k=5))
    assert said.periods == "**Före:** 2026-06-01 – 2026-08-30 · **Efter:** 2026-09-01 – 2026-11-29 (lika många hela veckor)"
    assert said.table.to_dict(orient="list") == {"Grupp": ["Insatsområden"], "Områden": ["Albyberget"],
                                                 "Före": ["12"], "Efter": ["7"]}
    assert said.caption.startswith("Jämförelseområden: samma socioekonomiska typ. Grannområden: områden inom 100 m. "
                                   "Personrelaterade tal under 5")
    assert said.good_news and said.notes == ("Få händelser.",) and said.caveat.startswith("Vad bedömningen kan")
    assert not insatser.effect(SimpleNamespace(**{**vars(view), "shown": False}), Policy()).good_news


def test_the_export_files():
    frame = pd.DataFrame({"Id": ["I-1"], "Rubrik": ["Å"]})
    assert insatser.csv_bytes(frame) == "\ufeffId;Rubrik\nI-1;Å\n".encode("utf-8")
    assert insatser.excel_bytes(frame)[:2] == b"PK"  # an xlsx file is a zip archive


def test_history_shows_swedish_local_time_and_no_none():
    history = pd.DataFrame({"changed_at": [dt.datetime(2026, 11, 29, 19, 13, 10), dt.datetime(2026, 7, 1, 23, 30)],
                            "changed_by": [None, "anna"], "via": ["demo", "sidan"], "field": ["skapad", "status"],
                            "old_value": [None, "planerad"], "new_value": ["Föräldravandringar", "pågår"]})
    table = insatser.history_table(history)
    assert table.columns.tolist() == list(insatser.HISTORY_COLUMNS.values())
    assert table["När"].tolist() == ["2026-11-29 20:13", "2026-07-02 01:30"]  # CET and CEST
    assert table["Vem"].tolist() == ["–", "anna"] and table["Före"].tolist() == ["–", "planerad"]
    assert "None" not in table.to_string()


def test_notes_show_iso_dates_like_the_list():
    notes = pd.DataFrame({"noted_on": [dt.date(2027, 1, 17)], "note": ["Bra uppslutning"], "changed_by": [None]})
    table = insatser.notes_table(notes)
    assert table.to_dict("records") == [{"Datum": "2027-01-17", "Anteckning": "Bra uppslutning", "Av": "–"}]
