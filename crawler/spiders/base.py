"""What every platform spider shares: start URLs (a home page or 年报 columns), discovery of the
年报 columns from a home page, recognising reports by title, building items, and recording what
went wrong (`Outcome`) in one log line per URL, for the per-portal status table."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from urllib.parse import urlparse

import scrapy
from scrapy.exceptions import (CannotResolveHostError, DownloadConnectionRefusedError, DownloadFailedError,
                               DownloadTimeoutError, IgnoreRequest, ResponseDataLossError)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.error import ConnectError, DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from archive.report import is_report_title, title_year_organ
from archive.store import now
from crawler.items import ReportItem
from crawler.middlewares import Blocked

from . import discovery

_DATE = re.compile(r"(20\d{2}|19\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
log = logging.getLogger(__name__)
_ATTACHMENT = re.compile(r"\.(pdf|docx?|wps|xlsx?|ofd)$|downfile\.jsp", re.I)
SHELL_TEXT = 600  # characters of text below which an article page is only a wrapper of its attachment


def iso_date(text: str | None) -> str | None:
    m = _DATE.search(text or "")
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


def describe(failure) -> str:
    """One line saying why a request failed."""
    e = failure.value
    if isinstance(e, HttpError):
        return f"HTTP {e.response.status}"
    if isinstance(e, (TimeoutError, TCPTimedOutError, DownloadTimeoutError)):
        return "timeout: no answer in time"
    if isinstance(e, (DNSLookupError, CannotResolveHostError)):
        return "DNS lookup failed"
    if isinstance(e, (ResponseNeverReceived, ResponseFailed, DownloadFailedError, ResponseDataLossError)):
        return "connection reset or closed before a complete answer"
    if isinstance(e, (ConnectError, DownloadConnectionRefusedError)):
        return f"connection failed ({type(e).__name__})"
    if isinstance(e, IgnoreRequest):
        return str(e) or type(e).__name__
    return f"{type(e).__name__}: {e}"


@dataclass
class Outcome:
    """What happened to one portal during a crawl."""

    blocked: str | None = None  # reason of a challenge or WAF page
    robots_refusal: str | None = None  # robots.txt answered 401/403
    forbidden: list[str] = field(default_factory=list)  # URLs robots.txt forbade
    columns_ok: int = 0  # column pages read
    start_errors: list[str] = field(default_factory=list)  # why a start URL or column gave nothing
    errors: list[tuple[str, str]] = field(default_factory=list)  # (url, reason) of other failed requests
    notes: list[str] = field(default_factory=list)  # quirks met and worked around

    def status(self) -> tuple[str, str | None]:
        if self.blocked:
            return "blocked", self.blocked
        if self.columns_ok == 0 and (self.robots_refusal or self.forbidden):
            return "disallowed", self.robots_refusal or f"robots.txt forbids {self.forbidden[0]}"
        if self.columns_ok == 0:
            return "failed", "; ".join(dict.fromkeys(self.start_errors)) or "no 年报 column found"
        reasons = list(self.notes)
        if self.errors:
            reasons.append(f"{len(self.errors)} pages failed, first {self.errors[0][0]}: {self.errors[0][1]}")
        if self.forbidden:
            reasons.append(f"robots.txt forbids {len(self.forbidden)} URLs, first {self.forbidden[0]}")
        return "ok", "; ".join(reasons) or None


class PortalSpider(scrapy.Spider):
    """Base of the platform spiders. A portal is given by its home page or its 年报 column URLs
    (`start_urls`) and, from the registry, its entry (`portal`)."""

    platform = "generic"
    max_discovery_depth = 2

    def __init__(self, start_urls=None, portal=None, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if isinstance(start_urls, str):
            start_urls = [u for u in start_urls.split(",") if u]
        if not start_urls:
            raise ValueError(f"{self.name}: start_urls is required (the portal's home page or 年报 column URLs)")
        self.start_urls = list(start_urls)
        self.portal = portal
        self.outcome = Outcome()

    @staticmethod
    def is_report(title: str) -> bool:
        return is_report_title(title)

    # Starting: a column, or a home page from which the 年报 columns are found --------------------
    async def start(self):
        for url in self.start_urls:
            yield scrapy.Request(url, self.parse_start, errback=self.on_error, cb_kwargs={"depth": 0},
                                 meta={"xxgk_start": True})

    def parse_start(self, response, depth):
        redirected = response.meta.get("redirect_urls")
        if redirected and discovery.is_home(response.url) and not discovery.is_home(redirected[0]):
            self.start_failed(redirected[0], f"column moved: redirected to the home page {response.url}")
            return
        if self.is_column(response):
            self.outcome.columns_ok += 1
            yield from self.parse_column(response, column=response.url)
            return
        if depth >= self.max_discovery_depth:
            self.start_failed(response.url, "no 年报 list on this page")
            return
        found = discovery.find_columns(response)
        if not found and depth == 0:
            self.start_failed(response.url, "no 年报 column found from this page")
        for url, _text in found:
            yield scrapy.Request(url, self.parse_start, errback=self.on_error, cb_kwargs={"depth": depth + 1},
                                 meta={"xxgk_start": True})

    def is_column(self, response) -> bool:
        return discovery.recognise_column(response) == self.platform

    def parse_column(self, response, column):
        raise NotImplementedError

    def column_seen(self):
        self.outcome.columns_ok += 1

    # Failures ---------------------------------------------------------------------------------
    def start_failed(self, url: str, reason: str) -> None:
        log.warning("%s: %s", url, reason)
        self.outcome.start_errors.append(reason)

    def on_error(self, failure):
        request = failure.request
        reason = describe(failure)
        if isinstance(failure.value, Blocked):
            return  # recorded by ChallengeMiddleware, which stops the crawl
        if isinstance(failure.value, IgnoreRequest) and "robots.txt" in reason:
            self.outcome.forbidden.append(request.url)
            log.info("%s: forbidden by robots.txt, not fetched", request.url)
            return
        if request.meta.get("xxgk_quirk"):
            note = request.meta["xxgk_quirk"]
            if note not in self.outcome.notes:
                self.outcome.notes.append(note)
            log.info("%s: %s (%s)", request.url, note, reason)
            return
        if request.meta.get("xxgk_start"):
            self.start_failed(request.url, reason)
            return
        log.warning("%s: %s", request.url, reason)
        self.outcome.errors.append((request.url, reason))

    # Items ------------------------------------------------------------------------------------
    def article(self, response, href: str, title: str, published: str | None, column: str, callback=None, **kw):
        return response.follow(href, callback or self.parse_article, errback=self.on_error,
                               cb_kwargs={"title": title, "published": published, "column": column}, **kw)

    def parse_article(self, response, title, published, column):
        attachments = self.report_attachments(response)
        if attachments:
            # The article only points at the report (详见附件): the file is the report.
            for url in attachments:
                yield scrapy.Request(url, self.parse_attachment, errback=self.on_error,
                                     cb_kwargs={"title": title, "published": published, "column": column})
            return
        yield self.report_item(response, title, published, column)

    def parse_attachment(self, response, title, published, column):
        yield self.report_item(response, title, published, column)

    def report_attachments(self, response) -> list[str]:
        """Attachments that are the report itself, when the page around them holds little text
        (a page that prints the report and also attaches it is archived as the page)."""
        if not isinstance(response, scrapy.http.TextResponse):
            return []
        found = []
        for a in response.css("a[href]"):
            href = a.attrib["href"]
            name = " ".join(a.css("::text").getall()).strip() or href
            if _ATTACHMENT.search(href) or _ATTACHMENT.search(name):
                if self.is_report(_ATTACHMENT.sub("", name)):
                    found.append(response.urljoin(href))
        if not found:
            return []
        text = "".join(response.xpath("//body//text()[not(ancestor::script) and not(ancestor::style)]").getall())
        return found if len("".join(text.split())) < SHELL_TEXT else []

    def report_item(self, response, title: str, published: str | None, column: str | None, body: bytes | None = None,
                    content_type: str | None = None) -> ReportItem:
        is_html = isinstance(response, scrapy.http.TextResponse)
        meta = lambda name: response.xpath(f"//meta[@name='{name}']/@content").get() if is_html else None
        title = title or meta("ArticleTitle") or (response.xpath("//title/text()").get(default="") if is_html else "")
        year, organ = title_year_organ(title)
        return ReportItem(
            url=response.url,
            title=title.strip(),
            published=published or iso_date(meta("PubDate")),
            organ=organ,
            year=year,
            body=body if body is not None else response.body,
            content_type=content_type or response.headers.get("Content-Type", b"").decode("latin-1"),
            fetched_at=now(),
            site=meta("SiteName") or (self.portal or {}).get("name"),
            column=column,
            portal=self.portal,
        )

    @staticmethod
    def same_site(a: str, b: str) -> bool:
        return urlparse(a).netloc == urlparse(b).netloc

    @staticmethod
    def anchor_title(a) -> str:
        return " ".join((a.attrib.get("title") or " ".join(a.css("::text").getall())).split())
