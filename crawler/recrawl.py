"""Re-crawls that fetch only what is new or changed, and resumption after a killed run.

Article and attachment URLs already in the archive are asked for conditionally (If-None-Match /
If-Modified-Since, where the portal gave an ETag or Last-Modified); a 304 counts as seen and
nothing is downloaded. Where a portal gives neither, the body is fetched and its SHA-256
compared by the store. List pages are always read again: they are how new reports are found.
A run that follows an interrupted one skips the URLs that run had already archived.
"""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import IgnoreRequest

from archive.store import Archive

log = logging.getLogger(__name__)

# Callbacks that receive a report page or file (as opposed to list pages and start pages).
REPORT_CALLBACKS = {"parse_article", "parse_attachment", "parse_post"}


def is_report_request(request) -> bool:
    return getattr(request.callback, "__name__", "") in REPORT_CALLBACKS


class Skipped(IgnoreRequest):
    """A report URL not fetched again, on purpose: not modified (304), or archived by the
    interrupted run this one resumes. Not an error of the portal."""


class RecrawlMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler
        self.data = crawler.settings.get("XXGK_DATA")
        self.run_id = crawler.settings.getint("XXGK_RUN_ID") or None
        self.skip = set(crawler.settings.getlist("XXGK_RESUME_URLS"))
        self.validators: dict[str, tuple[str | None, str | None]] = {}
        self.archive: Archive | None = None
        crawler.signals.connect(self.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def spider_opened(self, spider=None):
        if not self.data:
            return
        self.archive = Archive(self.data)
        self.validators = {url: (etag, lm) for url, etag, lm in self.archive.db.execute(
            "select url, etag, last_modified from sources where etag is not null or last_modified is not null")}

    def spider_closed(self, spider=None):
        if self.archive is not None:
            self.archive.db.conn.close()
            self.archive = None

    def _seen(self, url: str, stat: str) -> None:
        self.crawler.stats.inc_value(stat)
        self.crawler.stats.inc_value("xxgk/reports_seen")
        if self.archive is not None:
            self.archive.seen(url, self.run_id)

    def process_request(self, request, spider=None):
        if not is_report_request(request):
            return None
        if request.url in self.skip:
            self._seen(request.url, "xxgk/reports_resumed")
            raise Skipped(f"{request.url}: archived by the interrupted run, not fetched again")
        etag, modified = self.validators.get(request.url, (None, None))
        if etag:
            request.headers.setdefault("If-None-Match", etag)
        if modified:
            request.headers.setdefault("If-Modified-Since", modified)
        return None

    def process_response(self, request, response, spider=None):
        if response.status == 304 and is_report_request(request):
            self._seen(request.url, "xxgk/reports_not_modified")
            raise Skipped(f"{request.url}: not modified")
        return response
