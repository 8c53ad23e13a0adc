"""What the spiders hand to the pipelines: one fetched report page."""
from __future__ import annotations

import scrapy


class ReportItem(scrapy.Item):
    url = scrapy.Field()  # the article URL as fetched (after redirects)
    title = scrapy.Field()  # as listed on the column page
    published = scrapy.Field()  # publication date (YYYY-MM-DD) from the list or the page meta
    organ = scrapy.Field()  # the reporting body, from the title
    year = scrapy.Field()  # the report year, from the title
    body = scrapy.Field()  # raw bytes as fetched
    content_type = scrapy.Field()
    fetched_at = scrapy.Field()  # ISO 8601, UTC
    site = scrapy.Field()  # SiteName of the portal
    column = scrapy.Field()  # the column URL it was listed in
    portal = scrapy.Field()  # the registry entry of the portal it came from: dict with name, code
    # (行政区划代码), level, parent, platform (None for a bare URL crawl)
    parsed = scrapy.Field()  # archive.store.Prepared (the report and its rows, built in a reader process), set by ParsePipeline
    sha256 = scrapy.Field()  # the body's SHA-256 when a re-check computed it already (crawler/recrawl.py)

    REQUIRED = ("url", "title", "body", "fetched_at")
