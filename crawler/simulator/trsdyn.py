"""TRS "动静结合" lists (portal-styles.md B; Fujian's intensive platform and others): the column
page holds its first page of items as static HTML; the pager is drawn by `list2.trsapi` and later
pages come only from the document search API, `POST /fjdzapp/search` with the form fields the
page's script prints (`channelid`, `classsql`, `sortfield`, `page`, `prepage`). Two JSON spellings
are served: `docs` (`doctitle`, `chnldocurl`, `docreltime`) and `data` (`doctitle`, `docpuburl`,
`docreltime`, a millisecond `timestamp`). Articles are `./YYYYMM/tYYYYMMDD_ID.htm`, whose URL date
is not the publication date; `<meta charset="utf-8" name="viewport" …>`; the body in an unquoted
`<div class=TRS_Editor>`. The API answers 404 to a request without a Referer (如皋 truecms).
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from html import escape

from .common import Reply, frame, not_found
from .listing import item_links
from .model import Gen, Organ, column, make_portal
from .reports import body_of

STYLE = "trsdyn"
SEARCH_ID = "200210"
_ART = re.compile(r"^(/.+/)(\d{6})/t(\d{8})_(\d+)\.htm$")


def build(seed: int) -> list:
    g = Gen(seed, "trsdyn")
    county = Organ("闽清溪县人民政府", "350125000000", "county", "mqx")
    towns = [Organ("闽清溪县梅溪镇", "350125101000", "town", "mxz", county.name),
             Organ("闽清溪县白樟镇", "350125102000", "town", "bzz", county.name)]
    # The county column answers in the `docs` spelling, the towns' column in `data`.
    cols = [column("1813", "政府信息公开年报", county,
                   g.reports(county, range(2008, 2026), 20) + g.reports(towns[0], range(2019, 2026), 5) + g.news(county, 3),
                   per_page=10, opts={"json": "docs"}),
            column("1814", "乡镇政府信息公开年报", towns[1], g.reports(towns[1], range(2016, 2026), 5) + g.news(towns[1], 2),
                   per_page=6, opts={"json": "data"})]
    for c in cols:
        c.declared = len(c.items)
    return [make_portal("trsdyn", "闽清溪县人民政府", "350125", "county", "trs", STYLE, cols,
                        parent="福建省福州市人民政府", start_path=col_path(None, cols[0]))]


def col_path(portal, col) -> str:
    return "/zwgk/zfxxgknb/" if col.key == "1813" else f"/zwgk/zfxxgknb/c{col.key}/"


def _url_date(item):
    # The article's directory and name carry the day it was filed, not the day it was published.
    return item.pub_date - timedelta(days=item.doc_id % 5 + 1)


def item_path(portal, col, item) -> str:
    d = _url_date(item)
    return f"{col_path(portal, col)}{d:%Y%m}/t{d:%Y%m%d}_{item.doc_id}.htm"


def _column_page(portal, col) -> str:
    first = col.items[:col.per_page]
    rows = item_links([("./" + item_path(portal, col, i).removeprefix(col_path(portal, col)), i) for i in first])
    subs = ""
    if col is portal.columns[0]:
        subs = "".join(f'<li><a href="{col_path(portal, c)}">{escape(c.name)}</a></li>' for c in portal.columns[1:])
        subs = f'<div class="side"><ul>{subs}</ul></div>'
    script = f"""<script>var SiteInfo = {{siteId: 42, siteName: "{escape(portal.name)}", searchId: {SEARCH_ID}}};</script>
<script>require(["list2.trsapi", "pagebar"], function (listModel) {{
  listModel({{quickMode: "动静结合", maxStaticIndex: 1, el: "#list",
    listArgs: {{channelid: SiteInfo.searchId, classsql: "" || "chnlid={col.key}", sortfield: "-docorderpri,-docreltime",
      classcol: "publishyear", cache: true}},
    pagebar: {{el: "#pagebar", prepage: {col.per_page}, recordCount: '{len(col.items)}', pageCount: 0}}}});
}});</script>"""
    body = (f'<div class="crumb">当前位置：<a href="/">首页</a> &gt; {escape(col.name)}</div>{subs}'
            f'<div class="list"><ul id="list">{rows}</ul><div id="pagebar"></div></div>{script}')
    return frame(portal, f"{col.name}_{portal.name}", body, {"ColumnName": col.name},
                 head='<meta charset="utf-8" name="viewport" content="width=device-width, initial-scale=1">')


def _search(portal, req) -> Reply:
    f = req.form
    col = next((c for c in portal.columns if f.get("classsql") == f"chnlid={c.key}"), None)
    if not req.headers.get("Referer"):
        return not_found(portal)
    if f.get("channelid") != SEARCH_ID or col is None:
        return Reply(200, json.dumps({"docs": [], "data": [], "pageCount": 0, "recordCount": 0}), "application/json")
    try:
        page, prepage = int(f.get("page", "1")), int(f.get("prepage", str(col.per_page)))
    except ValueError:
        return Reply(400, "bad page")
    prepage = max(1, min(prepage, 50))
    items = col.items[(page - 1) * prepage:page * prepage] if page >= 1 else []
    count = -(-len(col.items) // prepage)
    rel = lambda i: f"{i.pub_date:%Y-%m-%d} 09:{i.doc_id % 60:02d}:00"
    if col.opts["json"] == "docs":
        docs = [{"doctitle": i.title, "chnldocurl": item_path(portal, col, i), "docreltime": rel(i)} for i in items]
        out = {"docs": docs, "pageCount": count, "recordCount": len(col.items)}
    else:
        ts = lambda i: int(datetime(i.pub_date.year, i.pub_date.month, i.pub_date.day, 9).timestamp() * 1000)
        docs = [{"doctitle": i.title, "docpuburl": item_path(portal, col, i), "docreltime": rel(i), "timestamp": ts(i)}
                for i in items]
        out = {"data": docs, "pageCount": count, "total": len(col.items)}
    return Reply(200, json.dumps(out, ensure_ascii=False), "application/json")


def route(portal, req) -> Reply:
    path = req.path
    if path in ("/", "/index.html"):
        links = "".join(f'<li><a href="{col_path(portal, c)}">{escape(c.name)}</a></li>' for c in portal.columns[:1])
        return Reply(200, frame(portal, portal.name, f'<div class="zwgk"><h3>政府信息公开</h3><ul>{links}</ul></div>'))
    if path == "/fjdzapp/search" and req.method == "POST":
        return _search(portal, req)
    for col in portal.columns:
        if path in (col_path(portal, col), col_path(portal, col) + "index.html"):
            return Reply(200, _column_page(portal, col))
    m = _ART.match(path)
    if m:
        for col in portal.columns:
            for item in col.items:
                if item_path(portal, col, item) == path:
                    pub = f"{item.pub_date:%Y-%m-%d} 09:{item.doc_id % 60:02d}"
                    body = (f'<div class="article"><h1>{escape(item.title)}</h1><div class="info">发布时间：{pub}'
                            f' 来源：{escape(col.organ.name)}</div><div class=TRS_Editor>{body_of(item)}</div></div>')
                    meta = {"ArticleTitle": item.title, "PubDate": pub, "ContentSource": col.organ.name}
                    return Reply(200, frame(portal, item.title, body, meta,
                                            head='<meta charset="utf-8" name="viewport" content="width=device-width">'))
    return not_found(portal)
