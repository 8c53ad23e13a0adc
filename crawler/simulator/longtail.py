"""The long tail (portal-styles.md, style F): home-grown sites.

`aspx`: lists at `InfoPublic.aspx?cid=…&pid=…&page=N` in a table with 下一页 links, articles at
`InfoDetail.aspx?id=…`. `pdfsum`: one 年报汇总 page linking straight to PDFs at
`/wzxxgknb/{pubYear}/{unit}.pdf` (publication year = report year + 1), made with reportlab.
"""
from __future__ import annotations

import functools
import io
from html import escape

from .common import Reply, article_meta, body_of, frame, not_found

PID = "971"


def col_path(portal, col) -> str:
    if portal.style == "pdfsum":
        return "/wzxxgknb/index.html"
    return f"/InfoPublic.aspx?cid={col.key}&pid={PID}&page=1"


def route(portal, req) -> Reply:
    return (_pdfsum if portal.style == "pdfsum" else _aspx)(portal, req)


def _aspx(portal, req) -> Reply:
    path, q = req.path, req.query
    if path in ("/", "/Default.aspx", "/index.html"):
        links = "".join(f'<a href="{escape(col_path(portal, c))}">政府信息公开年报</a> ' for c in portal.columns)
        body = (f'<table class="menu"><tr><td><a href="/InfoPublic.aspx?cid=1001&pid={PID}&page=1">政府信息公开指南</a></td>'
                f'<td>{links}</td><td><a href="/News.aspx?cid=5">新闻动态</a></td></tr></table>')
        return Reply(200, frame(portal, portal.name, body))
    col = next((c for c in portal.columns if c.key == q.get("cid")), None)
    if path == "/InfoPublic.aspx" and col and q.get("pid") == PID:
        try:
            page = int(q.get("page", "1"))
        except ValueError:
            page = 0
        count = max(1, -(-len(col.items) // col.per_page))
        if 1 <= page <= count:
            items = col.items[(page - 1) * col.per_page:page * col.per_page]
            rows = "".join(f'<tr><td class="bt"><a href="InfoDetail.aspx?id={i.doc_id}&amp;cid={col.key}" target="_blank">'
                           f'{escape(i.title)}</a></td><td class="rq">[{i.pub_date:%Y-%m-%d}]</td></tr>' for i in items)
            link = lambda k, text: f'<a href="InfoPublic.aspx?cid={col.key}&amp;pid={PID}&amp;page={k}">{text}</a>'
            pager = link(1, "首页") + (link(page - 1, "上一页") if page > 1 else "") + (
                link(page + 1, "下一页") if page < count else "") + link(count, "末页") + f" 第{page}/{count}页"
            body = f'<form id="form1" action="InfoPublic.aspx"><table class="list">{rows}</table><div class="pager">{pager}</div></form>'
            return Reply(200, frame(portal, f"{col.name}-{portal.name}", body))
    if path == "/InfoDetail.aspx" and col:
        for item in col.items:
            if str(item.doc_id) == q.get("id"):
                pub = f"{item.pub_date:%Y-%m-%d}"
                body = (f'<div class="title"><h1>{escape(item.title)}</h1></div><div class="time">发布时间：{pub} '
                        f'点击数：{item.doc_id % 997}</div><div id="content">{body_of(item)}</div>')
                return Reply(200, frame(portal, item.title, body, article_meta(portal, col, item, pub)))
    return not_found(portal)


def pdf_path(item) -> str:
    return f"/wzxxgknb/{item.pub_date.year}/{item.organ.slug}.pdf"


def _pdfsum(portal, req) -> Reply:
    path = req.path
    if path in ("/", "/index.html"):
        body = ('<div class="nav"><a href="/zwgk/">政务公开</a> <a href="/wzxxgknb/index.html">政府信息公开年报汇总</a> '
                '<a href="/xwdt/">新闻动态</a></div>')
        return Reply(200, frame(portal, portal.name, body))
    col = portal.columns[0]
    if path == "/wzxxgknb/index.html":
        by_year: dict[int, list] = {}
        for item in col.items:
            by_year.setdefault(item.year, []).append(item)
        body = "".join(f"<h3>{y}年度</h3><ul>" + "".join(
            f'<li><a href="{pdf_path(i)}" target="_blank">{escape(i.title)}</a></li>' for i in items) + "</ul>"
                       for y, items in sorted(by_year.items(), reverse=True))
        return Reply(200, frame(portal, "政府信息公开年报汇总", f'<div class="main"><h2>政府信息公开年报汇总</h2>{body}</div>'))
    for item in col.items:
        if pdf_path(item) == path:
            return Reply(200, report_pdf(item), "application/pdf")
    return not_found(portal)


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


def item_path(portal, col, item) -> str:
    return pdf_path(item) if portal.style == "pdfsum" else f"/InfoDetail.aspx?id={item.doc_id}&cid={col.key}"
