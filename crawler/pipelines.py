"""crawl → parse → check → store, one item at a time."""
from __future__ import annotations

import logging

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem

from archive.errors import ParseError
from archive.parse import decode_html, parse_bytes, parse_html, sniff
from archive.snapshots import SnapshotWriter
from archive.store import Archive, sha256

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
    """Snapshots each new or changed report to WARC, then upserts it into the archive; counts
    what was new, changed and unchanged."""

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = super().from_crawler(crawler)
        pipeline.responses = {}
        # Items carry the body; the status line and headers of the response are taken here so
        # the snapshot holds the response as fetched.
        crawler.signals.connect(pipeline.response_received, signal=signals.response_received)
        return pipeline

    def response_received(self, response, request, spider=None):
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs]
        self.responses[response.url] = (response.status, headers)

    def open_spider(self):
        data = self.crawler.settings.get("XXGK_DATA")
        self.archive = Archive(data)
        self.snapshots = SnapshotWriter(data)

    def close_spider(self):
        self.snapshots.close()
        self.archive.close()

    def process_item(self, item):
        a = ItemAdapter(item)
        status, headers = self.responses.pop(a["url"], (200, [("Content-Type", a.get("content_type") or "")]))
        snapshot = None
        if self.archive.known_digest(a["url"]) != sha256(a["body"]):
            snapshot = self.snapshots.write(a["url"], a["body"], status=status, headers=headers,
                                            fetched_at=a["fetched_at"])
        outcome = self.archive.store(
            a["parsed"], url=a["url"], body=a["body"], fetched_at=a["fetched_at"],
            published=a.get("published"), site=a.get("site"), column=a.get("column"),
            portal=a.get("portal"), snapshot=snapshot,
        )
        self.stats.inc_value("xxgk/reports_seen")
        self.stats.inc_value(f"xxgk/reports_{outcome.replace('-', '_')}")
        return item
