"""One worker of a distributed crawl: claims portals, crawls them with Scrapy on the portal's
scrapy-redis queue, hands items to the writer. Needs no archive directory."""
from __future__ import annotations

import asyncio
import json
import logging
import os
import pickle
import socket
import time
from pathlib import Path

from . import (BLOCKED, COUNTS, DONE, PORTALS, RUN, STARTED, WORKERS, handoff, lease_key, lease_seconds, portal_key,
               shared)
from .delta import CLEAN, RECHECKED
from .scheduler import requeue_inflight

log = logging.getLogger(__name__)

# Renew the lease only while it is still this worker's.
_RENEW = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end
return 0
"""
# Up to ARGV[3] portals not done and not held by anyone, leased to this worker, in one round trip
# (one SET NX per portal from the worker cost a round trip per portal per second: profiled).
_CLAIM = """
local keys = redis.call('hkeys', KEYS[1])
table.sort(keys)
local got, want = {}, tonumber(ARGV[3])
for _, name in ipairs(keys) do
  if #got >= want then break end
  if redis.call('sismember', KEYS[2], name) == 0
     and redis.call('set', ARGV[4] .. name, ARGV[1], 'NX', 'PX', ARGV[2]) then
    table.insert(got, name)
  end
end
return got
"""
FINISHED = ("finished", "blocked")  # a spider closed for these reasons has nothing left to crawl


def worker_settings(redis_url: str, conf: dict, readers: int | None = None):
    """The single-process crawl's settings, with the portal's queue and seen set in Redis and items
    handed to the writer. The re-crawl middlewares read what they know of the archive from Redis,
    where the coordinator put it (delta.py), with the crawl's rotation (share, month, --verify)."""
    from crawler.run import crawl_settings

    from .delta import swap

    settings = crawl_settings(Path(os.devnull), conf.get("polite", True), conf.get("quiet", True), conf.get("timeout"),
                              verify=conf.get("verify", False), verify_share=conf.get("verify_share"),
                              month=conf.get("month"))
    settings.set("XXGK_DATA", None)
    swap(settings)
    settings.set("REDIS_URL", redis_url)
    settings.set("SCHEDULER", "crawler.distributed.scheduler.PortalScheduler")
    settings.set("SCHEDULER_PERSIST", True)  # scrapy-redis would delete the queue when a spider closes
    settings.set("SCHEDULER_IDLE_BEFORE_CLOSE", 0)  # never block the reactor on an empty queue
    settings.set("DUPEFILTER_CLASS", "scrapy_redis.dupefilter.RFPDupeFilter")
    dl = dict(settings.getdict("DOWNLOADER_MIDDLEWARES"))
    dl["crawler.distributed.handoff.SharedRobotsMiddleware"] = 50
    settings.set("DOWNLOADER_MIDDLEWARES", dl)
    settings.set("ITEM_PIPELINES", {"crawler.distributed.worker.ReaderPool": 100,
                                    "crawler.pipelines.ParsePipeline": 300,
                                    "crawler.distributed.handoff.HandOffPipeline": 800})
    settings.set("XXGK_READERS", readers)
    # A development-time check that reads each callback's source per crawler, i.e. per portal.
    settings.set("WARN_ON_GENERATOR_RETURN_VALUE", False)
    if conf.get("delay"):
        # A fixed gap between two requests to one host (bench and tests measure it).
        for k, v in {"DOWNLOAD_DELAY": conf["delay"], "DOWNLOAD_DELAY_JITTER": 0,
                     "CONCURRENT_REQUESTS_PER_DOMAIN": 1, "AUTOTHROTTLE_ENABLED": False}.items():
            settings.set(k, v, priority="cmdline")
    return settings


def readers_here(server, wanted: int | None) -> int:
    """How many reader processes this worker runs: `wanted`, or this machine's cores divided
    among the workers it runs (each worker with a pool of one reader per core would put
    workers × cores parsing processes on the cores)."""
    if wanted:
        return wanted
    host = socket.gethostname() + ":"
    here = sum(1 for k, v in server.hgetall(WORKERS).items()
               if k.decode().startswith(host) and time.time() - json.loads(v)["at"] < 10)
    return max(1, (os.cpu_count() or 1) // max(1, here))


class ReaderPool:
    """Sizes this worker's pool of reader processes when the first page is to be read (by then
    the workers started with it on this machine have said so in Redis)."""

    sized = False

    @classmethod
    def from_crawler(cls, crawler):
        p = cls()
        p.settings = crawler.settings
        return p

    def process_item(self, item, spider=None):
        if not ReaderPool.sized:
            from crawler import pipelines

            n = readers_here(shared(self.settings["REDIS_URL"]), self.settings.getint("XXGK_READERS") or None)
            pipelines.reader(n)
            ReaderPool.sized = True
            log.info("%d reader processes", n)
        return item


class Worker:
    def __init__(self, redis_url: str, slots: int = 16, wait: float = 30, readers: int | None = None):
        self.url = redis_url
        self.server = shared(redis_url)
        self.slots = slots
        self.readers = readers
        self.wait = wait
        self.id = f"{socket.gethostname()}:{os.getpid()}"
        self.held: dict[str, object] = {}  # portal -> its crawler
        self.ttl_ms = int(lease_seconds() * 1000)
        self._renew = self.server.register_script(_RENEW)
        self._claim = self.server.register_script(_CLAIM)
        self.process = None
        self.stopping = False

    def wait_for_run(self) -> dict | None:
        deadline = time.time() + self.wait
        while time.time() < deadline:
            run = self.server.hgetall(RUN)
            if run and run.get(b"state") == b"running":
                return json.loads(run[b"settings"])
            time.sleep(0.5)
        return None

    def run(self) -> int:
        conf = self.wait_for_run()
        if conf is None:
            log.error("%s: no running crawl to join (start one with xxgk crawl --redis)", self.url)
            return 2
        from scrapy.crawler import CrawlerProcess
        from scrapy.utils.reactor import install_reactor

        settings = worker_settings(self.url, conf, self.readers)
        # Installed before the periodic task below imports the reactor (Twisted's default is not
        # the asyncio one Scrapy wants).
        install_reactor(settings["TWISTED_REACTOR"])
        from twisted.internet.task import LoopingCall

        from crawler.run import quiet_scrapy, spider_classes

        self.spiders = spider_classes()
        self.process = CrawlerProcess(settings)
        quiet_scrapy()
        loop = LoopingCall(self.tick)
        loop.start(1.0, now=True).addErrback(lambda f: (log.error("worker: %s", f.getErrorMessage()), self.stop()))
        self.process.start(stop_after_crawl=False)
        self.release_all()
        return 0

    # Portals --------------------------------------------------------------------------------
    def tick(self) -> None:
        if self.stopping:
            return
        state = self.server.hget(RUN, "state")
        if state != b"running":
            self.stop()
            return
        held = list(self.held.items())
        pipe = self.server.pipeline(transaction=False)
        for name, _ in held:
            self._renew(keys=[lease_key(name)], args=[self.id, self.ttl_ms], client=pipe)
        renewed = pipe.execute() if held else []
        pipe = self.server.pipeline(transaction=False)
        for (name, crawler), ok in zip(held, renewed):
            if not ok:
                # Taken over while this worker stalled: stop at once, the other one goes on.
                log.warning("%s: lease lost, leaving the portal to another worker", name)
                self.held.pop(name, None)
                if crawler.engine is not None and crawler.engine.running:
                    asyncio.ensure_future(crawler.engine.close_spider_async(reason="lease lost"))
                continue
            self.save(name, crawler, pipe)
        if handoff.pages:
            pipe.hincrby(COUNTS, "pages", handoff.pages)
            handoff.pages = 0
        pipe.hset(WORKERS, self.id, json.dumps({"at": time.time(), "portals": sorted(self.held)}, ensure_ascii=False))
        pipe.execute()
        self.claim()
        if not self.held and self.server.scard(DONE) >= self.server.hlen(PORTALS):
            self.stop()

    def claim(self) -> None:
        if len(self.held) >= self.slots:
            return
        for key in self._claim(keys=[PORTALS, DONE], args=[self.id, self.ttl_ms, self.slots - len(self.held),
                                                             lease_key("")]):
            self.start(key.decode())

    def start(self, name: str) -> None:
        entry = json.loads(self.server.hget(PORTALS, name))
        saved = None
        if not self.server.sadd(STARTED, name):
            n = requeue_inflight(self.server, name)
            raw = self.server.get(portal_key(name, "state"))
            saved = pickle.loads(raw) if raw else None
            log.warning("%s: taken over from a worker that stopped; %d requests it had in flight queued again", name, n)
        crawler = self.process.create_crawler(self.spiders[entry["platform"]])
        self.held[name] = crawler
        from scrapy import signals

        def opened(spider):
            if saved:
                spider.outcome = saved["outcome"]
                for k, v in saved["stats"].items():
                    if isinstance(v, (int, float)) and not isinstance(v, bool):
                        crawler.stats.set_value(k, v)
            # Saved from now on only: a tick between the spider's creation and this would
            # overwrite the state it takes over with a blank one.
            crawler.xxgk_opened = True

        crawler.signals.connect(opened, signal=signals.spider_opened, weak=False)
        d = self.process.crawl(crawler, start_urls=entry["start_urls"], portal=None if entry.get("bare") else entry,
                               xxgk_portal_key=name, xxgk_trusted=bool(self.server.sismember(CLEAN, name)),
                               xxgk_rechecked=bool(self.server.sismember(RECHECKED, name)))
        d.addErrback(lambda f: log.error("%s: the crawl failed: %s", name, f.getTraceback()))
        d.addBoth(lambda _: self.finished(name, crawler))

    def save(self, name: str, crawler, client=None) -> None:
        spider = crawler.spider
        if spider is None or not hasattr(spider, "outcome") or not getattr(crawler, "xxgk_opened", False):
            return
        (client or self.server).set(portal_key(name, "state"), pickle.dumps(
            {"outcome": spider.outcome, "stats": crawler.stats.get_stats()}, protocol=pickle.HIGHEST_PROTOCOL))

    def finished(self, name: str, crawler) -> None:
        reason = crawler.stats.get_value("finish_reason")
        if self.held.get(name) is not crawler:
            return  # lease lost: the portal is another worker's now
        self.held.pop(name)
        if reason not in FINISHED:
            self.server.delete(lease_key(name))  # stopped (Ctrl-C): free for another worker at once
            return
        pipe = self.server.pipeline()
        self.save(name, crawler, pipe)
        pipe.sadd(DONE, name)
        if getattr(getattr(crawler.spider, "outcome", None), "blocked", False):
            pipe.sadd(BLOCKED, name)
        # The seen set, queue and in-flight list of a finished portal are no longer needed.
        pipe.delete(portal_key(name, "requests"), portal_key(name, "dupefilter"), portal_key(name, "inflight"))
        pipe.delete(lease_key(name))
        pipe.execute()
        log.info("%s: done (%s)", name, reason)
        if not self.stopping:
            self.claim()

    def stop(self) -> None:
        if self.stopping:
            return
        self.stopping = True
        from twisted.internet import reactor

        if self.held:
            self.process.stop().addBoth(lambda _: reactor.stop() if reactor.running else None)
        elif reactor.running:
            reactor.stop()

    def release_all(self) -> None:
        for name in list(self.held):
            if self.server.get(lease_key(name)) == self.id.encode():
                self.server.delete(lease_key(name))
        self.server.hdel(WORKERS, self.id)


def run_worker(redis_url: str, slots: int = 16, wait: float = 30, readers: int | None = None) -> int:
    return Worker(redis_url, slots, wait, readers).run()
