"""What every simulated platform shares: the answer type, the page frame with the portal meta
tags, list items, 404 and soft-404 pages. (Report and news bodies are in `reports.py`.)"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape



@dataclass
class Reply:
    status: int = 200
    body: str | bytes = ""
    ctype: str = "text/html"
    headers: list[tuple[str, str]] = field(default_factory=list)


def meta_tags(meta: dict[str, str]) -> str:
    return "".join(f'<meta name="{k}" content="{escape(v)}">\n' for k, v in meta.items())


def frame(portal, title: str, body: str, meta: dict[str, str] | None = None, head: str = "") -> str:
    charset = "gb2312" if portal.encoding == "gbk" else "utf-8"
    meta = {"SiteName": portal.name, "SiteDomain": portal.domain, "SiteIDCode": portal.site_id, **(meta or {})}
    return f"""<!DOCTYPE html>
<html lang="zh-CN"><head><meta http-equiv="Content-Type" content="text/html; charset={charset}">
{meta_tags(meta)}<title>{escape(title)}</title>
{head}</head><body>
<div class="header"><div class="logo"><a href="/">{escape(portal.name)}</a></div></div>
{body}
<div class="footer">主办：{escape(portal.name)}办公室 网站标识码：{portal.site_id}</div>
</body></html>"""


def article_meta(portal, column, item, pub: str) -> dict[str, str]:
    return {"ColumnName": column.name, "ColumnType": "政府信息公开年报", "ArticleTitle": item.title,
            "PubDate": pub, "ContentSource": column.organ.name}


def not_found(portal) -> Reply:
    return Reply(404, "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>")


def soft_not_found(portal) -> Reply:
    """HTTP 200 that says the page does not exist: what many portals answer for a gone page."""
    return Reply(200, frame(portal, "页面不存在", '<div class="error"><h2>抱歉，您访问的页面不存在或已被删除！</h2>'
                                             '<a href="/">返回首页</a></div>'))


def li(href: str, item, extra: str = "") -> str:
    return (f'<li><a href="{escape(href)}" target="_blank" title="{escape(item.title)}">{escape(item.title)}</a>'
            f'<span class="date">{item.pub_date:%Y-%m-%d}</span>{extra}</li>\n')


def article_page(portal, col, item, body_html: str, body_class: str = "TRS_Editor", pub: str | None = None,
                 head: str = "") -> str:
    """An article as most list families print it: title, a 发布时间/来源 line, the body in the
    platform's content block, and the article meta tags."""
    pub = pub or f"{item.pub_date:%Y-%m-%d} 10:{item.doc_id % 60:02d}"
    body = (f'<div class="article"><h1 class="title">{escape(item.title)}</h1>'
            f'<div class="info"><span>发布时间：{pub}</span> <span>来源：{escape(col.organ.name)}</span></div>'
            f'<div class="{body_class}">{body_html}</div></div>')
    return frame(portal, item.title, body, article_meta(portal, col, item, pub), head=head)
