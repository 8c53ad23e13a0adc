"""Delta-fetch for a distributed re-crawl: the re-crawl middlewares of crawler/recrawl.py, with
what they read from the archive looked up in Redis instead (a worker has no archive).

At the start of a crawl the coordinator, which has the archive, publishes what the middlewares
need (`publish`): every known list entry (the entry, how many sources it leads to, its column),
the entry URLs of each column, the ETag / Last-Modified of each source that had one, the report
pages whose attachments are still owed, and the portals whose last crawl was clean (whose
later list pages may be left unread). The rotation (`--verify-share`, `--month`) and `--verify`
travel with the crawl's settings; the month is fixed when the crawl is queued, so every worker
re-checks the same share. A report a worker does not fetch again (its list entry unchanged, or
answered 304) is handed to the writer as "seen" through the items list, as an item is, so the
archive records it still listed; the decisions themselves are DeltaFetchMiddleware's and
RecrawlMiddleware's, unchanged.
"""
from __future__ import annotations

import json
import pickle

import scrapy

from crawler.recrawl import (ENTRY_CALLBACKS, DeltaFetchMiddleware, RecrawlMiddleware, callback_name, complete_columns,
                             entries_by_column, ensure_attachments, join_rotation, known_entries, list_columns, open_pages,
                             this_month, validators)

from . import ITEMS, PREFIX, shared

KNOWN = PREFIX + "known"  # hash: entry URL -> JSON [entry, sources, column, place in the rotation]
COLUMNS = PREFIX + "known:columns"  # hash: column -> JSON [entry URL, …]
VALIDATORS = PREFIX + "validators"  # hash: URL -> JSON [ETag, Last-Modified]
OPEN_PAGES = PREFIX + "open-pages"  # set: report pages whose attachments are still owed
CLEAN = PREFIX + "clean"  # set: portals whose last crawl read everything without an error
RECHECKED = PREFIX + "rechecked"  # set: portals whose month's re-checks are made (recrawl.start_rotation)
COMPLETE = PREFIX + "complete"  # set: columns holding every report due (crawler.recrawl.complete_columns)
LIST_COLUMNS = PREFIX + "list-columns"  # hash: page -> JSON [[column URL, callback, cb_kwargs, start], …]
CHUNK = 5000


def publish(server, db, clean: set[str], month: str | None = None, rechecked: set[str] = frozenset()) -> int:
    """Put what the re-crawl middlewares read from the archive into Redis; returns how many
    known entries there are."""
    server.delete(KNOWN, COLUMNS, VALIDATORS, OPEN_PAGES, CLEAN, COMPLETE, LIST_COLUMNS, RECHECKED)
    ensure_attachments(db)
    join_rotation(db)
    known = known_entries(db)
    columns = entries_by_column(known)

    def put(key, mapping: dict) -> None:
        items = list(mapping.items())
        for i in range(0, len(items), CHUNK):
            server.hset(key, mapping=dict(items[i:i + CHUNK]))

    put(KNOWN, {u: json.dumps(k, ensure_ascii=False) for u, k in known.items()})
    put(COLUMNS, {c: json.dumps(us, ensure_ascii=False) for c, us in columns.items()})
    put(VALIDATORS, {u: json.dumps(v) for u, v in validators(db).items()})
    pages = sorted(open_pages(db))
    for i in range(0, len(pages), CHUNK):
        server.sadd(OPEN_PAGES, *pages[i:i + CHUNK])
    if clean:
        server.sadd(CLEAN, *clean)
    if rechecked:
        server.sadd(RECHECKED, *rechecked)
    # The columns at rest and the columns a page leads to, so that workers rest what a single
    # process rests (crawler/recrawl.py: columns at rest).
    complete = complete_columns(db, int((month or this_month())[:4]) - 1)
    if complete:
        server.sadd(COMPLETE, *complete)
    put(LIST_COLUMNS, {p: json.dumps(rows, ensure_ascii=False) for p, rows in list_columns(db).items()})
    return len(known)


class RedisSet:
    """`url in pages`, answered by Redis."""

    def __init__(self, server, key: str):
        self.server, self.key = server, key

    def __contains__(self, member) -> bool:
        return bool(self.server.sismember(self.key, member))


class RedisValidators:
    """`validators.get(url, default)`, answered by Redis."""

    def __init__(self, server):
        self.server = server

    def get(self, url: str, default=None):
        raw = self.server.hget(VALIDATORS, url)
        return tuple(json.loads(raw)) if raw else default


class _FromRedis:
    """What both middlewares share: the crawl's Redis instead of an archive, and a report not
    fetched again handed to the writer as seen (in order with the items, and as safe)."""

    def spider_opened(self, spider=None):
        self.server = shared(self.crawler.settings["REDIS_URL"])
        self.open_pages = RedisSet(self.server, OPEN_PAGES)
        self.opened()

    def opened(self) -> None:
        pass

    def seen(self, url: str, entry=None) -> None:
        record = {"portal_key": self.crawler.spider.xxgk_portal_key, "seen": url, "entry": entry}
        self.server.rpush(ITEMS, pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))

    def spider_closed(self, spider=None):
        pass


class RedisDeltaFetchMiddleware(_FromRedis, DeltaFetchMiddleware):
    def opened(self) -> None:
        self.cache: dict[str, tuple | None] = {}
        self.complete = {c.decode() for c in self.server.smembers(COMPLETE)}
        self.listing = {c.decode() for c in self.server.hkeys(COLUMNS)}
        self.remembered({p.decode(): [tuple(r) for r in json.loads(raw)]
                         for p, raw in self.server.hgetall(LIST_COLUMNS).items()})
        self.remembering = True

    def keep_columns(self, rows: list[tuple]) -> None:
        # To the writer, which keeps them in the archive's list_columns (crawler/distributed/writer.py).
        record = {"portal_key": self.crawler.spider.xxgk_portal_key, "list_columns": rows}
        self.server.rpush(ITEMS, pickle.dumps(record, protocol=pickle.HIGHEST_PROTOCOL))

    def _fetch(self, urls: list[str]) -> None:
        urls = [u for u in dict.fromkeys(urls) if u not in self.cache]
        if urls:
            for u, raw in zip(urls, self.server.hmget(KNOWN, urls)):
                self.cache[u] = tuple(json.loads(raw)) if raw else None

    def _filter(self, response, out: list, spider) -> list:
        # The entries of a list page in one round trip, not one each.
        self._fetch([r.url for r in out if isinstance(r, scrapy.Request) and callback_name(r) in ENTRY_CALLBACKS])
        return super()._filter(response, out, spider)

    def lookup(self, url: str):
        if url not in self.cache:
            self._fetch([url])
        return self.cache[url]

    def column_entries(self, column: str):
        raw = self.server.hget(COLUMNS, column)
        urls = json.loads(raw) if raw else []
        self._fetch(urls)
        return [(u, self.cache[u]) for u in urls if self.cache[u] is not None]


class RedisRecrawlMiddleware(_FromRedis, RecrawlMiddleware):
    def opened(self) -> None:
        self.validators = RedisValidators(self.server)


def swap(settings) -> None:
    """A worker's settings: the Redis-backed middlewares in place of the archive-backed ones."""
    for name, cls in (("SPIDER_MIDDLEWARES", RedisDeltaFetchMiddleware),
                      ("DOWNLOADER_MIDDLEWARES", RedisRecrawlMiddleware)):
        mws = dict(settings.getdict(name))
        base = cls.__mro__[2]
        order = mws.pop(f"{base.__module__}.{base.__qualname__}")
        mws[f"{cls.__module__}.{cls.__qualname__}"] = order
        settings.set(name, mws)
