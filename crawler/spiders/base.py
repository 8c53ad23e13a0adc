"""What every platform spider shares: start URLs, recognising reports by title, building items."""
from __future__ import annotations

import re

import scrapy

from archive.report import is_report_title, title_year_organ
from archive.store import now
from crawler.items import ReportItem

_DATE = re.compile(r"(20\d{2}|19\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")


def iso_date(text: str | None) -> str | None:
    m = _DATE.search(text or "")
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


class PortalSpider(scrapy.Spider):
    """Base of the platform spiders. A portal is given by its column URLs (`start_urls`)."""

    platform = "generic"

    def __init__(self, start_urls=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(start_urls, str):
            start_urls = [u for u in start_urls.split(",") if u]
        if not start_urls:
            raise ValueError(f"{self.name}: start_urls is required (the portal's 年报 column URLs)")
        self.start_urls = list(start_urls)

    @staticmethod
    def is_report(title: str) -> bool:
        return is_report_title(title)

    def report_item(self, response, title: str, published: str | None, column: str | None) -> ReportItem:
        meta = lambda name: response.xpath(f"//meta[@name='{name}']/@content").get()
        title = title or meta("ArticleTitle") or response.xpath("//title/text()").get(default="")
        year, organ = title_year_organ(title)
        return ReportItem(
            url=response.url,
            title=title.strip(),
            published=published or iso_date(meta("PubDate")),
            organ=organ,
            year=year,
            body=response.body,
            content_type=response.headers.get("Content-Type", b"").decode("latin-1"),
            fetched_at=now(),
            site=meta("SiteName"),
            column=column,
        )
