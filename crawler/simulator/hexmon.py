"""The "hexmon" family (portal-evidence.md §2.1; Jiangxi, Xinjiang, Hunan-怀化, Beijing-丰台): columns
`/<site>/c<col>/` with named list pages (`zfxxgkMultiList.shtml`, a town's `xxgk_list.shtml`),
articles `/<site>/c<col>/YYYYMM/<32 hex>.shtml` (month only), each listed beside its `_app`
twin and a `/big5/` twin, which are the same report and are never archived twice. A wrong
`c<col>` answers 404. A content farm on another host copies the reports under their own titles
and the county column links its copies (转载): a mirror is never archived as the source.
"""
from __future__ import annotations

import hashlib
import re
from html import escape

from .common import Reply, article_page, frame, not_found
from .listing import serve_list
from .model import Gen, Organ, column, make_portal
from .reports import body_of

STYLE = "hexmon"
SITE = "tjxxxgk"
_TWIN = re.compile(r"^(/big5)?(/.+/[0-9a-f]{32})(_app)?\.shtml$")


def build(seed: int) -> list:
    g = Gen(seed, "hexmon")
    county = Organ("汀江县人民政府", "360723000000", "county", "tj")
    towns = [Organ("汀江县吉村镇", "360723102000", "town", "jcz", county.name),
             Organ("汀江县黄龙镇", "360723103000", "town", "hlz", county.name)]
    cols = [column("102429", "政府信息公开年报", county, g.reports(county, range(2012, 2026), 15) + g.news(county, 4),
                   per_page=8, opts={"page": "zfxxgkMultiList.shtml", "control": "links"})]
    for i, t in enumerate(towns):
        cols.append(column(f"{102430 + i}", "年度报告", t, g.reports(t, range(2019, 2026), 5) + g.news(t, 1),
                           per_page=4, opts={"page": "xxgk_list.shtml", "control": "numbers"}))
    p = make_portal("hexmon", county.name, "360723", "county", "longtail", STYLE, cols, parent="江西省赣州市人民政府",
                    start_path=col_path(None, cols[0]))
    p.extra["mirror"] = True
    # The copies on the mirror's host are refused by the fetch policy (another site), each one
    # counted: the portal is still ok, its reason says so.
    p.expect_reason = "links refused"
    return [p]


def mirror(portal, req) -> Reply:
    """The content farm: every report of the county column, copied under its title."""
    for item in portal.columns[0].items:
        if req.path == f"/a/{item.doc_id}.html":
            return Reply(200, frame(portal, item.title, f'<h1>{escape(item.title)}</h1><div class="content">{body_of(item)}</div>'))
    if req.path == "/robots.txt":
        return Reply(200, "User-agent: *\nDisallow:\n", "text/plain")
    return not_found(portal)


def col_dir(col) -> str:
    return f"/{SITE}/c{col.key}/"


def col_path(portal, col) -> str:
    return col_dir(col) + col.opts["page"]


def item_path(portal, col, item) -> str:
    h = hashlib.md5(f"hexmon/{item.doc_id}".encode()).hexdigest()
    return f"{col_dir(col)}{item.pub_date:%Y%m}/{h}.shtml"


def route(portal, req) -> Reply:
    if req.path in ("/", "/index.shtml", "/index.html"):
        towns = "".join(f'<li><a href="{col_path(portal, c)}">{escape(c.organ.name.removeprefix("汀江县"))}年度报告</a></li>'
                        for c in portal.columns[1:])
        body = (f'<div class="xxgk"><h3>政府信息公开</h3><ul><li><a href="{col_path(portal, portal.columns[0])}">'
                f'政府信息公开年报</a></li></ul><h3>乡镇信息公开</h3><ul>{towns}</ul></div>')
        return Reply(200, frame(portal, portal.name, body))
    for col in portal.columns:
        def page(c, k, rows, pager):
            side = ""
            if c is portal.columns[0]:
                side = '<div class="side"><ul>' + "".join(
                    f'<li><a href="{col_path(portal, t)}">{escape(t.organ.name.removeprefix("汀江县"))}年度报告</a></li>'
                    for t in portal.columns[1:]) + "</ul></div>"
            farm = ""
            if c is portal.columns[0] and portal.extra.get("mirror_base"):
                farm = '<div class="zz"><h4>相关转载</h4><ul>' + "".join(
                    f'<li><a href="{portal.extra["mirror_base"]}/a/{i.doc_id}.html">{escape(i.title)}</a></li>'
                    for i in c.items[:3] if hasattr(i, "values")) + "</ul></div>"
            body = (f'<div class="crumb">首页 &gt; 乡镇信息公开 &gt; {escape(c.organ.name)} &gt; {escape(c.name)}</div>{side}'
                    f'<div class="zfxxgk_zdgkc"><ul>{rows}</ul>{pager}</div>{farm}')
            return Reply(200, frame(portal, f"{c.name}-{portal.name}", body, {"ColumnName": c.name}))

        def twins(path, i):
            # Each item is followed by its twins: the app page and the traditional-character page.
            return (f' <a href="{escape(path[:-6])}_app.shtml" title="{escape(i.title)}">移动版</a>'
                    f' <a href="/big5{escape(path)}" title="{escape(i.title)}">繁體</a>')

        reply = serve_list(portal, req, col, col_dir(col), "list_n", col.opts["control"], page,
                           lambda c, i: item_path(portal, c, i), base=col.opts["page"], extra=twins)
        if reply is not None:
            return reply
    m = _TWIN.match(req.path)
    if m:
        for col in portal.columns:
            for item in col.items:
                if item_path(portal, col, item) == m.group(2) + ".shtml":
                    return Reply(200, article_page(portal, col, item, body_of(item), "article_con"))
    return not_found(portal)
