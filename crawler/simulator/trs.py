"""A county portal on TRS WCM, static publishing (portal-styles.md, style B).

Column directories hold `index.html`, `index_1.html`, … paged by
`<script>createPageHTML(N, i, "index", "html");</script>`; articles live at
`./YYYYMM/tYYYYMMDD_NNNNNNN.html` with the TRS meta tags and the body in `div.TRS_Editor`.
"""
from __future__ import annotations

from html import escape

from archive import schema

from .reports import report_body  # noqa: F401  (the 云溪县 pages and the tests render with it)
from .world import COUNTY, Column, NewsItem, SimReport, World

SITE_NAME = COUNTY.name
SITE_DOMAIN = "www.yunxi.gov.cn"
SITE_ID = "3501280001"

PAGER_JS = """function createPageHTML(_nPageCount, _nCurrIndex, _sPageName, _sPageExt){
  if(_nPageCount == null || _nPageCount<=1){ return; }
  var nCurrIndex = _nCurrIndex || 0;
  if(nCurrIndex == 0) document.write("<span>首页</span>&nbsp;");
  else document.write("<a href=\\""+_sPageName+"."+_sPageExt+"\\">首页</a>&nbsp;");
  for(var i=0; i<_nPageCount; i++){
    var sName = i==0 ? _sPageName+"."+_sPageExt : _sPageName+"_"+i+"."+_sPageExt;
    if(i==nCurrIndex) document.write("<span>"+(i+1)+"</span>&nbsp;");
    else document.write("<a href=\\""+sName+"\\">"+(i+1)+"</a>&nbsp;");
  }
}
"""


def _page(title: str, body: str, meta: dict[str, str] | None = None) -> str:
    metas = "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in (meta or {}).items())
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta http-equiv="X-UA-Compatible" content="IE=edge">
{metas}<title>{escape(title)}</title>
<script src="/images/pagecount.js"></script>
</head><body>
<div class="header"><div class="logo"><a href="/">{escape(SITE_NAME)}</a></div>
<ul class="nav"><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/hdjl/">互动交流</a></li><li><a href="/zwfw/">政务服务</a></li></ul></div>
{body}
<div class="footer">主办：{escape(SITE_NAME)}办公室 网站标识码：{SITE_ID} 闽ICP备05000000号</div>
</body></html>"""


def home_page(world: World) -> str:
    links = "".join(
        f'<li><a href="{c.path}">{escape(c.organ.name.removesuffix("人民政府"))}政府信息公开年报</a></li>' for c in world.columns
    )
    body = f"""<div class="main"><div class="zwgk"><h3>政府信息公开</h3><ul>
<li><a href="/zwgk/zfxxgk/zfxxgkzn/">政府信息公开指南</a></li>
<li><a href="/zwgk/zfxxgk/zfxxgkzd/">政府信息公开制度</a></li>
<li><a href="/zwgk/zfxxgk/fdzdgknr/">法定主动公开内容</a></li>
<li><a href="{world.columns[0].path}">政府信息公开年报</a></li></ul></div>
<div class="xzjd"><h3>乡镇政府信息公开</h3><ul>{links}</ul></div></div>"""
    return _page(SITE_NAME, body, {"SiteName": SITE_NAME, "SiteDomain": SITE_DOMAIN, "SiteIDCode": SITE_ID})


def page_count(column: Column) -> int:
    return max(1, -(-len(column.items) // column.per_page))


def column_page(world: World, column: Column, index: int) -> str | None:
    count = page_count(column)
    if index >= count:
        return None
    items = column.items[index * column.per_page : (index + 1) * column.per_page]
    rows = "".join(
        f'<li><a href="./{i.month_dir}/{i.article_name}" target="_blank" title="{escape(i.title)}">{escape(i.title)}</a>'
        f"<span>{i.pub_date:%Y-%m-%d}</span></li>\n"
        for i in items
    )
    subsites = ""
    if column is world.columns[0]:
        subsites = '<div class="side"><h4>乡镇（街道）</h4><ul>' + "".join(
            f'<li><a href="{c.path}index.html">{escape(c.organ.name.removeprefix("云溪县"))}政府信息公开年报</a></li>'
            for c in world.columns[1:]
        ) + "</ul></div>"
    crumb = f'<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt; <span>{escape(column.organ.name)}</span> &gt; {escape(column.name)}'
    body = f"""<div class="crumb">当前位置：{crumb}</div>{subsites}
<div class="list"><h2>{escape(column.name)}</h2><ul class="list-ul">
{rows}</ul>
<div class="page"><script>createPageHTML({count}, {index}, "index", "html");</script></div></div>"""
    meta = {"SiteName": SITE_NAME, "SiteDomain": SITE_DOMAIN, "SiteIDCode": SITE_ID,
            "ColumnName": column.name, "ColumnType": "政府信息公开年报"}
    return _page(f"{column.name}_{column.organ.name}", body, meta)


def article_page(world: World, column: Column, item) -> str:
    body_html = report_body(item) if isinstance(item, SimReport) else f"<p>{escape(item.body)}</p>"
    pub = f"{item.pub_date:%Y-%m-%d} 09:{item.doc_id % 60:02d}"
    source = f"{column.organ.name}办公室" if column.organ.level == "county" else column.organ.name
    meta = {"SiteName": SITE_NAME, "SiteDomain": SITE_DOMAIN, "SiteIDCode": SITE_ID, "ColumnName": column.name,
            "ColumnType": "政府信息公开年报", "ArticleTitle": item.title, "PubDate": pub, "ContentSource": source}
    body = f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="../">{escape(column.name)}</a></div>
<div class="article"><h2 class="title">{escape(item.title)}</h2>
<div class="info"><span>发布时间：{pub}</span><span>来源：{escape(source)}</span></div>
<div class="TRS_Editor">{body_html}</div></div>"""
    return _page(item.title, body, meta)


def robots_txt() -> str:
    return "User-agent: *\nDisallow: /admin/\nDisallow: /_simulator/\n"


def truth(world: World) -> dict:
    """The ground truth as JSON: every report with its URL path and every value."""
    out = []
    for col in world.columns:
        for item in col.items:
            if isinstance(item, NewsItem):
                continue
            out.append({
                "path": f"{col.path}{item.month_dir}/{item.article_name}",
                "title": item.title, "organ": item.organ.name, "organ_code": item.organ.code,
                "level": item.organ.level, "year": item.year, "template": item.template,
                "pub_date": item.pub_date.isoformat(),
                "values": {t: {r: {c: str(v) for c, v in cols.items()} for r, cols in rows.items()}
                           for t, rows in item.values.items()},
            })
    return {"seed": world.seed, "reports": out, "news": len(world.news),
            "tables": list(schema.TABLES)}


# Any TRS portal of the universe (universe.SimPortal): the 云溪县 portal is served by the
# functions above, exactly as before; the others (a legacy GBK district, obstacle portals) by
# these, with the old 首页/上一页/下一页/尾页 pager beside createPageHTML and `_wap` twins.
import re as _re

from . import attachments
from .common import Reply, article_meta, frame, li, not_found
from .reports import body_of

_PAGE = _re.compile(r"^index(?:_(\d+))?\.html$")
_ART = _re.compile(r"^(\d{6})/(t\d{8}_\d{7})(_wap)?\.html$")


def col_path(portal, col) -> str:
    return col.key


def route(portal, req) -> Reply:
    world = portal.extra.get("world")
    path = req.path
    if (reply := attachments.route(portal, req)) is not None:
        return reply
    if path in ("/", "/index.html"):
        return Reply(200, home_page(world) if world else _home(portal))
    if path == "/images/pagecount.js":
        return Reply(200, PAGER_JS, "application/javascript")
    for i, col in enumerate(portal.columns):
        if not path.startswith(col.key):
            continue
        rest = path[len(col.key):]
        m = _PAGE.match(rest or "index.html")
        if m:
            index = int(m.group(1) or 0)
            page = column_page(world, world.columns[i], index) if world else _column(portal, col, index)
            if page is not None:
                return Reply(200, page)
        m = _ART.match(rest)
        if m:
            for item in col.items:
                if item.month_dir == m.group(1) and item.article_name == m.group(2) + ".html":
                    if world:
                        return Reply(200, article_page(world, world.columns[i], item))
                    return Reply(200, _article(portal, col, item, wap=bool(m.group(3))))
    return not_found(portal)


def _home(portal) -> str:
    links = "".join(f'<li><a href="{c.key}">{escape(c.organ.name.removesuffix("人民政府"))}政府信息公开年报</a></li>'
                    for c in portal.columns)
    body = f"""<div class="main"><div class="zwgk"><h3>政府信息公开</h3><ul>
<li><a href="/zwgk/zfxxgk/zfxxgkzn/">政府信息公开指南</a></li><li><a href="/zwgk/zfxxgk/fdzdgknr/">法定主动公开内容</a></li>
{links}</ul></div><div class="news"><h3>工作动态</h3><ul><li><a href="/xwzx/">新闻中心</a></li></ul></div></div>"""
    return frame(portal, portal.name, body, head='<script src="/images/pagecount.js"></script>')


def _column(portal, col, index: int) -> str | None:
    count = max(1, -(-len(col.items) // col.per_page))
    if index >= count:
        return None
    items = col.items[index * col.per_page:(index + 1) * col.per_page]
    rows = "".join(li(f"./{i.month_dir}/{i.article_name}", i,
                      f' <a href="./{i.month_dir}/{i.article_name[:-5]}_wap.html" title="{escape(i.title)}">手机版</a>')
                   for i in items)
    name = lambda k: "index.html" if k == 0 else f"index_{k}.html"
    pager = f'<a href="{name(0)}">首页</a> '
    if index > 0:
        pager += f'<a href="{name(index - 1)}">上一页</a> '
    if index + 1 < count:
        pager += f'<a href="{name(index + 1)}">下一页</a> '
    pager += f'<a href="{name(count - 1)}">尾页</a>'
    subs = ""
    if col is portal.columns[0] and len(portal.columns) > 1:
        subs = '<div class="side"><h4>乡镇（街道）</h4><ul>' + "".join(
            f'<li><a href="{c.key}index.html">{escape(c.organ.name.removeprefix(portal.name.removesuffix("人民政府")))}政府信息公开年报</a></li>'
            for c in portal.columns[1:]) + "</ul></div>"
    body = f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; {escape(col.organ.name)} &gt; {escape(col.name)}</div>{subs}
<div class="list"><h2>{escape(col.name)}</h2><ul class="list-ul">
{rows}</ul><div class="page"><script>createPageHTML({count}, {index}, "index", "html");</script>
<noscript>{pager}</noscript></div></div>"""
    return frame(portal, f"{col.name}_{col.organ.name}", body, {"ColumnName": col.name, "ColumnType": "政府信息公开年报"},
                 head='<script src="/images/pagecount.js"></script>')


def _article(portal, col, item, wap: bool = False) -> str:
    content = attachments.article_body(portal, col, item) if attachments.has_file(item) else body_of(item)
    pub = f"{item.pub_date:%Y-%m-%d} 09:{item.doc_id % 60:02d}"
    body = f"""<div class="crumb">当前位置：<a href="/">首页</a> &gt; <a href="../">{escape(col.name)}</a></div>
<div class="article"><h2 class="title">{escape(item.title)}</h2>
<div class="info"><span>发布时间：{pub}</span><span>来源：{escape(col.organ.name)}</span></div>
<div class="{'wap_content' if wap else 'TRS_Editor'}">{content}</div></div>"""
    return frame(portal, item.title, body, article_meta(portal, col, item, pub))


def item_path(portal, col, item) -> str:
    return f"{col.key}{item.month_dir}/{item.article_name}"
