"""Pure functions that turn query results into what a page shows: Swedish headers and text."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from lagesbild import calendar, settings
from lagesbild import formatting as fmt
from lagesbild.domain.vocab import PRIORITIES, WALK_CATEGORIES, WALK_STATUSES
from lagesbild.exports import neutralise_formulas
from lagesbild.privacy import EXTERNAL, Policy
from lagesbild.queries.compare import Baseline, Flags


def change_text(change, now_label: str, before_label: str) -> str:
    """'+12 %' when the counts allow a percent; otherwise the two counts side by side."""
    if change is None or pd.isna(change):
        return f"{now_label} mot {before_label}"
    return fmt.percent(change, signed=True)


def area_table(df: pd.DataFrame) -> pd.DataFrame:
    """The per-area table of the overview."""
    return pd.DataFrame({
        "Område": df["name"],
        "Invånare": [fmt.number(p) for p in df["population"]],
        "Antal": df["n_label"],
        "Per 1 000 inv.": [("–" if pd.isna(r) else fmt.number(r, 1)) for r in df["rate"]],
        "Föregående period": df["n_prev_label"],
        "Mot föregående": [change_text(c, a, b) for c, a, b in zip(df["change_prev"], df["n_label"], df["n_prev_label"])],
        "Samma period i fjol": df["n_ly_label"],
        "Mot i fjol": [change_text(c, a, b) for c, a, b in zip(df["change_ly"], df["n_label"], df["n_ly_label"])],
    })


def metric_delta(change, now: float, before: float, before_label: str, what: str) -> str | None:
    """Delta text for st.metric, whose arrow follows the sign written first (an ASCII '-' points
    down): a percent when allowed, else the difference of the two published counts, else (a count
    shown as '<k') no delta at all — never an arrow that says nothing."""
    if change is not None and not pd.isna(change):
        return f"{fmt.percent(change, signed=True).replace('−', '-')} mot {what}"
    if pd.isna(now) or pd.isna(before):
        return None
    diff = now - before
    sign = "+" if diff > 0 else ("-" if diff < 0 else "±")
    return f"{sign}{fmt.number(abs(diff))} mot {what} ({before_label})"


def normal_delta(now: float, expected: float, small_label: str) -> str | None:
    """Veckobriefing's delta: the week against its normal week, the arrow following the sign."""
    if pd.isna(expected):
        return f"normalt {small_label} totalt"
    if pd.isna(now):
        return f"normalt {fmt.number(expected, 1)}"
    diff = now - expected
    sign = "+" if diff > 0 else ("-" if diff < 0 else "±")
    return f"{sign}{fmt.number(abs(diff), 1)} mot normalt {fmt.number(expected, 1)}"


def privacy_note(policy: Policy) -> str:
    """One line under a table or chart that shows person-related counts: what the reader sees."""
    who = "Alla tal" if policy.audience == EXTERNAL else "Personrelaterade tal"
    return (f"{who} under {policy.k} visas som {policy.label()}; från {policy.k} och uppåt har de ett litet "
            f"slumpmässigt brus (högst ±{policy.ptable.max_deviation}) så att inga små tal kan räknas fram "
            "genom att jämföra vyer. Delarna summerar därför inte alltid exakt till totalen.")


def percent_rule_note() -> str:
    return (f"Procentuell förändring visas bara när båda talen är minst {settings.value('min_for_percent')}; "
            "annars visas talen.")


def baseline_text(b: Baseline | None) -> str:
    """'jämfört med genomsnittet för 12 föregående veckor (v. 35 2026 – v. 46 2026)'."""
    if b is None:
        return "ingen baslinje (för lite data före perioden)"
    unit = "veckor" if b.weeks == 1 else "perioder av samma längd"
    return (f"jämfört med genomsnittet för {b.periods} föregående {unit} "
            f"({fmt.week_label(b.start)} – {fmt.week_label(b.last_week)})")


def weekly_mean_text(b: Baseline) -> str:
    """'medel per vecka v. 35 2026 – v. 46 2026'."""
    return f"medel per vecka {fmt.week_label(b.start)} – {fmt.week_label(b.last_week)}"


def period_text(b: Baseline) -> str:
    """The compared period in weeks: 'v. 47 2026' or 'v. 35 2026 – v. 47 2026'."""
    if b.weeks == 1:
        return fmt.week_label(b.current)
    return f"{fmt.week_label(b.current)} – {fmt.week_label(b.current_last_week)}"


def flags_test_note(flags: Flags) -> str:
    """What the flags tested and against which baseline, in words the room understands."""
    level = fmt.percent(settings.value("significance"))
    return (f"Test: {flags.tested} kombinationer av område och kategori prövades "
            f"{baseline_text(flags.baseline)} med ett exakt Poissontest; p-värdena är justerade för "
            f"antalet tester (Benjamini–Hochberg, {level}).")


def chance_text(q: float) -> str:
    """A q-value in words: how likely the difference is to be chance."""
    if q < 0.001:
        return "mycket osannolikt att det är slump"
    if q < 0.01:
        return f"osannolikt att det är slump (q = {fmt.number(q, 3)})"
    return f"troligen inte slump (q = {fmt.number(q, 2)})"


def unusual_lines(df: pd.DataFrame, area_names: dict, category_names: dict,
                  policy: Policy | None = None) -> list[str]:
    """One sentence per flagged cell: what, where, how many against how many expected."""
    lines = []
    small = (policy or Policy()).label()
    for _, r in df.iterrows():
        word = "fler" if r["direction"] == "up" else "färre"
        expected = f"{small} totalt i baslinjen" if r.get("expected_suppressed") else fmt.number(r["expected"], 1)
        lines.append(f"**{category_names.get(r['category'], r['category'])}** i "
                     f"**{area_names.get(r['area_id'], r['area_id'])}**: {r['observed_label']} händelser, "
                     f"{word} än väntat (normalt {expected}); {chance_text(r['q'])}")
    return lines


def walk_actions_table(df: pd.DataFrame) -> pd.DataFrame:
    """Free text from the protocols, neutralised: the table's own download is a CSV file."""
    return neutralise_formulas(pd.DataFrame({
        "Område": df["area"],
        "Vandring": [fmt.date(d) for d in df["walked_on"]],
        "Kategori": [WALK_CATEGORIES.get(c, c) for c in df["category"]],
        "Iakttagelse": df["description"],
        "Föreslagen åtgärd": df["proposed_action"],
        "Ansvarig": df["responsible_actor"],
        "Prioritet": [PRIORITIES.get(p, p) for p in df["priority"]],
        "Tidsfrist": [fmt.date(d) if d else "–" for d in df["deadline"]],
        "Dagar sen": [d if d > 0 else "" for d in df["days_overdue"]],
        "Status": [WALK_STATUSES.get(s, s) for s in df["status"]],
    }))


def actor_table(df: pd.DataFrame) -> pd.DataFrame:
    return df.rename(columns={"responsible_actor": "Ansvarig", "overdue": "Försenade",
                              "due": "Förfaller inom 14 dagar", "new": "Nya i perioden"})


def housing_signal_table(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Område": df["area"],
        "Lägenheter": [fmt.number(v) for v in df["apartments"]],
        "Störningsärenden": [fmt.number(v) for v in df["disturbance_cases"]],
        "Per 100 lgh": [fmt.number(v, 1) for v in df["disturbance_cases_per_100"]],
        "Samma kvartal i fjol": [fmt.number(v) if v == v else "–" for v in df["disturbance_cases_ly"]],
        "Skadegörelse": [fmt.number(v) for v in df["damage"]],
        "Avflyttningar": [fmt.number(v) for v in df["moves_out"]],
    })


def with_split_labels(df: pd.DataFrame, split: str) -> pd.DataFrame:
    """Add `split_label` (Swedish name of the strategic/focus area) to a series frame."""
    from lagesbild.domain.vocab import FOCUS_AREAS, STRATEGIC_AREAS
    names = {"strategic_area": STRATEGIC_AREAS, "focus_area": FOCUS_AREAS}.get(split, {})
    return df.assign(split_label=[names.get(s, "Alla händelser" if s == "Alla" else s) for s in df["split"]])


def year_table(df: pd.DataFrame, split: str, measure: str = "count") -> pd.DataFrame:
    """Split × year: the published count ("count") or events per 1 000 inhabitants ("rate", from
    the frame's `value`), and the change against the year before (of the values shown; percent only
    where both counts reach the setting min_for_percent)."""
    from lagesbild.domain.vocab import FOCUS_AREAS, STRATEGIC_AREAS
    names = {"strategic_area": STRATEGIC_AREAS, "focus_area": FOCUS_AREAS}[split]
    least = settings.value("min_for_percent")
    rate = measure == "rate" and "value" in df
    years = sorted(df["year"].unique())
    rows = []
    for code in dict.fromkeys(df[split]):
        part = df[df[split] == code].set_index("year")
        row = {"": names.get(code, code)}
        for i, y in enumerate(years):
            if rate and y in part.index and pd.notna(part["value"].get(y)):
                row[str(y)] = fmt.number(part["value"][y], 2)
            else:
                row[str(y)] = part["n_label"].get(y, "0")
            if i:
                now, before = part["n"].get(y), part["n"].get(years[i - 1])
                ok = (now is not None and before and now == now and before == before
                      and now >= least and before >= least)
                if ok and rate:
                    now, before = part["value"].get(y), part["value"].get(years[i - 1])
                change = (now - before) / before if ok and before else None
                row[f"{years[i - 1]}→{y}"] = fmt.percent(change, signed=True) if change is not None else "–"
        rows.append(row)
    return pd.DataFrame(rows)


def year_table_heading(measure: str) -> str:
    """What the year-over-year table's numbers are."""
    return "Händelser per 1 000 invånare" if measure == "rate" else "Antal händelser"


def pyramid_table(df: pd.DataFrame) -> pd.DataFrame:
    """Kommundel × level table of labels."""
    table = df.pivot_table(index="kommundel_label", columns="pyramid_level_label", values="n_label",
                           aggfunc="first", sort=False).fillna("0")
    table = table.reindex(columns=sorted(table.columns))
    return table.reset_index().rename(columns={"kommundel_label": "Kommundel"})


WALK_GROUPS = {"category": "Kategori", "area": "Område", "responsible_actor": "Ansvarig"}


def walk_status_labels(df: pd.DataFrame, group: str) -> pd.DataFrame:
    """Swedish labels for the grouping column of the safety-walk status table."""
    if group == "category":
        return df.assign(category=[WALK_CATEGORIES.get(c, c) for c in df["category"]])
    return df


def housing_beside_incidents(housing: pd.DataFrame, rates: pd.DataFrame, measure: str) -> pd.DataFrame:
    """The latest quarter present in both frames: one row per area with the measure and the rate."""
    if housing.empty or rates.empty:
        return pd.DataFrame()
    h = housing.assign(quarter=[p.year * 10 + (p.month + 2) // 3 for p in housing["period_start"]])
    common = sorted(set(h["quarter"]) & set(rates["quarter"]))
    if not common:
        return pd.DataFrame()
    last = common[-1]
    out = h[h.quarter == last].merge(rates[rates.quarter == last][["area_id", "rate"]], on="area_id")
    out = out[out["rate"].notna()]
    out.attrs["quarter_label"] = f"kv{last % 10} {last // 10}"
    return out


def housing_table(df: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Område": df["area"],
        "Kvartal": [fmt.quarter_label(p) for p in df["period_start"]],
        "Lägenheter": [fmt.number(v) for v in df["apartments"]],
        "Vakanta": [fmt.number(v) for v in df["vacant"]],
        "Avflyttningar": [fmt.number(v) for v in df["moves_out"]],
        "Störningsärenden": [fmt.number(v) for v in df["disturbance_cases"]],
        "Skadegörelse": [fmt.number(v) for v in df["damage"]],
        "Vräkningar": df["evictions_label"],
    }).iloc[::-1]


def cells_wide(cells: pd.DataFrame, row: str, col: str, row_name: str) -> pd.DataFrame:
    """Long labelled cells (row, col, n_label) as a rows × columns table of labels."""
    if cells.empty:
        return pd.DataFrame()
    table = cells.pivot_table(index=row, columns=col, values="n_label", aggfunc="first", sort=False).fillna("0")
    return table.reset_index().rename(columns={row: row_name})


def plain(markdown_line: str) -> str:
    """A markdown sentence without its bold markers (for the printable handout)."""
    return markdown_line.replace("**", "")


@dataclass(frozen=True)
class EmptySelection:
    """What a page says when its selection holds no incidents: which data exist, and a period that
    holds them (`offer`, inclusive dates, None when the period is not the reason)."""

    text: str
    offer: tuple[dt.date, dt.date] | None = None
    offer_label: str = ""


def _data_span(first: dt.date, last: dt.date, today: dt.date) -> str:
    """'2 jan 2023 till 15 nov 2026', or '… till och med v. 47 2026, en vecka som har börjat men inte
    är slut (…)' when the last week with data is not over."""
    last_monday = calendar.monday(last)
    if last_monday <= today <= last:
        return (f"{fmt.date(first)} till och med {fmt.week_label(last_monday)}, en vecka som har börjat "
                f"men inte är slut ({fmt.date_range(last_monday, last)})")
    return f"{fmt.date(first)} till {fmt.date(last)}"


def empty_selection_message(start: dt.date, end: dt.date, first: dt.date | None, last: dt.date | None,
                            today: dt.date) -> EmptySelection:
    """The selection `start`–`end` holds no incidents: say which data exist (first and last date,
    by whole weeks as the store counts) and offer the nearest period of the same length that holds
    them; when the period overlaps the data, the filters are the reason and no period is offered.
    Every page with a period uses this one text (Översikt, Trender, Karta, Våldspyramiden, Utforska,
    Veckobriefing)."""
    if first is None or last is None:
        return EmptySelection("Det finns inga händelser i databasen än. Importera filer under *Datakällor*.")
    span = _data_span(first, last, today)
    if start <= last and end >= first:
        return EmptySelection(f"Urvalet innehåller inga händelser med de valda filtren under perioden "
                              f"{fmt.date_range(start, end)}. Data finns från {span}. "
                              "Ta bort ett filter eller välj en längre period.")
    length = dt.timedelta(days=(end - start).days)
    if end < first:
        offer = (first, min(last, first + length))
    else:
        offer = (max(first, calendar.monday(last - length)), last)
    where = "före" if end < first else "efter"
    return EmptySelection(f"Perioden {fmt.date_range(start, end)} ligger {where} de data som finns: "
                          f"data finns från {span}.", offer,
                          f"Visa {fmt.date_range(*offer)}")


def data_version_label(version: str) -> str:
    """The data version for a file's header, without the database address: 'import 12 · 5981fbc6'
    (the last import and the write stamp; 'demodata' for the generated store)."""
    parts = version.split("|", 1)[-1].split(":")
    last, written = (parts + ["", ""])[:2]
    dataset = parts[3] if len(parts) > 3 else ""
    label = " · ".join(p for p in [f"import {last}" if last not in ("", "None") else "", written[:8]] if p)
    return (label or "okänd") + (" (demodata)" if dataset == "demo" else "")
