"""Guangdong gkmlpt (portal-styles.md, style D): `window._CONFIG` names the site (SID) and the
category TREE; the 年报 category and its children are listed through
`/gkmlpt/api/all/{cat}?page=N&sid=SID` (JSON); an article's HTML is the JSON-escaped
`_CONFIG.DETAIL.content`, which becomes the archived body. Some sites answer 404 for page ≥ 2:
the children categories (one per organ) still list everything."""
from __future__ import annotations

import json
import re
from html import escape
from urllib.parse import urlsplit

import scrapy

from .base import PortalSpider, iso_date

REPORT_CATEGORY = re.compile(r"年报|年度报告")
QUIRK = "list pages ≥ 2 answer 404 (gkmlpt quirk): reports read category by category"


def config_value(text: str, key: str):
    m = re.search(rf"\b{key}\s*:\s*", text)
    if not m:
        return None
    if text[m.end()] in "'\"" and key == "SID":
        return re.match(r"['\"]([^'\"]*)", text[m.end():]).group(1)
    try:
        return json.JSONDecoder().raw_decode(text, m.end())[0]
    except ValueError:
        return None


class GkmlptSpider(PortalSpider):
    name = "gkmlpt"
    platform = "gkmlpt"
    entry_callback = "parse_post"

    def parse_column(self, response, column):
        text = response.text
        sid, tree = config_value(text, "SID"), config_value(text, "TREE") or []
        cats: list[int] = []
        children: dict[int, list[int]] = {}  # a 年报 category -> the 年报 categories under it

        def walk(nodes, parent=None):
            for n in nodes:
                hit = parent is not None or bool(REPORT_CATEGORY.search(n.get("name", "")))
                if hit:
                    cats.append(n["id"])
                    if parent is not None:
                        children.setdefault(parent, []).append(n["id"])
                walk(n.get("children") or [], n["id"] if hit else None)

        walk(tree)
        if not cats:
            self.start_failed(response.url, "no 年报 category in the gkmlpt TREE")
        if self.lazy_paging:
            # A re-crawl reads a category's own list, which holds its children's items newest
            # first, one page at a time; the children only if a later page cannot be read.
            inner = {c for cs in children.values() for c in cs}
            cats = [c for c in cats if c not in inner]
        for cat in cats:
            yield self.list_request(response, column, cat, sid, 1, children.get(cat, []) if self.lazy_paging else ())

    def list_request(self, response, column, cat, sid, page, children=(), **meta):
        return scrapy.Request(response.urljoin(f"/gkmlpt/api/all/{cat}?page={page}&sid={sid}"), self.parse_list,
                              errback=self.page_failed, meta={**meta, "xxgk_children": list(children)},
                              cb_kwargs={"column": column, "cat": cat, "sid": sid, "page": page})

    def parse_list(self, response, column, cat, sid, page):
        data = json.loads(response.text)
        arts = data.get("articles") or []
        for art in arts:
            if self.is_report(art.get("title", "")):
                yield scrapy.Request(response.urljoin(art["url"]), self.parse_post, errback=self.on_error,
                                     cb_kwargs={"title": art["title"], "published": iso_date(art.get("display_publish_time")),
                                                "column": column})
        total = int(data.get("total") or 0)
        children = response.meta.get("xxgk_children") or []
        if self.lazy_paging:
            # One page at a time, from the first page's size: delta-fetch stops at a page with nothing new.
            size = response.meta.get("xxgk_page_size") or len(arts)
            if arts and page * size < total:
                yield self.list_request(response, column, cat, sid, page + 1, children, xxgk_quirk=QUIRK,
                                        xxgk_page_size=size)
        elif page == 1 and arts and total > len(arts):
            for p in range(2, -(-total // len(arts)) + 1):
                yield self.list_request(response, column, cat, sid, p, xxgk_quirk=QUIRK)

    def page_failed(self, failure):
        """A later page refused (the quirk): the category's children list what it could not."""
        self.on_error(failure)
        kw, children = failure.request.cb_kwargs, failure.request.meta.get("xxgk_children") or []
        return [scrapy.Request(f"{_origin(failure.request.url)}/gkmlpt/api/all/{c}?page=1&sid={kw['sid']}",
                               self.parse_list, errback=self.page_failed,
                               cb_kwargs={"column": kw["column"], "cat": c, "sid": kw["sid"], "page": 1})
                for c in children]

    def parse_post(self, response, title, published, column):
        detail = config_value(response.text, "DETAIL") or {}
        content = detail.get("content")
        if not content:
            self.outcome.errors.append((response.url, "no DETAIL.content in _CONFIG"))
            return
        site = response.xpath("//meta[@name='SiteName']/@content").get() or ""
        html = (f'<!DOCTYPE html><html><head><meta charset="utf-8"><meta name="SiteName" content="{escape(site)}">'
                f'<meta name="ArticleTitle" content="{escape(title)}"><meta name="PubDate" content="{published or ""}">'
                f"<title>{escape(title)}</title></head><body><h1>{escape(title)}</h1>"
                f'<div class="article-content">{content}</div></body></html>')
        yield self.report_item(response, title, published, column, body=html.encode("utf-8"),
                               content_type="text/html; charset=utf-8")


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
