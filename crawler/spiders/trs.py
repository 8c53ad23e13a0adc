"""TRS WCM static sites (portal-styles.md, style B).

Column pages are `index.html`, `index_1.html`, … announced by
`createPageHTML(pageCount, currentIndex, "index", "html")`; articles are
`./YYYYMM/tYYYYMMDD_NNNNNNN.(s)html` (their `_wap.html` twins are skipped); towns have their
own 年报 columns on sub-sites, linked from the county's column. Legacy sites are GBK declared
gb2312, which Scrapy decodes as GB18030.
"""
from __future__ import annotations

import re
from urllib.parse import urlparse

import scrapy

from . import trsapi
from .base import PortalSpider, iso_date
from .discovery import COLUMN_TEXT

PAGER = re.compile(r"createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']")
INDEX = re.compile(r"/index\.s?html?$")
ARTICLE = re.compile(r"(?:^|/)t\d{8}_\d+(?:_wap)?\.s?html?$")


class TrsSpider(PortalSpider):
    name = "trs"
    platform = "trs"

    def column_request(self, url):
        url = INDEX.sub("/", url)  # the directory and its index.html are one column, read once
        return scrapy.Request(url, callback=self.parse_column, errback=self.on_error, cb_kwargs={"column": url})

    def parse_column(self, response, column):
        items = []
        for a in response.css("a[href]"):
            href = a.attrib["href"].strip()
            title = self.anchor_title(a)
            if ARTICLE.search(urlparse(href).path):
                if re.search(r"_wap\.s?html?$", href):
                    continue
                items.append(response.urljoin(href))
                if not self.is_report(title):
                    continue
                date = iso_date(" ".join(a.xpath("following-sibling::*[1]//text() | ../span//text()").getall()))
                yield self.article(response, href, title, date, column)
            elif COLUMN_TEXT.match(title) and self.same_site(response.url, response.urljoin(href)):
                # A town's or department's own 年报 column on a sub-site.
                yield self.column_request(response.urljoin(href))
        self.list_page(column, response.url, items)
        # A 动静结合 list: later pages come only from the search API.
        yield from trsapi.requests(self, response, column)
        for count, current, name, ext in PAGER.findall(response.text):
            if int(current) == 0:
                for i in range(1, int(count)):
                    yield response.follow(f"{name}_{i}.{ext}", self.parse_column, errback=self.on_error,
                                          cb_kwargs={"column": column})
