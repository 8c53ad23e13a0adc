"""The long tail (portal-styles.md, style F): home-grown sites.

`aspx`: lists at `InfoPublic.aspx?cid=…&pid=…&page=N` in a table with 下一页 links, articles at
`InfoDetail.aspx?id=…`. `pdfsum`: one 年报汇总 page linking straight to PDFs at
`/wzxxgknb/{pubYear}/{unit}.pdf` (publication year = report year + 1), made with reportlab.
"""
from __future__ import annotations

from html import escape

from .common import Reply, article_meta, frame, not_found
from .pdf import report_pdf
from .reports import body_of

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


def item_path(portal, col, item) -> str:
    return pdf_path(item) if portal.style == "pdfsum" else f"/InfoDetail.aspx?id={item.doc_id}&cid={col.key}"
