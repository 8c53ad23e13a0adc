"""LonSun (龙讯) 信息公开 platform (portal-styles.md, style C): the column page is a shell whose
script names the label, organId, catId and `pageCount`; each page of items is an AJAX
`publicInfoList` fragment. Every town has its own organId, and so its own column."""
from __future__ import annotations

import re
from urllib.parse import urlencode

import scrapy

from .base import PortalSpider, iso_date


def _js(text: str, key: str) -> str | None:
    m = re.search(rf"\b{key}\s*:\s*'?([\w/.-]+)'?", text)
    return m.group(1) if m else None


class LonsunSpider(PortalSpider):
    name = "lonsun"
    platform = "lonsun"

    def parse_column(self, response, column):
        text = response.text
        count = int(_js(text, "pageCount") or 1)
        params = {"IsAjax": 1, "dataType": "html", "labelName": _js(text, "labelName") or "publicInfoList",
                  "siteId": _js(text, "siteId"), "pageSize": _js(text, "pageSize") or 15, "pageIndex": 1,
                  "organId": _js(text, "organId"), "type": _js(text, "type") or 3, "catId": _js(text, "catId")}
        label = _js(text, "labelUrl") or "/site/label/8888"
        # A re-crawl asks for the first fragment only; each asks for the next (see lazy_paging).
        for i in range(1, 2 if self.lazy_paging else count + 1):
            yield self.fragment(response, label, params, i, count, column)

    def fragment(self, response, label, params, index, count, column):
        url = response.urljoin(f"{label}?{urlencode({**params, 'pageIndex': index})}")
        return scrapy.Request(url, self.parse_fragment, errback=self.on_error,
                              cb_kwargs={"column": column, "chain": (label, params, index, count)})

    def parse_fragment(self, response, column, chain=None):
        for li in response.css("ul.xxgk_nav_list li, div.xxgk_navli li"):
            a = li.css("a[href]")
            if a and self.is_report(title := self.anchor_title(a[0])):
                date = iso_date(" ".join(li.css("span.date ::text").getall()))
                yield self.article(response, a[0].attrib["href"], title, date, column)
        if chain and self.lazy_paging and chain[2] < chain[3]:
            label, params, index, count = chain
            yield self.fragment(response, label, params, index + 1, count, column)
