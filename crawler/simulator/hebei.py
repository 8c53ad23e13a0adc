"""Hebei's provincial 集约化 platform (portal-evidence.md §2.3; 河北省, 正定, 长安区, 石家庄): columns
`/columns/<uuid>/index.html` whose list has no static link at all (a script draws it), articles
`/columns/<uuid>/<YYYYMM>/<DD>/<uuid>.html` whose path date is the day the page was last filed —
not the publication date, which only the page (`2021-03-2918:26`, date and time run together) and
the list data give. How the real script loads its list was not captured; here it fetches a JSON
file the page names (`$.getJSON("/columns/<uuid>/list.json?page=1")`, 15 items a page, `total`).
"""
from __future__ import annotations

import json
import uuid
from datetime import timedelta
from html import escape

from .common import Reply, frame, not_found
from .listing import find_item
from .model import Gen, Organ, column, make_portal
from .reports import body_of

STYLE = "hebei"
PER_PAGE = 15


def _uuid(text: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, text))


def build(seed: int) -> list:
    g = Gen(seed, "hebei")
    county = Organ("正平县人民政府", "130123000000", "county", "zp")
    dept = Organ("正平县发展和改革局", "130123000000-fgj", "department", "fgj", county.name)
    items = g.reports(county, range(2009, 2026), 20) + g.reports(dept, range(2019, 2026), 6) + g.news(county, 5)
    col = column(_uuid("hebei/nb"), "政府信息公开年报", county, items, per_page=PER_PAGE)
    col.declared = len(col.items)
    return [make_portal("hebei", county.name, "130123", "county", "longtail", STYLE, [col], parent="河北省石家庄市人民政府",
                        start_path=col_path(None, col))]


def col_path(portal, col) -> str:
    return f"/columns/{col.key}/index.html"


def _filed(item):
    # Pages are re-filed when the site is rebuilt: the path date is later than the publication.
    return item.pub_date + timedelta(days=200 + item.doc_id % 900)


def item_path(portal, col, item) -> str:
    d = _filed(item)
    return f"/columns/{col.key}/{d:%Y%m}/{d:%d}/{_uuid(f'hebei/{item.doc_id}')}.html"


def route(portal, req) -> Reply:
    col = portal.columns[0]
    if req.path in ("/", "/index.html"):
        return Reply(200, frame(portal, portal.name, f'<a href="{col_path(portal, col)}">政府信息公开年报</a>'))
    if req.path == col_path(portal, col):
        script = (f'<script>$(function () {{ $.getJSON("/columns/{col.key}/list.json?page=1", function (d) {{'
                  ' render("#list", d.list); pages("#page", d.total, d.pageSize); }}); }});</script>')
        body = f'<div class="crumb">当前位置:首页 &gt; 政府信息公开 &gt; 政府信息公开年报</div><ul id="list"></ul><div id="page"></div>{script}'
        return Reply(200, frame(portal, f"{col.name}-{portal.name}", body, {"ColumnName": col.name}))
    if req.path == f"/columns/{col.key}/list.json":
        try:
            page = max(1, int(req.query.get("page", "1")))
        except ValueError:
            page = 1
        items = col.items[(page - 1) * PER_PAGE:page * PER_PAGE]
        data = {"total": len(col.items), "pageSize": PER_PAGE, "page": page,
                "list": [{"title": i.title, "url": item_path(portal, col, i), "publishDate": f"{i.pub_date:%Y-%m-%d}"}
                         for i in items]}
        return Reply(200, json.dumps(data, ensure_ascii=False), "application/json")
    found = find_item(portal, req.path, item_path)
    if found:
        c, item = found
        pub = f"{item.pub_date:%Y-%m-%d}{item.doc_id % 24:02d}:{item.doc_id % 60:02d}"
        body = (f'<div class="crumb">当前位置:首页  &gt; 政府信息公开  &gt; 政府信息公开年报  &gt; {escape(c.organ.name)}</div>'
                f'<div class="article"><h2>{escape(item.title)}</h2><div class="info">{pub} 来源:{escape(c.organ.name)} 字体:'
                f'</div><div class="article-content">{body_of(item)}</div></div>')
        return Reply(200, frame(portal, item.title, body, {"ArticleTitle": item.title}))
    return not_found(portal)
