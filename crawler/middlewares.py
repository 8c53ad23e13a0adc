"""Recognising what stands between the crawler and a portal, and recording it — never defeating it.

- `ChallengeMiddleware`: a 加速乐 521 cookie challenge, a 瑞数 412 `Environment Checking` page, a
  WAF 405 (`NWAF`, 事件ID) or a wzws cookie challenge marks the portal blocked with its reason and
  stops its crawl; a soft 404 (HTTP 200 saying 页面不存在) is a failure of that URL.
- `RobotsMiddleware`: Scrapy's robots.txt handling, except that 401/403 on robots.txt means
  refusal (Scrapy would read the error page as an empty robots.txt, allowing everything), and
  that every request waiting for a host's robots.txt is checked against it (Scrapy 2.19 hands
  the parser to the first waiter only: the others were let through unchecked).
- `BackoffMiddleware`: a retried request waits longer each time before it is sent again.
"""
from __future__ import annotations

import asyncio
import logging
import re

from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.defer import Deferred

log = logging.getLogger(__name__)


class Blocked(IgnoreRequest):
    """An access control answered instead of the portal."""


class SoftNotFound(IgnoreRequest):
    """HTTP 200 with a page that says the page does not exist."""


_SOFT_404 = re.compile(r"页面不存在|页面未找到|找不到(该|您要访问的)?页面|页面已被删除|Page Not Found|404 Not Found", re.I)


def challenge_reason(response: Response) -> str | None:
    head = response.body[:20000]
    cookies = b" ".join(response.headers.getlist("Set-Cookie"))
    if response.status == 521 or b"__jsl_clearance" in head:
        if b"__jsl_clearance" in head or b"__jsluid" in cookies:
            return "加速乐 (JSL) cookie challenge: HTTP 521 with a __jsl_clearance script"
        return "HTTP 521 (加速乐 or another anti-bot service)"
    if response.status == 412:
        what = "瑞数 WAF " if b"$_ts" in head or b"Environment Checking" in head else "WAF "
        return f"{what}412 Environment Checking page"
    if response.status == 405 and (b"NWAF" in head or "事件ID".encode() in head or "事件ID".encode("gbk") in head):
        return "WAF 405 page (NWAF, 事件ID)"
    if b"wzws_cid" in cookies or b"wzwschallenge" in head:
        return "wzws cookie challenge (安全狗/网站卫士)"
    if "创宇".encode() in head and ("防御".encode() in head or "拦截".encode() in head):
        return "创宇云防御 interception page"
    return None


def soft_404(response: Response) -> bool:
    if response.status != 200 or b"<" not in response.body[:2048]:
        return False
    try:
        text = response.text
    except AttributeError:
        return False
    m = re.search(r"<title[^>]*>(.*?)</title>", text[:4096], re.S | re.I)
    title = m.group(1) if m else ""
    return bool(_SOFT_404.search(title)) or (len(text) < 20000 and bool(re.search(r"<h[1-3][^>]*>[^<]*(" + _SOFT_404.pattern + ")", text, re.I)))


class ChallengeMiddleware:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response, spider=None):
        spider = spider or self.crawler.spider
        reason = challenge_reason(response)
        if reason:
            outcome = getattr(spider, "outcome", None)
            if outcome is not None and not outcome.blocked:
                outcome.blocked = reason
                log.warning("%s: portal blocked: %s", request.url, reason)
                if getattr(spider, "close_on_block", True):
                    # Nothing more can come from this portal: stop asking.
                    asyncio.ensure_future(self.crawler.engine.close_spider_async(reason="blocked"))
            raise Blocked(reason)
        if soft_404(response) and not request.meta.get("dont_obey_robotstxt"):
            raise SoftNotFound("soft 404: HTTP 200 with a 页面不存在 page")
        return response


def _one_line(record: logging.LogRecord) -> bool:
    """A robots.txt that cannot be fetched (a host that fails the TLS handshake) is one log
    line, not a traceback."""
    record.exc_info, record.exc_text = None, None
    return True


class RobotsMiddleware(RobotsTxtMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler)
        logger = logging.getLogger("scrapy.downloadermiddlewares.robotstxt")
        if _one_line not in logger.filters:
            logger.addFilter(_one_line)

    async def robot_parser(self, request):
        # While robots.txt is being fetched, Scrapy's parser slot is a Deferred that each waiting
        # request awaits through Deferred.asFuture, which passes the parser to the first waiter
        # and None to the next ones, and None means "allowed": a portal whose first requests go
        # out together (several start URLs, a re-crawl's columns at once) had all but one of
        # them let through unchecked. Each waiter here reads the parser once it is stored.
        netloc = urlparse_cached(request).netloc
        pending = self._parsers.get(netloc)
        if not isinstance(pending, Deferred):
            return await super().robot_parser(request)
        ready: Deferred = Deferred()

        def stored(result):
            ready.callback(None)
            return result  # the chain goes on unchanged for the other waiters

        pending.addBoth(stored)
        await maybe_deferred_to_future(ready)
        return self._parsers.get(netloc)

    async def _parse_robots(self, response, netloc, request):
        if response.status in (401, 403):
            outcome = getattr(self.crawler.spider, "outcome", None)
            if outcome is not None:
                outcome.robots_refusal = f"robots.txt answered {response.status}: crawling refused"
            log.warning("%s: robots.txt answered %s; treated as Disallow: /", response.url, response.status)
            response = response.replace(body=b"User-agent: *\nDisallow: /\n")
        await super()._parse_robots(response, netloc, request)


class BackoffMiddleware:
    """Wait RETRY_BACKOFF_BASE × 2^(n-1) seconds (at most RETRY_BACKOFF_MAX) before the n-th retry."""

    def __init__(self, base: float, cap: float):
        self.base, self.cap = base, cap

    @classmethod
    def from_crawler(cls, crawler):
        s = crawler.settings
        return cls(s.getfloat("RETRY_BACKOFF_BASE", 0), s.getfloat("RETRY_BACKOFF_MAX", 60))

    async def process_request(self, request, spider=None):
        n = request.meta.get("retry_times", 0)
        if n and self.base > 0:
            await asyncio.sleep(min(self.cap, self.base * 2 ** (n - 1)))
        return None
