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


def check(file: str, gate: pd.DataFrame) -> None:
    """Refuse the file when any scanned header or cell looks like personal data."""
    problems = Collector(file, PersonalDataFound)
    for column in gate.columns:
        if NAME_HEADERS.search(str(column)):
            problems.add(1, column, None, "Kolumnen ser ut att innehålla personuppgifter. "
                         "Ta bort den ur filen eller markera den som 'drop' i mappningen.")
            continue
        for row, value in gate[column].items():
            kind = classify(str(value))
            if kind:
                problems.add(int(row), column, mask(value),
                             f"Värdet ser ut att innehålla ett {kind}. {WHAT_TO_DO}")
    problems.raise_if_any()
