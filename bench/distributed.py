"""Distributed crawl throughput: 1, 2 and 4 workers on one redis-server, side by side.

A simulated country of N portals (default 200), one per county, each answering every request
after a fixed 0.3–2 s (drawn per portal; the simulator's threads sleep, spending no CPU), crawled
with `xxgk crawl --redis` and extra `xxgk worker`s, one request at a time per portal with a
0.1 s gap (`--delay`). Beside each figure: the politeness bound (every portal asked as fast as
one worker may ask it, all at once), the slot bound (the portals the workers hold at once, each
at one request per answer time) and the CPU bound (this machine's cores divided by the CPU
seconds the crawl spent per page, measured in the same run, with the cores the machine's other
processes took meanwhile subtracted). Each row says which bound binds.

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
    from crawler.simulator.model import Gen, Organ, column, make_portal
    from crawler.simulator.universe import _colkey

    styles = [("trs", "trs"), ("hanweb", "hanweb"), ("lonsun", "lonsun"), ("kaipu", "kaipu"), ("longtail", "aspx")]
    rng = random.Random(seed)
    portals = []
    for i in range(n):
        platform, style = styles[i % len(styles)]
        g = Gen(seed, f"country-{i}")
        code = f"{800000 + i}"
        county = Organ(f"测试{i}县人民政府", code + "000000", "county", f"c{i}")
        col = column(_colkey(style, 0), "政府信息公开年报", county,
                   g.reports(county, range(2023, 2026), 10) + g.news(county, 1, years=range(2023, 2026)), per_page=15)
        p = make_portal(f"country{i}", county.name, code, "county", platform, style, [col])
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


def own_cpu() -> float:
    """This process's CPU: the simulator's threads (a stand-in for the portals' own servers)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def pid_cpu(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy() -> float:
    """CPU seconds every process of the machine has spent (all cores), from /proc/stat."""
    user, nice, system, _idle, _iowait, irq, softirq, steal = map(int, Path("/proc/stat").read_text().split()[1:9])
    return (user + nice + system + irq + softirq + steal) / os.sysconf("SC_CLK_TCK")


def crawl(workers: int, registry: Path, data: Path, redis_url: str, slots: int, redis_pid: int) -> dict:
    """seconds, pages, reports archived; CPU seconds of the crawl's processes (writer, workers,
    their readers, redis), of the simulator, and of everything else on the machine meanwhile."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    cpu0, sim0, redis0, busy0 = children_cpu(), own_cpu(), pid_cpu(redis_pid), machine_busy()
    load = os.getloadavg()[0]
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
    cpu = children_cpu() - cpu0 + pid_cpu(redis_pid) - redis0
    sim = own_cpu() - sim0
    return {"seconds": seconds, "pages": int(m.group(1)), "new": int(m.group(3)), "cpu": cpu, "sim": sim,
            "others": max(0.0, machine_busy() - busy0 - cpu - sim), "load": (load + os.getloadavg()[0]) / 2}


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
                r = crawl(n, tmp / "portals.yml", tmp / f"data{n}", url, args.slots, redis.pid)
                rows.append({"workers": n, **r, "busiest": busiest_second(log)})
            contents = [content(tmp / f"data{n}") for n in args.workers]
            same = all(c == contents[0] for c in contents[1:])
    finally:
        redis.terminate()
        redis.wait()
    cores = os.cpu_count() or 1
    print(f"{args.portals} simulated portals, {reports} reports; answer time 0.3–2 s per portal (mean {latency:.2f} s),"
          f" one request at a time per portal, {DELAY} s apart; {args.slots} portals per worker; {cores} CPUs shared"
          f" by the simulator, redis, the writer, the workers and whatever else runs on this machine")
    print(f"{'workers':>7} {'seconds':>8} {'pages':>6} {'reports':>7} {'pages/s':>8} {'× one':>6}"
          f" {'politeness':>11} {'slots':>7} {'CPU left':>9} {'binds':>10} {'CPU s/page':>10} {'others':>7} {'load':>5}"
          f" {'CPU if free':>11}"
          f" {'max/s to a portal':>17}")
    base = rows[0]["pages"] / rows[0]["seconds"]
    for r in rows:
        n, seconds, pages = r["workers"], r["seconds"], r["pages"]
        rate = pages / seconds
        # The cores left to the crawl: all of them, less what the simulator and the machine's other
        # processes took meanwhile (measured, not assumed free).
        left = max(cores - (r["others"] + r["sim"]) / seconds, 0.05)
        bounds = {"politeness": polite, "slots": min(n * args.slots, args.portals) / max(latency, DELAY),
                  "CPU": left / (r["cpu"] / pages)}
        binds = min(bounds, key=bounds.get)
        print(f"{n:>7} {seconds:>8.1f} {pages:>6} {r['new']:>7} {rate:>8.1f} {rate / base:>6.2f}"
              f" {bounds['politeness']:>9.1f}/s {bounds['slots']:>5.1f}/s {bounds['CPU']:>7.1f}/s {binds:>10}"
              f" {r['cpu'] / pages:>10.3f} {r['others'] / seconds:>6.2f}c {r['load']:>5.1f} {r['busiest']:>17}"
              f" {cores / (r['cpu'] / pages):>9.1f}/s")
    print("politeness: every portal asked as fast as one worker may ask it, all at once; slots: the portals the"
          " workers hold at once, each at one request per answer time; CPU: the cores left to the crawl (others:"
          " the cores the machine's other processes and the simulator took meanwhile) divided by the crawl's CPU"
          " seconds per page (writer, workers, readers, redis); binds: the lowest of the three (CPU binds when the"
          " machine was busy throughout: the crawl got what the others left); CPU if free: the CPU bound had every"
          " core been the crawl's")
    # One worker sends a portal one request at a time, the next one no sooner than DELAY after
    # the last began: at most 1 / max(fastest answer, DELAY) a second, +1 at a window's edge.
    print(f"one worker's most to one portal in any second: {int(1 / max(min(p.delay for p in portals), DELAY)) + 1}")
    print(f"archives of the {', '.join(map(str, args.workers))}-worker crawls equal in every content table: "
          f"{'yes' if same else 'NO'}")
    return 0 if same and all(r["new"] == reports for r in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
