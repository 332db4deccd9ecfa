"""The one-page handout of the weekly briefing: a self-contained HTML page, printable on A4."""
from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd

from lagesbild import demo_marker

STYLE = """
@page { size: A4; margin: 14mm; }
body { font-family: 'Source Sans Pro', Arial, sans-serif; font-size: 11pt; color: #222; }
h1 { font-size: 18pt; margin: 0 0 2mm; } h2 { font-size: 12.5pt; margin: 5mm 0 1.5mm; }
h3 { font-size: 10.5pt; margin: 2mm 0 1mm; }
.note { color: #666; font-size: 9pt; }
.kpis { display: flex; gap: 6mm; } .kpi { flex: 1; border: 1px solid #ddd; padding: 2mm 3mm; }
.kpi b { display: block; font-size: 17pt; }
table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
th, td { border: 1px solid #ccc; padding: 1mm 2mm; text-align: left; }
th { background: #f1f1f1; }
"""


def _table(df: pd.DataFrame) -> str:
    if df.empty:
        return "<p>–</p>"
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in df.columns)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in df.itertuples(index=False))
    return f"<table><tr>{head}</tr>{body}</table>"


@dataclass(frozen=True)
class Kpi:
    label: str
    value: str         # the published count ("<k" where hidden)
    note: str | None   # against the normal week, the arrow following the sign


@dataclass(frozen=True)
class Handout:
    """What the weekly briefing prints, in the HTML handout and the PDF alike (built by
    lagesbild.pageviews.veckobriefing from the same view the page shows)."""

    title: str
    selection: str
    kpis: tuple[Kpi, ...]
    flags: tuple[str, ...]            # plain sentences
    flags_note: str
    area_table: pd.DataFrame          # kommundel × strategic area, labels
    walk_actions: pd.DataFrame        # safety-walk actions per responsible actor
    housing: pd.DataFrame
    actions: dict = field(default_factory=dict)  # heading -> table of the week's actions
    demo: bool = False
    privacy_note: str = "Personrelaterade tal är skyddade."


def weekly_handout(h: Handout) -> str:
    """HTML for one A4 page."""
    title, selection, flags, flags_note = h.title, h.selection, h.flags, h.flags_note
    area_table, actions, housing, demo, privacy_note, insatser = (h.area_table, h.walk_actions, h.housing,
                                                                  h.demo, h.privacy_note, h.actions)
    kpis = [(k.label, k.value, k.note or "") for k in h.kpis]
    kpi_html = "".join(f"<div class='kpi'>{html.escape(l)}<b>{html.escape(v)}</b>"
                       f"<span class='note'>{html.escape(n)}</span></div>" for l, v, n in kpis)
    flag_html = ("<ul>" + "".join(f"<li>{html.escape(f)}</li>" for f in flags) + "</ul>") if flags \
        else "<p>Inga statistiskt säkerställda avvikelser.</p>"
    demo_html = f"<p class='note'><b>{demo_marker.LABEL}</b> – {demo_marker.NOTE}.</p>" if demo else ""
    action_html = "".join(f"<h3>{html.escape(head)}</h3>{_table(t)}" for head, t in (insatser or {}).items()) \
        or "<p>Inga insatser denna vecka.</p>"
    return f"""<!doctype html><html lang="sv"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>{STYLE}</style></head><body>
<h1>{html.escape(title)}</h1><p class="note">{html.escape(selection)}</p>{demo_html}
<div class="kpis">{kpi_html}</div>
<h2>Avvikelser</h2>{flag_html}<p class="note">{html.escape(flags_note)}</p>
<h2>Insatser</h2>{action_html}
<h2>Per kommundel och strategiskt område</h2>{_table(area_table)}
<h2>Trygghetsvandringar: åtgärder per ansvarig</h2>{_table(actions)}
<h2>Boende</h2>{_table(housing)}
<p class="note">{html.escape(privacy_note)} Lägesbild.</p>
</body></html>"""
