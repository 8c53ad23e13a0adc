"""Re-crawls that fetch only what is new or changed, and resumption after a killed run.

Article and attachment URLs already in the archive are asked for conditionally (If-None-Match /
If-Modified-Since, where the portal gave an ETag or Last-Modified); a 304 counts as seen and
nothing is downloaded. Where a portal gives neither, the body is fetched and its SHA-256
compared by the store. List pages are always read again: they are how new reports are found.
A run that follows an interrupted one skips the URLs that run had already archived.

Attachments are tracked (table `attachments`: URL, the page that links it, state): `pending`
from the moment their page is read, then `archived`, `unreadable` (fetched, not readable: its
status is in portal_events), `too_large`, `refused` (fetch policy) or `failed` (the download
failed). A report page with an attachment still `pending` (the crawl was killed before it) or
`failed` is fetched again in full — never skipped on resume, never asked conditionally — so its
attachments are found and asked for again on the next run.
"""
from __future__ import annotations

import logging

from scrapy import signals
from scrapy.exceptions import IgnoreRequest

from archive.store import now

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
        self.open_pages: set[str] = set()
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
        # These small writes happen in the reactor thread: no fsync per commit (WAL keeps them
        # safe from a killed process; only a power cut could lose the last few).
        self.archive.db.execute("PRAGMA synchronous=NORMAL")
        ensure_attachments(self.archive.db)
        self.open_pages = open_pages(self.archive.db)
        # A page whose attachments are still owed is read again, whatever the interrupted run did.
        self.skip -= self.open_pages
        self.crawler.xxgk_recrawl = self
        self.crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        self.crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)

    # Attachments -------------------------------------------------------------------------------
    def expect_attachments(self, page: str, urls: list[str]) -> None:
        """Before the page's own item is stored: these attachments are owed until archived."""
        if self.archive is None or not urls:
            return
        with self.archive.db.conn:
            self.archive.db.conn.executemany(
                "insert into attachments (url, page_url, state, run_id, at) values (?, ?, 'pending', ?, ?) "
                "on conflict(url) do update set page_url = excluded.page_url, run_id = excluded.run_id, "
                "state = case when attachments.state = 'archived' then 'archived' else 'pending' end",
                [(u, page, self.run_id, now()) for u in urls])

    def attachment_state(self, url: str, state: str, reason: str | None = None) -> None:
        if self.archive is None:
            return
        with self.archive.db.conn:
            self.archive.db.conn.execute("update attachments set state = ?, reason = ?, at = ? where url = ?",
                                         [state, reason, now(), url])

    def item_scraped(self, item, response=None, spider=None):
        url = _attachment_of(response)
        if url:
            self.attachment_state(url, "archived")

    def item_dropped(self, item, response=None, exception=None, spider=None):
        url = _attachment_of(response)
        if url:
            self.attachment_state(url, "unreadable", str(exception) if exception else None)

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
            if request.meta.get("xxgk_attachment"):
                self.attachment_state(request.meta["xxgk_attachment"], "archived")
            raise Skipped(f"{request.url}: archived by the interrupted run, not fetched again")
        if request.url in self.open_pages:
            return None  # its attachments are owed: the page in full, not a 304
        etag, modified = self.validators.get(request.url, (None, None))
        if etag:
            request.headers.setdefault("If-None-Match", etag)
        if modified:
            request.headers.setdefault("If-Modified-Since", modified)
        return None

    def process_response(self, request, response, spider=None):
        if response.status == 304 and is_report_request(request):
            self._seen(request.url, "xxgk/reports_not_modified")
            if request.meta.get("xxgk_attachment"):
                self.attachment_state(request.meta["xxgk_attachment"], "archived")
            raise Skipped(f"{request.url}: not modified")
        return response


def _attachment_of(response) -> str | None:
    request = getattr(response, "request", None)
    return request.meta.get("xxgk_attachment") if request is not None else None


def ensure_attachments(db) -> None:
    if not db["attachments"].exists():
        db["attachments"].create({"url": str, "page_url": str, "state": str, "reason": str, "run_id": int, "at": str},
                                 pk="url", not_null={"url"})
        db["attachments"].create_index(["page_url"], if_not_exists=True)
        db["attachments"].create_index(["state"], if_not_exists=True)


def open_pages(db) -> set[str]:
    """Report pages with an attachment still owed (pending: the crawl ended before it; failed:
    its download or reading failed)."""
    return {u for (u,) in db.execute("select distinct page_url from attachments where state in ('pending', 'failed')")}
