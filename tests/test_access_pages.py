"""Roles through the real router with AppTest (st.user and [auth] seeded, no browser): the
pages each role gets, a page switch past the role, and the external audience's numbers."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests.conftest import DEMO_TODAY

APP = str(Path(__file__).resolve().parents[1] / "app.py")
AUTH = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "test", "client_id": "c",
        "client_secret": "s", "server_metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration"}


@pytest.fixture
def store(sqlite_demo_engine, tmp_path, monkeypatch):
    """A copy of the demo store: sign-ins write users and audit rows, the shared one stays as it is."""
    copy = tmp_path / "demo.db"
    shutil.copy(sqlite_demo_engine.url.database, copy)
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{copy}")
    monkeypatch.setenv("LAGESBILD_TODAY", DEMO_TODAY.isoformat())
    return copy


def signed_in(sub: str, *groups: str, page: str | None = None) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets = {"auth": AUTH}
    at.user = {"is_logged_in": True, "iss": "http://idp.test", "sub": sub, "groups": list(groups),
               "email": f"{sub}@example.se", "iat": 1_790_000_000}
    at.run()
    if page:
        at.switch_page(f"views/{page}.py")
        at.run()
    return at


def test_not_signed_in_shows_only_the_sign_in_button(store):
    at = AppTest.from_file(APP, default_timeout=120)
    at.secrets = {"auth": AUTH}
    at.user = {"is_logged_in": False}
    at.run()
    assert not at.exception
    assert [b.label for b in at.button] == ["Logga in"] and not at.metric


@pytest.mark.parametrize("page", ["utforska", "datakallor", "granskning"])
def test_a_page_past_the_role_is_not_in_the_navigation(store, page):
    at = signed_in("lars", "lagesbild-kommun-lasare")
    assert not at.exception and at.title[0].value == "Översikt"
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # st.navigation never got it
        at.switch_page(f"views/{page}.py")


def test_the_reader_sees_the_internal_picture_without_downloads(store):
    at = signed_in("lars", "lagesbild-kommun-lasare", page="veckobriefing")
    assert not at.exception and at.title[0].value == "Veckobriefing"
    assert not at.get("download_button")


def test_an_analyst_gets_the_download_buttons(store):
    at = signed_in("alva", "lagesbild-kommun-analytiker", page="utforska")
    assert not at.exception and at.title[0].value == "Utforska"
    assert len(at.get("download_button")) == 2


def test_an_external_audience_sees_every_number_protected(store):
    at = signed_in("nora", "lagesbild-namnd")
    assert not at.exception and at.title[0].value == "Översikt"
    notes = " ".join(c.value for c in at.caption)
    assert "Alla tal under 5" in notes and "Personrelaterade tal" not in notes
    internal = signed_in("lars", "lagesbild-kommun-lasare")
    assert "Personrelaterade tal under 5" in " ".join(c.value for c in internal.caption)
    with pytest.raises(ValueError, match="Could not find a navigation page"):  # not for an external audience
        at.switch_page("views/vandringar.py")


def test_a_person_without_a_role_gets_no_page(store):
    at = signed_in("nils", "okand-grupp")
    assert not at.exception and not at.metric
    assert any("har ingen roll" in w.value for w in at.warning)


def test_an_administrator_gives_a_person_without_a_group_a_fallback_role(store):
    import sqlite3
    assert not signed_in("nils", "okand-grupp").metric
    admin = signed_in("adam", "lagesbild-vpc-admin", page="granskning")
    assert not admin.exception and admin.title[0].value == "Granskning"
    with sqlite3.connect(store) as conn:
        nils = conn.execute("SELECT subject FROM users WHERE label = 'nils@example.se'").fetchone()[0]
    form_user = next(s for s in admin.selectbox if s.label == "Användare")
    form_user.set_value(nils)
    next(s for s in admin.selectbox if s.label == "Organisation").set_value("kommun")
    next(m for m in admin.multiselect if m.label == "Reservroller").set_value(["läsare"])
    next(b for b in admin.button if b.label == "Spara").click()
    admin.run()
    assert not admin.exception and any("Sparat" in s.value for s in admin.success)
    now = signed_in("nils", "okand-grupp")
    assert now.title[0].value == "Översikt" and now.metric
    with sqlite3.connect(store) as conn:
        changes = conn.execute("SELECT a.detail FROM audit_log a JOIN users u ON u.subject = a.actor "
                               "WHERE a.action = 'användare' AND u.label = 'adam@example.se'").fetchall()
    assert changes == [(f"{nils}: organisation kommun, reservroller läsare, spärrad nej",)]
