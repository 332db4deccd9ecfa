"""What the demo data set looks like: sources, yearly volumes and the shape of each category."""
from __future__ import annotations

# (source, the source's own category name, incidents per year in all of Botkyrka, profile)
DEMO_STREAMS: list[tuple[str, str, int, str]] = [
    ("polis", "Misshandel", 500, "violence"),
    ("polis", "Misshandel, grov", 40, "violence"),
    ("polis", "Olaga hot", 450, "violence"),
    ("polis", "Våld i nära relation", 350, "home"),
    ("polis", "Sexualbrott", 150, "violence"),
    ("polis", "Ungdomsbråk", 250, "youth"),
    ("polis", "Rån", 120, "violence"),
    ("polis", "Skottlossning", 15, "violence"),
    ("polis", "Narkotikabrott", 600, "violence"),
    ("polis", "Bedrägeri", 250, "office"),
    ("polis", "Stöld/inbrott", 700, "property"),
    ("polis", "Skadegörelse", 400, "property"),
    ("polis", "Rattfylleri", 300, "traffic"),
    ("kommun", "Kränkande behandling", 1200, "school"),
    ("kommun", "Hot mot elev", 300, "school"),
    ("kommun", "Våld mellan elever", 500, "school"),
    ("kommun", "Orosanmälan", 900, "social"),
    ("kommun", "Orosanmälan våld i nära relation", 250, "social"),
    ("kommun", "Gruppering unga", 300, "youth"),
    ("kommun", "Otrygg plats", 150, "place"),
    ("kommun", "Narkotikaindikation", 120, "place"),
    ("botkyrkabyggen", "Störningsärende", 1800, "housing"),
    ("botkyrkabyggen", "Klotter", 1100, "housing"),
    ("botkyrkabyggen", "Skadegörelse", 800, "housing"),
    ("botkyrkabyggen", "Trasig belysning", 600, "housing"),
    ("botkyrkabyggen", "Inbrott förråd/källare", 400, "housing"),
    ("botkyrkabyggen", "Nedskräpning", 600, "housing"),
    ("raddningstjanst", "Brand i container", 700, "fire"),
    ("raddningstjanst", "Brand i fordon", 250, "fire"),
    ("raddningstjanst", "Brand i byggnad", 200, "fire"),
    ("raddningstjanst", "Brand i gräs eller skog", 400, "grassfire"),
]

# Relative hour-of-day weights (24 values) per profile family.
_EVENING = [3, 2, 1.5, 1, 0.6, 0.4, 0.4, 0.6, 0.8, 1, 1.1, 1.2, 1.3, 1.4, 1.6, 1.9, 2.2, 2.6,
            3.2, 3.8, 4.2, 4.4, 4.2, 3.6]
_SCHOOL = [0, 0, 0, 0, 0, 0, 0, 0.2, 2, 3, 3.5, 3.5, 4, 3.5, 3, 2.5, 1, 0.3, 0, 0, 0, 0, 0, 0]
_OFFICE = [0, 0, 0, 0, 0, 0, 0, 0.5, 2.5, 3.5, 3.5, 3, 2.5, 3.5, 3.5, 3, 2, 0.5, 0, 0, 0, 0, 0, 0]
_DAY = [0.3, 0.2, 0.2, 0.2, 0.2, 0.3, 0.6, 1.2, 2, 2.4, 2.5, 2.5, 2.5, 2.5, 2.5, 2.6, 2.6, 2.5,
        2.2, 1.8, 1.4, 1.1, 0.8, 0.5]
_NIGHT = [3.5, 3.2, 2.6, 2, 1.2, 0.6, 0.3, 0.3, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1, 1.2, 1.5,
          2, 2.6, 3.2, 3.8, 4.2, 4]
HOURS = {"violence": _EVENING, "home": _EVENING, "youth": _EVENING, "office": _OFFICE,
         "property": _DAY, "traffic": _NIGHT, "school": _SCHOOL, "social": _OFFICE,
         "place": _EVENING, "housing": _DAY, "fire": _NIGHT, "grassfire": _DAY}

PLACES = {
    "violence": {"gata": .3, "centrum": .2, "torg": .12, "park": .1, "trapphus": .08, "bostad": .15,
                 "garage": .05},
    "home": {"bostad": .88, "trapphus": .07, "gata": .05},
    "youth": {"gata": .3, "centrum": .25, "torg": .2, "park": .1, "bibliotek": .05, "skola": .1},
    "office": {"okänd": 1.0},
    "property": {"bostad": .3, "källare": .2, "garage": .2, "gata": .15, "centrum": .15},
    "traffic": {"gata": 1.0},
    "school": {"skola": 1.0},
    "social": {"okänd": 1.0},
    "place": {"torg": .3, "centrum": .3, "park": .2, "gata": .2},
    "housing": {"trapphus": .4, "källare": .2, "garage": .15, "gata": .25},
    "fire": {"gata": .35, "garage": .15, "källare": .1, "trapphus": .1, "centrum": .1, "skola": .1,
             "park": .1},
    "grassfire": {"park": .7, "gata": .3},
}

AGES = {
    "violence": {"12-17": .15, "18-20": .15, "21+": .6, "okänd": .1},
    "home": {"21+": .85, "18-20": .1, "okänd": .05},
    "youth": {"12-17": .6, "18-20": .3, "21+": .1},
    "office": {"21+": .8, "okänd": .2},
    "school": {"0-11": .4, "12-17": .6},
    "social": {"0-11": .5, "12-17": .5},
}

# Multiplier on the rate by SCB socio-economic area type (1 = major challenges ... 4/5 = good).
AREA_FACTOR = {1: 2.2, 2: 1.6, 3: 1.1, 4: 0.6, 5: 0.5}
HOUSING_AREA_FACTOR = {1: 1.8, 2: 1.5, 3: 0.9, 4: 0.35, 5: 0.3}

RESPONSIBLE = ["Botkyrkabyggen", "Kommunen – gatuenheten", "Kommunen – parkenheten",
               "Kommunen – fältare", "Polisen", "Södertörns brandförsvarsförbund",
               "Privat fastighetsägare"]
WALK_TEXT = {
    "belysning": ("Släckt belysning längs gångväg", "Byt armatur och se över belysningen"),
    "vegetation": ("Buskage skymmer sikten vid gångtunnel", "Beskär buskage"),
    "klotter": ("Klotter på fasad och elskåp", "Sanera klotter"),
    "nedskräpning": ("Mycket skräp vid återvinningsstation", "Utöka tömning och städning"),
    "skadegörelse": ("Krossad glasruta i busskur", "Ersätt glaset"),
    "framkomlighet": ("Trasig asfalt på gång- och cykelväg", "Laga beläggningen"),
    "otrygg plats": ("Mörk och öde passage upplevs otrygg", "Se över belysning och rörelsestråk"),
    "trafik": ("Höga hastigheter förbi skola", "Utred farthinder"),
}
REJECT_REASONS = ["Ligger utanför kommunens ansvar", "Åtgärdas i planerad ombyggnad",
                  "Bedöms inte som trygghetsproblem efter platsbesök"]
