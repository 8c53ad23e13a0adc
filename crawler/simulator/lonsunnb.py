"""LonSun's 年报 lists by year. The year filter (portal-evidence.md §1.2; 平武): `/public/column/
<organId>?type=3&nav=5&sub=1&timeFrame=<year>&hasContent=true`, one page per publication year
reached from year tabs on the unfiltered list; articles `/public/<organId>/<contentId>.html` in
`div.wzcon`. The newer routes (§2.20; 义安, 利辛, 宣州): a year index `/openness/
OpennessAnnualReport/year/<site>/<report year>.html` listing every unit's report of that year,
with tabs for the other years, articles `/openness/OpennessAnnualReport/show/<id>.html`.
"""
from __future__ import annotations

from html import escape

from .common import Reply, article_page, frame, not_found
from .model import Gen, Organ, column, make_portal
from .reports import body_of

STYLE = "lonsunnb"
YEAR_STYLE = "lonsunyear"
ORGAN = "12731"


def build(seed: int) -> list:
    g = Gen(seed, "lonsunnb")
    county = Organ("平川县人民政府", "510727000000", "county", "pc")
    town = Organ("平川县响岩镇", "510727102000", "town", "xyz", county.name)
    items = g.reports(county, range(2014, 2026), 12) + g.reports(town, range(2019, 2026), 4) + g.news(county, 3)
    col = column(ORGAN, "政府信息公开年报", county, items, per_page=1000)
    g = Gen(seed, "lonsunyear")
    district = Organ("义川区人民政府", "340706000000", "county", "yc")
    towns = [Organ("义川区老洲镇", "340706101000", "town", "lz", district.name),
             Organ("义川区西联乡", "340706201000", "town", "xl", district.name)]
    items = g.reports(district, range(2016, 2026), 15)
    for t in towns:
        items += g.reports(t, range(2019, 2026), 5)
    years = column("6", "政府信息公开年报", district, items, per_page=1000)
    return [make_portal("lonsunnb", county.name, "510727", "county", "longtail", STYLE, [col], parent="四川省绵阳市人民政府",
                        start_path=col_path(None, col)),
            make_portal("lonsunyear", district.name, "340706", "county", "longtail", YEAR_STYLE, [years],
                        parent="安徽省铜陵市人民政府", start_path=_year_path(2024))]


def _year_path(year: int) -> str:
    return f"/openness/OpennessAnnualReport/year/6/{year}.html"


def _year_route(portal, req) -> Reply:
    col = portal.columns[0]
    years = sorted({i.year for i in col.items}, reverse=True)
    for y in years:
        if req.path == _year_path(y):
            tabs = "".join(f'<a href="{_year_path(x)}">{x}年</a> ' for x in years)
            rows = "".join(f'<li><a href="{item_path(portal, col, i)}" title="{escape(i.title)}">{escape(i.title)}</a>'
                           f'<span class="date">{i.pub_date:%Y-%m-%d}</span></li>' for i in col.items if i.year == y)
            body = f'<div class="year-tab">{tabs}</div><ul class="clearfix xxgk_nav_list">{rows}</ul>'
            return Reply(200, frame(portal, f"{y}年政府信息公开年报", body, {"ColumnName": "政府信息公开年报"}))
    for item in col.items:
        if item_path(portal, col, item) == req.path:
            return Reply(200, article_page(portal, col, item, body_of(item), "wzcon j-fontContent"))
    return not_found(portal)


def col_path(portal, col) -> str:
    if portal is not None and portal.style == YEAR_STYLE:
        return _year_path(2024)
    return f"/public/column/{ORGAN}?type=3&nav=5&sub=1"


def item_path(portal, col, item) -> str:
    if portal.style == YEAR_STYLE:
        return f"/openness/OpennessAnnualReport/show/{item.doc_id % 10000}.html"
    return f"/public/{ORGAN}/{item.doc_id}.html"


def route(portal, req) -> Reply:
    if portal.style == YEAR_STYLE:
        return _year_route(portal, req)
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
