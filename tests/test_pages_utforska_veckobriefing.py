"""Utforska and Veckobriefing through AppTest on the demo data: a link to a week that is not offered
says so, a key in the link opens its week, and an empty selection says which data exist and offers
the period that holds them."""
from __future__ import annotations

from tests.test_pages import app_env, run_page  # noqa: F401 - the fixture

NBSP = "\u00a0"


def test_a_link_to_a_week_that_is_not_offered_says_so(app_env):  # noqa: F811
    at = run_page("veckobriefing", {"vecka": "2020-W01"})
    assert not at.exception
    assert at.header[0].value.startswith("Vecka 46")
    assert any(w.value.startswith("Veckan 2020-W01 i länken finns inte bland de veckor som kan väljas")
               for w in at.warning)


def test_a_link_with_a_week_key_opens_that_week(app_env):  # noqa: F811
    at = run_page("veckobriefing", {"vecka": "2026-W40"})
    assert not at.exception and at.header[0].value.startswith("Vecka 40")
    assert not any("i länken finns inte" in w.value for w in at.warning)


def test_the_week_that_is_not_over_is_offered_and_marked(app_env, monkeypatch):  # noqa: F811
    monkeypatch.setenv("LAGESBILD_TODAY", "2026-11-11")  # a Wednesday of v. 46; the store holds all of v. 46
    at = run_page("veckobriefing")
    assert at.selectbox(key="vecka").options[:2] == [f"v.{NBSP}46 2026 (9 nov 2026 – 15 nov 2026)",
                                                     f"v.{NBSP}45 2026 (2 nov 2026 – 8 nov 2026)"]
    assert at.selectbox(key="vecka").value == "2026-W45"  # the default stays the last complete week
    assert not any("inte slut" in w.value for w in at.warning)
    at.selectbox(key="vecka").select("2026-W46").run()
    assert any(w.value.startswith("Vecka 46 är inte slut") for w in at.warning)


def test_an_empty_period_says_which_data_exist_and_offers_them(app_env):  # noqa: F811
    at = run_page("utforska", {"period": "Anpassad", "datum": ["2020-01-01", "2020-02-01"]})
    assert not at.exception and not at.dataframe
    assert any(w.value.startswith("Perioden 1 jan 2020 – 1 feb 2020 ligger före de data som finns: "
                                  "data finns från 2 jan 2023") for w in at.warning)
    assert [b.label for b in at.button] == ["Visa 2 jan 2023 – 2 feb 2023"]
    at.button[0].click().run()
    assert not at.exception and len(at.dataframe) == 1
    assert any(m.value.startswith("**Urval:** 2 jan 2023 – 2 feb 2023") for m in at.markdown)


def test_opening_the_pages_that_offer_a_pdf_does_not_load_the_pdf_library(app_env):  # noqa: F811
    """fpdf2 (with fontTools and cryptography) takes about 0.3 s to import: it is loaded on the first
    download (lagesbild.report_pdf), not by the first visit to Veckobriefing or Insatser after a
    restart. A fresh interpreter, so that nothing imported earlier in the test run counts."""
    import os
    import subprocess
    import sys
    from pathlib import Path
    root = Path(__file__).resolve().parents[1]
    script = ("import sys\nfrom tests.test_pages import run_page\n"
              "for page in ('veckobriefing', 'insatser'):\n"
              "    at = run_page(page)\n"
              "    assert not at.exception, [e.value for e in at.exception]\n"
              "print(sorted(m for m in sys.modules if m.split('.')[0] in ('fpdf', 'fontTools')))\n")
    done = subprocess.run([sys.executable, "-c", script], cwd=root, env={**os.environ, "PYTHONPATH": str(root)},
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"
