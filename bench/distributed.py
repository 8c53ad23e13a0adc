"""Distributed crawl throughput: 1, 2 and 4 workers on one redis-server, side by side.

A simulated country of N portals (default 200), one per county, each answering every request
after a fixed 0.3–2 s (drawn per portal; the simulator's threads sleep, spending no CPU), crawled
with `xxgk crawl --redis` and extra `xxgk worker`s, one request at a time per portal with a
0.1 s gap (`--delay`). Beside each figure: the politeness bound (every portal asked as fast as
one worker may ask it, all at once), the slot bound (the portals the workers hold at once, each
at one request per answer time) and the CPU bound (this machine's cores divided by the CPU
seconds the crawl spent per page, measured in the same run).

    python bench/distributed.py                # 200 portals
    python bench/distributed.py --portals 60 --slots 4   # fewer portals held per worker
"""
from __future__ import annotations

import argparse
import os
import random
import re
import resource
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DELAY = 0.1
SLOTS = 16  # portals a worker holds at once


def build_country(n: int, seed: int = 2024):
    """n small county portals of the six list styles, three years of reports and some news each."""
    from crawler.simulator.universe import _col, _colkey, _Gen, _portal
    from crawler.simulator.world import Organ

    styles = [("trs", "trs"), ("hanweb", "hanweb"), ("lonsun", "lonsun"), ("kaipu", "kaipu"), ("longtail", "aspx")]
    rng = random.Random(seed)
    portals = []
    for i in range(n):
        platform, style = styles[i % len(styles)]
        g = _Gen(seed, f"country-{i}")
        code = f"{800000 + i}"
        county = Organ(f"测试{i}县人民政府", code + "000000", "county", f"c{i}")
        col = _col(_colkey(style, 0), "政府信息公开年报", county,
                   g.reports(county, range(2023, 2026), 10) + g.news(county, 1, years=range(2023, 2026)), per_page=15)
        p = _portal(f"country{i}", county.name, code, "county", platform, style, [col])
        p.delay = rng.uniform(0.3, 2.0)
        portals.append(p)
    return portals


class TimedLog(list):
    """The simulator's request log, with the time of each request (appended by its threads)."""

    def __init__(self):
        super().__init__()
        self.times = []

    def append(self, x):
        self.times.append(time.monotonic())
        super().append(x)


def busiest_second(log: TimedLog) -> int:
    """The most requests one host received within any one second."""
    by_host: dict[str, list[float]] = {}
    for t, (host, _m, _p) in zip(log.times, log):
        by_host.setdefault(host, []).append(t)
    best = 0
    for times in by_host.values():
        j = 0
        for i, t in enumerate(times):
            while times[j] <= t - 1.0:
                j += 1
            best = max(best, i - j + 1)
    return best


TABLES = ("organs", "reports", "sources", "versions", "cells", "checks")
VOLATILE = {"fetched_at", "warc_file", "warc_offset", "warc_record_id", "first_seen_run", "last_seen_run"}


def content(data: Path) -> dict:
    """Every content table of an archive, times and WARC positions aside."""
    import sqlite_utils

    db = sqlite_utils.Database(data / "xxgk.db")
    out = {}
    for t in TABLES:
        cols = [f"[{c.name}]" for c in db[t].columns if c.name not in VOLATILE]
        out[t] = sorted(map(tuple, db.execute(f"select {', '.join(cols)} from [{t}]")))
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def children_cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def crawl(workers: int, registry: Path, data: Path, redis_url: str, slots: int) -> tuple[float, int, int, float]:
    """(seconds, pages, reports archived, CPU seconds of the crawl's processes)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cpu0 = children_cpu()
    t = time.perf_counter()
    main = subprocess.Popen([sys.executable, "-m", "crawler.cli", "crawl", "--redis", redis_url, "--registry",
                             str(registry), "--data", str(data), "--fast", "--timeout", "30", "-q", "--delay", str(DELAY),
                             "--portals", str(slots)], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)
    extra = [subprocess.Popen([sys.executable, "-m", "crawler.cli", "worker", "--redis", redis_url, "--portals",
                               str(slots)], cwd=ROOT, env=env, stdout=subprocess.DEVNULL)
             for _ in range(workers - 1)]
    out, _ = main.communicate()
    seconds = time.perf_counter() - t
    for w in extra:
        w.wait(60)
    m = re.search(r"crawl: (\d+) pages fetched, (\d+) reports seen: (\d+) new", out)
    if main.returncode != 0 or not m:
        raise SystemExit(f"crawl with {workers} workers failed:\n{out}")
    return seconds, int(m.group(1)), int(m.group(3)), children_cpu() - cpu0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--portals", type=int, default=200)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2, 4])
    ap.add_argument("--slots", type=int, default=SLOTS, help="portals a worker holds at once")
    args = ap.parse_args()

    from crawler.registry import dump
    from crawler.simulator.server import Simulator

    portals = build_country(args.portals)
    reports = sum(len(p.reports()) for p in portals)
    latency = sum(p.delay for p in portals) / len(portals)
    polite = sum(1 / max(p.delay, DELAY) for p in portals)
    port = free_port()
    redis = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                              "--appendonly", "no"], stdout=subprocess.DEVNULL)
    rows = []
    try:
        time.sleep(0.5)
        url = f"redis://127.0.0.1:{port}/0"
        with Simulator(portals=portals) as sim, tempfile.TemporaryDirectory() as tmp:
            tmp = Path(tmp)
            dump(sim.registry(), tmp / "portals.yml")
            for n in args.workers:
                sim.requests = log = TimedLog()
                seconds, pages, new, cpu = crawl(n, tmp / "portals.yml", tmp / f"data{n}", url, args.slots)
                rows.append((n, seconds, pages, new, cpu, busiest_second(log)))
            contents = [content(tmp / f"data{n}") for n in args.workers]
            same = all(c == contents[0] for c in contents[1:])
    finally:
        redis.terminate()
        redis.wait()
    cores = os.cpu_count() or 1
    print(f"{args.portals} simulated portals, {reports} reports; answer time 0.3–2 s per portal (mean {latency:.2f} s),"
          f" one request at a time per portal, {DELAY} s apart; {args.slots} portals per worker; {cores} CPUs shared"
          f" by the simulator, redis, the writer and the workers")
    print(f"{'workers':>7} {'seconds':>8} {'pages':>6} {'reports':>7} {'pages/s':>8} {'× one':>6}"
          f" {'politeness bound':>17} {'slot bound':>11} {'CPU bound':>10} {'max req/s to one portal':>24}")
    base = rows[0][2] / rows[0][1]
    for n, seconds, pages, new, cpu, busiest in rows:
        rate = pages / seconds
        cpu_bound = cores / (cpu / pages)
        slot_bound = min(n * args.slots, args.portals) / max(latency, DELAY)
        print(f"{n:>7} {seconds:>8.1f} {pages:>6} {new:>7} {rate:>8.1f} {rate / base:>6.2f}"
              f" {polite:>15.1f}/s {slot_bound:>9.1f}/s {cpu_bound:>8.1f}/s {busiest:>24}")
    # One worker sends a portal one request at a time, the next one no sooner than DELAY after
    # the last began: at most 1 / max(fastest answer, DELAY) a second, +1 at a window's edge.
    print(f"one worker's most to one portal in any second: {int(1 / max(min(p.delay for p in portals), DELAY)) + 1}")
    print(f"archives of the {', '.join(map(str, args.workers))}-worker crawls equal in every content table: "
          f"{'yes' if same else 'NO'}")
    return 0 if same and all(r[3] == reports for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
