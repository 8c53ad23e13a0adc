"""Heilongjiang's UCAP-marked CMS (portal-evidence.md §2.2; 方正, 五常, 道里): the 年报 list page
`/<site>/c<col>/zfxxgklby_nb.shtml` is a shell whose items come from the JSON search
`GET /common/search/<channelId 32 hex>?page=N&_pageSize=15&_isAgg=true&_isJson=true&_template=index`
→ `{data: {total, page, rows, results: [{title, url, publishedTimeStr, domainMetaList …}]}}`;
articles `/<site>/c<col>/YYYYMM/c01_<id>.shtml` (in another column than the list), the body in
`div.article_content > UCAPCONTENT`, meta `UCAPTITLE`/`PUBLISHTIME`.
"""
from __future__ import annotations

import hashlib
import json
from html import escape

from .common import Reply, frame, not_found
from .listing import find_item
from .model import Gen, Organ, column, make_portal
from .reports import body_of

STYLE = "ucap"
SITE = "fzx"


def build(seed: int) -> list:
    g = Gen(seed, "ucap")
    county = Organ("方山县人民政府", "230124000000", "county", "fs")
    towns = [Organ("方山县大罗密镇", "230124104000", "town", "dlm", county.name),
             Organ("方山县德善乡", "230124201000", "town", "dsx", county.name)]
    items = g.reports(county, range(2013, 2026), 20) + g.news(county, 4)
    for t in towns:
        items += g.reports(t, range(2019, 2026), 5)
    cols = [column("111100", "政府信息公开年报", county, items, per_page=15)]
    return [make_portal("ucap", county.name, "230124", "county", "longtail", STYLE, cols, parent="黑龙江省哈尔滨市人民政府",
                        start_path=col_path(None, cols[0]))]


def channel(col) -> str:
    return hashlib.md5(f"ucap/{col.key}".encode()).hexdigest()


def col_path(portal, col) -> str:
    return f"/{SITE}/c{col.key}/zfxxgklby_nb.shtml"


def item_path(portal, col, item) -> str:
    # Articles sit in the column of their organ, not in the list's.
    at = 111797 + (item.doc_id % 3)
    return f"/{SITE}/c{at}/{item.pub_date:%Y%m}/c01_{item.doc_id % 1_000_000}.shtml"


def _search(portal, col, req) -> Reply:
    q = req.query
    try:
        page, rows = max(1, int(q.get("page", "1"))), max(1, min(50, int(q.get("_pageSize", "15"))))
    except ValueError:
        return Reply(400, "bad page")
    if q.get("_isJson") != "true":
        return Reply(200, frame(portal, "搜索", "<div>请使用JSON接口</div>"))
    items = col.items[(page - 1) * rows:page * rows]
    meta = lambda i: [{"resultList": [{"key": "pubdate", "value": f"{i.pub_date:%Y-%m-%d}"},
                                      {"key": "source", "value": col.organ.name}, {"key": "indexnumber", "value": str(i.doc_id)}]}]
    results = [{"title": i.title, "url": item_path(portal, col, i), "subTitle": "", "content": i.title[:20],
                "contentHtml": "", "publishedTimeStr": f"{i.pub_date:%Y-%m-%d} 08:{i.doc_id % 60:02d}:00",
                "domainMetaList": meta(i)} for i in items]
    data = {"data": {"total": len(col.items), "page": page, "rows": rows, "results": results}}
    return Reply(200, json.dumps(data, ensure_ascii=False), "application/json")


def route(portal, req) -> Reply:
    col = portal.columns[0]
    if req.path in ("/", f"/{SITE}/index.shtml"):
        return Reply(200, frame(portal, portal.name, f'<a href="{col_path(portal, col)}">政府信息公开年报</a>'))
    if req.path == col_path(portal, col):
        script = f"""<script>
$(function () {{ var channelId = "{channel(col)}";
  $.ajax({{url: "/common/search/{channel(col)}", data: {{page: 1, _pageSize: 15, _isAgg: true, _isJson: true,
    _template: "index"}}, dataType: "json", success: function (r) {{ render(r.data.results); pager(r.data.total); }}}});
}});</script>"""
        body = f'<div class="zfxxgk_list"><ul id="list"></ul><div id="page"></div></div>{script}'
        return Reply(200, frame(portal, f"{col.name}-{portal.name}", body, {"ColumnName": col.name}))
    if req.path == f"/common/search/{channel(col)}":
        return _search(portal, col, req)
    found = find_item(portal, req.path, item_path)
    if found:
        c, item = found
        pub = f"{item.pub_date:%Y-%m-%d} 08:{item.doc_id % 60:02d}:00"
        body = (f'<div class="article"><h2>{escape(item.title)}</h2><div class="article_content">'
                f'<UCAPCONTENT>{body_of(item)}</UCAPCONTENT></div></div>')
        return Reply(200, frame(portal, item.title, body, {"UCAPTITLE": item.title, "PUBLISHTIME": pub}))
    return not_found(portal)
