"""Crawling over several machines: scrapy-redis queues on a redis-server, one archive writer.

    xxgk crawl --redis redis://HOST:PORT/DB … --data DIR   enqueue, write the archive, run one worker
    xxgk worker --redis redis://HOST:PORT/DB               one more worker, here or on another machine
    xxgk status --redis redis://HOST:PORT/DB               progress of the running crawl

A portal is the unit a worker holds: a worker claims it with a lease in Redis (renewed every
second, lost when the worker dies) and runs the portal's spider on a scrapy-redis scheduler whose
queue and seen set are the portal's, in Redis. One worker at a time per portal keeps politeness
across workers by construction (a portal never gets more than one worker's request rate), and
keeps each portal's spider state (blocked, errors…) in one place; many portals spread over
many workers. Workers parse and hand each item, with the status line and headers its WARC
record needs, to the one writer through a Redis list; the writer stores them in batched
transactions (crawler/writer.py) and owns the SQLite archive and the WARC files.

Nothing is lost to a kill -9: a request popped from a portal's queue moves atomically to the
portal's in-flight list and leaves it only once everything it produced (new requests, items)
is in Redis (`scheduler.py`); a worker taking over a portal whose lease expired puts that list
back in the queue. Items moved to the writer's list stay there until their batch has committed
(`writer.py`): a writer started again stores them again, which the archive makes idempotent.

A re-crawl asks only for what a single-process one would: the writer publishes what delta-fetch
reads from the archive in Redis when the crawl is queued, and the workers' re-crawl middlewares
look it up there (`delta.py`).

Keys (one crawl per Redis database), all under `xxgk:` and deleted when the crawl ends, so the
seen sets do not grow across crawls (within a crawl, each portal's are deleted when it is done).
"""
from __future__ import annotations

import os

import redis

PREFIX = "xxgk:"
RUN = PREFIX + "run"  # hash: run_id, data, settings (JSON), started, state (running, finishing, finished)
PORTALS = PREFIX + "portals"  # hash: portal key -> registry entry (JSON)
STARTED = PREFIX + "started"  # set: portals a worker has begun (a taker-over re-queues their in-flight)
DONE = PREFIX + "done"  # set: portals crawled to the end
BLOCKED = PREFIX + "blocked"  # set: those of them that ended blocked
ITEMS = PREFIX + "items"  # list: pickled items for the writer
WRITING = PREFIX + "writing"  # list: items the writer took, until their batch commits
COUNTS = PREFIX + "counts"  # hash: pages, and the writer's outcomes (new, changed, …)
WORKERS = PREFIX + "workers"  # hash: worker id -> JSON heartbeat


def lease_key(portal: str) -> str:
    return f"{PREFIX}lease:{portal}"


def portal_key(portal: str, what: str) -> str:
    """requests (queue), dupefilter (seen set), inflight, state (pickled outcome and stats),
    counts (the writer's outcomes for this portal)."""
    return f"{PREFIX}p:{portal}:{what}"


def robots_key(netloc: str) -> str:
    return f"{PREFIX}robots:{netloc}"


def lease_seconds() -> float:
    """How long a dead worker's portals wait before another worker takes them over."""
    return float(os.environ.get("XXGK_LEASE_SECONDS") or 15)


def connect(url: str) -> redis.Redis:
    """A client of the crawl's Redis, bytes in and out (items are pickled); a clear one-line
    error if it cannot be reached."""
    server = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=60, retry_on_timeout=True)
    try:
        server.ping()
    except redis.RedisError as e:
        raise RedisUnavailable(f"{url}: cannot reach redis: {e}") from None
    return server


_shared: dict[str, redis.Redis] = {}


def shared(url: str) -> redis.Redis:
    """One client (one connection pool) per worker process, for every portal's crawler: each
    crawler opening its own clients (scheduler, seen set, hand-off, robots, delta-fetch) cost a
    connection and a round trip apiece, per portal (profiled)."""
    if url not in _shared:
        _shared[url] = connect(url)
    return _shared[url]


class RedisUnavailable(Exception):
    pass
