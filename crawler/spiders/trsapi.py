"""TRS "动静结合" lists (portal-styles.md B): the column page holds its first page statically and
`listModel({quickMode: "动静结合", listArgs: {…}, pagebar: {prepage, recordCount}})` fetches the
rest from the site's document search, `POST /fjdzapp/search`. The form is the script's own
parameters, read as the page prints them: `channelid: SiteInfo.searchId` resolved from
`var SiteInfo = {… searchId: N}`, `classsql: "" || "chnlid=1813"` taken as its last literal.
Answers list items as `docs` (`doctitle`, `chnldocurl`, `docreltime`) or `data` (`doctitle`,
`docpuburl`, `docreltime`); both are read."""
from __future__ import annotations

import json
import re

import scrapy

from .jsargs import object_args

QUICK_MODE = re.compile(r"quickMode\s*:\s*[\"']动静结合[\"']")
_LIST_ARGS = re.compile(r"listArgs\s*:\s*\{(.*?)\}", re.S)
_SITEINFO = re.compile(r"SiteInfo\s*=\s*\{(.*?)\}", re.S)
_PREPAGE = re.compile(r"prepage\s*:\s*['\"]?(\d+)")
_RECORDS = re.compile(r"recordCount\s*:\s*['\"]?(\d+)")
_STATIC = re.compile(r"maxStaticIndex\s*:\s*(\d+)")


def search_form(text: str) -> tuple[dict[str, str], int, int, int] | None:
    """(form fields, items per page, declared records, static pages) of a 动静结合 column page."""
    if not QUICK_MODE.search(text) or not (m := _LIST_ARGS.search(text)):
        return None
    site = object_args(s.group(1)) if (s := _SITEINFO.search(text)) else {}
    form = object_args(m.group(1), site)
    prepage = int(_PREPAGE.search(text).group(1)) if _PREPAGE.search(text) else 15
    records = int(_RECORDS.search(text).group(1)) if _RECORDS.search(text) else 0
    static = int(_STATIC.search(text).group(1)) if _STATIC.search(text) else 1
    return form, prepage, records, static


def requests(spider, response, column):
    """The search requests for the pages the column page does not hold."""
    found = search_form(response.text)
    if not found:
        return
    form, prepage, records, static = found
    spider.declare(column, records=records)
    pages = -(-records // prepage) if records else 1
    url = response.urljoin("/fjdzapp/search")
    for page in range(static + 1, min(pages, 500) + 1):
        data = {**form, "page": str(page), "prepage": str(prepage)}
        yield scrapy.FormRequest(url, formdata=data, callback=parse, errback=spider.on_error,
                                 headers={"Referer": response.url},
                                 cb_kwargs={"spider": spider, "column": column, "page_url": response.url},
                                 dont_filter=True)


def parse(response, spider, column, page_url):
    try:
        data = json.loads(response.text)
    except ValueError:
        spider.outcome.errors.append((response.url, "search answer is not JSON"))
        return
    docs = data.get("docs") or data.get("data") or []
    urls = []
    for d in docs:
        href = d.get("chnldocurl") or d.get("docpuburl")
        title = d.get("doctitle") or ""
        if not href:
            continue
        url = response.urljoin(href)
        urls.append(url)
        if spider.is_report(title):
            yield spider.article(response, url, title, (d.get("docreltime") or "")[:10] or None, column)
    spider.list_page(column, f"{response.url}#page={len(spider.coverage_of(column)['pages_reached'])}", urls)
