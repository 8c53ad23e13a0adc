"""Scrapy settings for crawling real portals politely; `polite=False` (local simulator only)
lifts the throttling."""

import os

BOT_NAME = "xxgk-archive"
SPIDER_MODULES = ["crawler.spiders"]
NEWSPIDER_MODULE = "crawler.spiders"

# Identify honestly, with a way to reach us.
# ASCII only: the header is re-encoded with the charset of the page a link was found on (GBK).
USER_AGENT = "xxgk-archive/0.1 (+https://github.com/xxgk-archive/xxgk-archive; archive of annual reports on government information disclosure)"
ROBOTSTXT_OBEY = True

# One or two requests at a time per domain, adapting to the portal's latency.
CONCURRENT_REQUESTS = 16
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 1.0
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

RETRY_ENABLED = True
RETRY_TIMES = 3
RETRY_BACKOFF_BASE = 5.0  # seconds before the first retry, doubling for each next one
RETRY_BACKOFF_MAX = 120.0
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
DOWNLOAD_TIMEOUT = 60
# Nothing larger is fetched: a report is a few MiB at most, and the parser refuses more than
# 64 MiB anyway. A refused file is recorded as too_large for its portal. XXGK_DOWNLOAD_MAXSIZE
# (bytes) lowers it, e.g. for a test crawl.
DOWNLOAD_MAXSIZE = int(os.environ.get("XXGK_DOWNLOAD_MAXSIZE") or 64 * 1024 * 1024)
DOWNLOAD_WARNSIZE = 16 * 1024 * 1024

# Items of one response processed at once: a report page yields one item and a few file
# requests. Scrapy's default of 100 starts 100 asyncio tasks for every response, items or not
# (a tenth of the crawl process's CPU, profiled).
CONCURRENT_ITEMS = 8

COOKIES_ENABLED = True
TELNETCONSOLE_ENABLED = False
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = "INFO"

# Development only: XXGK_HTTPCACHE=1 replays earlier responses instead of hitting portals again.
HTTPCACHE_ENABLED = False
HTTPCACHE_DIR = "httpcache"
HTTPCACHE_EXPIRATION_SECS = 24 * 3600

# Only http(s) is ever fetched: no handler for file:, ftp:, s3:, data: (crawler/offsite.py refuses
# them first and counts them; this makes sure nothing else could read a local file). http(s) go
# through Scrapy's handler without the race that printed AlreadyCalledError tracebacks
# (crawler/download.py).
DOWNLOAD_HANDLERS = {"file": None, "ftp": None, "s3": None, "data": None,
                     "http": "crawler.download.DownloadHandler", "https": "crawler.download.DownloadHandler"}

# Scrapy's downloader, with CONCURRENT_REQUESTS_PER_DOMAIN really kept (crawler/download.py)
DOWNLOADER = "crawler.download.Downloader"

DOWNLOADER_MIDDLEWARES = {
    # no portal is crawled with credentials
    "scrapy.downloadermiddlewares.httpauth.HttpAuthMiddleware": None,
    # only http(s), only the portal's own hosts, never an address inside our network; before
    # robots.txt, so that no robots.txt of a refused host is asked for either
    "crawler.offsite.OffsiteMiddleware": 50,
    # robots.txt obeyed, with 401/403 on robots.txt meaning refusal
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.RobotsMiddleware": 100,
    "crawler.middlewares.BackoffMiddleware": 120,
    # sees responses before RetryMiddleware (550) and after redirects (600)
    "crawler.middlewares.ChallengeMiddleware": 560,
    # conditional requests and resumption; sees a 304 before the redirect/retry layers do
    "crawler.recrawl.RecrawlMiddleware": 580,
}

SPIDER_MIDDLEWARES = {
    # Scrapy's defaults that do nothing here cost a wrapper around every response's output:
    # no DEPTH_LIMIT is set (a spider keeps its own discovery depth), and the meta-copy check
    # is a development warning
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.metacopy.MetaCopyDetectionMiddleware": None,
    # before RefererMiddleware (700) sees the spider's output, so the requests it adds get a Referer
    "crawler.recrawl.DeltaFetchMiddleware": 800,
}

ITEM_PIPELINES = {
    "crawler.pipelines.ParsePipeline": 300,
    "crawler.pipelines.StorePipeline": 800,
}

FAST = {  # the local simulator: no reason to wait between requests, nor long for an answer
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
    "RETRY_BACKOFF_BASE": 0,
    "DOWNLOAD_TIMEOUT": 2,
}
