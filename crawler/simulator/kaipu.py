"""Kaipu (开普云) CMSPRO (portal-styles.md, style E): lists inside `<cmspro_documents>`, a
`div#page_div` pager with a 下一页 link, articles `/{col}/YYYY-MM/DD/content_<hex>.shtml`."""
from __future__ import annotations

import re
from html import escape

from .common import Reply, article_meta, frame, li, not_found
from .reports import body_of

_LIST = re.compile(r"^/(\w+)/index(?:_(\d+))?\.shtml$")
_ART = re.compile(r"^/(\w+)/(\d{4}-\d{2})/(\d{2})/content_([0-9a-f]{16})\.shtml$")


def col_path(portal, col) -> str:
    return f"/{col.key}/index.shtml"


def art_path(col, item) -> str:
    return f"/{col.key}/{item.pub_date:%Y-%m}/{item.pub_date:%d}/content_{(item.doc_id * 2654435761) % 2**64:016x}.shtml"


def _generated(portal) -> str:
    return '<meta name="others" content="页面生成时间 2025-01-20 10:00:00">'


def route(portal, req) -> Reply:
    path = req.path
    if path in ("/", "/index.shtml", "/index.html"):
        links = "".join(f'<li><a href="{col_path(portal, c)}">{escape(c.organ.name.removesuffix("人民政府"))}政府信息公开年报</a></li>'
                        for c in portal.columns)
        body = f'<div class="zwgk"><h3>政务公开</h3><ul><li><a href="/zcwj/index.shtml">政策文件</a></li>{links}</ul></div>'
        return Reply(200, frame(portal, portal.name, body, head=_generated(portal)))
    m = _LIST.match(path)
    col = m and next((c for c in portal.columns if c.key == m.group(1)), None)
    if col:
        page = int(m.group(2) or 1)
        count = max(1, -(-len(col.items) // col.per_page))
        if 1 <= page <= count and (m.group(2) != "1"):
            items = col.items[(page - 1) * col.per_page:page * col.per_page]
            rows = "".join(li(art_path(col, i), i) for i in items)
            name = lambda k: "index.shtml" if k == 1 else f"index_{k}.shtml"
            pager = f'<a href="{name(1)}">首页</a>'
            if page > 1:
                pager += f'<a href="{name(page - 1)}">上一页</a>'
            if page < count:
                pager += f'<a href="{name(page + 1)}">下一页</a>'
            pager += f'<a href="{name(count)}">尾页</a><span>共{count}页</span>'
            body = (f'<div class="crumb">首页 &gt; 政务公开 &gt; {escape(col.name)}</div><div class="list">'
                    f'<cmspro_documents><ul>{rows}</ul></cmspro_documents><div id="page_div">{pager}</div></div>')
            return Reply(200, frame(portal, col.name, body, {"ColumnName": col.name}, head=_generated(portal)))
    m = _ART.match(path)
    col = m and next((c for c in portal.columns if c.key == m.group(1)), None)
    if col:
        for item in col.items:
            if art_path(col, item) == path:
                pub = f"{item.pub_date:%Y-%m-%d} 11:{item.doc_id % 60:02d}"
                body = (f'<div class="article"><h1>{escape(item.title)}</h1><div class="info">发布时间：{pub} 来源：'
                        f'{escape(col.organ.name)}</div><div class="view TRS_UEDITOR">{body_of(item)}</div></div>')
                return Reply(200, frame(portal, item.title, body, article_meta(portal, col, item, pub), head=_generated(portal)))
    return not_found(portal)


def item_path(portal, col, item) -> str:
    return art_path(col, item)
