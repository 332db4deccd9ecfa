"""Builds data/privacy/names.csv, the name list the anonymisation gate reads (run once, by hand).

Sources (none is needed at run time, only to rebuild the list):
- `names-dataset` 3.3.1 (PyPI; Apache-2.0 by its LICENSE file): first names and surnames with their rank per
  country, from a large public profile set. Its wheel is 56 MB, too heavy to install with the
  app, so the gate ships the compact extract this script writes.
- `hunspell-sv` 2026.10.25 (PyPI, LGPL-3.0): the Swedish spelling dictionary, and `wordfreq`
  3.1.1 (PyPI, Apache-2.0/CC-BY-SA data) for the inflected forms the dictionary does not list
  ('kan', 'inte'). A name whose lower-case form is an ordinary Swedish word ('Vid', 'Man', 'Kan')
  is marked `word=1`: the gate needs a second, unambiguous name beside it before it calls two
  words a name. The 200 most common first names and surnames in Sweden are not marked unless
  they are also among the most frequent words ('Anna', 'Berg', 'Lund' are names first; 'Per',
  'Dag', 'Bo' are words first).

Which names: the most common first names and surnames in Sweden, and those of the countries
that most people born abroad who live in Sweden come from (Finland, the Middle East, the
Balkans, Poland, the Horn of Africa by its neighbours, Iran, Afghanistan, Turkey, Chile ...),
plus English, French and German names in common use in Sweden ('Kevin', 'William').
Botkyrka's area names and place aliases are left out (they are places, not people).

Rebuild:
    python -m venv /tmp/names
    /tmp/names/bin/pip install hunspell-sv==2026.10.25 wordfreq==3.1.1
    /tmp/names/bin/pip install --no-deps names-dataset==3.3.1  # its pycountry is not needed
    /tmp/names/bin/python data/privacy/build_names.py /tmp/names
"""
from __future__ import annotations

import csv
import gzip
import pickle
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]
OUT = HERE / "names.csv"
# Country (ISO 3166 alpha-2, as names-dataset has them) -> how many of its most common first
# names and surnames to take.
SWEDEN = {"SE": (3000, 6000)}
NEIGHBOURS = {c: (800, 800) for c in ("FI", "NO", "DK")}
ORIGINS = {c: (500, 400) for c in ("IQ", "SY", "IR", "AF", "TR", "PL", "RS", "HR", "LB", "PS",
                                   "ET", "EG", "MA", "DZ", "TN", "SD", "JO", "SA", "RU", "GR",
                                   "CL", "PE", "CO", "MX", "IN", "BD", "CN", "HK", "MO", "SG",
                                   "MY", "PH", "ID", "NG", "DE", "GB", "US", "FR", "NL", "IT",
                                   "ES", "PT", "BR", "HU", "BG", "AL", "LT", "EE", "IS")}
TAKE = {**ORIGINS, **NEIGHBOURS, **SWEDEN}
SURELY_NAMES = 200  # the most common names in Sweden: names first, even when also a word
COMMON_WORD = 4.5  # wordfreq's Zipf scale: about 30 per million words of Swedish text
VERY_COMMON_WORD = 5.0  # about 100 per million: a word first, even when also a common name


def fold(name: str) -> str:
    """The key the gate looks names up by: lower case, without diacritics."""
    decomposed = unicodedata.normalize("NFD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def usable(name: str) -> bool:
    return len(name) >= 2 and name.replace("-", "").replace("'", "").isalpha()


def common(table: dict, which: int) -> set[str]:
    keys = set()
    for name, info in table.items():
        ranks = info.get("rank") or {}
        if usable(name) and any(ranks.get(c, 10**9) <= limits[which] for c, limits in TAKE.items()):
            keys.add(fold(name))
    return keys


def top_swedish(table: dict) -> set[str]:
    """The most common names in Sweden that are not also among the most frequent words."""
    from wordfreq import zipf_frequency
    return {fold(n) for n, info in table.items()
            if (info.get("rank") or {}).get("SE", 10**9) <= SURELY_NAMES
            and zipf_frequency(n.lower(), "sv") < VERY_COMMON_WORD}


def load(prefix: Path, which: str) -> dict:
    path = next(prefix.glob(f"lib/python*/site-packages/names_dataset/v3/{which}.pkl.gz"))
    with gzip.open(path) as f:
        return pickle.load(f)


# Ordinary words the dictionary lists under another form ('broder') or not at all.
MORE_WORDS = {"bror", "hej", "tja", "okej", "ok", "mamma", "pappa", "son", "barn", "elev", "kille",
              "tjej", "vakt", "chef", "polis", "lag", "ring", "dag", "natt", "kväll", "morgon"}


def swedish_words(prefix: Path) -> set[str]:
    """Lower-case entries of the Swedish spelling dictionaries (proper nouns are capitalised)
    and every frequent form of Swedish text."""
    from wordfreq import top_n_list, zipf_frequency
    words = set(MORE_WORDS)
    words.update(fold(w) for w in top_n_list("sv", 20000) if zipf_frequency(w, "sv") >= COMMON_WORD)
    for dic in prefix.glob("share/hunspell/sv_SE*.dic"):
        for line in dic.read_text(encoding="utf-8").splitlines()[1:]:
            word = line.split("/")[0]
            if word and word[0].islower():
                words.add(fold(word))
    return words


def places() -> set[str]:
    """Every word of Botkyrka's area names and place aliases."""
    found = set()
    for path, columns in ((ROOT / "data/areas/botkyrka.csv", ("kommundel", "regso_name")),
                          (ROOT / "data/mappings/place_aliases.csv", ("alias", "area"))):
        with path.open(encoding="utf-8") as f:
            for row in csv.DictReader(f):
                for column in columns:
                    found.update(fold(w) for w in row[column].replace("-", " ").split())
    return found


def main(prefix: str) -> None:
    root = Path(prefix)
    first_table, last_table = load(root, "first_names"), load(root, "last_names")
    first, last = common(first_table, 0), common(last_table, 1)
    words = swedish_words(root) - top_swedish(first_table) - top_swedish(last_table)
    excluded = places()
    rows = sorted((k, int(k in first), int(k in last), int(k in words))
                  for k in (first | last) - excluded)
    with OUT.open("w", encoding="utf-8", newline="") as f:
        out = csv.writer(f, lineterminator="\n")
        out.writerow(["name", "first", "last", "word"])
        out.writerows(rows)
    print(f"{OUT}: {len(rows)} names ({len(first)} first, {len(last)} surnames)")


if __name__ == "__main__":
    main(sys.argv[1])
