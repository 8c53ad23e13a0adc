"""Anhui's PHP/MongoDB "openness" CMS (portal-evidence.md §2.20; 淮北, 马鞍山, 寿县): per unit
(`branch_id`, a 24-hex ObjectId) a 年报 list `/opennessAnnualReport/?branch_id=<24hex>&page=N`
(page 0 is page 1), articles `/openness/detail/content/<24hex>.html`; the units are linked from
the 年报 column by name.
"""
from __future__ import annotations

import hashlib
from html import escape

from .common import Reply, article_page, frame, not_found
from .listing import item_links, items_on, page_count
from .model import Gen, Organ, column, make_portal
from .reports import body_of

STYLE = "openness"
ROOT = "/xxgk/openness/annual/"


def _oid(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:24]


def build(seed: int) -> list:
    g = Gen(seed, "openness")
    county = Organ("寿丰县人民政府", "340422000000", "county", "sf")
    units = [county, Organ("寿丰县正阳关镇", "340422101000", "town", "zyg", county.name),
             Organ("寿丰县教育局", "340422000000-jyj", "department", "jyj", county.name)]
    cols = [column(_oid(u.name), "政府信息公开年报", u,
                   g.reports(u, range(2012 if u is county else 2019, 2026), 10) + g.news(u, 2), per_page=6) for u in units]
    return [make_portal("openness", county.name, "340422", "county", "longtail", STYLE, cols, parent="安徽省淮南市人民政府",
                        start_path=ROOT)]


def col_path(portal, col) -> str:
    return f"/opennessAnnualReport/?branch_id={col.key}"


def item_path(portal, col, item) -> str:
    return f"/openness/detail/content/{_oid(f'{col.key}/{item.doc_id}')}.html"


def route(portal, req) -> Reply:
    if req.path in ("/", ROOT):
        units = "".join(f'<li><a href="{escape(col_path(portal, c))}">{escape(c.organ.name.removeprefix("寿丰县"))}</a></li>'
                        for c in portal.columns)
        body = f'<div class="crumb">首页 &gt; 信息公开 &gt; 政府信息公开年报</div><ul class="branch">{units}</ul>'
        return Reply(200, frame(portal, "政府信息公开年报", body, {"ColumnName": "政府信息公开年报"}))
    col = next((c for c in portal.columns if c.key == req.query.get("branch_id")), None)
    if col and req.path == "/opennessAnnualReport/":
        try:
            page = max(1, int(req.query.get("page", "1")))
        except ValueError:
            page = 1
        count = page_count(col)
        if page > count:
            return Reply(200, frame(portal, col.organ.name, '<ul class="list"></ul>'))
        rows = item_links([(item_path(portal, col, i), i) for i in items_on(col, page - 1)])
        link = lambda n, t: f'<a href="?branch_id={col.key}&amp;page={n}">{t}</a> '
        pager = link(1, "首页") + (link(page - 1, "上一页") if page > 1 else "") + "".join(
            link(n, n) for n in range(1, count + 1)) + (link(page + 1, "下一页") if page < count else "") + link(count, "尾页")
        body = f'<ul class="list">{rows}</ul><div class="pages">{pager}共{len(col.items)}条</div>'
        return Reply(200, frame(portal, f"{col.organ.name}政府信息公开年报", body))
    for c in portal.columns:
        for item in c.items:
            if item_path(portal, c, item) == req.path:
                return Reply(200, article_page(portal, c, item, body_of(item), "article-content"))
    return not_found(portal)
