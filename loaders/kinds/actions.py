"""Actions (insatser) as CSV/Excel: one row per action, the export of the Insatser page.

Key: the `Id` column ('I-0007'); a row without an id gets a key from its title, decision date and
areas. A row whose id is stored already changes that action (each changed field is written to its
history); an unchanged row is a duplicate, so an exported file imports back without any change.
Follow-up notes are lines 'ÅÅÅÅ-MM-DD: text' in one cell; a note already stored is not added again.
Free text (title, description, notes) passes the anonymisation gate like every other file.
"""
from __future__ import annotations

import datetime as dt
import re

import pandas as pd
from sqlalchemy import Connection, select

from lagesbild.domain.actions import EST_STEPS, KINDS, STATUSES, Targets, join_codes, split_codes
from lagesbild.domain.taxonomy import normalise_label
from lagesbild.domain.vocab import FOCUS_AREAS, STRATEGIC_AREAS
from lagesbild.exports import FORMULA_START
from lagesbild.store import actions as action_store
from lagesbild.store.keys import hashed
from lagesbild.store.models import Category, ImportLog
from loaders.kinds import Options, Prepared, Stored
from loaders.kinds.common import gate, raise_all, read_mapped
from loaders.place import load_index
from loaders.source import SourceFile
from loaders.values import EARLIEST, EXCEL_EPOCH, Collector, today

KIND = "actions"
FIELDS = {"action_id", "title", "description", "kind", "responsible", "areas", "targets", "observations",
          "start", "end", "status", "status_reason", "est_step", "decided_on", "follow_up_on", "notes"}
REQUIRED = [("title",), ("kind",), ("responsible",), ("areas",), ("start",), ("status",), ("decided_on",)]
TYPED = {"start", "end", "decided_on", "follow_up_on"}
YEARS_AHEAD = 5
NOTE_LINE = re.compile(r"^\s*(\d{4}-\d{2}-\d{2})\s*[:–-]\s*(.+)$")


def parse_plan_date(text) -> dt.date:
    """A date that may lie in the future (a planned start, end or follow-up), up to 5 years ahead:
    'ÅÅÅÅ-MM-DD', with a time after it, '20261118' or Excel's serial day number."""
    s = str(text).strip()
    try:
        if re.fullmatch(r"\d{5}", s):
            day = (EXCEL_EPOCH + dt.timedelta(days=int(s))).date()
        elif re.fullmatch(r"\d{8}", s):
            day = dt.date(int(s[:4]), int(s[4:6]), int(s[6:]))
        else:
            day = dt.date.fromisoformat(s[:10])
    except ValueError:
        raise ValueError("Datumet går inte att tolka. Skriv det som ÅÅÅÅ-MM-DD.") from None
    if day < EARLIEST or day > today().replace(year=today().year + YEARS_AHEAD):
        raise ValueError(f"Datumet ligger utanför 2000 – {YEARS_AHEAD} år framåt. Kontrollera datumet.")
    return day


def _vocab(vocab: dict[str, str]):
    lookup = {normalise_label(k): k for k in vocab} | {normalise_label(v): k for k, v in vocab.items()}

    def parse(value):
        code = lookup.get(normalise_label(value))
        if code is None:
            raise ValueError("Okänt värde. Använd ett av: " + ", ".join(vocab.values()) + ".")
        return code
    return parse


def _area_parser(conn: Connection):
    index = load_index(conn)

    def parse(value) -> str:
        codes = []
        for part in split_codes(value):
            found = index.by_label(part)
            if found is None or index.areas[found].level not in ("kommundel", "omrade"):
                raise ValueError(f"Okänt område '{part}'. Skriv kommundelar eller områden (kod eller namn) "
                                 "åtskilda med semikolon.")
            codes.append(index.areas[found].code)
        if not codes:
            raise ValueError("Området saknas. Skriv minst ett område.")
        return join_codes(codes)
    return parse


def _target_parser(conn: Connection):
    cat = Category.__table__
    categories = {normalise_label(c): c for c in conn.execute(select(cat.c.code)).scalars()}
    categories |= {normalise_label(n): c for c, n in conn.execute(select(cat.c.code, cat.c.name))}
    strategic = {normalise_label(k): k for k in STRATEGIC_AREAS} | {normalise_label(v): k for k, v in STRATEGIC_AREAS.items()}
    focus = {normalise_label(k): k for k in FOCUS_AREAS} | {normalise_label(v): k for k, v in FOCUS_AREAS.items()}

    def parse(value) -> str:
        out = []
        for part in split_codes(value):
            prefix, _, rest = part.partition(":")
            if rest and normalise_label(prefix) == "strategiskt" and normalise_label(rest) in strategic:
                out.append(f"strategiskt:{strategic[normalise_label(rest)]}")
            elif rest and normalise_label(prefix) == "fokus" and normalise_label(rest) in focus:
                out.append(f"fokus:{focus[normalise_label(rest)]}")
            elif normalise_label(part) in categories:
                out.append(categories[normalise_label(part)])
            else:
                raise ValueError(f"Okänt problem '{part}'. Skriv kategorikoder, 'strategiskt:<område>' "
                                 "eller 'fokus:<område>' åtskilda med semikolon.")
        return join_codes(Targets.parse(join_codes(out)).codes())
    return parse


def unquoted(text: str) -> str:
    """A text cell as written before the export protected it against formulas (lagesbild.exports)."""
    return text[1:] if text.startswith("'") and text[1:].startswith(FORMULA_START) else text


def parse_notes(text) -> list[tuple[dt.date, str]]:
    """'2026-11-10: Fler vuxna ute\n2026-11-17: Lugnare' -> [(date, text), …]."""
    notes = []
    for line in str(text or "").splitlines():
        if not line.strip():
            continue
        m = NOTE_LINE.match(line)
        if not m:
            raise ValueError("Återkopplingen ska skrivas som 'ÅÅÅÅ-MM-DD: text', en rad per anteckning.")
        notes.append((parse_plan_date(m.group(1)), " ".join(m.group(2).split())))
    return notes


def prepare(conn: Connection, file: SourceFile, options: Options) -> Prepared:
    mapped = read_mapped(file, KIND, None, options.mapping, FIELDS, REQUIRED, TYPED)
    f, h = mapped.frame, mapped.headers
    found, problems = gate(file.name, mapped), Collector(file.name)
    text = lambda name: (f[name] if name in f else pd.Series("", index=f.index)).fillna("").map(  # noqa: E731
        lambda v: unquoted(str(v).strip()))
    dates = {name: _dates(problems, f, h, name, required=name in ("start", "decided_on"))
             for name in ("start", "end", "decided_on", "follow_up_on")}
    rows = pd.DataFrame({
        "title": text("title").str[:200], "description": text("description"),
        "kind": problems.convert(f["kind"], _vocab(KINDS), h["kind"]),
        "responsible_actor": text("responsible").str[:80],
        "area_codes": problems.convert(f["areas"], _area_parser(conn), h["areas"]),
        "targets": problems.convert(text("targets"), _target_parser(conn), h.get("targets", "problem")),
        "observation_keys": text("observations").map(lambda v: join_codes(split_codes(v))),
        "start_date": dates["start"], "end_date": dates["end"],
        "status": problems.convert(f["status"], _vocab(STATUSES), h["status"]),
        "status_reason": text("status_reason"),
        "est_step": problems.convert(f["est_step"], _vocab(EST_STEPS), h["est_step"]) if "est_step" in f
        else pd.Series("insats", index=f.index),
        "decided_on": dates["decided_on"], "follow_up_on": dates["follow_up_on"],
        "notes": problems.convert(text("notes"), parse_notes, h.get("notes", "återkoppling")),
    }, index=f.index)
    _check_rows(problems, rows, h)
    raise_all(found, problems)
    ids = text("action_id")
    rows.insert(0, "action_key", [i[:64] if i else hashed(f"{t}/{d}/{a}", "I-", 12)
                                  for i, t, d, a in zip(ids, rows["title"], rows["decided_on"], rows["area_codes"])])
    _check_repeats(problems, rows)
    problems.raise_if_any()
    return Prepared(KIND, file, None, len(f), {"actions": rows}, rows.drop(columns=["notes"]))


def _dates(problems: Collector, f, h, name: str, required: bool) -> pd.Series:
    out = pd.Series(None, index=f.index, dtype=object)
    if name not in f:
        return out
    present = f[name].fillna("").astype(str).str.strip()
    for row in present.index[present == ""] if required else []:
        problems.add(int(row), h[name], None, "Datumet saknas. Fyll i ÅÅÅÅ-MM-DD.")
    filled = present[present != ""]
    out[filled.index] = problems.convert(filled, parse_plan_date, h[name])
    return out


def _none(value):
    """None for a missing cell (pandas may hand over NaN or NaT for None)."""
    return None if value is None or (not isinstance(value, (str, list)) and pd.isna(value)) else value


def _check_rows(problems: Collector, rows: pd.DataFrame, h) -> None:
    for row, record in zip(rows.index, rows.to_dict("records")):
        r = {k: _none(v) for k, v in record.items()}
        if not r["title"]:
            problems.add(int(row), h["title"], None, "Rubriken saknas. Skriv vad insatsen är.")
        if not r["responsible_actor"]:
            problems.add(int(row), h["responsible"], None, "Ansvarig aktör saknas.")
        if r["end_date"] is not None and r["start_date"] is not None and r["end_date"] < r["start_date"]:
            problems.add(int(row), h.get("end", "slut"), r["end_date"], "Slutdatumet ligger före startdatumet.")
        if r["status"] == "avbruten" and not r["status_reason"]:
            problems.add(int(row), h.get("status_reason", "skäl"), None,
                         "Status är avbruten men skäl saknas. Skriv varför insatsen avbröts.")


def _check_repeats(problems: Collector, rows: pd.DataFrame) -> None:
    repeated = rows[rows.duplicated("action_key", keep=False)]
    for _, group in repeated.groupby("action_key"):
        problems.add(int(group.index[1]), None, group["action_key"].iloc[0],
                     f"Samma insats finns också på rad {group.index[0]}. Behåll en av raderna.")


def store(conn: Connection, prepared: Prepared, import_id: int) -> Stored:
    """Create new actions, change stored ones (history kept), add new notes; unchanged rows are duplicates."""
    by = conn.execute(select(ImportLog.imported_by).where(ImportLog.id == import_id)).scalar()
    result = Stored()
    for r in prepared.tables["actions"].to_dict("records"):
        values = {k: _none(v) for k, v in r.items() if k not in ("action_key", "notes")}
        new = action_store.stored(conn, r["action_key"]) is None
        _, changed = action_store.save(conn, r["action_key"], values, by, "import", import_id)
        added = sum(action_store.add_note(conn, r["action_key"], d, n, by, "import") for d, n in r["notes"])
        if new:
            result.inserted += 1
        elif changed or added:
            result.updated += 1
        else:
            result.duplicates += 1
    return result
