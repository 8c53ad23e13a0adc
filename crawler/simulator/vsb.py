"""VSB (博达 Visual SiteBuilder) `.htm` sites (portal-evidence.md §2.8; Gansu, Yunnan, Qinghai): the
column `zfxxgknb.htm`, its later pages `zfxxgknb/<N>.htm` numbered backwards (the last page is
`1.htm`, so every page's URL changes whenever an item is added), the pager `span.p_pages` with
`共N条` and `1/11`, articles `/info/<tree>/<id>.htm` with the body in `div.v_news_content`.
"""
from __future__ import annotations

import re

from .common import Reply, article_page, frame, not_found
from .listing import items_on, item_links, page_count
from .model import Gen, Organ, column, make_portal
from .reports import body_of

STYLE = "vsb"
_PAGE = re.compile(r"^/zfxxgk/zfxxgknb(?:/(\d+))?\.htm$")


def build(seed: int) -> list:
    g = Gen(seed, "vsb")
    county = Organ("秦川县人民政府", "620522000000", "county", "qc")
    dept = Organ("秦川县人力资源和社会保障局", "620522000000-rsj", "department", "rsj", county.name)
    items = g.reports(county, range(2010, 2026), 15) + g.reports(dept, range(2019, 2026), 5) + g.news(county, 5)
    col = column("5883", "政府信息公开年报", county, items, per_page=6)
    col.declared = len(col.items)
    return [make_portal("vsb", county.name, "620522", "county", "longtail", STYLE, [col], parent="甘肃省天水市人民政府",
                        start_path="/zfxxgk/zfxxgknb.htm")]


def col_path(portal, col) -> str:
    return "/zfxxgk/zfxxgknb.htm"


def item_path(portal, col, item) -> str:
    return f"/info/{col.key}/{item.doc_id % 1000000}.htm"


def _page_url(k: int, count: int) -> str:
    return "/zfxxgk/zfxxgknb.htm" if k == 0 else f"/zfxxgk/zfxxgknb/{count - k}.htm"


def route(portal, req) -> Reply:
    col = portal.columns[0]
    if req.path in ("/", "/index.htm", "/index.html"):
        return Reply(200, frame(portal, portal.name, '<div class="nav"><a href="/zfxxgk/zfxxgknb.htm">政府信息公开年报</a></div>'))
    m = _PAGE.match(req.path)
    if m:
        count = page_count(col)
        k = 0 if m.group(1) is None else count - int(m.group(1))
        if 0 <= k < count and (m.group(1) is None or k > 0):
            rows = item_links([(item_path(portal, col, i), i) for i in items_on(col, k)])
            nxt = (f'<span class="p_next p_fun"><a href="{_page_url(k + 1, count)}">下页</a></span>' if k + 1 < count
                   else '<span class="p_next_d p_fun_d">下页</span>')
            pager = (f'<div class="pb_sys_common pb_sys_normal"><span class="p_t">共{len(col.items)}条</span> '
                     f'<span class="p_t">{k + 1}/{count}</span> <span class="p_first p_fun"><a href="{_page_url(0, count)}">首页</a></span>'
                     f'{nxt}<span class="p_last p_fun"><a href="{_page_url(count - 1, count)}">尾页</a></span></div>')
            body = f'<div class="list fr"><ul class="content-list">{rows}</ul><span class="p_pages">{pager}</span></div>'
            return Reply(200, frame(portal, f"{col.name}-{portal.name}", body, {"ColumnName": col.name}))
    for item in col.items:
        if item_path(portal, col, item) == req.path:
            return Reply(200, article_page(portal, col, item, body_of(item), "v_news_content"))
    return not_found(portal)
