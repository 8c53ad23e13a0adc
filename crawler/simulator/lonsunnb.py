"""LonSun's 年报 list with a year filter (portal-evidence.md §1.2; 平武): `/public/column/<organId>?
type=3&nav=5&sub=1&timeFrame=<year>&hasContent=true`, one page per publication year reached from
year tabs on the unfiltered list; articles `/public/<organId>/<contentId>.html` in `div.wzcon`.
"""
from __future__ import annotations

from html import escape

from .common import Reply, article_page, frame, not_found
from .model import Gen, Organ, column, make_portal
from .reports import body_of

STYLE = "lonsunnb"
ORGAN = "12731"


def build(seed: int) -> list:
    g = Gen(seed, "lonsunnb")
    county = Organ("平川县人民政府", "510727000000", "county", "pc")
    town = Organ("平川县响岩镇", "510727102000", "town", "xyz", county.name)
    items = g.reports(county, range(2014, 2026), 12) + g.reports(town, range(2019, 2026), 4) + g.news(county, 3)
    col = column(ORGAN, "政府信息公开年报", county, items, per_page=1000)
    return [make_portal("lonsunnb", county.name, "510727", "county", "longtail", STYLE, [col], parent="四川省绵阳市人民政府",
                        start_path=col_path(None, col))]


def col_path(portal, col) -> str:
    return f"/public/column/{ORGAN}?type=3&nav=5&sub=1"


def item_path(portal, col, item) -> str:
    return f"/public/{ORGAN}/{item.doc_id}.html"


def route(portal, req) -> Reply:
    col = portal.columns[0]
    q = req.query
    if req.path in ("/", "/index.html"):
        return Reply(200, frame(portal, portal.name, f'<a href="{escape(col_path(portal, col))}">政府信息公开年报</a>'))
    if req.path == f"/public/column/{ORGAN}" and q.get("type") == "3":
        years = sorted({i.pub_date.year for i in col.items}, reverse=True)
        tabs = "".join(f'<li><a href="?type=3&amp;nav=5&amp;sub=1&amp;timeFrame={y}&amp;hasContent=true">{y}年</a></li>'
                       for y in years)
        rows = ""
        if q.get("timeFrame"):
            year = q["timeFrame"]
            rows = "".join(f'<li><a href="/public/{ORGAN}/{i.doc_id}.html" title="{escape(i.title)}">{escape(i.title)}</a>'
                           f'<span class="date">{i.pub_date:%Y-%m-%d}</span></li>'
                           for i in col.items if str(i.pub_date.year) == year)
            if not rows:
                rows = '<li class="empty">暂无信息</li>'
        body = f'<div class="nb-year"><ul>{tabs}</ul></div><ul class="xxgk_nav_list">{rows}</ul>'
        return Reply(200, frame(portal, "政府信息公开年报", body, {"ColumnName": "政府信息公开年报", "ColumnType": "信息公开年报"}))
    for item in col.items:
        if item_path(portal, col, item) == req.path:
            return Reply(200, article_page(portal, col, item, body_of(item), "wzcon j-fontContent"))
    return not_found(portal)
