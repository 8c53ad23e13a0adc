"""TRS WCM static sites (portal-styles.md, style B).

Column pages are `index.html`, `index_1.html`, … announced by
`createPageHTML(pageCount, currentIndex, "index", "html")`; articles are
`./YYYYMM/tYYYYMMDD_NNNNNNN.(s)html`; towns have their own 年报 columns on sub-sites, linked
from the county's column.
"""
from __future__ import annotations

import re
from urllib.parse import urlparse

import scrapy

from .base import PortalSpider, iso_date

PAGER = re.compile(r"createPage(?:HTML)?\(\s*(\d+)\s*,\s*(\d+)\s*,\s*[\"'](\w+)[\"']\s*,\s*[\"'](\w+)[\"']")
ARTICLE = re.compile(r"(?:^|/)t\d{8}_\d+(?:_wap)?\.s?html?$")
COLUMN_TEXT = re.compile(r"(信息公开|政务公开)?(年报|年度报告)")


class TrsSpider(PortalSpider):
    name = "trs"
    platform = "trs"

    async def start(self):
        for url in self.start_urls:
            yield self.column_request(url)

    def column_request(self, url):
        return scrapy.Request(url, callback=self.parse_column, cb_kwargs={"column": url})

    def parse_column(self, response, column):
        for a in response.css("a[href]"):
            href = a.attrib["href"].strip()
            title = (a.attrib.get("title") or " ".join(a.css("::text").getall())).strip()
            if ARTICLE.search(urlparse(href).path):
                if href.endswith("_wap.html") or not self.is_report(title):
                    continue
                date = iso_date(" ".join(a.xpath("following-sibling::*[1]//text() | ../span//text()").getall()))
                yield response.follow(href, self.parse_article,
                                      cb_kwargs={"title": title, "published": date, "column": column})
            elif COLUMN_TEXT.search(title) and self.same_site(response.url, response.urljoin(href)):
                # A town's or department's own 年报 column on a sub-site.
                url = response.urljoin(href)
                yield self.column_request(url)
        for count, current, name, ext in PAGER.findall(response.text):
            if int(current) == 0:
                for i in range(1, int(count)):
                    yield response.follow(f"{name}_{i}.{ext}", self.parse_column, cb_kwargs={"column": column})

    @staticmethod
    def same_site(a: str, b: str) -> bool:
        return urlparse(a).netloc == urlparse(b).netloc

    def parse_article(self, response, title, published, column):
        yield self.report_item(response, title, published, column)
