"""Hunan's 政府信息公开目录系统 (portal-evidence.md §2.9): the entry page is a zTree shell whose tree
comes from a JSONP call, `/u/channel/treeNew/<site>?callback=JsonpCallBack&…` with the script's
`data` fields, answered only with a Referer. The nodes under the 年报 node are the lists
(`iframeurl`, placeholders `/xxx/null.shtml` skipped), each read by the generic reader, which
follows their script-drawn `xlist_N` pages and probes past a stale page count."""
from __future__ import annotations

import json
import re
from urllib.parse import urlencode

import scrapy

from .discovery import COLUMN_TEXT
from .jsargs import object_args

_CALL = re.compile(r"url\s*:\s*[\"']([^\"']*/u/channel/treeNew/[\w-]+)[\"'](.*?)data\s*:\s*\{(.*?)\}", re.S)
_CALLBACK = re.compile(r"jsonpCallback\s*:\s*[\"'](\w+)[\"']")
_JSONP = re.compile(r"^\s*[\w$.]+\s*\((.*)\)\s*;?\s*$", re.S)
_NULL = "/xxx/null.shtml"


def is_tree(response) -> bool:
    return bool(_CALL.search(response.text))


def tree_request(spider, response, column):
    """The request of the tree, or None if the page loads no zTree list."""
    if not (m := _CALL.search(response.text)):
        return None
    callback = c.group(1) if (c := _CALLBACK.search(response.text)) else "JsonpCallBack"
    params = {"callback": callback, **object_args(m.group(3))}
    return scrapy.Request(response.urljoin(m.group(1)) + "?" + urlencode(params), parse, errback=spider.on_error,
                          headers={"Referer": response.url}, cb_kwargs={"spider": spider, "depth": 0})


def parse(response, spider, depth):
    m = _JSONP.match(response.text)
    try:
        nodes = json.loads(m.group(1)) if m else []
    except ValueError:
        nodes = []
    if not nodes:
        spider.outcome.errors.append((response.url, "the zTree JSONP answer holds no nodes"))
        return
    children: dict[str, list[dict]] = {}
    for n in nodes:
        children.setdefault(str(n.get("pId")), []).append(n)
    roots = [n for n in nodes if COLUMN_TEXT.match(n.get("name") or "")]
    seen = set()
    while roots:
        n = roots.pop()
        if str(n.get("id")) in seen:
            continue
        seen.add(str(n.get("id")))
        roots += children.get(str(n.get("id")), [])
        url = n.get("iframeurl") or ""
        if url and not url.endswith(_NULL):
            url = response.urljoin(url)
            yield scrapy.Request(url, spider.parse_column, errback=spider.on_error,
                                 cb_kwargs={"column": url, "depth": 1})
