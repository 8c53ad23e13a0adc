"""LonSun (龙讯) 信息公开 platform (portal-styles.md, style C).

Every organ (the county and each 乡镇) has its own organId; its 年报 column
`/public/column/{organId}?type=3&catId={catId}&action=list` is an empty shell whose script names
`pageCount` and the label; the items come from
`GET /site/label/8888?IsAjax=1&dataType=html&labelName=publicInfoList&…&pageIndex=N` as
`ul.xxgk_nav_list li` fragments. Articles: `/public/{organId}/{contentId}.html`, body in
`div.wzcon.j-fontContent`.
"""
from __future__ import annotations

import re
from html import escape

from . import attachments
from .common import Reply, article_meta, frame, not_found
from .reports import body_of

SITE_ID = "6787871"
_COL = re.compile(r"^/public/column/(\d+)$")
_ART = re.compile(r"^/public/(\d+)/(\d+)\.html$")


def col_path(portal, col) -> str:
    return f"/public/column/{col.key}?type=3&catId={col.key}&action=list"


def _col(portal, organ_id):
    return next((c for c in portal.columns if c.key == organ_id), None)


def route(portal, req) -> Reply:
    path, q = req.path, req.query
    if path in ("/", "/index.html"):
        return Reply(200, _home(portal))
    if (reply := attachments.route(portal, req)) is not None:
        return reply
    m = _COL.match(path)
    if m and (col := _col(portal, m.group(1))) and q.get("type") == "3" and q.get("catId") == col.key:
        return Reply(200, _column(portal, col))
    if path == "/site/label/8888" and q.get("labelName") == "publicInfoList":
        col = _col(portal, q.get("organId", ""))
        try:
            index, size = int(q.get("pageIndex", "1")), int(q.get("pageSize", "15"))
        except ValueError:
            return Reply(400, "参数错误")
        if col is None or q.get("catId") != col.key or index < 1 or size < 1:
            return Reply(200, '<ul class="xxgk_nav_list"></ul>')
        items = col.items[(index - 1) * size:index * size]
        rows = "".join(f'<li><a href="/public/{col.key}/{i.doc_id}.html" title="{escape(i.title)}" target="_blank">'
                       f'{escape(i.title)}</a><span class="date">{i.pub_date:%Y-%m-%d}</span></li>' for i in items)
        return Reply(200, f'<div class="xxgk_navli"><ul class="xxgk_nav_list">{rows}</ul></div>')
    m = _ART.match(path)
    if m and (col := _col(portal, m.group(1))):
        for item in col.items:
            if item.doc_id == int(m.group(2)):
                return Reply(200, _article(portal, col, item))
    return not_found(portal)


def _home(portal) -> str:
    links = "".join(
        f'<li><span>{escape(c.organ.name)}</span><a href="/public/column/{c.key}?type=2&catId={c.key}&action=list">政府信息公开指南</a>'
        f'<a href="{escape(col_path(portal, c))}">政府信息公开年报</a></li>' for c in portal.columns)
    body = f"""<div class="xxgk_nav"><h3>政府信息公开</h3><ul class="organ_list">{links}</ul></div>
<script src="/assets/js/common/xxgk.js"></script>"""
    return frame(portal, f"{portal.name}信息公开", body)


def _column(portal, col) -> str:
    count = max(1, -(-len(col.items) // col.per_page))
    body = f"""<div class="crumb"><a href="/">信息公开</a> &gt; {escape(col.organ.name)} &gt; 政府信息公开年报</div>
<div class="xxgk_list" id="xxgk_list"></div><div id="page_list"></div>
<script>
  xxgk.list({{labelUrl:'/site/label/8888', labelName:'publicInfoList', siteId:'{SITE_ID}', organId:'{col.key}',
    type:3, catId:'{col.key}', pageSize:{col.per_page}, pageCount:{count}, container:'#xxgk_list'}});
</script>"""
    return frame(portal, f"政府信息公开年报_{col.organ.name}", body, {"ColumnName": "政府信息公开年报", "ColumnType": "年报"})


def _article(portal, col, item) -> str:
    content = attachments.article_body(portal, col, item) if attachments.has_file(item) else body_of(item)
    pub = f"{item.pub_date:%Y-%m-%d} 08:{item.doc_id % 60:02d}"
    info = (f'<table class="xxgk_info"><tr><th>索引号：</th><td>{col.organ.code}/{item.pub_date.year}-{item.doc_id % 10000}</td>'
            f'<th>发布机构：</th><td>{escape(col.organ.name)}</td></tr><tr><th>生成日期：</th><td>{item.pub_date:%Y-%m-%d}</td>'
            f'<th>文号：</th><td></td></tr></table>')
    body = f"""{info}<div class="wzbox"><h1 class="newstitle">{escape(item.title)}</h1>
<div class="newsinfo">发布时间:{pub} 来源:{escape(col.organ.name)}</div>
<div class="wzcon j-fontContent">{content}</div></div>"""
    return frame(portal, item.title, body, article_meta(portal, col, item, pub))


def item_path(portal, col, item) -> str:
    return f"/public/{col.key}/{item.doc_id}.html"
