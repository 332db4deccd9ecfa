"""Översikt and Karta as the meeting uses them: one category filter on every page, a shared link
that names what no longer exists, and (in Chromium) tooltips that render and clicks that drill."""
from __future__ import annotations

import time

import pytest

from tests.test_browser import browser, demo_env, server  # noqa: F401 - the shared browser fixtures
from tests.test_pages import app_env, run_page  # noqa: F401

DONE = """() => { const a = document.querySelector('[data-testid=stApp]');
  return a && a.getAttribute('data-test-script-state') === 'notRunning'
    && document.querySelector('[data-testid=stDeckGlJsonChart] canvas')
    && !document.querySelector('[data-testid=stSkeleton]') }"""


def _urval(at) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Urval:**"))


@pytest.mark.parametrize("page", ["oversikt", "karta", "trender", "utforska", "pyramiden"])
def test_one_category_filter_in_the_sidebar_of_every_page(app_env, page):
    at = run_page(page, {"kategori": ["Rån"]})
    assert not at.exception
    assert [m.label for m in at.sidebar.multiselect][-1] == "Kategori"
    assert len(at.sidebar.multiselect(key="kategori").value) == 1
    assert _urval(at).endswith("· Rån")


def test_the_category_filter_changes_the_counts(app_env):
    every = {m.label: m.value for m in run_page("oversikt").metric}
    robbery = {m.label: m.value for m in run_page("oversikt", {"kategori": ["Rån"]}).metric}
    assert every != robbery


def test_a_link_to_an_area_that_does_not_exist_says_so(app_env):
    at = run_page("oversikt", {"omrade": ["Atlantis", "Fittja"]})
    note = ("Länken nämnde områden som inte finns: Atlantis. Visar i stället de övriga valda områdena.")
    assert note in [w.value for w in at.main.warning]
    assert note in [w.value for w in at.sidebar.warning]
    assert _urval(at).endswith("· Fittja")
    alone = run_page("karta", {"omrade": ["Atlantis"]})
    assert "Länken nämnde områden som inte finns: Atlantis. Visar i stället alla områden." in \
        [w.value for w in alone.main.warning]


def test_no_note_for_a_good_link(app_env):
    at = run_page("oversikt", {"omrade": ["Fittja"]})
    assert not [w.value for w in at.warning if "Länken" in w.value]


def test_tooltip_renders_and_a_click_drills_in_chromium(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1920, "height": 1400})
    page.goto(f"{server}/")
    page.wait_for_function(DONE, timeout=90_000)
    time.sleep(1.5)
    box = page.locator("[data-testid=stDeckGlJsonChart]").first.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.wait_for_function("() => [...document.querySelectorAll('.deck-tooltip')].some(e => e.innerText.trim())",
                           timeout=10_000)
    tip = page.evaluate("() => [...document.querySelectorAll('.deck-tooltip')].map(e => e.innerText).join('')")
    assert "Händelser:" in tip and "<b>" not in tip and "<br" not in tip
    name = tip.split("\n")[0]
    page.mouse.down()
    page.mouse.up()
    page.wait_for_function(f"() => [...document.querySelectorAll('[data-testid=stMarkdown]')]"
                           f".some(e => e.innerText.startsWith('Urval:') && e.innerText.endsWith('{name}'))",
                           timeout=60_000)
    page.wait_for_function(DONE, timeout=90_000)
    assert page.locator("[data-testid=stException]").count() == 0
    page.close()
