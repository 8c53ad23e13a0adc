"""What every platform spider shares: start URLs (a home page or 年报 columns), discovery of the
年报 columns from a home page, recognising reports by title, building items, and recording what
went wrong (`Outcome`) in one log line per URL, for the per-portal status table."""
from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, unquote, urlparse

import scrapy
from lxml import etree
from scrapy.exceptions import (CannotResolveHostError, DownloadCancelledError, DownloadConnectionRefusedError,
                               DownloadFailedError, DownloadTimeoutError, IgnoreRequest, ResponseDataLossError)
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.internet.defer import CancelledError
from twisted.internet.error import ConnectError, DNSLookupError, TCPTimedOutError, TimeoutError
from twisted.web._newclient import ResponseFailed, ResponseNeverReceived

from archive.parse import sniff
from archive.report import is_report_title, title_year_organ
from archive.store import now
from crawler import monitor
from crawler.items import ReportItem
from crawler.recrawl import Skipped
from crawler.middlewares import Blocked
from crawler.offsite import WEB_SCHEMES, Refused, is_silent, scheme_of

from . import discovery

_DATE = re.compile(r"(20\d{2}|19\d{2})[-/.年](\d{1,2})[-/.月](\d{1,2})")
log = logging.getLogger(__name__)
_ATTACHMENT = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|ofd|png|jpe?g)$|downfile\.jsp", re.I)
_EXTENSION = re.compile(r"\.(pdf|docx?|wps|xlsx?|et|ofd|png|jpe?g)$", re.I)
# Attachments of a report page that are something else: forms, guides, explanations.
_NOT_REPORT = re.compile(r"申请表|登记表|申请书|指南|目录|解读|图解|说明")
# Where each platform puts an article's body: pictures there are the report's pages.
_CONTENT = ("//div[contains(@class, 'TRS_Editor') or contains(@class, 'trs_editor') or @id='zoom'"
            " or contains(@class, 'wzcon') or @id='content' or contains(@class, 'article-content')]")
_FILES = ("pdf", "zip", "ole", "image")  # archive.parse.sniff's kinds of files that are no page
STUB_TEXT = 80  # characters of text below which a page answered 200 holds no report at all
SHELL_TEXT = 600  # characters of text below which an article page is only a wrapper of its attachment
_MAXSIZE = re.compile(r"(\d+) bytes which is larger than download max size \((\d+)\)")


def iso_date(text: str | None) -> str | None:
    m = _DATE.search(text or "")
    return f"{m.group(1)}-{int(m.group(2)):02d}-{int(m.group(3)):02d}" if m else None


def size_text(n: int) -> str:
    return f"{n / 2**20:.0f} MiB" if n >= 2**20 else f"{n / 2**10:.0f} KiB"


def too_large(failure, limit: int) -> str | None:
    """Why a download was refused for its size (DOWNLOAD_MAXSIZE), or None if it was not."""
    e = failure.value
    if isinstance(e, DownloadCancelledError) and (m := _MAXSIZE.search(str(e))):
        size, limit = int(m.group(1)), int(m.group(2))
        return f"too large: {size_text(size)} announced, over the maximum download size of {size_text(limit)}"
    if isinstance(e, CancelledError):
        # No Content-Length: Scrapy counted the bytes as they came and cancelled at the limit.
        return f"too large: more than the maximum download size of {size_text(limit)}"
    return None


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
    # (url, status, reason) of report files fetched but not archived: corrupt, encrypted, too_large…
    unarchived: list[tuple[str, str, str]] = field(default_factory=list)
    # (url, reason) of links refused by the fetch policy (crawler/offsite.py): other schemes,
    # other sites, addresses inside our own network
    refused: list[tuple[str, str]] = field(default_factory=list)
    # Per list (column URL): what it says of its size and what the crawl reached, see coverage().
    lists: dict[str, dict] = field(default_factory=dict)

    def coverage(self) -> tuple[int | None, int | None, list[str]]:
        """(items declared, items reached, shortfalls) over the lists that state their size
        (recordCount, 共N条, a records argument); a list that states only its page count is
        compared in pages. A shortfall names the list and both numbers."""
        declared = reached = None
        short = []
        for url, c in self.lists.items():
            if c["records"]:
                declared, reached = (declared or 0) + c["records"], (reached or 0) + len(c["items"])
                if len(c["items"]) < c["records"]:
                    short.append(f"{url}: declared {c['records']}, reached {len(c['items'])}")
            elif c["pages"] and len(c["pages_reached"]) < c["pages"]:
                short.append(f"{url}: declared {c['pages']} pages, reached {len(c['pages_reached'])}")
        return declared, reached, short

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
        short = self.coverage()[2]
        if short:
            reasons.append(f"{len(short)} lists not reached in full, first {short[0]}")
        if self.unarchived:
            # Sorted: files are read in parallel, so the order they fail in is not the crawl's.
            first = min(self.unarchived)
            kinds = ", ".join(f"{k} {n}" for k, n in sorted(Counter(s for _, s, _ in self.unarchived).items()))
            reasons.append(f"{len(self.unarchived)} attachments not archived ({kinds}), first {first[0]}: {first[2]}")
        if self.refused:
            reasons.append(f"{len(self.refused)} links refused, first {min(self.refused)[0]}: {min(self.refused)[1]}")
        return "ok", "; ".join(reasons) or None


class PortalSpider(scrapy.Spider):
    """Base of the platform spiders. A portal is given by its home page or its 年报 column URLs
    (`start_urls`) and, from the registry, its entry (`portal`)."""

    platform = "generic"
    max_discovery_depth = 2
    entry_callback = "parse_article"  # the callback a list entry leads to

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
            # dont_filter: a WAF answering the first visit with a 302 to the same URL (setting the
            # cookie the retry carries) must not have the retry dropped as a duplicate.
            yield scrapy.Request(url, self.parse_start, errback=self.on_error, cb_kwargs={"depth": 0},
                                 meta={"xxgk_start": True}, dont_filter=True)

    @staticmethod
    def other_scheme(request, failure, reason: str):
        """A start URL that fails over one scheme is tried once over the other: an https-only host
        answers http with 404 (曲靖公积金), an http-only one fails the TLS handshake (portal-evidence
        §3.4). None when it was tried already or the failure says nothing of the scheme."""
        if request.meta.get("xxgk_first_failure"):
            return None
        u = urlparse(request.url)
        if u.scheme == "http" and reason == "HTTP 404":
            scheme = "https"
        elif u.scheme == "https" and not isinstance(failure.value, (HttpError, TimeoutError, TCPTimedOutError,
                                                                     DownloadTimeoutError, IgnoreRequest)):
            scheme = "http"
        else:
            return None
        return request.replace(url=u._replace(scheme=scheme).geturl(), dont_filter=True,
                               meta={"xxgk_start": True, "xxgk_first_failure": (request.url, reason)})

    def parse_start(self, response, depth):
        if first := response.meta.get("xxgk_first_failure"):
            note = f"{first[0]}: {first[1]}; answered over {urlparse(response.url).scheme}"
            if note not in self.outcome.notes:
                self.outcome.notes.append(note)
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

    @property
    def lazy_paging(self) -> bool:
        """Whether a list whose pages are fetched by script (LonSun fragments, gkmlpt's JSON)
        asks for them one at a time, each page for the next: in a re-crawl of a portal whose
        last crawl was clean, so that delta-fetch (crawler/recrawl.py) can stop at the first page
        that shows nothing new. A first crawl, or a --verify one, asks for all at once."""
        settings = getattr(self, "settings", None)
        return bool(getattr(self, "xxgk_trusted", False)) and not (settings and settings.getbool("XXGK_VERIFY_ALL"))

    def parse_column(self, response, column):
        raise NotImplementedError

    def column_seen(self):
        self.outcome.columns_ok += 1

    # Coverage: what each list says of its size against what was reached ------------------------
    def coverage_of(self, column: str) -> dict:
        return self.outcome.lists.setdefault(column, {
            "records": None, "pages": None, "items": set(), "pages_reached": set(), "requested": {column},
            "probe_from": set(), "first_size": None})

    def declare(self, column: str, records: int | None = None, pages: int | None = None) -> None:
        c = self.coverage_of(column)
        if records:
            c["records"] = max(c["records"] or 0, records)
        if pages:
            c["pages"] = max(c["pages"] or 0, pages)

    def list_page(self, column: str, url: str, items) -> None:
        """A page of the list `column` was read, holding `items` (URLs of its entries)."""
        c = self.coverage_of(column)
        c["pages_reached"].add(url)
        c["items"].update(items)
        if url == column and c["first_size"] is None:
            c["first_size"] = len(items)

    # Failures ---------------------------------------------------------------------------------
    def start_failed(self, url: str, reason: str) -> None:
        log.warning("%s: %s", url, reason)
        self.outcome.start_errors.append(reason)

    def on_error(self, failure):
        request = failure.request
        if isinstance(failure.value, Skipped):
            return  # not modified, or archived by the run this one resumes: seen, not failed
        tracker = getattr(getattr(self, "crawler", None), "xxgk_recrawl", None)
        if tracker is not None and request.meta.get("xxgk_attachment"):
            # Refused by the fetch policy or the size limit: final. A failed download (timeout,
            # reset, HTTP error) is retried by the next run.
            big = too_large(failure, self.settings.getint("DOWNLOAD_MAXSIZE"))
            state = "refused" if isinstance(failure.value, Refused) else "too_large" if big else "failed"
            tracker.attachment_state(request.meta["xxgk_attachment"], state, big or describe(failure))
        if isinstance(failure.value, Refused):
            return  # logged and counted by crawler.offsite.OffsiteMiddleware
        if (big := too_large(failure, self.settings.getint("DOWNLOAD_MAXSIZE"))):
            self.not_archived(request.url, "too_large", big)
            return
        reason = describe(failure)
        if isinstance(failure.value, Blocked):
            return  # recorded by ChallengeMiddleware, which stops the crawl
        if isinstance(failure.value, IgnoreRequest) and "robots.txt" in reason:
            self.outcome.forbidden.append(request.url)
            log.info("%s: forbidden by robots.txt, not fetched", request.url)
            return
        if request.meta.get("xxgk_start") and (other := self.other_scheme(request, failure, reason)) is not None:
            return [other]
        if request.meta.get("xxgk_quirk"):
            note = request.meta["xxgk_quirk"]
            if note not in self.outcome.notes:
                self.outcome.notes.append(note)
            log.info("%s: %s (%s)", request.url, note, reason)
            return
        if request.meta.get("xxgk_start"):
            # After a try over the other scheme, the failure that counts is the first one.
            url, reason = request.meta.get("xxgk_first_failure") or (request.url, reason)
            self.start_failed(url, reason)
            return
        log.warning("%s: %s", request.url, reason)
        self.outcome.errors.append((request.url, reason))

    def not_archived(self, url: str, status: str, reason: str) -> None:
        """A report file that was found but cannot be archived (corrupt, password-protected, too
        large, a zip bomb…): its status is recorded for the portal, the crawl goes on. A portal's
        bad file is a status of the portal, not a failure of the crawl."""
        log.warning("not archived (%s): %s: %s", status, url, reason)
        self.outcome.unarchived.append((url, status, reason))
        self.crawler.stats.inc_value("xxgk/unarchived")
        self.crawler.stats.inc_value(f"xxgk/unarchived/{status}")
        monitor.note_unarchived(self.start_urls, url, status, reason)

    # Items ------------------------------------------------------------------------------------
    def web_link(self, response, href: str) -> str | None:
        """The absolute URL of a link the crawler may ask for, or None: page machinery
        (`javascript:void(0)`, `mailto:`, `tel:`) is skipped silently, any other scheme than
        http(s) (`file:`, `ftp:`) refused here, in one line and counted — before Scrapy, which
        would refuse some of them with an error that ends the reading of the whole list."""
        if is_silent(href):
            return None
        url = response.urljoin(href.strip())
        scheme = scheme_of(url)
        if scheme not in WEB_SCHEMES:
            log.warning("%s: refused: not an http(s) link (%s scheme)", url, scheme or "no")
            self.outcome.refused.append((url, f"not an http(s) link ({scheme or 'no'} scheme)"))
            if getattr(self, "crawler", None) is not None:
                self.crawler.stats.inc_value("xxgk/refused")
            return None
        return url

    def article(self, response, href: str, title: str, published: str | None, column: str, callback=None, **kw):
        if self.web_link(response, href) is None:
            return None
        return response.follow(href, callback or self.parse_article, errback=self.on_error,
                               cb_kwargs={"title": title, "published": published, "column": column}, **kw)

    def follow(self, response, link, callback, **kw):
        """response.follow, for web links only (a 下一页 may be `javascript:…`): see web_link."""
        href = link.attrib.get("href", "") if hasattr(link, "attrib") else str(link)
        if self.web_link(response, href) is None:
            return None
        return response.follow(link, callback, **kw)

    def parse_article(self, response, title, published, column):
        if not isinstance(response, scrapy.http.TextResponse) or sniff(response.body) in _FILES:
            # A list that links straight to the file (a 年报汇总 page of PDFs).
            yield self.report_item(response, title, published, column, html=False)
            return
        chars = text_chars(response)
        attachments, shell = self.report_attachments(response, chars)
        attachments = [u for u in attachments if self.web_link(response, u)]
        tracker = getattr(getattr(self, "crawler", None), "xxgk_recrawl", None)
        if tracker is not None:
            # Owed before the page is stored: a crawl killed in between reads the page again.
            tracker.expect_attachments(response.url, attachments)
        if not attachments and (stub := self.stub(response, chars)):
            # A 200 answer that holds no report (a redirect stub, an anti-bot shell): a failed
            # fetch with its reason, never a report.
            log.warning("%s: %s", response.url, stub)
            self.outcome.errors.append((response.url, stub))
            return
        if not shell:
            yield self.report_item(response, title, published, column)
        # A shell (详见附件) is archived from its attachment; a page that prints the report and
        # attaches it too gives the same report from two sources.
        for url in attachments:
            yield scrapy.Request(url, self.parse_attachment, errback=self.on_error,
                                 cb_kwargs={"title": title, "published": published, "column": column},
                                 meta={"xxgk_attachment": url, "xxgk_page": response.url})

    def parse_attachment(self, response, title, published, column):
        # The title, organ and year are the listing's: OCR misreads names, and a file's own
        # title is often empty or a file name. The kind of file is decided from its bytes.
        yield self.report_item(response, title, published, column, html=sniff(response.body) == "html")

    @staticmethod
    def stub(response, chars: int | None = None) -> str | None:
        """Why a page answered 200 is no report page, or None if it may be one: a page whose
        text is a few characters (a 160-byte redirect stub, a ~1 KB script shell)."""
        if (text_chars(response) if chars is None else chars) < STUB_TEXT:
            return f"no report body: a {response.status} answer of {len(response.body)} bytes with no report text (a stub)"
        return None

    def report_attachments(self, response, chars: int | None = None) -> tuple[list[str], bool]:
        """(the files that are the report, whether the page is only a shell around them).

        A report-titled attachment is the report. A shell page (little text) whose attachments
        are not named after the report still carries it in them (`附件1.docx`, a FastDFS name),
        or, with no attachment at all, in the pictures of its body (image-only reports)."""
        if not isinstance(response, scrapy.http.TextResponse):
            return [], False
        titled, others = [], []
        for a in response.css("a[href]"):
            href = a.attrib["href"].strip()
            if is_silent(href):
                continue
            name = attachment_name(a, href)
            if not (_ATTACHMENT.search(urlparse(href).path) or a.attrib.get("appendix") == "true"
                    or _EXTENSION.search(name)):
                continue
            if self.is_report(_EXTENSION.sub("", name)):
                titled.append(response.urljoin(href))
            elif not _NOT_REPORT.search(name):
                others.append(response.urljoin(href))
        shell = (text_chars(response) if chars is None else chars) < SHELL_TEXT
        if not shell:
            return list(dict.fromkeys(titled)), False
        found = titled or others or [response.urljoin(src) for src in response.xpath(f"{_CONTENT}//img/@src").getall()
                                     if _EXTENSION.search(urlparse(src).path)]
        return list(dict.fromkeys(found)), bool(found)

    def report_item(self, response, title: str, published: str | None, column: str | None, body: bytes | None = None,
                    content_type: str | None = None, html: bool = True) -> ReportItem:
        is_html = html and isinstance(response, scrapy.http.TextResponse)
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


# Plain strings straight from lxml: through parsel every text node of a report's tables became
# a Selector object (a fifth of the crawl process's CPU, profiled).
_BODY_TEXT = etree.XPath("//body//text()[not(ancestor::script) and not(ancestor::style)]", smart_strings=False)


def text_chars(response) -> int:
    """Characters of a page's visible text, blanks not counted."""
    root = response.selector.root
    if not isinstance(root, etree._Element):  # a JSON answer: no markup to leave out
        return len("".join(response.text.split()))
    return len("".join("".join(_BODY_TEXT(root)).split()))


def attachment_name(a, href: str) -> str:
    """The real name of a linked file: Hanweb's downfile.jsp names it in `showname`, others in
    the link text or a title; a bare file name last."""
    query = dict(parse_qsl(urlparse(href.replace("&amp;", "&")).query))
    for name in (query.get("showname"), a.attrib.get("title"), " ".join(a.css("::text").getall()),
                 unquote(urlparse(href).path.rsplit("/", 1)[-1])):
        name = " ".join((name or "").split())
        if name and name not in ("下载", "点击下载", "附件下载", "附件"):
            return name
    return href
