"""Hanweb jcms (大汉) and its JPaaS variant (portal-styles.md, style A).

jcms: `/col/col{id}/index.html` embeds the first records in `<script type="text/xml"><datastore>`
and announces `jpage({totalRecord, perPage})`; later records come from
`POST /module/web/jpage/dataproxy.jsp?startrecord=&endrecord=&perpage=` (45 a call).
JPaaS: the column page holds the first page and a pager `<div count rows queryData>`; later pages
come as JSON from `GET /api-gateway/jpaas-publish-server/front/page/build/unit?…&pageNo=N`.
Articles: `/art/YYYY/M/D/art_{colid}_{docid}.html`, body in `div#zoom`.
"""
from __future__ import annotations

import hashlib
import json
import re
from html import escape

from . import attachments
from .common import Reply, article_meta, frame, not_found
from .reports import body_of

WEBID = "3185"
_COL = re.compile(r"^/col/col(\d+)/(?:index\.html)?$")
_ART = re.compile(r"^/art/(\d{4})/(\d{1,2})/(\d{1,2})/art_(\d+)_(\d+)\.html$")


def col_path(portal, col) -> str:
    return f"/col/col{col.key}/"


def art_path(col, item) -> str:
    d = item.pub_date
    return f"/art/{d.year}/{d.month}/{d.day}/art_{col.key}_{item.doc_id}.html"


def _record(col, item) -> str:
    return (f"<li><a href='{art_path(col, item)}' title='{escape(item.title, quote=True)}' target='_blank'>"
            f"{escape(item.title)}</a><span>{item.pub_date:%Y-%m-%d}</span></li>")


def _column_of(portal, key):
    return next((c for c in portal.columns if c.key == key), None)


def route(portal, req) -> Reply:
    path = req.path
    if path in ("/", "/index.html"):
        return Reply(200, _home(portal))
    m = _COL.match(path)
    if m and (col := _column_of(portal, m.group(1))):
        return Reply(200, _jpaas_column(portal, col) if portal.style == "jpaas" else _column(portal, col))
    if portal.style == "hanweb" and re.match(r"^/module/(web/jpage|jpage|jslib/jquery/jpage)/dataproxy\.jsp$", path):
        return _dataproxy(portal, req)
    if portal.style == "jpaas" and path == "/api-gateway/jpaas-publish-server/front/page/build/unit":
        return _jpaas_unit(portal, req)
    if (reply := attachments.route(portal, req)) is not None:
        return reply
    if path == "/module/download/downfile.jsp":
        return _attachment(portal, req)
    if path.startswith("/attach/0/"):
        for c in portal.columns:
            for i in c.items:
                if getattr(i, "attachment", False) and path == f"/attach/0/{attach_name(i)}.pdf":
                    from .pdf import report_pdf

                    return Reply(200, report_pdf(i), "application/pdf")
    m = _ART.match(path)
    if m and (col := _column_of(portal, m.group(4))):
        for item in col.items:
            if item.doc_id == int(m.group(5)) and art_path(col, item) == path:
                return Reply(200, _article(portal, col, item))
    return not_found(portal)


def _home(portal) -> str:
    links = "".join(f'<li><a href="{col_path(portal, c)}index.html">{escape(c.organ.name.removesuffix("人民政府"))}政府信息公开年报</a></li>'
                    for c in portal.columns)
    body = f"""<div class="nav"><a href="/">首页</a><a href="/col/col1229000001/index.html">政务公开</a>
<a href="/col/col1229000002/index.html">政务服务</a><a href="/col/col1229000003/index.html">互动交流</a></div>
<div class="xxgk"><h3>政府信息公开</h3><ul><li><a href="/col/col1229000004/index.html">政府信息公开指南</a></li>
{links}</ul></div><script src="/module/jslib/jquery/jquery.js"></script>"""
    return frame(portal, portal.name, body)


def _crumb(portal, col) -> str:
    return (f'<div class="crumb"><a href="/">首页</a> &gt; 政务公开 &gt; 乡镇街道 &gt; {escape(col.organ.name)} &gt; '
            f'{escape(col.name)}</div>')


def _column(portal, col) -> str:
    first = col.items[:col.per_page]
    unit = "212860"
    nextgroup = (f'<a href="/module/web/jpage/dataproxy.jsp?page=1&appid=1&webid={WEBID}&path=/&columnid={col.key}'
                 f'&unitid={unit}&webname={portal.name}&permissiontype=0">')
    records = "".join(f"<record><![CDATA[{_record(col, i)}]]></record>" for i in first)
    body = f"""{_crumb(portal, col)}<div class="list"><h2>{escape(col.name)}</h2><div id="{unit}">
<script type="text/xml"><datastore><nextgroup><![CDATA[{nextgroup}]]></nextgroup><recordset>{records}</recordset></datastore></script></div>
<script language="javascript">$('#{unit}').jpage({{dataStore:dataStore,totalRecord:{len(col.items)},perPage:{col.per_page},groupSize:3,proxyUrl:'/module/web/jpage/dataproxy.jsp'}});</script></div>"""
    return frame(portal, f"{col.name} {col.organ.name}", body, {"ColumnName": col.name, "ColumnType": "政府信息公开年报"})


def _dataproxy(portal, req) -> Reply:
    if req.method != "POST":
        return Reply(405, "<html><body>Method Not Allowed</body></html>")
    col = _column_of(portal, req.form.get("columnid", ""))
    try:
        start, end, per = int(req.query["startrecord"]), int(req.query["endrecord"]), int(req.query["perpage"])
    except (KeyError, ValueError):
        return Reply(400, "<html><body>bad request</body></html>")
    if col is None:
        return Reply(200, "<datastore><totalrecord>0</totalrecord><totalpage>0</totalpage><recordset></recordset></datastore>", "text/xml")
    items = col.items[start - 1:end]
    records = "".join(f"<record><![CDATA[{_record(col, i)}]]></record>" for i in items)
    pages = -(-len(col.items) // per)
    return Reply(200, f"<datastore><totalrecord>{len(col.items)}</totalrecord><totalpage>{pages}</totalpage>"
                      f"<recordset>{records}</recordset></datastore>", "text/xml")


def _jpaas_list(col, page: int) -> str:
    items = col.items[(page - 1) * col.per_page:page * col.per_page]
    return "".join(f'<li class="clearfix"><a href="{art_path(col, i)}" title="{escape(i.title)}" target="_blank">'
                   f"{escape(i.title)}</a><span>{i.pub_date:%Y-%m-%d}</span></li>" for i in items)


def _jpaas_column(portal, col) -> str:
    body = f"""{_crumb(portal, col)}<div class="list"><h2>{escape(col.name)}</h2>
<ul class="xxgk_list" id="list_{col.key}">{_jpaas_list(col, 1)}</ul>
<div class="pagination" count="{len(col.items)}" rows="{col.per_page}" queryData="{{'webId':'{WEBID}','pageId':'{col.key}','tplSetId':'52e4b9ec','pageType':'column','tagId':'当前栏目list'}}"></div>
<script src="/module/jpaas/pagination.js"></script></div>"""
    return frame(portal, f"{col.name} {col.organ.name}", body, {"ColumnName": col.name, "ColumnType": "政府信息公开年报"})


def _jpaas_unit(portal, req) -> Reply:
    col = _column_of(portal, req.query.get("pageId", ""))
    try:
        page = int(req.query.get("pageNo", "1"))
    except ValueError:
        page = 0
    if col is None or req.query.get("webId") != WEBID or page < 1:
        return Reply(200, json.dumps({"success": False, "message": "参数错误", "data": None}, ensure_ascii=False), "application/json")
    return Reply(200, json.dumps({"success": True, "code": 200, "data": {"html": _jpaas_list(col, page)}}, ensure_ascii=False),
                 "application/json")


def attach_name(item) -> str:
    return hashlib.md5(str(item.doc_id).encode()).hexdigest()


def _attachment(portal, req) -> Reply:
    """downfile.jsp answers with a redirect to where the file is stored."""
    name = req.query.get("filename", "").removesuffix(".pdf")
    if any(attach_name(i) == name for c in portal.columns for i in c.items if getattr(i, "attachment", False)):
        return Reply(302, "", headers=[("Location", f"/attach/0/{name}.pdf")])
    return not_found(portal)


def _article(portal, col, item) -> str:
    pub = f"{item.pub_date:%Y-%m-%d} 10:{item.doc_id % 60:02d}"
    pad = lambda s: "&nbsp;".join(s)
    info = (f'<table class="xxgk_table"><tr><td>{pad("索引号")}：</td><td>{col.organ.code}/{item.pub_date.year}-{item.doc_id % 100000:05d}</td>'
            f'<td>{pad("公开方式")}：</td><td>主动公开</td></tr><tr><td>{pad("成文日期")}：</td><td>{item.pub_date:%Y-%m-%d}</td>'
            f'<td>{pad("发布机构")}：</td><td>{escape(col.organ.name)}</td></tr><tr><td>{pad("组配分类")}：</td>'
            f'<td>政府信息公开年报</td></tr></table>')
    body = f"""{_crumb(portal, col)}{info}<div class="article"><h1>{escape(item.title)}</h1>
<div class="info">发布日期：{pub} 来源：{escape(col.organ.name)}</div>
<div id="zoom"><!--ZJEG_RSS.content.begin--><meta name="ContentStart">{_content(portal, col, item)}<meta name="ContentEnd"><!--ZJEG_RSS.content.end--></div></div>"""
    return frame(portal, item.title, body, article_meta(portal, col, item, pub))


def _content(portal, col, item) -> str:
    if attachments.has_file(item):
        return attachments.article_body(portal, col, item)
    if not getattr(item, "attachment", False):
        return body_of(item)
    show = escape(f"{item.title}.pdf")
    return (f"<p>{escape(item.title)}详见附件。</p><p>附件：<a href=\"/module/download/downfile.jsp?classid=0&amp;showname={show}"
            f"&amp;filename={attach_name(item)}.pdf\" target=\"_blank\">{show}</a></p>")


def item_path(portal, col, item) -> str:
    """Where the report is fetched from: the article, or the file its attachment link leads to."""
    if getattr(item, "attachment", False):
        return f"/attach/0/{attach_name(item)}.pdf"
    return art_path(col, item)
