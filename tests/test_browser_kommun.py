"""A second kommun end to end in headless Chromium: Södertälje (0181) set up without a line of
code (`python -m lagesbild init --kommun 0181` from SCB's files in ../shared/reference-data), with
demo data; and the same kommun with the county's real police events, where a stale source is
warned on the pages (a fixed today). Screenshots go to tests/screenshots/ (git-ignored)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REFERENCE_DATA, require
from tests.test_browser import CHROMIUM, MAIN_CONTENT, PAGES, ROOT, SHOTS, launch_chromium, start_server


def _serve(db: Path, today: str, setup: list[list[str]]):
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "LAGESBILD_TODAY": today}
    for command in setup:
        subprocess.run([sys.executable, "-m", *command], env=env, check=True, cwd=ROOT)
    return start_server(env)


INIT = ["lagesbild", "init", "--kommun", "0181", "--reference-dir", str(REFERENCE_DATA)]


@pytest.fixture(scope="module")
def browser():
    require(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    if not REFERENCE_DATA.exists():
        pytest.skip(f"reference data not found at {REFERENCE_DATA}")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.fixture(scope="module")
def demo_server(browser, tmp_path_factory):
    proc, url = _serve(tmp_path_factory.mktemp("sodertalje") / "demo.db", "2026-11-18", [INIT])
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def real_server(browser, tmp_path_factory):
    county = str(REFERENCE_DATA / "polisen_events_stockholms_lan.json")
    proc, url = _serve(tmp_path_factory.mktemp("sodertalje_real") / "real.db", "2026-09-02",
                       [[*INIT, "--no-demo"], ["loaders", "import", "polisen", county]])
    yield url
    proc.terminate()
    proc.wait(timeout=10)


def _open(browser, url: str, path: str, shot: str):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 2000})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{url}/{path}")
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=90_000)
    page.wait_for_selector("h1", timeout=60_000)
    page.wait_for_function("document.querySelectorAll('[data-testid=stSkeleton]').length === 0", timeout=30_000)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=90_000)
    page.screenshot(path=str(SHOTS / shot), full_page=True)
    assert page.locator("[data-testid=stException]").count() == 0, page.locator("[data-testid=stException]").all_inner_texts()
    assert page.locator("h1").first.inner_text().strip() == PAGES[path]
    assert errors == []
    return page


@pytest.mark.parametrize("path", list(PAGES))
def test_second_kommun_with_demo_data_renders_every_page(demo_server, browser, path):
    page = _open(browser, demo_server, path, f"sodertalje_{path or 'oversikt'}.png")
    page.wait_for_selector(MAIN_CONTENT[path], timeout=60_000)
    if path == "karta":
        page.get_by_text("schematiska", exact=False).first.wait_for(timeout=30_000)
    page.close()


def test_second_kommun_areas_are_its_own(demo_server, browser):
    page = _open(browser, demo_server, "utforska", "sodertalje_utforska_omrade.png")
    page.wait_for_selector("[data-testid=stDataFrame]", timeout=60_000)
    html = page.content()  # the table's cells are in the DOM (the grid draws them on a canvas)
    assert "Hovsjö" in html and "Geneta" in html and "Fittja" not in html  # its areas, none of Botkyrka's
    page.close()


@pytest.mark.parametrize("path", ["veckobriefing", "trender", "datakallor"])
def test_stale_police_events_are_warned(real_server, browser, path):
    page = _open(browser, real_server, path, f"sodertalje_real_{path}.png")
    warning = page.get_by_text("Polisen har inte levererat v.\u00a035 2026", exact=False)
    if path == "datakallor":
        page.get_by_text("Hämta nu", exact=True).first.wait_for(timeout=30_000)
    else:
        warning.first.wait_for(timeout=30_000)
    page.close()
