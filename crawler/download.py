"""Scrapy's HTTP/1.1 download handler, with the race of its close() removed.

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

from scrapy.core.downloader.handlers.http11 import HTTP11DownloadHandler
from scrapy.utils.defer import maybe_deferred_to_future


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
