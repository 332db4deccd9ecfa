"""Access: roles and rights, the roles file, claims → user, the guarded import and download,
the append-only audit log (both backends), open mode and the start-up refusal."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import select, text, update
from sqlalchemy.exc import DBAPIError

from lagesbild import audit
from lagesbild.access import config as access_config
from lagesbild.access import identity, users
from lagesbild.access.downloads import download
from lagesbild.access.imports import fetch_as, import_as, may_fetch
from lagesbild.access.mode import OpenModeRefused, auth_provider, check_startup, is_loopback, open_mode_problem
from lagesbild.access.rules import (AccessDenied, Right, Role, User, authorize_import, check_query,
                                    enforce_policy, open_mode_user, page_allowed)
from lagesbild.privacy import EXTERNAL, INTERNAL, Policy
from lagesbild.store.models import AuditEvent, ImportLog
from loaders.kinds import Options
from loaders.source import SourceFile

ROOT = Path(__file__).resolve().parents[1]
CFG = access_config.load()


def person(*roles: Role, orgs: tuple[str, ...] = ()) -> User:
    return User(subject="u-test", label="test", organisations=frozenset(orgs), roles=frozenset(roles),
                sources=CFG.sources_of(orgs))


BKB_IMPORTER = person(Role.IMPORTOR, orgs=("botkyrkabyggen",))
POLIS_IMPORTER = person(Role.IMPORTOR, orgs=("polis",))
READER = person(Role.LASARE, orgs=("kommun",))
ANALYST = person(Role.ANALYTIKER, orgs=("kommun",))
COORDINATOR = person(Role.SAMORDNARE, orgs=("vpc",))
ADMIN = person(Role.ADMIN, orgs=("vpc",))
EXTERN = person(Role.EXTERN, orgs=("kommun",))


@pytest.mark.parametrize("user, page, allowed", [
    (READER, "", True), (READER, "karta", True), (READER, "utforska", False), (READER, "datakallor", False),
    (READER, "granskning", False), (ANALYST, "utforska", True), (ANALYST, "datakallor", False),
    (BKB_IMPORTER, "datakallor", True), (BKB_IMPORTER, "utforska", False), (COORDINATOR, "datakallor", True),
    (ADMIN, "granskning", True), (ADMIN, "utforska", False), (EXTERN, "trender", True),
    (EXTERN, "vandringar", False), (EXTERN, "boende", False), (EXTERN, "utforska", False),
    (person(), "", False),
])
def test_pages_follow_the_roles(user, page, allowed):
    assert page_allowed(user, page) is allowed


@pytest.mark.parametrize("user, kind, source", [
    (BKB_IMPORTER, "polisen", "polis"), (BKB_IMPORTER, "incidents", "polis"), (BKB_IMPORTER, "incidents", "kommun"),
    (BKB_IMPORTER, "areas", None), (POLIS_IMPORTER, "housing", "botkyrkabyggen"), (READER, "incidents", "kommun"),
    (ANALYST, "walks", "kommun"), (ADMIN, "incidents", "polis"), (COORDINATOR, "incidents", "polis"),
    (BKB_IMPORTER, "incidents", None), (BKB_IMPORTER, "polisen", "botkyrkabyggen"),
])
def test_imports_outside_the_own_organisation_are_refused(user, kind, source):
    with pytest.raises(AccessDenied):
        authorize_import(user, kind, source)


@pytest.mark.parametrize("user, kind, source", [
    (BKB_IMPORTER, "housing", "botkyrkabyggen"), (BKB_IMPORTER, "incidents", "botkyrkabyggen"),
    (POLIS_IMPORTER, "polisen", "polis"), (COORDINATOR, "areas", None), (COORDINATOR, "population", None),
    (open_mode_user(frozenset({"polis", "kommun"})), "polisen", "polis"),
])
def test_imports_of_the_own_sources_are_allowed(user, kind, source):
    authorize_import(user, kind, source)


def test_the_query_layer_refuses_explore_without_the_analyst_role():
    check_query(ANALYST, "explore")
    check_query(READER, "counts")
    with pytest.raises(AccessDenied):
        check_query(READER, "explore")


def test_an_external_audience_gets_external_policies_only():
    internal = Policy(k=5, audience=INTERNAL)
    args, kwargs = enforce_policy(EXTERN, "counts", ("f", internal), {"policy": internal})
    assert args[1].audience == EXTERNAL and kwargs["policy"].audience == EXTERNAL
    assert enforce_policy(READER, "counts", ("f", internal), {}) == (("f", internal), {})
    enforce_policy(EXTERN, "area_choices", (), {})  # no counts: fine without a policy
    with pytest.raises(AccessDenied):
        enforce_policy(EXTERN, "walk_kpis", ("f",), {})


def test_the_shipped_roles_file_is_valid_and_maps_every_source():
    assert set().union(*(s for _, s in CFG.organisations.values())) == {"polis", "kommun", "botkyrkabyggen",
                                                                         "raddningstjanst"}
    assert CFG.groups["lagesbild-bkb-import"].roles == {Role.IMPORTOR}


@pytest.mark.parametrize("raw, problem", [
    ({"organisations": {"x": {"sources": ["sl"]}}}, "okänd källa 'sl'"),
    ({"groups": {"g": {"organisation": "nope", "roles": []}}}, "okänd organisation 'nope'"),
    ({"groups": {"g": {"roles": ["superuser"]}}}, "okänd roll 'superuser'"),
])
def test_a_bad_roles_file_is_refused_with_the_problem(raw, problem):
    with pytest.raises(access_config.AccessConfigError, match=problem):
        access_config.parse(raw)


def claims(sub: str, *groups: str, **extra) -> dict:
    return {"iss": "http://idp.test", "sub": sub, "groups": list(groups), "email": f"{sub}@example.se",
            "iat": 1_790_000_000, **extra}


def test_claims_give_organisation_roles_and_a_pseudonym(empty_engine):
    user = identity.resolve(claims("anna", "lagesbild-bkb-import", "okand-grupp"), CFG, empty_engine)
    assert user.roles == {Role.IMPORTOR} and user.organisations == {"botkyrkabyggen"}
    assert user.sources == {"botkyrkabyggen"}
    assert user.subject.startswith("u-") and len(user.subject) == 18 and "anna" not in user.subject
    assert identity.resolve(claims("anna"), CFG, empty_engine).subject == user.subject  # stable
    assert identity.resolve(claims("bert"), CFG, empty_engine).subject != user.subject


def test_the_users_table_is_the_fallback_and_can_block(empty_engine):
    nobody = identity.resolve(claims("cia"), CFG, empty_engine)
    assert nobody.roles == frozenset()
    users.seen(empty_engine, nobody.subject, nobody.label, None)
    with empty_engine.begin() as conn:
        users.set_fallback(conn, nobody.subject, "polis", frozenset({Role.IMPORTOR}), False)
    fallback = identity.resolve(claims("cia"), CFG, empty_engine)
    assert fallback.roles == {Role.IMPORTOR} and fallback.sources == {"polis"}
    with empty_engine.begin() as conn:
        users.set_fallback(conn, nobody.subject, "polis", frozenset({Role.IMPORTOR}), True)
    assert identity.resolve(claims("cia", "lagesbild-vpc-admin"), CFG, empty_engine).roles == frozenset()


def test_a_sign_in_is_new_once_per_id_token(empty_engine):
    import datetime as dt
    first, second = dt.datetime(2026, 11, 29, 10), dt.datetime(2026, 11, 29, 12)
    assert users.seen(empty_engine, "u-1", "a@x.se", first) is True
    assert users.seen(empty_engine, "u-1", "a@x.se", first) is False
    assert users.seen(empty_engine, "u-1", "a@x.se", second) is True


def test_the_audit_log_is_append_only(empty_engine):
    audit.record(empty_engine, ADMIN, audit.USERS, "test")
    table = AuditEvent.__table__
    for statement in (update(table).values(detail="ändrad"), table.delete()):
        with pytest.raises(DBAPIError, match="append-only"):
            with empty_engine.begin() as conn:
                conn.execute(statement)
    with empty_engine.connect() as conn:
        rows = conn.execute(select(table.c.actor, table.c.organisation, table.c.action, table.c.detail)
                            .order_by(table.c.id)).all()
    assert rows[0][:3] == ("system", None, "taxonomi")  # ensure_database read data/taxonomy
    assert rows[1:] == [("u-test", "vpc", "användare", "test")]


INCIDENTS = "Datum;Kategori;Område;Antal\n2024-03-06;Klotter;Alby;1\n2024-03-07;Skadegörelse;Fittja;2\n".encode()


def test_an_import_outside_the_own_organisation_is_refused_and_logged(empty_engine):
    with pytest.raises(AccessDenied, match="egen organisations"):
        import_as(BKB_IMPORTER, empty_engine, "incidents", SourceFile("polis.csv", INCIDENTS), Options(source="polis"))
    with empty_engine.connect() as conn:
        assert conn.execute(select(ImportLog.id)).all() == []  # nothing was even started
        events = audit.events(conn, audit.EventFilter(actions=("import",)))
    assert list(events[["actor", "action", "outcome"]].itertuples(index=False, name=None)) == [
        ("u-test", "import", "nekad")]
    assert "källa polis" in events.at[0, "detail"]


def test_an_accepted_import_is_logged_under_the_pseudonym(empty_engine):
    result = import_as(BKB_IMPORTER, empty_engine, "incidents", SourceFile("bkb.csv", INCIDENTS),
                       Options(source="botkyrkabyggen"))
    with empty_engine.connect() as conn:
        assert conn.execute(select(ImportLog.imported_by).where(ImportLog.id == result.import_id)).scalar() == "u-test"
        events = audit.events(conn, audit.EventFilter(actions=("import",)))
    assert list(events["outcome"]) == ["ok"] and f"import {result.import_id}" in events.at[0, "detail"]


def test_a_refused_file_is_logged_as_refused(empty_engine):
    from lagesbild.errors import InputError
    bad = "Datum;Kategori;Område;Antal\ninte ett datum;Klotter;Alby;1\n".encode()
    with pytest.raises(InputError):
        import_as(BKB_IMPORTER, empty_engine, "incidents", SourceFile("bkb.csv", bad), Options(source="botkyrkabyggen"))
    with empty_engine.connect() as conn:
        assert list(audit.events(conn, audit.EventFilter(actions=("import",)))["outcome"]) == ["avvisad"]


@pytest.mark.parametrize("user, feed, allowed", [
    (POLIS_IMPORTER, "polisen", True), (BKB_IMPORTER, "polisen", False), (COORDINATOR, "polisen", False),
    (COORDINATOR, "scb", True), (COORDINATOR, "kolada", True), (POLIS_IMPORTER, "scb", False),
    (READER, "polisen", False), (ADMIN, "kolada", False),
])
def test_hamta_nu_follows_who_may_import_what_the_feed_imports(user, feed, allowed):
    assert may_fetch(user, feed) is allowed


def test_hamta_nu_is_refused_and_logged_without_fetching(empty_engine, monkeypatch):
    import loaders.fetch.run as run
    monkeypatch.setattr(run, "run_fetch", lambda *a, **k: pytest.fail("fetched without the right"))
    with pytest.raises(AccessDenied, match="egen organisations"):
        fetch_as(BKB_IMPORTER, empty_engine, "polisen")
    with empty_engine.connect() as conn:
        events = audit.events(conn, audit.EventFilter(actions=("import",)))
    assert list(events[["actor", "outcome"]].itertuples(index=False, name=None)) == [("u-test", "nekad")]
    assert "hämtning polisen" in events.at[0, "detail"]


def test_hamta_nu_is_logged_under_the_pseudonym(empty_engine, monkeypatch):
    import loaders.fetch.run as run
    calls = []

    class Outcome:
        def summary(self):
            return "12 händelser hämtade, 3 nya"

    monkeypatch.setattr(run, "run_fetch", lambda engine, feed, **k: calls.append((feed, k)) or Outcome())
    fetch_as(POLIS_IMPORTER, empty_engine, "polisen")
    assert calls == [("polisen", {"imported_by": "u-test"})]
    with empty_engine.connect() as conn:
        events = audit.events(conn, audit.EventFilter(actions=("import",)))
    assert list(events["outcome"]) == ["ok"] and "12 händelser hämtade" in events.at[0, "detail"]


def test_downloads_need_the_analyst_role_and_are_logged(empty_engine):
    assert download(ANALYST, empty_engine, lambda: b"x", "Utforska CSV: urval; publik internal") == b"x"
    with pytest.raises(AccessDenied):
        download(READER, empty_engine, lambda: b"x", "Utforska CSV")
    with empty_engine.connect() as conn:
        events = audit.events(conn, audit.EventFilter(actions=("nedladdning",)))
    assert list(events["outcome"]) == ["nekad", "ok"]
    assert events.at[1, "detail"] == "Utforska CSV: urval; publik internal"


@pytest.mark.parametrize("host, loopback", [("127.0.0.1", True), ("127.0.1.1", True), ("::1", True),
                                            ("[::1]", True), ("localhost", True), ("0.0.0.0", False),
                                            ("", False), (None, False), ("10.0.0.5", False), ("::", False),
                                            ("example.se", False)])
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_open_mode_refuses_a_reachable_server():
    check_startup("127.0.0.1", None)
    check_startup("0.0.0.0", "default")
    for address in ("0.0.0.0", None, "192.168.1.10"):
        with pytest.raises(OpenModeRefused, match="inloggning är inte konfigurerad"):
            check_startup(address, None)


@pytest.mark.parametrize("address, headers, in_server, refused", [
    ("127.0.0.1", {"Host": "127.0.0.1:8501"}, True, False),
    ("127.0.0.1", {"Host": "localhost:8501"}, True, False),
    ("127.0.0.1", {"Host": "[::1]:8501"}, True, False),
    ("0.0.0.0", {"Host": "127.0.0.1:8501"}, True, True),
    (None, {"Host": "127.0.0.1:8501"}, True, True),
    ("127.0.0.1", {"Host": "lagesbild.kommun.se"}, True, True),
    ("127.0.0.1", {"Host": "127.0.0.1", "X-Forwarded-For": "10.1.2.3"}, True, True),
    (None, {}, False, False),  # AppTest: no request, no server
])
def test_open_mode_serves_loopback_requests_only(address, headers, in_server, refused):
    assert (open_mode_problem(address, headers, in_server) is not None) is refused


def test_auth_provider_needs_a_complete_auth_section():
    base = {"redirect_uri": "http://localhost:8501/oauth2callback", "cookie_secret": "s"}
    flat = {"client_id": "c", "client_secret": "x", "server_metadata_url": "http://idp/.well-known/openid-configuration"}
    assert auth_provider(None) is None and auth_provider(base) is None
    assert auth_provider({**base, **flat}) == "default"
    assert auth_provider({**base, "kommun": flat}) == "kommun"
    assert auth_provider({**flat, "redirect_uri": "x"}) is None


def test_the_launcher_refuses_to_start_a_reachable_server_without_sign_in(tmp_path):
    empty = tmp_path / "secrets.toml"
    empty.write_text("")
    done = subprocess.run([sys.executable, "-m", "lagesbild.serve", "--server.address", "0.0.0.0",
                           "--server.port", "1", "--secrets.files", str(empty)],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "Lägesbild startar inte" in done.stderr and "0.0.0.0" in done.stderr


def test_the_launcher_reads_address_and_provider_as_streamlit_does(tmp_path):
    from lagesbild.serve import flag_options
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[auth]\nredirect_uri = "http://localhost:1/oauth2callback"\ncookie_secret = "s"\n'
                       'client_id = "c"\nclient_secret = "x"\nserver_metadata_url = "http://idp/x"\n')
    assert flag_options(["--server.address=1.2.3.4", "--server.port", "9", "--secrets.files", "a"]) == {
        "server.address": "1.2.3.4", "server.port": "9", "secrets.files": ["a"]}
    # In a process of its own: Streamlit's config and secrets are process-wide.
    code = ("from lagesbild.serve import startup_settings; "
            f"print(startup_settings(['--server.address', '0.0.0.0', '--secrets.files', {str(secrets)!r}]))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "('0.0.0.0', 'default')", done.stderr
