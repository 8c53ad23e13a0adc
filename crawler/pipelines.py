"""crawl → parse → check → store: pages and files parsed in a pool of processes, reports stored
in batched transactions (crawler/writer.py)."""
from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.exceptions import DropItem

from archive.errors import ParseError
from archive.reader import LimitedExecutor
from archive.parse import sniff
from crawler import writer
from crawler.reading import _background, read_file
from crawler.monitor import failure_status

log = logging.getLogger(__name__)


_reader: LimitedExecutor | None = None


def reader(size: int | None = None) -> LimitedExecutor:
    """The pool of reader processes, one per core, that parses every page and file for every
    portal's crawler (parsing, not downloading, set the pace of a crawl: profiled). Processes,
    not threads: a thread would hold the interpreter lock against the downloads, and pdfium
    (scans) is not thread-safe; and a file that crashes a library kills a reader, not the crawl.
    Spawned, not forked: the crawl process runs threads. `size` (the first call's) overrides
    the count: a distributed worker shares its machine's cores with the others there."""
    global _reader
    if _reader is None:
        # Each file under a memory limit and a wall clock (archive/reader.py): a hostile file
        # costs its limit and is recorded too_large/timeout; its worker is replaced.
        _reader = LimitedExecutor(max_workers=size or os.cpu_count() or 1,
                                  mp_context=multiprocessing.get_context("spawn"), initializer=_background)
    return _reader


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
    """Reads the tables and the text of a fetched report page or file.

    A file (PDF, Word, WPS, spreadsheet, picture, scan) is read in the reader process: LibreOffice
    and Tesseract take seconds, and the reactor must go on serving the other downloads
    meanwhile, or they would time out. Its title, organ and year are the listing's (the item's
    title), not what the file prints. A file that cannot be read (damaged, password-protected,
    a zip bomb…) is recorded with its status for its portal and the crawl goes on."""

    async def process_item(self, item):
        a = ItemAdapter(item)
        missing = [f for f in item.REQUIRED if not a.get(f)]
        if missing:
            raise DropItem(f"{a.get('url')}: item lacks {', '.join(missing)}")
        body = a["body"]
        html = sniff(body) == "html"
        try:
            args = (read_file, body, a["url"], a.get("content_type"), a["title"], html, True)
            loop = asyncio.get_running_loop()
            try:
                # A file that kills its reader fails alone: the pool replaces that one worker.
                parsed, reason = await loop.run_in_executor(reader(), *args)
            except ParseError as e:  # a limit of the reader process: timeout, too_large, crashed
                parsed, reason = None, e.reason
            if reason is not None:
                raise ParseError(a["url"], reason)
        except ParseError as e:
            spider = getattr(self.crawler, "spider", None)
            if not html and hasattr(spider, "not_archived"):
                spider.not_archived(a["url"], failure_status(e.reason), e.reason)
            else:
                self.stats.inc_value("xxgk/failed")
                log.warning("not archived: %s", e)
            # Logged above in one line; Scrapy's own message would print the whole item.
            raise DropItem(str(e), log_level="DEBUG") from None
        a["parsed"] = parsed  # its rows, archive.store.Prepared
        return item


class Responses:
    """What the archive needs of each fetched response besides the item (the status line and
    headers, for the WARC record and the validators; the linking page; the list entry), kept
    from Scrapy's response_received signal until the item of that URL comes by. Shared by the
    local store and the distributed hand-off."""

    def __init__(self, crawler):
        self.by_url: dict[str, tuple] = {}
        crawler.signals.connect(self.received, signal=signals.response_received)

    def received(self, response, request, spider=None):
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, vs in response.headers.items() for v in vs]
        referer = request.headers.get("Referer")
        self.by_url[response.url] = (response.status, headers, referer.decode("latin-1") if referer else None,
                                     request.meta.get("xxgk_entry"))

    def record_fields(self, a) -> dict:
        """The fields of the archive's store() for item `a`, its response's facts included."""
        status, headers, via, entry = self.by_url.pop(
            a["url"], (200, [("Content-Type", a.get("content_type") or "")], None, None))
        validator = lambda name: next((v for k, v in headers if k.lower() == name), None)
        return {"parsed": a["parsed"], "url": a["url"], "body": a["body"], "status": status, "headers": headers,
                "fetched_at": a["fetched_at"], "published": a.get("published"), "site": a.get("site"),
                "column": a.get("column"), "portal": a.get("portal"), "etag": validator("etag"),
                "last_modified": validator("last-modified"), "via": via, "entry": tuple(entry) if entry else None,
                "digest": a.get("sha256")}


class StorePipeline(_Pipeline):
    """Snapshots each new or changed report to WARC, then upserts it into the archive (a new
    version when its tables changed); counts what was new, corrected, changed and unchanged."""

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = super().from_crawler(crawler)
        # Items carry the body; the status line and headers of the response are taken here so
        # the snapshot holds the response as fetched.
        pipeline.responses = Responses(crawler)
        return pipeline

    def open_spider(self):
        self.run_id = self.crawler.settings.getint("XXGK_RUN_ID") or None
        self.writer = writer.acquire(self.crawler.settings.get("XXGK_DATA"))

    def close_spider(self):
        self.writer.release()

    def process_item(self, item):
        a = ItemAdapter(item)
        fields = self.responses.record_fields(a)
        outcome = self.writer.store(fields.pop("parsed"), run_id=self.run_id, **fields)
        self.stats.inc_value("xxgk/reports_seen")
        self.stats.inc_value(f"xxgk/reports_{outcome.replace('-', '_')}")
        return item
