"""The scrapy-redis scheduler, per portal and safe against a worker's death.

scrapy-redis pops a request from Redis and forgets it: a worker killed with requests in flight
loses them. Here a pop moves the request, atomically (one Lua script), from the portal's queue to
its in-flight list, and it leaves that list only when Scrapy is done with it — its response
parsed, the requests it led to queued and its items handed to the writer (the engine's slot
releases the request only then). A worker taking over the portal of a dead one puts the in-flight
list back in the queue (`requeue_inflight`).
"""
from __future__ import annotations

import logging
import pickle

from scrapy_redis import picklecompat
from scrapy_redis.queue import PriorityQueue
from scrapy_redis.scheduler import Scheduler

from . import portal_key, shared

log = logging.getLogger(__name__)

# Take the first (highest-priority) request of the sorted set into the in-flight list.
_POP = """
local r = redis.call('zrange', KEYS[1], 0, 0)
if #r == 0 then return false end
redis.call('zremrangebyrank', KEYS[1], 0, 0)
redis.call('lpush', KEYS[2], r[1])
return r[1]
"""


class ReliableQueue(PriorityQueue):
    def __init__(self, server, spider, key, serializer=None):
        super().__init__(server, spider, key, serializer)
        self.inflight_key = key.rsplit(":", 1)[0] + ":inflight"
        self._pop = server.register_script(_POP)
        self.encoded: dict = {}  # request object -> its bytes in the in-flight list

    def pop(self, timeout=0):
        data = self._pop(keys=[self.key, self.inflight_key])
        if not data:
            return None
        request = self._decode_request(data)
        self.encoded[request] = data
        return request

    def done(self, request) -> None:
        data = self.encoded.pop(request, None)
        if data is not None:
            self.server.lrem(self.inflight_key, 1, data)


def requeue_inflight(server, portal: str) -> int:
    """Put back in the portal's queue what a dead worker had taken from it."""
    n = 0
    while (data := server.rpop(portal_key(portal, "inflight"))) is not None:
        priority = picklecompat.loads(data).get("priority", 0)
        server.execute_command("ZADD", portal_key(portal, "requests"), -priority, data)
        n += 1
    return n


class PortalScheduler(Scheduler):
    """The queue, seen set and in-flight list of the spider's portal (its `xxgk_portal_key`)."""

    @classmethod
    def from_crawler(cls, crawler):
        # scrapy-redis would open (and ping) two clients of its own per crawler, i.e. per portal.
        s = crawler.settings
        instance = cls(server=shared(s["REDIS_URL"]), persist=True,
                       idle_before_close=s.getint("SCHEDULER_IDLE_BEFORE_CLOSE"), dupefilter_cls=s["DUPEFILTER_CLASS"])
        instance.stats = crawler.stats
        instance.crawler = crawler
        return instance

    def open(self, spider):
        portal = spider.xxgk_portal_key
        self.queue_key = portal_key(portal, "requests")
        self.dupefilter_key = portal_key(portal, "dupefilter")
        self.queue_cls = f"{ReliableQueue.__module__}.{ReliableQueue.__qualname__}"
        from scrapy_redis.dupefilter import RFPDupeFilter

        self.df = RFPDupeFilter(self.server, key=self.dupefilter_key,
                                debug=self.crawler.settings.getbool("DUPEFILTER_DEBUG"))
        super().open(spider)
        # The engine's slot releases a request once its output is fully handled (items through
        # the pipelines, new requests scheduled): only then does it leave the in-flight list.
        slot = self.crawler.engine._slot
        release = slot.remove_request

        def remove_request(request):
            self.queue.done(request)
            release(request)

        slot.remove_request = remove_request

    # scrapy-redis 0.9.1 passes `spider=` to the stats collector, which Scrapy 2.19 deprecates
    # (its releases are tested against older Scrapy): the same two methods without it.
    def enqueue_request(self, request):
        if not request.dont_filter and self.df.request_seen(request):
            self.df.log(request, self.spider)
            return False
        self.stats.inc_value("scheduler/enqueued/redis")
        self.queue.push(request)
        return True

    def next_request(self):
        request = self.queue.pop(self.idle_before_close)
        if request is not None:
            self.stats.inc_value("scheduler/dequeued/redis")
        return request

    def close(self, reason):
        # Kept: the queue and seen set are the crawl's, not this worker's (SCHEDULER_PERSIST).
        self.persist = True
        return super().close(reason)


def dumps(obj) -> bytes:
    return pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)
