"""The anonymisation gate: nothing that identifies a person passes into the store, the import
log or the application log.

Every cell of every column that the mapping does not drop is read (free text included), except
fields that are parsed strictly as dates or numbers. A hit refuses the whole file. What is
refused, and how it is found (docs/import.md, "The anonymisation gate"):

- personnummer and samordningsnummer, 10 or 12 digits, with any dash, space or none, glued to
  other text or not, when the date and the check digit are valid (python-stdnum);
- names: two neighbouring words of which one is a first name and one a surname (any case),
  'Efternamn, Förnamn', 'A. Efternamn', and a capitalised word next to a name that is not also
  an ordinary Swedish word (data/privacy/names.csv, built from names-dataset and hunspell-sv);
  a name followed by a place word ('Astrid Lindgrens park') is a place, not a person;
- phone numbers, Swedish, with any grouping ('070.123.45.67', '+46 70 123 45 67');
- e-mail addresses, also written '(at)', '[at]', '[dot]';
- street addresses with a number ('hallundavägen 12', 'Tumbavägen12', 'Norsborgs gård 3') and
  apartment numbers ('lgh 1102').

The same finder masks what it finds in file names and in every message of a refusal
(`safe_problem`), so that the report and the log repeat nothing that the gate would refuse.
"""
from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from stdnum import luhn
from stdnum.se import personnummer

from lagesbild.errors import Problem
from loaders.errors import PersonalDataFound
from loaders.values import Collector

ROOT = Path(__file__).resolve().parents[1]
NAMES_FILE = ROOT / "data" / "privacy" / "names.csv"
PLACE_FILES = ((ROOT / "data" / "areas", ("kommundel", "regso_name")),
               (ROOT / "data" / "mappings" / "place_aliases.csv", ("alias", "area")))

PERSONNUMMER, NAMN, TELEFON, EPOST, ADRESS = "personnummer", "namn", "telefon", "e-post", "adress"
DESCRIPTION = {
    PERSONNUMMER: "ett personnummer eller samordningsnummer",
    NAMN: "namnet på en person",
    TELEFON: "ett telefonnummer",
    EPOST: "en e-postadress",
    ADRESS: "en gatuadress eller ett lägenhetsnummer",
}
WHAT_TO_DO = ("Ta bort uppgiften ur filen, eller markera kolumnen som 'drop' i mappningen "
              "om kolumnen inte behövs.")
NAME_HEADERS = re.compile(r"(?i)(^|[\s_-])(namn|förnamn|efternamn|name|personnummer|pnr|"
                          r"samordningsnummer|telefon|tel|mobil|e-?post|e-?mail|mejl|adress|"
                          r"gatuadress|anmälare|kontaktperson|elev|klient|brukare|målsägande|"
                          r"misstänkt)($|[\s_:-])")


@dataclass(frozen=True)
class Finding:
    """One piece of personal data in a text: its kind and where it is (start, end)."""

    kind: str
    start: int
    end: int


# --- normalising: one character for one character, so that spans fit the original text --------

_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005" \
          "\u2006\u2007\u2008\u2009\u200a\u200b\u2028\u2029\u202f\u205f\u2060\u3000\ufeff_"
_DASHES = "\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d"
_TABLE = str.maketrans({**dict.fromkeys(_SPACES, " "), **dict.fromkeys(_DASHES, "-")})


def normalise(text: str) -> str:
    """Spaces of every kind (and '_') as ' ', dashes as '-', full-width forms as ASCII; the
    result has the same length as the text."""
    s = str(text).translate(_TABLE)
    if s.isascii() or unicodedata.is_normalized("NFKC", s):
        return s
    return "".join(n if len(n := unicodedata.normalize("NFKC", ch)) == 1 else ch for ch in s)


def fold(word: str) -> str:
    """A word as names.csv keys it: lower case, without diacritics."""
    decomposed = unicodedata.normalize("NFD", word.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


# --- personnummer and samordningsnummer ---------------------------------------------------------

_PNR = re.compile(r"(?<!\d)((?:18|19|20)?\d{6}) ?([-+]?) ?(\d{4})(?!\d)")


def is_identity_number(date: str, sign: str, serial: str) -> bool:
    """A valid personnummer, or samordningsnummer (day of birth + 60): date and check digit."""
    number = f"{date}{sign or '-'}{serial}"
    day = int(date[-2:])
    if day <= 60:
        return personnummer.is_valid(number)
    try:
        personnummer.get_birth_date(f"{date[:-2]}{day - 60:02d}{sign or '-'}{serial}")
    except Exception:  # noqa: BLE001 - stdnum's ValidationError family: not a date
        return False
    return luhn.is_valid(date[-6:] + serial)


def _personnummer(text: str) -> list[Finding]:
    return [Finding(PERSONNUMMER, m.start(), m.end()) for m in _PNR.finditer(text)
            if is_identity_number(*m.groups())]


# --- phone numbers ------------------------------------------------------------------------------

_PHONE = re.compile(r"(?<![\w+])(?<!\d[-./ ])(?:(?:\+|00)46[ -]?(?:\(0\)[ -]?)?|\(?0)\(?[1-9]\d{0,2}\)?"
                    r"(?:[ .\-/]{0,2}\d){5,8}(?!\d)")
_DATE_LIKE = re.compile(r"\(?\d{1,4}[-./]\d{1,2}[-./]\d{1,4}")


def _national_digits(number: str) -> str:
    """The digits after the country code (+46, 0046, '(0)') or the leading 0."""
    digits = re.sub(r"\D", "", number)
    if number.lstrip("(").startswith(("+", "00")):
        digits = digits[4:] if digits.startswith("00") else digits[2:]
        return digits[1:] if digits.startswith("0") else digits
    return digits[1:]


def _phones(text: str) -> list[Finding]:
    return [Finding(TELEFON, m.start(), m.end()) for m in _PHONE.finditer(text)
            if 7 <= len(_national_digits(m.group())) <= 9 and not _DATE_LIKE.fullmatch(m.group())]


# --- e-mail ------------------------------------------------------------------------------------

_AT = r"(?:\s*@\s*|\s*[(\[{<]\s*(?:at|snabel-?a)\s*[)\]}>]\s*|\s+(?:at|snabel-?a)\s+)"
_DOT = r"(?:\.|\s*[(\[{<]\s*(?:dot|punkt)\s*[)\]}>]\s*|\s+(?:dot|punkt)\s+)"
_EMAIL = re.compile(rf"(?i)[\w.+-]*\w{_AT}[\w-]+(?:{_DOT}[\w-]+)*?{_DOT}[a-z]{{2,24}}(?![\w])")


def _emails(text: str) -> list[Finding]:
    return [Finding(EPOST, m.start(), m.end()) for m in _EMAIL.finditer(text)]


# --- street addresses ---------------------------------------------------------------------------

_NUMBER = r"\s*\d{1,4}(?:\s?[a-hA-H])?(?![\w])"
# Endings that make a street name of any word they are glued to ('hallundavägen', 'Tumbavägen').
_STREET_END = (r"(?:gatan|gata|vägen|väg|gränd|gränden|stigen|allé|allén|backe|backen|slingan|"
               r"leden|esplanaden|promenaden|terrassen|torget|platsen)")
# Endings that are streets only in a capitalised name ('Hallundaplan 3', 'Fittja gård 2').
_PLACE_END = r"(?:plan|torg|gången|gård|gården|stig|krok|kroken|vändan|hagen|udden|ringen)"
_ROAD_NUMBER = re.compile(r"(?i)(?:riks|läns|motor|europa|gen|omfarts|ring|cykel|gång)väg")
_NAMES_BEFORE = r"(?:[A-ZÅÄÖ][^\W\d_]*\s+){0,3}"  # 'Per Albin' in 'Per Albin Hanssons väg 3'
_STREET_WORD = r"(?:väg|vägen|gata|gatan|gränd|allé|backe|torg|gård)"
_STREETS = [
    re.compile(rf"(?i)(?<![\w])[^\W\d_]+{_STREET_END}{_NUMBER}"),                   # tumbavägen 12
    re.compile(rf"(?<![\w])[A-ZÅÄÖ][^\W\d_]*{_PLACE_END}{_NUMBER}"),                # Hallundaplan 3
    re.compile(rf"(?i)(?<![\w])(?-i:{_NAMES_BEFORE})[^\W\d_]+s\s+"                 # norsborgs gård 3
               rf"(?:{_STREET_WORD[3:-1]}|stig|plats|hage|udde|park){_NUMBER}"),
    re.compile(rf"(?<![\w]){_NAMES_BEFORE}[A-ZÅÄÖ][^\W\d_]+\s+{_STREET_WORD}{_NUMBER}"),  # Alby torg 10
    re.compile(r"(?i)(?<![\w])(?:lgh|lägenhet|lägenhetsnummer|lägenhetsnr)\.?\s*(?:nr\.?\s*)?"
               r"\d{4}(?!\d)"),                                                         # lgh 1102
]


def _addresses(text: str) -> list[Finding]:
    return [Finding(ADRESS, m.start(), m.end()) for pattern in _STREETS
            for m in pattern.finditer(text) if not _ROAD_NUMBER.match(m.group())]


# --- names -------------------------------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]+")
_INITIAL = re.compile(r"(?<![\w.])[A-ZÅÄÖ]\. ?$")
# Nouns after which a run of names is the name of a place ('Per Albin Hanssons väg').
PLACE_NOUNS = frozenset(fold(w) for w in """
väg vägen gata gatan gränd gränden allé allén backe backen torg torget plan planen plats platsen
park parken gård gården stig stigen skola skolan förskola förskolan gymnasium gymnasiet kyrka
kyrkan centrum bibliotek biblioteket hus huset hall hallen bad badet sjukhus vårdcentral
vårdcentralen museum museet stadion arena arenan bro bron äng ängen hage hagen udde udden minne
minnesplats institutet stiftelsen skolgård skolgården fritidsgård fritidsgården
""".split())


@dataclass(frozen=True)
class Word:
    """What the name list says about one word of a text."""

    first: bool = False
    last: bool = False
    word: bool = False  # also an ordinary Swedish word ('Per', 'Dag', 'Vid')
    title: bool = False  # written 'Abc'
    place: bool = False  # a place word or an area name

    @property
    def named(self) -> bool:
        return self.first or self.last

    @property
    def sure(self) -> bool:
        """A name that is not also an ordinary word."""
        return self.named and not self.word


@lru_cache(maxsize=1)
def name_table() -> dict[str, tuple[bool, bool, bool]]:
    """names.csv: folded name -> (first name, surname, ordinary word), area names left out."""
    with NAMES_FILE.open(encoding="utf-8") as f:
        table = {r["name"]: (r["first"] == "1", r["last"] == "1", r["word"] == "1")
                 for r in csv.DictReader(f)}
    for word in place_words():
        table.pop(word, None)
    return table


@lru_cache(maxsize=1)
def place_words() -> frozenset[str]:
    """Every word of the areas' names and place aliases, and the place nouns (folded)."""
    words = set(PLACE_NOUNS)
    for path, columns in PLACE_FILES:
        for file in sorted(path.glob("*.csv")) if path.is_dir() else [path]:
            with file.open(encoding="utf-8") as f:
                for row in csv.DictReader(f):
                    words.update(fold(w) for c in columns for w in _WORD.findall(row.get(c) or ""))
    return frozenset(words)


def describe(token: str) -> Word:
    key, table = fold(token), name_table()
    title = token[0].isupper() and token[1:].islower() and len(token) > 1
    if key in place_words():
        return Word(title=title, place=True)
    if key not in table and key.endswith("s") and table.get(key[:-1], (0, 0, 0))[1]:
        key = key[:-1]  # genitive of a surname: 'Svenssons'
    first, last, word = table.get(key, (False, False, False))
    return Word(first, last, word, title)


def is_name_pair(a: Word, b: Word) -> bool:
    """Two neighbouring words that together name a person."""
    if a.place or b.place:
        return False
    listed = (a.first and b.last) or (a.last and b.first)
    if listed and not (a.word and b.word):
        return True
    return a.title and b.title and (a.sure or b.sure)


def _place_named(text: str, tokens: list[re.Match], words: list[Word]) -> set[int]:
    """Indices of words that, with a place noun after them, name a place ('Astrid Lindgrens
    park', 'per albin hanssons väg'), not a person."""
    inside: set[int] = set()
    for j in range(1, len(tokens)):
        noun = tokens[j].group()
        if fold(noun) not in PLACE_NOUNS or words[j].title or not _spaced(text, tokens, j - 1):
            continue
        before = words[j - 1]
        title = before.title
        if not (title or (before.last and tokens[j - 1].group().lower().endswith("s"))):
            continue
        k = j - 1
        while k >= 0 and (words[k].title if title else words[k].named):
            inside.add(k)
            if k == 0 or not _spaced(text, tokens, k - 1):
                break
            k -= 1
    return inside


def _spaced(text: str, tokens: list[re.Match], i: int) -> bool:
    """Only spaces between word i and word i + 1."""
    gap = text[tokens[i].end():tokens[i + 1].start()]
    return bool(gap) and not gap.strip()


def _names(text: str) -> list[Finding]:
    tokens = list(_WORD.finditer(text))
    if not tokens:
        return []
    words = [describe(t.group()) for t in tokens]
    places = _place_named(text, tokens, words)
    found = [Finding(NAMN, tokens[i].start(), tokens[i].end()) for i, w in enumerate(words)
             if w.last and (w.title or not w.word) and i not in places
             and _INITIAL.search(text[max(0, tokens[i].start() - 4):tokens[i].start()])]
    for i in range(len(tokens) - 1):
        if i in places or i + 1 in places:
            continue
        a, b = words[i], words[i + 1]
        gap = text[tokens[i].end():tokens[i + 1].start()]
        pair = (_spaced(text, tokens, i) and is_name_pair(a, b)) or (
            gap.strip() == "," and a.last and b.first and not (a.word and b.word))
        if pair:
            found.append(Finding(NAMN, tokens[i].start(), tokens[i + 1].end()))
    return [_with_initial(text, f) for f in found]


def _with_initial(text: str, finding: Finding) -> Finding:
    m = _INITIAL.search(text[max(0, finding.start - 4):finding.start])
    return Finding(finding.kind, finding.start - len(m.group()), finding.end) if m else finding


# --- the finder ---------------------------------------------------------------------------------

FINDERS = (_personnummer, _emails, _phones, _addresses, _names)


def find(text: str) -> list[Finding]:
    """Every piece of personal data in the text, in order, overlapping ones merged (the kind
    found first by FINDERS wins)."""
    s = normalise(text)
    if not any(ch.isalnum() for ch in s):
        return []
    merged: list[Finding] = []
    for f in sorted((f for finder in FINDERS for f in finder(s)), key=lambda f: (f.start, -f.end)):
        if merged and f.start < merged[-1].end:
            last = merged[-1]
            merged[-1] = Finding(last.kind, last.start, max(last.end, f.end))
        else:
            merged.append(f)
    return merged


def classify(text: str) -> str | None:
    """The kind of the first piece of personal data in the text, or None."""
    s = normalise(text)
    if not any(ch.isalnum() for ch in s):
        return None
    for finder in FINDERS:
        hits = finder(s)
        if hits:
            return hits[0].kind
    return None


def masked(kind: str, value: str, partial: bool) -> str:
    """What stands in a message for a piece of personal data: '[namn]', or for a personnummer
    the year and month only ('8112**-****') when `partial`."""
    if kind == PERSONNUMMER and partial:
        digits = re.sub(r"\D", "", value)[-10:]
        return f"{digits[:4]}**-****"
    return f"[{kind}]"


def redact(text: str | None, partial: bool = False) -> str | None:
    """The text with every piece of personal data masked."""
    if text is None or text == "":
        return text
    s = str(text)
    out, at = [], 0
    for f in find(s):
        out += [s[at:f.start], masked(f.kind, s[f.start:f.end], partial)]
        at = f.end
    return "".join(out) + s[at:]


def safe_file_name(name: str) -> str:
    """A file name fit for the import log: 'orosanmalan_[namn]_[personnummer].csv'."""
    return redact(name) or name


def safe_problem(problem: Problem) -> Problem:
    """The problem with nothing in it that the gate would refuse (file, column, value, message)."""
    return Problem(redact(problem.file), problem.row, redact(problem.column),
                   redact(problem.value, partial=True), redact(problem.message))


# --- the gate over a whole file -----------------------------------------------------------------

# A value can only hold personal data when one of these looser patterns (no lookarounds, Unicode
# classes, RE2 syntax) matches it or one of its words is in the name list: the gate runs `find`
# only on such values, found for a whole column at once with pyarrow.
_WS = r"[\t\n\x{0b}\f\r\x{1c}-\x{1f}\x{85}\p{Z}_]"
MAYBE_PERSONAL = "|".join(f"(?:{pattern})" for pattern in [
    # personnummer: 6 (or 8) digits, at most three spaces/dashes/'+', 4 digits
    r"\p{Nd}{6}(?:[+\-\x{ad}\x{2010}-\x{2015}\x{2212}\x{fe58}\x{fe63}\x{ff0b}\x{ff0d}]|" + _WS + r"){0,3}\p{Nd}{4}",
    # phone: +46/0046, or a 0 that starts a number (not inside an id like 'K1000000'), 6+ digits on
    r"(?:[+\x{ff0b}]|00)" + _WS + r"*4" + _WS + r"*6|(?:^|[^\p{L}\p{Nd}+\x{ff0b}])\(?[0\x{ff10}]"
    r"(?:[().\-/\x{ad}\x{2010}-\x{2015}\x{2212}\x{fe58}\x{fe63}\x{ff0d}]|" + _WS + r"){0,4}"
    r"(?:\p{Nd}(?:[().\-/\x{ad}\x{2010}-\x{2015}\x{2212}\x{fe58}\x{fe63}\x{ff0d}]|" + _WS + r"){0,3}){6,}",
    r"(?i)(?:@|\bat\b|snabel)",
    r"(?i)(?:" + _STREET_END[3:-1] + "|" + _PLACE_END[3:-1] + r"|väg|gata|gränd|allé|backe|"
    r"torg|gård|stig|plats|hage|udde|park)" + _WS + r"*\p{Nd}",
    r"(?i)(?:lgh|lägenhet)",
    r"\p{Lu}\.",                                                     # 'A. Svensson'
])


# Two neighbouring words in a raw value: a non-digit, a run without letters, marks or numbers,
# a non-digit. A superset of what `_names` pairs (its gap, once normalised, is spaces and at most
# a comma; an initial 'A. ' or 'A.' before a surname; no character of such a gap is a letter, mark
# or number before normalising either, and the characters around it are not digits).
TWO_WORDS = r"[^\p{Nd}][^\p{L}\p{M}\p{N}]+[^\p{Nd}]"


@lru_cache(maxsize=1)
def _name_keys():
    """Names that are not also ordinary words, and their genitives: every name rule needs one."""
    import pyarrow as pa
    sure = {k: last for k, (first, last, word) in name_table().items() if not word}
    keys = set(sure) | {k + "s" for k, last in sure.items() if last}
    return pa.array(sorted(keys), type=pa.large_string())


def _candidates(values: pd.Series) -> pd.Series:
    """The distinct values of a column that may hold personal data (a superset of the hits)."""
    distinct = pd.Series(values.astype(str).unique(), dtype=object)
    if len(distinct) <= 2000:
        return distinct
    try:
        return distinct[_maybe_personal(distinct.tolist())]
    except Exception:  # noqa: BLE001 - no pyarrow or no RE2 feature: scan every value
        return distinct


def _maybe_personal(values: list[str]) -> np.ndarray:
    import pyarrow as pa
    import pyarrow.compute as pc
    text = pa.array(values, type=pa.large_string())
    hit = pc.match_substring_regex(text, MAYBE_PERSONAL).to_numpy(zero_copy_only=False)
    bare = pc.replace_substring_regex(pc.utf8_normalize(pc.utf8_lower(text), "NFD"), r"\p{Mn}", "")
    words = pc.split_pattern_regex(bare, r"[^\p{L}]+")
    named = pc.is_in(pc.list_flatten(words), value_set=_name_keys()).to_numpy(zero_copy_only=False)
    parents = pc.list_parent_indices(words).to_numpy(zero_copy_only=False)
    with_name = np.zeros(len(values), dtype=bool)
    with_name[np.unique(parents[named])] = True
    # Every name rule needs two words with only spaces (or a comma, or an initial's '.') between
    # them: a value whose words are all separated by digits ('KS-21-K1000000') names nobody.
    paired = pc.match_substring_regex(text, TWO_WORDS).to_numpy(zero_copy_only=False)
    return hit | (with_name & paired)


def check(file: str, gate: pd.DataFrame) -> None:
    """Refuse the file when any scanned header or cell looks like personal data.

    Each distinct value is searched once; a hit is reported for every row that holds it, with
    the value masked.
    """
    problems = Collector(file, PersonalDataFound)
    for column in gate.columns:
        if NAME_HEADERS.search(str(column)) or find(str(column)):
            problems.add(1, column, None, "Kolumnen ser ut att innehålla personuppgifter. "
                         "Ta bort den ur filen eller markera den som 'drop' i mappningen.")
            continue
        hits = {v: found for v in _candidates(gate[column]) if (found := find(v))}
        for row, value in gate[column].items() if hits else ():
            found = hits.get(str(value))
            if found:
                problems.add(int(row), column, _shown(str(value), found),
                             f"Värdet ser ut att innehålla {DESCRIPTION[found[0].kind]}. {WHAT_TO_DO}")
    problems.raise_if_any()


def _shown(value: str, found: list[Finding]) -> str:
    """The masked pieces of a refused value, without the text around them."""
    return " ".join(masked(f.kind, value[f.start:f.end], partial=True) for f in found)
