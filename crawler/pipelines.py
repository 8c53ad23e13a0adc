"""crawl → parse → check → store, one item at a time."""
from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy.exceptions import DropItem

from archive.errors import ParseError
from archive.parse import decode_html, parse_bytes, parse_html, sniff
from archive.store import Archive

log = logging.getLogger(__name__)


class _Pipeline:
    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls()
        pipeline.crawler = crawler
        return pipeline

    @property
    def stats(self):
        return self.crawler.stats


class ParsePipeline(_Pipeline):
    """Reads the tables and the text of a fetched report page."""

    def process_item(self, item):
        a = ItemAdapter(item)
        missing = [f for f in item.REQUIRED if not a.get(f)]
        if missing:
            raise DropItem(f"{a.get('url')}: item lacks {', '.join(missing)}")
        try:
            body = a["body"]
            if sniff(body) == "html":
                parsed = parse_html(decode_html(body, a.get("content_type")), title=a["title"], source=a["url"])
            else:
                parsed = parse_bytes(body, a["url"], a.get("content_type"))
        except ParseError as e:
            self.stats.inc_value("xxgk/failed")
            log.warning("not archived: %s", e)
            raise DropItem(str(e)) from None
        a["parsed"] = parsed
        return item


class StorePipeline(_Pipeline):
    """Upserts each report into the archive; counts what was new, changed and unchanged."""

    def open_spider(self):
        self.archive = Archive(self.crawler.settings.get("XXGK_DATA"))

    def close_spider(self):
        self.archive.close()

    def process_item(self, item):
        a = ItemAdapter(item)
        outcome = self.archive.store(
            a["parsed"], url=a["url"], body=a["body"], fetched_at=a["fetched_at"],
            published=a.get("published"), site=a.get("site"), column=a.get("column"),
        )
        self.stats.inc_value("xxgk/reports_seen")
        self.stats.inc_value(f"xxgk/reports_{outcome.replace('-', '_')}")
        return item
