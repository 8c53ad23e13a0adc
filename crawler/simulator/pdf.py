"""Reports printed to PDF by reportlab with a CJK font, as an office prints them: the same text
and tables as the HTML pages."""
from __future__ import annotations

import functools
import io
from html import escape

from .reports import body_of


@functools.lru_cache(maxsize=None)
def _fonts():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    return "STSong-Light"


_pdf_cache: dict[int, bytes] = {}


def report_pdf(item) -> bytes:
    """The report as its office prints it to PDF: the same text and tables as the HTML pages,
    laid out by reportlab with a CJK font."""
    if item.doc_id not in _pdf_cache:
        _pdf_cache[item.doc_id] = _render_pdf(item)
    return _pdf_cache[item.doc_id]


def render_pdf(item, encrypt=None) -> bytes:
    """The report as a PDF made by reportlab; `encrypt` a reportlab StandardEncryption to lock it."""
    return _render_pdf(item, encrypt)


def _render_pdf(item, encrypt=None) -> bytes:
    import lxml.html
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    font = _fonts()
    para = ParagraphStyle("body", fontName=font, fontSize=10.5, leading=16, wordWrap="CJK")
    head = ParagraphStyle("title", parent=para, fontSize=15, leading=22, alignment=1)
    cell = ParagraphStyle("cell", parent=para, fontSize=7, leading=8.5)
    flow = [Paragraph(escape(item.title), head), Spacer(1, 8)]
    doc = lxml.html.fromstring(f"<div>{body_of(item)}</div>")
    for el in doc:
        if el.tag == "p":
            flow.append(Paragraph(escape(" ".join(el.text_content().split())), para))
        elif el.tag == "table":
            flow.append(_table(el, cell, Table, TableStyle))
            flow.append(Spacer(1, 6))
    buf = io.BytesIO()
    SimpleDocTemplate(buf, pagesize=A4, title=item.title, author=item.organ.name, leftMargin=40, rightMargin=40,
                      invariant=1, encrypt=encrypt).build(flow)
    return buf.getvalue()


def _table(el, style, Table, TableStyle):
    """An HTML table with rowspan/colspan as a reportlab table with the same merged cells."""
    from reportlab.platypus import Paragraph

    rows = el.xpath(".//tr")
    grid: dict[tuple[int, int], object] = {}
    spans = []
    width = 0
    for r, tr in enumerate(rows):
        c = 0
        for td in tr.xpath("./td|./th"):
            while (r, c) in grid:
                c += 1
            rs, cs = int(td.get("rowspan", 1)), int(td.get("colspan", 1))
            text = " ".join(td.text_content().replace("\xa0", " ").split())
            for i in range(rs):
                for j in range(cs):
                    grid[(r + i, c + j)] = ""
            grid[(r, c)] = Paragraph(escape(text), style)
            if rs > 1 or cs > 1:
                spans.append(("SPAN", (c, r), (c + cs - 1, r + rs - 1)))
            c += cs
            width = max(width, c)
    data = [[grid.get((r, c), "") for c in range(width)] for r in range(len(rows))]
    # Label columns wide, value columns narrow, as in the official template: a rowspan cannot
    # break over pages, so the table must stay short enough for one page.
    widths = [40, 50, 180] + [245 / (width - 3)] * (width - 3) if width == 10 else [515 / width] * width
    t = Table(data, colWidths=widths, repeatRows=0)
    t.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, "black"), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"), *spans]))
    return t
