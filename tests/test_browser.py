"""The real thing: `streamlit run app.py` on a fresh demo database, every page in headless Chromium.

Screenshots go to tests/screenshots/ (git-ignored). With CI=true a missing browser fails the test.
"""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import DEMO_TODAY, require

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# A shared link is often the first request after a restart: open a subpage first (see also
# test_first_hit_after_a_restart: the pages live in views/, so Streamlit's legacy pages/ mode never runs).
PAGES = {"veckobriefing": "Veckobriefing", "": "Översikt", "trender": "Trender", "karta": "Karta",
         "pyramiden": "Våldspyramiden", "vandringar": "Trygghetsvandringar", "boende": "Boende",
         "utforska": "Utforska", "datakallor": "Datakällor", "insatser": "Insatser"}
MAIN_CONTENT = {"": "[data-testid=stMetric]", "veckobriefing": "[data-testid=stMetric]",
                "trender": ".js-plotly-plot", "karta": "[data-testid=stDeckGlJsonChart]",
                "pyramiden": ".js-plotly-plot", "vandringar": "[data-testid=stMetric]",
                "boende": ".js-plotly-plot", "utforska": "[data-testid=stDataFrame]",
                "datakallor": "[data-testid=stFileUploader]", "insatser": "[data-testid=stTabs]"}


CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--disable-quic"]


def launch_chromium(playwright):
    """Debian's Chromium, headless, quiet (no background network)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(env: dict) -> tuple[subprocess.Popen, str]:
    """`streamlit run app.py` on a free port; returns the process and its URL once it answers."""
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port),
                             "--server.headless", "true", "--browser.gatherUsageStats", "false"],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.5)
    proc.kill()
    pytest.fail("streamlit did not answer /_stcore/health within 60 s:\n" + proc.stdout.read().decode())


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    require(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    db = tmp_path_factory.mktemp("browser") / "demo.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "LAGESBILD_TODAY": DEMO_TODAY.isoformat()}
    subprocess.run([sys.executable, "-m", "lagesbild", "init"], env=env, check=True, cwd=ROOT)
    return env


@pytest.fixture(scope="module")
def server(demo_env):
    proc, url = start_server(demo_env)
    yield url
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


@pytest.mark.parametrize("path", list(PAGES))
def test_page_renders_in_chromium(server, browser, path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": 1400, "height": 2400})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(f"{server}/{path}")
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=90_000)
    page.wait_for_selector(MAIN_CONTENT[path], timeout=60_000)
    page.wait_for_function("document.querySelectorAll('[data-testid=stSkeleton]').length === 0", timeout=30_000)
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=90_000)
    page.screenshot(path=str(SHOTS / f"{path or 'oversikt'}.png"))
    assert page.locator("[data-testid=stException]").count() == 0, page.locator("[data-testid=stException]").all_inner_texts()
    assert page.locator("h1").first.inner_text().strip() == PAGES[path]
    assert errors == []
    page.close()


def test_health_endpoint(server):
    assert urllib.request.urlopen(f"{server}/_stcore/health", timeout=5).read() == b"ok"


@pytest.mark.parametrize("path", [p for p in PAGES if p])
def test_first_hit_after_a_restart(demo_env, browser, path):
    """A shared link opened as the very first request of a freshly started server gets the router:
    our page titles in the sidebar, the shared filters, the page itself, no 'Page not found'."""
    proc, url = start_server(demo_env)
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1200})
        page.goto(f"{url}/{path}")
        page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=90_000)
        page.wait_for_selector("h1", timeout=60_000)
        sidebar = page.locator("[data-testid=stSidebar]").inner_text()
        assert page.locator("h1").first.inner_text().strip() == PAGES[path]
        assert ("Urval" in sidebar) == (path != "datakallor")  # Datakällor counts nothing of a selection
        assert "Översikt" in sidebar and ".py" not in sidebar
        assert "does not seem to exist" not in page.content()
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def _settled(page) -> None:
    page.wait_for_timeout(800)  # let a navigation's rerun start before waiting for its end
    page.wait_for_selector("[data-testid=stApp][data-test-script-state=notRunning]", timeout=90_000)


def test_the_selection_survives_datakallor(server, browser):
    """Datakällor draws no Urval (it counts nothing of a selection), and the selection made on
    another page is there again afterwards, also after Datakällor reran: the filters are bound to
    the address, so Streamlit keeps them while no page draws them."""
    page = browser.new_page(viewport={"width": 1400, "height": 1200})
    sidebar = page.locator("[data-testid=stSidebar]")

    def urval() -> str:
        text = sidebar.inner_text()
        return text[text.index("Urval"):] if "Urval" in text else ""

    page.goto(f"{server}/karta?omrade=Fittja&period=Senaste+4+veckorna")
    page.wait_for_selector("[data-testid=stDeckGlJsonChart]", timeout=90_000)
    _settled(page)
    chosen = urval()
    assert "Fittja" in chosen and "19 okt 2026 – 15 nov 2026" in chosen  # four weeks
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Datakällor").click()
    page.wait_for_selector("[data-testid=stFileUploader]", timeout=60_000)
    _settled(page)
    assert urval() == ""
    page.get_by_role("combobox").first.click()  # "Typ av data": another kind reruns the page
    page.get_by_role("option").nth(1).click()
    _settled(page)
    page.get_by_test_id("stSidebarNavLink").filter(has_text="Karta").click()
    page.wait_for_selector("[data-testid=stDeckGlJsonChart]", timeout=60_000)
    _settled(page)
    assert urval() == chosen
    assert "omrade=Fittja" in page.url and "period=Senaste+4+veckorna" in page.url
    page.close()
