"""Hunan's 政府信息公开目录系统 (portal-evidence.md §2.9; 邵阳): the entry page is a zTree shell with
no records; the tree comes from a JSONP call, `GET /u/channel/treeNew/<site>?callback=JsonpCallBack&
channelId=…&published_file_name=/zwgk/&template_name=zwgk_right2…`, answered only to a request
that names its Referer, whose nodes carry the list page shown in an iframe (`iframeurl`; some
carry the placeholder `/xxx/null.shtml`). List pages are `xlist.shtml`, `xlist_2.shtml` … (no
_1; a department's `rlist.shtml` likewise), the pager drawn by `createPageHTML('page_div', pages,
current, 'xlist', 'shtml', records)` with no anchors — and its totals can be stale (1 page and 5
records claimed while 3 pages are served). Articles `/<site>/<cat>/YYYYMM/<32 hex>.shtml`, body in
`div#zoomcon`, the meta name `ContentSource ` written with a trailing space.
"""
from __future__ import annotations

import hashlib
import json
from html import escape

from .common import Reply, frame, not_found
from .listing import find_item, items_on, item_links, page_count
from .model import Gen, Organ, column, make_portal
from .reports import body_of

STYLE = "hunan"
SITE = "shaoyuan"
CHANNEL = "979dc6eb921b418a9355bc6eb2eac8f4"
ENTRY = f"/{SITE}/xxgk/xxzwgkList.shtml"


def build(seed: int) -> list:
    g = Gen(seed, "hunan")
    county = Organ("邵原县人民政府", "430523000000", "county", "sy")
    towns = [Organ("邵原县塘渡口镇", "430523101000", "town", "tdk", county.name),
             Organ("邵原县白仓镇", "430523102000", "town", "bc", county.name)]
    dept = Organ("邵原县人力资源和社会保障局", "430523000000-rsj", "department", "rsj", county.name)
    county_items = g.reports(county, range(2008, 2026), 20) + g.news(county, 3)  # 21 items, 3 pages of 8
    town_items = []
    for t in towns:
        town_items += g.reports(t, range(2019, 2026), 5)
    cols = [column("xzfnb", "县政府", county, county_items, per_page=8, opts={"list": "xlist", "stale": (1, 5)}),
            column("xznb", "乡镇", towns[0], town_items + g.news(towns[0], 1), per_page=6, opts={"list": "xlist"}),
            column("rsjnb", "县人社局", dept, g.reports(dept, range(2019, 2026), 6), per_page=5, opts={"list": "rlist"})]
    return [make_portal("hunan", county.name, "430523", "county", "longtail", STYLE, cols, parent="湖南省邵阳市人民政府",
                        start_path=ENTRY)]


def col_dir(col) -> str:
    return f"/{SITE}/{col.key}/"


def col_path(portal, col) -> str:
    return col_dir(col) + f"{col.opts['list']}.shtml"


def item_path(portal, col, item) -> str:
    return f"{col_dir(col)}{item.pub_date:%Y%m}/{hashlib.md5(f'hunan/{item.doc_id}'.encode()).hexdigest()}.shtml"


def _tree(portal) -> list[dict]:
    nodes = [{"id": "1", "pId": "0", "name": "政府信息公开目录", "iframeurl": "/xxx/null.shtml", "open": True},
             {"id": "2", "pId": "1", "name": "政府信息公开指南", "iframeurl": f"/{SITE}/xxgkzn/xlist.shtml"},
             {"id": "3", "pId": "1", "name": "法定主动公开内容", "iframeurl": "/xxx/null.shtml"},
             {"id": "4", "pId": "1", "name": "政府信息公开年报", "iframeurl": "/xxx/null.shtml"}]
    for i, col in enumerate(portal.columns):
        nodes.append({"id": f"4{i}", "pId": "4", "name": col.name, "iframeurl": col_path(portal, col)})
    return nodes


def _entry(portal) -> str:
    script = f"""<script>
var setting = {{view: {{dblClickExpand: false}}, data: {{simpleData: {{enable: true}}}}, callback: {{onClick: zTreeOnClick}}}};
$.ajax({{url: "/u/channel/treeNew/{SITE}", type: "get", dataType: "jsonp", jsonpCallback: "JsonpCallBack",
  data: {{level: 1, pid: 0, channelId: "{CHANNEL}", catecode: "", open: 1, target: "iframe",
         published_file_name: "/zwgk/", template_name: "zwgk_right2"}},
  success: function (nodes) {{ $.fn.zTree.init($("#tree"), setting, nodes); }}}});
function zTreeOnClick(e, id, node) {{ $("#iframe").attr("src", node.iframeurl); }}
</script>"""
    body = f'<div class="xxgk"><ul id="tree" class="ztree"></ul><iframe id="iframe" name="iframe" src=""></iframe></div>{script}'
    return frame(portal, "政府信息公开目录", body, head='<script src="/js/jquery.ztree.all.min.js"></script>')


def route(portal, req) -> Reply:
    path = req.path
    if path in ("/", "/index.shtml"):
        return Reply(200, frame(portal, portal.name, f'<a href="{ENTRY}">政府信息公开</a>'))
    if path == ENTRY:
        return Reply(200, _entry(portal))
    if path == f"/u/channel/treeNew/{SITE}":
        q = req.query
        if not req.headers.get("Referer") or q.get("channelId") != CHANNEL:
            return not_found(portal)  # the list answers only a request that comes from its page
        cb = q.get("callback") or "JsonpCallBack"
        return Reply(200, f"{cb}({json.dumps(_tree(portal), ensure_ascii=False)})", "application/javascript")
    for col in portal.columns:
        d, name = col_dir(col), col.opts["list"]
        if not path.startswith(d):
            continue
        rest = path[len(d):]
        count = page_count(col)
        k = 0 if rest == f"{name}.shtml" else next((i for i in range(1, count) if rest == f"{name}_{i + 1}.shtml"), None)
        if k is not None:
            pages, records = col.opts.get("stale") or (count, len(col.items))
            rows = item_links([(item_path(portal, col, i), i) for i in items_on(col, k)])
            body = (f'<div class="list_right"><ul>{rows}</ul><div id="page_div"></div></div>'
                    f"<script>createPageHTML('page_div',{pages}, {k + 1},'{name}','shtml',{records});</script>")
            return Reply(200, frame(portal, col.name, body))
    found = find_item(portal, path, item_path)
    if found:
        col, item = found
        pub = f"{item.pub_date:%Y-%m-%d} 15:{item.doc_id % 60:02d}"
        body = (f'<div class="article"><h1>{escape(item.title)}</h1><div class="info">发布时间：{pub}</div>'
                f'<div id="zoomcon">{body_of(item)}</div></div>')
        meta = {"ArticleTitle": item.title, "PubDate": pub, "ContentSource ": col.organ.name}
        return Reply(200, frame(portal, item.title, body, meta))
    return not_found(portal)
