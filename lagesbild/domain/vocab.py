"""Fixed vocabularies (codes as stored) and their Swedish labels for the UI."""
from __future__ import annotations

SOURCES: dict[str, str] = {
    "polis": "Polisen",
    "kommun": "Kommunen",
    "botkyrkabyggen": "Botkyrkabyggen",
    "raddningstjanst": "Räddningstjänsten",
}

STRATEGIC_AREAS: dict[str, str] = {
    "trygghetsskapande": "Trygghetsskapande",
    "brottsförebyggande": "Brottsförebyggande",
    "våldsförebyggande": "Våldsförebyggande",
    "brottsbekämpande": "Brottsbekämpande insatser",
}

FOCUS_AREAS: dict[str, str] = {
    "barn och unga": "Barn och unga",
    "våld i nära relationer": "Våld i nära relationer",
    "narkotika": "Narkotika",
    "välfärdsbrott": "Välfärdsbrott",
}

SENSITIVITY: dict[str, str] = {
    "person": "Personrelaterad (små tal döljs)",
    "plats": "Platsbunden",
}

PYRAMID_LEVELS: dict[int, str] = {
    1: "1 Kränkningar",
    2: "2 Hot om våld",
    3: "3 Knuffar och sparkar",
    4: "4 Misshandel",
    5: "5 Grovt våld",
}

PLACE_TYPES: dict[str, str] = {
    "gata": "Gata",
    "torg": "Torg",
    "centrum": "Centrum",
    "bibliotek": "Bibliotek",
    "trapphus": "Trapphus",
    "garage": "Garage",
    "källare": "Källare",
    "skola": "Skola",
    "park": "Park",
    "bostad": "Bostad",
    "okänd": "Okänd",
}

AGE_GROUPS: dict[str, str] = {
    "0-11": "0–11 år",
    "12-17": "12–17 år",
    "18-20": "18–20 år",
    "21+": "21+ år",
    "okänd": "Okänd ålder",
}

WALK_CATEGORIES: dict[str, str] = {
    "belysning": "Belysning",
    "vegetation": "Vegetation/skymd sikt",
    "klotter": "Klotter",
    "nedskräpning": "Nedskräpning",
    "skadegörelse": "Skadegörelse",
    "framkomlighet": "Framkomlighet",
    "otrygg plats": "Otrygg plats",
    "trafik": "Trafik",
}

WALK_STATUSES: dict[str, str] = {
    "ny": "Ny",
    "planerad": "Planerad",
    "åtgärdad": "Åtgärdad",
    "avslagen": "Avslagen",
}

PRIORITIES: dict[str, str] = {"hög": "Hög", "medel": "Medel", "låg": "Låg"}

LIGHT: dict[str, str] = {"dagsljus": "Dagsljus", "mörker": "Mörker"}

AREA_LEVELS: dict[str, str] = {
    "kommun": "Kommun",
    "kommundel": "Kommundel",
    "omrade": "Område (RegSO)",
    "okant": "Okänt område",
}

UNKNOWN_AREA_CODE = "okant"
UNKNOWN_AREA_NAME = "Okänt område"
