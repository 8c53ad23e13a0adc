"""Scrapy's downloader with its per-slot concurrency kept, and its HTTP/1.1 download handler with
the race of its close() removed.

Scrapy 2.19's downloader starts every queued request of a slot whose concurrency looks free
before any of them counts as transferring (the count is taken when each request's coroutine
first runs, after the loop): with no download delay, CONCURRENT_REQUESTS_PER_DOMAIN = 2 let 9
requests at once reach one host (measured against the simulator). `Downloader` counts each
request as it is started. A polite crawl (DOWNLOAD_DELAY) was not affected: it starts one
request per delay.

At the end of each portal's crawl, Scrapy's handler closes its idle connections and, since that
can hang, fires the same deferred itself after one second with `reactor.callLater(1, d.callback)`.
When the connections close just as that second ends — the reactor was busy (parsing, storing) and
both events fall due in one turn of the loop — the connections' deferred fires first, the coroutine
that would cancel the timer has not resumed yet, and the timer fires the deferred a second time:
Twisted prints `CRITICAL … AlreadyCalledError` with a traceback, though nothing went wrong. It
happened in `xxgk demo` after the portals with a stalled or reset connection, whose sockets stay
open longest. Here the timer fires the deferred only if nothing else has.
"""
from __future__ import annotations

from time import monotonic

from scrapy.core.downloader import Downloader as ScrapyDownloader
from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.utils.asyncio import call_later
from scrapy.utils.defer import _schedule_coro, maybe_deferred_to_future


class Downloader(ScrapyDownloader):
    def _process_queue(self, slot) -> None:
        if slot.latercall:
            return  # a delayed call is due
        now = monotonic()
        delay = slot.download_delay()
        if delay:
            penalty = delay - now + slot.lastseen
            if penalty > 0:
                slot.latercall = call_later(penalty, self._latercall, slot)
                return
        while slot.queue and slot.free_transfer_slots() > 0:
            slot.lastseen = now
            request, queue_dfd = slot.queue.popleft()
            # Counted now: Scrapy adds it when its coroutine starts (a set: adding it again is
            # harmless), and removes it when its download ends.
            slot.transferring.add(request)
            _schedule_coro(self._wait_for_download(slot, request, queue_dfd))
            if delay:
                self._process_queue(slot)
                break


def _fire_once(d) -> None:
    if not d.called:
        d.callback(())


class DownloadHandler(HTTP11DownloadHandler):
    async def close(self) -> None:
        from twisted.internet import reactor

        d = self._pool.closeCachedConnections()
        timer = reactor.callLater(self._disconnect_timeout, _fire_once, d)
        try:
            await maybe_deferred_to_future(d)
        finally:
            if timer.active():
                timer.cancel()
