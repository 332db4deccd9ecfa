"""Sign-in end to end: Lägesbild with a real OpenID Connect provider (oidc-provider-mock) on
loopback, driven in headless Chromium. Users of different organisations and roles sign in; each
sees and may do only what the roles allow, a crafted URL does not get past a role, and the audit
log holds the events. Also open mode: the sign-in-off note, and the refusal of a reachable server.

With CI=true a missing provider package or browser fails these tests (tests.conftest.require).
"""
from __future__ import annotations

import json
import re
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import DEMO_TODAY, require
from tests.test_browser import launch_chromium

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "tests" / "screenshots"
CHROMIUM = "/usr/bin/chromium"
IDLE = "[data-testid=stApp][data-test-script-state=notRunning]"
# Predefined users of the identity provider: subject → groups (mapped in data/access/roles.toml).
PEOPLE = {
    "anna": ["lagesbild-bkb-import"],          # importör, Botkyrkabyggen
    "lars": ["lagesbild-kommun-lasare"],       # läsare, kommun
    "alva": ["lagesbild-kommun-analytiker"],   # analytiker, kommun
    "adam": ["lagesbild-vpc-admin"],           # administratör, VPC
    "nils": ["en-grupp-som-inte-finns"],       # signed in, but no role
}
BKB_CSV = "Datum;Kategori;Område;Antal\n2026-11-10;Skadegörelse;Alby;2\n2026-11-11;Klotter;Fittja;1\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait(url: str, proc: subprocess.Popen, what: str, seconds: int = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            break
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except OSError:
            time.sleep(0.3)
    proc.kill()
    out = proc.stdout.read().decode(errors="replace") if proc.stdout else ""
    pytest.fail(f"{what} did not answer {url} within {seconds} s:\n{out[-3000:]}")


def _start(cmd: list[str], env: dict, url: str, what: str) -> subprocess.Popen:
    proc = subprocess.Popen(cmd, env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    _wait(url, proc, what)
    return proc


def _stop(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


def _fresh_db(tmp: Path) -> tuple[Path, dict]:
    db = tmp / "demo.db"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "LAGESBILD_TODAY": DEMO_TODAY.isoformat()}
    env.pop("STREAMLIT_SERVER_ADDRESS", None)
    subprocess.run([sys.executable, "-m", "lagesbild", "init"], env=env, check=True, cwd=ROOT,
                   capture_output=True)
    return db, env


@pytest.fixture(scope="module")
def idp():
    """oidc-provider-mock on 127.0.0.1 with the predefined users."""
    try:
        import oidc_provider_mock  # noqa: F401
    except ImportError:
        require(False, "oidc-provider-mock is not installed (pip install -r requirements-dev.txt)")
    port = _free_port()
    users = [a for sub, groups in PEOPLE.items()
             for a in ("--user-claims", json.dumps({"sub": sub, "groups": groups, "email": f"{sub}@example.se"}))]
    proc = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--host", "127.0.0.1", "--port", str(port),
                             "--require-nonce", "true", *users], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    _wait(f"{url}/.well-known/openid-configuration", proc, "oidc-provider-mock")
    yield url
    _stop(proc)


@pytest.fixture(scope="module")
def app(idp, tmp_path_factory):
    """Lägesbild started as `make run` does (lagesbild.serve), with sign-in through `idp`."""
    require(Path(CHROMIUM).exists(), f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    tmp = tmp_path_factory.mktemp("auth")
    db, env = _fresh_db(tmp)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    secrets_file = tmp / "secrets.toml"
    secrets_file.write_text(
        "[auth]\n"
        f'redirect_uri = "{url}/oauth2callback"\n'
        f'cookie_secret = "{secrets.token_hex(32)}"\n'
        'client_id = "lagesbild"\n'
        'client_secret = "hemlig"\n'
        f'server_metadata_url = "{idp}/.well-known/openid-configuration"\n')
    proc = _start([sys.executable, "-m", "lagesbild.serve", "--server.address", "127.0.0.1", "--server.port", str(port),
                   "--server.headless", "true", "--secrets.files", str(secrets_file)],
                  env, f"{url}/_stcore/health", "streamlit with sign-in")
    yield url, db
    _stop(proc)


@pytest.fixture(scope="module")
def browser(app):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = launch_chromium(p)
        yield b
        b.close()


def _idle(page) -> None:
    page.wait_for_selector(IDLE, timeout=90_000)
    page.wait_for_function("document.querySelectorAll('[data-testid=stSkeleton]').length === 0", timeout=30_000)
    page.wait_for_selector(IDLE, timeout=90_000)


def _sign_in(browser, server: str, sub: str, path: str = ""):
    """A fresh browser (no cookies) that signs in as `sub` through the provider's form."""
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
    page = context.new_page()
    page.goto(f"{server}/{path}")
    page.get_by_role("button", name="Logga in").click()
    page.wait_for_selector(f"button[name=sub][value={sub}]", timeout=30_000)
    if sub == "anna":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / "auth_2_provider.png"))
    page.click(f"button[name=sub][value={sub}]")
    page.wait_for_url(f"{server}/**", timeout=30_000)
    page.get_by_role("button", name="Logga ut").wait_for(timeout=90_000)  # signed in (with or without a role)
    _idle(page)
    return context, page


def _nav_titles(page) -> list[str]:
    """The page titles in the sidebar navigation (each link's last line; the icon's name comes first)."""
    more = page.get_by_role("button", name="View more")  # Streamlit folds a long navigation
    if more.count():
        more.click()
    return [t.strip().splitlines()[-1] for t in page.locator("[data-testid=stSidebarNav] a").all_inner_texts()]


def _audit(db: Path) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute("SELECT a.action, a.outcome, u.label, a.detail FROM audit_log a "
                            "LEFT JOIN users u ON u.subject = a.actor ORDER BY a.id").fetchall()


def test_a_page_link_before_sign_in_shows_only_the_sign_in(app, browser):
    server, _ = app
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(f"{server}/datakallor")  # the first request after the start, straight to a page link
    page.get_by_role("button", name="Logga in").wait_for(timeout=90_000)
    _idle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "auth_1_sign_in.png"))
    assert page.locator("[data-testid=stFileUploader]").count() == 0
    assert page.locator("[data-testid=stMetric]").count() == 0
    assert _nav_titles(page) == []
    page.close()


def test_an_importer_of_the_housing_company_imports_only_its_own_sources(app, browser):
    server, db = app
    context, page = _sign_in(browser, server, "anna")
    assert "Datakällor" in _nav_titles(page) and "Utforska" not in _nav_titles(page)
    assert "importör" in page.locator("[data-testid=stSidebar]").inner_text()
    page.goto(f"{server}/datakallor")
    _idle(page)
    page.screenshot(path=str(SHOTS / "auth_3_importer.png"))
    kinds = _options(page, "Typ av data")
    assert "Polisens händelser (polisen.se, JSON)" not in kinds and "Områdesgränser" not in " ".join(kinds)
    assert _options(page, "Källa (aktör)") == ["Botkyrkabyggen"]
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(
        files=[{"name": "bkb.csv", "mimeType": "text/csv", "buffer": BKB_CSV.encode()}])
    page.get_by_text("Ta bort demodata först").click()
    _idle(page)
    page.get_by_role("button", name="Importera").click()
    page.get_by_text("Importerat: bkb.csv").wait_for(timeout=90_000)
    context.close()
    events = _audit(db)
    assert ("import", "ok", "anna@example.se") in [e[:3] for e in events]
    assert ("borttagning", "ok", "anna@example.se") in [e[:3] for e in events]
    with sqlite3.connect(db) as conn:
        by = conn.execute("SELECT imported_by FROM imports WHERE file_name = 'bkb.csv'").fetchone()[0]
    assert by.startswith("u-") and "anna" not in by  # a pseudonym, not the e-mail


def _options(page, label: str) -> list[str]:
    box = page.get_by_label(label)
    box.click()
    options = [o.strip() for o in page.locator("[role=option]").all_inner_texts()]
    page.keyboard.press("Escape")
    return options


@pytest.mark.parametrize("path", ["utforska", "datakallor", "granskning"])
def test_a_reader_does_not_get_past_the_role_with_a_crafted_url(app, browser, path):
    server, _ = app
    context, page = _sign_in(browser, server, "lars")
    assert _nav_titles(page)[:1] == ["Översikt"]
    assert not {"Utforska", "Datakällor", "Granskning"} & set(_nav_titles(page))
    page.goto(f"{server}/{path}")
    _idle(page)
    page.screenshot(path=str(SHOTS / f"auth_4_reader_{path}.png"))
    assert page.locator("h1").first.inner_text().strip() != {"utforska": "Utforska", "datakallor": "Datakällor",
                                                            "granskning": "Granskning"}[path]
    assert page.locator("[data-testid=stFileUploader]").count() == 0
    assert page.locator("[data-testid=stDownloadButton]").count() == 0
    context.close()


def test_a_reader_has_no_download_button(app, browser):
    server, _ = app
    context, page = _sign_in(browser, server, "lars")
    page.goto(f"{server}/veckobriefing")
    _idle(page)
    page.wait_for_selector("[data-testid=stMetric]", timeout=60_000)
    assert page.locator("h1").first.inner_text().strip() == "Veckobriefing"
    assert page.locator("[data-testid=stDownloadButton]").count() == 0
    context.close()


def test_an_analyst_downloads_and_the_download_is_logged(app, browser):
    server, db = app
    context, page = _sign_in(browser, server, "alva")
    assert "Utforska" in _nav_titles(page) and "Datakällor" not in _nav_titles(page)
    page.goto(f"{server}/utforska")
    _idle(page)
    page.wait_for_selector("[data-testid=stDataFrame]", timeout=60_000)
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Ladda ned CSV").click()
    name = info.value.suggested_filename  # says what it is (lagesbild.exports.file_name)
    # "_demodata" only while the module's store still holds the demo (an earlier test may replace it)
    assert re.fullmatch(r"lagesbild_utforska_kommundel-x-strategiskt-omrade_\d{4}-\d\d-\d\d_\d{4}-\d\d-\d\d_intern_bred(_demodata)?\.csv", name)
    context.close()
    downloads = [e for e in _audit(db) if e[0] == "nedladdning"]
    assert downloads and downloads[-1][1:3] == ("ok", "alva@example.se")
    assert "Utforska CSV" in downloads[-1][3] and "publik internal" in downloads[-1][3]


def test_a_user_without_a_role_sees_nothing(app, browser):
    server, db = app
    context, page = _sign_in(browser, server, "nils")
    assert page.get_by_text("har ingen roll i Lägesbild").count() == 1
    assert page.locator("[data-testid=stMetric]").count() == 0 and _nav_titles(page) == []
    context.close()
    assert ("inloggning", "nekad", "nils@example.se") in [e[:3] for e in _audit(db)]


def test_the_administrator_sees_the_events_of_these_tests(app, browser):
    server, db = app
    context, page = _sign_in(browser, server, "adam")
    assert "Granskning" in _nav_titles(page) and "Utforska" not in _nav_titles(page)
    page.goto(f"{server}/granskning")
    _idle(page)
    page.wait_for_selector("[data-testid=stDataFrame]", timeout=60_000)
    page.screenshot(path=str(SHOTS / "auth_5_admin.png"), full_page=True)
    events = _audit(db)
    signed_in = {e[2] for e in events if e[0] == "inloggning"}
    assert {"anna@example.se", "lars@example.se", "alva@example.se", "adam@example.se", "nils@example.se"} <= signed_in
    assert {e[0] for e in events} >= {"inloggning", "import", "borttagning", "nedladdning"}
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Exportera (CSV)").click()
    exported = Path(info.value.path()).read_text(encoding="utf-8-sig")
    assert "nedladdning" in exported and "alva@example.se" in exported and "borttagning" in exported
    context.close()
    assert _audit(db)[-1][:3] == ("nedladdning", "ok", "adam@example.se")


# --- open mode ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def empty_secrets(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("nosecrets") / "secrets.toml"
    path.write_text("")
    return path


def test_open_mode_on_localhost_says_that_sign_in_is_off(browser, tmp_path, empty_secrets):
    _, env = _fresh_db(tmp_path)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start([sys.executable, "-m", "lagesbild.serve", "--server.address", "127.0.0.1", "--server.port",
                   str(port), "--server.headless", "true", "--secrets.files", str(empty_secrets)],
                  env, f"{url}/_stcore/health", "streamlit in open mode")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(url)
        page.wait_for_selector("[data-testid=stMetric]", timeout=90_000)
        _idle(page)
        page.screenshot(path=str(SHOTS / "auth_6_open_mode.png"))
        assert "Inloggning är avstängd" in page.locator("[data-testid=stSidebar]").inner_text()
        assert {"Utforska", "Datakällor", "Granskning"} <= set(_nav_titles(page))
        page.close()
    finally:
        _stop(proc)


def test_a_reachable_server_without_sign_in_serves_no_page(browser, tmp_path, empty_secrets):
    """Started around the launcher (plain `streamlit run` on all interfaces): the app refuses."""
    _, env = _fresh_db(tmp_path)
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    proc = _start([sys.executable, "-m", "streamlit", "run", "app.py", "--server.address", "0.0.0.0",
                   "--server.port", str(port), "--server.headless", "true", "--secrets.files", str(empty_secrets)],
                  env, f"{url}/_stcore/health", "streamlit on 0.0.0.0")
    try:
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.goto(f"{url}/utforska")
        page.get_by_text("Lägesbild startar inte").wait_for(timeout=90_000)
        _idle(page)
        page.screenshot(path=str(SHOTS / "auth_7_refused.png"))
        assert page.locator("[data-testid=stMetric]").count() == 0
        assert page.locator("[data-testid=stDataFrame]").count() == 0
        page.close()
    finally:
        _stop(proc)
