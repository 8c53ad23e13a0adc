"""What a worker adds to a Scrapy crawl: items handed to the writer through Redis, and robots.txt
fetched once per host for all workers."""
from __future__ import annotations

import asyncio
import json
import logging
import pickle

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.http import Response
from scrapy_redis.pipelines import RedisPipeline

from ..pipelines import Responses
from . import ITEMS, lease_seconds, robots_key, shared

log = logging.getLogger(__name__)


pages = 0  # responses received since the worker last added them to the crawl's count


class HandOffPipeline(RedisPipeline):
    """scrapy-redis's item pipeline, carrying what the writer needs besides the item: the status
    line and headers of the response (the WARC record holds the response as fetched), the page
    it was linked from and its list entry, the portal. Pickled: items hold bytes and the parsed
    report, which JSON would not keep."""

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(shared(crawler.settings["REDIS_URL"]), key=ITEMS)
        pipeline.crawler = crawler
        pipeline.responses = Responses(crawler)
        crawler.signals.connect(pipeline.response_received, signal=signals.response_received)
        return pipeline

    def response_received(self, response, request, spider=None):
        # Counted here, added to the crawl's count by the worker's tick: a round trip per page
        # for a progress figure would hold the reactor.
        global pages
        pages += 1

    async def process_item(self, item, spider=None):
        a = ItemAdapter(item)
        record = {"portal_key": self.crawler.spider.xxgk_portal_key, **self.responses.record_fields(a)}
        data = pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL)
        # In a thread: a file of some MiB would hold the reactor while it travels.
        await asyncio.to_thread(self.server.rpush, self.key, data)
        return item


class SharedRobotsMiddleware:
    """robots.txt once per host for every worker of the crawl: the first worker to ask a host
    fetches it and leaves the answer in Redis; the others (and a worker taking over the portal
    later) are answered from there. Placed before the robots.txt middleware's own request
    reaches the downloader."""

    def __init__(self, crawler):
        self.crawler = crawler
        self.server = shared(crawler.settings["REDIS_URL"])

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    @staticmethod
    def _is_robots(request) -> bool:
        return request.meta.get("dont_obey_robotstxt") and request.url.endswith("/robots.txt")

    async def process_request(self, request, spider=None):
        if not self._is_robots(request) or request.meta.get("xxgk_robots_fetcher"):
            return None  # not robots.txt, or this worker's own fetch of it, retried
        key = robots_key(request.url.split("/")[2])
        # One fetcher per host: the others wait for its answer (a fetch that fails releases it).
        for _ in range(600):
            cached = self.server.get(key)
            if cached is not None:
                c = json.loads(cached)
                return Response(request.url, status=c["status"], body=c["body"].encode("latin-1"),
                                headers={"Content-Type": "text/plain"}, request=request,
                                flags=["xxgk-shared"])
            # Held no longer than a portal's lease: the fetch of a worker that died with it is
            # taken up by the next one as soon as that one may take the portal over.
            if self.server.set(key + ":fetching", "1", nx=True, px=int(lease_seconds() * 1000)):
                request.meta["xxgk_robots_fetcher"] = True
                return None
            await asyncio.sleep(0.2)
        return None

    def process_response(self, request, response, spider=None):
        if self._is_robots(request) and not response.flags:
            key = robots_key(request.url.split("/")[2])
            self.server.set(key, json.dumps({"status": response.status,
                                             "body": response.body.decode("latin-1")}), nx=True)
            self.server.delete(key + ":fetching")
        return response

    def process_exception(self, request, exception, spider=None):
        # Seen only when no later middleware retries it: the fetch failed for good, another
        # worker may try.
        if self._is_robots(request):
            self.server.delete(robots_key(request.url.split("/")[2]) + ":fetching")
        return None
