"""Crawl speed against the simulator, throttling off.

Builds a larger simulated world (`universe.build_bench`: six portals, one per list style, each
with N organs × 2008–2025 reports), crawls it with `xxgk crawl --fast` (discovery, parsing, the
archive: everything), then downloads exactly the same pages with a bare Scrapy spider that only
downloads, and prints pages per second and reports per minute for both.

    python bench/crawl.py              # 20 organs per portal: 2,160 report pages
    python bench/crawl.py --organs 40
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
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

BARE_SPIDER = r'''
import json, sys
import scrapy
from scrapy.crawler import CrawlerProcess

pages = json.load(open(sys.argv[1]))

class Bare(scrapy.Spider):
    name = "bare"

    async def start(self):
        for method, url, body in pages:
            yield scrapy.Request(url, method=method, body=body.encode("latin-1") if body else None,
                                 headers={"Content-Type": "application/x-www-form-urlencoded"} if body else None,
                                 callback=self.parse, dont_filter=True)

    def parse(self, response):
        pass

process = CrawlerProcess({"LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": False, "COOKIES_ENABLED": False,
                          "CONCURRENT_REQUESTS": int(sys.argv[2]), "CONCURRENT_REQUESTS_PER_DOMAIN": 8,
                          "DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "TELNETCONSOLE_ENABLED": False,
                          "USER_AGENT": "xxgk-archive-bench/0.1"})
crawler = process.create_crawler(Bare)
process.crawl(crawler)
process.start()
print(crawler.stats.get_value("response_received_count", 0))
'''


def children_cpu() -> float:
    """CPU seconds of the finished child processes (and theirs: the crawl's reader pool)."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--organs", type=int, default=20, help="organs per portal (18 reports each)")
    args = ap.parse_args()

    from crawler.registry import dump
    from crawler.simulator.server import Simulator
    from crawler.simulator.universe import build_bench

    portals = build_bench(organs=args.organs)
    reports = sum(len(p.reports()) for p in portals)
    with Simulator(portals=portals) as sim, tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        dump(sim.registry(), tmp / "portals.yml")
        t, cpu, sim_cpu = time.perf_counter(), children_cpu(), time.process_time()
        p = subprocess.run([sys.executable, "-m", "crawler.cli", "crawl", "--fast", "--timeout", "30", "-q", "--data", tmp / "data",
                            "--registry", tmp / "portals.yml"], capture_output=True, text=True, cwd=ROOT)
        full, full_cpu, full_sim = time.perf_counter() - t, children_cpu() - cpu, time.process_time() - sim_cpu
        m = re.search(r"crawl: (\d+) pages fetched, (\d+) reports seen: (\d+) new", p.stdout)
        if p.returncode != 0 or not m:
            print(p.stdout, p.stderr[-3000:], file=sys.stderr)
            return 1
        pages, seen, new = map(int, m.groups())

        asked = list(sim.requests)
        replay = [(method, sim.base(key) + path, (sim.bodies.get((key, path)) or b"").decode("latin-1"))
                  for key, method, path in asked if not path.startswith("/robots.txt")]
        (tmp / "pages.json").write_text(json.dumps(replay))
        (tmp / "bare.py").write_text(BARE_SPIDER)
        t, cpu, sim_cpu = time.perf_counter(), children_cpu(), time.process_time()
        b = subprocess.run([sys.executable, tmp / "bare.py", tmp / "pages.json", str(16 * len(portals))],
                           capture_output=True, text=True, cwd=ROOT)
        bare, bare_cpu, bare_sim = time.perf_counter() - t, children_cpu() - cpu, time.process_time() - sim_cpu
        if b.returncode != 0:
            print(b.stderr[-3000:], file=sys.stderr)
            return 1
        bare_pages = int(b.stdout.split()[-1])

    print(f"simulator: {len(portals)} portals ({', '.join(p.style for p in portals)}), {reports} reports, "
          f"{args.organs} organs each; {os.cpu_count()} CPUs; simulator in the same machine")
    print(f"xxgk crawl --fast : {pages:>6} pages in {full:6.1f} s = {pages / full:7.1f} pages/s, "
          f"{new} reports archived = {new / full * 60:8.0f} reports/min (discovery, parse, checks, store)")
    print(f"bare Scrapy       : {bare_pages:>6} pages in {bare:6.1f} s = {bare_pages / bare:7.1f} pages/s, "
          f"{reports} report pages = {reports / bare * 60:8.0f} reports/min (download only)")
    print(f"full / bare pages/s: {pages / full / (bare_pages / bare):.2f}")
    print(f"CPU seconds per page: crawl {full_cpu / pages * 1000:.1f} ms + simulator {full_sim / pages * 1000:.1f} ms; "
          f"bare {bare_cpu / bare_pages * 1000:.1f} ms + simulator {bare_sim / bare_pages * 1000:.1f} ms "
          f"(crawl: its process and its reader pool; load average {os.getloadavg()[0]:.1f})")
    return 0 if new == reports else 1


if __name__ == "__main__":
    sys.exit(main())
