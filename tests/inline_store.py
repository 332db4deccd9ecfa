"""A tiny store written by hand: a dozen incident rows, two housing rows and one safety walk,
imported through the real loaders (so the marts are built as in production), on both backends.

Every number a test pins against this store is worked out by hand from the rows below: keep the
comments beside each row true when you change one.

    week (ISO)  Monday      rows (area, category, source, count)
    2025-W44    2025-10-27  L  Albydalen skadegörelse polis 1           (the same weeks last year)
    2026-W42    2026-10-12  P1 Fittja misshandel polis 1
    2026-W43    2026-10-19  P2 Albyberget skadegörelse polis 1
    2026-W44    2026-10-26  A  Albyberget misshandel polis 1  (Mon 26 Oct, with a point)
                            B  Albyberget misshandel polis 4  (Tue 27 Oct, "Antal" 4, with a point)
                            C  Albydalen skadegörelse polis 1 (Sat 31 Oct, with a point)
                            D  Albydalen skadegörelse polis 1 (Sun 1 Nov: the month boundary, with a point)
    2026-W45    2026-11-02  E  Fittja rån polis 1             (Tue 3 Nov)
                            F  Fittja klotter botkyrkabyggen 1 (Thu 5 Nov, with a point)
                            G  Fittja klotter botkyrkabyggen 1 (Fri 6 Nov, with a point)
                            H  Storvreten olaga hot polis 1    (Sat 7 Nov)
    2026-W46    2026-11-09  I  Albydalen skadegörelse polis 1 (Tue 10 Nov)

Person-related: misshandel, rån, olaga hot (pyramid levels 4, 4, 2). Place-bound: skadegörelse,
klotter. Strategic areas: misshandel, olaga hot → våldsförebyggande; skadegörelse →
brottsförebyggande; rån → brottsbekämpande; klotter → trygghetsskapande. Kommundelar: Alby
(Albyberget, Albydalen), Fittja (Fittja), Tumba (Storvreten).

Points (SWEREF99 TM) and their 250 m cells (lower-left corners):
    A, B  662 010 / 6 571 130  → cell 662 000 / 6 571 000   (5 misshandel)
    C, D  661 300 / 6 570 400  → cell 661 250 / 6 570 250   (2 skadegörelse)
    F, G  662 400 / 6 570 900  → cell 662 250 / 6 570 750   (2 klotter)

Housing (Botkyrkabyggen, 2026-Q3): Albyberget 400 apartments, 8 vacant, 12 moves out, 20
disturbance cases, 4 damage, 2 evictions; Fittja 500, 5, 10, 30, 15, 6.

Walk TV-2026-10 (2026-10-08, Fittja, dark), observations:
    1 belysning   deadline 2026-10-22  åtgärdad 2026-10-15 (7 days, in time)
    2 vegetation  deadline 2026-10-29  åtgärdad 2026-11-05 (28 days, late)
    3 klotter     deadline 2026-11-05  ny          (open, overdue on 2026-11-18)
    4 nedskräpning deadline 2026-11-25 planerad    (open, not overdue)
"""
from __future__ import annotations

import datetime as dt

import pytest

from lagesbild.privacy import PerturbationTable, Policy
from loaders.kinds import Options
from loaders.pipeline import run_import
from loaders.source import SourceFile

TODAY = dt.date(2026, 11, 18)  # a Wednesday: the last complete week is 2026-W46
NO_NOISE = PerturbationTable(noise=(0,), probabilities=(1.0,))
EXACT = Policy(k=5, ptable=NO_NOISE)  # the published value is the true count, "<5" for 1–4 person-related

POLIS = ["Tidpunkt;Kategori;Område;E;N;Antal",
         "2025-10-30 12:00;Skadegörelse;Albydalen;;;1",           # L
         "2026-10-14 09:00;Misshandel;Fittja;;;1",                # P1
         "2026-10-20 18:00;Skadegörelse;Albyberget;;;1",          # P2
         "2026-10-26 10:00;Misshandel;Albyberget;662010;6571130;1",  # A
         "2026-10-27 22:00;Misshandel;Albyberget;662010;6571130;4",  # B
         "2026-10-31 23:30;Skadegörelse;Albydalen;661300;6570400;1",  # C
         "2026-11-01 01:15;Skadegörelse;Albydalen;661300;6570400;1",  # D
         "2026-11-03 15:00;Rån;Fittja;;;1",                       # E
         "2026-11-07 21:00;Olaga hot;Storvreten;;;1",             # H
         "2026-11-10 08:00;Skadegörelse;Albydalen;;;1"]           # I
BOTKYRKABYGGEN = ["Datum;Kategori;Område;E;N",
                  "2026-11-05;Klotter;Fittja;662400;6570900",     # F
                  "2026-11-06;Klotter;Fittja;662400;6570900"]     # G
HOUSING = ["Område;Period;Lägenheter;Vakanta;Omflyttning;Störningsärenden;Skadegörelse;Avhysningar",
           "Albyberget;2026-Q3;400;8;12;20;4;2",
           "Fittja;2026-Q3;500;5;10;30;15;6"]
WALK = ["Vandring;Datum;Ljus;Område;Nr;Kategori;Beskrivning;Förslag till åtgärd;Ansvarig;"
        "Prioritet;Klart senast;Status;Åtgärdad datum;Motivering;Protokollförare",
        "TV-2026-10;2026-10-08;Mörker;Fittja;1;Belysning;Släckt lampa;Byt armatur;Kommunen;Hög;"
        "2026-10-22;Åtgärdad;2026-10-15;;Protokoll",
        "TV-2026-10;2026-10-08;Mörker;Fittja;2;Vegetation/skymd sikt;Buskage;Beskär;Botkyrkabyggen;Medel;"
        "2026-10-29;Åtgärdad;2026-11-05;;Protokoll",
        "TV-2026-10;2026-10-08;Mörker;Fittja;3;Klotter;Klotter på vägg;Sanera;Botkyrkabyggen;Låg;"
        "2026-11-05;Ny;;;Protokoll",
        "TV-2026-10;2026-10-08;Mörker;Fittja;4;Nedskräpning;Skräp;Städa;Kommunen;Låg;"
        "2026-11-25;Planerad;;;Protokoll"]


def _csv(lines: list[str]) -> bytes:
    return ("\r\n".join(lines) + "\r\n").encode("utf-8")


def build(engine) -> None:
    """Import the rows above into an empty, migrated store through the loaders."""
    for kind, name, lines, source in (("incidents", "polis.csv", POLIS, "polis"),
                                      ("incidents", "bkb.csv", BOTKYRKABYGGEN, "botkyrkabyggen"),
                                      ("housing", "boende.csv", HOUSING, "botkyrkabyggen"),
                                      ("walks", "vandring.csv", WALK, "kommun")):
        result = run_import(engine, kind, SourceFile(name, _csv(lines)), Options(source=source))
        assert result.stored.inserted == len(lines) - 1, (name, result)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def inline_engine(request, tmp_path_factory):
    """The inline store on each backend, built once per test module (read-only for tests)."""
    from lagesbild.setup import ensure_database
    from lagesbild.store.engine import make_engine
    from tests.conftest import _create_pg_db, _drop_pg_db
    name = f"lagesbild_inline_{request.module.__name__.rsplit('.', 1)[-1][:20]}"
    pg = request.param == "postgresql"
    url = (_create_pg_db(request.getfixturevalue("pg_admin"), name, request.getfixturevalue("pg_template")) if pg
           else f"sqlite:///{tmp_path_factory.mktemp('inline') / 'inline.db'}")
    engine = make_engine(url)
    ensure_database(engine, demo=False)  # a copy of the migrated template on PostgreSQL: nothing to do
    build(engine)
    yield engine
    engine.dispose()
    if pg:
        _drop_pg_db(request.getfixturevalue("pg_admin"), name)
