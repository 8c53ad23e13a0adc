"""Heilongjiang's UCAP-marked CMS (portal-evidence.md §2.2): a 年报 list page that is a shell whose
items come from `GET /common/search/<channelId>?page=N&_pageSize=15&_isAgg=true&_isJson=true&
_template=index`, answering `{data: {total, page, rows, results: [{title, url, publishedTimeStr}]}}`.
The first answer's total gives the pages to ask for and the list's declared size."""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import scrapy

_SEARCH = re.compile(r"[\"'](/common/search/[0-9a-f]{32})[\"']")
PAGE_SIZE = 15


def is_search_list(response) -> bool:
    return bool(_SEARCH.search(response.text))


def _url(response, path: str, page: int) -> str:
    q = {"page": page, "_pageSize": PAGE_SIZE, "_isAgg": "true", "_isJson": "true", "_template": "index"}
    return response.urljoin(path) + "?" + urlencode(q)


def search_request(spider, response, column):
    if not (m := _SEARCH.search(response.text)):
        return None
    return scrapy.Request(_url(response, m.group(1), 1), parse, errback=spider.on_error,
                          headers={"Referer": response.url},
                          cb_kwargs={"spider": spider, "column": column, "path": m.group(1), "page": 1})


def parse(response, spider, column, path, page):
    try:
        data = json.loads(response.text)["data"]
        results, total = data.get("results") or [], int(data.get("total") or 0)
    except (ValueError, KeyError, TypeError):
        spider.outcome.errors.append((response.url, "the search answer is not the expected JSON"))
        return
    spider.declare(column, records=total)
    urls = []
    for r in results:
        href, title = r.get("url"), r.get("title") or ""
        if not href:
            continue
        urls.append(response.urljoin(href))
        if spider.is_report(title):
            yield spider.article(response, href, title, (r.get("publishedTimeStr") or "")[:10] or None, column)
    spider.list_page(column, response.url, urls)
    if page == 1:
        for p in range(2, min(-(-total // PAGE_SIZE), 500) + 1):
            yield scrapy.Request(_url(response, path, p), parse, errback=spider.on_error,
                                 headers={"Referer": response.request.headers.get("Referer", b"").decode()},
                                 cb_kwargs={"spider": spider, "column": column, "path": path, "page": p})
