"""Guangdong's gkmlpt (portal-styles.md, style D): a single-page app over a JSON API.

`/gkmlpt/index` and `/gkmlpt/annualreport` embed `window._CONFIG={SID, TREE}`; lists come from
`/gkmlpt/api/all/{cat}?page=N&sid=SID` (page=0 equals page=1; with the quirk, page ≥ 2 answers
404); articles `/gkmlpt/content/{id//1e6}/{id//1e3}/post_{id}.html` carry their HTML inside
`_CONFIG.DETAIL.content`, JSON-escaped. The 年报 category has one child per organ.
"""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone

from .common import Reply, frame, not_found
from .reports import body_of

REPORTS_CAT = 2629
_API = re.compile(r"^/gkmlpt/api/all/(\d+)$")
_POST = re.compile(r"^/gkmlpt/content/(\d+)/(\d+)/post_(\d+)\.html$")


def col_path(portal, col) -> str:
    return "/gkmlpt/annualreport"


def post_path(item) -> str:
    i = item.doc_id
    return f"/gkmlpt/content/{i // 1_000_000}/{i // 1000}/post_{i}.html"


def _items(portal, cat: int) -> list:
    if cat == REPORTS_CAT:
        return sorted((i for c in portal.columns for i in c.items), key=lambda i: (i.pub_date, i.doc_id), reverse=True)
    col = next((c for c in portal.columns if int(c.key) == cat), None)
    return col.items if col else None


def _tree(portal) -> list:
    children = [{"id": int(c.key), "name": c.name, "post_count": len(c.items), "children": [], "jump_url": ""}
                for c in portal.columns]
    return [{"id": 2621, "name": "政府信息公开指南", "post_count": 1, "children": [], "jump_url": "/gkmlpt/guide"},
            {"id": 2622, "name": "政府信息公开制度", "post_count": 3, "children": [], "jump_url": ""},
            {"id": REPORTS_CAT, "name": "政府信息公开年报", "post_count": sum(len(c.items) for c in portal.columns),
             "children": children, "jump_url": "/gkmlpt/annualreport"}]


def _config(portal, **more) -> str:
    fields = {"SID": portal.extra["sid"], "TREE": _tree(portal), **more}
    js = ",".join(f"{k}:{json.dumps(v, ensure_ascii=False)}" for k, v in fields.items())
    return js.replace("<", "\\u003C").replace(">", "\\u003E")


def route(portal, req) -> Reply:
    path, q = req.path, req.query
    if path in ("/", "/index.html"):
        body = ('<div class="nav"><a href="/">首页</a><a href="/gkmlpt/index">政府信息公开</a>'
                '<a href="/zwgk/">政务公开</a></div><div class="banner">欢迎访问</div>')
        return Reply(200, frame(portal, portal.name, body))
    if path in ("/gkmlpt/index", "/gkmlpt/annualreport"):
        body = (f'<div id="app"></div><script>window._CONFIG={{{_config(portal)}}};</script>'
                '<script src="/gkmlpt/static/js/app.js"></script>')
        return Reply(200, frame(portal, "政府信息公开", body))
    m = _API.match(path)
    if m:
        items = _items(portal, int(m.group(1)))
        try:
            page = max(1, int(q.get("page", "1")))
        except ValueError:
            page = 1
        if items is None or q.get("sid") != portal.extra["sid"]:
            return Reply(404, '{"error":"not found"}', "application/json")
        if portal.quirk_404 and page >= 2:
            return Reply(404, not_found(portal).body)
        per = portal.extra["per_page"]
        arts = [{"id": i.doc_id, "title": i.title, "date": int(datetime(i.pub_date.year, i.pub_date.month, i.pub_date.day, tzinfo=timezone.utc).timestamp()),
                 "display_publish_time": f"{i.pub_date:%Y-%m-%d}", "publisher": portal.name,
                 "identifier": f"{portal.code}/{i.pub_date.year}-{i.doc_id % 100000}", "document_number": "",
                 "url": f"http://{req.host}{post_path(i)}", "attachment": []}
                for i in items[(page - 1) * per:page * per]]
        return Reply(200, json.dumps({"classify": {"id": int(m.group(1)), "post_count": len(items)}, "articles": arts,
                                      "total": len(items)}, ensure_ascii=False), "application/json")
    m = _POST.match(path)
    if m:
        for col in portal.columns:
            for item in col.items:
                if item.doc_id == int(m.group(3)) and post_path(item) == path:
                    detail = {"id": item.doc_id, "title": item.title, "publisher": col.organ.name,
                              "date": f"{item.pub_date:%Y-%m-%d}", "content": body_of(item)}
                    body = (f'<div id="app"></div><script>window._CONFIG={{{_config(portal, DETAIL=detail)}}};</script>'
                            '<script src="/gkmlpt/static/js/app.js"></script>')
                    return Reply(200, frame(portal, item.title, body,
                                            {"ColumnName": "政府信息公开年报", "ArticleTitle": item.title,
                                             "PubDate": f"{item.pub_date:%Y-%m-%d}"}))
    return not_found(portal)


def item_path(portal, col, item) -> str:
    return post_path(item)
