"""Crawl speed against the simulator, throttling off, with and without the portals' latency.

Builds a larger simulated world (`universe.build_bench`: six portals, one per list style, each
with N organs × 2008–2025 reports), crawls it with `xxgk crawl --fast` (discovery, parsing, the
archive: everything), then downloads exactly the same pages with a bare Scrapy spider that only
downloads, and prints pages per second, reports per minute and CPU time per page for both.

Two modes, each with its own simulator, each compared within itself:
- zero latency: the simulator answers at once, so CPU sets the pace (the crawl's parsing and
  storing against the bare download's HTTP alone);
- latency: each portal answers after a fixed delay (0.1–2 s, as real portals do) and is asked
  at most 2 requests at a time (the polite settings' CONCURRENT_REQUESTS_PER_DOMAIN), so the
  download sets the pace, as on real portals.
The crawl and the bare download keep the same number of requests in flight per portal.

    python bench/crawl.py                       # both modes: 2,160 reports at zero latency, 540 with latency
    python bench/crawl.py --organs 40 --modes zero
    python bench/crawl.py --delays 0.5          # every portal 0.5 s
    python bench/crawl.py --modes zero --organs 5 --profile /tmp/crawl.txt
                                                # the crawl process under py-spy (a dev tool,
                                                # `pip install py-spy`): its stacks in /tmp/crawl.txt
                                                # and the top self and cumulative costs printed
    python bench/crawl.py --modes zero --keep /tmp/after
                                                # the crawl's archive kept, for bench/compare_archives.py
"""
from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DELAYS = (0.1, 0.25, 0.5, 0.8, 1.2, 2.0)  # seconds, one per portal in the latency mode

BARE_SPIDER = r'''
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess

pages = json.load(open(sys.argv[1]))
sys.path.insert(0, sys.argv[4])  # the project: its downloader, which keeps the per-portal limit

class Bare(scrapy.Spider):
    name = "bare"

    async def start(self):
        for method, url, body in pages:
            yield scrapy.Request(url, method=method, body=body.encode("latin-1") if body else None,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"} if body else None,
                                 callback=self.parse, dont_filter=True,
                                 # one download slot per portal, as the crawl has (one crawler per
                                 # portal): every simulated portal is on 127.0.0.1, one slot for all
                                 meta={"download_slot": url.split("/")[2]})

    def parse(self, response):
        pass

process = CrawlerProcess({"LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": False, "COOKIES_ENABLED": False,
                          "CONCURRENT_REQUESTS": int(sys.argv[2]), "CONCURRENT_REQUESTS_PER_DOMAIN": int(sys.argv[3]),
                          "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
                          "DOWNLOAD_TIMEOUT": 30, "USER_AGENT": "xxgk-archive-bench/0.1",
                          "DOWNLOADER": "crawler.download.Downloader"})
crawler = process.create_crawler(Bare)
process.crawl(crawler)
process.start()
print(crawler.stats.get_value("response_received_count", 0))
'''


# `xxgk crawl` with its own CPU seconds written to a file at exit: the crawl process alone,
# told apart from its reader pool (its children, reaped before this handler runs).
# Requests in flight per portal: the bench's, for the crawl and the bare download alike, set in
# --fast's settings before the crawl starts.
CRAWL = ("import atexit, resource, runpy, sys; out = sys.argv.pop(1); "
         "import crawler.settings as s; s.FAST['CONCURRENT_REQUESTS_PER_DOMAIN'] = int(sys.argv.pop(1)); "
         "atexit.register(lambda: open(out, 'w').write(repr(sum(resource.getrusage(resource.RUSAGE_SELF)[:2])))); "
         "sys.argv[0] = 'xxgk'; runpy.run_module('crawler.cli', run_name='__main__')")


def children_cpu() -> float:
    """CPU seconds of the finished child processes (and theirs: the crawl's reader pool)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


@dataclass
class Run:
    pages: int
    seconds: float
    cpu: float  # CPU seconds of the process and its children (the crawl's reader pool)
    sim_cpu: float  # CPU seconds of the simulator (this process) meanwhile
    own: float | None = None  # CPU seconds of the crawl process alone

    def split(self) -> str:
        if self.own is None:
            return ""
        return f"{self.own / self.pages * 1000:.1f} + {(self.cpu - self.own) / self.pages * 1000:.1f}"

    @property
    def rate(self) -> float:
        return self.pages / self.seconds

    @property
    def ms(self) -> float:
        return self.cpu / self.pages * 1000


def timed(cmd: list) -> tuple[subprocess.CompletedProcess, float, float, float]:
    t, cpu, sim_cpu = time.perf_counter(), children_cpu(), time.process_time()
    p = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
    return p, time.perf_counter() - t, children_cpu() - cpu, time.process_time() - sim_cpu


def summarise(stacks: Path, top: int = 25) -> str:
    """The top functions of py-spy's collapsed stacks (`--format raw`: "frame;frame;... count"):
    by samples in the function itself (self) and anywhere below it (cumulative)."""
    own, below, total = {}, {}, 0
    for line in stacks.read_text().splitlines():
        frames, _, n = line.rpartition(" ")
        if not frames:
            continue
        n = int(n)
        total += n
        # "name (file:line)" → "name (file)": lines of one function are one function
        names = [re.sub(r":\d+\)$", ")", f) for f in frames.split(";")[1:]]  # [0]: the process
        if names:
            own[names[-1]] = own.get(names[-1], 0) + n
        for f in set(names):
            below[f] = below.get(f, 0) + n
    out = [f"{total} samples"]
    for title, counts in (("self", own), ("cumulative", below)):
        out.append(f"top {top} by {title}:")
        for f, n in sorted(counts.items(), key=lambda kv: -kv[1])[:top]:
            out.append(f"  {n / total * 100:5.1f}%  {f}")
    return "\n".join(out)


def measure(organs: int, delays: tuple[float, ...], per_portal: int,
            profile: Path | None = None, keep: Path | None = None) -> tuple[Run, Run, int, int, int]:
    """(full crawl, bare download of the same pages, reports in the world, reports archived,
    report pages the bare download fetched) in a world whose portals answer after `delays`."""
    from crawler.registry import dump
    from crawler.simulator.server import Simulator
    from crawler.simulator.universe import build_bench

    portals = build_bench(organs=organs)
    for p, d in zip(portals, delays * len(portals)):
        p.delay = d
    reports = sum(len(p.reports()) for p in portals)
    with Simulator(portals=portals) as sim, tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        dump(sim.registry(), tmp / "portals.yml")
        spy = ["py-spy", "record", "--nonblocking", "--threads", "-r", "200", "--format", "raw", "-o",
               str(profile), "--"] if profile else []
        p, seconds, cpu, sim_cpu = timed([*spy, sys.executable, "-c", CRAWL, tmp / "own_cpu", str(per_portal), "crawl", "--fast", "--timeout",
                                          "30", "-q", "--data", tmp / "data", "--registry", tmp / "portals.yml"])
        m = re.search(r"crawl: (\d+) pages fetched, (\d+) reports seen: (\d+) new", p.stdout)
        if p.returncode != 0 or not m:
            raise SystemExit(f"crawl failed:\n{p.stdout}\n{p.stderr[-3000:]}")
        pages, _, new = map(int, m.groups())
        if keep:  # for bench/compare_archives.py
            import shutil

            shutil.copytree(tmp / "data", keep)
        full = Run(pages, seconds, cpu, sim_cpu, float((tmp / "own_cpu").read_text()))

        asked = list(sim.requests)
        replay = [(method, sim.base(key) + path, (sim.bodies.get((key, path)) or b"").decode("latin-1"))
                  for key, method, path in asked if not path.startswith("/robots.txt")]
        (tmp / "pages.json").write_text(json.dumps(replay))
        (tmp / "bare.py").write_text(BARE_SPIDER)
        b, seconds, cpu, sim_cpu = timed([sys.executable, tmp / "bare.py", tmp / "pages.json",
                                          str(16 * len(portals)), str(per_portal), str(ROOT)])
        if b.returncode != 0:
            raise SystemExit(f"bare download failed:\n{b.stderr[-3000:]}")
        bare = Run(int(b.stdout.split()[-1]), seconds, cpu, sim_cpu)
    return full, bare, reports, new, len(portals)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organs", type=int, default=20, help="organs per portal (18 reports each), zero latency")
    ap.add_argument("--per-portal", type=int, default=8, help="requests in flight per portal, zero latency "
                    "(8: `--fast`)")
    ap.add_argument("--latency-organs", type=int, default=5, help="organs per portal with latency")
    ap.add_argument("--latency-per-portal", type=int, default=2, help="requests in flight per portal with latency "
                    "(2: the polite settings' CONCURRENT_REQUESTS_PER_DOMAIN)")
    ap.add_argument("--profile", type=Path, help="record the crawl process with py-spy into this file "
                    "(collapsed stacks) and print its top costs; the figures then include py-spy's")
    ap.add_argument("--keep", type=Path, help="copy the crawl's archive to this new directory (one mode only), "
                    "to compare with bench/compare_archives.py")
    ap.add_argument("--modes", nargs="+", choices=("zero", "latency"), default=["zero", "latency"])
    ap.add_argument("--delays", type=lambda v: tuple(float(x) for x in v.split(",")), default=DELAYS,
                    help="seconds before each answer in the latency mode, one per portal (comma-separated, "
                         "repeated over the portals)")
    args = ap.parse_args()

    rows, ok = [], True
    for mode in args.modes:
        zero = mode == "zero"
        delays, organs = ((0.0,), args.organs) if zero else (args.delays, args.latency_organs)
        per_portal = args.per_portal if zero else args.latency_per_portal
        full, bare, reports, new, n = measure(organs, delays, per_portal, args.profile, args.keep)
        if args.profile:
            print(summarise(args.profile), file=sys.stderr)
        ok &= new == reports
        label = ("zero latency" if zero else f"latency {'/'.join(f'{d:g}' for d in delays[:n])} s") + \
            f", {per_portal}/portal"
        rows.append((label, full, bare, reports, new))
        print(f"{label}: {n} portals (one per list style), {organs} organs each, {reports} reports; "
              f"load average {os.getloadavg()[0]:.1f} after", file=sys.stderr)

    print(f"simulator: 6 portals, one per list style; {os.cpu_count()} CPUs shared with the simulator; "
          f"n/portal: requests in flight per portal, the same for the crawl and the bare download; "
          f"load average {os.getloadavg()[0]:.1f}")
    print(f"{'mode':<45} {'run':<18} {'pages':>6} {'seconds':>8} {'pages/s':>8} {'reports/min':>12} "
          f"{'CPU ms/page':>12} {'sim ms/page':>12}  crawl process + readers ms/page")
    for label, full, bare, reports, new in rows:
        for name, r, n in (("xxgk crawl --fast", full, new), ("bare Scrapy", bare, reports)):
            print(f"{label:<45} {name:<18} {r.pages:>6} {r.seconds:>8.1f} {r.rate:>8.1f} {n / r.seconds * 60:>12.0f} "
                  f"{r.ms:>12.1f} {r.sim_cpu / r.pages * 1000:>12.1f}  {r.split()}")
    for label, full, bare, reports, new in rows:
        print(f"{label}: full / bare pages/s = {full.rate / bare.rate:.2f} "
              f"({'meets' if full.rate / bare.rate >= 0.8 else 'below'} the 0.8× target); "
              f"{new} of {reports} reports archived")
    print("CPU ms/page: the crawl's process and its reader pool; the bare download's process. "
          "full: discovery, parse, checks, store (SQLite + WARC), bulk downloads at the end; bare: download only")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
