"""Real PDF files a coordinator can mail: the yearly lägesbild document and the weekly handout
(the layout is lagesbild.pdf_layout).

The PDF library (fpdf2, which brings fontTools and cryptography) takes about 0.3 s to import, so it
is loaded when a PDF is first made, not when a page that offers one is opened: the first
Veckobriefing of a process took 0.55–0.70 s with it and 0.32–0.35 s without (three alternating
pairs, demo store, a test run beside them).
"""
from __future__ import annotations


def lagesbild_pdf(doc, demo: bool, privacy_note: str, kommun: str = "Botkyrka") -> bytes:
    from lagesbild import pdf_layout
    return pdf_layout.lagesbild_pdf(doc, demo, privacy_note, kommun)


def weekly_pdf(h) -> bytes:
    """`h`: a lagesbild.handout.Handout."""
    from lagesbild import pdf_layout
    return pdf_layout.weekly_pdf(h)
