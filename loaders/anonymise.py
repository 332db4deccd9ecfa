"""The anonymisation gate: nothing that identifies a person passes into the store.

Every cell of every column that the mapping does not drop is read (free text included), except
fields that are parsed strictly as dates or numbers. A hit refuses the whole file; the report
names row and column and shows the value masked, so the report itself leaks nothing.
"""
from __future__ import annotations

import re

import pandas as pd

from loaders.errors import PersonalDataFound
from loaders.values import Collector

PNR = re.compile(r"(?<![\d-])(?:19|20)?(\d{2})(\d{2})(\d{2})[-+ ]?(\d{4})(?![\d-])")
PHONE = re.compile(r"(?<![\w+])(?:\+46|0046|0)[\s-]?\(?\d{1,3}\)?(?:[\s-]?\d){5,8}(?!\d)")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_SUFFIX = (r"(?:gatan|gata|vägen|väg|gränd|gränden|stigen|stig|backe|backen|allé|allén|torg|"
           r"torget|plan|gången|slingan|leden|esplanaden|platsen|promenaden|terrassen)")
STREET = re.compile(r"(?<![\w])(?:[A-ZÅÄÖ][\wåäöéü-]*" + _SUFFIX + r"|[A-ZÅÄÖ][\wåäöéü-]+\s+"
                    + _SUFFIX + r")\s+\d{1,4}\s?[a-hA-H]?(?![\w])")
NAME_HEADERS = re.compile(r"(?i)(^|[\s_-])(namn|förnamn|efternamn|name|personnummer|pnr|"
                          r"samordningsnummer|telefon|tel|mobil|e-?post|e-?mail|mejl|adress|"
                          r"gatuadress|anmälare|kontaktperson|elev|klient|brukare|målsägande|"
                          r"misstänkt)($|[\s_:-])")
# Common first names in Sweden (SCB name statistics), for "Förnamn Efternamn" in free text.
FIRST_NAMES = frozenset("""
anna eva maria karin sara lena kerstin emma ingrid marie malin christina birgitta linnea elin
sofia johanna hanna ida julia amanda elsa ebba wilma alice maja olivia astrid alva lisa ulla
fatima amina aisha leila yasmin sandra jessica camilla helena annika susanne monica
lars mikael anders johan erik per karl peter jan thomas daniel fredrik hans bengt andreas
stefan mats magnus marcus oscar william lucas liam elias hugo noah adam alexander viktor
filip isak emil oliver ali mohammed mohamed mohammad ahmed ahmad hassan hussein omar yusuf
ibrahim mustafa abdi abdullahi mahmoud khalid samir robert niklas patrik jonas martin simon
""".split())
NAME_PAIR = re.compile(r"\b([A-ZÅÄÖ][a-zåäöéü]+)\s+([A-ZÅÄÖ][a-zåäöéü]+(?:-[A-ZÅÄÖ][a-zåäöéü]+)?)\b")

WHAT_TO_DO = ("Ta bort uppgiften ur filen, eller markera kolumnen som 'drop' i mappningen "
              "om kolumnen inte behövs.")


def luhn_ok(digits: str) -> bool:
    total = 0
    for i, ch in enumerate(digits):
        d = int(ch) * (2 - i % 2)
        total += d - 9 if d > 9 else d
    return total % 10 == 0


def find_personnummer(text: str) -> str | None:
    """A personnummer or samordningsnummer (day + 60) with a valid check digit, else None."""
    for m in PNR.finditer(text):
        yy, mm, dd, tail = m.groups()
        day = int(dd) - 60 if int(dd) > 60 else int(dd)
        if 1 <= int(mm) <= 12 and 1 <= day <= 31 and luhn_ok(yy + mm + dd + tail):
            return ("samordningsnummer" if int(dd) > 60 else "personnummer")
    return None


def find_name(text: str) -> bool:
    return any(first.casefold() in FIRST_NAMES for first, _ in NAME_PAIR.findall(text))


def classify(text: str) -> str | None:
    """What kind of personal data the text holds (Swedish label), or None."""
    if not text or not any(ch.isalnum() for ch in text):
        return None
    found = find_personnummer(text)
    if found:
        return found
    if EMAIL.search(text):
        return "e-postadress"
    if PHONE.search(text):
        return "telefonnummer"
    if STREET.search(text):
        return "gatuadress med nummer"
    if find_name(text):
        return "namn på en person"
    return None


def mask(text: str) -> str:
    """Enough of the value to find it in the file, too little to identify anyone."""
    s = str(text).strip()
    return s[:2] + re.sub(r"\w", "•", s[2:12]) + ("…" if len(s) > 12 else "")


# A value can only be classified as personal data when one of these looser patterns (no
# lookarounds, Unicode classes as Python's re uses them) occurs in it: the gate runs `classify`
# only on such values, found for a whole column at once with pyarrow (RE2).
_WS = r"[\t\n\x{0b}\f\r\x{1c}-\x{1f}\x{85}\p{Z}]"
_D = r"\p{Nd}"
MAYBE_PERSONAL = "|".join([
    rf"{_D}{{6}}[-+ ]?{_D}{{4}}",                                                  # PNR
    "@",                                                                            # EMAIL
    rf"(?:\+46|0046|0)(?:{_WS}|-)?\(?{_D}{{1,3}}\)?(?:(?:{_WS}|-)?{_D}){{5,8}}",  # PHONE
    _SUFFIX + rf"{_WS}+{_D}",                                                       # STREET
    rf"[A-ZÅÄÖ][a-zåäöéü]+{_WS}+[A-ZÅÄÖ][a-zåäöéü]",                                 # NAME_PAIR
])


def _candidates(values: pd.Series) -> pd.Series:
    """The distinct values of a column that may hold personal data (a superset of the hits)."""
    distinct = pd.Series(values.astype(str).unique(), dtype=object)
    if len(distinct) <= 2000:
        return distinct
    try:
        import pyarrow as pa
        import pyarrow.compute as pc
        hit = pc.match_substring_regex(pa.array(distinct.tolist(), type=pa.large_string()),
                                       MAYBE_PERSONAL)
        return distinct[hit.to_numpy(zero_copy_only=False)]
    except Exception:  # noqa: BLE001 - no pyarrow or no RE2 feature: scan every value
        return distinct


def check(file: str, gate: pd.DataFrame) -> None:
    """Refuse the file when any scanned header or cell looks like personal data.

    Each distinct value is classified once; a hit is reported for every row that holds it.
    """
    problems = Collector(file, PersonalDataFound)
    for column in gate.columns:
        if NAME_HEADERS.search(str(column)):
            problems.add(1, column, None, "Kolumnen ser ut att innehålla personuppgifter. "
                         "Ta bort den ur filen eller markera den som 'drop' i mappningen.")
            continue
        hits = {v: kind for v in _candidates(gate[column]) if (kind := classify(v))}
        if not hits:
            continue
        for row, value in gate[column].items():
            kind = hits.get(str(value))
            if kind:
                problems.add(int(row), column, mask(value),
                             f"Värdet ser ut att innehålla ett {kind}. {WHAT_TO_DO}")
    problems.raise_if_any()
