"""The layout of the PDF files (lagesbild.report_pdf loads this module on the first download).

Built with fpdf2 (pure Python) from the same published tables the pages show; nothing here
computes a number. DejaVu Sans is used where the system has it (every Swedish character and the
typographic dashes); otherwise the PDF core font Helvetica with the text reduced to Latin-1.
"""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from fpdf import FPDF
from fpdf.fonts import FontFace

from lagesbild import demo_marker
from lagesbild.calendar import local_today
from lagesbild.effect import CAVEAT
from lagesbild.handout import Handout

FONT_DIRS = [Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu")]
ASCII = str.maketrans({"–": "-", "—": "-", "−": "-", "…": "...", "→": "->", "›": ">", "\u00a0": " ",
                       "\u202f": " ", "≥": ">=", "≤": "<=", "’": "'", "“": '"', "”": '"'})
GREY, BLUE = (110, 110, 110), (27, 108, 168)


class Report(FPDF):
    """A4 portrait, a running title, page numbers and the demo mark on every page."""

    def __init__(self, title: str, demo: bool):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc_title, self.demo = title, demo
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=16)
        self.unicode = _add_fonts(self)
        self.set_title(title)
        self.set_creator("Lägesbild")

    def text_of(self, value) -> str:
        text = "" if value is None else str(value)
        return text if self.unicode else text.translate(ASCII).encode("latin-1", "replace").decode("latin-1")

    def header(self):
        if self.page_no() == 1:
            return
        self.set_font(self.family_name, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.text_of(self.doc_title + (f" – {demo_marker.LABEL.upper()}" if self.demo else "")), align="L")
        self.ln(7)
        self.set_text_color(0)

    def footer(self):
        self.set_y(-11)
        self.set_font(self.family_name, "", 8)
        self.set_text_color(*GREY)
        self.cell(0, 5, self.text_of(f"Lägesbild · sida {self.page_no()}/{{nb}}"), align="C")
        self.set_text_color(0)

    @property
    def family_name(self) -> str:
        return "dejavu" if self.unicode else "helvetica"

    def h1(self, text: str):
        self.set_font(self.family_name, "B", 18)
        self.multi_cell(0, 8, self.text_of(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def h2(self, text: str):
        if self.get_y() > 250:
            self.add_page()
        self.ln(3)
        self.set_font(self.family_name, "B", 13)
        self.set_text_color(*BLUE)
        self.multi_cell(0, 6.5, self.text_of(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)

    def h3(self, text: str):
        self.ln(1)
        self.set_font(self.family_name, "B", 10.5)
        self.multi_cell(0, 5.5, self.text_of(text), align="L", new_x="LMARGIN", new_y="NEXT")

    def para(self, text: str, size: float = 10, note: bool = False):
        self.set_font(self.family_name, "", size - (1.5 if note else 0))
        if note:
            self.set_text_color(*GREY)
        self.multi_cell(0, 4.6 if not note else 4, self.text_of(text), align="L", new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(0)
        self.ln(1)

    def bullets(self, lines: list[str], empty: str):
        if not lines:
            self.para(empty)
            return
        self.set_font(self.family_name, "", 10)
        for line in lines:
            self.multi_cell(0, 4.8, self.text_of(f"•  {line}") if self.unicode else self.text_of(f"-  {line}"),
                            align="L", new_x="LMARGIN", new_y="NEXT")
        self.ln(1)

    def table(self, df: pd.DataFrame, widths: tuple[float, ...] | None = None, size: float = 8.5):
        if df is None or df.empty:
            self.para("–")
            return
        self.set_font(self.family_name, "", size)
        head = FontFace(emphasis="BOLD", fill_color=(236, 240, 244))
        with super().table(col_widths=widths, text_align="LEFT", line_height=size * 0.5, headings_style=head,
                           borders_layout="HORIZONTAL_LINES", padding=0.8) as t:
            t.row([self.text_of(c) for c in df.columns])
            for values in df.itertuples(index=False):
                t.row([self.text_of(v) for v in values])
        self.ln(2)


def _widths(df: pd.DataFrame, first: tuple[float, ...], total: float = 180) -> tuple[float, ...]:
    """The given widths of the first columns, the rest of the page shared by the others."""
    rest = len(df.columns) - len(first)
    return first + (((total - sum(first)) / rest,) * rest if rest > 0 else ())


def _add_fonts(pdf: FPDF) -> bool:
    for folder in FONT_DIRS:
        regular, bold = folder / "DejaVuSans.ttf", folder / "DejaVuSans-Bold.ttf"
        if regular.exists() and bold.exists():
            pdf.add_font("dejavu", "", str(regular))
            pdf.add_font("dejavu", "B", str(bold))
            return True
    return False


def _cover(pdf: Report, title: str, subtitle: str, privacy_note: str):
    pdf.add_page()
    pdf.h1(title)
    pdf.para(subtitle, note=True)
    if pdf.demo:
        pdf.set_fill_color(255, 243, 205)
        pdf.set_font(pdf.family_name, "B", 10)
        pdf.multi_cell(0, 6, pdf.text_of(f"{demo_marker.LABEL.upper()} – {demo_marker.NOTE}."),
                       fill=True, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.para(privacy_note, note=True)


def lagesbild_pdf(doc, demo: bool, privacy_note: str, kommun: str = "Botkyrka") -> bytes:
    """The yearly lägesbild (law 2023:196 §4): kartläggning, analysis, action plan with follow-up,
    outcome indicators. `doc` is a lagesbild.queries.followup.LagesbildDocument (published)."""
    start, end = doc.period
    pdf = Report(f"Lägesbild {kommun} {doc.year}", demo)
    _cover(pdf, f"Lägesbild {kommun} {doc.year}",
           f"Kartläggning, analys och åtgärdsplan med uppföljning enligt 4 § lagen (2023:196) om kommuners "
           f"ansvar för brottsförebyggande arbete. Period: {start} – {end} (hela ISO-veckor). "
           f"Framtagen {local_today()}.", privacy_note)
    pdf.h2("1. Kartläggning")
    pdf.h3("Händelser per kommundel")
    pdf.table(doc.areas, (40, 25, 35, 35, 30))
    pdf.para(f"Föregående period: lika många veckor direkt före. Invånare {doc.population_year or ''} "
             "enligt SCB; per 1 000 invånare räknat på det publicerade antalet.", note=True)
    pdf.h3("Utveckling per strategiskt område (år mot år, samma del av året)")
    pdf.table(doc.trends, _widths(doc.trends, (46,)))
    pdf.h2("2. Analys: vad sticker ut")
    pdf.bullets(doc.unusual_lines, "Inga statistiskt säkerställda avvikelser mot baslinjen.")
    pdf.para(doc.unusual_note, note=True)
    pdf.h2("3. Åtgärdsplan och uppföljning")
    pdf.h3("Insatser per strategiskt område")
    pdf.table(doc.follow_up.summary, (60, 35, 25, 25, 25))
    pdf.h3("Insatserna och vad som hände")
    cols = ["Id", "Insats", "Områden", "Problem", "Period", "Status", "Före", "Efter", "Bedömning"]
    actions = doc.follow_up.actions[cols] if len(doc.follow_up.actions) else doc.follow_up.actions
    pdf.table(actions, (12, 28, 20, 24, 22, 14, 10, 10, 40), size=7.5)
    pdf.para("Före/Efter: händelser av insatsens kategorier i dess områden, lika många hela veckor före "
             "starten som från start till slut. " + CAVEAT, note=True)
    pdf.h2("4. Utfallsindikatorer")
    if doc.outcomes.empty:
        pdf.para("Inga utfallsindikatorer importerade (Datakällor → Utfallsindikatorer).")
    else:
        pdf.table(doc.outcomes, _widths(doc.outcomes, (26, 52, 22, 16)), size=7.5)
        pdf.para("Värden per år med den jämförelse källan ger (län, riket eller annan kommun).", note=True)
    return bytes(pdf.output())


def weekly_pdf(h: Handout) -> bytes:
    """The weekly handout as a PDF: the same content as lagesbild.handout.weekly_handout."""
    title, selection, kpis, flags, flags_note = h.title, h.selection, h.kpis, list(h.flags), h.flags_note
    area_table, walk_actions, housing, actions = h.area_table, h.walk_actions, h.housing, h.actions
    demo, privacy_note = h.demo, h.privacy_note
    pdf = Report(title, demo)
    _cover(pdf, title, selection, privacy_note)
    pdf.table(pd.DataFrame([[k.value for k in kpis], [k.note or '' for k in kpis]], columns=[k.label for k in kpis]), size=10)
    pdf.h2("Avvikelser")
    pdf.bullets(flags, "Inga statistiskt säkerställda avvikelser.")
    pdf.para(flags_note, note=True)
    pdf.h2("Insatser")
    for heading, table in actions.items():
        pdf.h3(heading)
        pdf.table(table, _widths(table, (13, 52, 26, 36, 16)), size=8)
    pdf.h2("Per kommundel och strategiskt område")
    pdf.table(area_table)
    pdf.h2("Trygghetsvandringar: åtgärder per ansvarig")
    pdf.table(walk_actions)
    pdf.h2("Boende")
    pdf.table(housing)
    return bytes(pdf.output())
