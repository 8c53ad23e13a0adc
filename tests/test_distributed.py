"""A crawl over several workers on a real redis-server: two workers, one killed with SIGKILL,
then the writer killed with SIGKILL and started again; the archive equals a single-process
crawl's, no portal was asked faster than one worker asks, robots.txt once per host."""
from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from collections import defaultdict

import pytest

from archive.store import DB_NAME
from crawler.registry import dump
from crawler.simulator.server import Simulator

from .conftest import ROOT, XXGK, free_port, run_xxgk
from .test_crash import content

PORTALS = ["yunxi", "danxi", "yifeng", "jsl", "bots404"]
DELAY = 0.05  # seconds between two requests to one host, as one worker sends them
# Short, so that a takeover comes soon; not so short that a loaded machine stalls a live worker past it.
ENV = {**os.environ, "XXGK_LEASE_SECONDS": "5"}


class TimedLog(list):
    """The simulator's request log, with the time of each request."""

    def __init__(self):
        super().__init__()
        self.times = []
        self.lock = threading.Lock()

    def append(self, x):
        with self.lock:
            self.times.append(time.monotonic())
            super().append(x)


@pytest.fixture(scope="module")
def redis_url():
    port = free_port()
    proc = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no"], stdout=subprocess.DEVNULL)
    import redis

    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield f"redis://127.0.0.1:{port}/0"
    proc.terminate()
    proc.wait(10)


def counts(url: str) -> dict:
    import redis

    from crawler.distributed import COUNTS

    return {k.decode(): int(v) for k, v in redis.Redis.from_url(url).hgetall(COUNTS).items()}


def wait_for(cond, timeout=240):
    deadline = time.time() + timeout
    while not cond():
        assert time.time() < deadline, "timed out"
        time.sleep(0.05)


@pytest.fixture(scope="module")
def crawls(tmp_path_factory, redis_url):
    tmp = tmp_path_factory.mktemp("distributed")
    with Simulator(seed=2024, only=PORTALS) as sim:
        reg = tmp / "reg.yml"
        dump(sim.registry(), reg)
        run_xxgk("crawl", "--registry", reg, "--data", tmp / "single", "--fast", "-q")
        sim.requests = log = TimedLog()
        for p in sim.portals:
            p.delay = 0.02  # slow enough to be caught mid-way
        args = [*XXGK, "crawl", "--redis", redis_url, "--registry", str(reg), "--data", str(tmp / "dist"), "--fast",
                "-q", "--delay", str(DELAY), "--portals", "2"]
        writer = subprocess.Popen(args, cwd=ROOT, env=ENV, start_new_session=True, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        worker = subprocess.Popen([*XXGK, "worker", "--redis", redis_url, "--portals", "2"], cwd=ROOT, env=ENV,
                                  start_new_session=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(lambda: counts(redis_url).get("new", 0) >= 15)
            killed = time.monotonic()
            os.killpg(worker.pid, signal.SIGKILL)  # a worker's machine dies with requests and items in flight
            worker.wait()
            wait_for(lambda: counts(redis_url).get("new", 0) >= 50)
            status = run_xxgk("status", "--redis", redis_url).stdout
            os.killpg(writer.pid, signal.SIGKILL)  # the writer's machine dies (its worker with it)
            writer.wait()
            resumed = subprocess.run(args, cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)
            finished = run_xxgk("status", "--redis", redis_url).stdout
            import redis

            left = sorted(k.decode() for k in redis.Redis.from_url(redis_url).keys("*"))
        finally:
            for p in (worker, writer):
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        expected = sum(len(p.expected_reports()) for p in sim.portals)
        yield {"expected": expected, "tmp": tmp, "log": list(zip(log.times, log)), "killed": killed,
               "status": status, "resumed": resumed,
               "finished": finished, "left": left}


def test_workers_hand_back_the_columns_each_page_leads_to(crawls):
    """What a re-crawl's columns at rest need (table list_columns: a home page's columns, a
    county column's towns'), found by the workers and kept by the writer as a single process
    keeps them, a killed worker and writer notwithstanding."""
    import sqlite_utils

    rows = {}
    for name in ("single", "dist"):
        db = sqlite_utils.Database(crawls["tmp"] / name / DB_NAME)
        rows[name] = set(db.execute("select url, parent, callback, kwargs, start from list_columns").fetchall())
    assert len(rows["single"]) > 10 and rows["dist"] == rows["single"]


def test_same_archive_as_one_process(crawls):
    tmp = crawls["tmp"]
    assert crawls["resumed"].returncode == 0, crawls["resumed"].stderr[-3000:]
    single, dist = content(tmp / "single"), content(tmp / "dist")
    assert len(single["reports"]) == crawls["expected"] > 100  # the simulator's ground truth
    for table in single:
        assert dist[table] == single[table], table


def test_portal_statuses_as_one_process(crawls):
    import sqlite_utils

    tmp = crawls["tmp"]
    q = "select portal, status, reports_found, reports_new from portal_status order by portal"
    single = list(sqlite_utils.Database(tmp / "single" / DB_NAME).execute(q))
    dist = list(sqlite_utils.Database(tmp / "dist" / DB_NAME).execute(q))
    assert [r[:2] for r in dist] == [r[:2] for r in single]
    assert sum(r[2] for r in dist) >= sum(r[2] for r in single)


def test_polite_across_workers(crawls):
    """No host received more requests in any half second than one worker sends (one every DELAY
    seconds, one at a time): no two workers ever crawled one portal at once (a takeover waits
    for the dead worker's lease to expire). Two workers at once would send twice as many."""
    by_host = defaultdict(list)
    for t, (host, _method, path) in crawls["log"]:
        by_host[host].append((t, path))
    assert len(by_host) >= len(PORTALS)
    for host, reqs in by_host.items():
        times = [t for t, _ in reqs]
        window = 0.5
        busiest = max(sum(1 for u in times[i:] if u - t < window) for i, t in enumerate(times))
        assert busiest <= window / DELAY + 1, (host, busiest)
        robots = [t for t, path in reqs if path == "/robots.txt"]
        # Once per host; twice only if the worker fetching it was killed before it could share
        # the answer (and then the second fetch came after the kill).
        assert len(robots) == 1 or (len(robots) == 2 and robots[0] < crawls["killed"] < robots[1]), (host, robots)


def test_status_shows_progress(crawls):
    assert "portals " in crawls["status"] and "pages " in crawls["status"] and "worker " in crawls["status"]


def test_scrapy_redis_traps_are_covered(redis_url):
    """scrapy-redis's defaults would delete a portal's queue and seen set when its spider closes
    (SCHEDULER_PERSIST off) and keep a RedisSpider waiting forever on an empty queue
    (MAX_IDLE_TIME 0); a worker persists the queue, never blocks on it, and its spiders are
    ordinary ones that close when their portal's queue is empty."""
    import scrapy_redis.defaults as d

    from crawler.distributed.worker import worker_settings
    from crawler.spiders.base import PortalSpider

    assert (d.SCHEDULER_PERSIST, d.MAX_IDLE_TIME) == (False, 0)
    s = worker_settings(redis_url, {"polite": True})
    assert s.getbool("SCHEDULER_PERSIST") and s.getint("SCHEDULER_IDLE_BEFORE_CLOSE") == 0
    assert s["SCHEDULER"] == "crawler.distributed.scheduler.PortalScheduler"
    assert "crawler.distributed.handoff.SharedRobotsMiddleware" in s.getdict("DOWNLOADER_MIDDLEWARES")
    assert not any(c.__module__.startswith("scrapy_redis") for c in PortalSpider.__mro__)


def test_nothing_left_in_redis(crawls):
    """The queues, seen sets and items of a finished crawl are deleted: they do not grow from one
    crawl to the next. Only the run's summary stays, for `xxgk status`."""
    assert crawls["left"] == ["xxgk:run"]
    assert "finished: crawl: " in crawls["finished"] and " new, " in crawls["finished"]


# Delta-fetch over Redis ------------------------------------------------------------------------
RECRAWL_PORTALS = ["yunxi", "danxi"]  # TRS (ETags: re-checks are conditional) and Hanweb (no validators)


def crawl_both(sim, reg, single, dist, redis_url, month):
    """The same re-crawl, single-process into `single` and distributed (one writer, two workers)
    into `dist`: the simulator's requests of each and the distributed run's output."""
    start = len(sim.requests)
    run_xxgk("crawl", "--registry", reg, "--data", single, "--fast", "-q", "--month", month)
    one = list(sim.requests[start:])
    start = len(sim.requests)
    # The default lease: nothing is killed here, and a worker the machine's load stalls for a
    # few seconds must keep its portal.
    extra = subprocess.Popen([*XXGK, "worker", "--redis", redis_url, "--portals", "1"], cwd=ROOT,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        out = run_xxgk("crawl", "--redis", redis_url, "--registry", reg, "--data", dist, "--fast", "-q",
                       "--month", month, "--portals", "1")
    finally:
        extra.wait(60)
    return one, list(sim.requests[start:]), out.stdout


@pytest.fixture(scope="module")
def recrawls(tmp_path_factory, redis_url):
    import shutil

    import sqlite_utils

    from crawler.recrawl import rechecks_due

    from .test_deltafetch import current, in_place

    tmp = tmp_path_factory.mktemp("delta")
    single, dist = tmp / "single", tmp / "dist"
    with Simulator(seed=2024, only=RECRAWL_PORTALS) as sim:
        reg = tmp / "reg.yml"
        dump(sim.registry(), reg)
        run_xxgk("crawl", "--registry", reg, "--data", single, "--fast", "-q", "--month", "2026-12")
        first = len(sim.requests)
        shutil.copytree(single, dist)  # both re-crawls start from the same archive
        unchanged = crawl_both(sim, reg, single, dist, redis_url, "2027-01")
        changed = in_place(sim)
        db = sqlite_utils.Database(single / DB_NAME)
        before = {(r.organ.name, r.year): current(db, r.organ.name, r.year) for r in changed}
        # A month whose share holds some of the corrected reports but not all of them.
        month = next(m for m in (f"2027-{i:02d}" for i in range(2, 13))
                     if 0 < sum(v[2] in rechecks_due(db, m) for v in before.values()) < len(before))
        due = {k for k, v in before.items() if v[2] in rechecks_due(db, month)}
        corrected = crawl_both(sim, reg, single, dist, redis_url, month)
        found = {}
        for name, data in (("single", single), ("dist", dist)):
            db = sqlite_utils.Database(data / DB_NAME)
            found[name] = {k for k in before if current(db, *k)[0] == 2}
        # Out of the season, with every column holding its organs' reports for 2025: columns and
        # home pages at rest.
        rested = crawl_both(sim, reg, single, dist, redis_url, "2026-10")
    return {"first": first, "unchanged": unchanged, "corrected": corrected, "due": due, "found": found,
            "single": single, "dist": dist, "before": before, "rested": rested}


def timeless(data) -> dict:
    """Every content table, times aside (also when a version was superseded)."""
    import sqlite_utils

    from .test_crash import TABLES, VOLATILE

    db = sqlite_utils.Database(data / DB_NAME)
    out = {}
    for t in TABLES:
        cols = [f"[{c.name}]" for c in db[t].columns if c.name not in VOLATILE | {"superseded_at"}]
        out[t] = sorted(map(tuple, db.execute(f"select {', '.join(cols)} from [{t}]")))
    return out


def test_distributed_recrawl_asks_what_one_process_asks(recrawls):
    """Nothing new: the distributed re-crawl makes exactly the requests of a single-process one,
    a fraction of the first crawl's (delta-fetch by list entry, conditional re-checks)."""
    from collections import Counter

    one, dist, stdout = recrawls["unchanged"]
    assert Counter(dist) == Counter(one), (Counter(dist) - Counter(one), Counter(one) - Counter(dist), stdout)
    assert len(dist) == len(one)
    assert len(one) < 0.25 * recrawls["first"]
    assert " 0 new" in stdout


def test_distributed_recrawl_finds_a_correction_when_the_rotation_says(recrawls):
    """Reports corrected in place (same URL, same list entry): the distributed re-crawl finds
    exactly those the month's rotation re-checks, as the single-process one does, with the same
    requests, and the two archives stay equal."""
    from collections import Counter

    one, dist, _ = recrawls["corrected"]
    assert 0 < len(recrawls["due"]) < len(recrawls["before"])
    assert recrawls["found"]["dist"] == recrawls["due"] == recrawls["found"]["single"]
    assert Counter(dist) == Counter(one)
    a, b = timeless(recrawls["single"]), timeless(recrawls["dist"])
    for table in a:
        assert b[table] == a[table], table


def test_distributed_recrawl_rests_what_one_process_rests(recrawls):
    """Out of the season the workers leave the same columns and home pages unread as a single
    process (the writer publishes the complete columns and the columns each page leads to, which
    the distributed first crawl's workers handed back): the same requests, fewer column pages."""
    from collections import Counter
    from urllib.parse import urlsplit

    import sqlite_utils

    from crawler.recrawl import column_rests, hub_rests

    one, dist, stdout = recrawls["rested"]
    assert Counter(dist) == Counter(one)
    db = sqlite_utils.Database(recrawls["dist"] / DB_NAME)
    columns = {urlsplit(c).path for (c,) in db.execute("select distinct [column] from sources")}
    read = {p for _, _, p in dist if p in columns}
    assert len(columns) == 8 and read == {c for c in columns if not column_rests(c, "2026-10")}
    assert 0 < len(read) < len(columns)
    assert sum(p == "/" for _, _, p in dist) == int(not hub_rests("丹溪县人民政府", "/", "2026-10"))
    assert " 0 new" in stdout


def test_reader_processes_divide_the_cores(redis_url):
    """A worker's reader pool: the machine's cores divided among the live workers on it (a stale
    heartbeat or another machine's worker does not count), at least one; --readers wins."""
    import json
    import socket

    import redis

    from crawler.distributed import WORKERS
    from crawler.distributed.worker import readers_here

    server = redis.Redis.from_url(redis_url)
    cores = os.cpu_count() or 1
    here = socket.gethostname()
    try:
        server.delete(WORKERS)
        assert readers_here(server, None) == cores
        now = time.time()
        server.hset(WORKERS, mapping={f"{here}:1": json.dumps({"at": now, "portals": []}),
                                      f"{here}:2": json.dumps({"at": now, "portals": []}),
                                      f"{here}:3": json.dumps({"at": now - 60, "portals": []}),  # gone
                                      "elsewhere:1": json.dumps({"at": now, "portals": []})})
        assert readers_here(server, None) == max(1, cores // 2)
        assert readers_here(server, 3) == 3
    finally:
        server.delete(WORKERS)
